"""The PTX ISA's arithmetic instruction forms (ISA 9.0, sm_90 and older): the candidates the
coverage check asks the frontend about. Each form is its spelling, modifiers in the ISA's order,
and a kernel body that runs it on registers of its operands' widths (16, 32, 64 bits, "p" a
predicate). Written from the ISA's syntax sections, not from the frontend, so a form the
frontend newly accepts is a candidate here already.
"""

import itertools

INTEGER = ["u16", "u32", "u64", "s16", "s32", "s64"]
BITS = {"16": 16, "32": 32, "64": 64}
MODES = ["rn", "rz", "rm", "rp"]
FLOAT_COMPARE = ["eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan"]
SIGNED_COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"]
UNSIGNED_COMPARE = ["eq", "ne", "lo", "ls", "hi", "hs"]


def width(t):
    """Register width of a PTX type."""
    if t == "pred":
        return "p"
    if t in ("f16x2", "bf16x2", "u16x2", "s16x2", "e4m3x2", "e5m2x2"):
        return 32 if not t.startswith("e") else 16
    if t in ("f16", "bf16"):
        return 16
    if t in ("tf32",):
        return 32
    digits = "".join(c for c in t if c.isdigit())
    return max(16, int(digits)) if digits else 32


def join(*parts):
    return ".".join(p for p in parts if p)


def opt(modifier):
    return ["", modifier]


def body(spelling, widths):
    """One instruction on fresh registers of the given widths (the result first)."""
    names = {16: "%h", 32: "%r", 64: "%rd", "p": "%p"}
    counters = {16: 1, 32: 1, 64: 1, "p": 1}
    operands = []
    for w in widths:
        operands.append(f"{names[w]}{counters[w]}")
        counters[w] += 1
    return f"{spelling} {', '.join(operands)};"


class Forms:
    def __init__(self):
        self.forms = {}

    def add(self, spelling, widths, text=None):
        self.forms[spelling] = text or body(spelling, widths)

    def same(self, spelling, t, arity):
        self.add(spelling, [width(t)] * (arity + 1))


def integer_forms(f):
    for t in INTEGER:
        for op in ("add", "sub", "div", "rem", "min", "max"):
            f.same(join(op, t), t, 2)
        for half in ("hi", "lo"):
            f.same(join("mul", half, t), t, 2)
            f.same(join("mad", half, t), t, 3)
        if t[1:] != "64":
            w = width(t)
            f.add(join("mul.wide", t), [2 * w, w, w])
            f.add(join("mad.wide", t), [2 * w, w, w, 2 * w])
        f.same(join("sad", t), t, 3)
        if t.startswith("s"):
            f.same(join("abs", t), t, 1)
            f.same(join("neg", t), t, 1)
    for op in ("add", "sub"):
        f.same(f"{op}.sat.s32", "s32", 2)
    f.same("mad.hi.sat.s32", "s32", 3)
    for t in ("u16x2", "s16x2"):
        for op in ("min", "max"):
            f.same(join(op, t), t, 2)
            if t == "s16x2":
                f.same(join(op, "relu", t), t, 2)
    for t in ("u32", "s32"):
        for half in ("hi", "lo"):
            f.same(join("mul24", half, t), t, 2)
            f.same(join("mad24", half, t), t, 3)
    f.same("mad24.hi.sat.s32", "s32", 3)
    for t in ("u32", "s32", "u64", "s64"):
        for cc in ("add.cc", "addc", "addc.cc", "sub.cc", "subc", "subc.cc"):
            f.same(join(cc, t), t, 2)
        for half in ("hi", "lo"):
            for cc in ("mad.cc", "madc", "madc.cc"):
                parts = cc.split(".")
                f.same(join(parts[0], half, *parts[1:], t), t, 3)
    for a, b in itertools.product(("u32", "s32"), repeat=2):
        f.same(f"dp4a.{a}.{b}", "u32", 3)
        for half in ("lo", "hi"):
            f.same(f"dp2a.{half}.{a}.{b}", "u32", 3)


