"""Per-request database overhead (issue 11): one pooled connection per API request, a checkout
that costs no round trip yet never hands out a connection the server has closed, and appeal
count statements that hit SQLAlchemy's compiled cache whatever the values."""
import datetime as dt
import time

import pytest
from sqlalchemy import event, select, text

from dashboard import db
from dashboard.config import load_config
from dashboard.db import engine_for, make_engine, upgrade
from dashboard.schema import institutions
from queries import appeals as q


@pytest.fixture(scope="module")
def api(demo_engine, tmp_path_factory):
    """(test client, the app's engine, a school's BIN) with the response cache off, so every
    request reaches the database."""
    from app import create_app

    url = demo_engine.url.render_as_string(hide_password=False)
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path_factory.mktemp("overhead")),
                          "CACHE_MAX_MB": "0"})
    client = create_app(config).server.test_client()
    with demo_engine.connect() as conn:
        school = conn.execute(select(institutions.c.bin).where(institutions.c.type_code == "school")
                              .order_by(institutions.c.bin).limit(1)).scalar_one()
    return client, engine_for(config.database_url), school


class Checkouts:
    """Counts pool checkouts of an engine while active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _on_checkout(self, *_):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine.pool, "checkout", self._on_checkout)
        return self

    def __exit__(self, *_):
        event.remove(self.engine.pool, "checkout", self._on_checkout)


API_PATHS = [
    "/api/v1/regions", "/api/v1/regions/KZ-11/districts", "/api/v1/sectors", "/api/v1/classification",
    "/api/v1/institutions", "/api/v1/institutions?region=KZ-11&district=&sector=education&type=school&year=2024",
    "/api/v1/institutions?q=school&format=csv", "/api/v1/institutions/{bin}", "/api/v1/institutions/{bin}/lines",
    "/api/v1/institutions/{bin}/lines?year=2024&specific=111", "/api/v1/top", "/api/v1/top?by=paid&region=KZ-11",
    "/api/v1/institutions?region=XX", "/api/v1/institutions/000000000000",
]


@pytest.mark.parametrize("path", API_PATHS)
def test_one_checkout_per_api_request(api, path):
    client, engine, school = api
    with Checkouts(engine) as seen:
        response = client.get(path.format(bin=school))
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)
    assert seen.count == 1
    assert engine.pool.checkedout() == 0


def test_a_not_modified_answer_reads_the_version_once(api):
    client, engine, _ = api
    etag = client.get("/api/v1/regions").headers["ETag"]
    with Checkouts(engine) as seen:
        assert client.get("/api/v1/institutions", headers={"If-None-Match": etag}).status_code == 304
    assert seen.count == 1 and engine.pool.checkedout() == 0


@pytest.mark.parametrize("read_all", [True, False])
def test_bulk_download_holds_its_one_connection_until_the_response_closes(api, read_all):
    client, engine, _ = api
    with Checkouts(engine) as seen:
        response = client.get("/api/v1/bulk/lines?year=2024", buffered=False)
        chunks = iter(response.response)
        assert next(chunks).startswith(b"bin,year,month")
        assert engine.pool.checkedout() == 1  # streaming: the body is still being read
        if read_all:
            assert sum(chunk.count(b"\n") for chunk in chunks) > 0
            assert engine.pool.checkedout() == 0  # back in the pool when the body ends
        response.close()  # the WSGI server's close(), whether the body was sent or dropped
    assert seen.count == 1
    assert engine.pool.checkedout() == 0


@pytest.fixture(scope="module")
def pg_url(postgres_server) -> str:
    """A migrated PostgreSQL database (connection liveness: SQLite has no server)."""
    url = postgres_server.create()
    upgrade(url)
    return url


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(admin_engine, pid: int) -> None:
    """What a server restart does to a pooled connection: the backend sends FATAL and closes."""
    with admin_engine.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the FATAL message reaches the idle socket
        with admin_engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar_one() == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the backend did not end")


@pytest.mark.parametrize("idle_seconds", [0, db.PING_AFTER_IDLE_SECONDS + 1])
def test_a_connection_the_server_closed_is_replaced_at_checkout(pg_url, postgres_server, idle_seconds):
    engine = make_engine(pg_url)
    try:
        pid = _backend_pid(engine)
        _terminate(postgres_server.admin, pid)
        if idle_seconds:  # as if it had been idle that long: the ping path
            for record in list(engine.pool._pool.queue):
                record.info["checked_in_at"] -= idle_seconds
        with engine.connect() as conn:  # no error: the dead connection was discarded
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()


def test_a_recently_used_connection_is_not_pinged_and_an_idle_one_is(pg_url, monkeypatch):
    engine = make_engine(pg_url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    try:
        pid = _backend_pid(engine)
        assert _backend_pid(engine) == pid and pings == []  # reused without a round trip
        for record in list(engine.pool._pool.queue):
            record.info["checked_in_at"] -= db.PING_AFTER_IDLE_SECONDS + 1
        assert _backend_pid(engine) == pid and pings == [1]
    finally:
        engine.dispose()


def test_statements_are_planned_for_their_values_however_often_they_run(pg_url, monkeypatch):
    """psycopg prepares a statement after five runs and PostgreSQL would then plan it once for any
    values (a generic plan, ~3× slower for the explorer's filters): the engine asks for a plan per
    run, and keeps the options a URL or PGOPTIONS gives."""
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=2345")
    engine = make_engine(pg_url + ("&" if "?" in pg_url else "?") + "options=-c%20statement_timeout%3D4321")
    try:
        with engine.connect() as conn:
            for n in range(15):
                conn.execute(select(institutions.c.id).where(institutions.c.id == n)).all()
            plans = conn.execute(text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM institutions%'"
            )).all()
            assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "4321ms"
            assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
        plain = make_engine(pg_url)
        try:
            with plain.connect() as conn:  # no options in the URL: PGOPTIONS applies
                assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "2345ms"
                assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
        finally:
            plain.dispose()
        assert len(plans) == 1, plans  # prepared by psycopg: the case the setting is for
        generic, custom = plans[0]
        assert generic == 0 and custom >= 9
    finally:
        engine.dispose()


def test_health_check_recovers_after_the_server_drops_its_connections(pg_url, postgres_server, tmp_path):
    """/healthz: 200, the pooled connections killed (as a restart does), 200 again at once."""
    from app import create_app

    client = create_app(load_config({"DATABASE_URL": pg_url, "ASHYQ_VAR_DIR": str(tmp_path),
                                     "CACHE_MAX_MB": "0"})).server.test_client()
    engine = engine_for(pg_url)
    assert client.get("/healthz").status_code == 200
    pids = [record.dbapi_connection.info.backend_pid for record in list(engine.pool._pool.queue)]
    assert pids
    for pid in pids:
        _terminate(postgres_server.admin, pid)
    assert client.get("/healthz").status_code == 200


class Executions:
    """The statement objects executed on an engine and their compiled-cache outcomes."""

    def __init__(self, engine):
        self.engine, self.statements, self.outcomes = engine, [], []

    def _on_statement(self, _conn, clauseelement, *_):
        self.statements.append(clauseelement)

    def _on_cursor(self, _conn, _cursor, _statement, _params, context, _many):
        self.outcomes.append(context.cache_hit)

    def __enter__(self):
        event.listen(self.engine, "before_execute", self._on_statement)
        event.listen(self.engine, "before_cursor_execute", self._on_cursor)
        return self

    def __exit__(self, *_):
        event.remove(self.engine, "before_execute", self._on_statement)
        event.remove(self.engine, "before_cursor_execute", self._on_cursor)


def test_appeal_counts_hit_the_compiled_cache_whatever_the_values(demo_engine):
    """Other ids, instants, places and numbers of sectors: the same statement object and the same
    compiled form (values are bound, IN lists expand at execution)."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with demo_engine.connect() as conn:
        ids = list(conn.execute(select(institutions.c.id).order_by(institutions.c.id).limit(5)).scalars())
        calls = [
            lambda i: q.appeal_counts_for_institution(conn, ids[i], now=now + dt.timedelta(days=i)),
            lambda i: q.appeal_counts_by_institution(conn, ids[:i + 1], now=now + dt.timedelta(days=i)),
            lambda i: q.open_counts(conn, region=["KZ-11", "KZ-19"][i], sectors=[("education",), ("health", "culture", "education")][i]),
            lambda i: q.open_counts(conn, region="KZ-11", district=None, now=now + dt.timedelta(hours=i)),
            lambda i: q.open_counts_by_area(conn, region=["KZ-11", "KZ-19"][i], sectors=[("health",), ("health", "education")][i]),
            lambda i: q.open_appeals_by_region(conn, now=now + dt.timedelta(hours=i)),
            lambda i: q.appeal_totals(conn, now=now + dt.timedelta(hours=i), published_only=False),
        ]
        for call in calls:
            with Executions(demo_engine) as first:
                call(0)
            with Executions(demo_engine) as second:
                call(1)
            # The very same statement objects (built once, not per call), compiled once.
            assert [id(s) for s in second.statements] == [id(s) for s in first.statements]
            assert second.outcomes and all(o == o.CACHE_HIT for o in second.outcomes), second.outcomes


@pytest.mark.parametrize("query", ["school", "мектеп", "орта мектебі", "школа 1", "ко", "hospital"])
def test_bounded_search_candidates_give_the_same_best_results(demo_engine, monkeypatch, query):
    """The tiers of shortest candidates (PostgreSQL) pick what ranking every match picks, here
    where a common word matches more institutions than the bound."""
    from queries import search

    monkeypatch.setattr(search, "CANDIDATES", 8)
    with demo_engine.connect() as conn:
        bounded = [r["id"] for r in search.search_institutions(conn, query, limit=8)]
        monkeypatch.setattr(search, "CANDIDATES", 10**6)
        everything = [r["id"] for r in search.search_institutions(conn, query, limit=8)]
    assert bounded == everything and bounded
