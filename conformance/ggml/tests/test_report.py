#!/usr/bin/env python3
"""report.py against logs written in test-backend-ops's console format (ggml's
tests/test-backend-ops.cpp: a failed case's reason comes before its "  OP(params): FAIL" line,
in older ggml after the colon), so that every case is counted once with its reason."""
import importlib.util
import pathlib
import unittest

here = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("report", here.parent / "report.py")
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)


def summarize(name):
    ops = {}
    unfinished = report.summarize(str(here / name), ops)
    return ops, unfinished


class ReportTest(unittest.TestCase):
    def test_counts_every_case_once(self):
        ops, unfinished = summarize("test-backend-ops.log")
        counted = {op: (len(c["passed"]), len(c["failed"]), len(c["unsupported"])) for op, c in ops.items()}
        self.assertEqual(
            counted,
            {
                "ADD": (2, 0, 0),
                "MUL_MAT": (1, 1, 0),
                "SOFT_MAX": (0, 1, 0),
                "EXP": (0, 1, 0),
                "SOLVE_TRI": (0, 0, 1),
                "GET_ROWS": (1, 0, 0),
                "CPY": (1, 0, 0),
                "ROPE": (0, 1, 0),
            },
        )
        self.assertEqual(unfinished, [])

    def test_reason_printed_before_the_case(self):
        ops, _ = summarize("test-backend-ops.log")
        params, reason = ops["MUL_MAT"]["failed"][0]
        self.assertTrue(params.startswith("type_a=q4_0,"))
        self.assertEqual(reason, "[MUL_MAT] ERR = 0.012345678 > 0.000500000")
        self.assertEqual(ops["SOFT_MAX"]["failed"][0][1], "[SOFT_MAX] NMSE = 0.000000103 > 0.000000100")
        self.assertEqual(ops["EXP"]["failed"][0][1], "[EXP] NaN at index 3 (CUDA0=nan CPU=1.000000)")

    def test_reason_printed_after_the_case(self):
        ops, _ = summarize("test-backend-ops.log")
        self.assertEqual(ops["ROPE"]["failed"][0][1], "[ROPE] NMSE = 0.000012000 > 0.000000100")

    def test_unsupported_reason(self):
        ops, _ = summarize("test-backend-ops.log")
        self.assertEqual(ops["SOLVE_TRI"]["unsupported"][0][1], "[CUDA0]")

    def test_log_ending_inside_a_comparison(self):
        ops, unfinished = summarize("ends-mid-case.log")
        self.assertEqual(len(ops["SCALE"]["passed"]), 1)
        self.assertEqual(len(unfinished), 1)
        op, message = unfinished[0]
        self.assertEqual(op, "MUL_MAT")  # the op the comparison names, not the case before
        self.assertIn("after SCALE(type=f32,", message)
        self.assertIn("[MUL_MAT] inf mismatch", message)

    def test_junit(self):
        ops, unfinished = summarize("test-backend-ops.log")
        more, ended = summarize("ends-mid-case.log")
        ops["SCALE"] = more["SCALE"]
        # MUL_MAT's log ended inside a case; GLU's process hung before its first case.
        times = {"MUL_MAT": (124, 600.0), "GLU": (124, 600.0), "ADD": (0, 1.5)}
        root = report.junit(ops, times, unfinished + ended).getroot()
        suites = {suite.get("name"): suite for suite in root}
        self.assertEqual(list(suites)[-1], "GLU")

        def attributes(op):
            return tuple(int(suites[op].get(key)) for key in ("tests", "failures", "errors", "skipped"))

        self.assertEqual(attributes("ADD"), (2, 0, 0, 0))
        self.assertEqual(suites["ADD"].get("time"), "1.5")
        self.assertEqual(attributes("MUL_MAT"), (3, 1, 1, 0))
        self.assertEqual(attributes("SOLVE_TRI"), (1, 0, 0, 1))
        self.assertEqual(attributes("GLU"), (1, 0, 1, 0))
        failure = suites["SOFT_MAX"].find("testcase/failure")
        self.assertEqual(failure.get("message"), "[SOFT_MAX] NMSE = 0.000000103 > 0.000000100")
        error = suites["MUL_MAT"].find("testcase/error")
        self.assertIn("[MUL_MAT] inf mismatch", error.get("message"))
        self.assertEqual(suites["GLU"].find("testcase/error").get("message"),
                         "test-backend-ops exited with status 124")
        skipped = suites["SOLVE_TRI"].find("testcase")
        self.assertEqual(skipped.get("name"), "SOLVE_TRI(type=f32,ne_lhs=[10,10,4,3],ne_rhs=[3,10,4,3])")
        self.assertEqual(skipped.find("skipped").get("message"), "not supported [CUDA0]")


if __name__ == "__main__":
    unittest.main()
