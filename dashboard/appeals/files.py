"""Attachment checks by content (never by name or declared type) and clean re-encoding.

Photos (JPEG, PNG, WebP) are decoded with Pillow and written anew without any metadata (EXIF,
GPS, XMP, ICC, text chunks), so trailing payloads of polyglot files are dropped too. Videos
(MP4, MOV, WebM) cannot be re-encoded here; their container structure is walked instead and
must cover the file exactly (no data before or after the boxes / EBML segment; the WebM segment,
also of unknown size as browsers record, is walked element by element to the end of the file). In
MP4/MOV the user-data, metadata and uuid boxes (where phones and editors record GPS, XMP among
them) are overwritten with zeros. In WebM, Tags, Attachments and Chapters, the Segment title,
track names and SeekHead entries pointing to those become Void elements of the same length and
everything else (muxing/writing application names, dates, codecs) is kept (see blank_webm_metadata).
"""
from __future__ import annotations

import io
import shutil
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

# A 10 MB photo never needs more; larger canvases are decompression bombs.
Image.MAX_IMAGE_PIXELS = 60_000_000

PHOTO_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
VIDEO_TYPES = {"mp4": ("video/mp4", ".mp4"), "mov": ("video/quicktime", ".mov"), "webm": ("video/webm", ".webm")}
# Top-level ISO BMFF / QuickTime boxes a real recording may contain.
MP4_TOP_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"pdin", b"moof",
                 b"mfra", b"styp", b"sidx", b"ssix", b"prft", b"emsg", b"udta", b"pnot", b"junk"}
CHUNK = 1024 * 1024


class FileRejected(ValueError):
    """An attachment that is not an accepted photo/video; `reason` is an i18n key suffix."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # photo | video | document
    content_type: str
    extension: str
    size: int


def _size(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def sniff(head: bytes) -> str | None:
    """'photo', 'video', 'pdf' or None, from the first bytes of a file."""
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n") or (
            head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "photo"
    if head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def clean_photo(stream: BinaryIO, out: BinaryIO) -> CheckedFile:
    """Decode a photo and write it to `out` re-encoded, upright, with no metadata at all."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x MAX_IMAGE_PIXELS; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(stream)
        with img:
            if img.format not in PHOTO_TYPES:
                raise FileRejected("type", f"{img.format} images are not accepted")
            fmt = img.format
            img.load()
            upright = ImageOps.exif_transpose(img)  # keep the photo the way the camera held it
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        if isinstance(exc, FileRejected):
            raise
        raise FileRejected("broken", f"the image cannot be decoded ({type(exc).__name__})") from None
    upright.info = {}  # drops exif, icc_profile, xmp, PNG text chunks before saving
    if fmt == "JPEG":
        upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
        upright.save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            upright = upright.convert("RGBA")
        upright.save(out, "PNG")
    else:
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
        upright.save(out, "WEBP", quality=85)
    content_type, ext = PHOTO_TYPES[fmt]
    return CheckedFile("photo", content_type, ext, out.tell())


def _mp4_kind(stream: BinaryIO, size: int) -> str:
    """Walk the top-level boxes; they must start with ftyp, include moov and end at EOF."""
    offset, seen, brand = 0, set(), b""
    while offset < size:
        stream.seek(offset)
        header = stream.read(16)
        if len(header) < 8:
            raise FileRejected("broken", f"truncated MP4 box at byte {offset}")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1:
            if len(header) < 16:
                raise FileRejected("broken", f"truncated MP4 box at byte {offset}")
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset  # "to the end of the file"
        if box_type not in MP4_TOP_BOXES or box_size < 8 or offset + box_size > size:
            raise FileRejected("broken", f"unexpected MP4 data at byte {offset}")
        if not seen and box_type != b"ftyp":
            raise FileRejected("type", "an MP4/MOV file must start with an ftyp box")
        if box_type == b"ftyp":
            brand = header[8:12]
        seen.add(box_type)
        offset += box_size
    if b"moov" not in seen and b"moof" not in seen:
        raise FileRejected("broken", "the MP4/MOV file has no movie (moov) box")
    return "mov" if brand == b"qt  " else "mp4"


# User data and metadata: where phones put GPS (©xyz, ISO6709); uuid boxes carry XMP (exif:GPS*)
# and vendor extensions that no player needs to show the recording.
METADATA_BOXES = {b"udta", b"meta", b"uuid"}


