"""The `sop` command line (placeholder until the launcher lands)."""

def main() -> None:
    raise SystemExit("sop: not built yet")
