"""Procurement's unit tier (rules over in-memory fakes): puts its helper module on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

# procurement_fakes.py sits beside this file; importlib import mode does not put it on
# sys.path, so this does.
sys.path.insert(0, str(Path(__file__).resolve().parent))
