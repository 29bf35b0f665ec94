#!/usr/bin/env python3
"""HIPIFY's unit tests as a target for `drawbridge translate`.

Takes a checkout of ROCm/HIPIFY (never vendored here), translates every lit file of its
tests/unit_tests with drawbridge, and prints the fraction of HIPIFY's CHECK lines the output
satisfies, by class:

  matched     the expected line appears in the translation of the code it checks
  spelling    a valid difference: a launch written <<<...>>> where HIPIFY writes
              hipLaunchKernelGGL (or the reverse), or an #include spelled another valid way
              ("..." for <...>, hipblas.h for hipblas/hipblas.h, hip_runtime.h for
              hip_runtime_api.h)
  untranslated  the translation still holds a CUDA name (counted per name family)
  different   translated, but not to what HIPIFY expects

A CHECK line is compared with the code lines that follow its block of CHECK comments up to the
next CHECK comment (drawbridge keeps comments byte for byte, so the region is found again in its
output), or with the rest of the file when no code comes before the next CHECK comment; like
FileCheck, the expected text may be part of a line. Whitespace is normalised. Launches compare
by kernel, dimensions (dim3(x) is x), shared memory, stream and arguments.

  hipify_unit_tests.py --hipify ~/src/HIPIFY --drawbridge build/bin/drawbridge [--list CLASS]
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

CHECK = re.compile(r"^\s*//\s*CHECK(?:-NEXT)?:\s?(.*)$")
ANY_CHECK = re.compile(r"^\s*//\s*[A-Z0-9]+(?:-[A-Z]+)*:")
DEFINE = re.compile(r"\s(-D\S+)")
CUDA_NAME = re.compile(
    r"\b(cuda[A-Z]\w*|CUDA_\w+|cu[A-Z]\w*|CU_\w+|CU[a-z]\w*|cublas\w*|CUBLAS\w*|cusparse\w*|"
    r"CUSPARSE\w*|cusolver\w*|CUSOLVER\w*|curand\w*|CURAND\w*|cufft\w*|CUFFT\w*|cudnn\w*|"
    r"CUDNN\w*|nvrtc\w*|NVRTC\w*|__nv_\w+|nv_bfloat\w*)\b")
FAMILIES = [("cublas", "cuBLAS"), ("cusparse", "cuSPARSE"), ("cusolver", "cuSOLVER"),
            ("curand", "cuRAND"), ("cufft", "cuFFT"), ("cudnn", "cuDNN"), ("nvrtc", "NVRTC"),
            ("cuda_r_", "CUDA_R/C data types"), ("cuda_c_", "CUDA_R/C data types"),
            ("cuda", "runtime"), ("__nv_", "fp16/bf16"), ("nv_", "fp16/bf16"), ("cu", "driver")]
LAUNCH_GGL = re.compile(r"hipLaunchKernelGGL\(")
LAUNCH_CHEVRON = re.compile(r"(\S+?)\s*<<<\s*(.+?)>>>\s*\((.*)\)")


def norm(text):
    return " ".join(text.split())


def family(name):
    lower = name.lower()
    for prefix, fam in FAMILIES:
        if lower.startswith(prefix):
            return fam
    return "other"


def split_top(text):
    """Splits at the commas outside parentheses, brackets and braces."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def unwrap(text, wrapper):
    """`wrapper(x)` -> x; `dim3(x)` and `x` are the same launch dimension, as are
    HIP_KERNEL_NAME(k), (k) and k."""
    text = norm(text)
    for w in (wrapper, ""):
        if text.startswith(w + "(") and text.endswith(")"):
            inner = text[len(w) + 1:-1]
            if len(split_top(inner)) == 1 or w == "dim3":
                return norm(inner)
    return text


def launch_key(text):
    """A launch as (kernel, grid, block, shared, stream, args), whatever its spelling."""
    m = LAUNCH_GGL.search(text)
    if m:
        close = balanced_end(text, m.end() - 1)
        parts = split_top(text[m.end():close]) if close else []
        if len(parts) >= 5:
            kernel = unwrap(parts[0], "HIP_KERNEL_NAME")
            dims = [unwrap(p, "dim3") for p in parts[1:3]]
            return (kernel, *dims, norm(parts[3]), norm(parts[4]),
                    norm(",".join(parts[5:])))
        return None
    m = LAUNCH_CHEVRON.search(text)
    if m:
        config = split_top(m.group(2)) + ["0", "0"]
        dims = [unwrap(p, "dim3") for p in config[:2]]
        return (unwrap(m.group(1), "HIP_KERNEL_NAME"), *dims, norm(config[2]), norm(config[3]),
                norm(m.group(3)))
    return None


