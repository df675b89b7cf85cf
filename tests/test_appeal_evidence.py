"""Evidence integrity and appeal rules on both databases: every stored file's SHA-256 is recorded,
logged, shown and re-checked; officials cannot act on hidden appeals; the form says what is
published."""
import hashlib
import json

import pytest
from sqlalchemy import select

from dashboard.appeals import workflow
from dashboard.i18n import t
from dashboard.schema import appeal_attachments, appeal_events, appeals
from tests.appeals_support import jpeg_with_gps, webp, world  # noqa: F401  (module fixture)
from tests.test_appeal_authorization import dash_call
from tests.test_appeal_drafts import new_client, rendered_page


def posted_with_files(world) -> tuple[str, dict, list[dict], list[dict]]:
    """Post an appeal with a photo (GPS EXIF) and a WebP; (code, appeal, attachments, events)."""
    response = world.post_appeal(files=[("roof.jpg", jpeg_with_gps()), ("wall.webp", webp())])
    assert response.status_code == 201, response.data
    code = response.json["tracking_code"]
    with world.engine.connect() as conn:
        appeal = dict(conn.execute(select(appeals).where(appeals.c.tracking_code == code)).mappings().one())
        files = [dict(r) for r in conn.execute(select(appeal_attachments).where(
            appeal_attachments.c.appeal_id == appeal["id"]).order_by(appeal_attachments.c.position)).mappings()]
        events = [dict(r) for r in conn.execute(select(appeal_events).where(
            appeal_events.c.appeal_id == appeal["id"])).mappings()]
    return code, appeal, files, events


def test_each_stored_file_has_its_sha256_recorded_and_in_the_audit_log(world):
    _code, _appeal, files, events = posted_with_files(world)
    assert len(files) == 2
    for f in files:
        stored = (world.uploads / "appeals" / f["stored_name"]).read_bytes()
        assert b"SecretPhone" not in stored  # the hash is of the cleaned bytes, as stored
        assert f["sha256"] == hashlib.sha256(stored).hexdigest()
    (created,) = [e for e in events if e["action"] == "created"]
    for number, f in enumerate(files, start=1):
        assert f"file {number}: {f['stored_name']} sha256={f['sha256']}" in created["note"]


def uploads_command(world, monkeypatch, *args) -> int:
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", world.url)
    monkeypatch.setenv("UPLOAD_DIR", str(world.uploads))
    monkeypatch.setenv("ASHYQ_VAR_DIR", str(world.config.var_dir))
    return main(["uploads", *args])


def test_a_swapped_file_is_reported_by_the_uploads_command(world, capsys, monkeypatch):
    _code, _appeal, files, _events = posted_with_files(world)
    assert uploads_command(world, monkeypatch) == 0
    assert "changed file:" not in capsys.readouterr().out
    path = world.uploads / "appeals" / files[0]["stored_name"]
    original = path.read_bytes()
    forged = webp()  # another valid picture in place of the citizen's photo
    path.write_bytes(forged)
    try:
        assert uploads_command(world, monkeypatch) == 1
        out = capsys.readouterr().out
        assert (f"changed file: appeals/{files[0]['stored_name']} (recorded {files[0]['sha256']}, "
                f"now {hashlib.sha256(forged).hexdigest()})") in out
        assert files[1]["stored_name"] not in out
    finally:
        path.write_bytes(original)
    assert uploads_command(world, monkeypatch) == 0


def track_view(client, code: str, lang: str) -> str:
    """The tracking page's content as Dash's renderer asks for it (over HTTP)."""
    body = {"output": "track-view.children", "outputs": {"id": "track-view", "property": "children"},
            "inputs": [{"id": "track-ctx", "property": "data", "value": {"code": code, "lang": lang}}],
            "changedPropIds": [], "state": []}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:500]
    return json.dumps(response.json, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_tracking_page_and_staff_views_show_each_files_sha256(world, lang):
    code, appeal, files, _events = posted_with_files(world)
    page = track_view(new_client(world), code, lang)
    assert t("appeals.sha256", lang) in page
    for f in files:
        assert f"{f['sha256'][:12]}…" in page  # the short form …
        assert page.count(f["sha256"]) >= 3  # … with the full value as its tooltip, to copy and to select
    for role, outputs in (("moderator", ["moderation-queue", "moderation-overdue"]), ("official_own", ["official-desk"])):
        response = dash_call(world, role, outputs)
        assert response.status_code == 200
        assert all(f["sha256"] in response.get_data(as_text=True) for f in files), role


def event_actions(world, appeal_id: int) -> list[str]:
    with world.engine.connect() as conn:
        return list(conn.execute(select(appeal_events.c.action).where(appeal_events.c.appeal_id == appeal_id)).scalars())


def test_an_official_cannot_answer_or_resolve_a_hidden_appeal(world):
    official = world.client("official_own")
    hidden = world.new_appeal(world.bin_a, "hidden")
    response = official.post(f"/appeals/{hidden['id']}/answer", data={"csrf_token": "test-token",
                                                                       "answer": "Crafted answer."},
                             headers={"Accept": "application/json"})
    assert response.status_code == 409 and response.json["error"] == "conflict"
    assert world.appeal(hidden["id"])["status"] == "in_review" and world.appeal(hidden["id"])["answer"] is None
    browser = official.post(f"/appeals/{hidden['id']}/answer", data={"csrf_token": "test-token", "answer": "Again.",
                                                                      "next": "/official"})
    assert browser.status_code == 303 and "error=409" in browser.headers["Location"]
    assert world.appeal(hidden["id"])["answer"] is None

    answered = world.new_appeal(world.bin_a, "answered")
    workflow.transition(world.engine, world.users["moderator"], answered["id"], "hide", "insults")
    response = official.post(f"/appeals/{answered['id']}/resolve", data={"csrf_token": "test-token"},
                             headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert world.appeal(answered["id"])["status"] == "answered"
    assert "answer" not in event_actions(world, hidden["id"]) and "resolve" not in event_actions(world, answered["id"])

    desk = dash_call(world, "official_own", ["official-desk"]).get_data(as_text=True)
    for appeal_id in (hidden["id"], answered["id"]):
        assert f'"data-appeal": "{appeal_id}"' not in desk
        assert f"/appeals/{appeal_id}/" not in desk
    # The moderator who hid it may still close it.
    workflow.transition(world.engine, world.users["moderator"], answered["id"], "resolve", None)
    assert world.appeal(answered["id"])["status"] == "resolved"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_form_says_what_becomes_public_before_sending(world, lang):
    page = rendered_page(new_client(world), f"/institution/{world.bin_a}/appeals?lang={lang}")
    notice = t("appeals.form.public_notice", lang)
    assert "appeal-public-notice" in page and notice in page
    assert page.index(notice) < page.index("appeal-submit")
