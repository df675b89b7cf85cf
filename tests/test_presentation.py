"""Presentation mode without a browser: the URL's checks, the tour, the queries it adds (on both
databases) and the slides callback answering a bad URL with a note, never an error."""
from __future__ import annotations

import pytest

from dashboard import reference as ref
from dashboard.explorer_state import ExplorerState, parse_hash
from dashboard.presentation import (
    DEFAULT_INTERVAL, REGION_KINDS, TourRequest, explorer_href, parse_request, present_query, tour,
)
from dashboard.reference_districts import DISTRICTS
from tests.conftest import BACKENDS, _fresh_url
from tests.present_support import ANSWER, YEAR, seed_site

REGIONS, SECTORS = list(ref.REGION_CODES), list(ref.SECTOR_CODES)


def test_parse_request_keeps_what_it_understands_and_names_the_rest():
    req = parse_request({"region": "kz-11,KZ-99,KZ-11", "sectors": "health,education,nope", "year": "1999",
                         "interval": "1"}, years=[2024, 2025], regions=REGIONS, sectors=SECTORS)
    assert req.regions == ("KZ-11",)
    assert req.sectors == ("education", "health")  # the explorer's order
    assert req.year == 2025 and req.interval == DEFAULT_INTERVAL
    assert req.ignored == (("region", "KZ-99"), ("sectors", "nope"), ("year", "1999"), ("interval", "1"))
    assert parse_request({"interval": "20", "year": "2024"}, years=[2024], regions=REGIONS,
                         sectors=SECTORS) == TourRequest(year=2024, interval=20)
    assert parse_request({"region": ["x"], "year": {"a": 1}}, years=[], regions=REGIONS, sectors=SECTORS).year is None


def test_every_slide_leads_to_the_explorer_view_it_shows():
    req = TourRequest(year=2025, sectors=("education", "health"))
    slides = tour(req, ("KZ-11", "KZ-75"))
    assert [s.kind for s in slides] == ["headline", "sectors", *REGION_KINDS, *REGION_KINDS]
    href = explorer_href(slides[2].state, "kk", "http://hall.example/")
    assert href == "http://hall.example/?lang=kk#year=2025&sectors=education,health&region=KZ-11"
    # The explorer reads the fragment back into the same state.
    districts = {d[0]: d[1] for d in DISTRICTS}
    assert parse_hash(href.split("#", 1)[1], years=[2025], sectors=SECTORS, regions=REGIONS,
                      districts=districts) == ExplorerState(year=2025, sectors=("education", "health"), region="KZ-11")
    assert present_query(req, ("KZ-11",), "ru") == "?lang=ru&year=2025&region=KZ-11&sectors=education,health"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    from dashboard.db import make_engine, upgrade

    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    info = seed_site(engine, tmp_path_factory.mktemp("uploads"))
    yield {"url": url, "engine": engine, **info}
    engine.dispose()


def test_month_sums_add_up_to_the_totals(site):
    from queries import explorer

    sel = explorer.Selection(year=YEAR, region=site["region"], sectors=("education", "health"))
    with site["engine"].connect() as conn:
        months = explorer.by_month(conn, sel)
        totals = explorer.totals(conn, sel)
    assert [m["month"] for m in months] == sorted(m["month"] for m in months)
    assert all(type(m["plan_adjusted"]) is int and type(m["paid"]) is int for m in months)
    assert sum(m["plan_adjusted"] for m in months) == totals["plan_adjusted"]
    assert sum(m["paid"] for m in months) == totals["paid"]


def test_place_counts_and_recent_answers(site):
    from queries import appeals

    with site["engine"].connect() as conn:
        region = appeals.place_counts(conn, region=site["region"])
        country = appeals.place_counts(conn)
        answers = appeals.recent_answers(conn, region=site["region"])
        elsewhere = appeals.recent_answers(conn, region=next(r for r in REGIONS if r != site["region"]))
    # Public ones only: the appeal still waiting for a moderator is not counted.
    assert region == country == {"total": 2, "open": 1, "overdue": 0, "answered": 1}
    assert [a["answer"] for a in answers] == [ANSWER] and answers[0]["bin"] == site["bin"]
    assert "author_contact" not in answers[0] and "tracking_code" not in answers[0]
    assert elsewhere == []


def test_slides_callback_notes_bad_parameters_and_encodes_explorer_addresses(site, tmp_path):
    from app import create_app
    from dashboard.config import load_config
    from tests.dash_requests import body_for

    app = create_app(load_config({"DATABASE_URL": site["url"], "ASHYQ_VAR_DIR": str(tmp_path)}))
    client = app.server.test_client()
    page = client.get("/present?region=KZ-99&year=abc&interval=0&sectors=%00&lang=kk")
    assert page.status_code == 200
    stored = {"mode": "present", "region": f"KZ-99,{site['region']}", "year": "abc", "interval": "0", "lang": "kk"}
    response = client.post("/_dash-update-component", json=body_for(app, "draw_tour", [stored, 1], ["kk"]))
    assert response.status_code == 200, response.text
    out = response.get_json()["response"]
    slides = out["present-slides"]["children"]
    meta = out["present-tour"]["data"]["slides"]
    assert len(slides) == len(meta) == 2 + len(REGION_KINDS)
    text = str(slides[0])
    assert "region=KZ-99" in text and "year=abc" in text and "interval=0" in text
    assert meta[2]["href"] == f"http://localhost/?lang=kk#year={YEAR}&region={site['region']}"
    assert slides[2]["props"]["data-href"] == meta[2]["href"]
    assert out["present-switch"]["href"] == f"/present/print?lang=kk&year={YEAR}&region={site['region']}"
    # Junk from a client (a list instead of the request object) draws the default tour.
    junk = client.post("/_dash-update-component", json=body_for(app, "draw_tour", [["x"], None], [None]))
    assert junk.status_code == 200
