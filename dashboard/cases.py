"""Analysts' cases and flag reviews: what may change, and the log entry each change leaves.

A case is about one institution and rests on its flags (linked by key with a snapshot of the
flag as it was) and its appeals. Status: open → checking → confirmed | no_violation; the last
two need a reason and are final (links and status stay; notes and documents may still be added).
Flag reviews (dismiss/restore): dashboard/flag_reviews.py.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import AppealInvalid, clean_text
from dashboard.case_files import AREA, StagedDocument, display_name
from dashboard.params import bin_shaped
from dashboard.schema import CASE_STATUSES
from queries import appeals as appeal_queries, cases as q
from queries.appeals import utcnow

TITLE_MAX, NOTE_MAX = 300, 10_000
NEXT = {"open": ("checking",), "checking": ("confirmed", "no_violation"), "confirmed": (), "no_violation": ()}
FINAL = ("confirmed", "no_violation")
HTTP_STATUS = {"forbidden": 403, "not_found": 404, "unknown_institution": 404, "unknown_flag": 404,
               "unknown_appeal": 404, "final": 409, "wrong_state": 409, "already_dismissed": 409,
               "not_dismissed": 409}


class CaseInvalid(ValueError):
    """A refused case or review change: `reason` is a machine name (i18n `cases.error.*`)."""

    def __init__(self, reason: str, field: str = "", detail: str = ""):
        super().__init__(detail or f"{field or 'case'}: {reason}")
        self.reason = reason
        self.field = field

    @property
    def status(self) -> int:
        """The HTTP status for this refusal (400 unless listed)."""
        return HTTP_STATUS.get(self.reason, 400)


def actor_id(user) -> int:
    if not user.is_authenticated or not user.has_role("analyst"):
        raise CaseInvalid("forbidden", detail="only analysts work on cases")
    return user.id


def case_text(value: str | None, field: str, max_len: int, required: bool = True) -> str | None:
    try:
        return clean_text(value, field, max_len, 1 if required else 0)
    except AppealInvalid as exc:
        raise CaseInvalid(exc.reason, field, f"{field}: {exc.reason}") from None


def parse_ids(values, field: str) -> list[int]:
    """Distinct positive integer ids from form values, in order (blank values ignored)."""
    ids: list[int] = []
    for value in values or ():
        value = str(value).strip()
        if not value:
            continue
        if not (value.isascii() and value.isdigit()) or len(value) > 12:
            raise CaseInvalid("bad_id", field, f"{field}: {value[:20]!r} is not an id")
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def _institution_id(conn, value: str | int | None, flags: list[dict], appeals: list[dict]) -> int:
    value = str(value or "").strip()
    if not value:  # a case opened from a flag or an appeal is about its institution
        first = (flags or appeals or [None])[0]
        if first is None:
            raise CaseInvalid("required", "institution")
        return first["institution_id"]
    if bin_shaped(value):
        found = appeal_queries.institution_by_bin(conn, value)
        if found:
            return found["id"]
    elif value.isascii() and value.isdigit() and len(value) <= 12:
        found = appeal_queries.institutions_by_ids(conn, [int(value)])
        if found:
            return found[0]["id"]
    raise CaseInvalid("unknown_institution", "institution")


def _load(conn, flag_ids: list[int], appeal_ids: list[int]) -> tuple[list[dict], list[dict]]:
    flags, appeals = [], []
    for flag_id in flag_ids:
        flag = q.flag_by_id(conn, flag_id)
        if flag is None:
            raise CaseInvalid("unknown_flag", "flag_ids", f"no flag {flag_id}")
        flags.append(flag)
    for appeal_id in appeal_ids:
        appeal = appeal_queries.appeal_by_id(conn, appeal_id)
        if appeal is None:
            raise CaseInvalid("unknown_appeal", "appeal_ids", f"no appeal {appeal_id}")
        appeals.append(appeal)
    return flags, appeals


def snapshot(flag: dict) -> dict:
    """What a case keeps of a flag: its numbers and the explanation's inputs at linking time."""
    keys = ("institution_id", "year", "detector", "score", "evidence", "lines", "appeal_ids", "fingerprint")
    return {"flag_id": flag["id"], **{k: flag[k] for k in keys},
            "scanned_at": flag["scanned_at"].isoformat() if flag.get("scanned_at") else None}


