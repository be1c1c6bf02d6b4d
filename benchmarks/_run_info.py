"""Where a benchmark ran, for its JSON report: one definition for the scripts that use it."""

import os
import platform
import sys
from pathlib import Path


def run_info(*modules):
    """``{"cpu_count", "versions", "command"}`` of this run.

    ``versions`` holds ``module.__version__`` of each imported module under its name
    (e.g. ``sklearn``), then Python's; ``command`` is the command line as it was run.
    """
    versions = {m.__name__: m.__version__ for m in modules}
    versions["python"] = platform.python_version()
    return {
        "cpu_count": os.cpu_count(),
        "versions": versions,
        "command": " ".join([Path(sys.executable).name] + sys.argv),
    }