def _boxes(f: BinaryIO, start: int, end: int):
    """(offset, header length, size, type) of the boxes between start and end."""
    offset = start
    while offset + 8 <= end:
        f.seek(offset)
        header = f.read(16)
        size, kind = struct.unpack(">I4s", header[:8])
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", header[8:16])[0], 16
        elif size == 0:
            size = end - offset
        if size < head or offset + size > end:
            return
        yield offset, head, size, kind
        offset += size


def blank_mp4_metadata(f: BinaryIO, size: int) -> int:
    """Turn every udta/meta/uuid box (top level, in moov and in each trak) into a zero-filled
    'free' box of the same size, so sample offsets stay valid; returns how many were blanked."""
    blanked = 0

    def blank(offset, head, box_size):
        f.seek(offset + head - 4)
        f.write(b"free")
        left = box_size - head
        while left:
            step = min(left, CHUNK)
            f.write(b"\0" * step)
            left -= step

    for offset, head, box_size, kind in list(_boxes(f, 0, size)):
        if kind in METADATA_BOXES:
            blank(offset, head, box_size)
            blanked += 1
        elif kind == b"moov":
            for c_off, c_head, c_size, c_kind in list(_boxes(f, offset + head, offset + box_size)):
                if c_kind in METADATA_BOXES:
                    blank(c_off, c_head, c_size)
                    blanked += 1
                elif c_kind == b"trak":
                    for t_off, t_head, t_size, t_kind in list(_boxes(f, c_off + c_head, c_off + c_size)):
                        if t_kind in METADATA_BOXES:
                            blank(t_off, t_head, t_size)
                            blanked += 1
    return blanked


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at `pos`: (value, next position)."""
    if pos >= len(data):
        raise FileRejected("broken", "truncated WebM header")
    first = data[pos]
    length = 8 - first.bit_length() + 1
    if first == 0 or pos + length > len(data):
        raise FileRejected("broken", "invalid WebM header")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1:pos + length]:
        value = (value << 8) | byte
    return value, pos + length


WEBM_CLUSTER = 0x1F43B675
# Level-1 elements of a Segment (SeekHead, Info, Tracks, Cluster, Cues, Chapters, Tags,
# Attachments) and the children of a Cluster; Void and CRC-32 may stand anywhere.
WEBM_SEGMENT_CHILDREN = {0x114D9B74, 0x1549A966, 0x1654AE6B, WEBM_CLUSTER, 0x1C53BB6B, 0x1043A770, 0x1254C367,
                         0x1941A469, 0xEC, 0xBF}
WEBM_CLUSTER_CHILDREN = {0xE7, 0x5854, 0xA7, 0xAB, 0xA3, 0xA0, 0xAF, 0xEC, 0xBF}


def _ebml_element(stream: BinaryIO, offset: int) -> tuple[int, int, int | None]:
    """(element id, where its data starts, data size or None when unknown) at `offset`."""
    stream.seek(offset)
    data = stream.read(12)
    element, pos = _vint(data, 0, keep_marker=True)
    length_start = pos
    length, pos = _vint(data, pos, keep_marker=False)
    unknown = length == (1 << (7 * (pos - length_start))) - 1
    return element, offset + pos, None if unknown else length


# Level-1 elements that no player needs to show the recording and that carry free text or files:
# Tags (title, location, comments, any key ffmpeg or an editor writes), Attachments (cover
# images, fonts) and Chapters (typed chapter names). Each becomes a Void element of the same length.
WEBM_TAGS, WEBM_ATTACHMENTS, WEBM_CHAPTERS = 0x1254C367, 0x1941A469, 0x1043A770
WEBM_BLANKED = {WEBM_TAGS, WEBM_ATTACHMENTS, WEBM_CHAPTERS}
WEBM_SEEKHEAD, WEBM_INFO, WEBM_TRACKS = 0x114D9B74, 0x1549A966, 0x1654AE6B
WEBM_VOID, WEBM_CRC32 = 0xEC, 0xBF
# Info: only Title (free text) becomes Void. MuxingApp and WritingApp are mandatory and name the
# recording software ("Chrome", "Firefox", "Lavf61.7.100", "libwebm-0.3.0"), not the device;
# DateUTC (when it was recorded), durations and codec settings are kept as evidence.
WEBM_INFO_TITLE = 0x7BA9
WEBM_TRACK_ENTRY, WEBM_TRACK_NAME = 0xAE, 0x536E
WEBM_SEEK, WEBM_SEEK_ID = 0x4DBB, 0x53AB


def _ebml_children(stream: BinaryIO, start: int, end: int):
    """(offset, id, data start, data size) of the elements that must tile start..end exactly."""
    offset = start
    while offset < end:
        element, data_start, length = _ebml_element(stream, offset)
        if length is None or data_start + length > end:
            raise FileRejected("broken", f"invalid WebM element at byte {offset}")
        yield offset, element, data_start, length
        offset = data_start + length


def _webm_master_edits(stream: BinaryIO, element: int, data_start: int, end: int, edits: list) -> bool:
    """Edits (added to `edits`) removing free text from one SeekHead, Info, Tracks or TrackEntry;
    a CRC-32 first child is recomputed after them. True when anything in it is changed."""
    changed, crc_at = False, None
    for offset, child, child_start, length in _ebml_children(stream, data_start, end):
        if child == WEBM_CRC32 and offset == data_start and length == 4:
            crc_at = child_start
        elif element == WEBM_INFO and child == WEBM_INFO_TITLE or element == WEBM_TRACK_ENTRY and (
                child == WEBM_TRACK_NAME):
            edits.append(("void", offset, child_start + length - offset))
            changed = True
        elif element == WEBM_SEEKHEAD and child == WEBM_SEEK:
            for _, grandchild, g_start, g_length in _ebml_children(stream, child_start, child_start + length):
                if grandchild == WEBM_SEEK_ID and 0 < g_length <= 4:
                    stream.seek(g_start)
                    if int.from_bytes(stream.read(g_length), "big") in WEBM_BLANKED:
                        edits.append(("void", offset, child_start + length - offset))
                        changed = True
        elif element == WEBM_TRACKS and child == WEBM_TRACK_ENTRY:
            changed = _webm_master_edits(stream, child, child_start, child_start + length, edits) or changed
    if changed and crc_at is not None:
        edits.append(("crc", crc_at, crc_at + 4, end))
    return changed


def _webm_walk_to_end(stream: BinaryIO, start: int, size: int) -> list:
    """The elements of a Segment from `start`: only WebM's own, ending at EOF; returns the edits
    that remove its metadata (see blank_webm_metadata).

    Browsers recording live leave the Segment and its Clusters without a size; such a Cluster
    ends where the next level-1 element starts."""
    offset, in_cluster, edits = start, False, []
    while offset < size:
        element, data_start, length = _ebml_element(stream, offset)
        if in_cluster and element not in WEBM_CLUSTER_CHILDREN:
            in_cluster = False
        if not in_cluster and element not in WEBM_SEGMENT_CHILDREN:
            raise FileRejected("broken", f"unexpected WebM data at byte {offset}")
        if length is None:
            if element != WEBM_CLUSTER or in_cluster:
                raise FileRejected("broken", f"WebM element of unknown size at byte {offset}")
            in_cluster, offset = True, data_start
            continue
        if data_start + length > size:
            raise FileRejected("broken", f"WebM element at byte {offset} runs past the end of the file")
        if not in_cluster:
            if element in WEBM_BLANKED:
                edits.append(("void", offset, data_start + length - offset))
            elif element in (WEBM_SEEKHEAD, WEBM_INFO, WEBM_TRACKS):
                _webm_master_edits(stream, element, data_start, data_start + length, edits)
        offset = data_start + length
    return edits


def _webm_check(stream: BinaryIO, size: int) -> list:
    """EBML header with DocType 'webm', then one Segment that reaches the end of the file and
    is made of WebM's own elements; returns the metadata edits for blank_webm_metadata."""
    data = stream.read(4096)
    element, pos = _vint(data, 0, keep_marker=True)
    header_size, pos = _vint(data, pos, keep_marker=False)
    header_end = pos + header_size
    if element != 0x1A45DFA3 or header_end > len(data):
        raise FileRejected("broken", "invalid EBML header")
    doctype = None
    while pos < header_end:
        child, pos = _vint(data, pos, keep_marker=True)
        length, pos = _vint(data, pos, keep_marker=False)
        if child == 0x4282:
            doctype = data[pos:pos + length]
        pos += length
    if doctype != b"webm":
        raise FileRejected("type", f"EBML document type {doctype!r} is not WebM")
    segment, pos = _vint(data, header_end, keep_marker=True)
    length_start = pos
    seg_size, pos = _vint(data, pos, keep_marker=False)
    unknown = seg_size == (1 << (7 * (pos - length_start))) - 1
    if segment != 0x18538067 or (not unknown and pos + seg_size != size):
        raise FileRejected("broken", "the WebM segment does not match the file size")
    return _webm_walk_to_end(stream, pos, size)


