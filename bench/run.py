"""`make bench`: runs every benchmark script in bench/ and prints one JSON document of figures.

Each script prints a JSON object on its last line of stdout. A script that fails is reported
with its exit code and the tail of its stderr; the others still run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Cheapest first, so a slow or failing one does not hide the others' figures.
ORDER = [
    "payroll_engine.py",
    "gateway.py",
    "events.py",
    "finance_trial_balance.py",
    "pay_runs.py",
]


def scripts() -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py") if p.name not in {"run.py", "__init__.py"})
    return sorted(found, key=lambda p: ORDER.index(p.name) if p.name in ORDER else len(ORDER))


def main() -> int:
    only = set(sys.argv[1:])
    results: dict[str, object] = {}
    failed = False
    for script in scripts():
        name = script.stem
        if only and name not in only:
            continue
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            check=False,
            cwd=HERE.parent,
            env=os.environ.copy(),
        )
        elapsed = round(time.perf_counter() - started, 1)
        if proc.returncode != 0:
            failed = True
            results[name] = {
                "error": proc.returncode,
                "stderr": proc.stderr[-2000:],
                "seconds": elapsed,
            }
            continue
        lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
        try:
            results[name] = {"figures": json.loads(lines[-1]), "seconds": elapsed}
        except (IndexError, json.JSONDecodeError):
            failed = True
            results[name] = {"error": "no JSON on the last line", "stdout": proc.stdout[-2000:]}
    doc = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "benchmarks": results,
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(doc, indent=2))
    print(json.dumps(doc, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
