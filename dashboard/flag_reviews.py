"""Dismissing and restoring anomaly flags (analysts only; every review is logged, append-only).

A flag is dismissed with a reason and its current fingerprint: it stays dismissed across scans
until its numbers (the fingerprint) change. A dismissed flag can be restored.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from dashboard.cases import NOTE_MAX, CaseInvalid, actor_id, case_text
from queries import cases as q
from queries.appeals import utcnow


def is_dismissed(flag: dict, review: dict | None) -> bool:
    """Dismissed while the latest review dismissed it with the flag's current fingerprint."""
    return bool(review) and review["action"] == "dismissed" and review["fingerprint"] == flag["fingerprint"]


def _review(engine: Engine, user, flag_id: int, action: str, reason: str | None, now) -> None:
    user_id, now = actor_id(user), now or utcnow()
    reason = case_text(reason, "reason", NOTE_MAX, required=action == "dismissed")
    with engine.begin() as conn:
        flag = q.flag_by_id(conn, flag_id)
        if flag is None:
            raise CaseInvalid("not_found", detail=f"no flag {flag_id}")
        key = (flag["institution_id"], flag["year"], flag["detector"])
        dismissed = is_dismissed(flag, q.latest_reviews(conn, [key]).get(key))
        if dismissed == (action == "dismissed"):
            raise CaseInvalid("already_dismissed" if dismissed else "not_dismissed")
        q.add_review(conn, flag, action, reason, user_id, now)


def dismiss_flag(engine: Engine, user, flag_id: int, reason: str | None, now: dt.datetime | None = None) -> None:
    """Dismiss a flag (a reason is required) for as long as its numbers stay the same."""
    _review(engine, user, flag_id, "dismissed", reason, now)


def restore_flag(engine: Engine, user, flag_id: int, now: dt.datetime | None = None) -> None:
    """Bring a dismissed flag back."""
    _review(engine, user, flag_id, "restored", None, now)
