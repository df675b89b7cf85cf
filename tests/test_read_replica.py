"""Reads from a real streaming replica (DATABASE_READ_URL, issue 11): public reads reach the
replica and nothing else, writes and read-your-own-writes reach the primary, and while the
replica lags (replay paused) a visitor sees the replica's older, consistent data, keyed by the
replica's data version, while a citizen still follows the appeal they just sent.

Needs TEST_DATABASE_URL (the primary) and TEST_READ_DATABASE_URL (a replica of that cluster:
.ci/start-replica); CI=true fails without them. The throwaway database is created on the
primary and reaches the replica by replication, like everything else here.
"""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from dashboard.schema import appeals, publications
from tests.conftest import IN_CI
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, bins, institution_rows, line_rows, write_csv
from tests.dash_requests import body_for
from tests.statements import Statements

YEAR = 2024


@pytest.fixture(scope="module")
def replica_admin():
    """An AUTOCOMMIT engine on the replica's `postgres` database."""
    url = os.environ.get("TEST_READ_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI=true requires TEST_READ_DATABASE_URL (.ci/start-replica): the replica tests must run")
        pytest.skip("replica tests skipped: run .ci/start-replica and set TEST_READ_DATABASE_URL")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is True, f"{url} is not a replica"
    yield engine
    engine.dispose()


def caught_up(primary_admin, replica_admin, timeout: float = 120) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with primary_admin.connect() as conn:
        lsn = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar()
    deadline = time.monotonic() + timeout
    with replica_admin.connect() as conn:
        while not conn.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": lsn}).scalar():
            assert time.monotonic() < deadline, f"the replica did not replay up to {lsn} in {timeout} s"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def world(postgres_server, replica_admin, tmp_path_factory):
    """A demo database on the primary, replayed on the replica, and an app reading from the replica."""
    from app import create_app
    from dashboard.config import load_config
    from dashboard.db import engine_for, upgrade
    from dashboard.demo.load import load_demo

    primary_url = postgres_server.create()
    upgrade(primary_url)
    primary = engine_for(primary_url)
    load_demo(primary, institutions=16, years=[YEAR], seed=3, progress=False)
    replica_url = make_url(replica_admin.url).set(database=make_url(primary_url).database).render_as_string(
        hide_password=False)
    caught_up(postgres_server.admin, replica_admin)
    var = tmp_path_factory.mktemp("replica")
    env = {"DATABASE_URL": primary_url, "DATABASE_READ_URL": replica_url, "ASHYQ_VAR_DIR": str(var),
           "UPLOAD_DIR": str(var / "uploads"), "CALLBACK_RATE_LIMIT": "10000 per minute",
           "APPEAL_RATE_LIMIT": "1000 per minute", "APPEAL_TRY_LIMIT": "1000 per minute"}
    app = create_app(load_config(env))
    # The same reads without the response cache: what the database itself answers.
    uncached = create_app(load_config({**env, "CACHE_MAX_MB": "0"}))
    with primary.connect() as conn:
        bin_ = conn.execute(text("SELECT bin FROM institutions ORDER BY id LIMIT 1")).scalar()
    yield {"app": app, "uncached": uncached, "primary": primary, "replica": engine_for(replica_url),
           "admin": postgres_server.admin, "replica_admin": replica_admin, "bin": bin_}
    engine_for(replica_url).dispose()
    primary.dispose()


def callback(app, name: str, values: list, state: list):
    response = app.server.test_client().post("/_dash-update-component", json=body_for(app, name, values, state),
                                             headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, (name, response.status_code, response.data[:300])
    return response


def panels(app, lang: str = "en"):
    return callback(app, "draw_panels", [{"year": YEAR, "months": [1, 12], "sectors": [], "metric": "plan_adjusted",
                                          "region": None, "district": None}, None], [lang])


def news(app):
    """The "What's new" items the front page loads (newest publications, documents, answers)."""
    return callback(app, "load_whats_new", [None], [])


def public_reads(world) -> dict:
    """What an anonymous visitor's browser asks for, by name → a call returning the response."""
    app, bin_ = world["app"], world["bin"]
    client = app.server.test_client()
    return {
        "explorer panels": lambda: panels(app),
        "explorer map": lambda: callback(app, "draw_map", [{"year": YEAR, "months": [1, 12], "sectors": [],
                                                           "metric": "plan_adjusted", "region": None,
                                                           "district": None}, None], ["en"]),
        "search": lambda: callback(app, "suggest", ["school"], ["en"]),
        "institution page": lambda: client.get(f"/institution/{bin_}"),
        "institution year": lambda: callback(app, "show_year", [YEAR, None], [{"bin": bin_}, None, "en"]),
        "institution monthly": lambda: callback(app, "show_monthly", [YEAR, "monthly", None], [{"bin": bin_}, "en"]),
        "map points": lambda: client.get(f"/api/map/points?year={YEAR}"),
        "map regions": lambda: client.get("/api/map/regions"),
        "api list": lambda: client.get("/api/v1/institutions?limit=5"),
        "api institution": lambda: client.get(f"/api/v1/institutions/{bin_}"),
        "api version": lambda: client.get("/api/v1/version"),
        "bulk export": lambda: client.get(f"/api/v1/bulk/lines?year={YEAR}"),
    }


def test_the_read_engine_is_the_replica_and_the_write_engine_the_primary(world):
    with world["replica"].connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
    with world["primary"].connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is False


def test_public_reads_run_on_the_replica_only(world):
    for name, call in public_reads(world).items():
        with Statements(world["primary"]) as primary, Statements(world["replica"]) as replica:
            response = call()
            response.get_data()  # a streamed answer (the bulk export) runs its query here
        assert response.status_code == 200, (name, response.status_code)
        assert replica.seen, f"{name}: nothing read from the replica"
        assert primary.seen == [], f"{name} reached the primary: {primary.seen[:3]}"
        assert replica.writes() == [], name


def test_a_page_view_is_written_to_the_primary_and_the_page_read_from_the_replica(world):
    client = world["app"].server.test_client()
    with Statements(world["primary"]) as primary, Statements(world["replica"]) as replica:
        beacon = client.post("/views", data=f"/institution/{world['bin']}", headers={"Sec-Fetch-Site": "same-origin"})
    assert beacon.status_code == 204
    assert any(s.lstrip().upper().startswith("INSERT INTO") for s in primary.writes()), primary.seen
    assert replica.seen == []
    with Statements(world["replica"]) as replica:
        response = callback(world["app"], "open_page", [{"bin": world["bin"]}], ["en"])
    assert world["bin"] in response.text
    assert any("institutions" in s for s in replica.seen) and replica.writes() == []


def _post_appeal(app, bin_: str) -> str:
    client = app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "test-token"
    response = client.post("/appeals/new", data={"csrf_token": "test-token", "institution": bin_, "kind": "question",
                                                 "body": "Why did the canteen cost twice as much this year?"},
                           headers={"Accept": "application/json"}, content_type="multipart/form-data")
    assert response.status_code == 201, response.data
    return response.json["tracking_code"]


def _newest_publication(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(publications).order_by(publications.c.id.desc()).limit(1)).mappings().one())


