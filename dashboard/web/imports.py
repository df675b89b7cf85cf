"""The importer from the web: an admin uploads a file, the same import runs, the report is kept.

Uploads stream to capped temporary files (see dashboard.appeals.storage.UploadRequest); the
import is the one the command line runs (dashboard.importer.run), marked source "upload" in
the publications log. Each report is kept under VAR_DIR/import_reports/<token>.{json,csv} and
shown only to admins.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request, send_file
from flask_login import current_user
from sqlalchemy import Engine

from dashboard.web.auth import check_csrf
from dashboard.config import Config
from dashboard.i18n import DEFAULT_LANGUAGE, normalize
from dashboard.importer.boundaries import import_boundaries
from dashboard.importer.report import ImportReport
from dashboard.importer.run import Options, import_institutions, import_lines

KINDS = ("institutions", "lines", "boundaries")
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
SHOWN_ISSUES = 500
PAGE_PATH = "/admin/import"


def reports_dir(config: Config) -> Path:
    # Under UPLOAD_DIR, the volume every app server shares: the report page and its CSV may be
    # asked of another server than the one that ran the import.
    return config.upload_dir / "import_reports"


def _safe_name(filename: str) -> str:
    """The uploaded file's own name, reduced to letters, digits, dot, dash and underscore."""
    name = re.sub(r"[^\w.\-]", "_", Path(filename or "upload").name).strip("._") or "upload"
    return name[:120]


def save_report(config: Config, report: ImportReport, lang: str) -> str:
    """Write the report (JSON for the page, CSV for download); returns its token."""
    token = secrets.token_hex(16)
    directory = reports_dir(config)
    directory.mkdir(parents=True, exist_ok=True)
    report.write_csv(directory / f"{token}.csv", lang)
    issues = report.sorted_issues()
    data = {
        "kind": report.kind, "file": report.file, "dry_run": report.dry_run, "status": report.status,
        "exit_code": report.exit_code, "summary": report.summary(lang), "lang": lang,
        "errors": report.error_count, "warnings": report.warning_count, "rows": report.rows_read,
        "inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged,
        "skipped": report.rows_skipped, "seconds": round(report.seconds, 2),
        "by": current_user.username, "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "issues": [{"severity": i.severity, "file": i.file, "row": i.row, "column": i.column_label(lang), "value": i.value,
                    "message": i.message(lang)} for i in issues[:SHOWN_ISSUES]],
    }
    (directory / f"{token}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return token


def load_report(config: Config, token: str | None) -> dict | None:
    """A saved report by token (None for a malformed or unknown token)."""
    if not token or not TOKEN_RE.match(token):
        return None
    path = reports_dir(config) / f"{token}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _require_admin() -> None:
    if not current_user.is_authenticated or not current_user.has_role("admin"):
        abort(403)


def run_upload(engine: Engine, config: Config, kind: str, upload, companion, dry_run: bool,
               skip_invalid: bool) -> ImportReport:
    """Save the uploaded file(s) to a private temporary folder and import them."""
    with tempfile.TemporaryDirectory(dir=config.upload_dir, prefix=".import-") as tmp:
        path = Path(tmp) / _safe_name(upload.filename)
        upload.save(path)
        if kind == "boundaries":
            return import_boundaries(engine, path, dry_run=dry_run, source="upload")
        options = Options(dry_run=dry_run, skip_invalid=skip_invalid, boundaries_path=config.boundaries_path,
                          source="upload", published_by=current_user.display_name)
        if kind == "institutions":
            return import_institutions(engine, path, options)
        companion_path = None
        if companion is not None and companion.filename:
            companion_path = Path(tmp) / ("institutions-" + _safe_name(companion.filename))
            companion.save(companion_path)
        return import_lines(engine, path, options, institutions_path=companion_path)


def register_import_routes(server: Flask, engine: Engine, config: Config) -> None:
    """POST /admin/import (admins, CSRF) and GET /admin/import/reports/<token>.csv (admins)."""

    @server.post(PAGE_PATH)
    def admin_import():
        check_csrf()
        _require_admin()
        form = request.form
        lang = normalize(form.get("lang")) or DEFAULT_LANGUAGE
        wants_json = "application/json" in request.headers.get("Accept", "")
        kind = form.get("kind", "")
        upload = request.files.get("file")
        error = ("kind" if kind not in KINDS else "no_file" if upload is None or not upload.filename else None)
        if error:
            if wants_json:
                return jsonify(error=error), 400
            return redirect(f"{PAGE_PATH}?{urlencode({'error': error, 'lang': lang})}", 303)
        config.upload_dir.mkdir(parents=True, exist_ok=True)
        mode = form.get("mode", "all_or_nothing")
        report = run_upload(engine, config, kind, upload, request.files.get("institutions_file"),
                            dry_run=mode == "dry_run", skip_invalid=mode == "skip_invalid")
        token = save_report(config, report, lang)
        if wants_json:
            return jsonify(report=token, status=report.status, exit_code=report.exit_code,
                           summary=report.summary(lang)), 200
        return redirect(f"{PAGE_PATH}?{urlencode({'report': token, 'lang': lang})}", 303)

    @server.get(f"{PAGE_PATH}/reports/<token>.csv")
    def admin_import_report(token: str):
        _require_admin()
        if not TOKEN_RE.match(token) or not (reports_dir(config) / f"{token}.csv").is_file():
            abort(404)
        response = send_file(reports_dir(config) / f"{token}.csv", mimetype="text/csv", as_attachment=True,
                             download_name=f"import-report-{token[:8]}.csv")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
