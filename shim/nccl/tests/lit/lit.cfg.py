config.name = "nccl"
lit_config.load_config(config, os.path.join(lit_config.params["drawbridge_source_dir"], "tools", "lit", "common.cfg.py"))
# mpirun in CI runs as root on 2 cores: allow both, and more ranks than cores.
config.substitutions.append(("%mpirun", "mpirun --allow-run-as-root --oversubscribe --bind-to none"))

# Tests that put ranks on separate "machines" need to create network namespaces (root, and a
# kernel and container that allow it); elsewhere lit reports them unsupported, saying why.
import subprocess
probe = "drawbridge-probe-%d" % os.getpid()
try:
    created = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    why = created.stderr.strip() or "nothing"
except OSError as error:
    created, why = None, str(error)
if created and created.returncode == 0:
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    config.available_features.add("netns")
else:
    lit_config.note("multi-machine tests skipped: cannot create a network namespace (`ip netns "
                    "add` says: %s)" % why)
