"""Posting appeals with attachments over HTTP on both databases: what is stored, how files are
served, what is refused, and that rows and files are written together or not at all."""
import io
import tracemalloc

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from dashboard.schema import appeal_attachments, appeal_events, appeals
from tests.appeals_support import HTML_PAGE, PHP_SCRIPT, jpeg_with_gps, video, world  # noqa: F401


def count(world, table) -> int:
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def assert_files_match_rows(world):
    """Every attachment row has its file and every stored file has its row; staging is empty."""
    on_disk = {p.name for p in (world.uploads / "appeals").iterdir()}
    assert on_disk == world.attachment_names()
    assert list((world.uploads / ".staging").iterdir()) == []


def test_photo_and_video_are_stored_cleaned_and_served_safely(world):
    mp4 = video("mp4")
    response = world.post_appeal(files=[("roof.jpg", jpeg_with_gps()), ("walk.mp4", mp4)],
                                 author_name="Aigerim", author_contact="+7 701 000 00 00")
    assert response.status_code == 201, response.data
    code = response.json["tracking_code"]
    with world.engine.connect() as conn:
        appeal = conn.execute(select(appeals).where(appeals.c.tracking_code == code)).mappings().one()
        files = conn.execute(select(appeal_attachments).where(appeal_attachments.c.appeal_id == appeal["id"])
                             .order_by(appeal_attachments.c.position)).mappings().all()
        events = conn.execute(select(appeal_events).where(appeal_events.c.appeal_id == appeal["id"])).mappings().all()
    assert appeal["status"] == "new" and not appeal["published"]
    assert [(e["action"], e["to_status"], e["actor_role"]) for e in events] == [("created", "new", "citizen")]
    assert [(f["kind"], f["content_type"]) for f in files] == [("photo", "image/jpeg"), ("video", "video/mp4")]
    photo_name, video_name = files[0]["stored_name"], files[1]["stored_name"]
    assert "roof" not in photo_name and len(photo_name) == 36
    stored = (world.uploads / "appeals" / photo_name).read_bytes()
    assert b"SecretPhone" not in stored and len(Image.open(io.BytesIO(stored)).getexif()) == 0
    kept = (world.uploads / "appeals" / video_name).read_bytes()
    assert len(kept) == len(mp4) and kept[:32] == mp4[:32]

    anonymous = world.client("anonymous")
    assert anonymous.get(f"/files/appeals/{photo_name}").status_code == 403  # not approved yet
    served = anonymous.get(f"/files/appeals/{photo_name}?code={code}")
    assert served.status_code == 200 and served.data == stored
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == f'inline; filename=appeal-{appeal["id"]}-1.jpg'
    assert "sandbox" in served.headers["Content-Security-Policy"]
    clip = anonymous.get(f"/files/appeals/{video_name}?code={code}")
    assert clip.headers["Content-Type"] == "video/mp4" and clip.data == kept
    assert anonymous.get("/files/appeals/secret_key").status_code == 404
    assert anonymous.get(f"/files/appeals/{'0' * 32}.jpg").status_code == 404
    assert_files_match_rows(world)


@pytest.mark.parametrize("live", [False, True], ids=["sized", "live"])
def test_webm_is_stored_without_title_location_or_attachments(world, live):
    import hashlib

    from dashboard.appeals.files import _webm_check
    from tests.test_appeal_files import WEBM_SECRETS, webm_with_metadata

    clip = webm_with_metadata(live)
    response = world.post_appeal(files=[("walk.webm", clip)])
    assert response.status_code == 201, response.data
    with world.engine.connect() as conn:
        appeal_id = conn.execute(select(appeals.c.id).where(
            appeals.c.tracking_code == response.json["tracking_code"])).scalar_one()
        row = conn.execute(select(appeal_attachments).where(appeal_attachments.c.appeal_id == appeal_id)
                           ).mappings().one()
    assert (row["kind"], row["content_type"]) == ("video", "video/webm")
    kept = (world.uploads / "appeals" / row["stored_name"]).read_bytes()
    assert len(kept) == len(clip) and kept[:32] == clip[:32]
    for secret in WEBM_SECRETS:
        assert secret not in kept, secret
    assert _webm_check(io.BytesIO(kept), len(kept)) == []  # valid elements, nothing left to blank
    assert row["sha256"] == hashlib.sha256(kept).hexdigest()  # the hash is of the cleaned file
    assert_files_match_rows(world)


