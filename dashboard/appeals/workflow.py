"""What may happen to an appeal, by whom, and the audit entry every change leaves behind.

Status: new → in_review (approved by a moderator) → answered (by an official of the
institution) → resolved; new/in_review → rejected (moderator, with a reason), and answered →
rejected while the appeal was never approved for the public (officials may answer first). Hiding abusive
content (moderator, with a reason) keeps the status but takes the appeal out of public view.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, NotFound

from dashboard.anomalies.scan import rescore_appeals
from dashboard.appeals.deadline import add_working_days
from dashboard.appeals.storage import StagedFile, UploadStore
from dashboard.params import whole_number
from dashboard.schema import APPEAL_KINDS
from queries import appeals as q
from queries.appeals import utcnow

BODY_MIN, BODY_MAX = 10, 5000
NAME_MAX, CONTACT_MAX, NOTE_MAX, ANSWER_MAX = 120, 200, 2000, 10000
MAX_ATTACHMENTS = 5
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or typed from paper
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_RE = re.compile(r"^(\d{4})/(\d{3}-\d{3})/(\d{3})/(\d{3})$")


class AppealInvalid(ValueError):
    """Bad input: `reason` is an i18n key suffix, `field` names the form field."""

    def __init__(self, reason: str, field: str, detail: str = ""):
        super().__init__(detail or f"{field}: {reason}")
        self.reason = reason
        self.field = field


def clean_text(value: str | None, field: str, max_len: int, min_len: int = 0) -> str | None:
    """Strip control characters and outer space; None when empty and optional."""
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()
    if not text:
        if min_len:
            raise AppealInvalid("required", field)
        return None
    if len(text) < min_len:
        raise AppealInvalid("too_short", field)
    if len(text) > max_len:
        raise AppealInvalid("too_long", field)
    return text


def new_tracking_code() -> str:
    """80 random bits as XXXX-XXXX-XXXX-XXXX."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def normalize_code(code: str | None) -> str:
    raw = re.sub(r"[\s-]", "", (code or "").upper())
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4)) if len(raw) == 16 else raw


CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{3}}$")


def well_formed_code(code: str | None) -> str | None:
    """The tracking code as stored ("ABCD-EFGH-JKLM-NPQR") when `code` could be one (case,
    spaces and dashes as typed do not matter), else None. Says nothing about whether it exists."""
    code = normalize_code(code if isinstance(code, str) else "")
    return code if CODE_RE.match(code) else None


@dataclass(frozen=True)
class AppealDraft:
    institution_id: int
    kind: str
    body: str
    author_name: str | None
    author_contact: str | None
    line: tuple[int, str, str, int] | None
    line_month: int | None = None  # the month of the grid row asked about (None: the year)


def validate_draft(conn, form: dict) -> AppealDraft:
    """Check a posted form (institution BIN, kind, text, name, contact, optional line)."""
    institution = q.institution_by_bin(conn, (form.get("institution") or "").strip())
    if institution is None:
        raise AppealInvalid("unknown_institution", "institution")
    kind = form.get("kind") or ""
    if kind not in APPEAL_KINDS:
        raise AppealInvalid("bad_kind", "kind")
    body = clean_text(form.get("body"), "body", BODY_MAX, BODY_MIN)
    line = None
    if form.get("line"):
        match = LINE_RE.match(form["line"].strip())
        if not match:
            raise AppealInvalid("bad_line", "line")
        line = (int(match[1]), match[2], match[3], int(match[4]))
    month = None
    if form.get("line_month"):
        month = whole_number(form["line_month"].strip(), 1, 12)
        if month is None or line is None:
            raise AppealInvalid("bad_line", "line")
    if line and not q.line_exists(conn, institution["id"], *line, month):
        raise AppealInvalid("bad_line", "line")
    return AppealDraft(institution["id"], kind, body, clean_text(form.get("author_name"), "author_name", NAME_MAX),
                       clean_text(form.get("author_contact"), "author_contact", CONTACT_MAX), line, month)


def post_appeal(engine: Engine, store: UploadStore, draft: AppealDraft, staged: list[StagedFile],
                deadline_days: int, now: dt.datetime | None = None) -> str:
    """Store an appeal with its checked files atomically; returns the tracking code.

    Files move into place inside the transaction; on any failure (commit included) they are
    removed again, so the caller acknowledges the appeal only after this returns.
    """
    now = now or utcnow()
    code = new_tracking_code()
    try:
        with engine.begin() as conn:
            line = dict(zip(("line_year", "line_program_code", "line_subprogram_code", "line_specific_code"),
                            draft.line or (None,) * 4), line_month=draft.line_month if draft.line else None)
            appeal_id = q.insert_appeal(conn, dict(
                tracking_code=code, institution_id=draft.institution_id, kind=draft.kind, body=draft.body,
                author_name=draft.author_name, author_contact=draft.author_contact, status="new",
                created_at=now, due_at=add_working_days(now, deadline_days), **line))
            digests = [store.sha256(s) for s in staged]
            q.insert_attachments(conn, [dict(appeal_id=appeal_id, kind=s.checked.kind,
                                             content_type=s.checked.content_type, stored_name=s.stored_name,
                                             size_bytes=s.checked.size, position=i, sha256=digest)
                                        for i, (s, digest) in enumerate(zip(staged, digests))])
            q.add_event(conn, appeal_id, at=now, actor_user_id=None, actor_role="citizen", action="created",
                        from_status=None, to_status="new", note=files_note(staged, digests))
            rescore_appeals(conn, draft.institution_id, now)
            store.publish(staged, "appeals")
    except BaseException:
        store.discard(staged)
        raise
    return code


