"""Pathological attachments, generated small: each is cheap to send and costly (or impossible)
to decode or walk without a budget."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def progressive_jpeg(repeats: int = 2000, size=(4000, 4000)) -> bytes:
    """A flat progressive JPEG whose last scan is repeated: ~150 KB, ~7 s to decode."""
    out = io.BytesIO()
    Image.new("RGB", size, (120, 130, 140)).save(out, "JPEG", progressive=True, quality=80)
    data = out.getvalue()
    last_scan = data[data.rindex(b"\xff\xda"):-2]  # SOS of the last scan up to the EOI marker
    return data[:-2] + last_scan * repeats + b"\xff\xd9"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG declaring 10 gigapixels in under 100 bytes."""
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + _png_chunk(b"IEND", b""))


def webp_bomb(side: int = 16384) -> bytes:
    """A lossless WebP declaring the largest canvas the format allows."""
    body = b"\x2f" + struct.pack("<I", (side - 1) | ((side - 1) << 14)) + b"\0" * 16
    chunk = b"VP8L" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def mp4_many_boxes(size: int) -> bytes:
    """ftyp, an empty moov, then `size` bytes' worth of 8-byte free boxes (a million per 8 MB)."""
    head = struct.pack(">I4s", 20, b"ftyp") + b"isom\0\0\2\0isom" + struct.pack(">I4s", 8, b"moov")
    return head + struct.pack(">I4s", 8, b"free") * ((size - len(head)) // 8)


def webm_voids(size: int) -> bytes:
    """A WebM whose unknown-size Segment is made of 2-byte Void elements up to `size`."""
    doctype = b"\x42\x82\x84webm"
    head = bytes.fromhex("1a45dfa3") + bytes([0x80 | len(doctype)]) + doctype
    head += bytes.fromhex("18538067") + b"\x01\xff\xff\xff\xff\xff\xff\xff"
    return head + b"\xec\x80" * ((size - len(head)) // 2)


def pdf_without_end() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 5000
