"""Alembic glue shared by every service: an `env.py` body that works on SQLite and PostgreSQL
with async drivers, and programmatic upgrade/downgrade for `sop migrate` and the tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from sop_shared.db import async_url, is_sqlite


def alembic_config(ini_path: str | Path, url: str) -> Config:
    cfg = Config(str(ini_path))
    cfg.set_main_option("script_location", str(Path(ini_path).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return cfg


def run_env(target_metadata: MetaData | list[MetaData]) -> None:
    """The whole body of a service's `migrations/env.py`."""
    from alembic import context

    config = context.config
    url = config.get_main_option("sqlalchemy.url") or ""
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "render_as_batch": is_sqlite(url),  # SQLite alters tables by copy-and-move
        "compare_type": True,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return

    async def main() -> None:
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(run)
        await engine.dispose()

    asyncio.run(main())


async def upgrade_async(ini_path: str | Path, url: str, revision: str = "head") -> None:
    await _run_async(ini_path, url, lambda cfg: command.upgrade(cfg, revision))


async def downgrade_async(ini_path: str | Path, url: str, revision: str = "base") -> None:
    await _run_async(ini_path, url, lambda cfg: command.downgrade(cfg, revision))


async def _run_async(ini_path: str | Path, url: str, action: Any) -> None:
    if is_sqlite(url):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(ini_path, url)
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:

            def go(sync_conn: Connection) -> None:
                cfg.attributes["connection"] = sync_conn
                action(cfg)

            await conn.run_sync(go)
    finally:
        await engine.dispose()


def upgrade(ini_path: str | Path, url: str, revision: str = "head") -> None:
    asyncio.run(upgrade_async(ini_path, url, revision))


def downgrade(ini_path: str | Path, url: str, revision: str = "base") -> None:
    asyncio.run(downgrade_async(ini_path, url, revision))
