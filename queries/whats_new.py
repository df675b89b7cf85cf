"""What's new on the public site, newest first: published budgets (the publications log: imports,
demo loads), new documents, and answers to public appeals. Public things only: no appeal that is
unpublished, hidden or rejected, no author, contact or tracking code, no publisher account."""
from __future__ import annotations

from sqlalchemy import Connection, select

from dashboard.schema import appeal_events, appeals, documents, institutions, publications
from queries.appeals import as_utc, publicly_visible

# Each part is a backward scan of a primary key (or of the events' key), cut at `limit`.
_NAMES = (institutions.c.bin, institutions.c.name_kk, institutions.c.name_ru, institutions.c.name_en)


def _budgets(limit: int):
    # Documents have their own part (with the institution); boundaries are not budgets.
    return (select(publications.c.id, publications.c.published_at, publications.c.source, publications.c.kind,
                   publications.c.institutions, publications.c.lines)
            .where(publications.c.source != "documents", publications.c.kind != "boundaries")
            .order_by(publications.c.id.desc()).limit(limit))


def _documents(limit: int):
    return (select(documents.c.id, documents.c.created_at, documents.c.year, documents.c.title, documents.c.kind,
                   *_NAMES)
            .select_from(documents.join(institutions, institutions.c.id == documents.c.institution_id))
            .order_by(documents.c.id.desc()).limit(limit))


def _answers(limit: int):
    # An answer becomes public with the answer itself, or later, when a moderator approves an
    # appeal answered before moderation: either event dates it (approvals before the answer do not).
    ev = appeal_events
    return (select(ev.c.id, ev.c.at, appeals.c.id.label("appeal_id"), appeals.c.kind, *_NAMES)
            .select_from(ev.join(appeals, appeals.c.id == ev.c.appeal_id)
                         .join(institutions, institutions.c.id == appeals.c.institution_id))
            .where(ev.c.action.in_(("answer", "approve")), publicly_visible(),
                   appeals.c.status.in_(("answered", "resolved")), appeals.c.answer.is_not(None),
                   appeals.c.answered_at <= ev.c.at)
            .order_by(ev.c.id.desc()).limit(2 * limit))  # an answer and its later approval: one item


def whats_new(conn: Connection, limit: int = 8) -> list[dict]:
    """Up to `limit` items, newest first, each {'type': 'budget'|'document'|'answer', 'at': aware
    UTC datetime, ...}: a budget has source, kind, institutions, lines; a document year, title,
    kind and its institution (bin, name_kk/ru/en); an answer appeal_id, kind and its institution."""
    items = [{"type": "budget", "at": as_utc(r["published_at"]), "source": r["source"], "kind": r["kind"],
              "institutions": r["institutions"], "lines": r["lines"], "key": f"budget-{r['id']}"}
             for r in conn.execute(_budgets(limit)).mappings()]
    items += [{"type": "document", "at": as_utc(r["created_at"]), "year": r["year"], "title": r["title"],
               "kind": r["kind"], **{k: r[k] for k in ("bin", "name_kk", "name_ru", "name_en")},
               "key": f"document-{r['id']}"}
              for r in conn.execute(_documents(limit)).mappings()]
    seen: set[int] = set()
    for r in conn.execute(_answers(limit)).mappings():
        if r["appeal_id"] in seen:
            continue
        seen.add(r["appeal_id"])
        items.append({"type": "answer", "at": as_utc(r["at"]), "appeal_id": r["appeal_id"], "kind": r["kind"],
                      **{k: r[k] for k in ("bin", "name_kk", "name_ru", "name_en")}, "key": f"answer-{r['appeal_id']}"})
    items.sort(key=lambda item: item["at"], reverse=True)
    return items[:limit]
