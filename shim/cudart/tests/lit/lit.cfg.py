config.name = "cudart"
lit_config.load_config(config, os.path.join(lit_config.params["drawbridge_source_dir"], "tools", "lit", "common.cfg.py"))

# The ASan runtime of the compiler that built lib/asan/libcudart.so.13 (sanitizers.test).
import subprocess
asan_runtime = subprocess.run(
    [os.path.join(lit_config.params["llvm_bin_dir"], "clang"),
     "-print-file-name=libclang_rt.asan-x86_64.so"],
    capture_output=True, text=True, check=True).stdout.strip()
config.substitutions.append(("%asan_runtime", asan_runtime))
