#!/usr/bin/env python3
"""Writes the golden suite's files from forms.py.

  generate.py --goldens DIR   the expected results, one file per family (committed, reviewed)
  generate.py --check DIR     fails when the committed goldens differ from what the model gives
  generate.py --kernels FILE  the driver's kernels: one per family, a switch over its forms
  generate.py --math FILE     the kernel of CUDA math functions, for the driver and clang's path

A golden line is `form input... = expected`, all hexadecimal; expected is the result's bits,
`nan` (any NaN: f64, whose NaN NVIDIA was not measured for) or, for an .approx form,
`~format:exact:absolute:relative:ulps` (hexadecimal floats; see driver.cu).
"""

import argparse
import pathlib
import sys

import forms as F

FAMILIES = {
    "float": F.float_forms,
    "compare": F.compare_forms,
    "convert": F.convert_forms,
    "half": F.half_forms,
    "approx": F.approx_forms,
    "integer": F.integer_forms,
    "more": F.more_forms,
    "mma": F.mma_forms,
    "wmma": F.wmma_forms,
    "conversion": F.conversion_family,  # every other cvt spelling (conversions.py)
    "variant": F.variant_family,  # the remaining spellings (variants.py)
    "math": F.math_forms,  # CUDA functions, no inline PTX: clang's NVVM IR path runs them too
    "halfmath": F.half_math_forms,
}

HEADER = ("# Derived from the PTX ISA by frontend/ptx/tests/golden/softfloat.py (forms.py), not yet "
          "confirmed on NVIDIA hardware.\n# Regenerate with generate.py --goldens; review the diff.\n")


def expected_text(value):
    if value == F.ANY_NAN:
        return "nan"
    if isinstance(value, F.Approx):
        return value.text()
    return format(value, "x")


def check_unique(forms):
    """Form names key the goldens: two forms of one name would share (and mix) their cases."""
    names = [f.name for f in forms]
    repeated = {n for n in names if names.count(n) > 1}
    if repeated:
        raise SystemExit(f"forms named twice: {', '.join(sorted(repeated))}")


def golden_text(family):
    F.rng.seed(13)  # each family's random inputs independent of what ran before
    lines = [HEADER]
    for form in FAMILIES[family]():
        for inputs in form.inputs:
            bits = form.expected(*inputs)
            lines.append(f"{form.name} {' '.join(format(i, 'x') for i in inputs)} = {expected_text(bits)}\n")
    return "".join(lines)


C_TYPES = {16: "unsigned short", 32: "unsigned", 64: "unsigned long long"}
CONSTRAINTS = {16: "h", 32: "r", 64: "l"}


# How a CUDA value of each type is made from, and turned into, the bits of a golden.
FROM_BITS = {
    "float": "__uint_as_float(unsigned({}))",
    "__half": "__ushort_as_half((unsigned short)({}))",
    "__nv_bfloat16": "__ushort_as_bfloat16((unsigned short)({}))",
    "__half2": "__halves2half2(__ushort_as_half((unsigned short)({0})), __ushort_as_half((unsigned short)(({0}) >> 16)))",
    "__nv_bfloat162": "__halves2bfloat162(__ushort_as_bfloat16((unsigned short)({0})), "
                      "__ushort_as_bfloat16((unsigned short)(({0}) >> 16)))",
}
TO_BITS = {
    "float": "__float_as_uint({})",
    "__half": "__half_as_ushort({})",
    "__nv_bfloat16": "__bfloat16_as_ushort({})",
    "__half2": "(unsigned(__half_as_ushort(__low2half({0}))) | unsigned(__half_as_ushort(__high2half({0}))) << 16)",
    "__nv_bfloat162": "(unsigned(__bfloat16_as_ushort(__low2bfloat16({0}))) | "
                      "unsigned(__bfloat16_as_ushort(__high2bfloat16({0}))) << 16)",
}


def function_case_code(index, form):
    args = "".join(f"    {t} a{i} = {FROM_BITS[t].format(f'x[{i}]')};\n" for i, t in enumerate(form.types[1:]))
    return (f"  case {index}: {{ // {form.name}\n{args}"
            f"    {form.types[0]} r = {form.expression};\n"
            f"    return {TO_BITS[form.types[0]].format('r')};\n  }}\n")


