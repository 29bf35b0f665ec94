"""An independent model of NVIDIA's floating-point results, for the golden suite.

Values are exact rationals (fractions.Fraction); rounding is done on integers, the way the PTX
ISA and IEEE 754 define it. Nothing here uses the host's floating-point arithmetic for a result
that is compared bit for bit, and nothing here shares code with the C++ under test. NVIDIA's own
rules where they differ from IEEE's defaults are the facts measured on an H200 (issue 13):
canonical NaNs, .ftz tininess detected before rounding, -0 ordered below +0 in min and max.
"""

from dataclasses import dataclass
from fractions import Fraction
import math

RN, RZ, RM, RP, RNA = "rn", "rz", "rm", "rp", "rna"


@dataclass(frozen=True)
class Format:
    name: str
    exponent_bits: int
    fraction_bits: int
    has_infinity: bool = True  # e4m3 has none: its all-ones pattern is its only NaN
    canonical_nan: int | None = None  # None: any NaN is accepted (f64, not measured)

    @property
    def bits(self):
        return 1 + self.exponent_bits + self.fraction_bits

    @property
    def bias(self):
        return (1 << (self.exponent_bits - 1)) - 1

    @property
    def min_exponent(self):  # of the smallest normal
        return 1 - self.bias

    @property
    def max_exponent(self):
        top = (1 << self.exponent_bits) - 1
        return (top - 1 if self.has_infinity else top) - self.bias

    @property
    def largest(self):
        fraction = (1 << self.fraction_bits) - 1
        if not self.has_infinity:  # e4m3: S.1111.111 is NaN, S.1111.110 the largest
            fraction -= 1
        return Fraction(2**self.fraction_bits + fraction, 2**self.fraction_bits) * Fraction(2) ** self.max_exponent


F64 = Format("f64", 11, 52)
F32 = Format("f32", 8, 23, canonical_nan=0x7FFFFFFF)
F16 = Format("f16", 5, 10, canonical_nan=0x7FFF)
BF16 = Format("bf16", 8, 7, canonical_nan=0x7FFF)
TF32 = Format("tf32", 8, 10)  # stored in an f32 word, low 13 bits zero
E4M3 = Format("e4m3", 4, 3, has_infinity=False, canonical_nan=0x7F)
E5M2 = Format("e5m2", 5, 2, canonical_nan=0x7F)


class Value:
    """A decoded floating-point value: NaN, an infinity, or a signed exact rational."""

    def __init__(self, kind, negative=False, magnitude=Fraction(0), bits=None):
        self.kind = kind  # "nan", "inf" or "num"
        self.negative = negative
        self.magnitude = magnitude
        self.bits = bits

    @property
    def is_nan(self):
        return self.kind == "nan"

    @property
    def is_inf(self):
        return self.kind == "inf"

    @property
    def is_zero(self):
        return self.kind == "num" and self.magnitude == 0

    @property
    def exact(self):
        return -self.magnitude if self.negative else self.magnitude

    def __repr__(self):
        return f"Value({self.kind}, {'-' if self.negative else '+'}{self.magnitude})"


def decode(fmt, bits):
    sign = bits >> (fmt.bits - 1) & 1
    exponent = bits >> fmt.fraction_bits & ((1 << fmt.exponent_bits) - 1)
    fraction = bits & ((1 << fmt.fraction_bits) - 1)
    top = (1 << fmt.exponent_bits) - 1
    if fmt.has_infinity and exponent == top:
        kind = "nan" if fraction else "inf"
        return Value(kind, bool(sign), bits=bits)
    if not fmt.has_infinity and exponent == top and fraction == (1 << fmt.fraction_bits) - 1:
        return Value("nan", bool(sign), bits=bits)
    if exponent == 0:
        magnitude = Fraction(fraction, 2**fmt.fraction_bits) * Fraction(2) ** fmt.min_exponent
    else:
        magnitude = Fraction(2**fmt.fraction_bits + fraction, 2**fmt.fraction_bits) * Fraction(2) ** (exponent - fmt.bias)
    return Value("num", bool(sign), magnitude, bits)


def floor_log2(q):
    """floor(log2(q)) for a positive rational."""
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    return e


