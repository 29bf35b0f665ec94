"""The remaining spellings of grammar.py the frontend accepts, as golden forms: comparisons and
selections on every type (set, setp, slct), predicate logic, the carry chains on every type,
the .sat, .ftz and .xorsign.abs variants of f32/f16/bf16 arithmetic, packed approximations
(one lane per form) and the f64 approximations. Expected results come from softfloat.py; where
the PTX ISA is silent the rule used is stated beside it (derived, to be confirmed on hardware).
"""

from fractions import Fraction
import itertools
import math

from forms import (ANY_NAN, BF16, BF16_SPECIAL, F16, F16_SPECIAL, F32, F32_FEW, F64, F64_SPECIAL, Approx, Form,
                   RN, Value, add, binary_inputs, compare, d, decode, encode, fma, minmax, mul, neg, result, rng,
                   saturate, ternary_inputs, unary_inputs)

FLOAT_COMPARE = ["eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan"]
HALVES = {"f16": F16, "bf16": BF16}


def signed(x, bits):
    return x - (1 << bits) if x >> (bits - 1) else x


def set_forms():
    """set.CmpOp{.ftz}.dtype.f32: all ones (u32, s32) or 1.0 (f32) when the comparison holds."""
    forms = []
    true_value = {"u32": 0xFFFFFFFF, "s32": 0xFFFFFFFF, "f32": 0x3F800000}
    for op, ftz, t in itertools.product(FLOAT_COMPARE, (False, True), ("u32", "s32", "f32")):
        name = f"set.{op}{'.ftz' if ftz else ''}.{t}.f32"
        forms.append(Form(name, f"{name} %0, %1, %2;", [32, 32, 32],
                          lambda a, b, op=op, ftz=ftz, t=t: true_value[t] if compare(d(F32, a, ftz), d(F32, b, ftz), op) else 0,
                          binary_inputs(F32, F32_FEW, 8)))
    return forms


def predicate_body(name, operands):
    return f"{{ .reg .pred p; {name} p, {operands}; selp.u32 %0, 1, 0, p; }}"


