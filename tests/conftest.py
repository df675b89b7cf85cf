"""Test databases: SQLite always, PostgreSQL when TEST_DATABASE_URL is set (required in CI).

Each test session creates its own throwaway PostgreSQL databases and drops them at the end.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.db import make_engine, sqlite_path, upgrade
from dashboard.demo.load import load_demo
from queries.reference import seed_reference

ROOT = Path(__file__).resolve().parent.parent
# The workplace's shared, read-only material: ../shared next to the repository, or wherever
# ASHYQ_SHARED_DIR points (.ci/run sets it when the clone is elsewhere).
SHARED_DIR = Path(os.environ.get("ASHYQ_SHARED_DIR") or ROOT.parent / "shared")
SHARED_GEOJSON = SHARED_DIR / "data" / "geo" / "kz_regions.geojson"
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
DEMO_INSTITUTIONS = 160
DEMO_YEARS = [2023, 2024]


def boundaries_path() -> Path | None:
    """The shared regions file (OSM), or None where this machine has no copy of it.

    Tests that need the file skip with a message naming the path; .ci/run looks for it and says
    so in its log (the file cannot be copied into the repository: ODbL, deployment data).
    """
    return SHARED_GEOJSON if SHARED_GEOJSON.exists() else None


def require_boundaries() -> Path:
    """The shared regions file, or skip the test saying where it was looked for."""
    path = boundaries_path()
    if path is None:
        pytest.skip(f"the shared regions file is not at {SHARED_GEOJSON} (set ASHYQ_SHARED_DIR)")
    return path


class PostgresServer:
    """Creates and drops throwaway databases on the server named by TEST_DATABASE_URL."""

    def __init__(self, url: str):
        self.admin_url = make_url(url)
        self.created: list[str] = []
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of `template` (which nobody may be connected to)."""
        name = f"ashyq_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        # Each DROP DATABASE waits for a checkpoint (seconds on a busy disk); drops waiting at the
        # same time share one, so they run side by side.
        def drop(name: str) -> None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drop, self.created))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI=true requires TEST_DATABASE_URL: PostgreSQL tests must run in CI")
        pytest.skip("PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql+psycopg://…")
    server = PostgresServer(url)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield server
    server.drop_all()


def _fresh_url(backend: str, request, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_server").create()


# Built once per session (per xdist worker) and copied for each test: (backend, key) → URL.
_TEMPLATES: dict[tuple[str, str], str] = {}


def template_copy(backend: str, request, tmp_path_factory, key: str = "migrated", build=None) -> str:
    """URL of a new database holding a copy of a session-wide template, per backend.

    The "migrated" template is a migrated database with reference data; any other `key` names
    what `build(engine)` wrote on a copy of that one. Each template is built once (the same
    migrations and seeding a test would run itself) and copied for each caller, so a test still
    writes to a database of its own: PostgreSQL clones it (CREATE DATABASE … TEMPLATE), SQLite
    copies the file.
    """
    source = _TEMPLATES.get((backend, key))
    if source is None:
        if key == "migrated":
            source = _fresh_url(backend, request, tmp_path_factory)
            upgrade(source)
            engine = make_engine(source)
            with engine.begin() as conn:
                seed_reference(conn)
        else:
            source = template_copy(backend, request, tmp_path_factory)
            engine = make_engine(source)
            build(engine)
        engine.dispose()
        _release(source, request)
        _TEMPLATES[(backend, key)] = source
    if backend == "sqlite":
        target = tmp_path_factory.mktemp("db") / "test.sqlite3"
        shutil.copyfile(sqlite_path(source), target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres_server").create(template=make_url(source).database)


def _release(url: str, request) -> None:
    """Leave a template as a plain file / an unused database, so it can be copied."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(sqlite_path(url))) as conn:  # the whole database in the main file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    # A connection some code kept in a pool would make PostgreSQL refuse to copy the database.
    with request.getfixturevalue("postgres_server").admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": make_url(url).database})


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path_factory) -> str:
    """URL of a brand-new, empty database (no schema), per backend."""
    return _fresh_url(request.param, request, tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def migrated_engine(request, tmp_path_factory):
    """An engine on a migrated database with reference data and no institutions, per backend."""
    engine = make_engine(template_copy(request.param, request, tmp_path_factory))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS, scope="session")
def demo_engine(request, tmp_path_factory):
    """A session-wide database holding the small demo set (read-only for tests), per backend."""
    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=DEMO_INSTITUTIONS, years=DEMO_YEARS, seed=7,
              boundaries=boundaries_path(), progress=False)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright, one per test module (fails in CI if missing)."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# The suite runs on two workers, a whole test file per worker, handed out in collection order
# (pytest.ini: -n 2 --dist loadfile --no-loadscope-reorder; by default xdist would hand out the
# files with the most tests first). The real-browser files are the long ones: started first, they
# overlap with the short files instead of finishing the run two at a time, side by side.
_LONG_FIRST = ("_browser", "test_mobile_network", "test_phone_layout", "test_import_killed", "test_cli",
               "test_anomaly_scan", "test_import_cli", "test_first_start", "test_api_schemathesis")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not any(part in item.module.__name__ for part in _LONG_FIRST))  # stable
