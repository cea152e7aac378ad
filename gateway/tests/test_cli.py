"""The `sop` command line in process: its commands, `sop token` against a seeded database,
the OpenAPI export with nothing running, and what the launcher would start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sop_gateway.cli import CommandError, build_parser, dev_token, main, seed_demo
from sop_gateway.launcher import banner, discover, migration_targets, repo_root, sop_command
from sop_gateway.settings import GatewaySettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """A development data directory of the test's own, migrated and seeded."""
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOP_ENV", "development")
    monkeypatch.setenv("SOP_PLATFORM_CONFIG", str(ROOT / "deploy" / "platform.yaml"))
    for name in ("SOP_GATEWAY_DATABASE_URL", "SOP_INTERNAL_JWKS_FILE", "SOP_GATEWAY_PORT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


async def migrated(sandbox: Path) -> GatewaySettings:
    from sop_shared.migrations import upgrade_async

    settings = GatewaySettings()
    await upgrade_async(ROOT / "gateway" / "alembic.ini", settings.database_url)
    await seed_demo(settings)
    return settings


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "migrate", "seed", "token", "tenants", "clusters", "openapi"):
        assert command in out


def test_tenant_actions_parse():
    args = build_parser().parse_args(
        [
            "tenants",
            "onboard",
            "dwp",
            "--name",
            "DWP",
            "--cluster",
            "matrix",
            "--issuer",
            "https://x",
        ]
    )
    assert (args.action, args.slug, args.cluster, args.issuer) == (
        "onboard",
        "dwp",
        "matrix",
        "https://x",
    )


async def test_sop_token_mints_what_the_gateway_accepts(sandbox):
    settings = await migrated(sandbox)
    token = await dev_token("home-office", "hr:read hr:write", None)

    from sop_gateway.app import Gateway

    gateway = Gateway(settings)
    identity = await gateway.verifier.verify(token)
    assert (identity.tenant, identity.scopes) == ("home-office", {"hr:read", "hr:write"})
    admin = await gateway.verifier.verify(await dev_token(None, None, 60))
    assert (admin.tenant, admin.scopes) == (None, {"platform:admin"})
    assert admin.expires_at - identity.expires_at < 0
    await gateway.database.dispose()


async def test_sop_token_explains_what_is_missing(sandbox):
    await migrated(sandbox)
    with pytest.raises(CommandError, match="no development client"):
        await dev_token("not-a-tenant", None, None)
    with pytest.raises(CommandError, match="not allowed"):
        await dev_token("home-office", "platform:admin", None)


async def test_sop_token_needs_the_development_provider(sandbox, monkeypatch):
    monkeypatch.setenv("SOP_GATEWAY_DEV_IDP", "false")
    with pytest.raises(CommandError, match="development identity provider"):
        await dev_token("home-office", None, None)


def test_openapi_export_works_with_nothing_running(sandbox, monkeypatch, capsys):
    # Ports nobody listens on: every document comes from importing the service's app.
    for name in ("HR", "FINANCE", "PROCUREMENT", "PAYROLL"):
        monkeypatch.setenv(f"SOP_{name}_PORT", "9")
    out = sandbox / "openapi.json"
    with pytest.raises(SystemExit) as done:
        main(["openapi", "-o", str(out)])
    assert done.value.code == 0
    document = json.loads(out.read_text())
    assert "/platform/v1/tenants" in document["paths"]
    assert document["x-sop-services"]["hr"] == "available"
    assert "/hr/v1/employees" in document["paths"]
    assert document["components"]["securitySchemes"]["sop_oauth2"]["type"] == "oauth2"


def test_the_launcher_starts_what_exists_and_the_gateway_last(sandbox):
    children = discover()
    names = [c.name for c in children]
    assert names[-1] == "gateway"
    assert "hr" in names
    assert names.index("hr") < names.index("gateway")
    targets = migration_targets(repo_root(), children)
    assert targets[0][0] == "gateway"
    assert "hr" in [t[0] for t in targets]
    text = banner(children, "home-office")
    sop = sop_command()
    assert f'TOKEN=$({sop} token --tenant home-office --scope "hr:read")' in text
    assert sop == "uv run sop" or sop.endswith("sop")  # a command that exists here
    assert "http://127.0.0.1:8000/hr/v1/employees" in text


def test_clusters_migrate_refuses_what_it_cannot_switch(sandbox, capfd):
    # A service without a switch is refused by the CLI itself...
    with pytest.raises(SystemExit) as done:
        main(
            ["clusters", "migrate", "--cluster", "unity", "--service", "finance", "--to", "native"]
        )
    assert done.value.code == 1
    assert "finance has no supplier switch" in capfd.readouterr().err
    # ...and an adapter HR lacks by HR's switch, before it touches anything.
    with pytest.raises(SystemExit) as done:
        main(["clusters", "migrate", "--cluster", "unity", "--service", "hr", "--to", "banana"])
    assert done.value.code == 1
    assert "HR has no 'banana' adapter" in capfd.readouterr().err


def _parsers(parser, path=("sop",)):
    """Every parser of the command line, with the words that reach it."""
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


def test_every_argument_has_help():
    bare = [
        f"{' '.join(path)} {action.dest}"
        for path, parser in _parsers(build_parser())
        for action in parser._actions
        if action.dest != "help" and not (action.help or "").strip()
    ]
    assert bare == []


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_clusters_help_lists_the_clusters_of_the_platform_config(sandbox, tmp_path, capsys):
    from sop_shared.platform_config import load_platform_config

    platform = load_platform_config(ROOT / "deploy" / "platform.yaml")
    out = _help(capsys, "clusters")
    assert str(ROOT / "deploy" / "platform.yaml") in out
    for name, cluster in platform.clusters.items():
        assert f"  {name} " in out and cluster.description in out
    assert "hr oracle_like" in out  # each service's adapter
    assert "  synergy " in _help(capsys, "clusters", "migrate")
    assert "  matrix " in _help(capsys, "tenants", "onboard")

    other = tmp_path / "other.yaml"
    other.write_text("clusters:\n  wales: {description: Welsh Government bodies}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOP_PLATFORM_CONFIG", str(other))
        out = _help(capsys, "clusters")
    assert "  wales " in out and "Welsh Government bodies" in out and "synergy" not in out


def test_clusters_help_shows_when_the_platform_config_is_missing(sandbox, monkeypatch, capsys):
    monkeypatch.setenv("SOP_PLATFORM_CONFIG", str(sandbox / "missing.yaml"))
    assert "cannot be read" in _help(capsys, "clusters")


def test_token_help_lists_every_scope(capsys):
    from sop_gateway.identity.config import ALL_SCOPES

    out = _help(capsys, "token")
    assert all(scope in out.split() for scope in ALL_SCOPES)