def _void_header(total: int) -> bytes:
    """ID and size of a Void element `total` bytes long (at least 2), data size written in up
    to 8 bytes (EBML allows longer size fields than needed)."""
    width = min(8, total - 1)
    return bytes([WEBM_VOID]) + ((1 << (7 * width)) | (total - 1 - width)).to_bytes(width, "big")


def _zero(f: BinaryIO, offset: int, length: int) -> None:
    f.seek(offset)
    while length:
        step = min(length, CHUNK)
        f.write(b"\0" * step)
        length -= step


def blank_webm_metadata(f: BinaryIO, edits: list) -> int:
    """Apply the edits found by the WebM check to the stored copy, in place: whole elements
    become zero-filled Void elements of the same length (offsets in SeekHead and Cues stay
    valid), then the CRC-32 elements of changed masters are recomputed. Returns how many
    elements were voided."""
    for edit in edits:
        if edit[0] == "void":
            _, offset, total = edit
            header = _void_header(total)
            _zero(f, offset + len(header), total - len(header))
            f.seek(offset)
            f.write(header)
        else:
            _, crc_at, start, end = edit
            crc, f_pos = 0, start
            f.seek(start)
            while f_pos < end:
                chunk = f.read(min(CHUNK, end - f_pos))
                crc, f_pos = zlib.crc32(chunk, crc), f_pos + len(chunk)
            f.seek(crc_at)
            f.write(struct.pack("<I", crc))
    return sum(1 for edit in edits if edit[0] != "crc")