def case_code(index, form):
    if form.body == "cuda":
        return function_case_code(index, form)
    width, sources = form.widths[0], form.widths[1:]
    args = ", ".join(f'"{CONSTRAINTS[w]}"(({C_TYPES[w]})x[{i}])' for i, w in enumerate(sources))
    body = form.body.replace("\\", "\\\\").replace('"', '\\"')
    return (f"  case {index}: {{ // {form.name}\n"
            f"    {C_TYPES[width]} r;\n"
            f"    asm volatile(\"{body}\" : \"={CONSTRAINTS[width]}\"(r) : {args});\n"
            f"    return r;\n  }}\n")


TILE_HELPERS = """
// Warp-wide forms (forms.py's Tile): row 0 of A and column 0 of B are the case's first 2k
// inputs, C[0][0] the last; every other element is zero.
__device__ unsigned golden_element(const unsigned long long* x, unsigned i, unsigned bits) {
  return unsigned(x[i]) & (bits == 32 ? ~0u : (1u << bits) - 1);
}

// mma.sync's A fragment: element e of register r is A[g + 8 (r % halves)][n t + e + 4 n (r / halves)].
__device__ void golden_fragment_a(unsigned* a, unsigned registers, const unsigned long long* row,
                                  unsigned bits, unsigned halves, unsigned lane) {
  unsigned n = 32 / bits, g = lane / 4, t = lane % 4;
  for (unsigned r = 0; r < registers; ++r) {
    a[r] = 0;
    for (unsigned e = 0; e < n && g + 8 * (r % halves) == 0; ++e)
      a[r] |= golden_element(row, n * t + e + 4 * n * (r / halves), bits) << (bits * e % 32);
  }
}

// mma.sync's B fragment: element e of register r is B[n t + e + 4 n r][g].
__device__ void golden_fragment_b(unsigned* b, unsigned registers, const unsigned long long* column,
                                  unsigned bits, unsigned lane) {
  unsigned n = 32 / bits, g = lane / 4, t = lane % 4;
  for (unsigned r = 0; r < registers; ++r) {
    b[r] = 0;
    for (unsigned e = 0; e < n && g == 0; ++e)
      b[r] |= golden_element(column, n * t + e + 4 * n * r, bits) << (bits * e % 32);
  }
}

// wmma's matrices in memory, little-endian elements of `bytes`.
__device__ void golden_put(unsigned char* matrix, unsigned index, unsigned bytes, unsigned long long v) {
  for (unsigned i = 0; i < bytes; ++i)
    matrix[index * bytes + i] = (unsigned char)(v >> (8 * i));
}
"""

WMMA_BUFFERS = "  __shared__ __align__(256) unsigned char a[2048], b[2048], c[1024], d[1024];\n"


def registers(count, first):
    return "{" + ", ".join(f"%{first + i}" for i in range(count)) + "}"


def operands(constraint, array, count):
    return ", ".join(f'"{constraint}"({array}[{i}])' for i in range(count))


def mma_body(form):
    tile = form.tile
    k = tile.k
    counts = [tile.d_registers, tile.a_registers, tile.b_registers, tile.c_registers]
    groups, first = [], 0
    for count in counts:
        groups.append(registers(count, first))
        first += count
    mask = " & 0xffff" if tile.result_bits == 16 else ""
    return (f"    unsigned a[{tile.a_registers}], b[{tile.b_registers}], c[{tile.c_registers}], "
            f"d[{tile.d_registers}];\n"
            f"    golden_fragment_a(a, {tile.a_registers}, x, {tile.element_bits}, {tile.halves}, lane);\n"
            f"    golden_fragment_b(b, {tile.b_registers}, x + {k}, {tile.element_bits}, lane);\n"
            f"    for (unsigned i = 0; i < {tile.c_registers}; ++i)\n"
            f"      c[i] = lane == 0 && i == 0 ? unsigned(x[{2 * k}]) : 0u;\n"
            f"    asm volatile(\"{form.name} {', '.join(groups)};\"\n"
            f"                 : {operands('=r', 'd', tile.d_registers)}\n"
            f"                 : {operands('r', 'a', tile.a_registers)}, {operands('r', 'b', tile.b_registers)},\n"
            f"                   {operands('r', 'c', tile.c_registers)});\n"
            f"    return d[0]{mask};\n")


