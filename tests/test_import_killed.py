"""A killed import leaves the database exactly as it was (one transaction), on both engines."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import ROOT
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv
from tests.rollup_check import assert_rollups_match

SCHOOLS = institution_rows(40)
SPECIFICS = (111, 112, 113, 116, 121, 122, 124, 141, 142, 149, 151, 152, 159, 169)


def _counts(engine):
    with engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("institutions", "budget_lines", "publications", "rollup_institution_year"))


def _writing(url: str) -> bool:
    """True once the importer's transaction has written something (and so holds a write lock)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        probe = sqlite3.connect(parsed.database, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    import psycopg

    with psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                         dbname="postgres", autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
                           "AND pid <> pg_backend_pid()", (parsed.database,)).fetchone()
        return row[0] > 0


def test_a_killed_import_leaves_no_trace(migrated_engine, tmp_path):
    url = migrated_engine.url.render_as_string(hide_password=False)
    inst = write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER, SCHOOLS)
    small = write_csv(tmp_path / "small.csv", LINE_HEADER, line_rows([SCHOOLS[0][0]], years=[2020]))
    env = {**os.environ, "DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "dashboard", "import", "lines", "--quiet"]
    done = subprocess.run([*command, str(small), "--institutions", str(inst)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    before = _counts(migrated_engine)

    big = write_csv(tmp_path / "big.csv", LINE_HEADER,
                    line_rows([r[0] for r in SCHOOLS], years=[2021, 2022, 2023, 2024, 2025], specifics=SPECIFICS))
    proc = subprocess.Popen([*command, str(big)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not _writing(url):
        if proc.poll() is not None:
            pytest.fail(f"the import finished before it could be killed: {proc.stdout.read()!r}")
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    deadline = time.monotonic() + 30
    while _writing(url) and time.monotonic() < deadline:  # PostgreSQL notices the lost client
        time.sleep(0.1)
    assert _counts(migrated_engine) == before
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
        if migrated_engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    # And the database takes the same import afterwards.
    redo = subprocess.run([*command, str(big)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert redo.returncode == 0, redo.stdout + redo.stderr
    assert _counts(migrated_engine)[1] == before[1] + 40 * 5 * 12 * len(SPECIFICS)
