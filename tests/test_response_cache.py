"""The response cache (issue 11): repeated public views cost the data version read only, a new
publication or appeal event is seen at once, staff and other languages never get someone
else's answer, compressed copies decode to the stored body, Redis is shared by workers, and
concurrent misses compute once. Both databases, real Redis (DB 5)."""
from __future__ import annotations

import datetime as dt
import gzip
import threading
import time

import brotli
import pytest
from sqlalchemy import insert, select

from dashboard.schema import appeal_events, appeals, institutions, publications
from layouts import ids
from tests.conftest import BACKENDS, _fresh_url
from tests.dash_requests import body_for
from tests.statements import Statements

REDIS_URL = "redis://127.0.0.1:6379/5"
YEAR = 2024


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A small demo database of its own (these tests write publications and appeals)."""
    from dashboard.db import make_engine, upgrade
    from dashboard.demo.load import load_demo

    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=24, years=[YEAR], seed=11, progress=False)
    with engine.connect() as conn:
        row = conn.execute(select(institutions.c.id, institutions.c.bin).order_by(institutions.c.id).limit(1)).one()
    yield {"url": url, "engine": engine, "var": tmp_path_factory.mktemp("var"), "id": row.id, "bin": row.bin}
    engine.dispose()


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def make_app(world, **env):
    from app import create_app
    from dashboard.config import load_config

    return create_app(load_config({"DATABASE_URL": world["url"], "ASHYQ_VAR_DIR": str(world["var"]), **env}))


@pytest.fixture(scope="module")
def app(world):
    return make_app(world)


def app_engine(world):
    from dashboard.db import engine_for

    return engine_for(world["url"])  # the engine create_app reads from


def panels(app, lang="ru", year=YEAR):
    return body_for(app, "draw_panels", [{"year": year, "months": [1, 12], "sectors": [], "metric": "plan_adjusted",
                                          "region": None, "district": None}, None], [lang])


def show_year(app, bin_, lang="ru"):
    return body_for(app, "show_year", [YEAR, None], [{"bin": bin_}, None, lang])


def post(client, body, **headers):
    return client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "identity", **headers})


def add_publication(engine):
    with engine.begin() as conn:
        conn.execute(insert(publications).values(source="test", kind="full", description="cache test"))


def add_appeal(engine, institution_id: int):
    """A published, open appeal with its event: what moderation leaves behind."""
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        appeal_id = conn.execute(insert(appeals).values(
            tracking_code=f"T{time.time_ns() % 10**12}", institution_id=institution_id, kind="question",
            body="Why was the roof paid twice?", status="in_review", published=True, created_at=now,
            due_at=now + dt.timedelta(days=20)).returning(appeals.c.id)).scalar_one()
        conn.execute(insert(appeal_events).values(appeal_id=appeal_id, at=now, actor_role="moderator",
                                                  action="approved", from_status="new", to_status="in_review"))


def test_version_is_one_index_read_and_follows_publications_and_appeal_events(world, app):
    from queries.version import data_version

    client = app.server.test_client()
    engine = app_engine(world)
    with engine.connect() as conn:
        before = data_version(conn)
    with Statements(engine) as seen:
        first = client.get("/api/v1/version")
    assert first.status_code == 200 and first.json == {"version": before}
    assert len(seen.seen) == 1 and "max" in seen.seen[0].lower()
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"].startswith('W/"')
    again = client.get("/api/v1/version", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    add_publication(world["engine"])
    published = client.get("/api/v1/version").json["version"]
    assert published != before and published.split(".")[0] == str(int(before.split(".")[0]) + 1)
    add_appeal(world["engine"], world["id"])
    assert client.get("/api/v1/version").json["version"] not in (before, published)


def test_a_repeated_callback_costs_the_version_read_only_and_sees_new_data(world, app):
    client = app.server.test_client()
    engine = app_engine(world)
    body = panels(app)
    first = post(client, body)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    with Statements(engine) as seen:
        hit = post(client, body)
    assert hit.status_code == 200 and hit.headers["X-Cache"] == "hit"
    assert hit.data == first.data and hit.mimetype == "application/json"
    assert len(seen.seen) == 1, seen.seen  # the data version
    # An appeal changes the version, so the next answer is computed again and counts it.
    add_appeal(world["engine"], world["id"])
    after = post(client, body)
    assert after.headers["X-Cache"] == "miss" and after.data != first.data
    # A publication too (here: nothing else changed, so the same bytes, computed again).
    add_publication(world["engine"])
    assert post(client, body).headers["X-Cache"] == "miss"
    # Another language is another entry.
    kk = post(client, panels(app, "kk"))
    assert kk.headers["X-Cache"] == "miss" and kk.data != after.data


def test_institution_callbacks_hit_and_impure_ones_are_never_cached(world, app):
    client = app.server.test_client()
    body = show_year(app, world["bin"])
    assert post(client, body).headers["X-Cache"] == "miss"
    assert post(client, body).headers["X-Cache"] == "hit"
    # open_page records a page view: every request runs it.
    opened = body_for(app, "open_page", [{"bin": world["bin"]}], ["ru"])
    for _ in range(2):
        response = post(client, opened)
        assert response.status_code == 200 and "X-Cache" not in response.headers


def test_staff_bypass_the_cache(world, app):
    from dashboard.account_admin import add_user

    add_user(world["engine"], "cache-analyst", "Cache Analyst", "correct horse battery", "analyst", [])
    client = app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    signed_in = client.post("/auth/login", data={"csrf_token": "t", "username": "cache-analyst",
                                                 "password": "correct horse battery"},
                            headers={"Accept": "application/json"})
    assert signed_in.status_code == 200, signed_in.data
    body = show_year(app, world["bin"])
    post(app.server.test_client(), body)  # stored for visitors
    for _ in range(2):
        response = post(client, body)
        assert response.status_code == 200 and "X-Cache" not in response.headers


def test_pages_by_language_and_a_cached_404(world, app):
    client = app.server.test_client()
    path = f"/institution/{world['bin']}"
    ru = client.get(path, headers={"Accept-Language": "ru"})
    assert ru.status_code == 200 and ru.headers["X-Cache"] == "miss"
    kk = client.get(path, headers={"Accept-Language": "kk"})
    assert kk.headers["X-Cache"] == "miss" and b'<html lang="kk"' in kk.data
    engine = app_engine(world)
    with Statements(engine) as seen:
        again = client.get(path, headers={"Accept-Language": "ru"})
    assert again.headers["X-Cache"] == "hit" and again.data == ru.data and b'<html lang="ru"' in again.data
    assert len(seen.seen) == 1  # the version; not even the page's 404 check
    # ?lang= sets the cookie on a hit as on a miss; the entry itself carries no cookie.
    for expected in ("miss", "hit"):
        fresh = app.server.test_client()
        response = fresh.get(path + "?lang=en")
        assert response.headers["X-Cache"] == expected and b'<html lang="en"' in response.data
        assert response.headers["Set-Cookie"].startswith("lang=en")
    # The cookie alone chooses the language too.
    fresh = app.server.test_client()
    fresh.set_cookie("lang", "en")
    by_cookie = [fresh.get(path) for _ in range(2)]
    assert [r.headers["X-Cache"] for r in by_cookie] == ["miss", "hit"]
    assert all(b'<html lang="en"' in r.data and "Set-Cookie" not in r.headers for r in by_cookie)
    # An unknown BIN stays a 404, first and every time after.
    unknown = "/institution/000000000000"
    assert [client.get(unknown).status_code for _ in range(3)] == [404, 404, 404]
    assert [client.get("/no/such/page").status_code for _ in range(2)] == [404, 404]


def test_compressed_copies_decode_to_the_same_bytes(world, app):
    client = app.server.test_client()
    body = show_year(app, world["bin"], "en")
    plain = post(client, body)
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": encoding})
        assert response.headers["X-Cache"] == "hit" and response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(response.data) == plain.data
    api = client.get("/api/v1/institutions?limit=50", headers={"Accept-Encoding": "gzip"})
    api_hit = client.get("/api/v1/institutions?limit=50", headers={"Accept-Encoding": "gzip"})
    assert api_hit.headers["X-Cache"] == "hit" and gzip.decompress(api_hit.data) == gzip.decompress(api.data)
    assert api_hit.headers["Access-Control-Allow-Origin"] == "*"
    # The API's validator still answers 304 on a hit.
    assert client.get("/api/v1/institutions?limit=50", headers={"If-None-Match": api_hit.headers["ETag"]}
                      ).status_code == 304


def test_redis_is_shared_by_two_workers(world, redis_db):
    one, two = make_app(world, REDIS_URL=REDIS_URL), make_app(world, REDIS_URL=REDIS_URL)
    body = panels(one, "en")
    first = post(one.server.test_client(), body)
    assert first.headers["X-Cache"] == "miss"
    assert any(k.startswith(b"ashyq:cache:") for k in redis_db.keys())
    second = post(two.server.test_client(), body)
    assert second.headers["X-Cache"] == "hit" and second.data == first.data
    assert 0 < redis_db.ttl(next(iter(redis_db.keys(b"ashyq:cache:*")))) <= 600
    # Each worker keeps what it served in front of Redis: a repeat costs no round trip.
    redis_db.flushdb()
    assert post(one.server.test_client(), body).headers["X-Cache"] == "hit"
    assert post(two.server.test_client(), body).headers["X-Cache"] == "hit"
    assert not redis_db.keys()


def test_concurrent_misses_compute_once(world):
    from callbacks import explorer

    app = make_app(world)
    calls = []
    original = explorer.views.kpis

    def counted(*args, **kwargs):
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to arrive while the first computes
        return original(*args, **kwargs)

    explorer.views.kpis = counted
    try:
        body = panels(app, "en", year=YEAR)
        start = threading.Barrier(6)
        results = []

        def visit():
            client = app.server.test_client()
            start.wait()
            results.append(post(client, body))

        threads = [threading.Thread(target=visit) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        explorer.views.kpis = original
    assert len(calls) == 1
    assert sorted(r.headers["X-Cache"] for r in results) == ["hit"] * 5 + ["miss"]
    assert len({r.data for r in results}) == 1


def test_hits_still_count_against_the_callback_rate_limit(world):
    app = make_app(world, CALLBACK_RATE_LIMIT="3 per minute")
    client = app.server.test_client()
    body = body_for(app, "show_monthly", [YEAR, "monthly", None], [{"bin": world["bin"]}, "ru"])
    answers = [post(client, body) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers.get("X-Cache") for r in answers[:3]] == ["miss", "hit", "hit"]


def test_configuration():
    from dashboard.config import load_config

    base = {"SECRET_KEY": "k", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
    assert load_config({**base, "ASHYQ_ENV": "production"}).data_version_ttl == 1
    assert load_config(base).data_version_ttl == 0
    config = load_config({**base, "REDIS_URL": REDIS_URL, "CACHE_MAX_MB": "0", "CACHE_TTL": "60"})
    assert (config.redis_url, config.cache_max_mb, config.cache_ttl_seconds) == (REDIS_URL, 0, 60)


def test_no_cache_when_turned_off_and_misses_when_redis_is_down(world):
    off = make_app(world, CACHE_MAX_MB="0")
    assert "response_cache" not in off.server.extensions
    assert "X-Cache" not in post(off.server.test_client(), panels(off)).headers
    down = make_app(world, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    client = down.server.test_client()
    answers = [post(client, panels(down)) for _ in range(2)]
    # Redis down: computed and served, then kept by this process (its own copy in front of Redis).
    assert [(r.status_code, r.headers["X-Cache"]) for r in answers] == [(200, "miss"), (200, "hit")]


def test_an_unreadable_entry_is_a_miss_and_a_stuck_computation_is_waited_for_only_so_long(world, monkeypatch):
    from dashboard.web import response_cache

    cache = make_app(world).server.extensions["response_cache"]
    cache.store.set("written-by-another-build", b"\x00garbage")
    assert cache.get("written-by-another-build") is None
    monkeypatch.setattr(response_cache, "FLIGHT_WAIT", 0.2)
    started = time.monotonic()
    with cache.flight("stuck"):  # the first computation of a key, never finishing
        with cache.flight("stuck"):  # a concurrent miss: waits FLIGHT_WAIT, then computes itself
            waited = time.monotonic() - started
    assert 0.15 < waited < 2


def test_the_explorer_bar_is_cached_per_host_and_data_version(world, app):
    """Its share link is built from the request's host and pins the newest publication."""
    client = app.server.test_client()
    body = body_for(app, "explorer_bar", [{"year": YEAR, "months": [1, 12], "sectors": [], "metric": "plan_adjusted",
                                           "region": None, "district": None}], ["ru"])
    first = post(client, body)
    assert first.headers["X-Cache"] == "miss" and post(client, body).headers["X-Cache"] == "hit"
    other_host = post(client, body, Host="mirror.example.kz")
    assert other_host.headers["X-Cache"] == "miss" and b"mirror.example.kz" in other_host.data
    assert b"mirror.example.kz" not in first.data
    add_publication(world["engine"])
    after = post(client, body)
    assert after.headers["X-Cache"] == "miss" and after.data != first.data  # the link pins the new publication


