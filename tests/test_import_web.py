"""The importer from the web: admins only (checked on the server), the same import, a kept report."""
import io

import pytest
from sqlalchemy import func, select

from dashboard.schema import budget_lines, publications, users
from tests.appeals_support import world  # noqa: F401 - the module-wide app with one account per role
from tests.import_files import LINE_HEADER, line_rows

ROLES = ["anonymous", "official_own", "moderator", "admin"]


def _csv(rows) -> bytes:
    return ("\n".join([",".join(LINE_HEADER), *[",".join(r) for r in rows]]) + "\n").encode("utf-8")


def _lines(world, year):
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(budget_lines).where(budget_lines.c.year == year)
                            ).scalar_one()


def _upload(world, role, content: bytes, year_rows=None, name="budget.csv", mode="all_or_nothing",
            token="test-token", kind="lines"):
    data = {"csrf_token": token, "kind": kind, "mode": mode, "lang": "en", "file": (io.BytesIO(content), name)}
    return world.client(role).post("/admin/import", data=data, content_type="multipart/form-data",
                                   headers={"Accept": "application/json"})


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_can_import_and_nobody_else_changes_anything(world, role):
    year = 2041 + ROLES.index(role)
    response = _upload(world, role, _csv(line_rows([world.bin_a], years=[year], months=[1], specifics=[111])))
    if role == "admin":
        assert response.status_code == 200 and response.json["status"] == "loaded", response.data
        assert _lines(world, year) == 1
    else:
        assert response.status_code == 403 and _lines(world, year) == 0


def test_a_forged_csrf_token_is_refused_even_for_an_admin(world):
    response = _upload(world, "admin", _csv(line_rows([world.bin_a], years=[2050], months=[1])), token="guess")
    assert response.status_code == 403 and _lines(world, 2050) == 0


def test_a_wrong_file_is_rejected_with_a_report_only_admins_can_read(world):
    rows = line_rows([world.bin_a], years=[2051], months=[1, 2], specifics=[111])
    rows[1][2] = "13"
    response = _upload(world, "admin", _csv(rows), name="../../etc/budget 2051.csv")
    assert response.status_code == 200 and response.json["status"] == "rejected"
    assert "nothing was written" in response.json["summary"] and _lines(world, 2051) == 0
    token = response.json["report"]
    report = world.client("admin").get(f"/admin/import/reports/{token}.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.headers["X-Content-Type-Options"] == "nosniff"
    body = report.data.decode("utf-8-sig")
    assert "budget_2051.csv,3,month,13" in body  # the file's own (sanitised) name, the row the user sees
    for role in ("anonymous", "official_own", "moderator"):
        assert world.client(role).get(f"/admin/import/reports/{token}.csv").status_code == 403
    assert world.client("admin").get("/admin/import/reports/secret_key.csv").status_code == 404
    assert world.client("admin").get(f"/admin/import/reports/{'0' * 32}.csv").status_code == 404


def test_dry_run_and_skip_invalid_from_the_web(world):
    rows = line_rows([world.bin_a], years=[2052], months=[1, 2, 3], specifics=[111])
    rows[2][7] = "-1"
    dry = _upload(world, "admin", _csv(rows), mode="dry_run")
    assert dry.json["status"] == "rejected" and _lines(world, 2052) == 0
    partial = _upload(world, "admin", _csv(rows), mode="skip_invalid")
    assert partial.json["status"] == "partial" and partial.json["exit_code"] == 1
    assert _lines(world, 2052) == 2
    with world.engine.connect() as conn:
        source, by = conn.execute(select(publications.c.source, publications.c.published_by)
                                  .order_by(publications.c.id.desc()).limit(1)).one()
        admin = conn.execute(select(users.c.display_name).where(users.c.username == "admin")).scalar_one()
    assert source == "upload" and by == admin  # the citable views name who published


def test_missing_file_or_kind_is_a_clear_400(world):
    client = world.client("admin")
    no_file = client.post("/admin/import", data={"csrf_token": "test-token", "kind": "lines"},
                          headers={"Accept": "application/json"})
    assert no_file.status_code == 400 and no_file.json["error"] == "no_file"
    assert _upload(world, "admin", b"x", kind="budgets").json["error"] == "kind"


def test_the_report_view_is_for_admins_only(world):
    body = {"output": "import-report.children", "outputs": {"id": "import-report", "property": "children"},
            "inputs": [{"id": "import-report-token", "property": "data", "value": {"report": "0" * 32}}],
            "changedPropIds": [], "state": []}
    for role in ("anonymous", "official_own", "moderator"):
        assert world.client(role).post("/_dash-update-component", json=body).status_code == 403
    assert world.client("admin").post("/_dash-update-component", json=body).status_code == 200


def test_the_new_data_feed_names_uploads_and_boundary_imports_in_every_language():
    from layouts.whats_new import publication_text

    upload = {"source": "upload", "kind": "lines", "lines": 1234, "institutions": 5}
    assert publication_text(upload, "ru") == "Загрузка агентством: строк — 1\xa0234, учреждений — 5"
    assert publication_text({"source": "import", "kind": "boundaries", "lines": 0, "institutions": 0},
                             "kk") == "Бюджеттерді импорттау: өңірлер шекаралары жаңартылды"
    assert publication_text({"source": "upload", "kind": "institutions", "lines": 0, "institutions": 3},
                             "en") == "Upload by the agency: 3 institutions added or updated"
