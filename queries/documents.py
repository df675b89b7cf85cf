"""Published documents of institutions (budgets, plans, reports, contracts, acts)."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select

from dashboard.schema import documents

DOCUMENT_KINDS = ("budget", "financing_plan", "report", "contract", "act")


def insert_document(conn: Connection, institution_id: int, year: int, title: str, kind: str, file_ref: str) -> int:
    """Insert a document row; returns its id."""
    return conn.execute(insert(documents).values(institution_id=institution_id, year=year, title=title,
                                                 kind=kind, file_ref=file_ref).returning(documents.c.id)).scalar_one()


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