def wmma_body(form):
    """Zeroes the matrices, writes the case's row, column and C[0][0], and runs wmma's load,
    mma and store on them; D[0][0] is the result."""
    tile = form.tile
    m, n, k = tile.m, tile.n, tile.k
    words = form.name.split(".")
    a_layout, b_layout, shape = words[4], words[5], words[6]
    types = words[7:]
    input_type = "f16" if len(types) == 2 else types[1]
    c_type = types[-2] if types[-1] == "satfinite" else types[-1]
    d_type = types[0]
    c_bytes, d_bytes = tile.accumulator_bits // 8, tile.result_bits // 8
    a_stride = m if tile.a_column_major else k
    b_stride = k if tile.b_column_major else n
    a_index = f"j * {m}" if tile.a_column_major else "j"
    b_index = "i" if tile.b_column_major else f"i * {n}"
    counts = [tile.d_registers, tile.a_registers, tile.b_registers, tile.c_registers]
    groups, first = [], 0
    for count in counts:
        groups.append(registers(count, first))
        first += count
    load = "wmma.load.{role}.sync.aligned.{layout}." + shape + ".{type} {regs}, [%{p}], %{s};"
    return (f"    unsigned fa[{tile.a_registers}], fb[{tile.b_registers}], fc[{tile.c_registers}], "
            f"fd[{tile.d_registers}];\n"
            f"    for (unsigned i = lane; i < 2048; i += 32)\n"
            f"      a[i] = b[i] = 0;\n"
            f"    for (unsigned i = lane; i < 1024; i += 32)\n"
            f"      c[i] = 0;\n"
            f"    __syncwarp();\n"
            f"    if (lane == 0) {{\n"
            f"      for (unsigned j = 0; j < {k}; ++j)\n"
            f"        golden_put(a, {a_index}, {tile.input_bytes}, x[j]);\n"
            f"      for (unsigned i = 0; i < {k}; ++i)\n"
            f"        golden_put(b, {b_index}, {tile.input_bytes}, x[{k} + i]);\n"
            f"      golden_put(c, 0, {c_bytes}, x[{2 * k}]);\n"
            f"    }}\n"
            f"    __syncwarp();\n"
            f"    asm volatile(\"{load.format(role='a', layout=a_layout, type=input_type, regs=registers(tile.a_registers, 0), p=tile.a_registers, s=tile.a_registers + 1)}\"\n"
            f"                 : {operands('=r', 'fa', tile.a_registers)} : \"l\"(a), \"r\"({a_stride}) : \"memory\");\n"
            f"    asm volatile(\"{load.format(role='b', layout=b_layout, type=input_type, regs=registers(tile.b_registers, 0), p=tile.b_registers, s=tile.b_registers + 1)}\"\n"
            f"                 : {operands('=r', 'fb', tile.b_registers)} : \"l\"(b), \"r\"({b_stride}) : \"memory\");\n"
            f"    asm volatile(\"{load.format(role='c', layout='row', type=c_type, regs=registers(tile.c_registers, 0), p=tile.c_registers, s=tile.c_registers + 1)}\"\n"
            f"                 : {operands('=r', 'fc', tile.c_registers)} : \"l\"(c), \"r\"({n}) : \"memory\");\n"
            f"    asm volatile(\"{form.name} {', '.join(groups)};\"\n"
            f"                 : {operands('=r', 'fd', tile.d_registers)}\n"
            f"                 : {operands('r', 'fa', tile.a_registers)}, {operands('r', 'fb', tile.b_registers)},\n"
            f"                   {operands('r', 'fc', tile.c_registers)});\n"
            f"    asm volatile(\"wmma.store.d.sync.aligned.row.{shape}.{d_type} [%0], "
            f"{registers(tile.d_registers, 1)}, %{tile.d_registers + 1};\"\n"
            f"                 :: \"l\"(d), {operands('r', 'fd', tile.d_registers)}, \"r\"({n}) : \"memory\");\n"
            f"    __syncwarp();\n"
            f"    unsigned long long r = 0;\n"
            f"    for (unsigned i = 0; i < {d_bytes}; ++i)\n"
            f"      r |= (unsigned long long)d[i] << (8 * i);\n"
            f"    return r;\n")


