"""Every cvt spelling of grammar.py that ptxas takes and forms.py's convert family does not run
yet, with its expected result from one model of cvt (the PTX ISA's cvt section):

- integer to integer: the source's low bits read as its type, .sat clamping to the destination's
  range, then wrapped to it; a sub-word destination is sign- or zero-extended to its register.
- float to integer (.rni .rzi .rmi .rpi): rounded, clamped to the destination's range, NaN to 0
  (to .s64 the smallest s64, as measured on an H200; the narrower widths' 0 is derived from s32).
- integer to float (.rn .rz .rm .rp): rounded once; .sat clamps to [+0, 1].
- float to float: widening is exact, narrowing rounds once; .rXi rounds to an integral value in
  the same type; .ftz flushes an f32 source's and an f32 result's subnormals (tininess before
  rounding); .sat clamps to [+0, 1] and makes NaN +0. A NaN result is the canonical NaN of an
  f16, bf16 or f32 destination (derived: issue 13 measured it for arithmetic), any NaN in f64;
  a same-type cvt without .rXi or .sat keeps a NaN's bits (derived: it computes nothing).
- tf32 and the e4m3x2/e5m2x2 pairs: as NarrowFloats' measured rules (forms.py's convert family).

ptxas (CUDA 13, sm_90) rejects some spellings the general syntax allows; the frontend rejects
them too (lower/Convert.cpp's invalidCvt, NarrowFloats' tf32 checks), so they have no goldens:
`ptxas_rejects` is that rule.
"""

from fractions import Fraction

import grammar
from forms import (ANY_NAN, BF16, E4M3, E5M2, F16, F16_SPECIAL, BF16_SPECIAL, F32, F32_SPECIAL, F64,
                   F64_SPECIAL, Form, RN, TF32, convert_forms, decode, encode, flush, integral, more_forms,
                   relu_half, result, rng, saturate, to_integer, unary_inputs)

FLOATS = {"f16": F16, "bf16": BF16, "f32": F32, "f64": F64}
INTEGERS = {f"{s}{b}": (b, s == "s") for s in "us" for b in (8, 16, 32, 64)}
INTEGRAL = {"rni": "rn", "rzi": "rz", "rmi": "rm", "rpi": "rp"}
ROUNDING = {"rn", "rz", "rm", "rp", "rna"}


def register_bits(t):
    return max(16, FLOATS[t].bits if t in FLOATS else INTEGERS[t][0])


def integer_range(t):
    bits, signed = INTEGERS[t]
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def ptxas_rejects(to, frm, modifiers):
    """The spellings ptxas rejects though cvt's general syntax allows them (checked with ptxas
    -arch=sm_90 on every grammar.py form)."""
    bf16 = "bf16" in (to, frm)
    if bf16 and {to, frm} & {"u8", "s8"}:
        return True  # "Arguments mismatch": bf16 has no 8-bit integer conversions
    if "sat" in modifiers and bf16:
        return True
    if "sat" in modifiers and to in INTEGERS and frm in INTEGERS:
        low, high = integer_range(to)
        flow, fhigh = integer_range(frm)
        return low <= flow and fhigh <= high  # .sat only where it can clamp
    if to == "tf32" and "satfinite" in modifiers and "rna" not in modifiers:
        return True  # needs sm_100
    if to == "tf32" and "rna" in modifiers and "relu" in modifiers:
        return True
    return False


def parse(name):
    words = name.split(".")[1:]
    return words[-2], words[-1], set(words[:-2])


def fits_register(value, t):
    """A destination value as its register holds it: sign- or zero-extended."""
    bits, signed = INTEGERS[t]
    value &= (1 << bits) - 1
    if signed and value >> (bits - 1):
        value |= ((1 << register_bits(t)) - 1) & ~((1 << bits) - 1)
    return value


def read_integer(a, t):
    bits, signed = INTEGERS[t]
    a &= (1 << bits) - 1
    return a - (1 << bits) if signed and a >> (bits - 1) else a