@pytest.mark.parametrize("name, content, error", [
    ("shell.jpg", PHP_SCRIPT, "file_type"),
    ("page.jpg", HTML_PAGE, "file_type"),
    ("empty.jpg", b"", "file_empty"),
    ("clip.mp4", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + HTML_PAGE, "file_broken"),
])
def test_bad_attachment_refuses_the_whole_appeal_and_leaves_no_file(world, name, content, error):
    before = count(world, appeals)
    response = world.post_appeal(files=[("ok.jpg", jpeg_with_gps()), (name, content)])
    assert response.status_code == 400
    assert response.json["error"] == error and response.json["field"] == "files"
    assert "attachment 2" in response.json["detail"]
    assert count(world, appeals) == before
    assert_files_match_rows(world)


def test_oversize_video_is_cut_off_while_streaming_not_held_in_memory(world, tmp_path):
    limit = world.config.max_video_bytes  # 3 MB in this world
    big = tmp_path / "big.mp4"
    with big.open("wb") as out:
        out.write(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
        for _ in range(limit // (1024 * 1024) + 2):
            out.write(b"\x00" * (1024 * 1024))
    before = count(world, appeals)
    tracemalloc.start()
    with big.open("rb") as handle:
        response = world.client("anonymous").post(
            "/appeals/new", content_type="multipart/form-data", headers={"Accept": "application/json"},
            data={"csrf_token": "test-token", "institution": world.bin_a, "kind": "question",
                  "body": "A video of the empty construction site.", "files": [(handle, "big.mp4")]})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 413
    assert peak < big.stat().st_size / 4, f"peak {peak:,} bytes for a {big.stat().st_size:,} byte upload"
    assert count(world, appeals) == before
    assert_files_match_rows(world)


def test_oversize_photo_within_the_stream_cap_is_refused_by_its_own_limit(world):
    payload = jpeg_with_gps() + b"\x00" * (world.config.max_photo_bytes + 1)
    response = world.post_appeal(files=[("huge.jpg", payload)])
    assert response.status_code == 413 and response.json["error"] == "file_too_big"
    assert_files_match_rows(world)


def test_more_than_five_files_is_refused(world):
    photo = jpeg_with_gps()
    response = world.post_appeal(files=[(f"p{i}.jpg", photo) for i in range(6)])
    assert response.status_code == 400 and response.json["error"] == "too_many_files"


@pytest.mark.parametrize("fields, error, field", [
    ({"body": "short"}, "too_short", "body"),
    ({"body": "x" * 5001}, "too_long", "body"),
    ({"kind": "<script>"}, "bad_kind", "kind"),
    ({"institution": "000000000000"}, "unknown_institution", "institution"),
    ({"line": "2024/999-999/999/999"}, "bad_line", "line"),
    ({"website": "http://spam.example"}, "rejected", "website"),
])
def test_invalid_forms_say_what_and_where(world, fields, error, field):
    before = count(world, appeals)
    response = world.post_appeal(**fields)
    assert response.status_code == 400 and (response.json["error"], response.json["field"]) == (error, field)
    assert count(world, appeals) == before


def test_browser_form_errors_redirect_back_to_the_form(world):
    response = world.client("anonymous").post("/appeals/new", data={
        "csrf_token": "test-token", "institution": world.bin_a, "kind": "question", "body": "short", "lang": "kk"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(
        f"/institution/{world.bin_a}/appeals?error=too_short&field=body&lang=kk&draft=")
    assert response.headers["Location"].endswith("#appeal-form")


def test_post_without_csrf_token_is_refused(world):
    before = count(world, appeals)
    response = world.post_appeal(csrf_token="forged")
    assert response.status_code == 403 and count(world, appeals) == before


def test_failed_commit_removes_the_moved_files(world):
    """A real database failure after the files were checked: no row, no file."""
    before = count(world, appeals)
    trigger_sql = {
        "sqlite": ["CREATE TRIGGER fail_attachments BEFORE INSERT ON appeal_attachments "
                   "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"],
        "postgresql": ["CREATE FUNCTION fail_attachments() RETURNS trigger AS $$ BEGIN "
                       "RAISE EXCEPTION 'disk full (test)'; END; $$ LANGUAGE plpgsql",
                       "CREATE TRIGGER fail_attachments BEFORE INSERT ON appeal_attachments "
                       "FOR EACH ROW EXECUTE FUNCTION fail_attachments()"],
    }[world.engine.dialect.name]
    with world.engine.begin() as conn:
        for statement in trigger_sql:
            conn.execute(text(statement))
    try:
        response = world.post_appeal(files=[("roof.jpg", jpeg_with_gps())])
    finally:
        with world.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER fail_attachments" +
                              (" ON appeal_attachments" if world.engine.dialect.name == "postgresql" else "")))
            if world.engine.dialect.name == "postgresql":
                conn.execute(text("DROP FUNCTION fail_attachments()"))
    assert response.status_code == 500
    assert count(world, appeals) == before
    assert_files_match_rows(world)


def test_upload_audit_finds_orphans_and_missing_files(world, capsys, monkeypatch):
    """`python -m dashboard uploads --delete` after a crash between the move and the commit."""
    from dashboard.cli import main

    response = world.post_appeal(files=[("roof.jpg", jpeg_with_gps())])
    assert response.status_code == 201
    orphan = world.uploads / "appeals" / ("ab" * 16 + ".jpg")
    orphan.write_bytes(b"left by a crash")
    monkeypatch.setenv("DATABASE_URL", world.url)
    monkeypatch.setenv("UPLOAD_DIR", str(world.uploads))
    monkeypatch.setenv("ASHYQ_VAR_DIR", str(world.config.var_dir))
    assert main(["uploads", "--older-than", "0"]) == 0
    assert f"orphan file (no row): appeals/{orphan.name}" in capsys.readouterr().out
    assert main(["uploads", "--older-than", "0", "--delete"]) == 0
    assert not orphan.exists()
    assert_files_match_rows(world)
    kept = sorted(world.attachment_names())[0]
    moved = world.uploads / "appeals" / kept
    moved.rename(world.uploads / kept)  # a row now points at a missing file
    try:
        assert main(["uploads"]) == 1
        assert f"missing file (a row points at it): appeals/{kept}" in capsys.readouterr().out
    finally:
        (world.uploads / kept).rename(moved)


def test_appeal_on_one_expenditure_line(world):
    from dashboard.schema import budget_lines as bl

    with world.engine.connect() as conn:
        line = conn.execute(select(bl.c.year, bl.c.program_code, bl.c.subprogram_code, bl.c.specific_code)
                            .where(bl.c.institution_id == world.id_a).limit(1)).one()
    response = world.post_appeal(line=f"{line[0]}/{line[1]}/{line[2]}/{line[3]}", kind="discrepancy")
    assert response.status_code == 201
    with world.engine.connect() as conn:
        row = conn.execute(select(appeals).where(appeals.c.tracking_code == response.json["tracking_code"])
                           ).mappings().one()
    assert (row["line_year"], row["line_program_code"], row["line_subprogram_code"], row["line_specific_code"],
            row["kind"]) == (*line, "discrepancy")
