#!/usr/bin/env python3
"""Summarizes a test-backend-ops log (mode test) per op: cases passed, failed, not supported,
with the reasons the log gives for failures and unsupported cases, and the case running when
the log ends early (a crash or a hang that was killed).

    report.py [--times ops/times.txt] [--junit report.xml] LOG...

Several logs (run.sh's ops step: one per op) add up; --times adds each op's exit status and
seconds (timeout's 124 is a hang or slow lowering, 137 a kill, 134 an abort); --junit also
writes the cases as JUnit XML, one test suite per op, for CI systems to show.
"""
import argparse
import collections
import re
import xml.etree.ElementTree as ElementTree

# A case's line is "  OP(params): OUTCOME". test-backend-ops prints why a case failed (its
# "[OP] NMSE = x > y " or "[OP] ERR = ...", NaN and inf reports) while comparing, before that
# line and without a newline, so a failed case's line starts with its reason.
CASE = re.compile(r"^(.*?)  ([A-Z][A-Z_0-9]*)\((.*)\): (.*)$")
REASON_OP = re.compile(r"^\[([A-Z][A-Z_0-9]*)\]")
COLOR = re.compile(r"\x1b\[[0-9;]*m")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", help="run.sh's ops/times.txt: op, exit status, seconds")
    parser.add_argument("--junit", help="also write the cases to this file as JUnit XML")
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    times = read_times(args.times) if args.times else {}
    ops = collections.OrderedDict()
    unfinished = []
    for path in args.logs:
        unfinished += summarize(path, ops)
    report(ops, times, unfinished)
    if args.junit:
        junit(ops, times, unfinished).write(args.junit, encoding="utf-8", xml_declaration=True)


def read_times(path):
    times = {}
    with open(path) as table:
        for row in table:
            op, status, seconds = row.split()
            times[op] = (int(status), float(seconds))
    return times


def summarize(path, ops):
    with open(path, errors="replace") as log:
        return summarize_lines(log, ops)


def summarize_lines(lines, ops):
    """Adds the cases of one log to `ops`; returns the case the log ends inside, if any, as
    (op, message)."""
    unfinished = None
    last, last_op = "the log's first case", None
    for raw in lines:
        line = COLOR.sub("", raw.rstrip("\n"))
        match = CASE.match(line)
        if not match:
            # A reason with no case after it: the log ends inside that case's comparison.
            if line.startswith("["):
                op = REASON_OP.match(line)
                unfinished = (op.group(1) if op else last_op,
                              f"the log ends comparing the case after {last}: {line.strip()}")
            continue
        prefix, op, params, outcome = match.groups()
        counts = ops.setdefault(op, {"passed": [], "failed": [], "unsupported": []})
        outcome = outcome.strip()
        unfinished = None
        last, last_op = f"{op}({params})", op
        if outcome.endswith("OK"):
            counts["passed"].append(params)
        elif outcome.startswith("not supported"):
            counts["unsupported"].append((params, outcome[len("not supported"):].strip()))
        elif outcome.endswith("FAIL"):
            # Older ggml printed the reason after the case's name, newer before it.
            reason = " ".join(part for part in (prefix.strip(), outcome[: -len("FAIL")].strip()) if part)
            counts["failed"].append((params, reason or "values differ"))
        elif outcome.startswith("skipping"):
            continue
        else:
            unfinished = (op, f"the log ends inside {op}({params}): {outcome}")
    return [unfinished] if unfinished else []


def report(ops, times, unfinished):
    total = collections.Counter()
    print(f"{'op':<28} {'passed':>7} {'failed':>7} {'not supported':>14}")
    for op, counts in ops.items():
        passed, failed, unsupported = (len(counts[kind]) for kind in ("passed", "failed", "unsupported"))
        total.update(passed=passed, failed=failed, unsupported=unsupported)
        print(f"{op:<28} {passed:>7} {failed:>7} {unsupported:>14}")
    print(f"{'total':<28} {total['passed']:>7} {total['failed']:>7} {total['unsupported']:>14}")
    for op, counts in ops.items():
        for kind in ("failed", "unsupported"):
            reasons = collections.Counter(reason for _, reason in counts[kind])
            for reason, n in reasons.most_common():
                example = next(p for p, r in counts[kind] if r == reason)
                print(f"{op} {kind} x{n}: {reason} (e.g. {op}({example}))")
    for op, (status, seconds) in times.items():
        print(f"{op}: exit status {status}, {seconds:.1f} s")
    for _, message in unfinished:
        print(message)
    if not ops:
        print("no test cases in the log: see it for why test-backend-ops did not run")


def junit(ops, times, unfinished):
    """One test suite per op: its cases, not-supported ones as skipped, and as an error the case
    a log ends inside or, without one, an exit status other than 0."""
    root = ElementTree.Element("testsuites", name="ggml test-backend-ops")
    ended = collections.defaultdict(list)
    for op, message in unfinished:
        ended[op].append(message)
    names = list(ops) + [op for op in list(times) + list(ended) if op not in ops]
    for op in dict.fromkeys(names):
        counts = ops.get(op, {"passed": [], "failed": [], "unsupported": []})
        suite = ElementTree.SubElement(root, "testsuite", name=op)
        if op in times:
            suite.set("time", f"{times[op][1]:.1f}")

        def case(params, outcome=None, message=""):
            element = ElementTree.SubElement(suite, "testcase", classname=f"ggml.{op}", name=f"{op}({params})")
            if outcome:
                ElementTree.SubElement(element, outcome, message=message)

        for params in counts["passed"]:
            case(params)
        for params, reason in counts["failed"]:
            case(params, "failure", reason)
        for params, reason in counts["unsupported"]:
            case(params, "skipped", f"not supported {reason}".strip())
        errors = ended[op] or ([f"test-backend-ops exited with status {times[op][0]}"]
                               if op in times and times[op][0] != 0 else [])
        for message in errors:
            case("process", "error", message)
        suite.set("tests", str(len(suite)))
        suite.set("failures", str(len(counts["failed"])))
        suite.set("errors", str(len(errors)))
        suite.set("skipped", str(len(counts["unsupported"])))
    return ElementTree.ElementTree(root)


if __name__ == "__main__":
    main()
