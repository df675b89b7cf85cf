"""Stored flags: a rescan keeps ids of surviving keys, touches only its scope; listing filters and
derived statuses (new, dismissed with the same numbers, in a case), counts and the region map."""
import datetime as dt

import pytest
from sqlalchemy import insert, select

from dashboard.anomalies.model import Flag
from dashboard.demo.load import load_demo
from dashboard.schema import anomaly_flags, case_links, cases, flag_reviews, institutions, users
from queries.anomalies import (
    FlagFilter, detector_counts, flagged_share_by_region, get_flag, list_flags, store_flags,
)

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def small(migrated_engine):
    load_demo(migrated_engine, institutions=12, years=[2024, 2025], seed=5, progress=False)
    with migrated_engine.begin() as conn:
        rows = conn.execute(select(institutions.c.id, institutions.c.region_code).order_by(institutions.c.id)).all()
        user = conn.execute(insert(users).values(username="an", display_name="An", password_hash="x",
                                                 role="analyst")).inserted_primary_key[0]
    return migrated_engine, [r.id for r in rows], {r.id: r.region_code for r in rows}, user


def flag(iid, year, detector="spike", score=0.8, paid=5):
    return Flag(iid, year, detector, score, {"paid": paid}, [{"program": "464-003", "subprogram": "015",
                                                                "specific": 159, "months": [3]}])


def ids_by_key(engine):
    with engine.connect() as conn:
        return {(r.institution_id, r.year, r.detector): r.id for r in conn.execute(select(anomaly_flags))}


def test_rescan_keeps_ids_and_only_its_scope(small):
    engine, ids, _, _ = small
    a, b = ids[0], ids[1]
    with engine.begin() as conn:
        assert store_flags(conn, [flag(a, 2024), flag(a, 2025), flag(b, 2024)], None, None, now=NOW) == \
            {"inserted": 3, "updated": 0, "deleted": 0}
    before = ids_by_key(engine)
    # A rescore of institution a in 2024: its flag changes numbers, b's flag and a's 2025 stay.
    with engine.begin() as conn:
        stored = store_flags(conn, [flag(a, 2024, paid=9)], {(a, 2024)}, [2024], now=NOW)
    assert stored == {"inserted": 0, "updated": 1, "deleted": 0}
    assert ids_by_key(engine) == before
    with engine.begin() as conn:
        stored = store_flags(conn, [], {(a, 2024)}, [2024], now=NOW)
    assert stored["deleted"] == 1 and set(ids_by_key(engine)) == {(a, 2025, "spike"), (b, 2024, "spike")}
    with engine.connect() as conn:
        assert get_flag(conn, before[(b, 2024, "spike")])["evidence"] == {"paid": 5}


def test_filters_statuses_counts_and_map(small):
    engine, ids, region_of, user = small
    a, b, c = ids[:3]
    with engine.begin() as conn:
        store_flags(conn, [flag(a, 2024, score=0.9), flag(b, 2024, "unit_cost", 0.5), flag(c, 2025, score=0.3)],
                    None, None, now=NOW)
    keys = ids_by_key(engine)
    with engine.begin() as conn:
        fp = conn.execute(select(anomaly_flags.c.fingerprint).where(anomaly_flags.c.id == keys[(a, 2024, "spike")])).scalar()
        conn.execute(insert(flag_reviews).values(institution_id=a, year=2024, detector="spike", fingerprint=fp,
                                                 action="dismissed", reason="heating contract", actor_user_id=user, at=NOW))
        case_id = conn.execute(insert(cases).values(institution_id=b, title="t", opened_by=user, opened_at=NOW,
                                                    updated_at=NOW)).inserted_primary_key[0]
        conn.execute(insert(case_links).values(case_id=case_id, kind="flag", year=2024, detector="unit_cost"))
    with engine.connect() as conn:
        assert [f["score"] for f in list_flags(conn, FlagFilter())] == [0.9, 0.5, 0.3]
        assert {f["institution_id"]: f["status"] for f in list_flags(conn, FlagFilter())} == \
            {a: "dismissed", b: "in_case", c: "new"}
        assert [f["institution_id"] for f in list_flags(conn, FlagFilter(status="new"))] == [c]
        assert list_flags(conn, FlagFilter(status="in_case"))[0]["case_id"] == case_id
        assert [f["institution_id"] for f in list_flags(conn, FlagFilter(year=2024, min_score=0.6))] == [a]
        assert [f["detector"] for f in list_flags(conn, FlagFilter(detectors=["unit_cost"]))] == ["unit_cost"]
        in_region = list_flags(conn, FlagFilter(region=region_of[a]))
        assert a in {f["institution_id"] for f in in_region}
        assert all(f["region_code"] == region_of[a] for f in in_region)
        counts = {r["detector"]: r for r in detector_counts(conn, 2024)}
        assert counts["spike"]["flagged"] == 1 and counts["spike"]["total"] == 12
        assert counts["unit_cost"]["warn"] is False and abs(counts["unit_cost"]["share"] - 1 / 12) < 1e-9
        by_region = {r["region_code"]: r for r in flagged_share_by_region(conn, 2024)}
        # a's only flag is dismissed: its region counts b only if b is there.
        flagged = sum(r["flagged"] for r in by_region.values())
        assert flagged == 1 and sum(r["institutions"] for r in by_region.values()) == 12
    # New numbers bring a dismissed flag back.
    with engine.begin() as conn:
        store_flags(conn, [flag(a, 2024, score=0.9, paid=77)], {(a, 2024)}, [2024], now=NOW)
    with engine.connect() as conn:
        assert get_flag(conn, keys[(a, 2024, "spike")])["status"] == "new"


def test_a_warning_when_a_detector_flags_more_than_a_tenth(small):
    engine, ids, _, _ = small
    with engine.begin() as conn:
        store_flags(conn, [flag(i, 2025, "round_amounts") for i in ids[:2]], None, None, now=NOW)
        counts = {r["detector"]: r for r in detector_counts(conn, 2025)}
    assert counts["round_amounts"]["flagged"] == 2 and counts["round_amounts"]["warn"] is True


def test_a_dismissal_is_about_the_institutions_own_numbers():
    # Peer statistics, national base rates and the clock move without the institution's numbers
    # changing: the fingerprint (what a dismissal holds on to) must not move with them.
    def round_flag(**evidence):
        return Flag(1, 2025, "round_amounts", 0.7, {"round_months": 5, "amounts": [100_000_000] * 5,
                                                   "tests": 2_392_797, "cutoff": 4.18e-9, **evidence})
    assert round_flag().fingerprint() == round_flag(tests=3_828, cutoff=2.61e-6).fingerprint()
    assert round_flag().fingerprint() != round_flag(amounts=[100_000_000] * 4 + [200_000_000]).fingerprint()
    silent = Flag(1, 2025, "silence", 0.5, {"overdue": 2, "appeals": 3, "longest_overdue_days": 31}, [], [7, 9])
    later = Flag(1, 2025, "silence", 0.5, {"overdue": 2, "appeals": 3, "longest_overdue_days": 32}, [], [9, 7])
    assert silent.fingerprint() == later.fingerprint()
    assert silent.fingerprint() != Flag(1, 2025, "silence", 0.5, {"overdue": 3, "appeals": 3}, [], [7, 9]).fingerprint()
