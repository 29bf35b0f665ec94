# Shared lit configuration. Each suite's lit.cfg.py sets its name and loads this file.
import os
import sys
import lit.formats

config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test", ".ptx", ".cu", ".ll"]
config.excludes = ["Inputs", "inputs"]

params = lit_config.params
build_dir = params["drawbridge_build_dir"]
config.test_exec_root = os.path.join(build_dir, "lit", config.name)

config.substitutions.append(("%drawbridge", os.path.join(build_dir, "bin", "drawbridge")))
config.substitutions.append(("%libdir", os.path.join(build_dir, "lib")))
config.substitutions.append(("%testbin", os.path.join(build_dir, "testbin")))
config.substitutions.append(("%srcdir", params["drawbridge_source_dir"]))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%nvcc", params["nvcc"]))
config.substitutions.append(("%ptxas", params["ptxas"]))
config.substitutions.append(("FileCheck", params["filecheck"]))
config.substitutions.append(("%llvm_bin", params["llvm_bin_dir"]))
config.environment["PATH"] = os.pathsep.join(
    [params["llvm_bin_dir"], config.environment.get("PATH", "/usr/bin:/bin")])
