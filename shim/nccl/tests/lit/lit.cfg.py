config.name = "nccl"
lit_config.load_config(config, os.path.join(lit_config.params["drawbridge_source_dir"], "tools", "lit", "common.cfg.py"))
# mpirun in CI runs as root on 2 cores: allow both, and more ranks than cores.
config.substitutions.append(("%mpirun", "mpirun --allow-run-as-root --oversubscribe --bind-to none"))
