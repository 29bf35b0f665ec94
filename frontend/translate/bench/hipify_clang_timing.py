#!/usr/bin/env python3
"""Wall time of `drawbridge translate` beside AMD's hipify-clang on the same files.

A benchmark program, not a test. Each file is translated by both tools N times, alternating
(drawbridge, hipify-clang, drawbridge, ...) so that a busy moment on a shared machine hits both
alike; the best run of each is kept. Prints per file: lines, drawbridge seconds, hipify-clang
seconds and their ratio (below 1: drawbridge is faster), then the totals over the files both
translated. A file that either tool leaves without output (hipify-clang stops at a parse error,
for instance a HIPIFY unit test written for an older CUDA) is listed and left out of the totals.

Both tools get the same clang arguments: -I of the file's folder and of each --include, and the
-D arguments of a HIPIFY lit file's RUN line. hipify-clang also gets its own options from that
RUN line (--skip-excluded-preprocessor-conditional-blocks and so on) and, as drawbridge does for
itself, an empty texture_fetch_functions.h (CUDA 13 removed it; clang's CUDA wrapper includes
it). hipify-clang copies each file into the temporary folder and parses the copy there, so it runs
with TMPDIR set to a fresh folder, where no stray header can shadow the file's own.

  hipify_clang_timing.py --hipify-clang ~/hipify-build/hipify-clang \\
      --drawbridge build/bin/drawbridge -I shim/cudart/tests/programs [-n 5] FILE...
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hipify_unit_tests import run_line  # noqa: E402


def timed(cmd, out, env=None):
    """Seconds the command took, or None when it wrote no output file."""
    if os.path.exists(out):
        os.remove(out)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    seconds = time.perf_counter() - start
    return seconds if os.path.exists(out) else None


def commands(args, path, work):
    with open(path, errors="replace") as f:
        text = f.read()
    options, defines, roc = run_line(text)
    includes = ["-I" + os.path.abspath(d) for d in [os.path.dirname(path)] + args.include]
    out_db = os.path.join(work, "drawbridge.hip")
    out_hc = os.path.join(work, "hipify.hip")
    drawbridge = [args.drawbridge, "translate", path, "-o", out_db, "--cuda-path",
                  args.cuda_path] + (["--roc"] if roc else []) + includes + defines
    hipify = [args.hipify_clang, path, "-o", out_hc, "--cuda-path=" + args.cuda_path,
              "--clang-resource-directory=" + args.clang_resource_dir] + options + \
        ["--", "-std=c++17", "-I" + work] + includes + defines
    return len(text.splitlines()), (drawbridge, out_db), (hipify, out_hc)


def best(times):
    return None if None in times else min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hipify-clang", required=True, help="a hipify-clang binary")
    ap.add_argument("--drawbridge", required=True)
    ap.add_argument("--cuda-path", default="/usr/local/cuda")
    ap.add_argument("--clang-resource-dir",
                    help="hipify-clang's --clang-resource-directory (default: clang-19's)")
    ap.add_argument("-I", "--include", action="append", default=[],
                    help="an include folder for every file")
    ap.add_argument("-n", "--runs", type=int, default=5, help="runs of each tool per file")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    if not args.clang_resource_dir:
        args.clang_resource_dir = subprocess.run(
            ["clang-19", "-print-resource-dir"], capture_output=True, text=True,
            check=True).stdout.strip()

    print(f"{'file':48} {'lines':>6} {'drawbridge s':>12} {'hipify s':>9} {'ratio':>6}")
    totals = [0.0, 0.0]
    failed = []
    for path in args.files:
        with tempfile.TemporaryDirectory() as work:
            open(os.path.join(work, "texture_fetch_functions.h"), "w").close()
            tmp = os.path.join(work, "tmp")
            os.mkdir(tmp)
            env = dict(os.environ, TMPDIR=tmp)
            lines, (db, out_db), (hc, out_hc) = commands(args, path, work)
            db_times, hc_times = [], []
            for _ in range(args.runs):
                db_times.append(timed(db, out_db))
                hc_times.append(timed(hc, out_hc, env))
        name = path if len(path) <= 48 else "..." + path[-45:]
        db_best, hc_best = best(db_times), best(hc_times)
        if db_best is None or hc_best is None:
            who = "drawbridge" if db_best is None else "hipify-clang"
            failed.append(f"{path}: {who} wrote no output")
            continue
        totals[0] += db_best
        totals[1] += hc_best
        print(f"{name:48} {lines:6} {db_best:12.3f} {hc_best:9.3f} {db_best / hc_best:6.2f}")
    if totals[1]:
        print(f"{'total':48} {'':6} {totals[0]:12.3f} {totals[1]:9.3f} "
              f"{totals[0] / totals[1]:6.2f}")
    for line in failed:
        print("left out: " + line)


if __name__ == "__main__":
    main()
