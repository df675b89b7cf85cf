"""The anomaly scan end to end on both databases: what it stores, that it finds planted
anomalies without reading the ground truth, that a lines import rescores only what it touched,
and the command line's JSON lines."""
import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import delete, select

from dashboard.anomalies.detectors import DETECTORS, PLANTED_KIND
from dashboard.anomalies.scan import scan_engine
from dashboard.db import make_engine
from dashboard.demo.load import load_demo
from dashboard.importer.run import import_lines
from dashboard.schema import anomaly_flags, demo_anomalies, institutions
from tests.conftest import BACKENDS, ROOT, template_copy


def _load(engine) -> None:
    load_demo(engine, institutions=400, years=[2023, 2024, 2025], seed=11, progress=False)


@pytest.fixture(params=BACKENDS)
def demo(request, tmp_path_factory):
    """The demo set on a database of the test's own: a copy of one loaded once per session."""
    engine = make_engine(template_copy(request.param, request, tmp_path_factory, "anomaly-scan-demo", _load))
    yield engine
    engine.dispose()


def stored(engine) -> dict:
    with engine.connect() as conn:
        return {(r.institution_id, r.year, r.detector): (r.id, r.fingerprint, r.score)
                for r in conn.execute(select(anomaly_flags))}


def test_scan_stores_what_it_finds_and_a_rescan_changes_nothing(demo):
    first = scan_engine(demo)
    flags = stored(demo)
    assert len(flags) == len(first.flags) > 0
    assert set(first.counts) == set(DETECTORS)
    assert {(f.institution_id, f.year, f.detector) for f in first.flags} == set(flags)
    again = scan_engine(demo)
    assert stored(demo) == flags and again.stored["inserted"] == again.stored["deleted"] == 0


def test_planted_anomalies_are_found_without_reading_the_ground_truth(demo):
    with demo.begin() as conn:
        planted = {(r.kind, r.institution_id, r.year) for r in conn.execute(select(demo_anomalies))}
        conn.execute(delete(demo_anomalies))  # the scan must not need it
    found = {(f.detector, f.institution_id, f.year) for f in scan_engine(demo).flags}
    missed = [p for p in planted if (PLANTED_KIND[p[0]], p[1], p[2]) not in found]
    assert planted and len(missed) <= len(planted) // 10, missed


def test_an_import_rescores_only_the_institution_years_it_touched(demo, tmp_path):
    scan_engine(demo)
    before = stored(demo)
    with demo.connect() as conn:
        target = conn.execute(select(institutions.c.id, institutions.c.bin)
                              .where(institutions.c.type_code == "school").order_by(institutions.c.id)).first()
    path = tmp_path / "lines.csv"
    # A December that pays five times a normal month on food: the school's 2025 now looks dumped.
    path.write_text("bin,year,month,functional_group,program,subprogram,specific,plan,plan_adjusted,"
                    "obligations,paid\n" + "".join(
                        f"{target.bin},2025,{m},04,464-003,015,141,{p},{p},{p},{p}\n"
                        for m, p in [(12, "90000000.00")]), encoding="utf-8")
    report = import_lines(demo, path)
    assert report.status == "loaded", [i.describe("en") for i in report.issues]
    after = stored(demo)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed and all(k[0] == target.id and k[1] == 2025 for k in changed), changed
    assert (target.id, 2025, "year_end_dumping") in after or (target.id, 2025, "spike") in after


def test_command_line_scan_writes_json_lines_in_the_asked_language(tmp_path):
    env = {**os.environ, "ASHYQ_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"}
    demo = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--institutions", "200", "--years",
                           "2024-2025", "--quiet", "--no-scan"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr
    out = tmp_path / "flags.jsonl"
    result = subprocess.run([sys.executable, "-m", "dashboard", "anomalies", "scan", "--json", str(out),
                             "--lang", "kk", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and {"detector", "bin", "year", "score", "evidence", "lines", "explanation"} <= set(rows[0])
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert all(len(r["bin"]) == 12 and r["explanation"] for r in rows)
    assert any(ch in rows[0]["explanation"] for ch in "әіңғүұқөһ")  # Kazakh letters
    assert f"{len(rows):,} flags" in result.stderr
    bad = subprocess.run([sys.executable, "-m", "dashboard", "anomalies", "scan", "--detector", "nope"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "unknown detector" in bad.stderr and "Traceback" not in bad.stderr


def test_a_rescore_reaches_the_same_flags_as_the_full_scan(demo):
    # A rescore reads only its institutions and their peers, but reuses the national statistics
    # of the last full scan (base rates, test counts, size slopes): same flags, same evidence.
    from dashboard.anomalies.scan import scan

    full = scan_engine(demo)
    flagged = sorted({f.institution_id for f in full.flags})[:25]
    before = {k: v for k, v in evidence_by_key(demo).items() if k[0] in flagged}
    with demo.begin() as conn:
        scan(conn, institution_ids=flagged)
    after = {k: v for k, v in evidence_by_key(demo).items() if k[0] in flagged}
    assert before and after == before


def evidence_by_key(engine) -> dict:
    with engine.connect() as conn:
        return {(r.institution_id, r.year, r.detector): (r.evidence, r.fingerprint)
                for r in conn.execute(select(anomaly_flags))}


def test_work_beside_the_detectors_runs_once_and_never_hides_an_error(demo, monkeypatch, caplog):
    """scan(alongside=…): an import's rollups and publication run while the detectors compute (a
    second thread on PostgreSQL); their error is raised after the detectors, and when a detector
    failed too, the detector's error is raised and theirs logged."""
    from dashboard.anomalies import scan as scan_module

    with demo.connect() as conn:
        ids = [conn.execute(select(institutions.c.id).limit(1)).scalar_one()]
        threads = []
        scan_module.scan(conn, institution_ids=ids, alongside=lambda: threads.append(threading.current_thread()))
        assert len(threads) == 1
        assert (threads[0] is threading.main_thread()) == (demo.dialect.name == "sqlite")

        def fail():
            raise RuntimeError("beside")

        with pytest.raises(RuntimeError, match="beside"):
            scan_module.scan(conn, institution_ids=ids, alongside=fail)
        if demo.dialect.name == "postgresql":  # on SQLite the work runs first, before any detector
            def broken(data):
                raise ValueError("detector")

            monkeypatch.setitem(DETECTORS, "spike", broken)
            with pytest.raises(ValueError, match="detector"), caplog.at_level("ERROR"):
                scan_module.scan(conn, institution_ids=ids, alongside=fail)
            assert "beside" in caplog.text
        conn.rollback()