def bit_forms(f):
    for t in ("pred", "b16", "b32", "b64"):
        for op in ("and", "or", "xor"):
            f.same(join(op, t), t, 2)
        f.same(join("not", t), t, 1)
        if t != "pred":
            f.same(join("cnot", t), t, 1)
            f.add(join("shl", t), [width(t), width(t), 32])
            f.add(join("shr", t), [width(t), width(t), 32])
    for t in INTEGER:
        f.add(join("shr", t), [width(t), width(t), 32])
    for t in ("b32", "b64"):
        f.add(join("popc", t), [32, width(t)])
        f.add(join("clz", t), [32, width(t)])
        f.same(join("brev", t), t, 1)
        f.add(join("bfi", t), [width(t), width(t), width(t), 32, 32])
    for t in ("u32", "u64", "s32", "s64"):
        for shift in opt("shiftamt"):
            f.add(join("bfind", shift, t), [32, width(t)])
        f.add(join("bfe", t), [width(t), width(t), 32, 32])
    for mode in ("clamp", "wrap"):
        f.same(f"bmsk.{mode}.b32", "b32", 2)
        for direction in ("l", "r"):
            f.same(f"shf.{direction}.{mode}.b32", "b32", 3)
    f.add("lop3.b32", [], "lop3.b32 %r1, %r2, %r3, %r4, 0x96;")
    for mode in ("", "f4e", "b4e", "rc8", "ecl", "ecr", "rc16"):
        f.same(join("prmt.b32", mode), "b32", 3)


def float_forms(f):
    for rnd, ftz, sat in itertools.product([""] + MODES, opt("ftz"), opt("sat")):
        for op in ("add", "sub", "mul"):
            f.same(join(op, rnd, ftz, sat, "f32"), "f32", 2)
        if rnd:
            f.same(join("fma", rnd, ftz, sat, "f32"), "f32", 3)
        f.same(join("mad", rnd, ftz, sat, "f32"), "f32", 3)
    for rnd in [""] + MODES:
        for op in ("add", "sub", "mul"):
            f.same(join(op, rnd, "f64"), "f64", 2)
        if rnd:
            f.same(join("fma", rnd, "f64"), "f64", 3)
            f.same(join("mad", rnd, "f64"), "f64", 3)
            f.same(join("div", rnd, "f64"), "f64", 2)
            f.same(join("rcp", rnd, "f64"), "f64", 1)
            f.same(join("sqrt", rnd, "f64"), "f64", 1)
            for ftz in opt("ftz"):
                f.same(join("div", rnd, ftz, "f32"), "f32", 2)
                f.same(join("rcp", rnd, ftz, "f32"), "f32", 1)
                f.same(join("sqrt", rnd, ftz, "f32"), "f32", 1)
    for ftz in opt("ftz"):
        for kind in ("approx", "full"):
            f.same(join("div", kind, ftz, "f32"), "f32", 2)
        for op in ("rcp", "sqrt", "rsqrt", "sin", "cos", "lg2", "ex2"):
            f.same(join(op, "approx", ftz, "f32"), "f32", 1)
        for op in ("abs", "neg"):
            f.same(join(op, ftz, "f32"), "f32", 1)
        for op, nan, xorsign in itertools.product(("min", "max"), opt("NaN"), opt("xorsign.abs")):
            f.same(join(op, ftz, nan, xorsign, "f32"), "f32", 2)
        for test in FLOAT_COMPARE:
            f.add(join("setp", test, ftz, "f32"), ["p", 32, 32])
            for t in ("u32", "s32", "f32"):
                f.add(join("set", test, ftz, t, "f32"), [32, 32, 32])
        f.add(join("slct", ftz, "f32.f32"), [32, 32, 32, 32])
    f.same("tanh.approx.f32", "f32", 1)
    for op in ("rcp", "rsqrt"):
        f.same(f"{op}.approx.ftz.f64", "f64", 1)
    f.same("rsqrt.approx.f64", "f64", 1)
    for op in ("abs", "neg"):
        f.same(f"{op}.f64", "f64", 1)
    for op in ("min", "max"):
        f.same(f"{op}.f64", "f64", 2)
    for test in FLOAT_COMPARE:
        f.add(f"setp.{test}.f64", ["p", 64, 64])
    for t in ("f32", "f64"):
        f.same(f"copysign.{t}", t, 2)
        for test in ("finite", "infinite", "number", "notanumber", "normal", "subnormal"):
            f.add(f"testp.{test}.{t}", ["p", width(t)])


def half_forms(f):
    for t in ("f16", "f16x2", "bf16", "bf16x2"):
        brain = t.startswith("bf")
        ftzs = [""] if brain else opt("ftz")
        for ftz in ftzs:
            for op in ("add", "sub", "mul"):
                for rnd in ("", "rn"):
                    for sat in ([""] if brain else opt("sat")):
                        f.same(join(op, rnd, ftz, sat, t), t, 2)
            for sat in ([""] if brain else opt("sat")):
                f.same(join("fma.rn", ftz, sat, t), t, 3)
            f.same(join("fma.rn", ftz, "relu", t), t, 3)
            for op in ("abs", "neg"):
                f.same(join(op, ftz, t), t, 1)
            for op, nan, xorsign in itertools.product(("min", "max"), opt("NaN"), opt("xorsign.abs")):
                f.same(join(op, ftz, nan, xorsign, t), t, 2)
            for test in FLOAT_COMPARE:
                if t.endswith("x2"):
                    f.add(join("setp", test, ftz, t), [], f"setp.{join(test, ftz, t)} %p1|%p2, %r1, %r2;")
                else:
                    f.add(join("setp", test, ftz, t), ["p", 16, 16])
        f.same(f"tanh.approx.{t}", t, 1)
        f.same(f"ex2.approx.{'ftz.' if brain else ''}{t}", t, 1)


