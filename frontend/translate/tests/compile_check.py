#!/usr/bin/env python3
"""Compile check: every CUDA program in the repository (found by glob) is translated with
`drawbridge translate` and compiled with Debian's hipcc for each target (compile only, no edits by
hand), with launches kept as <<<>>> and, where it has launches, rewritten to hipLaunchKernelGGL
(whose host side is compiled again).

compile_check_expectations.txt says what is expected where a program cannot compile:
- a program whose translation reports errors (what the target HIP cannot express) must report
  exactly the errors listed for it, and is not compiled;
- a program needing a HIP library that Debian 12 does not package (hipBLAS, hipBLASLt, hipCUB,
  hipRAND, hipFFT, hipSPARSE, RCCL, rocThrust) is NOT CHECKABLE, named with the library, and must be
  listed as such.
Anything else that does not compile, and any difference from the expectations, fails. --shard K/N
checks every Nth program, so that ctest can run shards side by side.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

from repository_programs import Expectations, find_programs, translation_errors

# hipcc guesses its platform: NVIDIA when it finds nvcc but no unversioned clang++, which is
# the case on a bare Debian 12 with the CUDA toolkit. Drawbridge translates for AMD, so say so.
HIP_ENV = dict(os.environ, HIP_PLATFORM="amd")

# Headers of HIP libraries, with the package that would provide them.
LIBRARY_HEADERS = {
    "hipblas.h": "hipBLAS", "hipblas/hipblas.h": "hipBLAS", "hipblaslt/hipblaslt.h": "hipBLASLt",
    "hipcub/hipcub.hpp": "hipCUB", "hiprand/hiprand.h": "hipRAND",
    "hiprand/hiprand_kernel.h": "hipRAND", "hipfft/hipfft.h": "hipFFT",
    "hipsparse/hipsparse.h": "hipSPARSE", "rccl/rccl.h": "RCCL",
}
# Whole directories: Thrust headers keep their names under rocThrust.
LIBRARY_DIRECTORIES = {"thrust/": "rocThrust"}
INCLUDE_DIRS = ["/usr/include", "/opt/rocm/include"]
BITCODE_DIRS = ["/usr/lib/x86_64-linux-gnu/amdgcn/bitcode", "/opt/rocm/amdgcn/bitcode"]


def device_libraries(work, llvm_dis, llvm_as):
    """Debian's rocm-device-libs (built with clang 15) lack gfx11 ISA bitcode, which hipcc needs for
    gfx1100. The ISA file only defines __oclc_ISA_version, so a copy of a gfx10 one with the version
    number changed stands in; every other file is Debian's."""
    source = next((d for d in BITCODE_DIRS if os.path.isdir(d)), None)
    if source is None:
        return None
    libs = os.path.join(work, "device-libs")
    os.makedirs(libs, exist_ok=True)
    for bc in glob.glob(os.path.join(source, "*.bc")):
        link = os.path.join(libs, os.path.basename(bc))
        if not os.path.lexists(link):
            os.symlink(bc, link)
    isa1100 = os.path.join(libs, "oclc_isa_version_1100.bc")
    if not os.path.exists(isa1100):
        text = subprocess.run([llvm_dis, "-o", "-", os.path.join(source, "oclc_isa_version_1030.bc")],
                              check=True, capture_output=True, text=True).stdout
        text = re.sub(r"constant i32 10300", "constant i32 11000", text)
        subprocess.run([llvm_as, "-o", isa1100], input=text, check=True, text=True)
    return libs


def translated_files(out):
    for directory, _, files in os.walk(out):
        for name in files:
            with open(os.path.join(directory, name), errors="replace") as f:
                yield f.read()


def missing_libraries(out):
    """The HIP libraries the translation includes that this machine lacks, as "hipBLAS, hipBLASLt"."""
    missing = set()
    for text in translated_files(out):
        for header in re.findall(r'#\s*include\s*[<"]([^>"]+)[>"]', text):
            library = LIBRARY_HEADERS.get(header) or next(
                (v for k, v in LIBRARY_DIRECTORIES.items() if header.startswith(k)), None)
            if library and not any(os.path.exists(os.path.join(d, header)) for d in INCLUDE_DIRS):
                missing.add(library)
    return ", ".join(sorted(missing)) or None


def located(out, program):
    """Where --out-dir put the program: it mirrors the tree below the files' common directory."""
    parts = program.split("/")
    for start in range(len(parts)):
        candidate = os.path.join(out, *parts[start:])
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f"{program}: the translation wrote no such file under {out}")


def expectation_lines(program, errors):
    return sorted(f"{program} error {' '.join(key)}" for key in errors.elements())


