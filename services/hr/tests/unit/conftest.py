"""HR's unit tier: business rules over in-memory fakes of the ports (no database, no HTTP).
`hr_fakes.py` and `hr_builders.py` sit beside this file; importlib import mode does not put them
on sys.path, so this does. They carry the service's name because one pytest process imports a
top-level module name once: finance's unit tier has its own fakes and builders."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
