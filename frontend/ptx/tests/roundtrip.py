#!/usr/bin/env python3
"""Round-trips every PTX module in a directory through Drawbridge's PTX frontend and back.

For each module: `drawbridge ptx --verify` lowers it to NVVM IR (LLVM's verifier must accept it),
LLVM's NVPTX backend (llc) turns the IR into PTX, and ptxas must accept that PTX. Prints one line
per module and a summary; exits non-zero if any module fails at any step.
"""
import argparse
import concurrent.futures
import pathlib
import subprocess
import sys


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.returncode, (result.stderr or result.stdout).strip()


def round_trip(module, args, work):
    ll = work / (module.stem + ".ll")
    ptx = work / (module.stem + ".rt.ptx")
    steps = [
        ("frontend", [args.drawbridge, "ptx", "--verify", "--sm", str(args.sm), str(module), "-o", str(ll)]),
        ("llc", [args.llc, "-O3", "-march=nvptx64", f"-mcpu=sm_{args.sm}", str(ll), "-o", str(ptx)]),
        # -c: modules built with -rdc=true call functions defined in other modules.
        ("ptxas", [args.ptxas, "-c", f"-arch=sm_{args.sm}", str(ptx), "-o", "/dev/null"]),
    ]
    for name, cmd in steps:
        code, output = run(cmd)
        if code != 0:
            return module.name, name, output.splitlines()[0] if output else f"exit {code}"
    return module.name, None, ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drawbridge", required=True)
    parser.add_argument("--llc", required=True)
    parser.add_argument("--ptxas", required=True)
    parser.add_argument("--sm", type=int, default=80)
    parser.add_argument("--work", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("corpus")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    modules = sorted(pathlib.Path(args.corpus).glob("*.ptx"))
    if not modules:
        print(f"no PTX modules in {args.corpus}")
        return 1
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda m: round_trip(m, args, work), modules))
    failed = 0
    for name, step, message in results:
        if step:
            failed += 1
            print(f"FAIL {name}: {step}: {message}")
        else:
            print(f"PASS {name}")
    print(f"{len(results) - failed}/{len(results)} modules round-trip (PTX -> NVVM IR -> llc -> "
          f"ptxas sm_{args.sm})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
