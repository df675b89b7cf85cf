"""Limits that protect the site without falling on everyone behind one address: trusted proxies,
appeal tries that count only when well-formed, per-institution and site-wide appeal ceilings,
shared Redis counters, capped callback bodies and the callback rate limit."""
import io
import json
import uuid

import pytest
import redis

from tests.appeals_support import build_world, jpeg_with_gps
from tests.conftest import BACKENDS, _fresh_url

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def make_world(request, tmp_path_factory):
    """A fresh app (SQLite unless a backend is given) with the given settings; memory storage is per app."""
    built = []

    def make(backend="sqlite", **env):
        tmp = tmp_path_factory.mktemp("site-limits")
        world = build_world(_fresh_url(backend, request, tmp_path_factory), tmp, **env)
        built.append(world)
        return world

    yield make
    for world in built:
        world.engine.dispose()


def post(world, client=None, address=None, lang="en", json_client=True, **fields):
    data = {"csrf_token": "test-token", "institution": world.bin_a, "kind": "question", "lang": lang,
            "body": "The school roof leaks although repairs were paid.", **fields}
    headers = {"Accept": "application/json"} if json_client else {}
    if address:
        headers["X-Forwarded-For"] = address
    return (client or world.client("anonymous")).post("/appeals/new", data=data, headers=headers,
                                                      content_type="multipart/form-data")