def scalar_expected(to, frm, modifiers):
    rounding = next(iter(modifiers & (ROUNDING | set(INTEGRAL))), None)
    ftz, sat = "ftz" in modifiers, "sat" in modifiers

    if to in INTEGERS and frm in INTEGERS:
        def expected(a):
            value = read_integer(a, frm)
            if sat:
                low, high = integer_range(to)
                value = max(low, min(high, value))
            return fits_register(value, to)
        return expected
    if to in INTEGERS:
        fmt = FLOATS[frm]
        bits, signed = INTEGERS[to]

        def expected(a):
            v = decode(fmt, a)
            if ftz and fmt is F32:
                v = flush(fmt, v)
            return fits_register(to_integer(v, bits, signed, INTEGRAL[rounding]), to)
        return expected
    out = FLOATS[to]
    if frm in INTEGERS:
        def expected(a):
            value = read_integer(a, frm)
            bits = encode(out, value < 0, Fraction(abs(value)), rounding)
            return saturate(out, decode(out, bits)) if sat else bits
        return expected
    fmt = FLOATS[frm]

    def expected(a):
        v = decode(fmt, a)
        if ftz and fmt is F32:
            v = flush(fmt, v)
        if v.is_nan and to == frm and rounding is None and not sat:
            return a  # a same-type cvt only moves (or flushes) bits: its NaN kept (derived)
        if rounding in INTEGRAL:
            bits = integral(out, v, INTEGRAL[rounding])
        else:
            bits = result(out, v, rounding or RN, ftz and out is F32)
        if bits == ANY_NAN:  # an f64 NaN
            return 0 if sat else ANY_NAN
        return saturate(out, decode(out, bits)) if sat else bits
    return expected


INTEGER_INPUTS = {
    8: [0, 1, 0x7F, 0x80, 0xFF, 0x1280, 0x12FF],  # the high byte of the 16-bit register is ignored
    16: [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x0800, 0xF801],
    32: [0, 1, 0x7F, 0x80, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x1000001,
         0x1000003, 0xFFFFFF80],
    64: [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, (1 << 53) + 1,
         (1 << 24) + 1, (1 << 64) - 0x800],
}
# Values at the integer and narrow-float boundaries: ties, the s8..s64 limits, f16's overflow.
F32_EDGES = [0x3F000000, 0xBF000000, 0x3FC00000, 0x40200000, 0xC0200000, 0x42FE0000, 0x42FF0000, 0xC3010000,
             0x437F8000, 0x43808000, 0x46FFFE00, 0xC7000100, 0x477FFF00, 0x4F000000, 0xCF000000, 0x5F000000,
             0xDF000000, 0x477FF000, 0x477FEFFF, 0x33000000, 0x387FC000, 0x3F7FFFFF]
F64_EDGES = [0x3FE0000000000000, 0xBFE0000000000000, 0x405FC00000000000, 0x406FE00000000000,
             0x40DFFFC000000000, 0x41E0000000000000, 0xC1E0000000000000, 0x43E0000000000000,
             0xC3E0000000000000, 0x40EFFE0000000000, 0x36A0000000000000, 0x3810000000000000,
             0x3FF0020000001000, 0x3FEFFFFFFFFFFFFF]
F16_EDGES = [0x3800, 0xB800, 0x3E00, 0x4100, 0x57F0, 0x57F8, 0x5BF8, 0x5C04, 0x7BFF, 0xDBFF]
BF16_EDGES = [0x3F00, 0xBF00, 0x3FC0, 0x4020, 0x42FE, 0x4300, 0x437F, 0x4380, 0x4700, 0xC700, 0x4F00, 0xDF00]


def source_inputs(frm):
    if frm in INTEGERS:
        bits = INTEGERS[frm][0]
        values = INTEGER_INPUTS[bits] + [rng.getrandbits(bits) for _ in range(10)]
        return [(v,) for v in values]
    if frm == "f32":
        return unary_inputs(F32, F32_SPECIAL + F32_EDGES, 20, -140, 70)
    if frm == "f64":
        return unary_inputs(F64, F64_SPECIAL + F64_EDGES, 20, -150, 70)
    if frm == "f16":
        return unary_inputs(F16, F16_SPECIAL + F16_EDGES, 16, -14, 15)
    return unary_inputs(BF16, BF16_SPECIAL + BF16_EDGES, 16, -133, 70)


