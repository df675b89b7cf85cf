"""Case documents: checked by content, kept byte for byte under UPLOAD_DIR/cases/.

Unlike appeal photos, evidence is not re-encoded: the SHA-256 on record must be that of the
file the analyst attached. PDFs and photos are recognised by the appeals' `sniff` (PDFs then
checked by its `check_pdf`, photos must decode); XLSX/DOCX must be OOXML packages without
macros; CSV/TXT must be text (UTF-8 or Windows-1251, no binary control bytes).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from dashboard.appeals.files import CHUNK, PHOTO_TYPES, CheckedFile, FileRejected, check_pdf, sniff
from dashboard.appeals.storage import StagedFile, UploadStore

AREA = "cases"
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png|webp|xlsx|docx|csv|txt)$")
ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,.xlsx,.docx,.csv,.txt"
OOXML = {"xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
         "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")}
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")  # text has tabs, newlines, form feeds at most
_CONTROL = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class StagedDocument(StagedFile):
    sha256: str = ""


def _check_photo(stream: BinaryIO, size: int) -> CheckedFile:
    try:
        with Image.open(stream) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise FileRejected("broken", f"the image cannot be decoded ({type(exc).__name__})") from None
    finally:
        stream.seek(0)
    if fmt not in PHOTO_TYPES:
        raise FileRejected("type", f"{fmt} images are not accepted")
    content_type, ext = PHOTO_TYPES[fmt]
    return CheckedFile("photo", content_type, ext, size)


def _check_office(stream: BinaryIO, size: int) -> CheckedFile:
    try:
        with zipfile.ZipFile(stream) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected("broken", f"the ZIP package cannot be read ({type(exc).__name__})") from None
    finally:
        stream.seek(0)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileRejected("type", "documents with macros are not accepted")
    for part, (content_type, ext) in OOXML.items():
        if "[Content_Types].xml" in names and part in names:
            return CheckedFile("document", content_type, ext, size)
    raise FileRejected("type", "a ZIP file that is not an XLSX or DOCX document")


def _check_text(stream: BinaryIO, size: int, filename: str) -> CheckedFile:
    data = stream.read()
    stream.seek(0)
    if _BINARY.search(data):
        raise FileRejected("type", "the content is not a PDF, photo, XLSX, DOCX, CSV or text file")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("cp1251")
        except UnicodeDecodeError:
            raise FileRejected("type", "text that is neither UTF-8 nor Windows-1251") from None
    if filename.lower().endswith(".csv"):
        return CheckedFile("document", "text/csv", ".csv", size)
    return CheckedFile("document", "text/plain", ".txt", size)


def check_document(stream: BinaryIO, size: int, filename: str = "") -> CheckedFile:
    """What a case document is, by its content; raises FileRejected (empty, type, broken)."""
    if size == 0:
        raise FileRejected("empty", "the file is empty")
    head = stream.read(16)
    stream.seek(0)
    kind = sniff(head)
    if kind == "pdf":
        return check_pdf(stream, size)
    if kind == "photo":
        return _check_photo(stream, size)
    if head.startswith(b"PK\x03\x04"):
        return _check_office(stream, size)
    if kind is None:
        return _check_text(stream, size, filename)
    raise FileRejected("type", "videos are not accepted as case documents")


def stage_document(store: UploadStore, stream: BinaryIO, filename: str, max_bytes: int) -> StagedDocument:
    """Check a file and copy it unchanged into `.staging/`, hashing it on the way."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > max_bytes:
        raise FileRejected("too_big", f"{size:,} bytes is over the {max_bytes:,} byte limit for a document")
    checked = check_document(stream, size, filename)
    token = secrets.token_hex(16)
    tmp = store.staging / f"{token}.part"
    digest = hashlib.sha256()
    try:
        with open(tmp, "xb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    (store.root / AREA).mkdir(exist_ok=True)
    return StagedDocument(f"{token}{checked.extension}", checked, tmp, sha256=digest.hexdigest())


def document_path(store: UploadStore, stored_name: str) -> Path | None:
    """The file of a stored case document name, None for anything that is not one of ours."""
    return store.root / AREA / stored_name if NAME_RE.match(stored_name or "") else None


def display_name(filename: str | None, extension: str) -> str:
    """The uploaded file's own name, without folders or control characters, ending in `extension`."""
    name = _CONTROL.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()[:200] or "document"
    return name if name.lower().endswith(extension) or (extension == ".jpg" and name.lower().endswith(".jpeg")) \
        else f"{name}{extension}"
