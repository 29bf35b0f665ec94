"""The instruction forms of the golden suite and NVIDIA's result for each input, from softfloat.py.

A form is one PTX instruction spelling with its operand widths, the inputs it is run on (bit
patterns: every special class of its types, then seeded random ones) and a function giving the
expected result for one input: exact bits, ANY_NAN, or an Approx (the exact value and the bound
the PTX ISA states for an .approx form).
"""

from dataclasses import dataclass, field
from fractions import Fraction
import itertools
import math
import random

from softfloat import (ANY_NAN, BF16, E4M3, E5M2, F16, F32, F64, RM, RN, RNA, RP, RZ, TF32, Value, add,
                       compare, decode, div, encode, flush, fma, integral, minmax, mul, neg,
                       result, sqrt_rounded, to_integer)


@dataclass
class Approx:
    """A result within a bound of `exact`: |r - exact| <= max(absolute, relative * |exact|,
    ulps * ulp(exact))."""
    fmt: str
    exact: float
    absolute: float = 0.0
    relative: float = 0.0
    ulps: float = 0.0

    def text(self):
        return f"~{self.fmt}:{self.exact.hex()}:{self.absolute.hex()}:{self.relative.hex()}:{self.ulps.hex()}"


@dataclass
class Form:
    name: str  # the PTX spelling, unique
    body: str  # inline PTX with %0 the result and %1.. the sources
    widths: list  # bits of the result, then of each source: 16, 32 or 64
    expected: callable  # bits of the sources -> int | ANY_NAN | Approx
    inputs: list = field(default_factory=list)  # tuples of source bits
    # A CUDA function form instead of inline PTX: a C++ expression over a0, a1... of `types`
    # (the result's type first): float, __half, __half2, __nv_bfloat16, __nv_bfloat162.
    expression: str = ""
    types: list = field(default_factory=list)
    tile: "Tile" = None  # a warp-wide form (body "mma" or "wmma"): how its kernel drives it


rng = random.Random(13)

F32_SPECIAL = [0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF, 0x00800000,
               0x80800000, 0x3F800000, 0xBF800000, 0x3FC00000, 0x3F7FFFFF, 0x33800000, 0x4B000001,
               0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7FA12345, 0xFFC01234]
F32_FEW = [0x00000000, 0x80000000, 0x00000001, 0x80800000, 0x3F800000, 0xBFC00000, 0x7F7FFFFF,
           0xFF800000, 0x7FA12345]
# Pairs of every special class, fewer of each: the operand combinations that differ.
F32_PAIRS = [0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00800000, 0x3F800000, 0xBFC00000,
             0x3F7FFFFF, 0x33800000, 0x4B000001, 0x7F7FFFFF, 0xFF800000, 0x7F800000, 0x7FA12345]
F64_SPECIAL = [0, 1 << 63, 1, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x3FF0000000000000,
               0xBFF8000000000000, 0x3CA0000000000000, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF,
               0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0x7FF4000000000123]
F16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x8400, 0x3C00, 0xBC00, 0x3E00,
               0x3BFF, 0x1400, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x7D23, 0xFE01]
BF16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0080, 0x8080, 0x3F80, 0xBF80, 0x3FC0,
                0x3F7F, 0x3380, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x7FC0, 0x7FA1, 0xFFC1]


def random_float(fmt, low=-30, high=30):
    """A random finite value with an exponent in [low, high]: most results then need rounding."""
    exponent = rng.randint(max(low, fmt.min_exponent), min(high, fmt.max_exponent))
    fraction = rng.getrandbits(fmt.fraction_bits)
    sign = rng.getrandbits(1)
    return sign << (fmt.bits - 1) | (exponent + fmt.bias) << fmt.fraction_bits | fraction


def randoms(fmt, count, arity, low=-30, high=30):
    return [tuple(random_float(fmt, low, high) for _ in range(arity)) for _ in range(count)]


def unary_inputs(fmt, specials, count=48, low=-30, high=30):
    return [(s,) for s in specials] + randoms(fmt, count, 1, low, high)


def binary_inputs(fmt, specials, count=24):
    return list(itertools.product(specials, repeat=2)) + randoms(fmt, count, 2)


def ternary_inputs(fmt, few, count=32):
    return list(itertools.product(few, repeat=3)) + randoms(fmt, count, 3, -12, 12)


MODES = [RN, RZ, RM, RP]
FORMAT_OF_BITS = {16: F16, 32: F32, 64: F64}


def d(fmt, bits, ftz=False):
    v = decode(fmt, bits)
    return flush(fmt, v) if ftz else v


def ptx_type(fmt):
    return {"f32": "f32", "f64": "f64", "f16": "f16", "bf16": "bf16"}[fmt.name]


def float_forms():
    forms = []
    for fmt, specials, few in ((F32, F32_PAIRS, F32_FEW), (F64, F64_SPECIAL[2:12], F64_SPECIAL[:8])):
        w = fmt.bits
        t = ptx_type(fmt)
        ftzs = [False, True] if fmt is F32 else [False]
        for mode, ftz in itertools.product(MODES, ftzs):
            suffix = f".{mode}{'.ftz' if ftz else ''}.{t}"

            def arith(op, mode=mode, ftz=ftz, fmt=fmt):
                def expected(*bits):
                    x = [d(fmt, b, ftz) for b in bits]
                    if op == "add":
                        v = add(x[0], x[1], mode)
                    elif op == "sub":
                        v = add(x[0], neg(x[1]), mode)
                    elif op == "mul":
                        v = mul(x[0], x[1])
                    elif op == "fma":
                        v = fma(x[0], x[1], x[2], mode)
                    elif op == "div":
                        v = div(x[0], x[1])
                    elif op == "rcp":
                        v = div(Value("num", False, Fraction(1)), x[0])
                    return result(fmt, v, mode, ftz)
                return expected

            for op in ("add", "sub", "mul"):
                forms.append(Form(f"{op}{suffix}", f"{op}{suffix} %0, %1, %2;", [w, w, w], arith(op),
                                  binary_inputs(fmt, specials)))
            forms.append(Form(f"fma{suffix}", f"fma{suffix} %0, %1, %2, %3;", [w] * 4, arith("fma"),
                              ternary_inputs(fmt, few)))
            forms.append(Form(f"div{suffix}", f"div{suffix} %0, %1, %2;", [w, w, w], arith("div"),
                              binary_inputs(fmt, specials)))
            forms.append(Form(f"rcp{suffix}", f"rcp{suffix} %0, %1;", [w, w], arith("rcp"),
                              unary_inputs(fmt, specials)))
            forms.append(Form(f"sqrt{suffix}", f"sqrt{suffix} %0, %1;", [w, w],
                              lambda b, mode=mode, ftz=ftz, fmt=fmt: sqrt_rounded(fmt, d(fmt, b, ftz), mode, ftz),
                              unary_inputs(fmt, specials)))
        for is_min, nan, ftz in itertools.product([True, False], [False, True], ftzs):
            if nan and fmt is F64:
                continue
            op = "min" if is_min else "max"
            name = f"{op}{'.ftz' if ftz else ''}{'.NaN' if nan else ''}.{t}"

            def expected(a, b, is_min=is_min, nan=nan, ftz=ftz, fmt=fmt):
                v = minmax(d(fmt, a, ftz), d(fmt, b, ftz), is_min, nan)
                return keep_bits(fmt, v)
            forms.append(Form(name, f"{name} %0, %1, %2;", [w, w, w], expected, binary_inputs(fmt, specials, 8)))
        for ftz in ftzs:
            for op in ("abs", "neg"):
                name = f"{op}{'.ftz' if ftz else ''}.{t}"

                def expected(a, op=op, ftz=ftz, fmt=fmt):
                    v = d(fmt, a, ftz)
                    sign = 1 << (fmt.bits - 1)
                    bits = a if not ftz or v.is_nan or not v.is_zero else (a & sign)
                    return bits & ~sign if op == "abs" else bits ^ sign
                forms.append(Form(name, f"{name} %0, %1;", [w, w], expected, unary_inputs(fmt, specials, 8)))
    forms.append(Form("copysign.f32", "copysign.f32 %0, %1, %2;", [32, 32, 32],
                      lambda a, b: (a & 0x80000000) | (b & 0x7FFFFFFF), binary_inputs(F32, F32_FEW, 8)))
    for op in ("add", "mul"):
        name = f"{op}.rn.sat.f32"

        def expected(a, b, op=op):
            x, y = decode(F32, a), decode(F32, b)
            return saturate(F32, add(x, y) if op == "add" else mul(x, y))
        forms.append(Form(name, f"{name} %0, %1, %2;", [32, 32, 32], expected, binary_inputs(F32, F32_FEW)))
    forms.append(Form("fma.rn.sat.f32", "fma.rn.sat.f32 %0, %1, %2, %3;", [32] * 4,
                      lambda a, b, c: saturate(F32, fma(decode(F32, a), decode(F32, b), decode(F32, c))),
                      ternary_inputs(F32, F32_FEW)))
    for op, mode, ftz in itertools.product(("add", "sub", "mul", "fma"), MODES, (False, True)):
        name = f"{op}.{mode}{'.ftz' if ftz else ''}.sat.f32"
        if any(f.name == name for f in forms):
            continue

        def expected(*bits, op=op, mode=mode, ftz=ftz):
            x = [d(F32, b, ftz) for b in bits]
            v = {"add": lambda: add(x[0], x[1], mode), "sub": lambda: add(x[0], neg(x[1]), mode),
                 "mul": lambda: mul(x[0], x[1]), "fma": lambda: fma(x[0], x[1], x[2], mode)}[op]()
            if v.is_nan or v.negative:  # .sat: clamped to [+0, 1], NaN to +0
                return 0
            if v.is_inf or v.magnitude > 1:
                return encode(F32, False, Fraction(1))
            return result(F32, v, mode, ftz)
        arity = 3 if op == "fma" else 2
        forms.append(Form(name, f"{name} %0, {', '.join(f'%{i + 1}' for i in range(arity))};", [32] * (arity + 1),
                          expected, ternary_inputs(F32, F32_FEW) if op == "fma" else binary_inputs(F32, F32_FEW)))
    renames = default_rounding(forms)
    for form in forms:  # mad with a rounding mode is fma (PTX ISA, mad)
        if form.name.startswith("fma.") and not form.name.endswith("f16"):
            renames[form.name] = "mad." + form.name[4:]
    return forms + aliases(forms, renames)


