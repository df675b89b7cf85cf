"""Attachments are judged by content: real photos are re-encoded without metadata, real videos
pass their container checks, and disguised or damaged files are refused."""
import io
import struct

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


XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


def xmp_box(latitude: str) -> bytes:
    """A uuid box with an XMP packet holding GPS, as exiftool or an editor writes it."""
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="{latitude}"/>'
           f'</rdf:RDF></x:xmpmeta>').encode()
    return struct.pack(">I4s", 8 + 16 + len(xmp), b"uuid") + XMP_UUID + xmp


def insert_at_end_of(data: bytes, path: list[bytes], box: bytes) -> bytes:
    """`box` appended inside the container at `path` (e.g. [moov, trak]), growing its parents."""
    start, end, parents = 0, len(data), []
    for kind in path:
        offset = start
        while offset < end:
            size, found = struct.unpack(">I4s", data[offset:offset + 8])
            if found == kind:
                break
            offset += size
        assert offset < end, f"no {kind} box"
        parents.append(offset)
        start, end = offset + 8, offset + size
    data = data[:end] + box + data[end:]
    for offset in parents:
        size = struct.unpack(">I", data[offset:offset + 4])[0]
        data = data[:offset] + struct.pack(">I", size + len(box)) + data[offset + 4:]
    return data


@pytest.mark.parametrize("fmt", ["mp4", "mov"])
def test_xmp_uuid_boxes_are_blanked_at_top_level_in_moov_and_in_trak(tmp_path, videos, fmt):
    import subprocess

    import imageio_ffmpeg

    original = videos[fmt]
    assert original.rfind(b"moov") > original.find(b"mdat")  # moov last: inserting moves no sample
    original = insert_at_end_of(original, [b"moov"], xmp_box("43,14.30N moov"))
    original = insert_at_end_of(original, [b"moov", b"trak"], xmp_box("43,14.30N trak"))
    original += xmp_box("43,14.30N top")
    _, stored = check(original, tmp_path)
    assert len(stored) == len(original)
    assert b"GPSLatitude" not in stored and b"43,14.30N" not in stored and XMP_UUID not in stored
    played = tmp_path / f"played.{fmt}"
    played.write_bytes(stored)
    decoded = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(played), "-f", "null", "-"],
                             capture_output=True, text=True, timeout=60)
    assert decoded.returncode == 0 and decoded.stderr == ""


@pytest.fixture(scope="module")
def live_webm():
    """WebM as a browser records it: Segment and first Cluster of unknown size."""
    data = bytearray(video("webm", "-live", "1"))
    cluster = data.find(bytes.fromhex("1F43B675"))
    assert data[cluster + 4] >> 6 == 1  # a 2-byte size: rewrite it as 'unknown' in place
    data[cluster + 4:cluster + 6] = b"\x7f\xff"
    return bytes(data)


def test_webm_of_unknown_size_is_accepted(tmp_path, live_webm):
    checked, stored = check(live_webm, tmp_path)
    assert checked.content_type == "video/webm" and stored == live_webm


@pytest.mark.parametrize("tail", [HTML_PAGE, PHP_SCRIPT, b"\x1f\x43\xb6\x75\x90<script>", b"\xec\x81"])
def test_webm_of_unknown_size_with_trailing_data_is_rejected(tmp_path, live_webm, tail):
    with pytest.raises(FileRejected) as exc:
        check(live_webm + tail, tmp_path)
    assert exc.value.reason == "broken"
