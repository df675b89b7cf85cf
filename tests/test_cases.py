"""Case rules, flag reviews, documents and the append-only logs, on both databases."""
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import delete, select, update

from dashboard import cases, flag_reviews
from dashboard.cases import CaseInvalid
from dashboard.schema import case_events, case_links, flag_reviews as reviews
from queries import cases as q
from tests.appeals_support import world  # noqa: F401
from tests.case_support import add_flag, assert_append_only, counts, rescan


def refused(reason: str, call, *args, **kwargs) -> CaseInvalid:
    with pytest.raises(CaseInvalid) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason, caught.value
    return caught.value


def log(world, case_id):
    with world.engine.connect() as conn:
        return [(e["action"], e["from_status"], e["to_status"]) for e in q.case_events_of(conn, case_id)]


def test_a_case_moves_open_checking_closed_with_a_reason_and_logs_every_step(world):
    analyst, flag = world.users["analyst"], add_flag(world, world.id_a)
    appeal = world.new_appeal(world.bin_a)  # unpublished: analysts may still link it
    case_id = cases.open_case(world.engine, analyst, title="December dumping", institution=world.bin_a,
                              flag_ids=[str(flag)], appeal_ids=[str(appeal["id"])], note="Looks planned.")
    assert refused("wrong_state", cases.move, world.engine, analyst, case_id, "confirmed", "too early").status == 409
    cases.move(world.engine, analyst, case_id, "checking")
    assert refused("required", cases.move, world.engine, analyst, case_id, "no_violation", "  ").status == 400
    cases.move(world.engine, analyst, case_id, "confirmed", "Invoices do not match the works.")
    assert refused("final", cases.move, world.engine, analyst, case_id, "no_violation", "x").status == 409
    assert refused("final", cases.link, world.engine, analyst, case_id, [str(add_flag(world, world.id_a))])
    cases.add_note(world.engine, analyst, case_id, "Sent to the prosecutor.")  # a closed case still takes notes
    with world.engine.connect() as conn:
        case = q.case_by_id(conn, case_id)
        events = q.case_events_of(conn, case_id)
    assert (case["status"], case["closed_reason"]) == ("confirmed", "Invoices do not match the works.")
    assert log(world, case_id) == [("opened", None, "open"), ("linked", None, "open"), ("linked", None, "open"),
                                   ("note", None, "open"), ("status", "open", "checking"),
                                   ("status", "checking", "confirmed"), ("note", None, "confirmed")]
    assert events[3]["note"] == "Looks planned." and {e["actor_user_id"] for e in events} == {analyst.id}


def test_a_linked_flag_keeps_the_numbers_it_had_when_linked(world):
    analyst, flag = world.users["analyst"], add_flag(world, world.id_a, score=0.7)
    case_id = cases.open_case(world.engine, analyst, title="Spike", flag_ids=[flag])  # institution from the flag
    rescan(world, flag, score=0.2, evidence=json.dumps({"share": 0.01}), fingerprint="b" * 32)
    cases.link(world.engine, analyst, case_id, [flag])  # linking again keeps the first snapshot
    with world.engine.connect() as conn:
        links = q.case_links_of(conn, case_id)
        assert q.case_by_id(conn, case_id)["institution_id"] == world.id_a
    assert len(links) == 1
    snap = links[0]["snapshot"]
    assert (snap["flag_id"], snap["score"], snap["fingerprint"]) == (flag, 0.7, "a" * 32)
    assert snap["evidence"] == {"paid_december": 12500000, "share": 0.41} and snap["lines"][0]["months"] == [12]


def test_a_case_is_about_one_institution_and_refusals_change_nothing(world):
    analyst = world.users["analyst"]
    other_flag, other_appeal = add_flag(world, world.id_b), world.new_appeal(world.bin_b)
    before = counts(world)
    refused("other_institution", cases.open_case, world.engine, analyst, title="Mixed", institution=world.bin_a,
            flag_ids=[other_flag])
    refused("other_institution", cases.open_case, world.engine, analyst, title="Mixed", institution=str(world.id_a),
            appeal_ids=[other_appeal["id"]])
    assert refused("unknown_flag", cases.open_case, world.engine, analyst, title="X", flag_ids=["999999"]).status == 404
    assert refused("unknown_institution", cases.open_case, world.engine, analyst, title="X",
                   institution="000000000000").status == 404
    refused("required", cases.open_case, world.engine, analyst, title="No institution")
    refused("required", cases.open_case, world.engine, analyst, title=" ", institution=world.bin_a)
    refused("bad_id", cases.open_case, world.engine, analyst, title="X", flag_ids=["1; DROP"])
    refused("too_long", cases.open_case, world.engine, analyst, title="X", institution=world.bin_a, note="n" * 10_001)
    assert refused("not_found", cases.add_note, world.engine, analyst, 999999, "note").status == 404
    assert refused("forbidden", cases.open_case, world.engine, world.users["moderator"], title="X",
                   institution=world.bin_a).status == 403
    assert counts(world) == before


def test_notes_hold_up_to_ten_thousand_characters(world):
    analyst = world.users["analyst"]
    case_id = cases.open_case(world.engine, analyst, title="Long note", institution=world.bin_a)
    cases.add_note(world.engine, analyst, case_id, "n" * 10_000)
    refused("too_long", cases.add_note, world.engine, analyst, case_id, "n" * 10_001)
    refused("required", cases.add_note, world.engine, analyst, case_id, "")


