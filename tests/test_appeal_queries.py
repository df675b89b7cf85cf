"""Deadlines in working days, open/overdue counts for pages and the map, and the audit log that
nobody can rewrite — on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from dashboard.appeals.deadline import add_working_days
from dashboard.appeals.workflow import transition
from dashboard.config import ConfigError, load_config
from dashboard.schema import appeal_events, institutions
from queries import appeals as q
from tests.appeals_support import world  # noqa: F401

MONDAY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc)


def test_fifteen_working_days_skip_weekends():
    assert add_working_days(MONDAY, 15) == dt.datetime(2026, 12, 14, 9, 30, tzinfo=dt.timezone.utc)
    assert add_working_days(dt.datetime(2026, 11, 20, 12, 0), 1) == dt.datetime(2026, 11, 23, 12, 0)


def test_public_holidays_are_not_working_days():
    # 16 December (Independence Day, Wednesday in 2026) is skipped.
    assert add_working_days(dt.datetime(2026, 12, 15), 1) == dt.datetime(2026, 12, 17)
    # 21–23 March (Nauryz) and the weekend before: Friday 20 March + 1 → Tuesday 24 March.
    assert add_working_days(dt.datetime(2026, 3, 20), 1) == dt.datetime(2026, 3, 24)


def test_deadline_is_configurable(tmp_path):
    assert load_config({"ASHYQ_VAR_DIR": str(tmp_path)}).answer_deadline_days == 15
    assert load_config({"ASHYQ_VAR_DIR": str(tmp_path), "ANSWER_DEADLINE_WORKING_DAYS": "10"}).answer_deadline_days == 10
    for bad in ("0", "ten", "-3"):
        with pytest.raises(ConfigError, match="ANSWER_DEADLINE_WORKING_DAYS"):
            load_config({"ASHYQ_VAR_DIR": str(tmp_path), "ANSWER_DEADLINE_WORKING_DAYS": bad})


def test_new_appeal_gets_its_deadline_in_working_days(world):
    appeal = world.new_appeal()
    created, due = q.as_utc(appeal["created_at"]), q.as_utc(appeal["due_at"])
    assert due == add_working_days(created, world.config.answer_deadline_days)


def test_counts_per_institution_region_and_country(world):
    later = q.utcnow() + dt.timedelta(days=40)  # every open appeal is past its deadline then
    with world.engine.connect() as conn:
        region_a = conn.execute(select(institutions.c.region_code).where(institutions.c.id == world.id_a)).scalar_one()
        base_inst = q.appeal_counts_for_institution(conn, world.id_a)
        base_late = q.appeal_counts_for_institution(conn, world.id_a, now=later)
        base_all = q.appeal_counts_for_institution(conn, world.id_a, now=later, published_only=False)
        base_region = {r["region_code"]: r for r in q.open_appeals_by_region(conn)}[region_a]
        base_total = q.appeal_totals(conn)
    world.new_appeal(world.bin_a, "new")  # waiting for moderation: not public
    world.new_appeal(world.bin_a, "in_review")  # public and open
    world.new_appeal(world.bin_a, "answered")
    world.new_appeal(world.bin_a, "hidden")  # abusive: counted nowhere
    with world.engine.connect() as conn:
        now_counts = q.appeal_counts_for_institution(conn, world.id_a)
        late = q.appeal_counts_for_institution(conn, world.id_a, now=later)
        late_all = q.appeal_counts_for_institution(conn, world.id_a, now=later, published_only=False)
        regions = {r["region_code"]: r for r in q.open_appeals_by_region(conn, now=later)}
        per_inst = q.appeal_counts_by_institution(conn, [world.id_a], now=later)
        totals = q.appeal_totals(conn, now=later)
        overdue_ids = {r["id"] for r in q.overdue_appeals(conn, now=later)}
        overdue_now = q.overdue_appeals(conn)
    diff = lambda new, old: {k: new[k] - old[k] for k in ("total", "open", "overdue", "answered")}  # noqa: E731
    assert diff(now_counts, base_inst) == {"total": 2, "open": 1, "overdue": 0, "answered": 1}
    assert diff(late, base_late) == {"total": 2, "open": 1, "overdue": 1, "answered": 1}
    assert diff(late_all, base_all) == {"total": 3, "open": 2, "overdue": 2, "answered": 1}
    assert len(regions) == 20 and regions[region_a]["open"] == base_region["open"] + 1
    assert per_inst[world.id_a] == late
    assert totals["open"] == base_total["open"] + 1 and totals["overdue"] >= late["overdue"]
    assert overdue_now == [] or all(q.as_utc(r["due_at"]) < q.utcnow() for r in overdue_now)
    assert len(overdue_ids) >= 2


def test_audit_log_records_every_change_and_cannot_be_edited(world):
    appeal = world.new_appeal(world.bin_a, "answered")
    transition(world.engine, world.users["official_own"], appeal["id"], "resolve", None)
    with world.engine.connect() as conn:
        log = q.events_for(conn, appeal["id"])
    assert [(e["action"], e["from_status"], e["to_status"], e["actor_role"]) for e in log] == [
        ("created", None, "new", "citizen"), ("approve", "new", "in_review", "moderator"),
        ("answer", "in_review", "answered", "official"), ("resolve", "answered", "resolved", "official")]
    assert log[2]["note"] == "We will fix it in May." and log[1]["display_name"] == "Moderator"
    for statement in (update(appeal_events).where(appeal_events.c.appeal_id == appeal["id"]).values(note="edited"),
                      delete(appeal_events).where(appeal_events.c.appeal_id == appeal["id"])):
        with pytest.raises(DatabaseError, match="append-only"):
            with world.engine.begin() as conn:
                conn.execute(statement)
    if world.engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"):
            with world.engine.begin() as conn:
                conn.execute(text("TRUNCATE appeal_events"))
    with world.engine.connect() as conn:
        assert [e["note"] for e in q.events_for(conn, appeal["id"])] == [e["note"] for e in log]
