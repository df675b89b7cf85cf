"""Who may work on cases and flag reviews, over HTTP: role × every endpoint and case-page callback.
Only analysts succeed; anyone else gets 403 and nothing changes."""
import io

import pytest

from dashboard import cases, flag_reviews
from tests.appeals_support import world  # noqa: F401
from tests.case_support import add_flag, counts

ROLES = ("anonymous", "official_own", "moderator", "admin", "analyst")
JSON = {"Accept": "application/json"}


@pytest.fixture
def setup(world):
    """A case on institution A with one document, a flag to link, a dismissed flag, an appeal."""
    analyst = world.users["analyst"]
    case_id = cases.open_case(world.engine, analyst, title="Matrix", institution=world.bin_a)
    upload = world.client("analyst").post(f"/analyst/cases/{case_id}/documents", headers=JSON,
                                          data={"csrf_token": "test-token", "file": (io.BytesIO(b"a;b\n"), "x.csv")})
    dismissed = add_flag(world, world.id_a)
    flag_reviews.dismiss_flag(world.engine, analyst, dismissed, "seasonal")
    return {"case": case_id, "doc": upload.json["document_id"], "flag": add_flag(world, world.id_a),
            "dismissed": dismissed, "appeal": world.new_appeal(world.bin_a)["id"]}


