"""Attachments are judged by content: real photos are re-encoded without metadata, real videos
pass their container checks, and disguised or damaged files are refused."""
import io

import pytest
from PIL import Image

from dashboard.appeals.files import FileRejected, check_and_write
from tests.appeals_support import HTML_PAGE, PHP_SCRIPT, jpeg_with_gps, png_with_text, video, webp

LIMITS = dict(max_photo=10 * 1024 * 1024, max_video=100 * 1024 * 1024)


@pytest.fixture(scope="module")
def videos():
    return {fmt: video(fmt) for fmt in ("mp4", "mov", "webm")}


def check(data: bytes, tmp_path, **limits):
    out = tmp_path / "out.bin"
    out.unlink(missing_ok=True)
    checked = check_and_write(io.BytesIO(data), out, **(limits or LIMITS))
    return checked, out.read_bytes()


def test_jpeg_is_reencoded_without_exif_or_gps(tmp_path):
    original = jpeg_with_gps()
    assert b"SecretPhone" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    checked, stored = check(original, tmp_path)
    assert (checked.kind, checked.content_type, checked.extension) == ("photo", "image/jpeg", ".jpg")
    img = Image.open(io.BytesIO(stored))
    assert img.format == "JPEG" and img.size == (64, 32)
    assert len(img.getexif()) == 0 and "exif" not in img.info
    assert b"Exif" not in stored and b"SecretPhone" not in stored


def test_exif_orientation_is_applied_before_it_is_dropped(tmp_path):
    _, stored = check(jpeg_with_gps(size=(64, 32), orientation=6), tmp_path)
    assert Image.open(io.BytesIO(stored)).size == (32, 64)


def test_png_text_chunks_and_webp_are_cleaned(tmp_path):
    checked, stored = check(png_with_text(), tmp_path)
    assert checked.content_type == "image/png" and b"gps 43.23" not in stored and b"tEXt" not in stored
    checked, stored = check(webp(), tmp_path)
    assert checked.content_type == "image/webp" and Image.open(io.BytesIO(stored)).format == "WEBP"


@pytest.mark.parametrize("fmt, content_type", [("mp4", "video/mp4"), ("mov", "video/quicktime"),
                                               ("webm", "video/webm")])
def test_real_videos_are_accepted(tmp_path, videos, fmt, content_type):
    checked, stored = check(videos[fmt], tmp_path)
    assert (checked.kind, checked.content_type) == ("video", content_type)
    assert len(stored) == len(videos[fmt]) and stored[:4] == videos[fmt][:4]


@pytest.mark.parametrize("fmt", ["mp4", "mov"])
def test_video_location_and_tags_are_blanked_and_it_still_plays(tmp_path, fmt):
    import subprocess

    import imageio_ffmpeg

    original = video(fmt, "-metadata", "location=+43.2389+076.8897/", "-metadata", "title=Home of Aigerim",
                     "-movflags", "use_metadata_tags")
    assert b"43.2389" in original or b"Home of Aigerim" in original
    _, stored = check(original, tmp_path)
    assert b"43.2389" not in stored and b"Home of Aigerim" not in stored and len(stored) == len(original)
    played = tmp_path / f"played.{fmt}"
    played.write_bytes(stored)
    decoded = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(played), "-f", "null", "-"],
                             capture_output=True, text=True, timeout=60)
    assert decoded.returncode == 0 and decoded.stderr == ""


@pytest.mark.parametrize("name, data, reason", [
    ("html renamed .jpg", HTML_PAGE, "type"),
    ("php renamed .jpg", PHP_SCRIPT, "type"),
    ("empty", b"", "empty"),
    ("gif", b"GIF89a" + b"\x00" * 64, "type"),
    ("jpeg header then garbage", b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 20, "broken"),
    ("heic-like ftyp without a movie", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "broken"),
    ("pdf among appeal files", b"%PDF-1.7\n%%EOF\n", "type"),
])
def test_disguised_or_broken_files_are_rejected(tmp_path, name, data, reason):
    with pytest.raises(FileRejected) as exc:
        check(data, tmp_path)
    assert exc.value.reason == reason, name
    assert not (tmp_path / "out.bin").exists() or reason == "broken"


def test_polyglot_jpeg_with_html_keeps_only_the_pixels(tmp_path):
    polyglot = jpeg_with_gps() + HTML_PAGE + PHP_SCRIPT
    assert Image.open(io.BytesIO(polyglot)).format == "JPEG"  # a viewer would show it
    checked, stored = check(polyglot, tmp_path)
    assert checked.content_type == "image/jpeg"
    assert b"<script" not in stored and b"<?php" not in stored and b"SecretPhone" not in stored


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_video_polyglot_with_trailing_html_is_rejected(tmp_path, videos, fmt):
    with pytest.raises(FileRejected) as exc:
        check(videos[fmt] + HTML_PAGE, tmp_path)
    assert exc.value.reason == "broken"


def test_oversize_photo_and_video_are_refused_before_decoding(tmp_path, videos):
    with pytest.raises(FileRejected) as exc:
        check(jpeg_with_gps(), tmp_path, max_photo=100, max_video=10**8)
    assert exc.value.reason == "too_big"
    with pytest.raises(FileRejected) as exc:
        check(videos["mp4"], tmp_path, max_photo=10**7, max_video=1000)
    assert exc.value.reason == "too_big"


def test_decompression_bomb_is_rejected(tmp_path):
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 MP in a few KB
    with pytest.raises(FileRejected) as exc:
        check(out.getvalue(), tmp_path)
    assert exc.value.reason == "broken"
