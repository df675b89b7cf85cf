"""Public counters (issue 14) on both databases: page views counted once per visitor (a random
cookie, no address), page and half hour, also for pages served from the response cache and without
touching the data version; the front page's counters; responsiveness per institution, district and
region against hand-computed values (queries, API, institution page); the /embed panels and their
frame headers."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from dashboard.config import load_config
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import districts, institutions, page_view_totals, recent_page_views, rollup_institution_year
from queries.appeals import insert_appeal
from queries.responsiveness import institution_responsiveness, responsiveness, working_days_between
from queries.version import data_version
from queries.views import VIEW_SHARDS, VIEW_WINDOW, prune, record_view, site_views, view_counts
from tests.conftest import BACKENDS, _fresh_url
from tests.dash_requests import body_for

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # "now" of the responsiveness queries
ADDRESS = "203.0.113.7"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


# (institution, status, published, hidden, created, answered, due). Working days to answer,
# by hand (Mon–Fri minus the fixed holidays: 8, 21–23 March, 1, 7, 9 May):
#   A1 Fri 6 Mar → Mon 9 Mar: 1 (9)          A2 Thu 19 Mar → Wed 25 Mar: 3 (20, 24, 25; 23 is Nauryz)
#   A3 1 Apr 09:00 → 1 Apr 15:00: 0          B1 Mon 4 May → Mon 11 May: 4 (5, 6, 8, 11; 7 May a holiday)
#   B2 Mon 4 May → Tue 5 May: 1 (resolved)
APPEALS = [
    ("A", "answered", True, None, at("2026-03-06"), at("2026-03-09", 16), at("2026-03-27")),
    ("A", "answered", True, None, at("2026-03-19"), at("2026-03-25"), at("2026-04-10")),
    ("A", "answered", True, None, at("2026-04-01", 9), at("2026-04-01", 15), at("2026-04-22")),
    ("A", "new", True, None, at("2026-01-05"), None, at("2026-01-26")),  # overdue now
    ("A", "in_review", True, None, at("2026-05-25"), None, at("2099-01-01")),  # open, not overdue
    ("A", "answered", False, None, at("2026-03-02"), at("2026-05-29"), at("2026-03-20")),  # not approved
    ("A", "answered", True, "abusive", at("2026-03-02"), at("2026-05-29"), at("2026-03-20")),  # hidden
    ("A", "rejected", True, None, at("2026-03-02"), None, at("2026-03-20")),  # rejected
    ("B", "answered", True, None, at("2026-05-04"), at("2026-05-11"), at("2026-05-26")),
    ("B", "resolved", True, None, at("2026-05-04"), at("2026-05-05"), at("2026-05-26")),
]
EXPECTED = {  # received, answered, answered_share, median_days, overdue (hand-computed from APPEALS)
    "A": (5, 3, 3 / 5, 1, 1),
    "B": (2, 2, 1.0, 2.5, 0),
    "region": (7, 5, 5 / 7, 1, 1),  # median of 1, 3, 0, 4, 1
}


def stats_tuple(s: dict) -> tuple:
    return s["received"], s["answered"], s["answered_share"], s["median_days"], s["overdue"]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    """A small demo with two institutions A and B in one region (B moved to another district of it)
    and the appeals above; the app on it with the response cache on."""
    from app import create_app

    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=6, years=[2024], seed=5, progress=False)
    with engine.begin() as conn:
        (id_a, bin_a, region, district_a), (id_b, bin_b) = conn.execute(
            select(institutions.c.id, institutions.c.bin, institutions.c.region_code, institutions.c.district_code)
            .order_by(institutions.c.id).limit(1)).one(), conn.execute(
            select(institutions.c.id, institutions.c.bin).order_by(institutions.c.id).offset(1).limit(1)).one()
        district_b = conn.execute(select(districts.c.code).where(districts.c.region_code == region,
                                                                 districts.c.code != district_a)
                                  .order_by(districts.c.code).limit(1)).scalar_one()
        conn.execute(update(institutions).where(institutions.c.id == id_b)
                     .values(region_code=region, district_code=district_b))
        ids = {"A": id_a, "B": id_b}
        for k, (who, status, published, hidden, created, answered, due) in enumerate(APPEALS):
            insert_appeal(conn, dict(tracking_code=f"T{k:06d}", institution_id=ids[who], kind="question",
                                     body="the roof still leaks", status=status, published=published,
                                     hidden_reason=hidden, created_at=created, answered_at=answered,
                                     answer="fixed" if answered else None, due_at=due))
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path_factory.mktemp("counters")),
                          "CALLBACK_RATE_LIMIT": "100000 per minute"})
    app = create_app(config)
    yield SimpleNamespace(engine=engine, app=app, ids=ids, bins={"A": bin_a, "B": bin_b}, region=region,
                          districts={"A": district_a, "B": district_b})
    engine.dispose()


def callback(site, name: str, values: list, state: list, client=None) -> dict:
    client = client or site.app.server.test_client()
    response = client.post("/_dash-update-component", json=body_for(site.app, name, values, state))
    assert response.status_code == 200, response.data
    return response.json["response"]


# --- page views --------------------------------------------------------------------------------

def test_view_counter_queries(site, monkeypatch):
    monkeypatch.setattr("queries.views.PRUNE_CHANCE", 0)  # counted here by hand; a random prune would take some
    a, b = "/test/a", "/test/b"
    with site.engine.begin() as conn:
        assert record_view(conn, a, "aa01", T0)
        assert not record_view(conn, a, "aa01", T0 + dt.timedelta(minutes=1))
        assert not record_view(conn, a, "aa01", T0 + VIEW_WINDOW - dt.timedelta(seconds=1))
        assert record_view(conn, a, "bb02", T0)  # another visitor
        assert record_view(conn, b, "aa01", T0)  # another page
        assert record_view(conn, a, "aa01", T0 + VIEW_WINDOW + dt.timedelta(minutes=1))  # window over
        assert record_view(conn, a, "cc03", dt.datetime(2025, 12, 31, 23, tzinfo=UTC))
        assert view_counts(conn, a) == {2025: 1, 2026: 3} and view_counts(conn, b) == {2026: 1}
        assert site_views(conn)[2025] >= 1
        # the counter rows are spread over shards by visitor; a page's count is their sum
        shards = set(conn.execute(select(page_view_totals.c.shard).where(page_view_totals.c.page == a)).scalars())
        assert shards <= set(range(VIEW_SHARDS)) and len(shards) >= 2
        assert prune(conn, T0 + 2 * VIEW_WINDOW) >= 3  # the marks older than the window go
        assert record_view(conn, b, "aa01", T0 + 2 * VIEW_WINDOW)

    def view(_):
        with site.engine.begin() as conn:
            return record_view(conn, "/test/race", "racer", T0)

    with ThreadPoolExecutor(4) as pool:  # replays racing in several workers count once
        assert list(pool.map(view, range(12))).count(True) == 1


def beacon(client, path: str, **headers):
    response = client.post("/views", data=path.encode(), content_type="text/plain",
                           headers={"Sec-Fetch-Site": "same-origin", **headers}, environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 204, response.data
    return response


def views_of(site, page: str) -> int:
    with site.engine.connect() as conn:
        return sum(view_counts(conn, page).values())


def test_beacon_counts_each_visitor_once_without_storing_addresses(site):
    page = f"/institution/{site.bins['B']}"
    first, second = site.app.server.test_client(), site.app.server.test_client()
    before = views_of(site, page)
    with site.engine.connect() as conn:
        version = data_version(conn)
    response = beacon(first, page)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("visitor=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert int(cookie.split("Max-Age=")[1].split(";")[0]) >= 365 * 24 * 3600
    assert views_of(site, page) == before + 1
    for _ in range(3):  # reloads and replayed beacons of the same visitor within the half hour
        assert "Set-Cookie" not in beacon(first, page).headers
    assert views_of(site, page) == before + 1
    beacon(second, page)  # someone else behind the same address (a carrier NAT) counts too
    assert views_of(site, page) == before + 2
    beacon(first, page + "/appeals")  # another page counts on its own
    assert views_of(site, page + "/appeals") == 1 and views_of(site, page) == before + 2
    with site.engine.connect() as conn:
        marks = conn.execute(select(recent_page_views)).mappings().all()
        assert data_version(conn) == version  # views never invalidate the cached pages
    value = cookie.split(";")[0].split("=", 1)[1]
    assert (hashlib.sha256(value.encode()).hexdigest()[:32], page) in [(m["visitor"], m["page"]) for m in marks]
    assert not any(ADDRESS in str(v) for m in marks for v in m.values())


def test_beacons_that_do_not_count(site):
    client = site.app.server.test_client()
    pages = ("/", f"/institution/{site.bins['A']}")
    before = {p: views_of(site, p) for p in pages}
    beacon(client, "/", **{"Sec-Fetch-Site": "cross-site"})  # another site's page posting to us
    beacon(client, pages[1], **{"Sec-Fetch-Site": "same-site"})
    bare = client.post("/views", data=b"/", content_type="text/plain", environ_base={"REMOTE_ADDR": ADDRESS})
    assert bare.status_code == 204  # a script's POST without Sec-Fetch-Site or Origin: not a page of ours
    other = client.post("/views", data=b"/", content_type="text/plain", headers={"Origin": "http://elsewhere.example"},
                        environ_base={"REMOTE_ADDR": ADDRESS})
    assert other.status_code == 204  # an older browser on another site's page
    for path in ("/login", "/moderation", "/institution/999999999999", "/institution/abc", "/nowhere",
                 "/embed", "no-slash", "/" + "x" * 500):
        beacon(client, path)
    assert {p: views_of(site, p) for p in pages} == before
    with site.engine.connect() as conn:
        counted = set(conn.execute(select(page_view_totals.c.page)).scalars())
    assert not {"/login", "/moderation", "/nowhere", "/embed", "/institution/999999999999"} & counted
    beacon(client, "/")
    assert views_of(site, "/") == before["/"] + 1


def test_cached_pages_are_counted_by_their_beacon(site):
    """The page HTML comes from the response cache without a cookie; its beacon still counts,
    and the institution page shows the count."""
    client = site.app.server.test_client()
    page = f"/institution/{site.bins['A']}"
    client.get(page)
    cached = client.get(page)
    assert cached.headers.get("X-Cache") == "hit" and "Set-Cookie" not in cached.headers
    before = views_of(site, page)
    beacon(client, page)
    assert views_of(site, page) == before + 1
    shown = callback(site, "open_page", [{"bin": site.bins["A"]}], ["en"], client)
    assert f"Page views: {before + 1}" in shown["inst-views"]["children"]


# --- front page counters -----------------------------------------------------------------------

def test_front_page_counters(site):
    with site.engine.connect() as conn:
        institutions_published = conn.execute(
            select(func.count(func.distinct(rollup_institution_year.c.institution_id)))).scalar_one()
        plan = int(conn.execute(select(func.sum(rollup_institution_year.c.plan_adjusted))).scalar_one())
        views = sum(site_views(conn).values())
    values = callback(site, "show_counters", ["ru"], [])["site-counters"]["children"]
    text = {}
    for item in values:  # Col > counter > [value, label, hint]
        value, label, *hint = item["props"]["children"]["props"]["children"]
        text[value["props"]["id"]] = (value["props"]["children"], label["props"]["children"],
                                      hint[0]["props"]["children"] if hint else None)
    from dashboard.i18n.formatting import format_money, format_number

    assert text["counter-institutions"][0] == format_number(institutions_published, "ru") == "6"
    assert text["counter-published"][0] == format_money(plan, "ru") == "1,2\xa0млрд\xa0₸"  # '8,3 трлн ₸' style
    assert text["counter-published-year"][1] == "уточнённый план на 2024 год"
    assert text["counter-views"][0] == format_number(views, "ru")
    assert text["counter-appeals"][0] == "7" and text["counter-appeals"][2] == "с ответом: 5"  # public only


# --- responsiveness ----------------------------------------------------------------------------

def test_working_days_between():
    assert working_days_between(at("2026-03-06"), at("2026-03-09")) == 1  # Fri → Mon
    assert working_days_between(at("2026-03-19"), at("2026-03-25")) == 3  # across Nauryz (21–23 March)
    assert working_days_between(at("2026-04-01", 9), at("2026-04-01", 15)) == 0
    assert working_days_between(at("2026-05-04"), at("2026-05-11")) == 4  # 7 and 9 May are holidays
    assert working_days_between(at("2026-12-31"), at("2027-01-05")) == 2  # 1 Jan a holiday, 2–3 the weekend: 4, 5


def test_responsiveness_against_hand_computed_values(site):
    region = site.region
    with site.engine.connect() as conn:
        by_inst = responsiveness(conn, "institution", now=NOW)
        assert stats_tuple(by_inst[site.ids["A"]]) == EXPECTED["A"]
        assert stats_tuple(by_inst[site.ids["B"]]) == EXPECTED["B"]
        assert set(by_inst) == set(site.ids.values())  # only institutions with public appeals
        by_district = responsiveness(conn, "district", region=region, now=NOW)
        assert stats_tuple(by_district[site.districts["A"]]) == EXPECTED["A"]
        assert stats_tuple(by_district[site.districts["B"]]) == EXPECTED["B"]
        by_region = responsiveness(conn, "region", now=NOW)
        assert len(by_region) == 20 and stats_tuple(by_region[region]) == EXPECTED["region"]
        quiet = next(code for code in by_region if code != region)
        assert stats_tuple(by_region[quiet]) == (0, 0, None, None, 0)  # no appeals: no share, never ranked
        assert stats_tuple(institution_responsiveness(conn, site.ids["A"], now=NOW)) == EXPECTED["A"]
        assert stats_tuple(institution_responsiveness(conn, -1, now=NOW)) == (0, 0, None, None, 0)


def test_responsiveness_api(site):
    client = site.app.server.test_client()
    regions = client.get("/api/v1/responsiveness").json
    row = next(r for r in regions["data"] if r["code"] == site.region)
    assert regions["by"] == "region" and len(regions["data"]) == 20
    assert (row["received"], row["answered"], row["answered_share"], row["median_days"], row["overdue"]) == \
        (7, 5, round(5 / 7, 4), 1, 1)
    inst = client.get("/api/v1/responsiveness?by=institution").json["data"]
    assert [(r["code"], r["received"], r["median_days"]) for r in inst] == [
        (site.bins["A"], 5, 1), (site.bins["B"], 2, 2.5)]
    text = client.get(f"/api/v1/responsiveness?by=district&region={site.region}&format=csv").get_data(as_text=True)
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[site.districts["B"]]["median_days"] == "2.5" and rows[site.districts["B"]]["answered_share"] == "1.0"
    assert client.get("/api/v1/responsiveness?by=street").status_code == 400
    assert client.get("/api/v1/responsiveness?region=KZ-XX").status_code == 400
    assert "/responsiveness" in client.get("/api/v1/openapi.json").json["paths"]


def test_institution_page_says_how_it_answers(site):
    section = callback(site, "fill_section", [{"bin": site.bins["A"], "lang": "en"}], [])
    counts = section["appeals-counts"]["children"]
    line = next(c for c in counts if c["props"].get("id") == "appeals-responsiveness")["props"]["children"]
    assert line == "Answered 60% of 5 public appeals · median working days to answer: 1 · overdue now: 1"


def test_region_table_and_map_metric(site):
    from dashboard.explorer_state import ExplorerState
    from dashboard.map_classes import scale

    state = ExplorerState(year=2024, metric="answer_days")
    panels = callback(site, "draw_panels", [state.to_dict(), None], ["en"])
    table = str(panels["region-table"]["children"])
    assert "Answered" in table and "Working days to answer" in table and "Overdue now" in table and "71.4%" in table
    drawn = callback(site, "draw_map", [state.to_dict(), None], ["en"])
    hideout = drawn["region-layer"]["hideout"]
    assert hideout["values"][site.region] == 1 and sum(v is not None for v in hideout["values"].values()) == 1
    sc = scale([None, 0.0, 0.6, 1.0], "appeals_answered", "en")
    assert sc["breaks"] == [0.5, 0.8, 0.95] and sc["nodata"] and sc["labels"][0] == "< 50%"
    assert scale([None, 1, 20], "answer_days", "ru")["labels"][-1] == "≥ 15"


# --- embeds ------------------------------------------------------------------------------------

def test_embed_may_be_framed_by_any_site_staff_pages_may_not(site):
    client = site.app.server.test_client()
    for _ in range(2):  # the second answer comes from the response cache: same headers
        response = client.get("/embed?panel=map&lang=kk")
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == "frame-ancestors *"
        assert "X-Frame-Options" not in response.headers
    assert response.headers.get("X-Cache") == "hit"
    for path in ("/login", "/moderation", "/admin/users"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def _links(component) -> list[dict]:
    found = []
    if isinstance(component, list):
        for c in component:
            found += _links(c)
    elif isinstance(component, dict) and "props" in component:
        if component.get("type") == "A":
            found.append(component["props"])
        found += _links(component["props"].get("children"))
    return found


def test_embed_panels(site):
    query = {"state": {"year": "2024"}, "bin": "", "mode": "monthly"}
    for panel in ("institutions", "sectors", "areas"):
        drawn = callback(site, "draw_embed", [{**query, "panel": panel}], ["ru"])
        links = _links(drawn["embed-body"]["children"])
        assert links and all(a["target"] == "_blank" and not a["href"].startswith("#") for a in links), panel
        assert drawn["embed-link"]["href"] == "/?lang=ru#year=2024"
    drawn = callback(site, "draw_embed", [{**query, "panel": "map", "state": {"year": "2024", "metric": "execution"}}],
                     ["kk"])
    assert drawn["embed-link"]["href"] == "/?lang=kk#year=2024&metric=execution"
    assert "/api/map/regions" in str(drawn["embed-body"]["children"])
    drawn = callback(site, "draw_embed", [{**query, "panel": "monthly", "bin": site.bins["A"]}], ["en"])
    assert drawn["embed-link"]["href"] == f"/institution/{site.bins['A']}?year=2024&lang=en"
    assert drawn["embed-body"]["children"]["type"] == "Graph"
    for bad in ({**query, "panel": "monthly", "bin": "999999999999"}, {**query, "panel": "nope"}):
        assert callback(site, "draw_embed", [bad], ["en"])["embed-body"]["children"] == \
            "This panel cannot be shown: check the embed address."


def test_pages_carry_the_counters_and_embed_buttons():
    """The front page holds the counters and an "Embed" button per panel; the institution page one
    for its monthly chart (the layouts build: a bad component argument fails here, not in a browser)."""
    from layouts.pages import embed, explorer, institution

    front = str(explorer.layout_for("")(lang="kk"))
    assert "site-counters" in front and all(f"embed-code-{p}" in front for p in ("map", "institutions", "sectors",
                                                                                  "areas"))
    assert "embed-code-monthly" in str(institution.monthly("ru")) and institution.monthly in institution.SECTIONS
    assert "'panel': 'map', 'state': {'year': '2024'}" in str(embed.layout(panel="map", lang="ru", year="2024"))
    assert "check the embed address" in str(embed.layout(panel="nope", lang="en"))