# name → (method, path, form, status for an analyst)
ENDPOINTS = {
    "open": ("post", "/analyst/cases", lambda w, s: {"title": "New", "institution": w.bin_a,
                                                     "flag_ids": [str(s["flag"])]}, 201),
    "link": ("post", "/analyst/cases/{case}/links", lambda w, s: {"appeal_ids": str(s["appeal"])}, 200),
    "note": ("post", "/analyst/cases/{case}/note", lambda w, s: {"note": "Checked the invoices."}, 200),
    "status": ("post", "/analyst/cases/{case}/status", lambda w, s: {"to": "checking"}, 200),
    "document": ("post", "/analyst/cases/{case}/documents",
                 lambda w, s: {"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "act.pdf")}, 201),
    "download": ("get", "/analyst/cases/{case}/documents/{doc}", None, 200),
    "dismiss": ("post", "/analyst/flags/{flag}/dismiss", lambda w, s: {"reason": "Explained by a tender."}, 200),
    "restore": ("post", "/analyst/flags/{dismissed}/restore", lambda w, s: {}, 200),
}


def call(world, setup, role, name, headers=JSON, csrf="test-token"):
    method, path, form, _ = ENDPOINTS[name]
    client = world.client(role)
    if method == "get":
        return client.get(path.format(**setup), headers=headers)
    return client.post(path.format(**setup), headers=headers, content_type="multipart/form-data",
                       data={"csrf_token": csrf, **form(world, setup)})


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_only_analysts_use_the_case_endpoints(world, setup, role, name):
    before = counts(world)
    response = call(world, setup, role, name)
    if role == "analyst":
        assert response.status_code == ENDPOINTS[name][3], response.data
        assert name == "download" or counts(world) != before
    else:
        assert response.status_code == 403, (role, name, response.status_code)
        assert response.json["error"] == "forbidden"
        assert counts(world) == before


@pytest.mark.parametrize("name", [n for n, e in ENDPOINTS.items() if e[0] == "post"])
def test_a_forged_csrf_token_changes_nothing_even_for_an_analyst(world, setup, name):
    before = counts(world)
    assert call(world, setup, "analyst", name, csrf="guess").status_code == 403
    assert counts(world) == before


@pytest.mark.parametrize("path, form, status, error", [
    ("/analyst/cases/999999/note", {"note": "x"}, 404, "not_found"),
    ("/analyst/cases/999999/documents/1", None, 404, "not_found"),
    ("/analyst/cases/{case}/documents/999999", None, 404, "not_found"),
    ("/analyst/flags/999999/dismiss", {"reason": "x"}, 404, "not_found"),
    ("/analyst/cases/{case}/status", {"to": "confirmed", "reason": "x"}, 409, "wrong_state"),
    ("/analyst/flags/{flag}/restore", {}, 409, "not_dismissed"),
    ("/analyst/flags/{dismissed}/dismiss", {"reason": "x"}, 409, "already_dismissed"),
    ("/analyst/cases", {"title": "x", "institution": "000000000000"}, 404, "not_found"),
    ("/analyst/cases", {"title": "", "institution": "{bin}"}, 400, "required"),
])
def test_unknown_ids_are_404_and_wrong_states_409(world, setup, path, form, status, error):
    before = counts(world)
    url = path.format(**setup)
    client = world.client("analyst")
    response = client.get(url, headers=JSON) if form is None else client.post(url, headers=JSON, data={
        "csrf_token": "test-token", **{k: v.format(bin=world.bin_a) for k, v in form.items()}})
    assert (response.status_code, response.json["error"]) == (status, error)
    assert counts(world) == before


def test_browsers_are_sent_to_the_case_or_back_with_the_error(world, setup):
    client = world.client("analyst")
    opened = client.post("/analyst/cases", data={"csrf_token": "test-token", "title": "From a browser",
                                                 "flag_ids": str(setup["flag"]), "lang": "kk"})
    assert opened.status_code == 303 and opened.headers["Location"].startswith("/analyst/cases/")
    wrong = client.post(f"/analyst/cases/{setup['case']}/status", data={"csrf_token": "test-token", "to": "confirmed"})
    assert wrong.status_code == 303
    assert wrong.headers["Location"] == f"/analyst/cases/{setup['case']}?error=required"
    assert world.client("moderator").post(f"/analyst/cases/{setup['case']}/note",
                                          data={"csrf_token": "test-token", "note": "x"}).status_code == 403


def dash_call(world, role, output, ctx):
    body = {"output": f"{output}.children", "outputs": {"id": output, "property": "children"},
            "inputs": [{"id": "cases-ctx", "property": "data", "value": ctx}], "changedPropIds": [], "state": []}
    return world.client(role).post("/_dash-update-component", json=body)


@pytest.mark.parametrize("output", ["case-list", "case-detail"])
@pytest.mark.parametrize("role", ROLES)
def test_case_page_callbacks_answer_analysts_only(world, setup, role, output):
    cases.add_note(world.engine, world.users["analyst"], setup["case"], "Secret lead")
    response = dash_call(world, role, output, {"lang": "en", "case_id": setup["case"], "status": None})
    assert response.status_code == (200 if role == "analyst" else 403)
    assert (b"Matrix" in response.data) == (role == "analyst")
    if output == "case-detail" and role == "analyst":
        assert b"Secret lead" in response.data and b"case-documents" in response.data


def test_an_analyst_reads_unpublished_appeals_of_the_case_institution(world, setup):
    appeal = world.new_appeal(world.bin_a)
    response = dash_call(world, "analyst", "case-detail", {"lang": "ru", "case_id": setup["case"]})
    assert f'"data-appeal":"{appeal["id"]}"'.encode() in response.data.replace(b" ", b"")


@pytest.mark.parametrize("role", ROLES)
def test_case_pages_guard_in_the_layout_and_link_from_the_account_bar(world, role):
    from flask_login import login_user

    from layouts.pages import cases as case_pages, staff

    with world.app.server.test_request_context("/"):
        if role != "anonymous":
            login_user(world.users[role])
        pages = {"list": str(case_pages.cases_layout(lang="kk", status="open", error="wrong_state")),
                 "case": str(case_pages.case_layout(case_id="1", lang="en", saved="1")),
                 "bad id": str(case_pages.case_layout(case_id="../x", lang="xx", error="<b>")),
                 "staff": str(staff.moderation_layout(lang="ru"))}
    for name in ("list", "case", "bad id"):
        assert ("cases-ctx" in pages[name]) == (role == "analyst"), name
        assert ("/login?next=/analyst/cases" in pages[name]) == (role == "anonymous"), name
    assert ("analyst-cases-link" in pages["list"]) == (role == "analyst")


def test_admins_add_analysts_without_institutions_and_analysts_land_on_the_workspace(world):
    admin = world.client("admin")
    form = {"csrf_token": "test-token", "username": "aruzhan", "password": "a long password", "role": "analyst"}
    assert admin.post("/admin/users", headers=JSON, data={**form, "bins": world.bin_a}).status_code == 400
    assert admin.post("/admin/users", headers=JSON, data=form).status_code == 200
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    login = client.post("/auth/login", data={"csrf_token": "t", "username": "aruzhan", "password": "a long password"})
    assert login.status_code == 303 and login.headers["Location"] == "/analyst"


def test_users_add_role_analyst_on_the_command_line(tmp_path, monkeypatch, capsys):
    from tests.test_users_cli import run_here

    added = run_here(["add", "dana", "--role", "analyst", "--password-stdin"], tmp_path, monkeypatch, capsys,
                     stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    listed = run_here(["list"], tmp_path, monkeypatch, capsys)
    assert "dana\tanalyst\tactive" in listed.stdout


def test_case_pages_never_show_a_citizens_contact(world):
    from dashboard import cases

    posted = world.post_appeal(world.bin_a, author_contact="+7 701 555 0199 secret@example.kz", author_name="Aigerim")
    assert posted.status_code == 201
    case_id = cases.open_case(world.engine, world.users["analyst"], title="Contact check", institution=world.bin_a)
    response = dash_call(world, "analyst", "case-detail", {"lang": "en", "case_id": case_id})
    assert response.status_code == 200 and b"Aigerim" in response.data
    assert b"secret@example.kz" not in response.data


@pytest.mark.parametrize("role", ROLES)
def test_only_analysts_see_unpublished_appeals_on_the_institution_page(world, role):
    appeal = world.new_appeal(world.bin_a)  # new: not approved, not public
    body = {"output": "..appeals-counts.children...appeals-list.children..",
            "outputs": [{"id": "appeals-counts", "property": "children"}, {"id": "appeals-list", "property": "children"}],
            "inputs": [{"id": "appeals-ctx", "property": "data", "value": {"bin": world.bin_a, "lang": "en"}}],
            "changedPropIds": [], "state": []}
    response = world.client(role).post("/_dash-update-component", json=body)
    assert response.status_code == 200
    shown = f'"data-appeal":"{appeal["id"]}"'.encode() in response.data.replace(b" ", b"")
    assert shown == (role == "analyst"), role


def test_a_case_shows_its_flag_as_the_workspace_does(world):
    # The snapshot of a linked flag: translated detector, the sentence, money in tenge, named
    # evidence rows (not raw keys and tiyn).
    import datetime as dt
    import json

    from sqlalchemy import insert

    from dashboard import cases
    from dashboard.schema import anomaly_flags

    evidence = {"month": 12, "paid": 250_000_000, "plan": 100_000_000, "excess": 150_000_000, "ratio": 2.5}
    with world.engine.begin() as conn:
        flag_id = conn.execute(insert(anomaly_flags).values(
            institution_id=world.id_b, year=2023, detector="paid_above_plan", score=0.9,
            evidence=json.dumps(evidence), appeal_ids="[]", fingerprint="b" * 32, scanned_at=dt.datetime.now(dt.timezone.utc),
            lines=json.dumps([{"program": "464-003", "subprogram": "015", "specific": 159, "months": [12]}]),
        ).returning(anomaly_flags.c.id)).scalar_one()
    case_id = cases.open_case(world.engine, world.users["analyst"], title="Overrun", flag_ids=[flag_id])
    page = dash_call(world, "analyst", "case-detail", {"lang": "en", "case_id": case_id}).data.decode()
    assert "Paid above plan" in page and '"line_year_paid"' not in page
    assert "1,500,000.00" in page and "150000000" not in page  # the excess, in tenge