def compare_forms(f):
    for t in INTEGER + ["b16", "b32", "b64"]:
        tests = SIGNED_COMPARE if t[0] == "s" else UNSIGNED_COMPARE if t[0] == "u" else ["eq", "ne"]
        for test in tests:
            f.add(f"setp.{test}.{t}", ["p", width(t), width(t)])
        f.add(f"selp.{t}", [width(t), width(t), width(t), "p"])
        for c in ("s32", "f32"):
            f.add(f"slct.{t}.{c}", [width(t), width(t), width(t), 32])
    for t in ("f32", "f64"):
        f.add(f"selp.{t}", [width(t), width(t), width(t), "p"])
        f.add(f"slct.{t}.s32", [width(t), width(t), width(t), 32])
        if t == "f64":
            f.add("slct.f64.f32", [64, 64, 64, 32])
    for test, combine in itertools.product(["lt"], ["and", "or", "xor"]):
        f.add(f"setp.{test}.{combine}.s32", [], f"setp.{test}.{combine}.s32 %p1, %r1, %r2, %p2;")


FLOATS = ["f16", "bf16", "f32", "f64"]


def convert_forms(f):
    ints = ["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"]
    for to, frm in itertools.product(ints, ints):
        for sat in opt("sat"):
            f.add(join("cvt", sat, to, frm), [width(to), width(frm)])
    for to, frm in itertools.product(ints, FLOATS):
        for rnd, ftz, sat in itertools.product(["rni", "rzi", "rmi", "rpi"], opt("ftz") if frm == "f32" else [""],
                                               opt("sat")):
            f.add(join("cvt", rnd, ftz, sat, to, frm), [width(to), width(frm)])
    for to, frm in itertools.product(FLOATS, ints):
        for rnd, sat in itertools.product(MODES, opt("sat")):
            f.add(join("cvt", rnd, sat, to, frm), [width(to), width(frm)])
    for to, frm in itertools.product(FLOATS, FLOATS):
        ftzs = opt("ftz") if "f32" in (to, frm) else [""]
        narrowing = FLOATS.index(to) < FLOATS.index(frm) or {to, frm} == {"f16", "bf16"}
        if to == frm:
            rounding = ["rni", "rzi", "rmi", "rpi", ""]
        elif narrowing:
            rounding = MODES
        else:
            rounding = [""]
        for rnd, ftz, sat in itertools.product(rounding, ftzs, opt("sat")):
            f.add(join("cvt", rnd, ftz, sat, to, frm), [width(to), width(frm)])
    for to in ("f16", "bf16"):
        f.add(f"cvt.rn.relu.{to}.f32", [16, 32])
        for relu in opt("relu"):
            f.add(join("cvt.rn", relu, f"{to}x2.f32"), [32, 32, 32])
    for rnd, sat, relu in itertools.product(("rna", "rn", "rz"), opt("satfinite"), opt("relu")):
        f.add(join("cvt", rnd, sat, relu, "tf32.f32"), [32, 32])
    for to in ("e4m3x2", "e5m2x2"):
        for relu in opt("relu"):
            f.add(join("cvt.rn.satfinite", relu, to, "f32"), [16, 32, 32])
            f.add(join("cvt.rn.satfinite", relu, to, "f16x2"), [16, 32])
        for relu in opt("relu"):
            f.add(join("cvt.rn", relu, "f16x2", to), [32, 16])