def balanced_end(text, open_paren):
    """The index of the parenthesis closing the one at open_paren, or None."""
    depth = 0
    for i in range(open_paren, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return None


INCLUDE = re.compile(r'#\s*include\s*[<"]([^>"]+)[>"]')
HEADER_ALIASES = {"hipblas.h": "hipblas/hipblas.h", "hipsparse.h": "hipsparse/hipsparse.h",
                  "hipfft.h": "hipfft/hipfft.h", "hiprand.h": "hiprand/hiprand.h",
                  "hipsolver.h": "hipsolver/hipsolver.h", "hip/hip_runtime_api.h":
                  "hip/hip_runtime.h", "hip_runtime.h": "hip/hip_runtime.h",
                  "hipblaslt.h": "hipblaslt/hipblaslt.h", "hiprtc.h": "hip/hiprtc.h",
                  "rocblas.h": "rocblas/rocblas.h", "rocsparse.h": "rocsparse/rocsparse.h"}


def header_key(text):
    m = INCLUDE.search(text)
    if not m:
        return None
    name = m.group(1)
    return HEADER_ALIASES.get(name, name)


def regions(lines):
    """(expected, region lines) for each CHECK line; the region is the code after its block."""
    out = []
    i = 0
    while i < len(lines):
        if not CHECK.match(lines[i]):
            i += 1
            continue
        block = []
        while i < len(lines) and ANY_CHECK.match(lines[i]):
            m = CHECK.match(lines[i])
            if m and m.group(1).strip():
                block.append(m.group(1))
            i += 1
        j = i
        while j < len(lines) and not CHECK.match(lines[j]):
            j += 1
        code = [l for l in lines[i:j] if not ANY_CHECK.match(l)]
        if not any(l.strip() for l in code):
            # CHECK lines written apart from their code (all of a file's #include checks at its
            # top): like FileCheck, look in the rest of the file.
            code = [l for l in lines[i:] if not ANY_CHECK.match(l)]
        out.extend((expected, code) for expected in block)
        i = j
    return out


def classify(expected, code):
    want = norm(expected)
    got = [norm(l) for l in code]
    if any(want in g for g in got):
        return "matched", None
    key = launch_key(want)
    if key and any(launch_key(g) == key for g in got):
        return "spelling", None
    key = header_key(want)
    if key and any(header_key(g) == key for g in got):
        return "spelling", None
    wanted_names = set(CUDA_NAME.findall(want))
    left = [n for g in got for n in CUDA_NAME.findall(g) if n not in wanted_names]
    if left:
        return "untranslated", left[0]
    return "different", None


def translate(drawbridge, path, cuda_path, hip_version, work):
    with open(path, errors="replace") as f:
        text = f.read()
    run = next((l for l in text.splitlines() if "RUN:" in l), "")
    defines = [d for d in DEFINE.findall(run) if d.startswith("-D")]
    out = os.path.join(work, os.path.basename(path) + ".hip")
    # HIPIFY's --roc (also spelled -roc) is drawbridge's --roc: rocBLAS and friends.
    roc = ["--roc"] if re.search(r"\s--?roc\b", run) else []
    cmd = [drawbridge, "translate", path, "-o", out, "--hip-version", hip_version,
           "--cuda-path", cuda_path, "-I" + os.path.dirname(path)] + roc + defines
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if not os.path.exists(out):
        return path, text, None, proc.returncode
    with open(out, errors="replace") as f:
        return path, text, f.read(), proc.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hipify", required=True, help="a checkout of ROCm/HIPIFY")
    ap.add_argument("--drawbridge", required=True)
    ap.add_argument("--hip-version", default="7.1",
                    help="HIPIFY expects the newest HIP names (default 7.1)")
    ap.add_argument("--cuda-path", default="/usr/local/cuda")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--list", choices=["untranslated", "different", "spelling", "failed"],
                    help="print each CHECK line of this class with the file")
    args = ap.parse_args()
    drawbridge = os.path.abspath(args.drawbridge)

    root = os.path.join(args.hipify, "tests", "unit_tests")
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                   if f.endswith((".cu", ".cpp", ".cuh", ".c")))
    counts = collections.Counter()
    names = collections.Counter()
    failed_files = []
    with tempfile.TemporaryDirectory() as work, \
            concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        jobs = [pool.submit(translate, drawbridge, f, args.cuda_path, args.hip_version,
                            work) for f in files]
        for job in jobs:
            path, source, output, status = job.result()
            rel = os.path.relpath(path, root)
            if output is None:
                n = len(regions(source.splitlines()))
                counts["failed"] += n
                failed_files.append((rel, status, n))
                continue
            for expected, code in regions(output.splitlines()):
                cls, name = classify(expected, code)
                counts[cls] += 1
                if name:
                    names[family(name)] += 1
                if args.list == cls:
                    print(f"{rel}: {norm(expected)}\n    got: {' | '.join(norm(c) for c in code[:3])}")
    total = sum(counts.values())
    if not total:
        sys.exit("no CHECK lines found under " + root)
    print(f"HIPIFY unit tests: {len(files)} files, {total} CHECK lines "
          f"(drawbridge --hip-version {args.hip_version})")
    for cls in ["matched", "spelling", "untranslated", "different", "failed"]:
        print(f"  {cls:13} {counts[cls]:6}  {100.0 * counts[cls] / total:5.1f}%")
    satisfied = counts["matched"] + counts["spelling"]
    print(f"  satisfied     {satisfied:6}  {100.0 * satisfied / total:5.1f}%")
    if names:
        print("untranslated, by family: " +
              ", ".join(f"{fam} {n}" for fam, n in names.most_common()))
    for rel, status, n in failed_files:
        print(f"no output for {rel} (exit {status}, {n} CHECK lines)")


if __name__ == "__main__":
    main()
