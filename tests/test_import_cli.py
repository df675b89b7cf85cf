"""`python -m dashboard import …` as a script sees it: exit statuses, messages, the report file."""
import csv

from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv
from tests.test_cli import run

SCHOOLS = institution_rows(2)


def test_exit_statuses_and_the_report_next_to_the_file(tmp_path):
    inst = write_csv(tmp_path / "schools.csv", INSTITUTION_HEADER, SCHOOLS)
    ok = run(["import", "institutions", str(inst), "--lang", "en", "--quiet"], tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "schools.csv: loaded" in ok.stdout and "2 new" in ok.stdout

    rows = line_rows([SCHOOLS[0][0]], months=[1, 2])
    rows[1][1] = "20x4"
    lines = write_csv(tmp_path / "lines.csv", LINE_HEADER, rows)
    bad = run(["import", "lines", str(lines), "--quiet"], tmp_path)
    assert bad.returncode == 1
    assert "lines.csv, строка 3, столбец «year», значение «20x4»" in bad.stdout
    assert "отклонено, ничего не записано" in bad.stdout and "Traceback" not in bad.stdout + bad.stderr
    with open(tmp_path / "lines.report.csv", encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["файл"], row["строка"], row["столбец"], row["значение"]) == ("lines.csv", "3", "year", "20x4")

    dry = run(["import", "lines", str(lines), "--dry-run", "--skip-invalid", "--lang", "kk", "--quiet",
               "--report", str(tmp_path / "r.csv")], tmp_path)
    assert dry.returncode == 1 and "тек тексеру" in dry.stdout and (tmp_path / "r.csv").exists()

    rows[1][1] = "2024"
    write_csv(lines, LINE_HEADER, rows)
    good = run(["import", "lines", str(lines), "--quiet"], tmp_path)
    assert good.returncode == 0 and "новых 6" in good.stdout


def test_usage_errors_exit_2(tmp_path):
    missing = run(["import", "lines", str(tmp_path / "nope.csv")], tmp_path)
    assert missing.returncode == 2 and "nope.csv" in missing.stderr
    assert run(["import", "budgets", "x.csv"], tmp_path).returncode == 2
    assert run(["import", "lines"], tmp_path).returncode == 2
    assert run(["import", "boundaries", "x.geojson", "--skip-invalid"], tmp_path).returncode == 2


def test_boundaries_from_the_command_line(tmp_path):
    from tests.conftest import require_boundaries

    path = require_boundaries()
    result = run(["import", "boundaries", str(path), "--lang", "en", "--quiet"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "20 rows read" in result.stdout and "vertices" in result.stdout
    assert not (path.parent / "kz_regions.report.csv").exists()
