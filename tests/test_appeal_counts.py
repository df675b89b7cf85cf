"""Open and overdue appeal counts for the explorer (KPI, map metric, popup) equal counts made
directly from the rows, on SQLite and PostgreSQL: only public appeals count for the public,
overdue means open past `due_at`, and every place filter (region, district, sectors) applies."""
import datetime as dt
import random

import pytest
from sqlalchemy import select, text

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import appeals, institutions
from queries import appeals as q
from tests.conftest import BACKENDS, _fresh_url

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
STATUSES = ("new", "in_review", "answered", "resolved", "rejected")


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    """A small demo database with 400 appeals of every status, public or not, hidden or not,
    due before or after NOW."""
    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=60, years=[2024], seed=3, progress=False)
    rng = random.Random(8)
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM institutions ORDER BY id"))]
        for i in range(400):
            status = rng.choice(STATUSES)
            created = NOW - dt.timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
            q.insert_appeal(conn, dict(
                tracking_code=f"T{i:010d}", institution_id=rng.choice(ids[:40]), kind="question",
                body="counted in the tests", status=status, published=rng.random() < 0.6,
                hidden_reason="abusive" if rng.random() < 0.1 else None, created_at=created,
                due_at=created + dt.timedelta(days=21)))
    yield engine
    engine.dispose()


def rows(engine) -> list[dict]:
    """Every appeal with its institution's place and sector, as stored."""
    a, i = appeals, institutions
    sql = select(a.c.institution_id, a.c.status, a.c.published, a.c.hidden_reason, a.c.due_at, i.c.region_code,
                 i.c.district_code, i.c.sector_code).select_from(a.join(i, i.c.id == a.c.institution_id))
    with engine.connect() as conn:
        return [{**r, "due_at": q.as_utc(r["due_at"])} for r in conn.execute(sql).mappings()]


def expected(found: list[dict], now=NOW, public=True, **match) -> dict:
    """Open and overdue counted in Python from the raw rows."""
    keep = [r for r in found if r["status"] in ("new", "in_review") and r["hidden_reason"] is None
            and (r["published"] or not public) and all(
                (r[k] in v if isinstance(v, tuple) else r[k] == v) for k, v in match.items())]
    return {"open": len(keep), "overdue": sum(1 for r in keep if r["due_at"] < now)}


def test_fixture_covers_every_case(engine):
    found = rows(engine)
    public_open = [r for r in found if r["status"] == "in_review" and r["published"] and not r["hidden_reason"]]
    assert {r["status"] for r in found} == set(STATUSES)
    assert any(r["due_at"] < NOW for r in public_open) and any(r["due_at"] >= NOW for r in public_open)
    assert any(r["status"] == "new" and not r["published"] for r in found)


def test_country_region_district_and_sector_counts_equal_direct_counts(engine):
    found = rows(engine)
    some = next(r for r in found if r["status"] == "in_review" and r["published"] and not r["hidden_reason"])
    sectors = (some["sector_code"], next(r["sector_code"] for r in found if r["sector_code"] != some["sector_code"]))
    cases = [{}, {"region_code": some["region_code"]},
             {"region_code": some["region_code"], "district_code": some["district_code"]},
             {"sector_code": sectors}, {"region_code": some["region_code"], "sector_code": sectors}]
    with engine.connect() as conn:
        for match in cases:
            got = q.open_counts(conn, region=match.get("region_code"), district=match.get("district_code"),
                                sectors=match.get("sector_code", ()), now=NOW)
            assert got == expected(found, **match), match
            assert got["open"] > 0, match  # the case is not vacuous
    assert expected(found)["overdue"] < expected(found)["open"]


def test_only_published_visible_appeals_count_for_the_public(engine):
    found = rows(engine)
    with engine.connect() as conn:
        public = q.open_counts(conn, now=NOW)
        staff = q.open_counts(conn, now=NOW, published_only=False)
    assert public == expected(found, public=True)
    assert staff == expected(found, public=False)
    assert staff["open"] > public["open"]  # appeals waiting for moderation are not public yet


def test_overdue_follows_due_at(engine):
    found = rows(engine)
    with engine.connect() as conn:
        early = q.open_counts(conn, now=NOW - dt.timedelta(days=90))
        late = q.open_counts(conn, now=NOW + dt.timedelta(days=90))
        now = q.open_counts(conn, now=NOW)
    assert early["overdue"] == 0 and late["overdue"] == late["open"] == now["open"]
    assert 0 < now["overdue"] < now["open"]
    assert now == expected(found)


def test_counts_per_region_and_per_district_include_zeros(engine):
    found = rows(engine)
    sectors = (found[0]["sector_code"],)
    with engine.connect() as conn:
        regions = q.open_counts_by_area(conn, sectors=sectors, now=NOW)
        region = found[0]["region_code"]
        districts = q.open_counts_by_area(conn, region=region, now=NOW)
        all_districts = conn.execute(text("SELECT code FROM districts WHERE region_code = :r"), {"r": region}).scalars()
    assert len(regions) == 20 and any(v == {"open": 0, "overdue": 0} for v in regions.values())
    for code, counts in regions.items():
        assert counts == expected(found, region_code=code, sector_code=sectors), code
    assert set(districts) == set(all_districts)
    for code, counts in districts.items():
        assert counts == expected(found, region_code=region, district_code=code), code


def test_institution_counts_for_the_popup(engine):
    found = rows(engine)
    busiest = max({r["institution_id"] for r in found}, key=lambda i: expected(found, institution_id=i)["open"])
    with engine.connect() as conn:
        got = q.appeal_counts_for_institution(conn, busiest, now=NOW)
    assert {k: got[k] for k in ("open", "overdue")} == expected(found, institution_id=busiest)
    assert got["open"] > 0
