"""Citizens' discrepancy reports reach the analysts' flags as soon as they are posted, linked to
the line they name; a moderator hiding one as abusive takes its signal away again."""
from sqlalchemy import select

from dashboard.appeals import workflow
from dashboard.schema import anomaly_flags, budget_lines as bl
from tests.appeals_support import world  # noqa: F401 - fixture


def report_flags(world, institution_id):
    with world.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(anomaly_flags).where(
            anomaly_flags.c.institution_id == institution_id, anomaly_flags.c.detector == "citizen_reports"))
            .mappings()]


def test_a_discrepancy_report_is_a_signal_at_once_and_hiding_it_takes_it_away(world):
    assert report_flags(world, world.id_b) == []
    with world.engine.connect() as conn:
        line = conn.execute(select(bl.c.program_code, bl.c.subprogram_code, bl.c.specific_code)
                            .where(bl.c.institution_id == world.id_b, bl.c.year == 2024).limit(1)).one()
    posted = world.post_appeal(world.bin_b, kind="discrepancy", line=f"2024/{line[0]}/{line[1]}/{line[2]:03d}",
                               body="Отопление оплачено, а в классах холодно.")
    assert posted.status_code == 201, posted.data
    flags = report_flags(world, world.id_b)
    assert len(flags) == 1 and flags[0]["year"] == 2024
    assert f'"specific": {line[2]}' in flags[0]["lines"] and flags[0]["appeal_ids"] != "[]"
    # A question is not a discrepancy report: no new signal.
    world.post_appeal(world.bin_b, kind="question")
    assert len(report_flags(world, world.id_b)) == 1
    appeal_id = int(flags[0]["appeal_ids"].strip("[]").split(",")[0])
    workflow.transition(world.engine, world.users["moderator"], appeal_id, "hide", "insults")
    assert report_flags(world, world.id_b) == []


def test_an_appeal_is_stored_even_when_scoring_it_fails(world, monkeypatch):
    from dashboard.anomalies import detectors

    def broken(data):
        raise RuntimeError("detector bug")

    monkeypatch.setitem(detectors.DETECTORS, "citizen_reports", broken)
    posted = world.post_appeal(world.bin_a, kind="discrepancy", body="Краска куплена, стены не покрашены.")
    assert posted.status_code == 201, posted.data
    with world.engine.connect() as conn:
        from dashboard.schema import appeals
        assert conn.execute(select(appeals.c.id).where(appeals.c.tracking_code == posted.json["tracking_code"])).first()
