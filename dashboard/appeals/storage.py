"""Files under UPLOAD_DIR: streamed request bodies, staging, and atomic publication.

Request bodies stream into anonymous temporary files (O_TMPFILE: nothing is left behind even
if the process dies) capped at the largest allowed file. Checked files are written to
`.staging/` and moved into place with os.replace (same file system, atomic) inside the
database transaction, just before it commits; if anything fails, including the commit, every
staged and moved file is removed. So no row ever points at a missing file, and the only
possible leftover (a crash between the move and the commit) is an unreferenced file.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.appeals.files import CheckedFile, FileRejected
from dashboard.appeals.sandbox import Budget, check_in_sandbox

NAME_RE = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|mp4|mov|webm|pdf)$")
AREAS = ("appeals", "documents")
# A request checks at most 5 files of ATTACHMENT_WALL_SECONDS each, so a staged file this old
# belongs to no live request; workers look at most once a minute.
STAGING_MAX_AGE = 15 * 60.0
STAGING_SWEEP_EVERY = 60.0


class CappedFile:
    """A temporary file that refuses to grow past `cap` bytes while the body streams in."""

    def __init__(self, directory: Path, cap: int):
        self._file = tempfile.TemporaryFile(dir=directory)
        self._cap = cap
        self._written = 0

    def write(self, data: bytes) -> int:
        self._written += len(data)
        if self._written > self._cap:
            self._file.close()
            raise RequestEntityTooLarge(f"a file is larger than {self._cap:,} bytes")
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __iter__(self):
        return iter(self._file)


class UploadRequest(Request):
    """Flask request whose file parts stream to capped temporary files under UPLOAD_DIR."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        cfg = current_app.config
        return CappedFile(cfg["ASHYQ_UPLOADS"].incoming, cfg["ASHYQ_MAX_FILE_BYTES"])


@dataclass
class StagedFile:
    stored_name: str
    checked: CheckedFile
    staging_path: Path
    final_path: Path | None = None
    digest: str | None = None  # SHA-256 of the bytes as stored, once UploadStore.sha256 computed it


class UploadStore:
    """The upload folder: `appeals/`, `documents/`, `.staging/`, `.incoming/`."""

    def __init__(self, root: Path, budget: Budget | None = None):
        self.root = Path(root)
        self.budget = budget or Budget()
        self._swept = float("-inf")
        self.incoming = self.root / ".incoming"
        self.staging = self.root / ".staging"
        for folder in (self.incoming, self.staging, *(self.root / a for a in AREAS)):
            folder.mkdir(parents=True, exist_ok=True)

    def path(self, area: str, stored_name: str) -> Path | None:
        """The file for a stored name, or None for anything that is not one of our names."""
        if area not in AREAS or not NAME_RE.match(stored_name or ""):
            return None
        return self.root / area / stored_name

    def stage(self, stream: BinaryIO, **limits) -> StagedFile:
        """Check a file by content, in a sandbox under the budget, and write the version to keep
        into `.staging/`."""
        if time.monotonic() - self._swept > STAGING_SWEEP_EVERY:
            self.sweep_staging()
        token = secrets.token_hex(16)
        tmp = self.staging / f"{token}.part"
        try:
            checked = check_in_sandbox(stream, tmp.resolve(), self.budget, **limits)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StagedFile(f"{token}{checked.extension}", checked, tmp)

    @staticmethod
    def sha256(item: StagedFile) -> str:
        """SHA-256 (hex) of a staged or published file; os.replace keeps the bytes, so it is the stored file's."""
        if item.digest is None:
            item.digest = file_sha256(item.final_path or item.staging_path)
        return item.digest

    def sweep_staging(self, older_than: float = STAGING_MAX_AGE) -> int:
        """Remove `.staging/` files older than `older_than` seconds (left by a worker killed
        mid-upload: a live request stages and publishes well within that); returns how many."""
        self._swept = time.monotonic()
        cutoff, removed = time.time() - older_than, 0
        for path in self.staging.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # another worker swept it first
                pass
        return removed

    def publish(self, staged: list[StagedFile], area: str) -> None:
        """Move staged files into `area` (call inside the transaction, before commit)."""
        for item in staged:
            final = self.root / area / item.stored_name
            os.replace(item.staging_path, final)
            item.final_path = final

    @staticmethod
    def discard(staged: list[StagedFile]) -> None:
        """Remove staged and already moved files after a failure."""
        for item in staged:
            item.staging_path.unlink(missing_ok=True)
            if item.final_path is not None:
                item.final_path.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, read in chunks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def changed_files(store: UploadStore, recorded: dict[str, str]) -> list[tuple[str, str, str]]:
    """Re-hash every stored appeal file with a recorded SHA-256 ({name: sha256}); returns
    (appeals/<name>, recorded, now) for each whose bytes changed (missing files are audit's)."""
    changed = []
    for name, digest in sorted(recorded.items()):
        path = store.path("appeals", name)
        if path is None or not path.is_file():
            continue
        now = file_sha256(path)
        if now != digest:
            changed.append((f"appeals/{name}", digest, now))
    return changed


def audit(store: UploadStore, referenced: dict[str, set[str]], older_than: float = 3600.0,
          delete: bool = False) -> dict[str, list[str]]:
    """Compare the upload folder with the rows: files without rows ('orphans', left by a crash
    between the move and the commit, or staging leftovers) and rows without files ('missing').

    Only files older than `older_than` seconds count as orphans (younger ones may belong to a
    request in flight); with `delete`, orphans are removed.
    """
    import time

    cutoff = time.time() - older_than
    report: dict[str, list[str]] = {"orphans": [], "missing": []}
    for area in AREAS:
        present = {p.name: p for p in (store.root / area).iterdir() if p.is_file()}
        report["missing"] += [f"{area}/{n}" for n in sorted(referenced.get(area, set()) - set(present))]
        report["orphans"] += [f"{area}/{n}" for n, p in sorted(present.items())
                              if n not in referenced.get(area, set()) and p.stat().st_mtime < cutoff]
    report["orphans"] += [f".staging/{p.name}" for p in sorted(store.staging.iterdir()) if p.stat().st_mtime < cutoff]
    if delete:
        for name in report["orphans"]:
            (store.root / name).unlink(missing_ok=True)
    return report


__all__ = ["CappedFile", "FileRejected", "StagedFile", "UploadRequest", "UploadStore"]
