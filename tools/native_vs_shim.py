#!/usr/bin/env python3
"""Runs every test-program section the lit suites run through the shim, natively on NVIDIA's
runtime and through `drawbridge run`, and compares the two: same exit status, same last line.

Usage: native_vs_shim.py [--list] BUILD_DIR SOURCE_DIR [CUDA_LIB_DIR]

The sections are read from the lit tests (`%drawbridge run %testbin/PROGRAM [SECTION]`), so a
new section is compared as soon as a lit test runs it; a program run without a section is
compared whole. Programs run with other arguments (files) are left to their own tests. A section
whose program source carries `DRAWBRIDGE-ONLY(SECTION)` tests Drawbridge's own behaviour and is
not run natively. The instruction golden suite (frontend/ptx/tests/golden), whose driver takes
golden files rather than a section, runs natively on every committed golden and must find no
mismatch: its goldens are derived from the PTX ISA until a GPU confirms them. Without an NVIDIA
driver the native half cannot run: the script says why and
exits 77 (ctest's skip). --list prints what would be compared, and needs no driver.
"""
import ctypes
import os
import pathlib
import re
import subprocess
import sys

SKIPPED = 77
# The program, then a section or nothing before the line ends or its output is piped/redirected.
RUN_LINE = re.compile(
    r"%drawbridge run (?:--\S+ )*%testbin/(\S+)(?: ([A-Za-z][\w-]*))?(?=\s*(?:$|[|>]|2>))",
    re.MULTILINE,
)
# The test programs' suites; tools/ tests the drawbridge command itself, not CUDA behaviour.
SUITES = ("shim", "frontend")
MARKER = re.compile(r"DRAWBRIDGE-ONLY\(([\w-]+)\)")


def sections(source_dir: pathlib.Path) -> list[tuple[str, str]]:
    found = []
    tests = (t for suite in SUITES for t in sorted((source_dir / suite).rglob("*.test")))
    for test in tests:
        for program, section in RUN_LINE.findall(test.read_text()):
            if (program, section) not in found:
                found.append((program, section))
    return found


def drawbridge_only(source_dir: pathlib.Path, program: str, section: str) -> bool:
    # kernels_per_thread is built from kernels.cu: a source's name is the program's or its prefix.
    for source in source_dir.rglob("programs/*.cu"):
        if program == source.stem or program.startswith(source.stem + "_"):
            if section in MARKER.findall(source.read_text()):
                return True
    return False


def native_driver() -> str | None:
    """None when an NVIDIA GPU can run programs here, else why not."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return "no NVIDIA driver (libcuda.so.1 cannot be loaded)"
    if cuda.cuInit(0) != 0:
        return "the NVIDIA driver found no usable GPU (cuInit failed)"
    return None


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines[-1] if lines else ""


def describe(program: str, section: str) -> str:
    return f"{program} {section}" if section else program


def list_sections(source: pathlib.Path) -> int:
    found = sections(source)
    for program, section in found:
        only = drawbridge_only(source, program, section)
        print(describe(program, section) + (": DRAWBRIDGE-ONLY" if only else ""))
    print(f"{len(found)} sections")
    return 0


def golden_suite_matches(build: pathlib.Path, source: pathlib.Path, env: dict[str, str]) -> bool:
    goldens = sorted((source / "frontend/ptx/tests/golden/goldens").glob("*.golden"))
    status, last = run([str(build / "testbin" / "golden_driver"), *map(str, goldens)], env)
    print(f"{'PASS' if status == 0 else 'FAIL'} golden_driver natively: {last}")
    return status == 0


def main(build_dir: str, source_dir: str, cuda_lib_dir: str = "/usr/local/cuda/lib64") -> int:
    build, source = pathlib.Path(build_dir), pathlib.Path(source_dir)
    why_not = native_driver()
    if why_not:
        print(f"native-vs-shim: skipped: {why_not}; the native half needs an NVIDIA GPU")
        return SKIPPED
    native_env = dict(os.environ, LD_LIBRARY_PATH=cuda_lib_dir)
    failures = 0
    for program, section in sections(source):
        binary = str(build / "testbin" / program)
        name = describe(program, section)
        if drawbridge_only(source, program, section):
            print(f"SKIP {name}: marked DRAWBRIDGE-ONLY")
            continue
        arguments = [section] if section else []
        native = run([binary, *arguments], native_env)
        shim = run([str(build / "bin" / "drawbridge"), "run", binary, *arguments])
        same = native == shim and native[0] == 0
        failures += not same
        print(f"{'PASS' if same else 'FAIL'} {name}: native {native} shim {shim}")
    failures += not golden_suite_matches(build, source, native_env)
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--list"]:
        sys.exit(list_sections(pathlib.Path(sys.argv[3])))
    sys.exit(main(*sys.argv[1:]))