def default_rounding(forms):
    """add, sub and mul without a rounding modifier round to nearest (the ISA's default)."""
    renames = {}
    for form in forms:
        words = form.name.split(".")
        if words[0] in ("add", "sub", "mul") and len(words) > 2 and words[1] == "rn" and "sat" not in words:
            renames[form.name] = ".".join(words[:1] + words[2:])
    return renames


def aliases(forms, renames):
    """Forms the PTX ISA defines as other forms: their spelling, the same inputs and results."""
    return [Form(renames[f.name], f.body.replace(f.name, renames[f.name], 1), f.widths, f.expected, f.inputs)
            for f in forms if f.name in renames]


def keep_bits(fmt, v):
    """min/max return one operand's bits unchanged, or the canonical NaN."""
    return result(fmt, v) if v.is_nan else v.bits


def saturate(fmt, v):
    """.sat: clamped to [+0, 1], NaN to +0."""
    if v.is_nan or v.negative:
        return 0
    if v.is_inf or v.magnitude > 1:
        return encode(fmt, False, Fraction(1))
    return result(fmt, v)


def compare_forms():
    forms = []
    ops = ["eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan"]
    for fmt, t, specials in ((F32, "f32", F32_FEW), (F64, "f64", F64_SPECIAL[:8])):
        w = fmt.bits
        for op in ops:
            for ftz in ([False, True] if fmt is F32 else [False]):
                name = f"setp.{op}{'.ftz' if ftz else ''}.{t}"
                body = f"{{ .reg .pred p; {name} p, %1, %2; selp.u32 %0, 1, 0, p; }}"
                forms.append(Form(name, body, [32, w, w],
                                  lambda a, b, op=op, ftz=ftz, fmt=fmt: int(compare(d(fmt, a, ftz), d(fmt, b, ftz), op)),
                                  binary_inputs(fmt, specials, 16)))
    for op in ("lt", "geu"):
        name = f"set.{op}.u32.f32"
        forms.append(Form(name, f"{name} %0, %1, %2;", [32, 32, 32],
                          lambda a, b, op=op: 0xFFFFFFFF if compare(decode(F32, a), decode(F32, b), op) else 0,
                          binary_inputs(F32, F32_FEW, 8)))
    tests = {"finite": lambda v: v.kind == "num", "infinite": lambda v: v.is_inf,
             "number": lambda v: not v.is_nan, "notanumber": lambda v: v.is_nan,
             "normal": lambda v: v.kind == "num" and v.magnitude >= Fraction(2) ** -126,
             "subnormal": lambda v: v.kind == "num" and 0 < v.magnitude < Fraction(2) ** -126}
    for op, test in tests.items():
        name = f"testp.{op}.f32"
        body = f"{{ .reg .pred p; {name} p, %1; selp.u32 %0, 1, 0, p; }}"
        forms.append(Form(name, body, [32, 32], lambda a, test=test: int(test(decode(F32, a))),
                          unary_inputs(F32, F32_SPECIAL, 8)))
    forms.append(Form("slct.u32.f32", "slct.u32.f32 %0, %1, %2, %3;", [32, 32, 32, 32],
                      lambda a, b, c: a if compare(decode(F32, c), Value("num"), "ge") else b,
                      [(0x11111111, 0x22222222, c) for c in F32_SPECIAL]))
    for t in ("b16", "u16", "s16", "s32", "f32", "b64", "u64", "s64", "f64"):
        w = 16 if t[1:] == "16" else 64 if t[1:] == "64" else 32
        name = f"selp.{t}"
        forms.append(Form(name, f"{{ .reg .pred p; setp.ne.u32 p, %3, 0; {name} %0, %1, %2, p; }}", [w, w, w, 32],
                          lambda a, b, c: a if c else b,
                          [(rng.getrandbits(w), rng.getrandbits(w), c) for c in (0, 1, 0x80000000, 0, 2)]))
    forms.append(Form("selp.b32", "{ .reg .pred p; setp.ne.u32 p, %3, 0; selp.b32 %0, %1, %2, p; }",
                      [32, 32, 32, 32], lambda a, b, c: a if c else b,
                      [(0x11111111, 0x22222222, 0), (0x11111111, 0x22222222, 5)]))
    return forms


def convert_forms():
    forms = []
    # Float to float.
    for to, to_name, modes in ((F16, "f16", MODES), (BF16, "bf16", MODES)):
        for mode in modes:
            name = f"cvt.{mode}.{to_name}.f32"
            forms.append(Form(name, f"cvt.{mode}.{to_name}.f32 %0, %1;", [16, 32],
                              lambda a, mode=mode, to=to: result(to, decode(F32, a), mode),
                              unary_inputs(F32, F32_SPECIAL + [0x477FF000, 0x477FEFFF, 0x33000000, 0x387FC000], 64, -26, 17)))
        name = f"cvt.rn.relu.{to_name}.f32"
        forms.append(Form(name, f"{name} %0, %1;", [16, 32],
                          lambda a, to=to: relu_half(to, result(to, decode(F32, a))),
                          unary_inputs(F32, F32_SPECIAL, 16, -20, 10)))
        name = f"cvt.f32.{to_name}"
        specials = F16_SPECIAL if to is F16 else BF16_SPECIAL
        forms.append(Form(name, f"{name} %0, %1;", [32, 16], lambda a, to=to: result(F32, decode(to, a)),
                          unary_inputs(to, specials, 16, -14, 14)))
    for mode in MODES:
        for ftz in (False, True):
            name = f"cvt.{mode}{'.ftz' if ftz else ''}.f32.f64"
            forms.append(Form(name, f"{name} %0, %1;", [32, 64],
                              lambda a, mode=mode, ftz=ftz: result(F32, decode(F64, a), mode, ftz),
                              unary_inputs(F64, F64_SPECIAL + [0x36A0000000000000, 0x3810000000000000], 32, -150, 130)))
    forms.append(Form("cvt.f64.f32", "cvt.f64.f32 %0, %1;", [64, 32],
                      lambda a: result(F64, decode(F32, a)), unary_inputs(F32, F32_SPECIAL, 8)))
    for mode, ftz in itertools.product(MODES, (False, True)):
        name = f"cvt.{mode}i{'.ftz' if ftz else ''}.f32.f32"
        forms.append(Form(name, f"{name} %0, %1;", [32, 32],
                          lambda a, mode=mode, ftz=ftz: integral(F32, decode(F32, a), mode, ftz),
                          unary_inputs(F32, F32_SPECIAL + [0x3F000000, 0x3FC00000, 0x40200000, 0xBF000000], 32, -3, 24)))
    forms.append(Form("cvt.sat.f32.f32", "cvt.sat.f32.f32 %0, %1;", [32, 32],
                      lambda a: saturate(F32, decode(F32, a)), unary_inputs(F32, F32_SPECIAL, 8)))
    # Float to integer.
    for (bits, signed), mode in itertools.product([(32, True), (32, False), (64, True), (64, False)], MODES):
        t = f"{'s' if signed else 'u'}{bits}"
        for src, sw in ((F32, 32), (F64, 64)):
            name = f"cvt.{mode}i.{t}.{ptx_type(src)}"
            specials = F32_SPECIAL + [0x4F000000, 0xCF000000, 0x5F000000, 0xDF000000, 0x3F000000, 0xBFC00000] \
                if src is F32 else F64_SPECIAL + [0x41E0000000000000, 0xC1E0000000000000]
            forms.append(Form(name, f"{name} %0, %1;", [bits, sw],
                              lambda a, bits=bits, signed=signed, mode=mode, src=src:
                              to_integer(decode(src, a), bits, signed, mode, fmt=src),
                              unary_inputs(src, specials, 24, -3, 70)))
    # Integer to float.
    for (bits, signed), mode in itertools.product([(32, True), (32, False), (64, True), (64, False)], MODES):
        t = f"{'s' if signed else 'u'}{bits}"
        for to in (F32, F64):
            if to is F64 and bits == 32:
                continue
            name = f"cvt.{mode}.{ptx_type(to)}.{t}"
            ints = [0, 1, (1 << bits) - 1, 1 << (bits - 1), (1 << (bits - 1)) - 1, 0x1000001, 0x1000003,
                    (1 << 53) + 1 if bits == 64 else 0x7FFFFFC0] + [rng.getrandbits(bits) for _ in range(24)]

            def expected(a, bits=bits, signed=signed, mode=mode, to=to):
                v = a - (1 << bits) if signed and a >> (bits - 1) else a
                return encode(to, v < 0, Fraction(abs(v)), mode)
            forms.append(Form(name, f"{name} %0, %1;", [to.bits, bits], expected, [(i,) for i in ints]))
    # Packed halves and the narrow formats.
    for to, to_name in ((F16, "f16x2"), (BF16, "bf16x2")):
        for relu in (False, True):
            name = f"cvt.rn{'.relu' if relu else ''}.{to_name}.f32"

            def expected(a, b, to=to, relu=relu):
                hi, lo = result(to, decode(F32, a)), result(to, decode(F32, b))
                if relu:
                    hi, lo = relu_half(to, hi), relu_half(to, lo)
                return hi << 16 | lo
            forms.append(Form(name, f"{name} %0, %1, %2;", [32, 32, 32], expected, binary_inputs(F32, F32_FEW, 16)))
    for to, to_name in ((E4M3, "e4m3x2"), (E5M2, "e5m2x2")):
        for relu in (False, True):
            name = f"cvt.rn.satfinite{'.relu' if relu else ''}.{to_name}.f32"

            def expected(a, b, to=to, relu=relu):
                def one(x):
                    v = decode(F32, x)
                    if relu and not v.is_nan and (v.negative or v.is_zero):
                        return 0
                    return result(to, v, RN, satfinite=True)
                return one(a) << 8 | one(b)
            forms.append(Form(name, f"{name} %0, %1, %2;", [16, 32, 32], expected,
                              binary_inputs(F32, F32_FEW + [0x43E00000, 0x43F00000, 0x47700000, 0x3B000000], 16)))
    for mode in (RNA, RZ):
        name = f"cvt.{mode}.tf32.f32"

        def expected(a, mode=mode):
            v = decode(F32, a)
            if v.is_nan:
                return 0x7FC00000 if mode == RNA else 0x7FFFE000
            return result(TF32, v, mode) << 13
        forms.append(Form(name, f"{name} %0, %1;", [32, 32], expected, unary_inputs(F32, F32_SPECIAL, 24)))
    return forms