def dismissed(world, flag_id) -> bool:
    """Dismissed both by the review rules and as the workspace lists it (its SQL status)."""
    from queries.anomalies import get_flag

    with world.engine.connect() as conn:
        flag = q.flag_by_id(conn, flag_id)
        key = (flag["institution_id"], flag["year"], flag["detector"])
        by_rules = flag_reviews.is_dismissed(flag, q.latest_reviews(conn, [key]).get(key))
        listed = get_flag(conn, flag_id)["status"] == "dismissed"
    assert by_rules == listed, (by_rules, listed)
    return listed


def test_a_dismissed_flag_stays_dismissed_until_its_numbers_change(world):
    analyst, flag = world.users["analyst"], add_flag(world, world.id_a)
    refused("required", flag_reviews.dismiss_flag, world.engine, analyst, flag, "")
    flag_reviews.dismiss_flag(world.engine, analyst, flag, "Seasonal purchase, documented.")
    assert dismissed(world, flag)
    assert refused("already_dismissed", flag_reviews.dismiss_flag, world.engine, analyst, flag, "again").status == 409
    rescan(world, flag, score=0.75)  # the next scan, same numbers: still dismissed
    assert dismissed(world, flag)
    rescan(world, flag, fingerprint="c" * 32)  # different numbers: the flag is back
    assert not dismissed(world, flag)
    refused("not_dismissed", flag_reviews.restore_flag, world.engine, analyst, flag)
    flag_reviews.dismiss_flag(world.engine, analyst, flag, "Checked the new numbers too.")
    flag_reviews.restore_flag(world.engine, analyst, flag)
    assert not dismissed(world, flag)
    with world.engine.connect() as conn:
        rows = conn.execute(select(reviews.c.action, reviews.c.fingerprint, reviews.c.reason)
                            .where(reviews.c.detector == q.flag_by_id(conn, flag)["detector"])
                            .order_by(reviews.c.id)).all()
    assert [tuple(r) for r in rows] == [("dismissed", "a" * 32, "Seasonal purchase, documented."),
                                        ("dismissed", "c" * 32, "Checked the new numbers too."),
                                        ("restored", "c" * 32, None)]
    assert refused("not_found", flag_reviews.dismiss_flag, world.engine, analyst, 999999, "x").status == 404


@pytest.mark.parametrize("table", [case_events, reviews])
def test_case_events_and_flag_reviews_are_append_only(world, table):
    analyst, flag = world.users["analyst"], add_flag(world, world.id_a)
    cases.open_case(world.engine, analyst, title="Append only", flag_ids=[flag])
    flag_reviews.dismiss_flag(world.engine, analyst, flag, "not needed")
    column = table.c.note if table is case_events else table.c.reason
    assert_append_only(world.engine, table, update(table).values({column: "edited"}), delete(table))
    with world.engine.connect() as conn:
        assert "edited" not in conn.execute(select(column)).scalars().all()


def upload(world, case_id, name, content, role="analyst"):
    return world.client(role).post(f"/analyst/cases/{case_id}/documents", content_type="multipart/form-data",
                                   headers={"Accept": "application/json"},
                                   data={"csrf_token": "test-token", "file": (io.BytesIO(content), name)})


def ooxml(part: str, extra: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in ("[Content_Types].xml", part, *([extra] if extra else [])):
            # A fixed date keeps the bytes (and so the test ids) the same in every xdist worker.
            package.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), "<x/>")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("name, content, content_type", [
    ("act.pdf", PDF, "application/pdf"),
    ("invoices.csv", "БИН;сумма\n123;45\n".encode("cp1251"), "text/csv"),
    ("notes.txt", "Акт сверки\n".encode(), "text/plain"),
    ("table.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("letter.docx", ooxml("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "bytes")
def test_a_document_is_stored_unchanged_with_its_sha256(world, name, content, content_type):
    case_id = cases.open_case(world.engine, world.users["analyst"], title="Documents", institution=world.bin_a)
    response = upload(world, case_id, name, content)
    assert response.status_code == 201, response.data
    assert response.json["sha256"] == hashlib.sha256(content).hexdigest()
    with world.engine.connect() as conn:
        doc = q.case_document(conn, case_id, response.json["document_id"])
        assert log(world, case_id)[-1] == ("document", None, "open")
    assert (doc["sha256"], doc["size_bytes"], doc["content_type"], doc["filename"]) == (
        hashlib.sha256(content).hexdigest(), len(content), content_type, name)
    assert (world.uploads / "cases" / doc["stored_name"]).read_bytes() == content
    served = world.client("analyst").get(f"/analyst/cases/{case_id}/documents/{doc['id']}")
    assert served.status_code == 200 and served.data == content
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in served.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name, content, reason", [
    ("page.html.pdf", b"\x00<html><script>alert(1)</script></html>", "file_type"),
    ("macro.xlsx", ooxml("xl/workbook.xml", "xl/vbaProject.bin"), "file_type"),
    ("broken.pdf", b"%PDF-1.4 no end marker", "file_broken"),
    ("empty.txt", b"", "file_empty"),
], ids=lambda value: value if isinstance(value, str) else "bytes")
def test_documents_are_judged_by_content(world, name, content, reason):
    case_id = cases.open_case(world.engine, world.users["analyst"], title="Refused", institution=world.bin_a)
    before = counts(world)
    response = upload(world, case_id, name, content)
    assert response.status_code == 400 and response.json["error"] == reason
    assert counts(world) == before and list((world.uploads / ".staging").iterdir()) == []
