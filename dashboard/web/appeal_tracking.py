"""GET /appeal/find?code=…&lang=…: the "follow my appeal" box's target.

It only checks the code's shape and redirects: to /appeal/<code> when it could be a code (that
page alone says whether the appeal exists, behind the callback rate limit), else back to the
box at /appeal with a message. No database look-up here, so no new way to test codes.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, redirect, request

from dashboard.appeals.workflow import well_formed_code
from dashboard.i18n import normalize
from layouts.components.track import FIND_PATH

FIND_PAGE = "/appeal"
TYPED_MAX = 40  # what a wrong code may bring back into the box


def register_track_routes(server: Flask) -> None:
    @server.get(FIND_PATH)
    def find_appeal():
        lang = normalize(request.args.get("lang"))
        typed = (request.args.get("code") or "").replace("\x00", "").strip()[:TYPED_MAX]
        code = well_formed_code(typed)
        if code:
            return redirect(f"/appeal/{quote(code)}" + (f"?lang={lang}" if lang else ""), 303)
        query = {"lang": lang, "error": "malformed" if typed else "empty", "code": typed}
        return redirect(f"{FIND_PAGE}?" + urlencode({k: v for k, v in query.items() if v}), 303)
