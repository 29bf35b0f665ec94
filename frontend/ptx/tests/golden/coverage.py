#!/usr/bin/env python3
"""The golden suite's coverage check (ctest ptx_golden_coverage): every arithmetic instruction
form the PTX frontend accepts has goldens.

  coverage.py --accepts BIN   BIN is ptx_forms_accepted; fails, listing them, when
                              - an opcode the frontend lowers is neither in grammar.py's forms
                                nor in its NOT_ARITHMETIC list (a new instruction, unclassified),
                              - a form of grammar.py that the frontend accepts has no goldens
                                and is not in uncovered.txt,
                              - a form in uncovered.txt has goldens now or is not accepted (the
                                list only shrinks, and says what is still missing),
                              - a golden form's instruction is not a form of grammar.py (the
                                grammar is missing a spelling the suite runs).
  coverage.py --accepts BIN --list   prints the accepted forms and which have goldens
  coverage.py --accepts BIN --write-uncovered   rewrites uncovered.txt (review the diff)

uncovered.txt is the reviewed list of accepted forms the suite does not cover yet: the gap
issue 13's "every form the PTX frontend accepts" still has.
"""

import argparse
import pathlib
import re
import subprocess
import sys

import forms as F
import grammar


def golden_spellings():
    """The instructions the golden forms run: the opcodes with modifiers in their bodies."""
    spellings = set()
    for form in F.all_forms():
        if form.body == "cuda":
            continue  # a CUDA function: its instructions are the compiler's choice
        if form.body in ("mma", "wmma"):
            spellings.add(form.name)
            continue
        for statement in re.split(r"[;{}]", form.body):
            words = statement.split()
            if words and not words[0].startswith("."):
                spellings.add(words[0])
    return spellings


UNCOVERED_HEADER = """\
# Forms the PTX frontend accepts that the golden suite does not cover yet (coverage.py).
# Reviewed: the list may only shrink. Add a form's goldens (forms.py), then take it out here.
"""


def run(binary, *args, stdin=""):
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, check=True).stdout.split()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accepts", required=True, help="the ptx_forms_accepted program")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--write-uncovered", action="store_true")
    args = parser.parse_args()

    candidates = grammar.arithmetic_forms()
    accepted = set(run(args.accepts, stdin="".join(f"{name}\t{body}\n" for name, body in candidates.items())))
    goldens = golden_spellings()
    if args.list:
        for name in sorted(accepted):
            print(f"{'golden' if name in goldens else 'NONE  '} {name}")
        return 0

    uncovered_file = pathlib.Path(__file__).with_name("uncovered.txt")
    missing = accepted - goldens
    if args.write_uncovered:
        uncovered_file.write_text(UNCOVERED_HEADER + "".join(f"{name}\n" for name in sorted(missing)))
        return 0
    listed = {line for line in uncovered_file.read_text().splitlines() if line and not line.startswith("#")}

    problems = []
    opcodes = {name.split(".")[0] for name in candidates}
    for opcode in sorted(set(run(args.accepts, "--opcodes")) - opcodes - grammar.NOT_ARITHMETIC):
        problems.append(f"opcode '{opcode}' is lowered but grammar.py neither has its forms nor calls it "
                        "not arithmetic")
    for name in sorted(missing - listed):
        problems.append(f"accepted form without goldens: {name}")
    for name in sorted(listed - missing):
        problems.append(f"{name} is in uncovered.txt but {'has goldens' if name in goldens else 'is not accepted'}: "
                        "take it out")
    for name in sorted(goldens - set(candidates)):
        problems.append(f"golden form not in grammar.py: {name}")
    for problem in problems:
        print(problem)
    print(f"coverage: {len(candidates)} forms of the ISA, {len(accepted)} accepted, "
          f"{len(accepted & goldens)} of them with goldens, {len(listed)} listed uncovered, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
