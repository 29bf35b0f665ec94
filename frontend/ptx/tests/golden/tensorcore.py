"""The sum an sm_90 tensor core forms for one element of mma.sync's f32 D, in exact rationals.

Fasi, Higham, Mikaitis and Pranesh, "Numerical behavior of NVIDIA tensor cores" (PeerJ CS,
2021), and the later H100 measurements: the products are exact; each term (the products and
the accumulator) is aligned to the largest exponent among them, the bits below f32's 24-bit
precision there dropped toward zero; the aligned terms are summed exactly and the sum is
normalised once, truncated to f32. sm_90 adds 16 products and the accumulator at once: one
group per m16n8k16. A NaN or an invalid product or sum gives the canonical NaN, an infinity
an infinity, and a sum beyond f32's range overflows to an infinity.
"""

from fractions import Fraction

from softfloat import F32, RZ, add, encode, floor_log2, infinity_bits, mul, nan_bits

PRECISION = 24


def tensor_core_sum(a, b, c):
    products = [mul(x, y) for x, y in zip(a, b)]
    ieee = c
    for p in products:
        ieee = add(ieee, p)
    if ieee.is_nan:
        return nan_bits(F32)
    if ieee.is_inf:
        return infinity_bits(F32, ieee.negative)
    terms = [c] + products
    nonzero = [t.magnitude for t in terms if not t.is_zero]
    if not nonzero:
        return encode(F32, all(t.negative for t in terms), Fraction(0))
    quantum = Fraction(2) ** (max(floor_log2(m) for m in nonzero) - (PRECISION - 1))
    total = 0
    all_negative = True
    for t in terms:
        kept = int(t.magnitude / quantum)  # toward zero
        total += -kept if t.negative else kept
        all_negative &= t.negative and kept == 0
    if total == 0:
        return encode(F32, all_negative, Fraction(0))
    value = total * quantum
    if abs(value) > F32.largest:
        return infinity_bits(F32, value < 0)
    return encode(F32, value < 0, abs(value), RZ)
