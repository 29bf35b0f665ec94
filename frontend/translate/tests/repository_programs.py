"""The repository's CUDA programs, found by glob so that programs added anywhere are covered, and
what the translator's checks expect of each (compile_check_expectations.txt)."""
import os
import re
import shlex
from collections import Counter

# The translator's golden-test inputs are fragments made to exercise diagnostics, not programs. The
# PTX golden suite's driver runs kernels that are PTX instruction forms written as inline assembly,
# one per form (hundreds of DBT018 errors by design): a HIP translation of it has nothing to run.
NOT_PROGRAMS = ["frontend/translate/tests/lit", "frontend/ptx/tests/golden"]

DIAGNOSTIC = re.compile(
    r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+):(?P<column>\d+))?: (?P<severity>error|warning|note): "
    r".* \[(?P<code>DBT\d{3})\]$", re.M)


def find_programs(root):
    """Every .cu file under `root`, relative to it, skipping hidden and build directories."""
    programs = []
    for directory, subdirs, files in os.walk(root):
        relative = os.path.relpath(directory, root)
        subdirs[:] = sorted(
            d for d in subdirs if not d.startswith(".") and
            not os.path.exists(os.path.join(directory, d, "CMakeCache.txt")) and
            os.path.normpath(os.path.join(relative, d)) not in NOT_PROGRAMS)
        programs += [os.path.normpath(os.path.join(relative, f)) for f in files if f.endswith(".cu")]
    return sorted(programs)


class Expectations:
    """Per program: the translator errors it must report (code, file, the name each is about), the
    library that makes it not checkable, the HIP version and extra arguments it is translated with,
    and the hipcc flags its own build needs."""

    def __init__(self, path, root, build):
        self.errors, self.not_checkable, self.hip_version = {}, {}, {}
        self.args, self.hipcc_flags = {}, {}
        with open(path) as f:
            for number, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                program, kind, *rest = line.split(None, 2)
                value = rest[0] if rest else ""
                if kind == "error":
                    self.errors.setdefault(program, Counter())[tuple(value.split())] += 1
                elif kind == "not-checkable":
                    self.not_checkable[program] = value
                elif kind == "hip-version":
                    self.hip_version[program] = value
                elif kind == "args":
                    # -I paths are relative to the repository root, or to the build directory
                    # when they start with {build}/ (headers the build generates).
                    self.args[program] = [
                        re.sub(r"^-I(?!/)", "-I" + root + "/", a.replace("{build}", build))
                        for a in shlex.split(value)]
                elif kind == "hipcc-flags":
                    self.hipcc_flags[program] = shlex.split(value)
                else:
                    raise SystemExit(f"{path}:{number}: unknown kind '{kind}'")

    def programs(self):
        return (set(self.errors) | set(self.not_checkable) | set(self.hip_version) |
                set(self.args) | set(self.hipcc_flags))


def translation_errors(stderr, root):
    """The error diagnostics of a translation as (code, file relative to root, name at the place)."""
    found = Counter()
    for m in DIAGNOSTIC.finditer(stderr):
        if m["severity"] != "error":
            continue
        name = "-"
        if m["line"]:
            with open(m["file"], errors="replace") as f:
                text = f.read().splitlines()[int(m["line"]) - 1][int(m["column"]) - 1:]
            name = re.match(r"[A-Za-z0-9_./:]*", text)[0] or "-"
        found[(m["code"], os.path.relpath(m["file"], root), name)] += 1
    return found