def _link(conn, case: dict, flags: list[dict], appeals: list[dict], user_id: int, now: dt.datetime) -> None:
    if (flags or appeals) and case["status"] in FINAL:
        raise CaseInvalid("final", "status", "a closed case takes no new links")
    for field, items in (("flag_ids", flags), ("appeal_ids", appeals)):
        if any(item["institution_id"] != case["institution_id"] for item in items):
            raise CaseInvalid("other_institution", field, "a case links its own institution's flags and appeals only")
    linked = q.case_links_of(conn, case["id"])
    flag_keys = {(r["year"], r["detector"]) for r in linked if r["kind"] == "flag"}
    appeal_ids = {r["appeal_id"] for r in linked if r["kind"] == "appeal"}
    for flag in flags:  # linking twice is harmless: the first snapshot stays
        if (flag["year"], flag["detector"]) not in flag_keys:
            q.link_flag(conn, case["id"], case["status"], snapshot(flag), user_id, now)
            flag_keys.add((flag["year"], flag["detector"]))
    for appeal in appeals:
        if appeal["id"] not in appeal_ids:
            q.link_appeal(conn, case["id"], case["status"], appeal["id"], user_id, now)
            appeal_ids.add(appeal["id"])


def _case(conn, case_id: int) -> dict:
    case = q.case_by_id(conn, case_id)
    if case is None:
        raise CaseInvalid("not_found", detail=f"no case {case_id}")
    return case


def open_case(engine: Engine, user, *, title: str | None, institution: str | int | None = None,
              flag_ids=(), appeal_ids=(), note: str | None = None, now: dt.datetime | None = None) -> int:
    """Open a case on an institution (id or BIN; else that of the first flag/appeal); returns its id."""
    user_id, now = actor_id(user), now or utcnow()
    title = case_text(title, "title", TITLE_MAX)
    note = case_text(note, "note", NOTE_MAX, required=False)
    with engine.begin() as conn:
        flags, appeals = _load(conn, parse_ids(flag_ids, "flag_ids"), parse_ids(appeal_ids, "appeal_ids"))
        case_id = q.create_case(conn, _institution_id(conn, institution, flags, appeals), title, user_id, now)
        _link(conn, _case(conn, case_id), flags, appeals, user_id, now)
        if note:
            q.add_note(conn, case_id, "open", note, user_id, now)
    return case_id


def link(engine: Engine, user, case_id: int, flag_ids=(), appeal_ids=(), now: dt.datetime | None = None) -> None:
    """Link more flags (by id) and appeals of the case's institution."""
    user_id, now = actor_id(user), now or utcnow()
    with engine.begin() as conn:
        case = _case(conn, case_id)
        flags, appeals = _load(conn, parse_ids(flag_ids, "flag_ids"), parse_ids(appeal_ids, "appeal_ids"))
        _link(conn, case, flags, appeals, user_id, now)


def add_note(engine: Engine, user, case_id: int, text: str | None, now: dt.datetime | None = None) -> None:
    user_id, now = actor_id(user), now or utcnow()
    text = case_text(text, "note", NOTE_MAX)
    with engine.begin() as conn:
        q.add_note(conn, case_id, _case(conn, case_id)["status"], text, user_id, now)


def move(engine: Engine, user, case_id: int, to: str | None, reason: str | None = None,
         now: dt.datetime | None = None) -> None:
    """Change the status; confirmed and no_violation need a reason and end the case."""
    user_id, now = actor_id(user), now or utcnow()
    if to not in CASE_STATUSES:
        raise CaseInvalid("bad_status", "to")
    reason = case_text(reason, "reason", NOTE_MAX, required=to in FINAL)
    with engine.begin() as conn:
        status = _case(conn, case_id)["status"]
        if status in FINAL:
            raise CaseInvalid("final", "to", f"the case is closed as {status}")
        if to not in NEXT[status] or not q.change_status(conn, case_id, status, to, reason, user_id, now):
            raise CaseInvalid("wrong_state", "to", f"a case that is {status} cannot become {to}")


def attach_document(engine: Engine, store: UploadStore, user, case_id: int, staged: StagedDocument,
                    filename: str | None, now: dt.datetime | None = None) -> int:
    """Record a checked, staged file; it moves into place just before the commit (removed on failure)."""
    user_id, now = actor_id(user), now or utcnow()
    try:
        with engine.begin() as conn:
            case = _case(conn, case_id)
            doc_id = q.add_document(conn, case_id, case["status"], {
                "filename": display_name(filename, staged.checked.extension),
                "content_type": staged.checked.content_type, "stored_name": staged.stored_name,
                "size_bytes": staged.checked.size, "sha256": staged.sha256}, user_id, now)
            store.publish([staged], AREA)
    except BaseException:
        store.discard([staged])
        raise
    return doc_id