@pytest.mark.parametrize("hops", [0, 1])
def test_the_limiter_keys_on_x_forwarded_for_only_behind_a_trusted_proxy(make_world, hops):
    world = make_world(TRUSTED_PROXIES=str(hops), APPEAL_RATE_LIMIT="1 per minute")
    assert post(world, address="10.0.0.1").status_code == 201
    refused = post(world, address="10.0.0.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"  # the window: a minute
    assert "X-RateLimit-Remaining" not in refused.headers  # no extra storage round trips per request
    other = post(world, address="10.0.0.2").status_code  # another citizen behind the same proxy
    assert other == (201 if hops else 429)  # without trust the header is ignored: one address for all
    from werkzeug.middleware.proxy_fix import ProxyFix

    fix = world.app.server.wsgi_app
    assert isinstance(fix, ProxyFix) == bool(hops)
    if hops:  # the proxy's scheme and host are believed too (Secure cookies, redirects)
        assert (fix.x_for, fix.x_proto, fix.x_host) == (1, 1, 1)


def test_forged_and_bot_posts_do_not_use_up_the_try_limit(make_world):
    world = make_world(APPEAL_TRY_LIMIT="3 per minute")
    for _ in range(10):  # another site's form (no or wrong token) and honeypot bots: refused at once
        assert post(world, csrf_token="wrong").status_code == 403
        assert post(world, json_client=False, csrf_token="").status_code == 403
        assert post(world, website="http://spam").status_code == 400
    assert [post(world, body="short").status_code for _ in range(4)] == [400, 400, 400, 429]  # well-formed tries
    refused = post(world, json_client=False, csrf_token="wrong")
    assert refused.status_code == 303 and "error=rate_limited" in refused.headers["Location"]


def test_a_bad_csrf_flood_leaves_the_address_able_to_post(make_world):
    world = make_world(APPEAL_TRY_LIMIT="3 per minute;5 per day")
    assert {post(world, csrf_token="").status_code for _ in range(31)} == {403}
    assert post(world).status_code == 201


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_institution_and_the_whole_site_have_ceilings(make_world, backend):
    world = make_world(backend, TRUSTED_PROXIES="1", APPEAL_INSTITUTION_LIMIT="2 per hour",
                       APPEAL_GLOBAL_LIMIT="4 per hour")
    assert post(world, address="10.0.1.9", body="short").status_code == 400  # refused appeals do not count
    assert [post(world, address=f"10.0.1.{n}").status_code for n in range(2)] == [201, 201]
    busy = post(world, address="10.0.1.3", lang="kk")
    assert busy.status_code == 429 and busy.json["error"] == "rate_limited"
    assert busy.json["reason"] == "institution_busy" and "мекемеге" in busy.json["detail"]
    browser = post(world, address="10.0.1.4", lang="ru", json_client=False)
    assert browser.status_code == 303
    location = browser.headers["Location"]
    assert f"/institution/{world.bin_a}/appeals?" in location and "error=institution_busy" in location
    assert "draft=" in location  # the citizen's text waits for a later try
    assert [post(world, address=f"10.0.2.{n}", institution=world.bin_b).status_code for n in range(3)] == \
        [201, 201, 429]
    site = post(world, address="10.0.2.9", institution=world.bin_b, lang="ru")
    assert site.json["reason"] == "site_busy" and "Сайт" in site.json["detail"]
    from layouts.components.appeals import error_alert

    for lang, word in (("kk", "мекемеге"), ("ru", "учреждению"), ("en", "institution")):
        assert word in str(error_alert(lang, "institution_busy").children)


def test_redis_storage_shares_limits_between_two_workers(make_world):
    from app import create_app

    prefix = f"ashyq-test-{uuid.uuid4().hex}"
    world = make_world(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix, APPEAL_RATE_LIMIT="2 per minute")
    second = create_app(world.config).server.test_client()  # another gunicorn worker
    with second.session_transaction() as session:
        session["csrf"] = "test-token"
    try:
        assert post(world).status_code == 201
        assert post(world, client=second).status_code == 201
        assert post(world).status_code == 429
        assert post(world, client=second).status_code == 429
        assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*"))
    finally:
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


class Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def readable(self):
        return True

    def readinto(self, _buffer):
        raise AssertionError("the body was read")


class Endless(io.RawIOBase):
    """A chunked body that never ends."""

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_callback_bodies_are_capped_before_they_are_read(make_world):
    world = make_world(CALLBACK_MAX_BYTES="2000")
    client = world.app.server.test_client()
    huge = client.post("/_dash-update-component", content_type="application/json",
                       environ_overrides={"wsgi.input": Unreadable(), "CONTENT_LENGTH": str(31 * 1024 * 1024)})
    assert huge.status_code == 413 and huge.json["error"] == "too_large"
    chunked = client.post("/_dash-update-component", content_type="application/json",
                          environ_overrides={"wsgi.input": Endless(), "wsgi.input_terminated": True,
                                             "HTTP_TRANSFER_ENCODING": "chunked"})
    assert chunked.status_code == 413
    for path in ("/auth/login", "/api/v1/institutions", "/appeals/1/approve"):
        assert client.post(path, data="x" * 3000, content_type="text/plain").status_code == 413, path
    # Upload routes keep MAX_CONTENT_LENGTH: an appeal with a photo far over 2000 bytes goes through.
    photo = jpeg_with_gps(size=(400, 300))
    assert len(photo) > 2000
    accepted = world.post_appeal(files=[("roof.jpg", photo)])
    assert accepted.status_code == 201, accepted.data


def xlsx_request(world, filter_model=None, column_state=None, extra_state=(), year=2024, lang="ru"):
    from layouts import ids

    state = [{"id": ids.INST_GRID, "property": "filterModel", "value": filter_model},
             {"id": ids.INST_GRID, "property": "columnState", "value": column_state},
             {"id": ids.INST_BIN, "property": "data", "value": {"bin": world.bin_a}},
             {"id": ids.INST_YEAR, "property": "value", "value": year},
             {"id": "page-lang", "property": "data", "value": lang}, *extra_state]
    return {"output": f"{ids.INST_XLSX_DOWNLOAD}.data",
            "outputs": {"id": ids.INST_XLSX_DOWNLOAD, "property": "data"},
            "inputs": [{"id": ids.INST_XLSX, "property": "n_clicks", "value": 1}], "state": state,
            "changedPropIds": [f"{ids.INST_XLSX}.n_clicks"]}


def test_callbacks_are_rate_limited_per_address(make_world):
    world = make_world(CALLBACK_RATE_LIMIT="3 per minute", TRUSTED_PROXIES="1")
    client = world.app.server.test_client()
    body = xlsx_request(world)

    def call(address, who=client):
        return who.post("/_dash-update-component", json=body, headers={"X-Forwarded-For": address}).status_code

    assert [call("10.0.3.1") for _ in range(4)] == [200, 200, 200, 429]
    assert call("10.0.3.2") == 200  # another address
    staff = world.client("moderator")  # signed-in staff are not counted
    assert [call("10.0.3.1", staff) for _ in range(5)] == [200] * 5


def test_points_of_pinned_views_count_against_the_callback_limit(make_world):
    """Each new pinned publication reads the lines' history once: an address may not ask for many."""
    world = make_world(CALLBACK_RATE_LIMIT="3 per minute", TRUSTED_PROXIES="1")
    client = world.app.server.test_client()

    def points(address, query):
        return client.get(f"/api/map/points?year=2024{query}", headers={"X-Forwarded-For": address}).status_code

    assert [points("10.0.4.1", f"&asof={n}") for n in (1, 2, 3, 4)] == [200, 200, 200, 429]
    assert [points("10.0.4.1", "") for _ in range(5)] == [200] * 5  # today's points: cached, not counted
    assert points("10.0.4.2", "&asof=1") == 200


def workbook(response):
    from openpyxl import load_workbook

    assert response.status_code == 200, response.data[:500]
    download = response.json["response"]["inst-xlsx-download"]["data"]
    import base64

    sheet = load_workbook(io.BytesIO(base64.b64decode(download["content"]))).active
    return download["filename"], list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize("backend", BACKENDS)
def test_xlsx_is_built_from_the_database_with_the_grids_filter_and_sort(make_world, backend):
    from decimal import Decimal

    from dashboard.i18n import t
    from layouts import ids, institution_parts as parts
    from queries import institution as q

    world = make_world(backend, CALLBACK_MAX_BYTES=str(8 * 1024 * 1024))
    fake = [{"month": 1, "program": "=HYPERLINK(\"http://evil\")", "specific": "999 fake", "paid": 10 ** 15}
            for _ in range(10_000)]
    # Rows smuggled into every value the browser controls (the old callback took virtualRowData).
    crafted = xlsx_request(world, filter_model={}, column_state=[{"colId": "program", "rows": fake}])
    crafted["state"][2]["value"]["virtualRowData"] = fake
    body = json.dumps(crafted).encode()
    assert len(body) > 1_000_000
    client = world.app.server.test_client()
    with world.engine.connect() as conn:
        _, lines = q.lines(conn, world.id_a, 2024)
    name, values = workbook(client.post("/_dash-update-component", data=body, content_type="application/json"))
    assert name == f"{world.bin_a}-2024.xlsx" and len(values) == len(lines) + 2
    assert [row[0] for row in values[1:-1]] == [r["program"] for r in parts.grid_rows(lines, "ru")]
    assert not any("fake" in str(v) or "HYPERLINK" in str(v) for row in values for v in row)
    old_shape = xlsx_request(world, extra_state=[{"id": ids.INST_GRID, "property": "virtualRowData", "value": fake}])
    assert client.post("/_dash-update-component", json=old_shape).status_code >= 400  # no file from rows
    # A real filter and sort as the grid sends them: the rows are the grid's view, from the database.
    specific = lines[0]["specific_code"]
    filter_model = {"specific": {"filterType": "text", "type": "contains", "filter": str(specific)},
                    "paid": {"filterType": "number", "type": "greaterThan", "filter": 0}}
    column_state = [{"colId": c, "hide": c == "obligations", **({"sort": "desc", "sortIndex": 0} if c == "paid" else {})}
                    for c in ("month", "program", "subprogram_code", "specific", "plan", "plan_adjusted",
                              "obligations", "paid", "ask")]
    name, values = workbook(client.post("/_dash-update-component",
                                        json=xlsx_request(world, filter_model, column_state)))
    expected = sorted((r for r in parts.grid_rows(lines, "ru") if r["specific"].startswith(str(specific))
                       and r["paid"] > 0), key=lambda r: -r["paid"])
    assert expected and len(values) == len(expected) + 2
    assert list(values[0]) == [c["headerName"] for c in parts.grid_columns("ru")
                               if c.get("field") and c["field"] != "obligations"]  # hidden column left out
    paid = [Decimal(str(row[-1])) for row in values[1:-1]]
    assert paid == [Decimal(r["paid"]) / 100 for r in expected]
    assert [row[0] for row in values[1:-1]] == [r["month"] for r in expected]
    assert values[-1][1] == t("inst.lines.total", "ru")
    assert Decimal(str(values[-1][-1])) == sum(Decimal(r["paid"]) for r in expected) / 100


def test_xlsx_text_cells_cannot_run_formulas():
    from openpyxl import load_workbook

    from dashboard.grid_export import grid_xlsx

    columns = [{"field": "program", "headerName": "=cmd"}, {"field": "paid", "headerName": "Paid"}]
    rows = [{"program": value, "paid": -1500} for value in ("=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "ok")]
    sheet = load_workbook(io.BytesIO(grid_xlsx(columns, None, rows))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("'=cmd", "Paid")
    assert [r[0][:3] for r in values[1:]] == ["'=1", "'+c", "'-x", "'@S", "'\tx", "'\nx", "ok"]  # XML keeps \r as \n
    assert {r[1] for r in values[1:]} == {-15}  # numbers unchanged
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_grid_filter_model_semantics():

    from dashboard.grid_model import GridModelError, apply_filter_model, apply_sort
    from layouts.institution_parts import grid_columns

    columns = grid_columns("en")
    rows = [{"month": m, "program": f"00{m} Schools", "specific": s, "paid": p}
            for m, s, p in ((1, "111 Wages", 150), (2, "151 Food", 99), (3, "111 WAGES bonus", 250))]
    pick = lambda model: [r["month"] for r in apply_filter_model(rows, columns, model)]  # noqa: E731
    assert pick({"specific": {"filterType": "text", "type": "contains", "filter": "wages"}}) == [1, 3]
    assert pick({"specific": {"filterType": "text", "type": "startsWith", "filter": "15"}}) == [2]
    assert pick({"paid": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 1.5}}) == [1, 3]
    assert pick({"paid": {"filterType": "number", "type": "inRange", "filter": 0.99, "filterTo": 2.5}}) == [1]
    assert pick({"month": {"filterType": "number", "operator": "OR", "conditions": [
        {"type": "equals", "filter": 1}, {"type": "equals", "filter": 3}]}}) == [1, 3]
    assert pick({"specific": {"filterType": "text", "type": "contains", "filter": ""}}) == [1, 2, 3]
    with pytest.raises(GridModelError):
        pick({"subprogram_code": {"filterType": "text", "type": "contains", "filter": "1"}})  # no filter there
    with pytest.raises(GridModelError):
        pick({"paid": {"filterType": "number", "type": "regex", "filter": 1}})
    by = lambda state: [r["month"] for r in apply_sort(rows, state, {"month", "specific", "paid"})]  # noqa: E731
    assert by([{"colId": "paid", "sort": "desc"}]) == [3, 1, 2]
    assert by([{"colId": "specific", "sort": "asc"}]) == [3, 1, 2]  # plain code-point order, as the grid
    assert by([{"colId": "specific", "sort": "asc", "sortIndex": 1},
               {"colId": "paid", "sort": "asc", "sortIndex": 0}]) == [2, 1, 3]


@pytest.mark.parametrize("argv, env, workers", [
    (["/usr/local/bin/gunicorn", "-w", "3", "app:server"], {}, 3),
    (["gunicorn", "-w2", "app:server"], {}, 2),
    (["gunicorn", "--workers=4", "app:server"], {}, 4),
    (["gunicorn", "--workers", "1", "app:server"], {"WEB_CONCURRENCY": "5"}, 1),
    (["gunicorn", "app:server"], {"WEB_CONCURRENCY": "5"}, 5),
    (["gunicorn", "app:server"], {}, 1),
    (["python", "-m", "dashboard", "run", "-w", "3"], {}, 1),
])
def test_the_gunicorn_worker_count_is_read_from_its_command_line(argv, env, workers):
    from dashboard.web.limits import gunicorn_workers

    assert gunicorn_workers(argv, env) == workers


def test_memory_limits_are_refused_with_several_gunicorn_workers(tmp_path, monkeypatch):
    from app import create_app
    from dashboard.config import ConfigError, load_config

    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}", "ASHYQ_VAR_DIR": str(tmp_path)}
    monkeypatch.setattr("sys.argv", ["gunicorn", "-w", "3", "app:server"])
    with pytest.raises(ConfigError, match="redis://"):
        create_app(load_config(base))
    create_app(load_config({**base, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}))
    monkeypatch.setattr("sys.argv", ["gunicorn", "-w", "1", "app:server"])
    create_app(load_config(base))
