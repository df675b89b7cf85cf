"""Browser-test support: a real server in a subprocess and headless Debian Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager

import pytest

from tests.conftest import IN_CI, ROOT
from tests.server_fork import fork_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def require_chromium() -> None:
    """Skip (fail in CI) when Chromium or Playwright is missing."""
    problem = None
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        problem = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium chromium-driver)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install -r requirements-dev.txt)"
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true: browser tests must run, but {problem}")
        pytest.skip(f"browser tests skipped: {problem}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(database_url: str, var_dir: str, extra_env: dict[str, str] | None = None):
    """`python -m dashboard run` on a free port; yields its base URL once /healthz answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ASHYQ_VAR_DIR": var_dir, "LOG_LEVEL": "WARNING",
           # Browser tests load many pages a minute from one address; limits have their own tests.
           "CALLBACK_RATE_LIMIT": "100000 per minute", "APPEAL_INSTITUTION_LIMIT": "1000 per minute",
           **(extra_env or {})}
    # Output goes to a file, not a pipe: nobody reads a pipe while tests run, and once its
    # buffer (64 KiB of request log) is full the server blocks on its next log line.
    log = tempfile.NamedTemporaryFile("w+")  # noqa: SIM115 - closed in finally
    # Forked from a process that has imported the app already (tests/server_fork.py).
    proc = fork_server(["run", "--no-demo", "--port", str(port)], env, str(ROOT), log.name)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = (log.seek(0), log.read())[1] if proc.poll() is not None else "(still running)"
                raise RuntimeError(f"server did not come up: {output}")
            time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# A blank 1×1 PNG served for base-map tiles: the test machine has no internet, and a failed
# tile would show up as a console error (the map itself works without tiles).
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b494441"
    "54789c6360000200000500017a5eab3f0000000049454e44ae426082")


def serve_blank_tiles(page) -> None:
    """Answer requests for OpenStreetMap tiles with a blank image (external, not on this machine)."""
    page.route("**/tile.openstreetmap.org/**",
               lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE))


def record_console_errors(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions (tests assert none at the end)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@contextmanager
def visitor_page(browser, width: int, height: int, locale: str):
    """A page in a new browser context with blank map tiles; fails if the page logged a console
    error or threw (checked when the block ends)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    serve_blank_tiles(page)
    errors = record_console_errors(page)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], f"browser console errors: {errors}"


def wait_for_dash(page, timeout: float = 20_000) -> None:
    """Wait until Dash has no callbacks pending (the `load` event is not enough)."""
    page.wait_for_function(
        "() => window.store && window.store.getState && "
        "window.store.getState().isLoading === false && "
        "(window.store.getState().pendingCallbacks || []).length === 0", timeout=timeout)
