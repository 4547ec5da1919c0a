#!/usr/bin/env python3
"""Build the briefing site: `python build.py --help` lists the commands."""

import os
import sys
from pathlib import Path

from sitegen.cli import main

if __name__ == "__main__":
    code = main(project_root=Path(__file__).resolve().parent)
    # Every file is written and closed by now. What is left in memory (a whole site's
    # model, after a build) would be freed object by object on the way out; the system
    # takes it back at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
