"""The `sop` command line: run the platform, migrate, seed, mint development tokens, manage
tenants through the gateway's API, export the merged OpenAPI document, relay a service's outbox
and inspect the events on NATS (`sop events`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sop_gateway.settings import GatewaySettings
    from sop_gateway.tenants.registry import TenantRegistry
    from sop_gateway.tenants.service import Tenants

# Imports stay inside the commands: `sop --help` and `sop token` should answer at once.


class CommandError(Exception):
    """A failure to report in one line, without a traceback."""


# -- shared helpers (also used by the launcher) ---------------------------------------------


async def migrate_all(targets: list[tuple[str, Path, str]]) -> None:
    from sop_shared.migrations import upgrade_async

    for name, ini, url in targets:
        print(f"sop: migrating {name} ({url.split('://', 1)[0]})")
        await upgrade_async(ini, url)


async def seed_demo(settings: GatewaySettings) -> list[str]:
    from sop_gateway.seed import seed
    from sop_shared.db import Database
    from sop_shared.platform_config import load_platform_config

    database = Database(settings.database_url)
    try:
        added = await seed(database, settings, load_platform_config(settings.platform_config))
    finally:
        await database.dispose()
    print(f"sop: demo data seeded ({', '.join(added) if added else 'nothing new'})")
    return added


@asynccontextmanager
async def local_tenants(services: dict[str, str]) -> AsyncIterator[tuple[Tenants, TenantRegistry]]:
    """The tenant service wired in this process (for the launcher's provisioning)."""
    from sop_gateway.aux_http import aux_client
    from sop_gateway.identity.internal import InternalTokens
    from sop_gateway.keys import internal_signer
    from sop_gateway.settings import GatewaySettings
    from sop_gateway.tenants.provisioning import Provisioner
    from sop_gateway.tenants.registry import TenantRegistry
    from sop_gateway.tenants.service import Tenants
    from sop_shared.db import Database
    from sop_shared.platform_config import load_platform_config

    settings = GatewaySettings()
    database = Database(settings.database_url)
    signer, _ = internal_signer(settings)
    registry = TenantRegistry(database)
    async with aux_client(timeout=settings.provisioning_timeout_seconds) as client:
        provisioner = Provisioner(
            services=services,
            tokens=InternalTokens(signer),
            client=client,
            timeout=settings.provisioning_timeout_seconds,
        )
        tenants = Tenants(
            database=database,
            registry=registry,
            provisioner=provisioner,
            platform=load_platform_config(settings.platform_config),
            platform_issuers=set,
        )
        try:
            yield tenants, registry
        finally:
            await database.dispose()


async def dev_token(tenant: str | None, scope: str | None, lifetime: int | None) -> str:
    """A token from the development identity provider, minted in this process with its
    persisted key: what the client-credentials grant would return for the demo client."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from sop_gateway.devidp import repository
    from sop_gateway.devidp.service import DevIdentityProvider, OAuthError
    from sop_gateway.keys import load_dev_idp_key
    from sop_gateway.seed import ADMIN_CLIENT, integrator_client_id
    from sop_gateway.settings import GatewaySettings
    from sop_shared.db import Database

    settings = GatewaySettings()
    if not settings.dev_idp_enabled:
        raise CommandError(
            "`sop token` needs the development identity provider (SOP_ENV=development)"
        )
    client_id = integrator_client_id(tenant) if tenant else ADMIN_CLIENT
    database = Database(settings.database_url)
    try:
        try:
            async with database.transaction() as session:
                client = await repository.client(session, client_id)
        except (OperationalError, ProgrammingError):
            client = None
        if client is None:
            raise CommandError(
                f"no development client {client_id}: run `uv run sop seed` (or `sop run`), "
                "and onboard the tenant first if it is not a demo one"
            )
        provider = DevIdentityProvider(
            settings=settings, database=database, key=load_dev_idp_key(settings)
        )
        default = "platform:admin" if tenant is None else None
        try:
            return provider.client_token(client, scope or default, lifetime)
        except OAuthError as exc:
            raise CommandError(exc.description) from None
    finally:
        await database.dispose()


# -- commands -------------------------------------------------------------------------------


def cmd_run(_args: argparse.Namespace) -> int:
    from sop_gateway.launcher import run

    return asyncio.run(run())


def cmd_migrate(_args: argparse.Namespace) -> int:
    from sop_gateway.launcher import discover, migration_targets, repo_root

    asyncio.run(migrate_all(migration_targets(repo_root(), discover())))
    return 0


def cmd_seed(_args: argparse.Namespace) -> int:
    from sop_gateway.launcher import repo_root
    from sop_gateway.settings import GatewaySettings

    settings = GatewaySettings()
    root = repo_root()

    async def go() -> None:
        await migrate_all([("gateway", root / "gateway" / "alembic.ini", settings.database_url)])
        await seed_demo(settings)

    asyncio.run(go())
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    print(asyncio.run(dev_token(args.tenant, args.scope, args.lifetime)))
    return 0


def _admin_client(args: argparse.Namespace) -> Any:
    import httpx

    from sop_gateway.settings import GatewaySettings

    token = args.token or os.environ.get("SOP_ADMIN_TOKEN")
    if not token:
        try:
            token = asyncio.run(dev_token(None, "platform:admin", 600))
        except CommandError as exc:
            raise CommandError(
                f"{exc}; outside development pass a platform:admin token with --token "
                "or SOP_ADMIN_TOKEN"
            ) from None
    base = args.gateway or os.environ.get("SOP_GATEWAY_URL") or GatewaySettings().public_url
    return httpx.Client(
        base_url=base.rstrip("/") + "/platform/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _show(response: Any, expect: tuple[int, ...] = (200, 201)) -> int:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if response.status_code not in expect:
        detail = body.get("detail") if isinstance(body, dict) else body
        print(f"sop: {response.status_code} {detail}", file=sys.stderr)
        return 1
    print(json.dumps(body, indent=2))
    return 0


def cmd_tenants(args: argparse.Namespace) -> int:
    import httpx

    try:
        with _admin_client(args) as client:
            if args.action == "list":
                params = {
                    k: v for k, v in (("status", args.status), ("cluster", args.cluster)) if v
                }
                items: list[dict[str, Any]] = []
                cursor = None
                while True:
                    page = client.get(
                        "/tenants",
                        params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})},
                    )
                    if page.status_code != 200:
                        return _show(page)
                    items += page.json()["items"]
                    cursor = page.json()["next_cursor"]
                    if not cursor:
                        break
                for t in items:
                    issuer = (t.get("issuer") or {}).get("issuer") or "platform issuer"
                    print(f"{t['slug']:<24} {t['status']:<13} {t['cluster']:<12} {issuer}")
                return 0
            if args.action == "show":
                return _show(client.get(f"/tenants/{args.slug}"))
            if args.action == "onboard":
                body: dict[str, Any] = {
                    "slug": args.slug,
                    "name": args.name,
                    "cluster": args.cluster,
                }
                if args.issuer:
                    body["issuer"] = {"issuer": args.issuer}
                    if args.audience:
                        body["issuer"]["audience"] = args.audience
                    if args.scope_claims:
                        body["issuer"]["claims"] = {"scopes": args.scope_claims.split(",")}
                return _show(client.post("/tenants", json=body))
            if args.action in ("suspend", "resume", "provision"):
                return _show(client.post(f"/tenants/{args.slug}/{args.action}"))
    except httpx.HTTPError as exc:
        raise CommandError(f"cannot reach the gateway: {exc}") from None
    return 2


def cmd_openapi(args: argparse.Namespace) -> int:
    from sop_gateway.openapi_export import export

    document = asyncio.run(export())
    text = json.dumps(document, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
        services = document.get("x-sop-services", {})
        print(f"sop: wrote {args.output} ({len(document['paths'])} paths; services: {services})")
    return 0


# Services with a supplier switch, and the module that runs it (in that service's own
# environment: the CLI starts it as a process, as `sop run` does, and never imports the app).
SWITCHES = {"hr": "sop_hr.switch"}


def cmd_clusters(args: argparse.Namespace) -> int:
    import subprocess

    module = SWITCHES.get(args.service)
    if module is None:
        raise CommandError(
            f"{args.service} has no supplier switch yet (services with one: {', '.join(SWITCHES)})"
        )
    argv = [sys.executable, "-m", module, "--cluster", args.cluster, "--to", args.to]
    if args.like_cluster:
        argv += ["--like-cluster", args.like_cluster]
    if args.base_url:
        argv += ["--base-url", args.base_url]
    return subprocess.run(argv, check=False).returncode


def events_nats_url(given: str | None) -> str:
    """NATS for `sop events` and `sop relay`: --nats-url, else SOP_NATS_URL, else the server
    `sop run` started (its URL is noted in the data directory), else nats://127.0.0.1:4222."""
    from sop_gateway.launcher import nats_url_file

    if given:
        return given
    if os.environ.get("SOP_NATS_URL"):
        return os.environ["SOP_NATS_URL"]
    noted = nats_url_file()
    if noted.exists() and noted.read_text().strip():
        return noted.read_text().strip()
    return "nats://127.0.0.1:4222"


def cmd_relay(args: argparse.Namespace) -> int:
    from sop_gateway.launcher import database_url
    from sop_shared.events.relay import main as relay_main

    argv = [
        "--service",
        args.service,
        "--database-url",
        args.database_url or database_url(args.service),
        "--nats-url",
        events_nats_url(args.nats_url),
    ]
    return relay_main(argv)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def cmd_events(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from sop_shared.events import jetstream

    url = events_nats_url(args.nats_url)

    async def go() -> int:
        async with jetstream.jetstream(url, name="sop-cli") as nc:
            if args.action == "status":
                streams = await jetstream.status(nc)
                if args.json:
                    print(json.dumps([asdict(s) for s in streams], indent=2))
                    return 0
                if not streams:
                    print(f"no SOP streams on {url} yet (a relay or consumer creates them)")
                for st in streams:
                    print(
                        f"{st.name}  {','.join(st.subjects)}  {st.messages} messages, "
                        f"{_size(st.bytes)}, seq {st.first_seq}..{st.last_seq}"
                    )
                    if st.consumers:
                        print(
                            f"  {'consumer':<36} {'pending':>8} {'unacked':>8} "
                            f"{'redeliv':>8}  filter"
                        )
                    for c in st.consumers:
                        print(
                            f"  {c.name:<36} {c.pending:>8} {c.ack_pending:>8} "
                            f"{c.redelivered:>8}  {c.filter}"
                        )
                return 0
            if args.action == "dead-letters":
                letters = await jetstream.dead_letters(
                    nc, limit=args.limit, consumer=args.consumer, tenant=args.tenant
                )
                if args.json:
                    print(json.dumps([asdict(d) for d in letters], indent=2, default=str))
                    return 0
                if not letters:
                    print("no dead letters")
                for d in letters:
                    print(
                        f"#{d.seq}  {d.failed_at}  {d.consumer}  {d.type}  tenant={d.tenant}  "
                        f"id={d.event_id}  deliveries={d.deliveries}\n      {d.failure}"
                    )
                return 0
            if args.action == "replay":
                try:
                    subject, letter = await jetstream.replay(nc, args.seq, keep=args.keep)
                except LookupError as exc:
                    raise CommandError(str(exc)) from None
                kept = "kept" if args.keep else "removed from the dead letters"
                print(
                    f"replayed #{letter.seq} ({letter.type} {letter.event_id}) to {subject}; {kept}"
                )
                return 0
        return 2

    try:
        return asyncio.run(go())
    except ConnectionError as exc:
        raise CommandError(
            f"{exc} (is `sop run` running? or pass --nats-url / set SOP_NATS_URL)"
        ) from None


class SopParser(argparse.ArgumentParser):
    """An argument parser whose epilog may be written only when help is asked for
    (`epilog_from`): the clusters come from the platform config, which `sop token` and the
    other commands should not have to read to start."""

    def __init__(self, *args: Any, epilog_from: Callable[[], str] | None = None, **kwargs: Any):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        if kwargs.get("description"):
            kwargs["description"] = textwrap.fill(kwargs["description"], 79)
        super().__init__(*args, **kwargs)
        self.epilog_from = epilog_from

    def format_help(self) -> str:
        if self.epilog_from is not None:
            self.epilog = self.epilog_from()
        return super().format_help()


def clusters_epilog() -> str:
    """The clusters of the platform config (SOP_PLATFORM_CONFIG), each with its description
    and which adapter each service is bound to."""
    from sop_gateway.settings import GatewaySettings
    from sop_shared.platform_config import load_platform_config

    path = GatewaySettings().platform_config
    try:
        platform = load_platform_config(path)
    except Exception as exc:  # a help page must show, whatever the config's state
        return f"clusters: the platform config {path} cannot be read ({exc})"
    if not platform.clusters:
        return f"clusters: none in the platform config {path}"
    lines = [f"clusters in the platform config {path}:"]
    for name, cluster in sorted(platform.clusters.items()):
        bound = ", ".join(f"{svc} {b.adapter}" for svc, b in sorted(cluster.bindings.items()))
        lines.append(f"  {name:<14} {cluster.description}")
        if bound:
            lines.append(f"  {'':<14} ({bound})")
    return "\n".join(lines)


def token_epilog() -> str:
    from sop_gateway.identity.config import ALL_SCOPES

    width = max(len(s) for s in ALL_SCOPES)
    areas: dict[str, list[str]] = {}
    for scope in ALL_SCOPES:
        areas.setdefault(scope.split(":", 1)[0], []).append(scope.ljust(width))
    lines = ["scopes (--scope takes any of them, space-separated):"]
    lines += ["  " + " ".join(scopes).rstrip() for scopes in areas.values()]
    lines += [
        "a tenant's token (--tenant) may carry every scope but platform:admin; without",
        "--scope it carries them all. Without --tenant the token is platform:admin.",
        'e.g. sop token --tenant home-office --scope "hr:read hr:write"',
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = SopParser(prog="sop", description="SOP: the single operating platform's command line.")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="one of these; each has --help"
    )

    sub.add_parser(
        "run", help="migrate, seed and start every process (Ctrl-C stops them all)"
    ).set_defaults(func=cmd_run)
    sub.add_parser(
        "migrate", help="upgrade the gateway's and every service's database"
    ).set_defaults(func=cmd_migrate)
    sub.add_parser(
        "seed", help="add the demo tenants and development clients (idempotent)"
    ).set_defaults(func=cmd_seed)

    token = sub.add_parser(
        "token",
        help="print an access token from the development identity provider",
        description="Print an access token of the development identity provider, minted in "
        "this process for the tenant's `<tenant>-integrator` client (or `sop-admin`).",
        epilog_from=token_epilog,
    )
    token.add_argument("--tenant", help="the tenant's slug (omit for a platform:admin token)")
    token.add_argument("--scope", help='space-separated scopes, e.g. "hr:read hr:write"')
    token.add_argument("--lifetime", type=int, default=None, help="seconds (default 3600)")
    token.set_defaults(func=cmd_token)

    tenants = sub.add_parser("tenants", help="list, onboard, suspend or resume tenants")
    tenants.add_argument("--gateway", help="gateway URL (default SOP_GATEWAY_URL or the local one)")
    tenants.add_argument("--token", help="a platform:admin token (default SOP_ADMIN_TOKEN, or dev)")
    actions = tenants.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="what to do"
    )
    listing = actions.add_parser("list", help="list tenants")
    listing.add_argument(
        "--status", choices=["provisioning", "active", "suspended"], help="only tenants so"
    )
    listing.add_argument("--cluster", help="only the tenants of this cluster")
    for name, text in (
        ("show", "show one tenant"),
        ("suspend", "suspend a tenant: its tokens get 403 everywhere"),
        ("resume", "resume a suspended tenant"),
        ("provision", "provision a tenant again in every service (completes an onboarding)"),
    ):
        actions.add_parser(name, help=text).add_argument("slug", help="the tenant's slug")
    onboard = actions.add_parser(
        "onboard",
        help="onboard a department",
        description="Register a department, provision it in every service and activate it. "
        "In development it also gets a client <slug>-integrator and the users "
        "officer@<slug> and approver@<slug> (password demo). See docs/onboarding.md.",
        epilog_from=clusters_epilog,
    )
    onboard.add_argument(
        "slug", help="lower-case letters, digits and hyphens, 3-63 characters, e.g. dwp"
    )
    onboard.add_argument("--name", required=True, help="the department's name")
    onboard.add_argument(
        "--cluster", required=True, help="the cluster that will hold its records (listed below)"
    )
    onboard.add_argument("--issuer", help="the department's own OIDC issuer URL")
    onboard.add_argument("--audience", help="audience its tokens carry (default sop-api)")
    onboard.add_argument("--scope-claims", help="claims holding scopes, e.g. roles,scp")
    tenants.set_defaults(func=cmd_tenants)

    clusters = sub.add_parser(
        "clusters",
        help="move a cluster's records to another supplier",
        description="A cluster is the set of systems (adapters) that hold its tenants' "
        "records. `sop clusters migrate` moves one service of a cluster to another supplier.",
        epilog_from=clusters_epilog,
    )
    cluster_actions = clusters.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="what to do"
    )
    move = cluster_actions.add_parser(
        "migrate",
        help="copy, verify, then re-bind a cluster's service to another adapter "
        "(writes pause meanwhile; safe to re-run after a failure)",
        epilog_from=clusters_epilog,
    )
    move.add_argument("--cluster", required=True, help="the cluster to move (listed below)")
    move.add_argument("--service", required=True, help="e.g. hr")
    move.add_argument("--to", required=True, help="native, oracle_like or sap_like")
    move.add_argument("--like-cluster", help="a cluster whose binding lends URL and credentials")
    move.add_argument("--base-url", help="the new backend's URL")
    clusters.set_defaults(func=cmd_clusters)

    relay = sub.add_parser(
        "relay", help="publish a service's outbox to NATS JetStream (sop run starts one each)"
    )
    relay.add_argument("service", help="hr, finance, payroll, ...")
    relay.add_argument("--database-url", help="default: the service's (SOP_<SERVICE>_DATABASE_URL)")
    relay.add_argument("--nats-url", help="default: SOP_NATS_URL, or the one sop run started")
    relay.set_defaults(func=cmd_relay)

    events = sub.add_parser(
        "events", help="inspect events on NATS: streams, consumers, dead letters"
    )
    events.add_argument("--nats-url", help="default: SOP_NATS_URL, or the one sop run started")
    event_actions = events.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="what to show or do"
    )
    ev_status = event_actions.add_parser(
        "status", help="streams, message counts, consumers and their lag"
    )
    ev_status.add_argument("--json", action="store_true", help="print JSON, not a table")
    letters = event_actions.add_parser("dead-letters", help="list events consumers gave up on")
    letters.add_argument("--consumer", help="only this consumer's")
    letters.add_argument("--tenant", help="only this tenant's")
    letters.add_argument("--limit", type=int, default=100, help="the newest N (default 100)")
    letters.add_argument("--json", action="store_true", help="print JSON, not a list")
    again = event_actions.add_parser(
        "replay", help="republish a dead letter to its original subject"
    )
    again.add_argument("seq", type=int, help="the dead letter's number (from dead-letters)")
    again.add_argument("--keep", action="store_true", help="keep it in the dead letters")
    events.set_defaults(func=cmd_events)

    openapi = sub.add_parser("openapi", help="write the merged OpenAPI document")
    openapi.add_argument("-o", "--output", default="openapi.json", help="file, or - for stdout")
    openapi.set_defaults(func=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except CommandError as exc:
        print(f"sop: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    raise SystemExit(code)