def test_while_the_replica_lags_visitors_see_its_older_data_and_a_citizen_their_appeal(world, tmp_path):
    from dashboard.importer.run import import_lines
    from queries.version import data_version

    app, uncached, primary, replica = world["app"], world["uncached"], world["primary"], world["replica"]
    client = app.server.test_client()
    before_version = client.get("/api/v1/version").json["version"]
    before = panels(app).data
    assert panels(uncached).data == before
    new_bin = bins(1, start=900)[0]
    institutions_file = write_csv(tmp_path / "institutions.csv", INSTITUTION_HEADER,
                                  [[new_bin, *row[1:]] for row in institution_rows(1)])
    lines_file = write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows([new_bin], years=(YEAR,)))

    with world["replica"].connect() as conn:  # a session on the replica database itself
        conn.execute(text("SELECT pg_wal_replay_pause()"))
        conn.commit()
    try:
        with replica.connect() as conn:
            for _ in range(200):
                if conn.execute(text("SELECT pg_get_wal_replay_pause_state()")).scalar() == "paused":
                    break
                time.sleep(0.02)
            else:
                pytest.fail("the replica did not pause")
        # Written on the primary while the replica stands still: a citizen's appeal, an import.
        code = _post_appeal(app, world["bin"])
        report = import_lines(primary, lines_file, institutions_path=institutions_file)
        assert report.written and report.error_count == 0, report.sorted_issues()
        with primary.connect() as conn:
            primary_version = data_version(conn)
        assert primary_version != before_version

        # The citizen who just sent it follows it: its tracking page comes from the primary.
        with replica.connect() as conn:
            assert conn.execute(select(appeals.c.id).where(appeals.c.tracking_code == code)).first() is None
        page = client.get(f"/appeal/{code}")
        assert page.status_code == 200
        track = callback(app, "fill_track", [{"code": code, "lang": "en"}], [])
        assert "the canteen cost twice" in track.text and "track-not-found" not in track.text

        # Everyone else sees the replica: the same numbers as before, its data version (so the
        # cache serves the entry computed for it, never one of the primary's version), and the
        # new institution is not there yet.
        assert client.get("/api/v1/version").json["version"] == before_version
        during = panels(app)
        assert during.data == before and during.headers.get("X-Cache") == "hit"
        assert panels(uncached).data == before  # what the replica's tables answer, not a stale copy
        assert client.get(f"/api/v1/institutions/{new_bin}").status_code == 404
        health = client.get("/healthz")  # a balancer or monitor sees how far behind
        assert health.status_code == 200 and health.json["read_lag_seconds"] > 0
        newest = f'"budget-{_newest_publication(primary)["id"]}"'  # its key in "What's new"
        assert newest not in news(app).text
    finally:
        with world["replica"].connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
            conn.commit()

    caught_up(world["admin"], world["replica_admin"])
    assert client.get("/api/v1/version").json["version"] == primary_version
    after = panels(app)
    assert after.data != before and after.headers.get("X-Cache") != "hit"
    assert newest in news(app).text
    assert after.data == panels(uncached).data
    assert client.get(f"/api/v1/institutions/{new_bin}").status_code == 200
    assert client.get("/healthz").json["read_lag_seconds"] >= 0


def test_health_fails_when_the_replica_is_unreachable(world, tmp_path):
    from app import create_app
    from dashboard.config import load_config

    primary_url = world["primary"].url.render_as_string(hide_password=False)
    app = create_app(load_config({"DATABASE_URL": primary_url, "ASHYQ_VAR_DIR": str(tmp_path),
                                  "DATABASE_READ_URL": "postgresql://postgres@127.0.0.1:9/none?connect_timeout=2"}))
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "read"
