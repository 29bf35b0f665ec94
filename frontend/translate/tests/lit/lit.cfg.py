config.name = "translate"
lit_config.load_config(config, os.path.join(lit_config.params["drawbridge_source_dir"], "tools", "lit", "common.cfg.py"))
# The golden tests keep their CHECK lines beside the code they check; those comments are copied to
# the translated output and would match themselves, so they are removed before FileCheck reads it.
config.substitutions.insert(0, ("%strip-checks", "grep -v -E '^ *// *[A-Z0-9]+(-[A-Z0-9]+)*:'"))
config.substitutions.append(("%python", sys.executable))
