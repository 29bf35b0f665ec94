#!/usr/bin/env python3
"""Compile check: translates CUDA programs with `drawbridge translate` (launches kept as <<<>>> and
rewritten to hipLaunchKernelGGL) and compiles the results with Debian's hipcc for each target
(compile only, no edits by hand).

A program whose translation needs a HIP library that this machine lacks (Debian 12 packages no
hipBLAS, hipBLASLt, hipCUB, hipRAND, hipFFT, hipSPARSE or RCCL) is reported as NOT CHECKABLE with
the reason, and never counted as passing. Exit status: 0 when every checkable program compiles for
every target, 1 otherwise.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

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


def missing_library(translated_dir):
    for root, _, files in os.walk(translated_dir):
        for name in files:
            with open(os.path.join(root, name), errors="replace") as f:
                for header in re.findall(r'#\s*include\s*[<"]([^>"]+)[>"]', f.read()):
                    library = LIBRARY_HEADERS.get(header) or next(
                        (v for k, v in LIBRARY_DIRECTORIES.items() if header.startswith(k)), None)
                    if library and not any(
                            os.path.exists(os.path.join(d, header)) for d in INCLUDE_DIRS):
                        return f"needs <{header}> ({library}), which Debian 12 does not package"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drawbridge", required=True)
    parser.add_argument("--hipcc", required=True)
    parser.add_argument("--llvm-as", required=True)
    parser.add_argument("--llvm-dis", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--arch", action="append", required=True)
    parser.add_argument("--flags", action="append", default=[],
                        help="PROGRAM=FLAGS: hipcc flags a program's own build needs")
    parser.add_argument("programs", nargs="+")
    args = parser.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    libs = device_libraries(args.work, args.llvm_dis, args.llvm_as)
    extra = dict(f.split("=", 1) for f in args.flags)
    counts = {"PASS": 0, "FAIL": 0, "NOT CHECKABLE": 0}
    # Each program is translated twice: launches kept as <<<>>> and as hipLaunchKernelGGL.
    variants = [("", []), ("ggl", ["--hip-launch-syntax"])]
    for program in args.programs:
        for variant, flags in variants:
            stem = os.path.splitext(os.path.basename(program))[0]
            out = os.path.join(args.work, variant, stem)
            name = f"{program}{' (' + ' '.join(flags) + ')' if flags else ''}"
            translate = subprocess.run(
                [args.drawbridge, "translate", program, "--out-dir", out] + flags,
                capture_output=True, text=True)
            if translate.returncode == 2:
                print(f"FAIL {name}: translation failed\n{translate.stderr}")
                counts["FAIL"] += len(args.arch)
                continue
            why = missing_library(out)
            translated = os.path.join(out, os.path.basename(program))
            for arch in args.arch:
                if why:
                    print(f"NOT CHECKABLE {name} [{arch}]: {why}")
                    counts["NOT CHECKABLE"] += 1
                    continue
                command = [args.hipcc, "-std=c++17", f"--offload-arch={arch}", "-c", translated,
                           "-o", os.path.join(out, f"{stem}.{arch}.o"), "-w"]
                command += extra.get(os.path.basename(program), "").split()
                if libs:
                    command.append(f"--rocm-device-lib-path={libs}")
                compiled = subprocess.run(command, capture_output=True, text=True, env=HIP_ENV)
                verdict = "PASS" if compiled.returncode == 0 else "FAIL"
                counts[verdict] += 1
                print(f"{verdict} {name} [{arch}]")
                if compiled.returncode:
                    print(compiled.stderr)
    print(", ".join(f"{n} {k.lower()}" for k, n in counts.items()))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