def tile_kernel(family, index, form, table):
    """A kernel of the form's own (one block of one warp per case): JIT compiles stay small, as
    each form's warp-wide emulation is large."""
    body = mma_body(form) if family == "mma" else wmma_body(form)
    table.append(f'  {{"{form.name}", (const void*)golden_{family}_{index}, 0, {len(form.widths) - 1}, 32}},\n')
    buffers = WMMA_BUFFERS if family == "wmma" else ""
    return (f"// {form.name}\n"
            f"extern \"C\" __global__ void golden_{family}_{index}(int, int arity, const unsigned long long* in,\n"
            "                                      unsigned long long* out, int n) {\n" + buffers +
            "  const unsigned long long* x = in + arity * blockIdx.x;\n  unsigned lane = threadIdx.x;\n"
            "  auto result = [&]() -> unsigned long long {\n" + body + "  };\n"
            "  unsigned long long r = result();\n  if (lane == 0)\n    out[blockIdx.x] = r;\n}\n\n")


def family_kernel(family, forms, table):
    cases = []
    for index, form in enumerate(forms):
        cases.append(case_code(index, form))
        table.append(f'  {{"{form.name}", (const void*)golden_{family}, {index}, {len(form.widths) - 1}, 1}},\n')
    return (f"__device__ unsigned long long golden_{family}_one(int form, const unsigned long long* x) {{\n"
            "  switch (form) {\n" + "".join(cases) + "  default:\n    return 0;\n  }\n}\n\n"
            f"extern \"C\" __global__ void golden_{family}(int form, int arity, const unsigned long long* in,\n"
            "                                      unsigned long long* out, int n) {\n"
            "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
            f"  if (i < n)\n    out[i] = golden_{family}_one(form, in + arity * i);\n}}\n\n")


def math_text():
    """The CUDA function forms without inline PTX, for both input paths."""
    table = []
    kernel = family_kernel("math", F.math_forms(), table)
    return ("// Generated by frontend/ptx/tests/golden/generate.py --math; do not edit.\n#pragma once\n\n" + kernel +
            "#ifdef GOLDEN_FORM_TABLE\nstatic const GoldenForm kGoldenMathForms[] = {\n" + "".join(table) + "};\n#endif\n")


def kernels_text():
    out = ["// Generated by frontend/ptx/tests/golden/generate.py --kernels; do not edit.\n",
           "#pragma once\n\n#include <cuda_bf16.h>\n#include <cuda_fp16.h>\n\n"]
    table = []
    for family, make in FAMILIES.items():
        if family in ("mma", "wmma", "math"):
            continue
        out.append(family_kernel(family, make(), table))
    out.append(TILE_HELPERS)
    for family in ("mma", "wmma"):
        for index, form in enumerate(FAMILIES[family]()):
            out.append(tile_kernel(family, index, form, table))
    out.append("\n// name, kernel, form index within the kernel, inputs, threads per case\n"
               "static const GoldenForm kGoldenForms[] = {\n" + "".join(table) + "};\n")
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--goldens", type=pathlib.Path)
    parser.add_argument("--check", type=pathlib.Path)
    parser.add_argument("--kernels", type=pathlib.Path)
    parser.add_argument("--math", type=pathlib.Path)
    args = parser.parse_args()
    check_unique(F.all_forms())
    if args.goldens:
        args.goldens.mkdir(parents=True, exist_ok=True)
        for family in FAMILIES:
            (args.goldens / f"{family}.golden").write_text(golden_text(family))
    if args.check:
        stale = [f for f in FAMILIES if (args.check / f"{f}.golden").read_text() != golden_text(f)]
        if stale:
            print(f"goldens differ from the model: {', '.join(stale)} (generate.py --goldens, then review)")
            return 1
        print(f"goldens match the model: {len(FAMILIES)} families")
    if args.kernels:
        args.kernels.write_text(kernels_text())
    if args.math:
        args.math.write_text(math_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
