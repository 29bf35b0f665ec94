config.name = "cublas"
lit_config.load_config(config, os.path.join(lit_config.params["drawbridge_source_dir"], "tools", "lit", "common.cfg.py"))
