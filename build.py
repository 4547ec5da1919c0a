#!/usr/bin/env python3
"""Build the briefing site: `python build.py --help` lists the commands."""

import sys
from pathlib import Path

from sitegen.cli import main

if __name__ == "__main__":
    sys.exit(main(project_root=Path(__file__).resolve().parent))