def files_note(staged: list[StagedFile], digests: list[str]) -> str | None:
    """The 'created' event's note: each stored file with the SHA-256 of its bytes as stored."""
    return "\n".join(f"file {i}: {s.stored_name} sha256={d}"
                     for i, (s, d) in enumerate(zip(staged, digests), start=1)) or None


# action → (roles allowed, statuses it starts from, status it leads to (None: unchanged), note required)
RULES = {
    "approve": (("moderator",), ("new", "in_review", "answered", "resolved"), None, False),
    "reject": (("moderator",), ("new", "in_review", "answered"), "rejected", True),
    "hide": (("moderator",), ("new", "in_review", "answered", "resolved", "rejected"), None, True),
    "answer": (("official",), ("new", "in_review"), "answered", True),
    "resolve": (("moderator", "official"), ("answered",), "resolved", False),
}
# Actions an official may not take on an appeal a moderator hid (409): hiding is the moderator's call.
OFFICIAL_NOT_WHEN_HIDDEN = ("answer", "resolve")


def authorize(user, action: str, appeal: dict | None = None) -> None:
    """Raise Forbidden unless `user` may do `action` (on `appeal`, when given: officials, own
    institutions only)."""
    roles = RULES[action][0]
    if not user.is_authenticated or not user.has_role(*roles):
        raise Forbidden(f"{action} is not allowed for this account")
    if appeal is not None and user.role == "official" and not user.answers_for(appeal["institution_id"]):
        raise Forbidden("this appeal belongs to another institution")


def transition(engine: Engine, user, appeal_id: int, action: str, note: str | None,
               now: dt.datetime | None = None) -> dict:
    """Apply a moderator or official action with its audit entry in one transaction."""
    if action not in RULES:
        raise BadRequest(f"unknown action {action!r}")
    now = now or utcnow()
    # The role first: an account that may not act at all learns nothing of which appeals exist.
    authorize(user, action)
    with engine.begin() as conn:
        appeal = q.appeal_by_id(conn, appeal_id)
        if appeal is None:
            raise NotFound("no such appeal")
        authorize(user, action, appeal)
        _roles, sources, target, needs_note = RULES[action]
        max_len = ANSWER_MAX if action == "answer" else NOTE_MAX
        try:
            text = clean_text(note, "note", max_len, 1 if needs_note else 0)
        except AppealInvalid as exc:
            raise BadRequest(f"{action}: the {'answer' if action == 'answer' else 'reason'} is {exc.reason}") from None
        status = appeal["status"]
        if status not in sources or (action == "approve" and appeal["published"]) or (
                action == "hide" and appeal["hidden_reason"]) or (
                action == "reject" and status == "answered" and appeal["published"]):
            raise Conflict(f"cannot {action} an appeal that is {status}")
        if appeal["hidden_reason"] and action in OFFICIAL_NOT_WHEN_HIDDEN and user.role == "official":
            raise Conflict(f"cannot {action} an appeal a moderator hid")
        values: dict = {}
        new_status = target or status
        if action == "approve":
            values["published"] = True
            new_status = "in_review" if status == "new" else status
        elif action == "reject":
            values.update(reject_reason=text, published=False)
        elif action == "hide":
            values["hidden_reason"] = text
        elif action == "answer":
            values.update(answer=text, answered_by=user.id, answered_at=now)
        values["status"] = new_status
        if not q.change_appeal(conn, appeal_id, status, values):
            raise Conflict("the appeal was changed meanwhile; reload and try again")
        q.add_event(conn, appeal_id, at=now, actor_user_id=user.id, actor_role=user.role, action=action,
                    from_status=status, to_status=new_status, note=text)
        rescore_appeals(conn, appeal["institution_id"], now)
    return {**appeal, **values}


def can_view(user, appeal: dict, code: str | None = None) -> bool:
    """Public: approved, visible appeals; the author with the tracking code; moderators and analysts
    (who read every appeal); own officials."""
    if code and code == appeal["tracking_code"]:
        return True
    if user.is_authenticated and (user.has_role("moderator", "analyst") or user.answers_for(appeal["institution_id"])):
        return True
    return bool(appeal["published"]) and not appeal["hidden_reason"] and appeal["status"] != "rejected"
