"""Analysts' cases (links, notes, documents, status) and flag reviews.

Every write appends its `case_events` / `flag_reviews` row in the caller's transaction, so a
change and its log entry commit together. Both logs are append-only (triggers, migration 0009).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, func, insert, select, tuple_, update

from dashboard.schema import (
    anomaly_flags as af, appeals, case_documents as docs, case_events as ev, case_links as links, cases,
    flag_reviews as fr, institutions as inst, users,
)
from queries.appeals import _row as appeal_row, _with_institution, as_utc

TIMES = ("at", "opened_at", "updated_at", "uploaded_at", "scanned_at")


def _row(mapping) -> dict:
    row = dict(mapping)
    for key in TIMES:
        if row.get(key) is not None:
            row[key] = as_utc(row[key])
    return row


def _event(conn: Connection, case_id: int, user_id: int, now: dt.datetime, action: str, status: str,
           note: str | None = None, from_status: str | None = None, document_id: int | None = None) -> None:
    conn.execute(insert(ev).values(case_id=case_id, at=now, actor_user_id=user_id, action=action,
                                   from_status=from_status, to_status=status, note=note, document_id=document_id))
    conn.execute(update(cases).where(cases.c.id == case_id).values(updated_at=now))


# --- writes ---------------------------------------------------------------------------------------

def create_case(conn: Connection, institution_id: int, title: str, user_id: int, now: dt.datetime) -> int:
    """A new open case with its 'opened' event; returns its id."""
    case_id = conn.execute(insert(cases).values(institution_id=institution_id, title=title, status="open",
                                                opened_by=user_id, opened_at=now, updated_at=now)
                           .returning(cases.c.id)).scalar_one()
    _event(conn, case_id, user_id, now, "opened", "open", note=title)
    return case_id


def link_flag(conn: Connection, case_id: int, status: str, snapshot: dict, user_id: int, now: dt.datetime) -> None:
    """Link a flag by key (year, detector) with a JSON snapshot of it as it is now."""
    conn.execute(insert(links).values(case_id=case_id, kind="flag", year=snapshot["year"],
                                      detector=snapshot["detector"],
                                      snapshot=json.dumps(snapshot, ensure_ascii=False, sort_keys=True)))
    _event(conn, case_id, user_id, now, "linked", status, note=f"flag {snapshot['year']} {snapshot['detector']}")


def link_appeal(conn: Connection, case_id: int, status: str, appeal_id: int, user_id: int, now: dt.datetime) -> None:
    conn.execute(insert(links).values(case_id=case_id, kind="appeal", appeal_id=appeal_id))
    _event(conn, case_id, user_id, now, "linked", status, note=f"appeal {appeal_id}")


def add_note(conn: Connection, case_id: int, status: str, text: str, user_id: int, now: dt.datetime) -> None:
    _event(conn, case_id, user_id, now, "note", status, note=text)


def add_document(conn: Connection, case_id: int, status: str, doc: dict, user_id: int, now: dt.datetime) -> int:
    """Record a stored file (filename, content_type, stored_name, size_bytes, sha256); returns its id."""
    doc_id = conn.execute(insert(docs).values(case_id=case_id, uploaded_by=user_id, uploaded_at=now, **doc)
                          .returning(docs.c.id)).scalar_one()
    _event(conn, case_id, user_id, now, "document", status, note=doc["filename"], document_id=doc_id)
    return doc_id


def change_status(conn: Connection, case_id: int, from_status: str, to_status: str, reason: str | None,
                  user_id: int, now: dt.datetime) -> bool:
    """Move a case only if it is still `from_status` (no lost updates); False otherwise."""
    values = {"status": to_status, "updated_at": now}
    if reason is not None and to_status in ("confirmed", "no_violation"):
        values["closed_reason"] = reason
    changed = conn.execute(update(cases).where(cases.c.id == case_id, cases.c.status == from_status)
                           .values(**values)).rowcount == 1
    if changed:
        _event(conn, case_id, user_id, now, "status", to_status, note=reason, from_status=from_status)
    return changed


def add_review(conn: Connection, flag: dict, action: str, reason: str | None, user_id: int, now: dt.datetime) -> None:
    """Append a dismissed/restored review of a flag's key with its current fingerprint."""
    conn.execute(insert(fr).values(institution_id=flag["institution_id"], year=flag["year"],
                                   detector=flag["detector"], fingerprint=flag["fingerprint"], action=action,
                                   reason=reason, actor_user_id=user_id, at=now))