def round_integer(n, negative, mode):
    """n (a non-negative rational) rounded to an integer; the direction modes see the sign."""
    whole = n.numerator // n.denominator
    rest = n - whole
    if rest == 0:
        return whole
    if mode == RN:
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
            return whole + 1
        return whole
    if mode == RNA:
        return whole + 1 if rest >= Fraction(1, 2) else whole
    if mode == RZ:
        return whole
    if mode == RM:
        return whole + 1 if negative else whole
    if mode == RP:
        return whole if negative else whole + 1
    raise ValueError(mode)


def nan_bits(fmt):
    return fmt.canonical_nan if fmt.canonical_nan is not None else ANY_NAN


ANY_NAN = "nan"  # an expected result that matches any NaN


def infinity_bits(fmt, negative):
    return (int(negative) << (fmt.bits - 1)) | (((1 << fmt.exponent_bits) - 1) << fmt.fraction_bits)


def encode(fmt, negative, magnitude, mode=RN, ftz=False, satfinite=False):
    """The bits of the value (-1)^negative * magnitude rounded into fmt."""
    sign = int(negative) << (fmt.bits - 1)
    if magnitude == 0:
        return sign
    smallest_normal = Fraction(2) ** fmt.min_exponent
    if ftz and magnitude < smallest_normal:  # tininess before rounding (H200)
        return sign
    exponent = max(floor_log2(magnitude), fmt.min_exponent)
    quantum = Fraction(2) ** (exponent - fmt.fraction_bits)
    rounded = round_integer(magnitude / quantum, negative, mode) * quantum
    if rounded == 0 or (ftz and rounded < smallest_normal):
        return sign
    if rounded > fmt.largest:
        toward_zero = mode == RZ or (mode == RM and not negative) or (mode == RP and negative)
        if satfinite or (toward_zero and fmt.has_infinity):
            rounded = fmt.largest
        elif not fmt.has_infinity:
            return sign | fmt.canonical_nan
        else:
            return infinity_bits(fmt, negative)
    exponent = floor_log2(rounded)
    if exponent < fmt.min_exponent:  # subnormal
        field = 0
        fraction = int(rounded / (Fraction(2) ** (fmt.min_exponent - fmt.fraction_bits)))
    else:
        field = exponent + fmt.bias
        fraction = int(rounded / (Fraction(2) ** (exponent - fmt.fraction_bits))) - 2**fmt.fraction_bits
    return sign | field << fmt.fraction_bits | fraction


def result(fmt, value, mode=RN, ftz=False, satfinite=False):
    """Bits of an arithmetic result given as a Value."""
    if value.is_nan:
        return nan_bits(fmt)
    if value.is_inf:
        if satfinite:
            return encode(fmt, value.negative, fmt.largest, mode, ftz, True)
        return infinity_bits(fmt, value.negative)
    return encode(fmt, value.negative, value.magnitude, mode, ftz, satfinite)


def num(q, negative_zero=False):
    if q == 0:
        return Value("num", negative_zero, Fraction(0))
    return Value("num", q < 0, abs(q))


NAN = Value("nan")


def inf(negative):
    return Value("inf", negative)


def flush(fmt, v):
    """.ftz on an input: subnormals become zeros of the same sign."""
    if v.kind == "num" and 0 < v.magnitude < Fraction(2) ** fmt.min_exponent:
        return Value("num", v.negative, Fraction(0), int(v.negative) << (fmt.bits - 1))
    return v


def zero_sign_of_sum(negative_a, negative_b, mode):
    """The sign of an exact zero sum (IEEE 754 6.3)."""
    if negative_a and negative_b:
        return True
    if not negative_a and not negative_b:
        return False
    return mode == RM


def add(a, b, mode=RN):
    if a.is_nan or b.is_nan:
        return NAN
    if a.is_inf or b.is_inf:
        if a.is_inf and b.is_inf and a.negative != b.negative:
            return NAN
        return a if a.is_inf else b
    s = a.exact + b.exact
    if s == 0:
        if a.is_zero and b.is_zero:
            return num(0, zero_sign_of_sum(a.negative, b.negative, mode))
        return num(0, mode == RM)
    return num(s)


def neg(a):
    if a.is_nan:
        return a
    return Value(a.kind, not a.negative, a.magnitude)


def mul(a, b):
    if a.is_nan or b.is_nan:
        return NAN
    negative = a.negative != b.negative
    if a.is_inf or b.is_inf:
        if a.is_zero or b.is_zero:
            return NAN
        return inf(negative)
    return Value("num", negative, a.magnitude * b.magnitude)


