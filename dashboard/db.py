"""Engines and migrations: the one place that knows how to reach the database."""
from __future__ import annotations

import functools
import select
import time
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from psycopg.pq import ConnStatus
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from dashboard.config import ROOT

# A pooled PostgreSQL connection idle longer than this is pinged (a round trip) before use; one
# used more recently is only checked locally (no round trip), see _check_on_checkout.
PING_AFTER_IDLE_SECONDS = 10.0


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the settings each backend needs (SQLite: FKs, WAL, busy wait)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if make_url(url).get_driver_name() != "psycopg":
        return create_engine(url, pool_pre_ping=True, **kwargs)  # another driver: a ping per checkout
    engine = create_engine(url, **kwargs)
    _plan_per_value(engine)
    _check_on_checkout(engine)
    return engine


def _plan_per_value(engine: Engine) -> None:
    """psycopg prepares a statement after its fifth run, and PostgreSQL then switches a prepared
    statement to a generic plan (no parameter values) after five custom ones when it looks no
    dearer: for the explorer's filters (a region, a few sectors, a month range) that plan was ~3×
    slower, so a view got slower after ten requests on one pooled connection. Custom plans always
    (a fraction of a millisecond of planning). Set once per new connection, not in the startup
    packet: PGOPTIONS and a URL's `options` stay in force, and PgBouncer accepts it."""

    @event.listens_for(engine, "connect")
    def _custom_plans(dbapi_conn, _record):
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # a session setting, outside any transaction
        try:
            dbapi_conn.execute("SET plan_cache_mode = force_custom_plan")
        finally:
            dbapi_conn.autocommit = autocommit


def _server_closed(dbapi_conn) -> bool:
    """Whether the server has closed this idle connection, seen without a round trip: a server
    that restarts or terminates a backend sends a FATAL message and closes the socket, so an idle
    connection's socket becomes readable (a NOTICE would too: the connection is then replaced,
    which is harmless)."""
    pgconn = dbapi_conn.pgconn
    if dbapi_conn.closed or pgconn.status != ConnStatus.OK:
        return True
    poller = select.poll()  # not select.select: it refuses descriptors above 1023
    poller.register(pgconn.socket, select.POLLIN)
    return bool(poller.poll(0))


def _check_on_checkout(engine: Engine) -> None:
    """Pessimistic disconnect handling at a fraction of pool_pre_ping's cost (issue 11: a ping is
    a round trip to PostgreSQL on every checkout). A connection checked in
    within PING_AFTER_IDLE_SECONDS is checked locally; an older one is pinged (a firewall between
    hosts may drop idle connections silently). A dead connection raises DisconnectionError,
    which makes the pool discard it and connect anew."""
    dialect = engine.dialect

    @event.listens_for(engine.pool, "checkin")
    def _stamp(_dbapi_conn, record):
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _check(dbapi_conn, record, _proxy):
        idle_since = record.info.get("checked_in_at")
        if idle_since is None:
            return  # just connected
        if _server_closed(dbapi_conn):
            raise exc.DisconnectionError("the server closed the connection")
        if time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
            try:
                dialect.do_ping(dbapi_conn)
            except dialect.loaded_dbapi.Error as error:
                raise exc.DisconnectionError(str(error)) from error


@functools.lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per URL for the life of the process."""
    return make_engine(url)


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest migration revision shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None
