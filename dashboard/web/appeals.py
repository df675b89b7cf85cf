"""Plain Flask endpoints for appeals: multipart posting, staff actions, documents, files.

Forms post here directly (files stream to disk; nothing goes through a Dash callback). Browsers
get a 303 redirect (to the result, or back with ?error=); clients asking for JSON get JSON and
a status code. Every endpoint checks the session's role and institutions itself.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Flask, abort, g, jsonify, make_response, redirect, request, send_file
from flask_limiter import Limiter
from flask_login import current_user
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from dashboard.web.auth import check_csrf, safe_next
from dashboard.appeals.drafts import keep_draft
from dashboard.appeals.files import FileRejected
from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import (
    MAX_ATTACHMENTS, RULES, AppealInvalid, can_view, clean_text, post_appeal, transition, validate_draft,
)
from dashboard.config import Config
from dashboard.web.http_errors import ERROR_NAMES, json_errors, wants_json
from dashboard.i18n import DEFAULT_LANGUAGE, normalize, t
from dashboard.params import bin_shaped, year_param
from dashboard.web.limits import is_upload
from queries import appeals as appeal_queries, documents as doc_queries
from queries.appeals import institution_by_bin
from queries.bulk import PublishingBusy

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff",
                    "Content-Security-Policy": "default-src 'none'; media-src 'self'; sandbox",
                    "Cross-Origin-Resource-Policy": "same-origin"}


def _back(path: str, **params) -> str:
    return f"{path}?{urlencode({k: v for k, v in params.items() if v})}"


def _failure(status: int, reason: str, field: str, detail: str, back: str, keep: Engine | None = None):
    """JSON clients: the error. Browsers: back to the form; with `keep`, the typed text comes back too."""
    if wants_json():
        return jsonify(error=reason, field=field, detail=detail), status
    extra = {"line": request.form.get("line"), "month": request.form.get("line_month"),
             "draft": keep_draft(keep, request.form)} if keep is not None else {}
    return redirect(_back(back, error=reason, field=field, lang=request.form.get("lang"), **extra)
                    + "#appeal-form", 303)


PUBLISH_WAIT_SECONDS = 5  # a document upload waits this long for an import being published
TRY_SCOPE = "appeal-tries"
# Ceilings on accepted appeals from all addresses together: one institution, the whole site.
BUSY_SCOPES = {"appeal-institution": "institution_busy", "appeal-site": "site_busy"}


def _counted_try(_response) -> bool:
    """The post had a valid CSRF token and a human form: only such tries count (refusals cost nothing)."""
    return g.get("appeal_try", False)


def _institution_key() -> str:
    bin_ = (request.form.get("institution") or "").strip()
    return f"institution:{bin_ if bin_shaped(bin_) else '-'}"


def _accepted(response) -> bool:
    """An appeal was stored: 201 for JSON clients, 303 to its tracking page for browsers."""
    return response.status_code == 201 or (
        response.status_code == 303 and response.headers.get("Location", "").startswith("/appeal/"))


def _csrf_ok() -> bool:
    """The form's CSRF token is right (the limiter answers before the endpoint checks it)."""
    try:
        check_csrf()
    except HTTPException:
        return False
    return True


def _uploaded_files() -> list:
    # A form with no file chosen still sends one empty, nameless part.
    return [f for f in request.files.getlist("files") if f.filename or f.stream.seek(0, 2)]