def tf32_expected(modifiers):
    rounding = next(iter(modifiers & ROUNDING))

    def expected(a):
        v = decode(F32, a)
        if v.is_nan:  # lower/NarrowFloats.cpp's tf32NaN, measured on an H200
            if rounding == "rna" and "satfinite" not in modifiers:
                return 0x7FC00000
            return 0x7FFFE000 if rounding == "rz" or "relu" in modifiers else 0x7FFFFFFF
        if "relu" in modifiers and v.negative and not v.is_zero:  # .relu first; -0 stays -0
            return 0
        return result(TF32, v, rounding, satfinite="satfinite" in modifiers) << 13
    return expected


def fp8_from_halves(to, relu):
    """cvt.rn.satfinite{.relu}.{e4m3x2,e5m2x2}.f16x2: half i to byte i."""
    fmt = E4M3 if to.startswith("e4m3") else E5M2

    def one(h):
        v = decode(F16, h)
        if relu and not v.is_nan and (v.negative or v.is_zero):
            return 0  # .relu into e4m3/e5m2 makes -0 +0 (the f32 form's H200 fact)
        return result(fmt, v, RN, satfinite=True)
    return lambda a: one(a >> 16) << 8 | one(a & 0xFFFF)


def halves_from_fp8(frm, relu):
    """cvt.rn{.relu}.f16x2.{e4m3x2,e5m2x2}: byte i to half i, exactly; .relu as f16's."""
    fmt = E4M3 if frm.startswith("e4m3") else E5M2

    def one(byte):
        bits = result(F16, decode(fmt, byte))
        return relu_half(F16, bits) if relu else bits
    return lambda a: one(a >> 8 & 0xFF) << 16 | one(a & 0xFF)


def fp8_inputs(count=24):
    specials = [0x00, 0x80, 0x01, 0x81, 0x07, 0x08, 0x38, 0xB8, 0x7E, 0xFE, 0x7F, 0xFF, 0x7C, 0x7B, 0x3C]
    pairs = [(a << 8 | b,) for a, b in zip(specials, specials[3:] + specials[:3])]
    return pairs + [(rng.getrandbits(16),) for _ in range(count)]


def halves_inputs():
    specials = F16_SPECIAL + [0x5F00, 0x5F80, 0x7B00, 0xDF80, 0x1800, 0x0010]
    singles = specials + [rng.getrandbits(16) for _ in range(16)]
    return [(h << 16 | lo,) for h, lo in zip(singles, singles[5:] + singles[:5])]


def conversion_forms():
    """The cvt spellings of grammar.py not in forms.py's convert family, valid for ptxas."""
    covered = {f.name for f in convert_forms() + more_forms()}
    forms = []
    for name in sorted(n for n in grammar.arithmetic_forms() if n.startswith("cvt.")):
        if name in covered:
            continue
        to, frm, modifiers = parse(name)
        if ptxas_rejects(to, frm, modifiers):
            continue
        body = f"{name} %0, %1;"
        if to == "tf32":
            forms.append(Form(name, body, [32, 32], tf32_expected(modifiers), unary_inputs(F32, F32_SPECIAL, 24)))
        elif frm == "f16x2":
            forms.append(Form(name, body, [16, 32], fp8_from_halves(to, "relu" in modifiers), halves_inputs()))
        elif to == "f16x2":
            forms.append(Form(name, body, [32, 16], halves_from_fp8(frm, "relu" in modifiers), fp8_inputs()))
        elif to in FLOATS or to in INTEGERS:
            forms.append(Form(name, body, [register_bits(to), register_bits(frm)],
                              scalar_expected(to, frm, modifiers), source_inputs(frm)))
    return forms