def mma_forms(f):
    """mma.sync shapes and types of the ISA's dense mma (row.col), as lane fragments."""
    def add(shape, d, a, b, c, regs, extra=""):
        spelling = join("mma.sync.aligned", shape, "row.col", extra, d, a, b, c)
        groups = []
        counter = 1
        for n in regs:
            groups.append("{" + ", ".join(f"%r{counter + i}" for i in range(n)) + "}")
            counter += n
        f.add(spelling, [], f"{spelling} {', '.join(groups)};")
    for shape, k in (("m16n8k16", 16), ("m16n8k8", 8)):
        for t in ("f16", "bf16"):
            if t == "bf16":
                add(shape, "f32", t, t, "f32", [4, k // 4, k // 8, 4])
            else:
                add(shape, "f32", t, t, "f32", [4, k // 4, k // 8, 4])
                add(shape, "f16", t, t, "f16", [2, k // 4, k // 8, 2])  # D and C of one type (ptxas)
    for shape, a_regs, b_regs in (("m16n8k8", 4, 2), ("m16n8k4", 2, 1)):
        add(shape, "f32", "tf32", "tf32", "f32", [4, a_regs, b_regs, 4])
    for shapes, kinds in (((("m16n8k32", 4, 2), ("m16n8k16", 2, 1), ("m8n8k16", 1, 1)), ("s8", "u8")),
                          ((("m16n8k64", 4, 2), ("m16n8k32", 2, 1), ("m8n8k32", 1, 1)), ("s4", "u4"))):
        for (shape, a_regs, b_regs), a, b, sat in itertools.product(shapes, kinds, kinds, opt("satfinite")):
            d_regs = 2 if shape.startswith("m8") else 4
            add(shape, "s32", a, b, "s32", [d_regs, a_regs, b_regs, d_regs], sat)
    for (shape, a_regs, b_regs), op in itertools.product(
            (("m16n8k256", 4, 2), ("m16n8k128", 2, 1), ("m8n8k128", 1, 1)), ("and.popc", "xor.popc")):
        d_regs = 2 if shape.startswith("m8") else 4
        spelling = join("mma.sync.aligned", shape, "row.col.s32.b1.b1.s32", op)
        groups, counter = [], 1
        for n in (d_regs, a_regs, b_regs, d_regs):
            groups.append("{" + ", ".join(f"%r{counter + i}" for i in range(n)) + "}")
            counter += n
        f.add(spelling, [], f"{spelling} {', '.join(groups)};")


WMMA_SHAPES = ["m16n16k16", "m32n8k16", "m8n32k16"]


def wmma_forms(f):
    """wmma.mma.sync.aligned with its layouts; loads and stores move data (not arithmetic)."""
    def registers(n, first):
        return "{" + ", ".join(f"%r{first + i}" for i in range(n)) + "}"

    def add(shape, a_layout, b_layout, d, t, c, regs, sat=""):
        # f16 inputs are implied by the f16 shapes' spelling (.dtype.ctype); the others name theirs.
        types = [d, c] if t == "f16" else [d, t, t, c, sat]
        spelling = join("wmma.mma.sync.aligned", a_layout, b_layout, shape, *types)
        first, groups = 1, []
        for n in regs:
            groups.append(registers(n, first))
            first += n
        f.add(spelling, [], f"{spelling} {', '.join(groups)};")
    for a_layout, b_layout in itertools.product(("row", "col"), repeat=2):
        for shape in WMMA_SHAPES:
            for d, c in itertools.product(("f16", "f32"), repeat=2):
                add(shape, a_layout, b_layout, d, "f16", c, [8 if d == "f32" else 4, 8, 8, 8 if c == "f32" else 4])
            a_regs = {"m16n16k16": 4, "m32n8k16": 8, "m8n32k16": 2}[shape]
            b_regs = {"m16n16k16": 4, "m32n8k16": 2, "m8n32k16": 8}[shape]
            add(shape, a_layout, b_layout, "f32", "bf16", "f32", [8, a_regs, b_regs, 8])
            a_regs = {"m16n16k16": 2, "m32n8k16": 4, "m8n32k16": 1}[shape]
            b_regs = {"m16n16k16": 2, "m32n8k16": 1, "m8n32k16": 4}[shape]
            for t, sat in itertools.product(("s8", "u8"), opt("satfinite")):
                add(shape, a_layout, b_layout, "s32", t, "s32", [8, a_regs, b_regs, 8], sat)
        add("m16n16k8", a_layout, b_layout, "f32", "tf32", "f32", [8, 4, 4, 8])


def arithmetic_forms():
    """{spelling: kernel body} of every candidate form."""
    f = Forms()
    for family in (integer_forms, bit_forms, float_forms, half_forms, compare_forms, convert_forms, mma_forms,
                   wmma_forms):
        family(f)
    return f.forms


# Opcodes the frontend lowers that compute no new value of their own (data movement, control,
# synchronisation, special registers) or whose arithmetic is another form's (atom/red/redux
# add/min/max are those of add/min/max, made atomic): their tests are elsewhere (README.md).
NOT_ARITHMETIC = {
    "activemask", "atom", "bar", "barrier", "bra", "brkpt", "call", "cp", "createpolicy", "cvta", "elect",
    "exit", "fence", "griddepcontrol", "isspacep", "ld", "ldmatrix", "ldu", "match", "mbarrier", "membar",
    "mov", "movmatrix", "nanosleep", "prefetch", "prefetchu", "red", "redux", "ret", "shfl", "st", "stmatrix",
    "trap", "vote", "tex", "tld4", "txq", "suld", "sust", "suq", "sured", "istypep",
    # Cluster addressing in a cluster of one, a register budget hint, and named errors.
    "getctarank", "mapa", "setmaxnreg", "multimem", "wgmma",
}