def _check_video(stream: BinaryIO, size: int) -> tuple[CheckedFile, list]:
    """check_video, plus the WebM metadata edits found on the way (empty for MP4/MOV)."""
    head = stream.read(4)
    stream.seek(0)
    edits = []
    if head == b"\x1a\x45\xdf\xa3":
        edits = _webm_check(stream, size)
        kind = "webm"
    else:
        kind = _mp4_kind(stream, size)
    stream.seek(0)
    content_type, ext = VIDEO_TYPES[kind]
    return CheckedFile("video", content_type, ext, size), edits


def check_video(stream: BinaryIO, size: int) -> CheckedFile:
    """Validate an MP4, MOV or WebM container by its structure."""
    return _check_video(stream, size)[0]


def check_pdf(stream: BinaryIO, size: int) -> CheckedFile:
    """A PDF: '%PDF-' header and an '%%EOF' marker near the end."""
    stream.seek(max(0, size - 2048))
    tail = stream.read()
    stream.seek(0)
    if b"%%EOF" not in tail:
        raise FileRejected("broken", "the PDF has no end-of-file marker")
    return CheckedFile("document", "application/pdf", ".pdf", size)


def check_and_write(stream: BinaryIO, out_path: Path, *, max_photo: int = 0, max_video: int = 0,
                    max_pdf: int = 0) -> CheckedFile:
    """Validate `stream` by content and write the file to keep at `out_path` (created new).

    A kind is accepted only when its limit is given (photos and videos for appeals, PDFs for
    documents). Photos are re-encoded; videos and PDFs are copied after their structure
    checks. Raises FileRejected with a reason (empty, type, broken, too_big) and a detail.
    """
    size = _size(stream)
    if size == 0:
        raise FileRejected("empty", "the file is empty")
    kind = sniff(stream.read(16))
    stream.seek(0)
    limit = {"photo": max_photo, "video": max_video, "pdf": max_pdf}.get(kind or "", 0)
    if not limit:
        wanted = "a PDF document" if max_pdf else "a JPEG, PNG or WebP photo or an MP4, MOV or WebM video"
        raise FileRejected("type", f"the content is not {wanted}")
    if size > limit:
        raise FileRejected("too_big", f"{size:,} bytes is over the {limit:,} byte limit for a {kind}")
    if kind == "photo":
        with open(out_path, "xb") as out:
            return clean_photo(stream, out)
    checked, webm_edits = _check_video(stream, size) if kind == "video" else (check_pdf(stream, size), [])
    with open(out_path, "xb+") as out:
        shutil.copyfileobj(stream, out, CHUNK)
        if checked.content_type in ("video/mp4", "video/quicktime"):
            blank_mp4_metadata(out, size)
        elif webm_edits:
            blank_webm_metadata(out, webm_edits)
    return checked
