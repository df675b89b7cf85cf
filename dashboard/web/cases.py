"""Form endpoints for analysts: cases (open, link, note, status, documents) and flag reviews.

Plain POST forms with the session's CSRF token, like the appeal endpoints. Browsers get a 303
(to the case, or back with ?error=); clients asking for JSON get JSON and a status. Every
endpoint checks the analyst role on the server first (403), then CSRF (403); unknown ids are
404, a wrong-state change 409.
"""
from __future__ import annotations

import functools
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request, send_file
from flask_login import current_user
from sqlalchemy import Engine

from dashboard import cases, flag_reviews
from dashboard.web.auth import check_csrf, safe_next
from dashboard.appeals.files import FileRejected
from dashboard.web.appeals import SECURITY_HEADERS
from dashboard.appeals.storage import UploadStore
from dashboard.case_files import document_path, stage_document
from dashboard.config import Config
from dashboard.web.http_errors import json_errors, wants_json
from dashboard.web.guard import require_analyst
from queries import cases as case_queries

CASES_PATH = "/analyst/cases"
WORKSPACE_PATH = "/analyst"


def _to(path: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}{'&' if '?' in path else '?'}{query}" if query else path


def analyst_form(view):
    """Analysts only (403), CSRF checked (403), refusals answered as JSON or a redirect back."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        require_analyst()
        check_csrf()
        try:
            return view(*args, **kwargs)
        except cases.CaseInvalid as exc:
            if exc.status in (403, 404):
                abort(exc.status, description=str(exc))
            if wants_json():
                return jsonify(error=exc.reason, field=exc.field, detail=str(exc)), exc.status
            default = WORKSPACE_PATH if "flag_id" in kwargs else _case_path(kwargs.get("case_id"))
            back = safe_next(request.form.get("next"), default)
            return redirect(_to(back, error=exc.reason, lang=request.form.get("lang")), 303)

    return json_errors(wrapped)


def _case_path(case_id: int | None) -> str:
    return f"{CASES_PATH}/{case_id}" if case_id else CASES_PATH


def _done(case_id: int | None, status: int = 200, back: str | None = None, **body):
    """JSON clients: `body` with `status`. Browsers: 303 to `back` (the case by default)."""
    if wants_json():
        return jsonify(ok=True, **({"id": case_id} if case_id else {}), **body), status
    target = safe_next(request.form.get("next"), back or _case_path(case_id))
    return redirect(_to(target, saved="1", lang=request.form.get("lang")), 303)


def register_case_routes(server: Flask, engine: Engine, config: Config) -> None:
    """Attach the case and flag review endpoints (after install_appeals: uses its upload store)."""
    store: UploadStore = server.config.get("ASHYQ_UPLOADS") or UploadStore(config.upload_dir)

    @server.post(CASES_PATH)
    @analyst_form
    def case_open():
        case_id = cases.open_case(engine, current_user, title=request.form.get("title"),
                                  institution=request.form.get("institution") or request.form.get("institution_id"),
                                  flag_ids=request.form.getlist("flag_ids"), appeal_ids=request.form.getlist("appeal_ids"),
                                  note=request.form.get("note"))
        if wants_json():
            return jsonify(ok=True, id=case_id), 201
        return redirect(_to(_case_path(case_id), lang=request.form.get("lang")), 303)

    @server.post(f"{CASES_PATH}/<int:case_id>/links")
    @analyst_form
    def case_link(case_id: int):
        cases.link(engine, current_user, case_id, request.form.getlist("flag_ids"), request.form.getlist("appeal_ids"))
        return _done(case_id)

    @server.post(f"{CASES_PATH}/<int:case_id>/note")
    @analyst_form
    def case_note(case_id: int):
        cases.add_note(engine, current_user, case_id, request.form.get("note"))
        return _done(case_id)

    @server.post(f"{CASES_PATH}/<int:case_id>/status")
    @analyst_form
    def case_status(case_id: int):
        cases.move(engine, current_user, case_id, request.form.get("to"), request.form.get("reason"))
        return _done(case_id, to=request.form.get("to"))

    @server.post(f"{CASES_PATH}/<int:case_id>/documents")
    @analyst_form
    def case_document_upload(case_id: int):
        with engine.connect() as conn:
            if case_queries.case_by_id(conn, case_id) is None:
                abort(404)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise cases.CaseInvalid("required", "file", "choose a file")
        try:
            staged = stage_document(store, upload.stream, upload.filename, config.max_document_bytes)
        except FileRejected as exc:
            raise cases.CaseInvalid(f"file_{exc.reason}", "file", str(exc)) from None
        doc_id = cases.attach_document(engine, store, current_user, case_id, staged, upload.filename)
        return _done(case_id, 201, document_id=doc_id, sha256=staged.sha256)

    @server.get(f"{CASES_PATH}/<int:case_id>/documents/<int:document_id>")
    @json_errors
    def case_document_file(case_id: int, document_id: int):
        require_analyst()
        with engine.connect() as conn:
            doc = case_queries.case_document(conn, case_id, document_id)
        path = document_path(store, doc["stored_name"]) if doc else None
        if path is None or not path.exists():
            abort(404)
        response = send_file(path, mimetype=doc["content_type"], as_attachment=True, download_name=doc["filename"])
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @server.post("/analyst/flags/<int:flag_id>/dismiss")
    @analyst_form
    def flag_dismiss(flag_id: int):
        flag_reviews.dismiss_flag(engine, current_user, flag_id, request.form.get("reason"))
        return _done(None, back=WORKSPACE_PATH, flag_id=flag_id, action="dismissed")

    @server.post("/analyst/flags/<int:flag_id>/restore")
    @analyst_form
    def flag_restore(flag_id: int):
        flag_reviews.restore_flag(engine, current_user, flag_id)
        return _done(None, back=WORKSPACE_PATH, flag_id=flag_id, action="restored")
