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


MMA_KERNEL = """
// One warp per case: row 0 of A is the case's a, column 0 of B its b, C[0][0] its c; the
// rest zero. D[0][0] is lane 0's first result register (PTX ISA, m16n8k16 fragments).
extern "C" __global__ void golden_mma_{type}(const unsigned long long* in, unsigned long long* out, int n) {{
  const unsigned long long* x = in + 33 * blockIdx.x;
  unsigned lane = threadIdx.x, g = lane / 4, t = lane % 4;
  auto a = [&](unsigned row, unsigned col) {{ return row == 0 ? unsigned(x[col]) : 0u; }};
  auto b = [&](unsigned row, unsigned col) {{ return col == 0 ? unsigned(x[16 + row]) : 0u; }};
  unsigned a0 = a(g, 2 * t) | a(g, 2 * t + 1) << 16, a1 = a(g + 8, 2 * t) | a(g + 8, 2 * t + 1) << 16;
  unsigned a2 = a(g, 2 * t + 8) | a(g, 2 * t + 9) << 16, a3 = a(g + 8, 2 * t + 8) | a(g + 8, 2 * t + 9) << 16;
  unsigned b0 = b(2 * t, g) | b(2 * t + 1, g) << 16, b1 = b(2 * t + 8, g) | b(2 * t + 9, g) << 16;
  unsigned c0 = lane == 0 ? unsigned(x[32]) : 0u, zero = 0u, d[4];
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.{type}.{type}.f32 {{%0, %1, %2, %3}}, "
               "{{%4, %5, %6, %7}}, {{%8, %9}}, {{%10, %11, %12, %13}};"
               : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
               : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "r"(c0), "r"(zero), "r"(zero), "r"(zero));
  if (lane == 0)
    out[blockIdx.x] = d[0];
}}
"""


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
        if family in ("mma", "math"):
            continue
        out.append(family_kernel(family, make(), table))
    for form in F.mma_forms():
        t = form.name.split(".")[-2]
        out.append(MMA_KERNEL.format(type=t))
        table.append(f'  {{"{form.name}", (const void*)golden_mma_{t}, -1, 33, 32}},\n')
    out.append("\n// name, kernel, form index within the kernel (-1: one warp per case), inputs, threads\n"
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