def integer_setp_forms():
    forms = []
    tests = {"eq": lambda x, y: x == y, "ne": lambda x, y: x != y, "lt": lambda x, y: x < y,
             "le": lambda x, y: x <= y, "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y}
    unsigned_names = {"lo": "lt", "ls": "le", "hi": "gt", "hs": "ge", "eq": "eq", "ne": "ne"}
    for kind, bits in itertools.product("usb", (16, 32, 64)):
        mask = (1 << bits) - 1
        values = [0, 1, mask >> 1, 1 << (bits - 1), mask, mask - 1]
        pairs = list(itertools.product(values, repeat=2)) + [(rng.getrandbits(bits), rng.getrandbits(bits)) for _ in range(8)]
        ops = ["eq", "ne", "lt", "le", "gt", "ge"] if kind == "s" else \
            ["eq", "ne", "lo", "ls", "hi", "hs"] if kind == "u" else ["eq", "ne"]
        for op in ops:
            name = f"setp.{op}.{kind}{bits}"
            test = tests[unsigned_names.get(op, op)]
            forms.append(Form(name, predicate_body(name, "%1, %2"), [32, bits, bits],
                              lambda a, b, test=test, kind=kind, bits=bits:
                              int(test(signed(a, bits), signed(b, bits)) if kind == "s" else test(a, b)), pairs))
    for combine, fn in (("and", lambda x, y: x and y), ("or", lambda x, y: x or y), ("xor", lambda x, y: x != y)):
        name = f"setp.lt.{combine}.s32"
        body = f"{{ .reg .pred p, q; setp.ne.u32 q, %3, 0; {name} p, %1, %2, q; selp.u32 %0, 1, 0, p; }}"
        forms.append(Form(name, body, [32, 32, 32, 32],
                          lambda a, b, c, fn=fn: int(fn(signed(a, 32) < signed(b, 32), c != 0)),
                          [(a, b, c) for a, b in ((1, 2), (2, 1), (0xFFFFFFFF, 0), (5, 5)) for c in (0, 1)]))
    for op, fn in (("and", lambda x, y: x and y), ("or", lambda x, y: x or y), ("xor", lambda x, y: x != y)):
        name = f"{op}.pred"
        body = (f"{{ .reg .pred p, q, r; setp.ne.u32 p, %1, 0; setp.ne.u32 q, %2, 0; {name} r, p, q; "
                "selp.u32 %0, 1, 0, r; }")
        forms.append(Form(name, body, [32, 32, 32], lambda a, b, fn=fn: int(bool(fn(a != 0, b != 0))),
                          [(a, b) for a in (0, 1) for b in (0, 3)]))
    forms.append(Form("not.pred", "{ .reg .pred p, q; setp.ne.u32 p, %1, 0; not.pred q, p; selp.u32 %0, 1, 0, q; }",
                      [32, 32], lambda a: int(a == 0), [(0,), (1,), (0x80000000,)]))
    return forms


def half_setp_forms(existing):
    """setp on f16 (with .ftz) and bf16, scalar and packed (bit 0 from the low halves)."""
    forms = []
    for t, fmt in HALVES.items():
        specials = (F16_SPECIAL if fmt is F16 else BF16_SPECIAL)[::2] + [(F16_SPECIAL if fmt is F16 else BF16_SPECIAL)[3]]
        pairs = list(itertools.product(specials, repeat=2))
        for op, ftz in itertools.product(FLOAT_COMPARE, (False, True) if fmt is F16 else (False,)):
            f = ".ftz" if ftz else ""
            name = f"setp.{op}{f}.{t}"
            if name not in existing:
                forms.append(Form(name, predicate_body(name, "%1, %2"), [32, 16, 16],
                                  lambda a, b, op=op, fmt=fmt, ftz=ftz: int(compare(d(fmt, a, ftz), d(fmt, b, ftz), op)),
                                  pairs))
            name = f"setp.{op}{f}.{t}x2"
            if name in existing:
                continue
            body = (f"{{ .reg .pred p, q; .reg .u32 lo, hi; {name} p|q, %1, %2; selp.u32 lo, 1, 0, p; "
                    "selp.u32 hi, 2, 0, q; or.b32 %0, lo, hi; }")
            forms.append(Form(name, body, [32, 32, 32],
                              lambda a, b, op=op, fmt=fmt, ftz=ftz:
                              int(compare(d(fmt, a & 0xFFFF, ftz), d(fmt, b & 0xFFFF, ftz), op)) |
                              int(compare(d(fmt, a >> 16, ftz), d(fmt, b >> 16, ftz), op)) << 1,
                              [(x << 16 | y, y << 16 | x) for x, y in pairs]))
    return forms


def slct_forms(existing):
    """slct d, a, b, c: a when c >= 0 (c a .s32, or an .f32 where -0 and +0 are both >= 0 and a
    NaN selects b: derived from the ISA's "c >= 0"), b otherwise; .ftz flushes c."""
    forms = []
    c_values = {"s32": [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF],
                "f32": [0x00000000, 0x80000000, 0x80000001, 0x00000001, 0xBF800000, 0x3F800000, 0x7FC00000,
                        0xFFC00000, 0xFF800000]}
    for t, c_type in itertools.product(("b16", "u16", "s16", "b32", "u32", "s32", "f32", "b64", "u64", "s64", "f64"),
                                       ("s32", "f32")):
        w = 16 if t.endswith("16") else 64 if t.endswith("64") else 32
        for ftz in (False, True) if (t, c_type) == ("f32", "f32") else (False,):
            name = f"slct{'.ftz' if ftz else ''}.{t}.{c_type}"
            if name in existing:
                continue

            def expected(a, b, c, c_type=c_type, ftz=ftz):
                if c_type == "s32":
                    return a if signed(c, 32) >= 0 else b
                return a if compare(d(F32, c, ftz), Value("num"), "ge") else b
            forms.append(Form(name, f"{name} %0, %1, %2, %3;", [w, w, w, 32], expected,
                              [(rng.getrandbits(w), rng.getrandbits(w), c) for c in c_values[c_type]]))
    return forms


def carry_forms():
    """Each carry-chain spelling on u32, s32, u64 and s64, in chains whose results show every
    carry: the carry flag is the carry out of the unsigned addition (the borrow of the
    subtraction), whatever the type's signedness; mad's .hi products are signed for .sN."""
    forms = []
    for t in ("u32", "s32", "u64", "s64"):
        bits = int(t[1:])
        m = (1 << bits) - 1
        values = [0, 1, m >> 1, 1 << (bits - 1), m, m - 1]
        pairs = list(itertools.product(values, repeat=2)) + [(rng.getrandbits(bits), rng.getrandbits(bits)) for _ in range(8)]
        triples = list(itertools.product(values[::2] + [m], repeat=3)) + \
            [tuple(rng.getrandbits(bits) for _ in range(3)) for _ in range(8)]

        def value(x, t=t, bits=bits):
            return signed(x, bits) if t[0] == "s" else x

        def add_chain(a, b, m=m, bits=bits):
            t1, c1 = (a + b) & m, (a + b) >> bits
            s2 = a + b + c1
            t2, c2 = s2 & m, s2 >> bits
            return (t2 + t1 + c2) & m
        name = f"add.cc.{t}+addc.cc.{t}+addc.{t}"
        body = (f"{{ .reg .{t} x, y; add.cc.{t} x, %1, %2; addc.cc.{t} y, %1, %2; addc.{t} %0, y, x; }}")
        forms.append(Form(name, body, [bits] * 3, add_chain, pairs))

        def sub_chain(a, b, m=m):
            t1, b1 = (a - b) & m, int(a < b)
            t2, b2 = (a - b - b1) & m, int(a < b + b1)
            return (t2 - t1 - b2) & m
        name = f"sub.cc.{t}+subc.cc.{t}+subc.{t}"
        body = (f"{{ .reg .{t} x, y; sub.cc.{t} x, %1, %2; subc.cc.{t} y, %1, %2; subc.{t} %0, y, x; }}")
        forms.append(Form(name, body, [bits] * 3, sub_chain, pairs))

        def half(a, b, which, value=value, bits=bits, m=m):
            product = value(a) * value(b)
            return (product >> bits) & m if which == "hi" else product & m

        for first, second, third in (("lo", "hi", "lo"), ("hi", "lo", "hi")):
            def mad_chain(a, b, c, first=first, second=second, third=third, half=half, m=m, bits=bits):
                s1 = half(a, b, first) + c
                t1, c1 = s1 & m, s1 >> bits
                s2 = half(a, b, second) + c + c1
                t2, c2 = s2 & m, s2 >> bits
                return (half(t1, t2, third) + b + c2) & m
            name = f"mad.{first}.cc.{t}+madc.{second}.cc.{t}+madc.{third}.{t}"
            body = (f"{{ .reg .{t} x, y; mad.{first}.cc.{t} x, %1, %2, %3; madc.{second}.cc.{t} y, %1, %2, %3; "
                    f"madc.{third}.{t} %0, x, y, %2; }}")
            forms.append(Form(name, body, [bits] * 4, mad_chain, triples))
    return forms


def mad24_forms(existing):
    forms = []
    ints = [0, 1, 0x7FFFFF, 0x800000, 0xFFFFFF, 0xFF800000, 0x12345678, 0xFFFFFFFF]
    triples = list(itertools.product(ints[::2], repeat=3)) + [tuple(rng.getrandbits(32) for _ in range(3)) for _ in range(12)]

    def low24(x, is_signed):
        v = x & 0xFFFFFF
        return v - (1 << 24) if is_signed and v >> 23 else v
    for t, half in itertools.product(("u32", "s32"), ("hi", "lo")):
        name = f"mad24.{half}.{t}"
        if name in existing:
            continue
        forms.append(Form(name, f"{name} %0, %1, %2, %3;", [32] * 4,
                          lambda a, b, c, t=t, half=half:
                          (((low24(a, t == "s32") * low24(b, t == "s32")) >> (16 if half == "hi" else 0)) + c) & 0xFFFFFFFF,
                          triples))
    forms.append(Form("mad24.hi.sat.s32", "mad24.hi.sat.s32 %0, %1, %2, %3;", [32] * 4,
                      lambda a, b, c: max(-(1 << 31), min((1 << 31) - 1,
                                                          (low24(a, True) * low24(b, True) >> 16) + signed(c, 32))) & 0xFFFFFFFF,
                      triples))
    return forms


def sat_forms(existing):
    """f32 .sat without a rounding modifier (round to nearest, the ISA's default) and the f16
    .sat forms: the result rounded, then clamped to [+0, 1], NaN to +0."""
    forms = []
    for op, ftz in itertools.product(("add", "sub", "mul"), (False, True)):
        name = f"{op}{'.ftz' if ftz else ''}.sat.f32"

        def expected(a, b, op=op, ftz=ftz):
            x, y = d(F32, a, ftz), d(F32, b, ftz)
            v = add(x, y) if op == "add" else add(x, neg(y)) if op == "sub" else mul(x, y)
            return saturate(F32, decode(F32, result(F32, v, RN, ftz)))
        forms.append(Form(name, f"{name} %0, %1, %2;", [32] * 3, expected, binary_inputs(F32, F32_FEW, 16)))
    specials = F16_SPECIAL[::2] + F16_SPECIAL[1:6:2] + [0x3A00, 0x3C01]
    for packed, ftz, rn in itertools.product((False, True), (False, True), (False, True)):
        ty, w = ("f16x2", 32) if packed else ("f16", 16)
        for op in ("add", "sub", "mul", "fma"):
            if op == "fma" and not rn:
                continue
            name = f"{op}{'.rn' if rn else ''}{'.ftz' if ftz else ''}.sat.{ty}"
            if name in existing:
                continue
            arity = 3 if op == "fma" else 2

            def one(*x, op=op, ftz=ftz):
                v = [d(F16, h, ftz) for h in x]
                r = {"add": lambda: add(v[0], v[1]), "sub": lambda: add(v[0], neg(v[1])),
                     "mul": lambda: mul(v[0], v[1]), "fma": lambda: fma(v[0], v[1], v[2])}[op]()
                return saturate(F16, decode(F16, result(F16, r, RN, ftz)))
            inputs = binary_inputs(F16, specials, 16) if arity == 2 else ternary_inputs(F16, specials[::3], 16)
            forms.append(Form(name, f"{name} %0, {', '.join(f'%{i + 1}' for i in range(arity))};", [w] * (arity + 1),
                              lanes(one, packed), pack(inputs, packed)))
    return forms


def lanes(fn, packed):
    if not packed:
        return fn
    return lambda *x: fn(*(v & 0xFFFF for v in x)) | fn(*(v >> 16 for v in x)) << 16


def pack(inputs, packed):
    """Packed inputs: the high halves take the cases in another order, so the lanes differ."""
    if not packed:
        return inputs
    other = inputs[len(inputs) // 3:] + inputs[:len(inputs) // 3]
    return [tuple(h << 16 | lo for h, lo in zip(x, y)) for x, y in zip(other, inputs)]


def minmax_forms(existing):
    """min/max with .ftz on f16 and with .xorsign.abs on f32, f16 and bf16: .xorsign.abs takes
    the min/max of the magnitudes and gives it the XOR of the inputs' signs (PTX ISA); a NaN
    result is the canonical NaN (derived: no sign applied to it)."""
    forms = []
    for (t, fmt), packed in itertools.product((("f32", F32), ("f16", F16), ("bf16", BF16)), (False, True)):
        if packed and fmt is F32:
            continue
        ty = t + ("x2" if packed else "")
        w = 32 if packed or fmt is F32 else 16
        specials = {"f32": F32_FEW + [0x807FFFFF, 0x40000000], "f16": F16_SPECIAL[::2] + [0x8001, 0xC000],
                    "bf16": BF16_SPECIAL[::2] + [0x8001, 0xC000]}[t]
        inputs = pack(binary_inputs(fmt, specials, 8), packed)
        for op, ftz, nan, xorsign in itertools.product(("min", "max"), (False, True), (False, True), (False, True)):
            if ftz and fmt is BF16:
                continue
            name = f"{op}{'.ftz' if ftz else ''}{'.NaN' if nan else ''}{'.xorsign.abs' if xorsign else ''}.{ty}"
            if name in existing:
                continue

            def one(a, b, op=op, ftz=ftz, nan=nan, xorsign=xorsign, fmt=fmt):
                x, y = d(fmt, a, ftz), d(fmt, b, ftz)
                sign = 1 << (fmt.bits - 1)
                if xorsign:
                    x, y = magnitude(fmt, x), magnitude(fmt, y)
                v = minmax(x, y, op == "min", nan)
                if v.is_nan:
                    return result(fmt, v)
                bits = v.bits
                if xorsign and (a ^ b) & sign:
                    bits |= sign
                return bits
            forms.append(Form(name, f"{name} %0, %1, %2;", [w] * 3, lanes(one, packed and fmt is not F32), inputs))
    return forms


def magnitude(fmt, v):
    if v.is_nan:
        return v
    bits = v.bits & ~(1 << (fmt.bits - 1))
    return decode(fmt, bits)


def abs_neg_forms(existing):
    forms = []
    for packed, op in itertools.product((False, True), ("abs", "neg")):
        ty, w = ("f16x2", 32) if packed else ("f16", 16)
        name = f"{op}.ftz.{ty}"
        if name in existing:
            continue

        def one(a, op=op):
            v = d(F16, a, True)
            bits = a if v.is_nan or not v.is_zero else a & 0x8000  # a flushed subnormal keeps its sign
            return bits & 0x7FFF if op == "abs" else bits ^ 0x8000
        forms.append(Form(name, f"{name} %0, %1;", [w, w], lanes(one, packed),
                          pack(unary_inputs(F16, F16_SPECIAL, 8, -12, 12), packed)))
    return forms


def packed_approx_forms():
    """ex2 and tanh on f16x2/bf16x2, one form per lane (the other lane's input differs): within
    two ulps of their format (tanh also 2^-10.9 absolute), special cases exact, as the scalar
    forms of forms.py's more family."""
    forms = []
    for fmt, spelling in ((F16, "ex2.approx.f16x2"), (BF16, "ex2.approx.ftz.bf16x2"), (F16, "tanh.approx.f16x2"),
                          (BF16, "tanh.approx.bf16x2")):
        is_tanh, ftz = spelling.startswith("tanh"), ".ftz" in spelling

        def one(a, fmt=fmt, is_tanh=is_tanh, ftz=ftz):
            v = d(fmt, a, ftz)
            unit = encode(fmt, False, Fraction(1))
            if v.is_nan:
                return 0x7FFF
            if is_tanh and v.is_zero:
                return a
            if is_tanh and v.is_inf:
                return unit | (0x8000 if v.negative else 0)
            if not is_tanh and v.is_inf:
                return 0 if v.negative else result(fmt, v)
            if not is_tanh and v.is_zero:
                return unit
            x = float(v.exact)
            y = math.tanh(x) if is_tanh else (2.0 ** x if x < 1024 else math.inf)
            if abs(y) >= 2.0 * float(fmt.largest):
                return result(fmt, Value("inf", y < 0))
            return Approx(fmt.name, y, absolute=2.0 ** -10.9 if is_tanh else 0.0, ulps=2.0)
        specials = F16_SPECIAL if fmt is F16 else BF16_SPECIAL
        singles = [x for (x,) in unary_inputs(fmt, specials, 16, -12, 3)]
        packed = [(hi << 16 | lo,) for hi, lo in zip(singles[7:] + singles[:7], singles)]
        for lane, shift in (("lo", 0), ("hi", 16)):
            shift_out = "shr.b32 t, t, 16; " if lane == "hi" else ""
            body = f"{{ .reg .b32 t; {spelling} t, %1; {shift_out}cvt.u16.u32 %0, t; }}"
            forms.append(Form(f"{spelling}.{lane}", body, [16, 32], lambda a, shift=shift, one=one: one(a >> shift & 0xFFFF),
                              packed))
    return forms


def f64_approx_forms():
    """rcp.approx.ftz.f64 and rsqrt.approx{.ftz}.f64. The PTX ISA gives no bound for them
    (derived: 2^-22 relative, as rsqrt.approx.f32); special cases: +-0 to +-inf, +-inf to +-0
    (rcp) and +0 (rsqrt), negatives to NaN (rsqrt); .ftz flushes subnormal inputs and results."""
    forms = []
    inputs = unary_inputs(F64, F64_SPECIAL, 24, -60, 60)
    for name, fn, ftz in (("rcp.approx.ftz.f64", lambda x: 1 / x, True), ("rsqrt.approx.f64", None, False),
                          ("rsqrt.approx.ftz.f64", None, True)):
        def expected(a, fn=fn, ftz=ftz):
            v = d(F64, a, ftz) if ftz else decode(F64, a)
            inf_bits = 0x7FF0000000000000
            if v.is_nan:
                return ANY_NAN
            if v.is_zero:
                return inf_bits | (a & (1 << 63))
            if fn is None and v.negative:
                return ANY_NAN
            if v.is_inf:
                return (a & (1 << 63)) if fn else 0
            x = float(v.exact)
            try:
                y = fn(x) if fn else 1 / math.sqrt(x)
            except (OverflowError, ZeroDivisionError):
                y = math.inf
            if math.isinf(y):
                return inf_bits | (a & (1 << 63))
            if ftz and abs(y) < 2.0 ** -1022:  # a subnormal result flushed, or not, near the edge
                return Approx("f64", y, absolute=2.0 ** -1022)
            return Approx("f64", y, relative=2.0 ** -22)
        forms.append(Form(name, f"{name} %0, %1;", [64, 64], expected, inputs))
    return forms


def variant_forms(existing):
    """existing: the names forms.py's families have (not repeated here)."""
    forms = (set_forms() + integer_setp_forms() + half_setp_forms(existing) + slct_forms(existing) + carry_forms() +
             mad24_forms(existing) + sat_forms(existing) + minmax_forms(existing) + abs_neg_forms(existing) +
             packed_approx_forms() + f64_approx_forms())
    return [f for f in forms if f.name not in existing]
