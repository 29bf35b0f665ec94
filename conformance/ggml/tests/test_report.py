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
        counted = {op: (c["passed"], len(c["failed"]), len(c["unsupported"])) for op, c in ops.items()}
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
        self.assertEqual(ops["SCALE"]["passed"], 1)
        self.assertEqual(len(unfinished), 1)
        self.assertIn("after SCALE(type=f32,", unfinished[0])
        self.assertIn("[MUL_MAT] inf mismatch", unfinished[0])


if __name__ == "__main__":
    unittest.main()
