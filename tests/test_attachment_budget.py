"""Attachments are checked in a sandbox with CPU, memory and wall-clock budgets: pathological
files of every container are refused quickly with a 4xx, the appeal's text survives, the worker
keeps answering, and staging leftovers go away. Both databases."""
import io
import os
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from dashboard.appeals.files import FileRejected
from dashboard.appeals.sandbox import Budget, check_in_sandbox
from dashboard.schema import appeals
from tests import attachment_bombs as bombs
from tests.appeals_support import build_world, jpeg_with_gps
from tests.conftest import BACKENDS, _fresh_url
from tests.test_appeal_drafts import browser_post, new_client, rendered_page

WALL = 2  # ATTACHMENT_WALL_SECONDS in this world
VIDEO_MB = 8


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("budget")
    built = build_world(_fresh_url(request.param, request, tmp_path_factory), tmp, ATTACHMENT_CPU_SECONDS="1",
                        ATTACHMENT_VIDEO_CPU_SECONDS="1", ATTACHMENT_WALL_SECONDS=str(WALL),
                        MAX_VIDEO_MB=str(VIDEO_MB))
    yield built
    built.engine.dispose()


def appeal_count(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(appeals)).scalar_one()


BOMBS = {
    "progressive.jpg": (lambda: bombs.progressive_jpeg(), {"file_too_complex"}),
    "bomb.png": (lambda: bombs.png_bomb(), {"file_broken"}),  # refused by its declared size
    "bomb.webp": (lambda: bombs.webp_bomb(), {"file_broken"}),
    "boxes.mp4": (lambda: bombs.mp4_many_boxes(VIDEO_MB * 1024 * 1024 - 64), {"file_too_complex"}),
    "voids.webm": (lambda: bombs.webm_voids(VIDEO_MB * 1024 * 1024 - 64), {"file_too_complex"}),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_pathological_attachment_is_refused_within_the_budget(world, name):
    make, errors = BOMBS[name]
    content, before = make(), appeal_count(world)
    started = time.monotonic()
    response = world.post_appeal(files=[("ok.jpg", jpeg_with_gps()), (name, content)])
    elapsed = time.monotonic() - started
    assert 400 <= response.status_code < 500, response.data[:300]
    assert response.json["error"] in errors and "attachment 2" in response.json["detail"]
    assert elapsed < WALL + 2, f"{name}: {elapsed:.1f} s"
    assert world.client("anonymous").get("/healthz").status_code == 200  # the worker is still here
    assert appeal_count(world) == before
    assert list((world.uploads / ".staging").iterdir()) == []


def test_ordinary_files_still_pass_the_sandbox(world):
    response = world.post_appeal(files=[("roof.jpg", jpeg_with_gps((1200, 900)))])
    assert response.status_code == 201, response.data


def test_refused_as_too_complex_keeps_the_typed_text_in_the_page_language(world):
    client = new_client(world)
    text = "Фотография трещины в стене спортзала после ремонта, оплаченного в марте."
    started = time.monotonic()
    response = browser_post(client, world, files=[("wall.jpg", bombs.progressive_jpeg())], body=text)
    assert time.monotonic() - started < WALL + 2
    assert response.status_code == 303
    location = response.headers["Location"]
    assert parse_qs(urlsplit(location).query)["error"] == ["file_too_complex"]
    page = rendered_page(client, location)
    assert text in page and "обычный JPEG" in page  # the Russian message, since lang=ru


def test_malformed_pdf_document_is_refused_quickly(world):
    started = time.monotonic()
    response = world.client("official_own").post(
        "/documents/new", content_type="multipart/form-data", headers={"Accept": "application/json"},
        data={"csrf_token": "test-token", "institution": world.bin_a, "year": "2024", "kind": "report",
              "title": "Report", "file": (io.BytesIO(bombs.pdf_without_end()), "report.pdf")})
    assert response.status_code == 400 and response.json["error"] == "file_broken"
    assert time.monotonic() - started < WALL + 2


def test_memory_budget_refuses_a_photo_that_needs_more(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (6000, 6000), "gray").save(out, "PNG")  # 108 MB of pixels once decoded
    with pytest.raises(FileRejected) as refused:
        check_in_sandbox(io.BytesIO(out.getvalue()), tmp_path / "a.png", Budget(memory_mb=64), max_photo=1 << 30)
    assert refused.value.reason == "too_complex"


def test_decoded_pixels_are_capped_by_the_budget(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (3000, 3000), "gray").save(out, "JPEG")  # 9 MP
    with pytest.raises(FileRejected, match="DecompressionBomb"):
        check_in_sandbox(io.BytesIO(out.getvalue()), tmp_path / "a.jpg", Budget(max_megapixels=4),
                         max_photo=1 << 30)


def test_staging_leftovers_are_swept_when_old(world):
    store = world.app.server.config["ASHYQ_UPLOADS"]
    old, fresh = store.staging / f"{'a' * 32}.part", store.staging / f"{'b' * 32}.part"
    old.write_bytes(b"killed mid-upload")
    fresh.write_bytes(b"in flight")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    store._swept = float("-inf")  # as on the first upload after start, or a minute after the last sweep
    assert world.post_appeal(files=[("roof.jpg", jpeg_with_gps())]).status_code == 201
    assert not old.exists() and fresh.exists()
    fresh.unlink()