def register_appeal_routes(server: Flask, engine: Engine, config: Config, store: UploadStore,
                           limiter: Limiter) -> None:
    """Attach the appeal, document and file endpoints to `server`."""
    limits = dict(max_photo=config.max_photo_bytes, max_video=config.max_video_bytes)

    @server.post("/appeals/new")
    # Only accepted appeals count toward APPEAL_RATE_LIMIT (a citizen fixing a typo is not
    # punished); every well-formed try (right CSRF token, no honeypot) counts toward the looser
    # APPEAL_TRY_LIMIT (each failure writes a draft); forged or bot posts cost nothing and count
    # nowhere. Accepted appeals also count toward per-institution and site-wide ceilings.
    @limiter.limit(lambda: config.appeal_try_limit, scope=TRY_SCOPE, deduct_when=_counted_try)
    @limiter.limit(lambda: config.appeal_rate_limit, deduct_when=_accepted)
    @limiter.limit(lambda: config.appeal_institution_limit, key_func=_institution_key,
                   scope="appeal-institution", deduct_when=_accepted)
    @limiter.limit(lambda: config.appeal_global_limit, key_func=lambda: "site", scope="appeal-site",
                   deduct_when=_accepted)
    @json_errors  # inside the limits: a refusal (429) reaches too_many below, JSON clients too
    def new_appeal():
        check_csrf()
        bin_ = (request.form.get("institution") or "").strip()
        back = f"/institution/{bin_}/appeals" if bin_shaped(bin_) else "/"
        if request.form.get("website"):  # honeypot: people do not see this field, bots fill it
            return _failure(400, "rejected", "website", "the form was not accepted", back)
        g.appeal_try = True
        files = _uploaded_files()
        if len(files) > MAX_ATTACHMENTS:
            return _failure(400, "too_many_files", "files", f"at most {MAX_ATTACHMENTS} attachments", back,
                            engine)
        try:
            with engine.connect() as conn:
                draft = validate_draft(conn, request.form)
        except AppealInvalid as exc:
            return _failure(400, exc.reason, exc.field, str(exc), back, engine)
        staged = []
        try:
            for number, upload in enumerate(files, start=1):
                try:
                    staged.append(store.stage(upload.stream, **limits))
                except FileRejected as exc:
                    store.discard(staged)
                    name = (upload.filename or "")[:80]
                    return _failure(400 if exc.reason != "too_big" else 413, f"file_{exc.reason}", "files",
                                    f"attachment {number} ({name}): {exc}", back, engine)
            code = post_appeal(engine, store, draft, staged, config.answer_deadline_days)
        except BaseException:
            store.discard(staged)
            raise
        if wants_json():
            return jsonify(tracking_code=code), 201
        return redirect(_back(f"/appeal/{code}", lang=request.form.get("lang"), posted="1"), 303)

    @server.errorhandler(429)
    def too_many(exc):
        """JSON clients: JSON. Forms: back to the form (or sign-in page) with a translated message.
        Every refusal carries Retry-After: the limit's window, the longest the wait can be."""
        response = make_response(_refusal(exc))
        limit = getattr(getattr(exc, "limit", None), "limit", None)
        if limit is not None and response.status_code == 429:
            response.headers["Retry-After"] = str(limit.get_expiry())
        return response

    def _refusal(exc):
        scope = getattr(getattr(exc, "limit", None), "scope", None)
        busy = BUSY_SCOPES.get(scope) if request.path == "/appeals/new" else None
        if wants_json():
            if busy:
                lang = normalize(request.form.get("lang")) or DEFAULT_LANGUAGE
                return jsonify(error=ERROR_NAMES[429], reason=busy, detail=t(f"appeals.error.{busy}", lang)), 429
            return jsonify(error=ERROR_NAMES[429], detail=exc.description), 429
        lang = request.form.get("lang")
        if request.path == "/auth/login":
            return redirect(_back("/login", error="rate_limited", lang=lang, next=request.form.get("next")), 303)
        if request.path != "/appeals/new":
            return exc
        bin_ = (request.form.get("institution") or "").strip()
        back = f"/institution/{bin_}/appeals" if bin_shaped(bin_) else "/"
        # Too many accepted appeals: keep the text for later. Too many tries: a flood, keep nothing.
        flood = scope == TRY_SCOPE
        return _failure(429, busy or "rate_limited", "", exc.description, back,
                        None if flood or not _csrf_ok() else engine)

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(exc):
        if wants_json() or request.path != "/appeals/new":
            return jsonify(error="file_too_big" if is_upload() else "too_large", detail=exc.description), 413
        back = urlsplit(request.referrer or "").path
        return redirect(_back(safe_next(back), error="file_too_big", field="files") + "#appeal-form", 303)

    @server.post("/appeals/<int:appeal_id>/<action>")
    @json_errors
    def act_on_appeal(appeal_id: int, action: str):
        check_csrf()
        if action not in RULES:
            abort(404)
        note = request.form.get("answer" if action == "answer" else "note")
        try:
            transition(engine, current_user, appeal_id, action, note)
        except HTTPException as exc:
            if wants_json() or exc.code in (403, 404):
                raise  # JSON clients: answered by json_errors
            return redirect(_back(safe_next(request.form.get("next"), "/moderation"), error=exc.code), 303)
        if wants_json():
            return jsonify(ok=True, action=action)
        return redirect(safe_next(request.form.get("next"), "/moderation"), 303)

    @server.get("/files/appeals/<name>")
    @json_errors
    def appeal_file(name: str):
        path = store.path("appeals", name)
        with engine.connect() as conn:
            row = appeal_queries.attachment_by_name(conn, name) if path else None
        if row is None or not path.exists():
            abort(404)
        if not can_view(current_user, row, request.args.get("code")):
            abort(403)
        response = send_file(path, mimetype=row["content_type"], conditional=True, max_age=3600,
                             download_name=f"appeal-{row['appeal_id']}-{row['position'] + 1}{path.suffix}")
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    @server.post("/documents/new")
    @json_errors
    def new_document():
        check_csrf()
        if not current_user.is_authenticated or not current_user.has_role("official"):
            abort(403)
        with engine.connect() as conn:
            institution = institution_by_bin(conn, (request.form.get("institution") or "").strip())
        if institution is None or not current_user.answers_for(institution["id"]):
            abort(403)
        back = "/official"
        year = request.form.get("year", "")
        kind = request.form.get("kind", "")
        try:
            title = clean_text(request.form.get("title"), "title", 300, 1)
        except AppealInvalid as exc:
            return _failure(400, exc.reason, "title", str(exc), back)
        if year_param(year) is None:
            return _failure(400, "bad_year", "year", "year must be between 2000 and 2100", back)
        if kind not in doc_queries.DOCUMENT_KINDS:
            return _failure(400, "bad_kind", "kind", "unknown document kind", back)
        upload = request.files.get("file")
        if upload is None:
            return _failure(400, "required", "file", "choose a PDF file", back)
        staged = []
        try:
            try:
                staged.append(store.stage(upload.stream, max_pdf=config.max_document_bytes))
            except FileRejected as exc:
                return _failure(400, f"file_{exc.reason}", "file", str(exc), back)
            try:
                with engine.begin() as conn:
                    doc_id = doc_queries.insert_document(conn, institution["id"], int(year), title, kind,
                                                         f"{doc_queries.UPLOAD_PREFIX}{staged[0].stored_name}",
                                                         wait_seconds=PUBLISH_WAIT_SECONDS)
                    store.publish(staged, "documents")
            except PublishingBusy:
                store.discard(staged)
                return _failure(503, "publishing_busy", "file", "an import is being published; try again in a minute", back)
        except BaseException:
            store.discard(staged)
            raise
        if wants_json():
            return jsonify(id=doc_id), 201
        return redirect(_back(back, saved="document"), 303)

    @server.get("/files/documents/<int:document_id>")
    @json_errors
    def document_file(document_id: int):
        with engine.connect() as conn:
            doc = doc_queries.document_by_id(conn, document_id)
        ref = (doc or {}).get("file_ref", "")
        path = store.path("documents", ref.removeprefix(doc_queries.UPLOAD_PREFIX)) \
            if ref.startswith(doc_queries.UPLOAD_PREFIX) else None
        if path is None or not path.exists():
            abort(404)
        response = send_file(path, mimetype="application/pdf", as_attachment=True, max_age=3600,
                             download_name=f"document-{document_id}.pdf")
        response.headers.update(SECURITY_HEADERS)
        return response
