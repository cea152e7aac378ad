"""`python -m sop_hr.switch --cluster C --to ADAPTER`: move a cluster's HR records to another
backend and bind the cluster to it (HR's settings and platform config from the environment)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from sop_hr.switch.migrate import SwitchFailed, migrate_cluster, unfreeze_cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sop_hr.switch",
        description="Move a cluster's HR records to another backend without stopping HR.",
    )
    parser.add_argument("--cluster", required=True, help="the cluster whose HR records move")
    parser.add_argument("--to", help="the adapter: native, oracle_like, sap_like")
    parser.add_argument(
        "--like-cluster",
        help="the cluster whose HR binding in the platform config lends the new backend's URL "
        "and credentials (default: the first one bound to that adapter)",
    )
    parser.add_argument("--base-url", help="the new backend's URL, if not the lending cluster's")
    parser.add_argument(
        "--unfreeze",
        action="store_true",
        help="only lift the freeze a switch whose process died left on the cluster",
    )
    args = parser.parse_args(argv)
    if args.unfreeze:
        asyncio.run(unfreeze_cluster(cluster=args.cluster))
        print(f"{args.cluster}: writes resumed on its current backend")
        return 0
    if not args.to:
        parser.error("--to is required (or --unfreeze)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        report = asyncio.run(
            migrate_cluster(
                cluster=args.cluster,
                to=args.to,
                like_cluster=args.like_cluster,
                base_url=args.base_url,
            )
        )
    except SwitchFailed as exc:
        print(f"switch failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. HR's database unreachable or not migrated
        print(f"switch failed before it started: {exc!r}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
