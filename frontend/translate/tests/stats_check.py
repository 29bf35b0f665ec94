#!/usr/bin/env python3
"""Stats check: `drawbridge translate --stats json` over every CUDA program in the repository (found
by glob, translated as the compile check translates them) must report zero unconverted references
that HIP can express: every unconverted reference is one the target HIP cannot express
(noHipEquivalent). Prints the per-family counts and the lines that break the rule."""
import argparse
import json
import os
import subprocess
import sys

from repository_programs import Expectations, find_programs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drawbridge", required=True)
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--root", required=True)
    parser.add_argument("--expectations", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    expectations = Expectations(args.expectations, root, os.path.realpath(args.build))

    # Programs translated with the same HIP version and arguments go through one -j run together.
    groups = {}
    for program in find_programs(root):
        key = (expectations.hip_version.get(program, "5.2"), tuple(expectations.args.get(program, [])))
        groups.setdefault(key, []).append(os.path.join(root, program))

    failures = 0
    for index, ((version, extra), programs) in enumerate(sorted(groups.items())):
        run = subprocess.run(
            [args.drawbridge, "translate", "--stats", "json", "-j", "2", "--hip-version", version,
             "--out-dir", os.path.join(args.work, str(index))] + list(extra) +
            programs, capture_output=True, text=True)
        if run.returncode not in (0, 2):
            print(f"translation failed (status {run.returncode}):\n{run.stderr}")
            return 1
        stats = json.loads(run.stdout)
        print(f"HIP {version}, {len(programs)} program(s), {stats['lines']} lines: "
              f"{stats['converted']} converted, {stats['unconverted']} unconverted, of which "
              f"{stats['noHipEquivalent']} HIP {version} cannot express")
        for family, counts in stats["families"].items():
            expressible = counts["unconverted"] - counts["noHipEquivalent"]
            if expressible:
                failures += expressible
                print(f"  {family}: {expressible} unconverted reference(s) that HIP can express")
        # Each such reference has a warning that says where it is.
        for line in run.stderr.splitlines():
            if "[DBT001]" in line or "[DBT014]" in line or "[DBT015]" in line:
                print("  " + line)
    print(f"{failures} unconverted reference(s) that HIP can express")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