def fma(a, b, c, mode=RN):
    return add(mul(a, b), c, mode)  # the product is exact: one rounding, in add


def div(a, b):
    if a.is_nan or b.is_nan:
        return NAN
    negative = a.negative != b.negative
    if a.is_inf:
        return NAN if b.is_inf else inf(negative)
    if b.is_inf:
        return Value("num", negative, Fraction(0))
    if b.is_zero:
        return NAN if a.is_zero else inf(negative)
    return Value("num", negative, a.magnitude / b.magnitude)


def sqrt_rounded(fmt, a, mode=RN, ftz=False):
    """Correctly rounded square root: an integer square root with enough bits and a sticky bit."""
    if a.is_nan or (a.negative and not a.is_zero):
        return nan_bits(fmt)
    if a.is_inf or a.is_zero:
        return result(fmt, a)
    q = a.magnitude
    e = floor_log2(q)
    shift = 2 * (fmt.fraction_bits + 4) - e
    shift += shift % 2  # an even power so the root is exact to scale
    scaled = q * Fraction(2) ** shift
    whole = scaled.numerator // scaled.denominator
    root = math.isqrt(whole)
    inexact = root * root != scaled
    # root + (1/4 if inexact) has the same rounding as the true root: the sticky quarter.
    approx = Fraction(root) + (Fraction(1, 4) if inexact else 0)
    return encode(fmt, False, approx / Fraction(2) ** (shift // 2), mode, ftz)


def minmax(a, b, is_min, nan_propagates=False):
    if a.is_nan and b.is_nan:
        return NAN
    if a.is_nan or b.is_nan:
        if nan_propagates:
            return NAN
        return b if a.is_nan else a

    def key(v):
        if v.is_inf:
            return (-1 if v.negative else 1) * math.inf, v.negative
        return v.exact, v.negative

    ka, kb = key(a), key(b)
    if ka[0] == kb[0]:  # equal values: -0 orders below +0
        pick_a = (a.negative or not b.negative) if is_min else (not a.negative or b.negative)
        return a if pick_a else b
    return a if (ka[0] < kb[0]) == is_min else b


def compare(a, b, op):
    """setp's comparisons: eq ne lt le gt ge (false when unordered), equ neu ltu leu gtu geu
    (true when unordered), num and nan."""
    unordered = a.is_nan or b.is_nan
    if op == "num":
        return not unordered
    if op == "nan":
        return unordered
    if unordered:
        return op.endswith("u")
    base = op[:-1] if op.endswith("u") else op
    va = (-math.inf if a.negative else math.inf) if a.is_inf else a.exact
    vb = (-math.inf if b.negative else math.inf) if b.is_inf else b.exact
    return {"eq": va == vb, "ne": va != vb, "lt": va < vb, "le": va <= vb, "gt": va > vb, "ge": va >= vb}[base]


def to_integer(a, bits, signed, mode, ftz=False, fmt=F32):
    """cvt.rXi.{s,u}N from a float: saturating, NaN to 0 (to .s64: the smallest s64, H200)."""
    if ftz:
        a = flush(fmt, a)
    low = -(1 << (bits - 1)) if signed else 0
    high = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    if a.is_nan:
        value = low if (signed and bits == 64) else 0
    elif a.is_inf:
        value = low if a.negative else high
    else:
        n = round_integer(a.magnitude, a.negative, mode)
        value = max(low, min(high, -n if a.negative else n))
    return value & ((1 << bits) - 1)


def integral(fmt, a, mode, ftz=False):
    """cvt.rXi.fN.fN: rounded to an integral value in the same format."""
    if ftz:
        a = flush(fmt, a)
    if a.is_nan:
        return nan_bits(fmt)
    if a.is_inf or a.is_zero:
        return result(fmt, a)
    n = round_integer(a.magnitude, a.negative, mode)
    return encode(fmt, a.negative, Fraction(n), RN, ftz)


def as_float(fmt, bits):
    """A finite value's bits as a Python float (for the bounds of .approx forms)."""
    v = decode(fmt, bits)
    if v.is_nan:
        return math.nan
    if v.is_inf:
        return -math.inf if v.negative else math.inf
    return float(v.exact) if not v.is_zero else (-0.0 if v.negative else 0.0)