def test_the_institution_bar_is_cached_per_host_and_data_version(world, app):
    """Like the explorer's: its share link holds the host and pins the newest publication."""
    client = app.server.test_client()
    body = body_for(app, "institution_bar", [YEAR], [{"bin": world["bin"]}, "ru"])
    first = post(client, body)
    assert first.status_code == 200 and world["bin"].encode() in first.data
    assert first.headers["X-Cache"] == "miss" and post(client, body).headers["X-Cache"] == "hit"
    other_host = post(client, body, Host="mirror.example.kz")
    assert other_host.headers["X-Cache"] == "miss" and b"mirror.example.kz" in other_host.data
    add_publication(world["engine"])
    after = post(client, body)
    assert after.headers["X-Cache"] == "miss" and after.data != first.data


def test_the_appeals_section_is_cached_until_an_appeal_event(world, app):
    """A thousand visitors of one institution's page: its appeals are read once per data version,
    a newly approved appeal shows at once, and another language is its own entry."""
    client = app.server.test_client()
    engine = app_engine(world)
    body = body_for(app, "fill_section", [{"bin": world["bin"], "year": YEAR, "lang": "ru"}], [])
    first = post(client, body)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    with Statements(engine) as seen:
        hit = post(client, body)
    assert hit.headers["X-Cache"] == "hit" and hit.data == first.data
    assert len(seen.seen) == 1, seen.seen  # the data version
    add_appeal(world["engine"], world["id"])
    after = post(client, body)
    assert after.headers["X-Cache"] == "miss" and "Why was the roof paid twice?".encode() in after.data
    kk = post(client, body_for(app, "fill_section", [{"bin": world["bin"], "year": YEAR, "lang": "kk"}], []))
    assert kk.headers["X-Cache"] == "miss" and kk.data != after.data