# --- reads ----------------------------------------------------------------------------------------

def flag_by_id(conn: Connection, flag_id: int) -> dict | None:
    """A stored flag with its JSON decoded (evidence, lines, appeal_ids), or None."""
    row = conn.execute(select(af).where(af.c.id == flag_id)).mappings().first()
    if row is None:
        return None
    flag = _row(row)
    for key in ("evidence", "lines", "appeal_ids"):
        flag[key] = json.loads(flag[key])
    return flag


def latest_reviews(conn: Connection, keys: list[tuple[int, int, str]]) -> dict[tuple[int, int, str], dict]:
    """The latest review per (institution_id, year, detector) among `keys`."""
    if not keys:
        return {}
    key = tuple_(fr.c.institution_id, fr.c.year, fr.c.detector)
    latest = select(func.max(fr.c.id)).where(key.in_(keys)).group_by(fr.c.institution_id, fr.c.year, fr.c.detector)
    rows = conn.execute(select(fr).where(fr.c.id.in_(latest))).mappings()
    return {(r["institution_id"], r["year"], r["detector"]): _row(r) for r in rows}


def case_by_id(conn: Connection, case_id: int) -> dict | None:
    """A case with its institution's BIN and names and the opener's display name."""
    row = conn.execute(_case_query().where(cases.c.id == case_id)).mappings().first()
    return _row(row) if row else None


def _case_query():
    return (select(cases, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en,
                   users.c.display_name.label("opened_by_name"))
            .select_from(cases.join(inst, inst.c.id == cases.c.institution_id)
                         .join(users, users.c.id == cases.c.opened_by)))


def list_cases(conn: Connection, status: str | None = None, institution_id: int | None = None,
               limit: int = 500) -> list[dict]:
    """Cases, most recently changed first, optionally of one status or institution."""
    q = _case_query()
    if status is not None:
        q = q.where(cases.c.status == status)
    if institution_id is not None:
        q = q.where(cases.c.institution_id == institution_id)
    return [_row(r) for r in conn.execute(q.order_by(cases.c.updated_at.desc(), cases.c.id.desc()).limit(limit))
            .mappings()]


def case_links_of(conn: Connection, case_id: int) -> list[dict]:
    """Links in the order they were made; flag snapshots decoded."""
    rows = [dict(r) for r in conn.execute(select(links).where(links.c.case_id == case_id).order_by(links.c.id))
            .mappings()]
    for r in rows:
        r["snapshot"] = json.loads(r["snapshot"]) if r["snapshot"] else None
    return rows


def linked_appeals(conn: Connection, case_id: int) -> list[dict]:
    """The appeals a case links, whatever their state (analysts read unpublished ones too)."""
    q = (_with_institution().join(links, links.c.appeal_id == appeals.c.id)
         .where(links.c.case_id == case_id).order_by(links.c.id))
    return [appeal_row(r) for r in conn.execute(q).mappings()]


def case_events_of(conn: Connection, case_id: int) -> list[dict]:
    """The case's log, oldest first, with the actor's display name."""
    q = (select(ev, users.c.display_name).select_from(ev.join(users, users.c.id == ev.c.actor_user_id))
         .where(ev.c.case_id == case_id).order_by(ev.c.id))
    return [_row(r) for r in conn.execute(q).mappings()]


def case_documents_of(conn: Connection, case_id: int) -> list[dict]:
    q = (select(docs, users.c.display_name).select_from(docs.join(users, users.c.id == docs.c.uploaded_by))
         .where(docs.c.case_id == case_id).order_by(docs.c.id))
    return [_row(r) for r in conn.execute(q).mappings()]


def case_document(conn: Connection, case_id: int, document_id: int) -> dict | None:
    """One document of one case (None when the id belongs to another case)."""
    row = conn.execute(select(docs).where(docs.c.id == document_id, docs.c.case_id == case_id)).mappings().first()
    return _row(row) if row else None

