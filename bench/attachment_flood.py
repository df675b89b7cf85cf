"""Do pathological attachments slow everyone else down? (issue 15)

Usage:
  python bench/attachment_flood.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
      [--quiet 20] [--flood 45] [--port 8765]

Builds a small demo database (a throwaway PostgreSQL database with --url, else SQLite in a
temporary folder), starts the app with gunicorn (2 sync workers) on 127.0.0.1, and measures
one client's requests (an institution page and the Dash callback that renders it) for
--quiet seconds; then the same while a second client posts pathological attachments
(progressive JPEG with repeated scans, MP4 of tiny boxes, WebM of Void elements), 10 MB Dash
callback bodies and bulk CSV exports, one after another for --flood seconds (at most 60). Prints both p95s, error counts and what the flood
got back. Loopback only.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from flask import Flask  # noqa: E402

from tests import attachment_bombs as bombs  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py

SECRET = "attachment-flood-bench-secret"
CSRF = "bench-token"


def session_cookie() -> str:
    """A session cookie holding a known CSRF token, signed with the bench's SECRET_KEY."""
    app = Flask("bench")
    app.secret_key = SECRET
    return app.session_interface.get_signing_serializer(app).dumps({"csrf": CSRF})


def prepare(url: str, tmp: Path) -> str:
    from sqlalchemy import select

    from dashboard.db import make_engine, upgrade
    from dashboard.demo.load import load_demo
    from dashboard.schema import institutions

    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=40, years=[2024], seed=3, progress=False)
    with engine.connect() as conn:
        bin_ = conn.execute(select(institutions.c.bin).order_by(institutions.c.id).limit(1)).scalar_one()
    engine.dispose()
    return bin_


def page_requests(base: str, bin_: str):
    """The two requests a visitor's page view makes: the HTML shell and the render callback."""
    path = f"/institution/{bin_}"
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    return [("GET", base + path, None), ("POST", base + "/_dash-update-component", body)]


def measure(session: requests.Session, calls, seconds: float) -> tuple[list[float], int]:
    times, errors, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end:
        for method, url, body in calls:
            started = time.monotonic()
            try:
                response = session.request(method, url, json=body, timeout=30)
                errors += response.status_code >= 500
            except requests.RequestException:
                errors += 1
            times.append(time.monotonic() - started)
    return times, errors


def flood(base: str, bin_: str, seconds: float, results: dict) -> None:
    files = [("progressive.jpg", bombs.progressive_jpeg()), ("boxes.mp4", bombs.mp4_many_boxes(20 << 20)),
             ("voids.webm", bombs.webm_voids(20 << 20))]
    session = requests.Session()
    session.cookies.set("ashyq_session", session_cookie(), domain="127.0.0.1")
    end, n = time.monotonic() + seconds, 0
    big_body = b'{"output": "x", "inputs": [' + b'{"id": "a", "property": "b", "value": 1},' * 250_000 + b"]}"
    while time.monotonic() < end:
        step = n % (len(files) + 2)
        n += 1
        started = time.monotonic()
        try:
            if step == len(files):  # a 10 MB callback body (refused before it is read)
                name = "callback body 10 MB"
                response = session.post(base + "/_dash-update-component", data=big_body, timeout=60,
                                        headers={"Content-Type": "application/json"})
            elif step == len(files) + 1:  # the heaviest public export: a year's lines as CSV
                name = "bulk CSV export"
                response = session.get(base + "/api/v1/bulk/lines?year=2024", timeout=60)
            else:
                name, content = files[step]
                response = session.post(base + "/appeals/new", headers={"Accept": "application/json"}, timeout=60,
                                        data={"csrf_token": CSRF, "institution": bin_, "kind": "question",
                                              "body": "The school roof leaks although repairs were paid."},
                                        files={"files": (name, content)})
            detail = response.json().get("error", "") if "json" in response.headers.get("Content-Type", "") else ""
            key = f"{name}: {response.status_code} {detail}"
        except (requests.RequestException, ValueError) as exc:
            key = f"{name}: {type(exc).__name__}"
        results.setdefault(key, []).append(time.monotonic() - started)


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] * 1000


def run(url: str, tmp: Path, args) -> None:
    bin_ = prepare(url, tmp)
    env = {**os.environ, "DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp), "UPLOAD_DIR": str(tmp / "uploads"),
           "SECRET_KEY": SECRET, "MAX_PHOTO_MB": "10", "MAX_VIDEO_MB": "100", "APPEAL_TRY_LIMIT": "10000 per minute",
           "APPEAL_RATE_LIMIT": "10000 per minute", "LOG_LEVEL": "WARNING",
           "CALLBACK_RATE_LIMIT": "100000 per minute"}  # one loopback address: measure capacity, not the limiter
    log = open(tmp / "gunicorn.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{args.port}",
                               "--timeout", "30", "app:server"], cwd=ROOT, env=env, stderr=log)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.5)
        calls, visitor = page_requests(base, bin_), requests.Session()
        measure(visitor, calls, 3)  # warm both workers' caches
        quiet, quiet_errors = measure(visitor, calls, args.quiet)
        results: dict = {}
        flooder = threading.Thread(target=flood, args=(base, bin_, min(args.flood, 60), results))
        flooder.start()
        busy, busy_errors = measure(visitor, calls, min(args.flood, 60))
        flooder.join()
        alive = requests.get(base + "/healthz", timeout=5).status_code
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    print(f"quiet:  {len(quiet)} requests, p95 {p95(quiet):.0f} ms, median {statistics.median(quiet) * 1000:.0f} ms, "
          f"errors {quiet_errors}")
    print(f"flood:  {len(busy)} requests, p95 {p95(busy):.0f} ms, median {statistics.median(busy) * 1000:.0f} ms, "
          f"errors {busy_errors}  (p95 ratio {p95(busy) / p95(quiet):.2f})")
    for key, times in sorted(results.items()):
        print(f"  flood post {key}: {len(times)} posts, max {max(times):.1f} s")
    print(f"healthz after the flood: {alive}; worker restarts in the log: "
          f"{(tmp / 'gunicorn.log').read_text().count('Booting worker') - 2}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="PostgreSQL admin URL (a throwaway database is made); default SQLite")
    parser.add_argument("--quiet", type=float, default=20)
    parser.add_argument("--flood", type=float, default=45)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.url:
            with throwaway_postgres(args.url, "flood") as url:
                run(url, tmp, args)
        else:
            run(f"sqlite:///{tmp / 'bench.sqlite3'}", tmp, args)


if __name__ == "__main__":
    main()
