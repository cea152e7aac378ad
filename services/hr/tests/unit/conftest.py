"""HR's unit tier: business rules over in-memory fakes of the ports (no database, no HTTP).
`fakes.py` and `builders.py` sit beside this file; importlib import mode does not put them on
sys.path, so this does."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
