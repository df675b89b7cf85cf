"""Published documents of institutions (budgets, plans, reports, contracts, acts)."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select

from dashboard.schema import documents
from queries.bulk import log_publication, publish_lock

DOCUMENT_KINDS = ("budget", "financing_plan", "report", "contract", "act")
UPLOAD_PREFIX = "upload:documents/"
DOCUMENT_SOURCE = "documents"  # the publications log's source of a document upload


def document_description(year: int, title: str) -> str:
    """The publications log's description of a document upload (queries/asof.py matches on it)."""
    return f"{year} · {title}"


def insert_document(conn: Connection, institution_id: int, year: int, title: str, kind: str, file_ref: str,
                    wait_seconds: float | None = None) -> int:
    """Insert a document row and log it in the publications log (so the data version, and with
    it the API's ETag, changes in the same transaction); returns its id. `wait_seconds`: how long
    to wait for an import being published (queries.bulk.PublishingBusy after that)."""
    publish_lock(conn, wait_seconds)  # first, before any row lock is held while waiting
    doc_id = conn.execute(insert(documents).values(institution_id=institution_id, year=year, title=title,
                                                   kind=kind, file_ref=file_ref).returning(documents.c.id)).scalar_one()
    log_publication(conn, DOCUMENT_SOURCE, "document", document_description(year, title), 1, 0)
    return doc_id


def document_url(doc: dict) -> str | None:
    """Where a document opens: our file endpoint for uploads, an absolute http(s) link as it is,
    nothing for any other reference (never a link that cannot work)."""
    ref = doc["file_ref"] or ""
    if ref.startswith(UPLOAD_PREFIX):
        return f"/files/documents/{doc['id']}"
    if ref.startswith(("https://", "http://")):
        return ref
    return None


def document_by_id(conn: Connection, document_id: int) -> dict | None:
    row = conn.execute(select(documents).where(documents.c.id == document_id)).mappings().first()
    return dict(row) if row else None


def documents_for_institutions(conn: Connection, institution_ids: list[int], limit: int = 100) -> list[dict]:
    """Documents of the given institutions, newest first."""
    if not institution_ids:
        return []
    q = (select(documents).where(documents.c.institution_id.in_(institution_ids))
         .order_by(documents.c.id.desc()).limit(limit))
    return [dict(r) for r in conn.execute(q).mappings()]