def relu_half(fmt, bits):
    """.relu on an f16/bf16 result: negatives (and -0) to +0, NaN to the canonical NaN."""
    v = decode(fmt, bits)
    if v.is_nan:
        return 0x7FFF
    return 0 if v.negative and not v.is_zero else bits


def half_forms():
    forms = []
    for fmt, t, all_specials in ((F16, "f16", F16_SPECIAL), (BF16, "bf16", BF16_SPECIAL)):
        specials = all_specials[::2] + all_specials[1:6:2]
        few = all_specials[::3]
        for packed in (False, True):
            ty = t + ("x2" if packed else "")
            w = 32 if packed else 16
            lanes = 2 if packed else 1

            def lanewise(fn, arity, lanes=lanes):
                def expected(*bits):
                    out = 0
                    for lane in range(lanes):
                        parts = [(b >> (16 * lane)) & 0xFFFF for b in bits]
                        out |= fn(*parts) << (16 * lane)
                    return out
                return expected

            def inputs(arity, packed=packed, fmt=fmt, specials=specials, few=few):
                base = binary_inputs(fmt, specials, 32) if arity == 2 else \
                    unary_inputs(fmt, specials, 32, -12, 12) if arity == 1 else ternary_inputs(fmt, few, 32)
                if not packed:
                    return base
                # The high halves take the inputs in another order, so the lanes differ.
                other = base[len(base) // 3:] + base[:len(base) // 3]
                return [tuple(h << 16 | l for h, l in zip(x, y)) for x, y in zip(other, base)]

            for ftz in ([False, True] if fmt is F16 else [False]):
                f = ".ftz" if ftz else ""
                for op in ("add", "sub", "mul"):
                    name = f"{op}.rn{f}.{ty}"

                    def one(a, b, op=op, fmt=fmt, ftz=ftz):
                        x, y = d(fmt, a, ftz), d(fmt, b, ftz)
                        v = add(x, y) if op == "add" else add(x, neg(y)) if op == "sub" else mul(x, y)
                        return result(fmt, v, RN, ftz)
                    forms.append(Form(name, f"{name} %0, %1, %2;", [w] * 3, lanewise(one, 2), inputs(2)))
                for relu in (False, True):
                    name = f"fma.rn{f}{'.relu' if relu else ''}.{ty}"

                    def one(a, b, c, fmt=fmt, ftz=ftz, relu=relu):
                        r = result(fmt, fma(d(fmt, a, ftz), d(fmt, b, ftz), d(fmt, c, ftz)), RN, ftz)
                        return relu_half(fmt, r) if relu else r
                    forms.append(Form(name, f"{name} %0, %1, %2, %3;", [w] * 4, lanewise(one, 3), inputs(3)))
            for op, nan in itertools.product(("min", "max"), (False, True)):
                name = f"{op}{'.NaN' if nan else ''}.{ty}"

                def one(a, b, op=op, nan=nan, fmt=fmt):
                    return keep_bits(fmt, minmax(decode(fmt, a), decode(fmt, b), op == "min", nan))
                forms.append(Form(name, f"{name} %0, %1, %2;", [w] * 3, lanewise(one, 2), inputs(2)))
            for op in ("neg", "abs"):
                name = f"{op}.{ty}"
                sign = 0x8000
                forms.append(Form(name, f"{name} %0, %1;", [w, w],
                                  lanewise(lambda a, op=op: a & ~sign if op == "abs" else a ^ sign, 1), inputs(1)))
    return forms + aliases(forms, default_rounding(forms))


# The special cases of functions, exact whatever the bound (None: the bound applies).
def exp_special(v):
    if v.is_inf:
        return 0 if v.negative else 0x7F800000
    if v.is_zero:
        return 0x3F800000
    return None


def log_special(v):
    if v.is_zero:
        return 0xFF800000
    if v.kind != "nan" and v.negative:
        return 0x7FFFFFFF
    if v.is_inf:
        return 0x7F800000
    if v.kind == "num" and v.magnitude == 1:
        return 0
    return None


def trig_special(v):
    return 0x7FFFFFFF if v.is_inf else None


def rsqrt_special(v):
    if v.is_zero:
        return 0xFF800000 if v.negative else 0x7F800000
    if v.kind != "nan" and v.negative:
        return 0x7FFFFFFF
    if v.is_inf:
        return 0
    return None


def odd_special(at_infinity):
    """tanh and erf: zeros kept, +-inf to +-at_infinity."""
    def special(v):
        if v.is_zero:
            return v.bits
        if v.is_inf:
            return at_infinity | (0x80000000 if v.negative else 0)
        return None
    return special


def approx_forms():
    """The .approx forms: within the PTX ISA's stated bound, special cases exact."""
    forms = []
    big = 2.0 ** 126

    def within(fn, fmt_name="f32", absolute=0.0, relative=0.0, ulps=0.0, ftz=False, specials=None):
        def expected(a):
            v = d(F32, a, ftz)
            if specials:
                s = specials(v)
                if s is not None:
                    return s
            if v.is_nan:
                return 0x7FFFFFFF
            x = float(v.exact) if not v.is_inf else (-math.inf if v.negative else math.inf)
            y = fn(x)
            if abs(y) >= 2.0 ** 128:  # beyond f32's range after any rounding
                return 0xFF800000 if y < 0 else 0x7F800000
            if ftz and y != 0 and abs(y) < 2.0 ** -126:
                return Approx(fmt_name, y, absolute=2.0 ** -126)
            return Approx(fmt_name, y, absolute, relative, ulps)
        return expected

    def f32_bits(x):
        return encode(F32, x < 0 or (x == 0 and math.copysign(1, x) < 0), abs(Fraction(x))) if not math.isinf(x) \
            else (0xFF800000 if x < 0 else 0x7F800000)

    def rcp_special(v):
        if v.is_zero:
            return 0xFF800000 if v.negative else 0x7F800000
        if v.is_inf:
            return 0x80000000 if v.negative else 0
        if v.kind == "num" and v.magnitude < Fraction(2) ** -128:
            return 0xFF800000 if v.negative else 0x7F800000
        return None

    def sqrt_special(v):
        if v.is_zero:
            return v.bits if v.bits is not None and v.magnitude == 0 and v.negative else 0
        if v.kind != "nan" and v.negative:
            return 0x7FFFFFFF
        if v.is_inf:
            return 0x7F800000
        return None

    trig_inputs = [(s,) for s in F32_SPECIAL] + [(random_float(F32, -20, 8),) for _ in range(48)]
    trig_inputs = [x for x in trig_inputs if decode(F32, x[0]).kind != "num"
                   or abs(decode(F32, x[0]).exact) <= 100 * Fraction(math.pi)]
    for ftz in (False, True):
        f = ".ftz" if ftz else ""
        table = [
            ("ex2", lambda x: 2.0 ** x if x < 1024 else math.inf, dict(relative=2.0 ** -22), exp_special,
             unary_inputs(F32, F32_SPECIAL, 48, -8, 6)),
            ("lg2", lambda x: math.log2(x), dict(absolute=2.0 ** -22, relative=2.0 ** -22), log_special,
             unary_inputs(F32, F32_SPECIAL, 48)),
            ("sin", math.sin, dict(absolute=2.0 ** -20.5), trig_special, trig_inputs),
            ("cos", math.cos, dict(absolute=2.0 ** -20.5), trig_special, trig_inputs),
            ("rsqrt", lambda x: 1 / math.sqrt(x), dict(relative=2.0 ** -22), rsqrt_special,
             unary_inputs(F32, F32_SPECIAL, 48)),
            ("rcp", lambda x: 1 / x, dict(ulps=1.0), rcp_special, unary_inputs(F32, F32_SPECIAL, 48)),
            ("sqrt", math.sqrt, dict(relative=2.0 ** -23), sqrt_special, unary_inputs(F32, F32_SPECIAL, 48)),
        ]
        for op, fn, bound, specials, inputs in table:
            name = f"{op}.approx{f}.f32"

            def sp(v, specials=specials, ftz=ftz):
                return specials(v)
            forms.append(Form(name, f"{name} %0, %1;", [32, 32], within(fn, ftz=ftz, specials=sp, **bound), inputs))

        for kind in ("approx", "full"):
            name = f"div.{kind}{f}.f32"
            ins = binary_inputs(F32, F32_FEW, 48) + [(0x3F800000, 0x7E800001), (0x7F800000, 0x7F000000),
                                                     (0xC0000000, 0x7F7FFFFF), (0x3F800000, 0xFE900000)]
            forms.append(Form(name, f"{name} %0, %1, %2;", [32, 32, 32],
                              lambda a, b, ftz=ftz, kind=kind: approx_quotient(a, b, ftz, kind == "full"), ins))
    forms.append(Form("tanh.approx.f32", "tanh.approx.f32 %0, %1;", [32, 32],
                      within(math.tanh, absolute=2.0 ** -10.987, relative=2.0 ** -10.987, specials=odd_special(0x3F800000)),
                      unary_inputs(F32, F32_SPECIAL, 64, -12, 4)))
    return forms


def integer_forms():
    forms = []
    m32 = 0xFFFFFFFF
    ints32 = [0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x00010000, 0x12345678, 0x89ABCDEF]
    ints64 = [0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, 0x123456789ABCDEF0]

    def s(x, bits):
        return x - (1 << bits) if x >> (bits - 1) else x

    def pairs(values, bits, count=24):
        return list(itertools.product(values, repeat=2)) + \
            [(rng.getrandbits(bits), rng.getrandbits(bits)) for _ in range(count)]

    def triples(values, bits, count=24):
        return list(itertools.product(values[:5], repeat=3)) + \
            [tuple(rng.getrandbits(bits) for _ in range(3)) for _ in range(count)]

    for bits, values in ((32, ints32), (64, ints64)):
        mask = (1 << bits) - 1
        for signed in (True, False):
            t = f"{'s' if signed else 'u'}{bits}"

            def v(x, signed=signed, bits=bits):
                return s(x, bits) if signed else x
            forms.append(Form(f"mul.hi.{t}", f"mul.hi.{t} %0, %1, %2;", [bits] * 3,
                              lambda a, b, v=v, bits=bits, mask=mask: (v(a) * v(b) >> bits) & mask, pairs(values, bits)))
            forms.append(Form(f"mad.hi.{t}", f"mad.hi.{t} %0, %1, %2, %3;", [bits] * 4,
                              lambda a, b, c, v=v, bits=bits, mask=mask: ((v(a) * v(b) >> bits) + c) & mask,
                              triples(values, bits)))
            forms.append(Form(f"mad.lo.{t}", f"mad.lo.{t} %0, %1, %2, %3;", [bits] * 4,
                              lambda a, b, c, mask=mask: (a * b + c) & mask, triples(values, bits)))
            for op in ("min", "max"):
                forms.append(Form(f"{op}.{t}", f"{op}.{t} %0, %1, %2;", [bits] * 3,
                                  lambda a, b, v=v, op=op: (a if (v(a) < v(b)) == (op == "min") else b),
                                  pairs(values, bits, 8)))
            for op in ("div", "rem"):
                def expected(a, b, v=v, op=op, mask=mask):
                    x, y = v(a), v(b)
                    q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
                    return (q if op == "div" else x - q * y) & mask
                ins = [(a, b) for a, b in pairs(values, bits) if b != 0 and not (signed and v(b) == -1 and v(a) == -(1 << (bits - 1)))]
                forms.append(Form(f"{op}.{t}", f"{op}.{t} %0, %1, %2;", [bits] * 3, expected, ins))
        if bits == 32:
            for signed in (True, False):
                t = f"{'s' if signed else 'u'}32"
                forms.append(Form(f"mul.wide.{t}", f"mul.wide.{t} %0, %1, %2;", [64, 32, 32],
                                  lambda a, b, signed=signed: ((s(a, 32) * s(b, 32)) if signed else a * b) & ((1 << 64) - 1),
                                  pairs(ints32, 32)))
                forms.append(Form(f"mul24.lo.{t}", f"mul24.lo.{t} %0, %1, %2;", [32, 32, 32],
                                  lambda a, b, signed=signed: (low24(a, signed) * low24(b, signed)) & m32, pairs(ints32, 32)))
                forms.append(Form(f"mul24.hi.{t}", f"mul24.hi.{t} %0, %1, %2;", [32, 32, 32],
                                  lambda a, b, signed=signed: ((low24(a, signed) * low24(b, signed)) >> 16) & m32,
                                  pairs(ints32, 32)))
                forms.append(Form(f"sad.{t}", f"sad.{t} %0, %1, %2, %3;", [32] * 4,
                                  lambda a, b, c, signed=signed: (abs((s(a, 32) - s(b, 32)) if signed else a - b) + c) & m32,
                                  triples(ints32, 32)))
            forms.append(Form("mad.hi.sat.s32", "mad.hi.sat.s32 %0, %1, %2, %3;", [32] * 4,
                              lambda a, b, c: max(-(1 << 31), min((1 << 31) - 1, (s(a, 32) * s(b, 32) >> 32) + s(c, 32))) & m32,
                              triples(ints32, 32)))
            for op in ("add", "sub"):
                forms.append(Form(f"{op}.sat.s32", f"{op}.sat.s32 %0, %1, %2;", [32] * 3,
                                  lambda a, b, op=op: max(-(1 << 31), min((1 << 31) - 1, s(a, 32) + (s(b, 32) if op == "add" else -s(b, 32)))) & m32,
                                  pairs(ints32, 32)))
            forms.append(Form("abs.s32", "abs.s32 %0, %1;", [32, 32], lambda a: abs(s(a, 32)) & m32, [(x,) for x in ints32]))
            forms.append(Form("neg.s32", "neg.s32 %0, %1;", [32, 32], lambda a: -s(a, 32) & m32, [(x,) for x in ints32]))
        b = f"b{bits}"
        forms.append(Form(f"popc.{b}", f"popc.{b} %0, %1;", [32, bits], lambda a: bin(a).count("1"),
                          [(x,) for x in values] + [(rng.getrandbits(bits),) for _ in range(16)]))
        forms.append(Form(f"clz.{b}", f"clz.{b} %0, %1;", [32, bits], lambda a, bits=bits: bits - a.bit_length(),
                          [(x,) for x in values] + [(rng.getrandbits(bits) >> rng.randint(0, bits),) for _ in range(16)]))
        forms.append(Form(f"brev.{b}", f"brev.{b} %0, %1;", [bits, bits],
                          lambda a, bits=bits: int(format(a, f"0{bits}b")[::-1], 2),
                          [(x,) for x in values] + [(rng.getrandbits(bits),) for _ in range(16)]))
        for signed in (False, True):
            t = f"{'s' if signed else 'u'}{bits}"
            for shiftamt in (False, True):
                name = f"bfind{'.shiftamt' if shiftamt else ''}.{t}"

                def expected(a, signed=signed, shiftamt=shiftamt, bits=bits):
                    x = a
                    if signed and a >> (bits - 1):
                        x = ~a & ((1 << bits) - 1)
                    if x == 0:
                        return 0xFFFFFFFF
                    pos = x.bit_length() - 1
                    return bits - 1 - pos if shiftamt else pos
                forms.append(Form(name, f"{name} %0, %1;", [32, bits], expected,
                                  [(x,) for x in values] + [(rng.getrandbits(bits) >> rng.randint(0, bits),) for _ in range(16)]))
            name = f"bfe.{t}"

            def expected(a, pos, length, signed=signed, bits=bits):
                p, n = pos & 0xFF, length & 0xFF
                mask = (1 << bits) - 1
                if n == 0:
                    return 0
                if p >= bits:
                    top = a >> (bits - 1) & 1 if signed else 0
                    return mask if top else 0
                field = (a >> p) & ((1 << n) - 1)
                width = min(n, bits - p)
                field &= (1 << width) - 1
                if signed:
                    sbit = (a >> min(p + n - 1, bits - 1)) & 1
                    if sbit:
                        field |= mask & ~((1 << width) - 1)
                return field
            ins = [(rng.getrandbits(bits), rng.randint(0, bits + 4), rng.randint(0, bits + 4)) for _ in range(48)] + \
                  [(values[-1], 0, 0), (values[3], bits - 1, 8), (values[4], 3, 0x105)]
            forms.append(Form(name, f"{name} %0, %1, %2, %3;", [bits, bits, 32, 32], expected, ins))
        name = f"bfi.{b}"

        def expected(a, base, pos, length, bits=bits):
            p, n = pos & 0xFF, length & 0xFF
            mask = (1 << bits) - 1
            if n == 0 or p >= bits:
                return base
            n = min(n, bits - p)
            field = ((1 << n) - 1) << p
            return (base & ~field & mask) | ((a << p) & field)
        ins = [(rng.getrandbits(bits), rng.getrandbits(bits), rng.randint(0, bits + 4), rng.randint(0, bits + 4))
               for _ in range(48)]
        forms.append(Form(name, f"{name} %0, %1, %2, %3, %4;", [bits, bits, bits, 32, 32], expected, ins))
    for direction, mode in itertools.product(("l", "r"), ("clamp", "wrap")):
        name = f"shf.{direction}.{mode}.b32"

        def expected(a, b, c, direction=direction, mode=mode):
            n = min(c, 32) if mode == "clamp" else c & 31
            joined = b << 32 | a
            return ((joined << n) >> 32) & m32 if direction == "l" else (joined >> n) & m32
        ins = [(rng.getrandbits(32), rng.getrandbits(32), c) for c in (0, 1, 7, 31, 32, 33, 63, 64, 0xFFFFFFFF)] + \
              [(rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(6)) for _ in range(16)]
        forms.append(Form(name, f"{name} %0, %1, %2, %3;", [32] * 4, expected, ins))
    for op, t in (("shl", "b32"), ("shr", "u32"), ("shr", "s32")):
        name = f"{op}.{t}"

        def expected(a, n, op=op, t=t):
            if op == "shl":
                return (a << n) & m32 if n < 32 else 0
            if t == "u32":
                return a >> n if n < 32 else 0
            return (s(a, 32) >> min(n, 31)) & m32
        ins = [(x, n) for x in (0x80000001, 0x7FFFFFFF, 0x12345678) for n in (0, 1, 31, 32, 33, 255, 0xFFFFFFFF)]
        forms.append(Form(name, f"{name} %0, %1, %2;", [32, 32, 32], expected, ins))
    for mode in ("", ".f4e", ".b4e", ".rc8", ".ecl", ".ecr", ".rc16"):
        name = f"prmt.b32{mode}"
        forms.append(Form(name, f"{name} %0, %1, %2, %3;", [32] * 4,
                          lambda a, b, c, mode=mode: prmt(a, b, c, mode[1:]),
                          [(0x33221100, 0xF7E6D5C4, rng.getrandbits(32) if i > 3 else i) for i in range(40)]))
    for lut in (0x96, 0xE8, 0xF0, 0x1E, 0x80):
        name = f"lop3.b32.{lut:#x}"
        forms.append(Form(name, f"lop3.b32 %0, %1, %2, %3, {lut:#x};", [32] * 4,
                          lambda a, b, c, lut=lut: sum(((lut >> ((a >> i & 1) << 2 | (b >> i & 1) << 1 | (c >> i & 1))) & 1) << i
                                                       for i in range(32)),
                          [tuple(rng.getrandbits(32) for _ in range(3)) for _ in range(16)]))
    for at, bt in itertools.product(("u32", "s32"), repeat=2):
        name = f"dp4a.{at}.{bt}"

        def expected(a, b, c, at=at, bt=bt):
            total = s(c, 32) if at == "s32" or bt == "s32" else c
            for i in range(4):
                x, y = a >> (8 * i) & 0xFF, b >> (8 * i) & 0xFF
                total += (s(x, 8) if at == "s32" else x) * (s(y, 8) if bt == "s32" else y)
            return total & m32
        forms.append(Form(name, f"{name} %0, %1, %2, %3;", [32] * 4, expected, triples(ints32, 32)))
        for half in ("lo", "hi"):
            name = f"dp2a.{half}.{at}.{bt}"

            def expected(a, b, c, at=at, bt=bt, half=half):
                total = s(c, 32) if at == "s32" or bt == "s32" else c
                base = 0 if half == "lo" else 2
                for i in range(2):
                    x = a >> (16 * i) & 0xFFFF
                    y = b >> (8 * (base + i)) & 0xFF
                    total += (s(x, 16) if at == "s32" else x) * (s(y, 8) if bt == "s32" else y)
                return total & m32
            forms.append(Form(name, f"{name} %0, %1, %2, %3;", [32] * 4, expected, triples(ints32, 32)))
    return forms


def low24(x, signed):
    v = x & 0xFFFFFF
    return v - (1 << 24) if signed and v >> 23 else v


def prmt(a, b, c, mode):
    data = b << 32 | a
    byte = [(data >> (8 * i)) & 0xFF for i in range(8)]
    if mode == "":
        out = 0
        for i in range(4):
            sel = c >> (4 * i) & 0xF
            value = byte[sel & 7]
            if sel & 8:
                value = 0xFF if value & 0x80 else 0
            out |= value << (8 * i)
        return out
    n = c & 3
    if mode == "f4e":
        picks = [(n + i) & 7 for i in range(4)]
    elif mode == "b4e":
        picks = [(n - i) & 7 for i in range(4)]
    elif mode == "rc8":
        picks = [n] * 4
    elif mode == "ecl":  # edge clamp left
        picks = [max(i, n) for i in range(4)]
    elif mode == "ecr":  # edge clamp right
        picks = [min(i, n) for i in range(4)]
    else:  # rc16
        picks = [2 * (n & 1), 2 * (n & 1) + 1] * 2
    return sum(byte[p] << (8 * i) for i, p in enumerate(picks))


@dataclass
class Tile:
    """How the golden kernel drives a warp-wide form: row 0 of A (k elements), column 0 of B (k)
    and C[0][0] are the case's inputs, every other element zero, and D[0][0] is the result.
    mma.sync takes them in the PTX ISA's lane fragments: element e of A register r in lane
    4g + t is A[g + 8 (r % halves)][n t + e + 4 n (r / halves)], of B register r
    B[n t + e + 4 n r][g], with n elements per register; C/D register i is C[g + 8 (i / 2)][2t + i % 2].
    wmma (layout unspecified) loads them from memory instead, row- or column-major."""
    k: int
    element_bits: int  # of A and B
    input_bytes: int  # of an A or B element in memory (wmma)
    a_registers: int
    b_registers: int
    c_registers: int  # of C and of D (f16: f16x2 pairs)
    d_registers: int
    halves: int  # m / 8 (mma)
    accumulator_bits: int  # of C's elements
    result_bits: int  # of D's elements
    m: int = 16  # wmma's shape and layouts
    n: int = 8
    a_column_major: bool = False
    b_column_major: bool = True


FLOAT_INPUTS = {"f16": F16, "bf16": BF16, "tf32": TF32}


def float_tile_cases(fmt, accumulator, k):
    """Random sums, then crafted ones: a large product whose neighbours' low bits the aligned
    adder drops, a sum that cancels, a NaN and an infinity among the inputs."""
    def placed(bits):  # tf32 elements sit in the top 19 bits of their f32 word
        return bits << 13 if fmt is TF32 else bits

    def special(fraction):  # all-ones exponent: an infinity, or a NaN with a fraction
        return placed(((1 << fmt.exponent_bits) - 1) << fmt.fraction_bits | fraction)
    cases = []
    for _ in range(16):
        a = [placed(random_float(fmt, -6, 6)) for _ in range(k)]
        b = [placed(random_float(fmt, -6, 6)) for _ in range(k)]
        cases.append(tuple(a + b + [random_float(accumulator, -4, 10)]))
    one, tiny = placed(encode(fmt, False, Fraction(1))), placed(encode(fmt, False, Fraction(3, 2 ** 12)))
    c = Fraction(2 ** 11 + 1, 2 ** 11) if accumulator is F32 else Fraction(2 ** 10 + 1, 2 ** 10)
    minus_one = encode(accumulator, True, Fraction(1))
    cases.append(tuple([one] + [tiny] * (k - 1) + [one] * k + [encode(accumulator, False, c)]))
    cases.append(tuple([tiny] * k + [one] * k + [minus_one]))
    cases.append(tuple([special(1 << (fmt.fraction_bits - 1))] + [one] * (2 * k - 1) + [0]))
    cases.append(tuple([special(0)] + [one] * (2 * k - 1) + [minus_one]))
    return cases


def float_tile_expected(fmt, accumulator, result_fmt, k):
    """The tensor core's sum (tensorcore.py) of the row and column and C, in f32, rounded once
    to nearest for an f16 D (an f16 C widened exactly)."""
    from tensorcore import tensor_core_sum

    def element(bits):
        return decode(F32, bits & 0xFFFFE000) if fmt is TF32 else decode(fmt, bits)

    def expected(*x):
        bits = tensor_core_sum([element(v) for v in x[:k]], [element(v) for v in x[k:2 * k]],
                               decode(accumulator, x[2 * k]))
        return bits if result_fmt is F32 else result(F16, decode(F32, bits), RN)
    return expected


def integer_tile_cases(bits, k, a_signed, b_signed):
    """Random elements, the extremes (sums past s32's range when C is near its ends), zeros."""
    low = lambda signed: -(1 << (bits - 1)) if signed else 0  # noqa: E731
    high = lambda signed: (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1  # noqa: E731
    mask = (1 << bits) - 1
    cases = []
    for _ in range(12):
        a = [rng.randint(low(a_signed), high(a_signed)) & mask for _ in range(k)]
        b = [rng.randint(low(b_signed), high(b_signed)) & mask for _ in range(k)]
        cases.append(tuple(a + b + [rng.getrandbits(32)]))
    for ea, eb, c in ((high(a_signed), high(b_signed), 0x7FFFFF00), (low(a_signed), high(b_signed), 0x80000100),
                      (low(a_signed), low(b_signed), 0x7FFFFFFF), (0, 0, 0x80000000)):
        cases.append(tuple([ea & mask] * k + [eb & mask] * k + [c]))
    return cases


def integer_tile_expected(bits, k, a_signed, b_signed, satfinite, combine=None):
    """Exact: the products (or, for b1, the bits combined) summed with C in s32, wrapping, or
    clamped to s32's range with .satfinite."""
    def value(x, signed):
        return x - (1 << bits) if signed and x >> (bits - 1) else x

    def expected(*x):
        if combine:
            total = sum(combine(a, b) for a, b in zip(x[:k], x[k:2 * k]))
        else:
            total = sum(value(a, a_signed) * value(b, b_signed) for a, b in zip(x[:k], x[k:2 * k]))
        total += sx(x[2 * k])
        if satfinite:
            total = max(-(1 << 31), min((1 << 31) - 1, total))
        return total & 0xFFFFFFFF
    return expected


def mma_forms():
    """mma.sync.aligned.row.col: f16/bf16/tf32 inputs through the tensor core's truncating sum
    (float_tile_expected), integer inputs exact."""
    forms = []
    for shape, k in (("m16n8k16", 16), ("m16n8k8", 8)):
        for t, d_name, c_name in (("f16", "f32", "f32"), ("bf16", "f32", "f32"), ("f16", "f16", "f16")):
            fmt = FLOAT_INPUTS[t]
            acc, res = (F16 if c_name == "f16" else F32), (F16 if d_name == "f16" else F32)
            name = f"mma.sync.aligned.{shape}.row.col.{d_name}.{t}.{t}.{c_name}"
            tile = Tile(k, 16, 2, k // 4, k // 8, 2 if acc is F16 else 4, 2 if res is F16 else 4, 2,
                        acc.bits, res.bits)
            forms.append(Form(name, "mma", [32] * (2 * k + 2), float_tile_expected(fmt, acc, res, k),
                              float_tile_cases(fmt, acc, k), tile=tile))
    for shape, k, a_registers in (("m16n8k8", 8, 4), ("m16n8k4", 4, 2)):
        name = f"mma.sync.aligned.{shape}.row.col.f32.tf32.tf32.f32"
        tile = Tile(k, 32, 4, a_registers, a_registers // 2, 4, 4, 2, 32, 32)
        forms.append(Form(name, "mma", [32] * (2 * k + 2), float_tile_expected(TF32, F32, F32, k),
                          float_tile_cases(TF32, F32, k), tile=tile))
    for bits, shapes in ((8, (("m16n8k32", 32, 4, 2), ("m16n8k16", 16, 2, 1), ("m8n8k16", 16, 1, 1))),
                         (4, (("m16n8k64", 64, 4, 2), ("m16n8k32", 32, 2, 1), ("m8n8k32", 32, 1, 1)))):
        for (shape, k, a_registers, b_registers), a, b, sat in itertools.product(
                shapes, ("s", "u"), ("s", "u"), (False, True)):
            name = f"mma.sync.aligned.{shape}.row.col{'.satfinite' if sat else ''}.s32.{a}{bits}.{b}{bits}.s32"
            halves = 1 if shape.startswith("m8") else 2
            tile = Tile(k, bits, 1, a_registers, b_registers, 2 * halves, 2 * halves, halves, 32, 32)
            forms.append(Form(name, "mma", [32] * (2 * k + 2), integer_tile_expected(bits, k, a == "s", b == "s", sat),
                              integer_tile_cases(bits, k, a == "s", b == "s"), tile=tile))
    for (shape, k, a_registers, b_registers), op in itertools.product(
            (("m16n8k256", 256, 4, 2), ("m16n8k128", 128, 2, 1), ("m8n8k128", 128, 1, 1)), ("and", "xor")):
        name = f"mma.sync.aligned.{shape}.row.col.s32.b1.b1.s32.{op}.popc"
        halves = 1 if shape.startswith("m8") else 2
        tile = Tile(k, 1, 1, a_registers, b_registers, 2 * halves, 2 * halves, halves, 32, 32)
        combine = (lambda a, b: a & b) if op == "and" else (lambda a, b: a ^ b)
        forms.append(Form(name, "mma", [32] * (2 * k + 2), integer_tile_expected(1, k, False, False, False, combine),
                          integer_tile_cases(1, k, False, False), tile=tile))
    return forms


WMMA_SHAPES = {"m16n16k16": (16, 16, 16), "m32n8k16": (32, 8, 16), "m8n32k16": (8, 32, 16)}


def wmma_forms():
    """wmma.mma.sync.aligned in every layout: the same sums as mma (a wmma is a grid of mma
    tiles on the tensor cores), loaded from and stored to memory."""
    forms = []
    for a_layout, b_layout in itertools.product(("row", "col"), repeat=2):
        layouts = dict(a_column_major=a_layout == "col", b_column_major=b_layout == "col")
        for shape, (m, n, k) in WMMA_SHAPES.items():
            registers = {"bf16": ({"m16n16k16": 4, "m32n8k16": 8, "m8n32k16": 2}[shape],
                                  {"m16n16k16": 4, "m32n8k16": 2, "m8n32k16": 8}[shape]),
                         "s8": ({"m16n16k16": 2, "m32n8k16": 4, "m8n32k16": 1}[shape],
                                {"m16n16k16": 2, "m32n8k16": 1, "m8n32k16": 4}[shape])}
            for d_name, c_name in itertools.product(("f16", "f32"), repeat=2):
                acc, res = (F16 if c_name == "f16" else F32), (F16 if d_name == "f16" else F32)
                name = f"wmma.mma.sync.aligned.{a_layout}.{b_layout}.{shape}.{d_name}.{c_name}"
                tile = Tile(k, 16, 2, 8, 8, 4 if acc is F16 else 8, 4 if res is F16 else 8, 0, acc.bits, res.bits,
                            m, n, **layouts)
                forms.append(Form(name, "wmma", [32] * (2 * k + 2), float_tile_expected(F16, acc, res, k),
                                  float_tile_cases(F16, acc, k), tile=tile))
            name = f"wmma.mma.sync.aligned.{a_layout}.{b_layout}.{shape}.f32.bf16.bf16.f32"
            tile = Tile(k, 16, 2, *registers["bf16"], 8, 8, 0, 32, 32, m, n, **layouts)
            forms.append(Form(name, "wmma", [32] * (2 * k + 2), float_tile_expected(BF16, F32, F32, k),
                              float_tile_cases(BF16, F32, k), tile=tile))
            for t, sat in itertools.product(("s8", "u8"), (False, True)):
                name = f"wmma.mma.sync.aligned.{a_layout}.{b_layout}.{shape}.s32.{t}.{t}.s32{'.satfinite' if sat else ''}"
                tile = Tile(k, 8, 1, *registers["s8"], 8, 8, 0, 32, 32, m, n, **layouts)
                signed = t == "s8"
                forms.append(Form(name, "wmma", [32] * (2 * k + 2), integer_tile_expected(8, k, signed, signed, sat),
                                  integer_tile_cases(8, k, signed, signed), tile=tile))
        name = f"wmma.mma.sync.aligned.{a_layout}.{b_layout}.m16n16k8.f32.tf32.tf32.f32"
        tile = Tile(8, 32, 4, 4, 4, 8, 8, 0, 32, 32, 16, 16, **layouts)
        forms.append(Form(name, "wmma", [32] * 18, float_tile_expected(TF32, F32, F32, 8),
                          float_tile_cases(TF32, F32, 8), tile=tile))
    return forms


def math_forms():
    """CUDA's float math functions LLM code uses, within the CUDA programming guide's ulp bounds
    (its "Mathematical Functions" appendix), special values exact. Both input paths have them."""
    forms = []

    def f32(x):
        return float(decode(F32, x).exact) if decode(F32, x).kind == "num" else None

    def function(name, expression, fn, bound, specials, inputs):
        def expected(a):
            v = decode(F32, a)
            s = specials(v)
            if s is not None:
                return s
            if v.is_nan:
                return 0x7FFFFFFF
            x = float(v.exact)
            try:
                y = fn(x)
            except OverflowError:
                y = math.inf
            if abs(y) >= 2.0 ** 128:  # beyond f32's range after any rounding
                return 0xFF800000 if y < 0 else 0x7F800000
            b = bound(x) if callable(bound) else bound
            return Approx("f32", y, **b)
        forms.append(Form(name, "cuda", [32, 32], expected, inputs, expression, ["float", "float"]))

    wide = unary_inputs(F32, F32_SPECIAL, 48, -20, 6)
    positive = unary_inputs(F32, F32_SPECIAL, 0) + [(x & 0x7FFFFFFF,) for (x,) in randoms(F32, 48, 1, -40, 40)]
    function("expf", "expf(a0)", math.exp, dict(ulps=2.0), exp_special, wide)
    function("exp2f", "exp2f(a0)", lambda x: 2.0 ** x, dict(ulps=2.0), exp_special, wide)
    function("logf", "logf(a0)", math.log, dict(ulps=1.0), log_special, positive)
    function("log2f", "log2f(a0)", math.log2, dict(ulps=1.0), log_special, positive)
    function("tanhf", "tanhf(a0)", math.tanh, dict(ulps=2.0), odd_special(0x3F800000), wide)
    function("erff", "erff(a0)", math.erf, dict(ulps=2.0), odd_special(0x3F800000), wide)
    function("rsqrtf", "rsqrtf(a0)", lambda x: 1 / math.sqrt(x), dict(ulps=2.0), rsqrt_special, positive)
    function("sinf", "sinf(a0)", math.sin, dict(ulps=2.0), lambda v: trig_special(v) or (v.bits if v.is_zero else None), wide)
    function("cosf", "cosf(a0)", math.cos, dict(ulps=2.0), lambda v: trig_special(v) or (0x3F800000 if v.is_zero else None), wide)
    # The intrinsics: __expf within 2 + floor(|1.173 x|) ulp, __sinf/__cosf within 2^-21.41 on
    # [-pi, pi], __logf within 2^-21.41 on [0.5, 2] and 3 ulp elsewhere.
    function("__expf", "__expf(a0)", math.exp, lambda x: dict(ulps=2.0 + math.floor(abs(1.173 * x))), exp_special,
             unary_inputs(F32, F32_SPECIAL, 48, -20, 5))
    function("__logf", "__logf(a0)", math.log, lambda x: dict(absolute=2.0 ** -21.41) if 0.5 <= x <= 2 else dict(ulps=3.0),
             log_special, positive)
    small = [x for x in unary_inputs(F32, F32_SPECIAL, 48, -20, 1)
             if decode(F32, x[0]).kind != "num" or abs(decode(F32, x[0]).exact) <= Fraction(314159, 100000)]
    function("__sinf", "__sinf(a0)", math.sin, dict(absolute=2.0 ** -21.41), trig_special, small)
    function("__cosf", "__cosf(a0)", math.cos, dict(absolute=2.0 ** -21.41), trig_special, small)
    forms.append(Form("__fdividef", "cuda", [32, 32, 32],
                      lambda a, b: approx_quotient(a, b, False, False),
                      binary_inputs(F32, F32_FEW, 32) + [(0x3F800000, 0x7E800001), (0x7F800000, 0x7F000000)],
                      "__fdividef(a0, a1)", ["float", "float", "float"]))
    forms.append(Form("__frcp_rn", "cuda", [32, 32],
                      lambda a: result(F32, div(Value("num", False, Fraction(1)), decode(F32, a))),
                      unary_inputs(F32, F32_SPECIAL, 32), "__frcp_rn(a0)", ["float", "float"]))
    forms.append(Form("sqrtf", "cuda", [32, 32], lambda a: sqrt_rounded(F32, decode(F32, a)),
                      unary_inputs(F32, F32_SPECIAL, 32), "sqrtf(a0)", ["float", "float"]))
    for op in ("fminf", "fmaxf"):
        forms.append(Form(op, "cuda", [32, 32, 32],
                          lambda a, b, op=op: keep_bits(F32, minmax(decode(F32, a), decode(F32, b), op == "fminf")),
                          binary_inputs(F32, F32_FEW, 8), f"{op}(a0, a1)", ["float"] * 3))
    forms.append(Form("__saturatef", "cuda", [32, 32], lambda a: saturate(F32, decode(F32, a)),
                      unary_inputs(F32, F32_SPECIAL, 8), "__saturatef(a0)", ["float", "float"]))
    return forms


def approx_quotient(a, b, ftz, full):
    """div.approx (x * (1/y), the reciprocal zero for 2^126 < |y| < 2^128) and div.full: within
    2 ulp of the quotient, special cases exact."""
    x, y = d(F32, a, ftz), d(F32, b, ftz)
    if not full and y.kind == "num" and Fraction(2) ** 126 < y.magnitude:
        return result(F32, mul(x, Value("num", y.negative, Fraction(0))))
    q = div(x, y)
    if q.is_nan or q.is_inf or q.is_zero:
        return result(F32, q)
    if q.magnitude > F32.largest:
        return 0xFF800000 if q.negative else 0x7F800000
    if ftz and q.magnitude < Fraction(2) ** -126:
        return Approx("f32", float(q.exact), absolute=2.0 ** -126)
    return Approx("f32", float(q.exact), ulps=2.0)


def half_math_forms():
    """CUDA's half and bfloat16 intrinsics (cuda_fp16.h, cuda_bf16.h), correctly rounded."""
    forms = []
    for fmt, t, t2, specials, conv in ((F16, "__half", "__half2", F16_SPECIAL, "half"),
                                       (BF16, "__nv_bfloat16", "__nv_bfloat162", BF16_SPECIAL, "bfloat16")):
        pairs = binary_inputs(fmt, specials[::2], 24)
        for name, fn in (("__hadd", lambda x, y: add(x, y)), ("__hsub", lambda x, y: add(x, neg(y))),
                         ("__hmul", lambda x, y: mul(x, y))):
            forms.append(Form(f"{name}({t})", "cuda", [16, 16, 16],
                              lambda a, b, fn=fn, fmt=fmt: result(fmt, fn(decode(fmt, a), decode(fmt, b))),
                              pairs, f"{name}(a0, a1)", [t, t, t]))
        forms.append(Form(f"__hfma({t})", "cuda", [16] * 4,
                          lambda a, b, c, fmt=fmt: result(fmt, fma(decode(fmt, a), decode(fmt, b), decode(fmt, c))),
                          ternary_inputs(fmt, specials[::3], 32), "__hfma(a0, a1, a2)", [t] * 4))
        forms.append(Form(f"__hfma_relu({t})", "cuda", [16] * 4,
                          lambda a, b, c, fmt=fmt: relu_half(fmt, result(fmt, fma(decode(fmt, a), decode(fmt, b), decode(fmt, c)))),
                          ternary_inputs(fmt, specials[::3], 32), "__hfma_relu(a0, a1, a2)", [t] * 4))
        for name, is_min, nan in (("__hmax", False, False), ("__hmin", True, False), ("__hmax_nan", False, True)):
            forms.append(Form(f"{name}({t})", "cuda", [16, 16, 16],
                              lambda a, b, is_min=is_min, nan=nan, fmt=fmt: keep_bits(fmt, minmax(decode(fmt, a), decode(fmt, b), is_min, nan)),
                              pairs, f"{name}(a0, a1)", [t, t, t]))
        forms.append(Form(f"__float2{conv}_rn", "cuda", [16, 32], lambda a, fmt=fmt: result(fmt, decode(F32, a)),
                          unary_inputs(F32, F32_SPECIAL, 32, -30, 17), f"__float2{conv}_rn(a0)", [t, "float"]))
        back = "__half2float" if fmt is F16 else "__bfloat162float"
        forms.append(Form(back, "cuda", [32, 16], lambda a, fmt=fmt: result(F32, decode(fmt, a)),
                          unary_inputs(fmt, specials, 16, -14, 14), f"{back}(a0)", ["float", t]))
        packed = [(x << 16 | y, z << 16 | w) for (x, y), (z, w) in zip(pairs, pairs[7:] + pairs[:7])]
        forms.append(Form(f"__hmul2({t2})", "cuda", [32, 32, 32],
                          lambda a, b, fmt=fmt: sum(result(fmt, mul(decode(fmt, a >> s & 0xFFFF), decode(fmt, b >> s & 0xFFFF))) << s
                                                    for s in (0, 16)),
                          packed, "__hmul2(a0, a1)", [t2, t2, t2]))
    return forms


def more_forms():
    """Carries, masks, narrow integers, f16/bf16 comparisons and approximations, f64 tests."""
    forms = []
    m32 = 0xFFFFFFFF
    ints = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x12345678]
    pairs = list(itertools.product(ints, repeat=2)) + [(rng.getrandbits(32), rng.getrandbits(32)) for _ in range(16)]
    # The carry out of add.cc / borrow out of sub.cc, read back with addc/subc.
    forms.append(Form("add.cc.u32+addc.u32.carry", "{ .reg .u32 t; add.cc.u32 t, %1, %2; addc.u32 %0, 0, 0; }",
                      [32, 32, 32], lambda a, b: (a + b) >> 32, pairs))
    forms.append(Form("sub.cc.u32+subc.u32.borrow", "{ .reg .u32 t; sub.cc.u32 t, %1, %2; subc.u32 %0, 0, 0; }",
                      [32, 32, 32], lambda a, b: m32 if a < b else 0, pairs))
    forms.append(Form("add.cc.u32+addc.u32.high",  # a 64-bit sum's high word
                      "{ .reg .u32 t; add.cc.u32 t, %1, %2; addc.u32 %0, %1, %2; }", [32, 32, 32],
                      lambda a, b: (a + b + ((a + b) >> 32)) & m32, pairs))
    for mode in ("clamp", "wrap"):
        def bmsk(a, b, mode=mode):
            if mode == "wrap":
                a, b = a & 31, b & 31
            elif a >= 32:
                return 0
            b = min(b, 32)
            return (((1 << b) - 1) << a) & m32
        forms.append(Form(f"bmsk.{mode}.b32", f"bmsk.{mode}.b32 %0, %1, %2;", [32, 32, 32], bmsk,
                          [(a, b) for a in (0, 1, 5, 31, 32, 33, 64, 0xFFFFFFFF) for b in (0, 1, 7, 27, 31, 32, 40)]))
    for op, fn in (("and", lambda a, b: a & b), ("or", lambda a, b: a | b), ("xor", lambda a, b: a ^ b)):
        forms.append(Form(f"{op}.b32", f"{op}.b32 %0, %1, %2;", [32, 32, 32], fn, pairs[:12]))
    forms.append(Form("not.b32", "not.b32 %0, %1;", [32, 32], lambda a: ~a & m32, [(x,) for x in ints]))
    forms.append(Form("cnot.b32", "cnot.b32 %0, %1;", [32, 32], lambda a: int(a == 0), [(x,) for x in ints]))
    # 16-bit integers: wide products and conversions between integer widths.
    shorts = [0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x1234]
    short_pairs = list(itertools.product(shorts, repeat=2))
    for signed in (False, True):
        t = "s16" if signed else "u16"

        def v16(x, signed=signed):
            return x - 0x10000 if signed and x >> 15 else x
        forms.append(Form(f"mul.wide.{t}", f"mul.wide.{t} %0, %1, %2;", [32, 16, 16],
                          lambda a, b, v16=v16: (v16(a) * v16(b)) & m32, short_pairs))
        forms.append(Form(f"mad.wide.{t[0]}32", f"mad.wide.{t[0]}32 %0, %1, %2, %3;", [64, 32, 32, 64],
                          lambda a, b, c, signed=signed: ((sx(a) * sx(b) if signed else a * b) + c) & ((1 << 64) - 1),
                          [(a, b, c) for (a, b) in pairs[:20] for c in (0, (1 << 64) - 1)]))
    conversions = [("s32", "s16"), ("u32", "u16"), ("s16", "s32"), ("u16", "u32"), ("s32", "u32"), ("u32", "s32"),
                   ("s8", "s32"), ("u8", "s32")]
    for to, frm in conversions:
        widening = int(to[1:]) > int(frm[1:])
        for sat in (False,) if widening else (False, True):  # .sat only where the range shrinks
            name = f"cvt{'.sat' if sat else ''}.{to}.{frm}"
            to_bits, from_bits = int(to[1:]), int(frm[1:])
            register = 16 if to_bits <= 16 else 32

            def expected(a, to=to, frm=frm, sat=sat, to_bits=to_bits, from_bits=from_bits, register=register):
                value = a - (1 << from_bits) if frm[0] == "s" and a >> (from_bits - 1) else a
                if sat:
                    low = -(1 << (to_bits - 1)) if to[0] == "s" else 0
                    high = (1 << (to_bits - 1)) - 1 if to[0] == "s" else (1 << to_bits) - 1
                    value = max(low, min(high, value))
                value &= (1 << to_bits) - 1
                if to[0] == "s" and value >> (to_bits - 1):  # sign-extended to the register
                    value |= ((1 << register) - 1) & ~((1 << to_bits) - 1)
                return value
            values = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x12345, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]
            forms.append(Form(name, f"{name} %0, %1;", [register, 16 if from_bits == 16 else 32], expected,
                              [(x & ((1 << from_bits) - 1),) for x in values]))
    # f16/bf16 comparisons, scalar and packed (p from the low halves, q from the high ones).
    for fmt, t, specials in ((F16, "f16", F16_SPECIAL[::2]), (BF16, "bf16", BF16_SPECIAL[::2])):
        for op in ("lt", "ge", "equ", "neu", "num", "nan"):
            name = f"setp.{op}.{t}"
            forms.append(Form(name, f"{{ .reg .pred p; {name} p, %1, %2; selp.u32 %0, 1, 0, p; }}", [32, 16, 16],
                              lambda a, b, op=op, fmt=fmt: int(compare(decode(fmt, a), decode(fmt, b), op)),
                              list(itertools.product(specials, repeat=2))))
            name = f"setp.{op}.{t}x2"
            body = (f"{{ .reg .pred p, q; .reg .u32 lo, hi; {name} p|q, %1, %2; selp.u32 lo, 1, 0, p; "
                    "selp.u32 hi, 2, 0, q; or.b32 %0, lo, hi; }")
            forms.append(Form(name, body, [32, 32, 32],
                              lambda a, b, op=op, fmt=fmt: int(compare(decode(fmt, a & 0xFFFF), decode(fmt, b & 0xFFFF), op)) |
                              int(compare(decode(fmt, a >> 16), decode(fmt, b >> 16), op)) << 1,
                              [(x << 16 | y, y << 16 | x) for x, y in itertools.product(specials, repeat=2)]))
    # f16 and bf16 approximations: within two of their ulps (tanh also 2^-10.9 absolute, as
    # tanh.approx.f32), special cases exact.
    for fmt, name in ((F16, "ex2.approx.f16"), (BF16, "ex2.approx.ftz.bf16"), (F16, "tanh.approx.f16"),
                      (BF16, "tanh.approx.bf16")):
        def expected(a, fmt=fmt, is_tanh="tanh" in name, ftz="ftz" in name):
            v = d(fmt, a, ftz)
            one = encode(fmt, False, Fraction(1))
            sign = 1 << 15
            if v.is_nan:
                return 0x7FFF
            if is_tanh and v.is_zero:
                return v.bits
            if is_tanh and v.is_inf:
                return one | (sign if v.negative else 0)
            if not is_tanh and v.is_inf:
                return 0 if v.negative else result(fmt, v)
            if not is_tanh and v.is_zero:
                return one
            y = math.tanh(float(v.exact)) if is_tanh else (2.0 ** float(v.exact) if v.exact < 1024 else math.inf)
            if abs(y) >= 2.0 * float(fmt.largest):  # beyond the format's range after any rounding
                return result(fmt, Value("inf", y < 0))
            return Approx(fmt.name, y, absolute=2.0 ** -10.9 if is_tanh else 0.0, ulps=2.0)
        specials = F16_SPECIAL if fmt is F16 else BF16_SPECIAL
        forms.append(Form(name, f"{name} %0, %1;", [16, 16], expected, unary_inputs(fmt, specials, 32, -12, 3)))
    # f64 classes and copysign; f16 to and from f64.
    for op, test in (("finite", lambda v: v.kind == "num"), ("infinite", lambda v: v.is_inf),
                     ("notanumber", lambda v: v.is_nan), ("number", lambda v: not v.is_nan), ("normal", lambda v: v.kind == "num" and v.magnitude >= Fraction(2) ** -1022),
                     ("subnormal", lambda v: v.kind == "num" and 0 < v.magnitude < Fraction(2) ** -1022)):
        name = f"testp.{op}.f64"
        forms.append(Form(name, f"{{ .reg .pred p; {name} p, %1; selp.u32 %0, 1, 0, p; }}", [32, 64],
                          lambda a, test=test: int(test(decode(F64, a))), [(x,) for x in F64_SPECIAL]))
    forms.append(Form("copysign.f64", "copysign.f64 %0, %1, %2;", [64, 64, 64],
                      lambda a, b: (a & (1 << 63)) | (b & ((1 << 63) - 1)), binary_inputs(F64, F64_SPECIAL[:6], 4)))
    # Inputs rounding differently through f32: 1 + 2^-11 + 2^-40 is an f16 tie only after rounding
    # to f32, and 65520 is f16's overflow threshold.
    f16_from_f64 = [(0x3FF0020000001000,), (0xBFF0020000001000,), (0x40EFFE0000000000,), (0xC0EFFE0000000000,)]
    for mode in MODES:
        name = f"cvt.{mode}.f16.f64"
        forms.append(Form(name, f"{name} %0, %1;", [16, 64], lambda a, mode=mode: result(F16, decode(F64, a), mode),
                          unary_inputs(F64, F64_SPECIAL, 32, -26, 17) + f16_from_f64))
    forms.append(Form("cvt.f64.f16", "cvt.f64.f16 %0, %1;", [64, 16], lambda a: result(F64, decode(F16, a)),
                      unary_inputs(F16, F16_SPECIAL, 8)))
    return forms + integer_width_forms()


def integer_width_forms():
    """Integer arithmetic, bit operations and shifts at the widths integer_forms leaves out:
    every op on 16-bit and 64-bit registers, and the plain (modifier-free) spellings."""
    forms = []
    for bits, signed in itertools.product((16, 32, 64), (False, True)):
        t = f"{'s' if signed else 'u'}{bits}"
        mask = (1 << bits) - 1
        extremes = [0, 1, mask >> 1, 1 << (bits - 1), mask, mask - 1, 0x1234 & mask, rng.getrandbits(bits)]
        pairs = list(itertools.product(extremes[:6], repeat=2)) + \
            [(rng.getrandbits(bits), rng.getrandbits(bits)) for _ in range(12)]
        triples = list(itertools.product(extremes[:4], repeat=3)) + \
            [tuple(rng.getrandbits(bits) for _ in range(3)) for _ in range(12)]

        def v(x, signed=signed, bits=bits):
            return x - (1 << bits) if signed and x >> (bits - 1) else x

        def quotient(x, y):
            return abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        ops = {
            "add": (2, lambda a, b: a + b), "sub": (2, lambda a, b: a - b), "mul.lo": (2, lambda a, b: a * b),
            "mul.hi": (2, lambda a, b, v=v, bits=bits: v(a) * v(b) >> bits),
            "mad.lo": (3, lambda a, b, c: a * b + c),
            "mad.hi": (3, lambda a, b, c, v=v, bits=bits: (v(a) * v(b) >> bits) + c),
            "min": (2, lambda a, b, v=v: a if v(a) < v(b) else b), "max": (2, lambda a, b, v=v: a if v(a) > v(b) else b),
            "div": (2, lambda a, b, v=v: quotient(v(a), v(b))),
            "rem": (2, lambda a, b, v=v: v(a) - quotient(v(a), v(b)) * v(b)),
            "sad": (3, lambda a, b, c, v=v: abs(v(a) - v(b)) + c),
        }
        if signed:
            ops.update({"abs": (1, lambda a, v=v: abs(v(a))), "neg": (1, lambda a, v=v: -v(a))})
        for op, (arity, fn) in ops.items():
            name = f"{op}.{t}"
            if name in INTEGER_FORMS_ELSEWHERE:
                continue
            inputs = {1: [(x,) for x in extremes], 2: pairs, 3: triples}[arity]
            if op in ("div", "rem"):  # a zero divisor and the quotient's overflow are tested apart
                inputs = [(a, b) for a, b in inputs if b != 0 and not (signed and v(b) == -1 and v(a) == -(1 << (bits - 1)))]
            forms.append(Form(name, f"{name} %0, {', '.join(f'%{i + 1}' for i in range(arity))};", [bits] * (arity + 1),
                              lambda *x, fn=fn, mask=mask: fn(*x) & mask, inputs))
        if bits == 16:
            forms.append(Form(f"mad.wide.{t}", f"mad.wide.{t} %0, %1, %2, %3;", [32, 16, 16, 32],
                              lambda a, b, c, v=v: (v(a) * v(b) + c) & 0xFFFFFFFF,
                              [(a, b, rng.getrandbits(32)) for a, b in pairs]))
        shifts = [(x, n) for x in extremes[2:6] for n in (0, 1, bits - 1, bits, bits + 1, 255, 0xFFFFFFFF)]
        name = f"shr.{t}"
        if name not in INTEGER_FORMS_ELSEWHERE:
            forms.append(Form(name, f"{name} %0, %1, %2;", [bits, bits, 32],
                              lambda a, n, v=v, bits=bits, mask=mask: (v(a) >> min(n, bits)) & mask, shifts))
        if signed:
            continue
        b = f"b{bits}"
        for op, fn in (("and", lambda a, c: a & c), ("or", lambda a, c: a | c), ("xor", lambda a, c: a ^ c)):
            if bits != 32:
                forms.append(Form(f"{op}.{b}", f"{op}.{b} %0, %1, %2;", [bits] * 3, fn, pairs[:16]))
        if bits != 32:
            forms.append(Form(f"not.{b}", f"not.{b} %0, %1;", [bits] * 2, lambda a, mask=mask: ~a & mask,
                              [(x,) for x in extremes]))
            forms.append(Form(f"cnot.{b}", f"cnot.{b} %0, %1;", [bits] * 2, lambda a: int(a == 0),
                              [(x,) for x in extremes]))
            forms.append(Form(f"shl.{b}", f"shl.{b} %0, %1, %2;", [bits, bits, 32],
                              lambda a, n, bits=bits, mask=mask: (a << min(n, bits)) & mask, shifts))
        forms.append(Form(f"shr.{b}", f"shr.{b} %0, %1, %2;", [bits, bits, 32],
                          lambda a, n, bits=bits: a >> min(n, bits), shifts))
    return forms


# Integer forms integer_forms already has (with their own inputs).
INTEGER_FORMS_ELSEWHERE = {f"{op}.{t}" for op in ("mul.hi", "mad.hi", "mad.lo", "min", "max", "div", "rem")
                           for t in ("u32", "s32", "u64", "s64")} | {"sad.u32", "sad.s32", "abs.s32", "neg.s32",
                                                                     "shr.u32", "shr.s32"}


def sx(x):
    return x - (1 << 32) if x >> 31 else x


def base_forms():
    """The forms of this file's families."""
    return (float_forms() + compare_forms() + convert_forms() + half_forms() + approx_forms() +
            integer_forms() + more_forms() + mma_forms() + wmma_forms() + math_forms() + half_math_forms())


def conversion_family():
    from conversions import conversion_forms  # it builds on this module's forms
    return conversion_forms()


def variant_family():
    from variants import variant_forms  # it builds on this module's forms
    return variant_forms({f.name for f in base_forms()})


def all_forms():
    return base_forms() + conversion_family() + variant_family()
