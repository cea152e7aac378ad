"""Finance's unit tier (rules over in-memory fakes): puts its helper modules on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

# finance_fakes.py and finance_builders.py sit beside this file; importlib import mode does not
# put them on sys.path, so this does.
sys.path.insert(0, str(Path(__file__).resolve().parent))
