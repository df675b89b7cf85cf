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
    assert checked.content_type == "video/webm" and len(stored) == len(live_webm)
    assert b"ENCODER" in live_webm and b"ENCODER" not in stored  # ffmpeg's Tags became a Void
    assert check(stored, tmp_path)[1] == stored


@pytest.mark.parametrize("tail", [HTML_PAGE, PHP_SCRIPT, b"\x1f\x43\xb6\x75\x90<script>", b"\xec\x81"])
def test_webm_of_unknown_size_with_trailing_data_is_rejected(tmp_path, live_webm, tail):
    with pytest.raises(FileRejected) as exc:
        check(live_webm + tail, tmp_path)
    assert exc.value.reason == "broken"


WEBM_SECRETS = (b"43.2389", b"Home of Aigerim", b"Aigerim phone", b"cover-with-gps", b"Chapter at home")


def ebml(element_id: int, payload: bytes) -> bytes:
    """One EBML element with an 8-byte size field."""
    size = ((1 << 56) | len(payload)).to_bytes(8, "big")
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + size + payload


def webm_with_metadata(live: bool) -> bytes:
    """A WebM whose title, location and track name are set by ffmpeg; the live one (Segment and
    Cluster of unknown size) also gets Attachments (a cover image) and Chapters appended."""
    data = video("webm", "-metadata", "location=+43.2389+076.8897/", "-metadata", "title=Home of Aigerim",
                 "-metadata:s:v", "title=Aigerim phone", *(("-live", "1") if live else ()))
    if live:
        data = bytearray(data)
        cluster = data.find(bytes.fromhex("1F43B675"))
        data[cluster + 4:cluster + 6] = b"\x7f\xff"
        attached = ebml(0x61A7, ebml(0x466E, b"cover.jpg") + ebml(0x4660, b"image/jpeg")
                        + ebml(0x465C, b"cover-with-gps" + jpeg_with_gps()) + ebml(0x46AE, b"\x01"))
        chapter = ebml(0x45B9, ebml(0xB6, ebml(0x73C4, b"\x01") + ebml(0x91, b"\x00")
                                    + ebml(0x80, ebml(0x85, b"Chapter at home"))))
        data = bytes(data) + ebml(0x1941A469, attached) + ebml(0x1043A770, chapter)
    return data


def ffmpeg_run(path, *args):
    import subprocess

    import imageio_ffmpeg

    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("live", [False, True], ids=["sized", "live"])
def test_webm_title_location_attachments_are_voided_and_it_still_plays(tmp_path, live):
    from dashboard.appeals.files import _webm_check

    original = webm_with_metadata(live)
    assert all(secret in original for secret in WEBM_SECRETS[:3])
    assert _webm_check(io.BytesIO(original), len(original))
    checked, stored = check(original, tmp_path)
    assert checked.content_type == "video/webm" and len(stored) == len(original)
    for secret in WEBM_SECRETS:
        assert secret not in stored, secret
    assert b"Lavf" in stored  # MuxingApp/WritingApp name the software and stay
    # a re-walk finds only valid WebM elements and nothing left to blank
    assert _webm_check(io.BytesIO(stored), len(stored)) == []
    played = tmp_path / "played.webm"
    played.write_bytes(stored)
    decoded = ffmpeg_run(played, "-f", "null", "-")
    assert decoded.returncode == 0 and decoded.stderr == ""
    meta = ffmpeg_run(played, "-f", "ffmetadata", "-")
    assert meta.returncode == 0 and "Aigerim" not in meta.stdout and "43.2389" not in meta.stdout
    # a WebM without metadata (the stored one) passes unchanged, byte for byte
    _, again = check(stored, tmp_path)
    assert again == stored


def test_webm_info_crc32_is_recomputed_after_the_title_is_voided(tmp_path):
    import zlib

    from dashboard.appeals.files import _ebml_children, _ebml_element

    data = bytearray(webm_with_metadata(False))
    f = io.BytesIO(bytes(data))
    _, segment_start, _ = _ebml_element(f, data.index(bytes.fromhex("18538067")))
    level1 = {}
    offset = segment_start
    while offset < len(data):
        element, start, length = _ebml_element(f, offset)
        level1[element] = (offset, start, length)
        offset = start + length
    void_at, void_start, void_len = level1[0xEC]
    info_at, info_start, info_len = level1[0x1549A966]
    assert void_at + (void_start - void_at) + void_len == info_at and info_start - info_at == 5 and info_len < 120
    info = bytes(data[info_start:info_start + info_len])
    new_info = bytes.fromhex("1549A966") + bytes([0x80 | (info_len + 6)]) + b"\xbf\x84" + struct.pack(
        "<I", zlib.crc32(info)) + info
    new_void_total = info_at - void_at - 6
    new_void = b"\xec" + ((1 << 56) | (new_void_total - 9)).to_bytes(8, "big") + b"\0" * (new_void_total - 9)
    data[void_at:info_start + info_len] = new_void + new_info
    _, seekhead_start, seekhead_len = level1[0x114D9B74]
    for _, _, s_start, s_len in _ebml_children(f, seekhead_start, seekhead_start + seekhead_len):
        children = {c[1]: c for c in _ebml_children(f, s_start, s_start + s_len)}
        if data[children[0x53AB][2]:children[0x53AB][2] + 4] == bytes.fromhex("1549A966"):
            pos = children[0x53AC]
            data[pos[2]:pos[2] + pos[3]] = (info_at - 6 - segment_start).to_bytes(pos[3], "big")
    _, stored = check(bytes(data), tmp_path)
    assert b"Home of Aigerim" not in stored and len(stored) == len(data)
    crc_at = info_at - 6 + 5
    end = crc_at + 6 + info_len
    assert struct.unpack("<I", stored[crc_at + 2:crc_at + 6])[0] == zlib.crc32(stored[crc_at + 6:end])
    assert stored[crc_at + 2:crc_at + 6] != data[crc_at + 2:crc_at + 6]
    played = tmp_path / "crc.webm"
    played.write_bytes(stored)
    decoded = ffmpeg_run(played, "-err_detect", "crccheck", "-f", "null", "-")
    assert decoded.returncode == 0 and decoded.stderr == ""