class Checker:
    def __init__(self, args, expectations, libs):
        self.args, self.expect, self.libs = args, expectations, libs
        self.counts = {"PASS": 0, "FAIL": 0, "EXPECTED ERRORS": 0, "NOT CHECKABLE": 0}

    def verdict(self, kind, message, detail=""):
        self.counts[kind] += 1
        print(f"{kind} {message}")
        if detail:
            print(detail.rstrip())
        sys.stdout.flush()

    def translate(self, program, out, flags):
        command = [self.args.drawbridge, "translate", os.path.join(self.args.root, program),
                   "--out-dir", out] + flags + self.expect.args.get(program, [])
        if program in self.expect.hip_version:
            command += ["--hip-version", self.expect.hip_version[program]]
        return subprocess.run(command, capture_output=True, text=True)

    def check(self, program):
        out = os.path.join(self.args.work, "plain", program + ".d")
        translation = self.translate(program, out, [])
        if translation.returncode not in (0, 2):
            return self.verdict("FAIL", f"{program}: translation crashed", translation.stderr)
        errors = translation_errors(translation.stderr, self.args.root)
        expected = self.expect.errors.get(program, type(errors)())
        if errors != expected:
            return self.verdict(
                "FAIL", f"{program}: translation errors differ from compile_check_expectations.txt",
                "expected:\n  " + "\n  ".join(expectation_lines(program, expected)) +
                "\nreported:\n  " + "\n  ".join(expectation_lines(program, errors)) + "\n" +
                translation.stderr)
        if errors:
            return self.verdict("EXPECTED ERRORS",
                                f"{program}: {sum(errors.values())} translation error(s), as listed")
        library = missing_libraries(out)
        if library != self.expect.not_checkable.get(program):
            return self.verdict(
                "FAIL", f"{program}: needs library {library}, compile_check_expectations.txt says "
                f"{self.expect.not_checkable.get(program)}")
        if library:
            return self.verdict("NOT CHECKABLE", f"{program}: {library} not packaged by Debian 12")
        variants = [("plain", out)]
        if any("<<<" in text for text in translated_files(out)):
            ggl = os.path.join(self.args.work, "ggl", program + ".d")
            launches = self.translate(program, ggl, ["--hip-launch-syntax"])
            if launches.returncode != 0:
                return self.verdict("FAIL", f"{program} (--hip-launch-syntax): translation failed",
                                    launches.stderr)
            variants.append(("hip-launch-syntax", ggl))
        for variant, directory in variants:
            self.compile(program, variant, directory)

    def include_flags(self, program, directory):
        """The program's -I directories for hipcc: the translated copy (headers that needed
        translating) first, then the original (headers that did not)."""
        # The tree mirrors the repository below `mirrored`, where the program's path ends.
        source = located(directory, program)
        mirrored = os.path.join(self.args.root, program)[:-len(os.path.relpath(source, directory))]
        flags = []
        for include in (a[2:] for a in self.expect.args.get(program, []) if a.startswith("-I")):
            below = os.path.relpath(include, mirrored)
            translated = os.path.join(directory, below)
            if not below.startswith("..") and os.path.isdir(translated):
                flags.append(f"-I{translated}")
            flags.append(f"-I{include}")
        return flags

    def compile(self, program, variant, directory):
        source = located(directory, program)
        # One hipcc run builds every target: the host side is shared, each device side is its own.
        command = [self.args.hipcc, "-std=c++17", "-c", source, "-o", source + ".o", "-w"]
        if variant != "plain":
            # The launch spelling changes host code only; the plain variant compiled the same
            # kernels for the devices already.
            command.append("--cuda-host-only")
        command += [f"--offload-arch={arch}" for arch in self.args.arch]
        command += self.include_flags(program, directory) + self.expect.hipcc_flags.get(program, [])
        if self.libs:
            command.append(f"--rocm-device-lib-path={self.libs}")
        compiled = subprocess.run(command, capture_output=True, text=True, env=HIP_ENV)
        name = f"{program} ({variant}) [{' '.join(self.args.arch)}]"
        if compiled.returncode:
            self.verdict("FAIL", name, compiled.stderr)
        else:
            self.verdict("PASS", name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drawbridge", required=True)
    parser.add_argument("--hipcc", required=True)
    parser.add_argument("--llvm-as", required=True)
    parser.add_argument("--llvm-dis", required=True)
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--expectations", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--arch", action="append", required=True)
    parser.add_argument("--shard", default="0/1", help="K/N: check programs K, K+N, K+2N...")
    parser.add_argument("programs", nargs="*", help="only these (relative to --root)")
    args = parser.parse_args()
    args.root = os.path.realpath(args.root)
    shard, shards = map(int, args.shard.split("/"))

    expectations = Expectations(args.expectations, args.root, os.path.realpath(args.build))
    programs = find_programs(args.root)
    stale = sorted(expectations.programs() - set(programs))
    programs = [p for p in programs if not args.programs or p in args.programs][shard::shards]

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    checker = Checker(args, expectations, device_libraries(args.work, args.llvm_dis, args.llvm_as))
    if shard == 0:
        for program in stale:
            checker.verdict("FAIL", f"{program}: listed in compile_check_expectations.txt, not found")
    for program in programs:
        checker.check(program)
    print(", ".join(f"{n} {k.lower()}" for k, n in checker.counts.items()))
    return 1 if checker.counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
