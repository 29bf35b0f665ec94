#!/usr/bin/env python3
"""Summarizes a test-backend-ops log (mode test) per op: cases passed, failed, not supported,
with the reasons the log gives for failures and unsupported cases, and the case running when
the log ends early (a crash or a hang that was killed).

    report.py [--times ops/times.txt] LOG...

Several logs (run.sh's ops step: one per op) add up; --times adds each op's exit status and
seconds (timeout's 124 is a hang or slow lowering, 137 a kill, 134 an abort).
"""
import collections
import re
import sys

# A case's line is "  OP(params): OUTCOME". test-backend-ops prints why a case failed (its
# "[OP] NMSE = x > y " or "[OP] ERR = ...", NaN and inf reports) while comparing, before that
# line and without a newline, so a failed case's line starts with its reason.
CASE = re.compile(r"^(.*?)  ([A-Z][A-Z_0-9]*)\((.*)\): (.*)$")
COLOR = re.compile(r"\x1b\[[0-9;]*m")


def main(args):
    times = {}
    if args[:1] == ["--times"]:
        with open(args[1]) as table:
            for row in table:
                op, status, seconds = row.split()
                times[op] = (int(status), float(seconds))
        args = args[2:]
    ops = collections.OrderedDict()
    unfinished = []
    for path in args:
        unfinished += summarize(path, ops)
    report(ops, times, unfinished)


def summarize(path, ops):
    with open(path, errors="replace") as log:
        return summarize_lines(log, ops)


def summarize_lines(lines, ops):
    """Adds the cases of one log to `ops`; returns the case the log ends inside, if any."""
    unfinished = None
    last = "the log's first case"
    for raw in lines:
        line = COLOR.sub("", raw.rstrip("\n"))
        match = CASE.match(line)
        if not match:
            # A reason with no case after it: the log ends inside that case's comparison.
            if line.startswith("["):
                unfinished = f"the log ends comparing the case after {last}: {line.strip()}"
            continue
        prefix, op, params, outcome = match.groups()
        counts = ops.setdefault(op, {"passed": 0, "failed": [], "unsupported": []})
        outcome = outcome.strip()
        unfinished = None
        last = f"{op}({params})"
        if outcome.endswith("OK"):
            counts["passed"] += 1
        elif outcome.startswith("not supported"):
            counts["unsupported"].append((params, outcome[len("not supported"):].strip()))
        elif outcome.endswith("FAIL"):
            # Older ggml printed the reason after the case's name, newer before it.
            reason = " ".join(part for part in (prefix.strip(), outcome[: -len("FAIL")].strip()) if part)
            counts["failed"].append((params, reason or "values differ"))
        elif outcome.startswith("skipping"):
            continue
        else:
            unfinished = f"the log ends inside {op}({params}): {outcome}"
    return [unfinished] if unfinished else []


def report(ops, times, unfinished):
    total = collections.Counter()
    print(f"{'op':<28} {'passed':>7} {'failed':>7} {'not supported':>14}")
    for op, counts in ops.items():
        failed, unsupported = len(counts["failed"]), len(counts["unsupported"])
        total.update(passed=counts["passed"], failed=failed, unsupported=unsupported)
        print(f"{op:<28} {counts['passed']:>7} {failed:>7} {unsupported:>14}")
    print(f"{'total':<28} {total['passed']:>7} {total['failed']:>7} {total['unsupported']:>14}")
    for op, counts in ops.items():
        for kind in ("failed", "unsupported"):
            reasons = collections.Counter(reason for _, reason in counts[kind])
            for reason, n in reasons.most_common():
                example = next(p for p, r in counts[kind] if r == reason)
                print(f"{op} {kind} x{n}: {reason} (e.g. {op}({example}))")
    for op, (status, seconds) in times.items():
        print(f"{op}: exit status {status}, {seconds:.1f} s")
    for message in unfinished:
        print(message)
    if not ops:
        print("no test cases in the log: see it for why test-backend-ops did not run")


if __name__ == "__main__":
    main(sys.argv[1:])
