"""Authorization matrix over HTTP: role × action × own/other institution. A request that is not
allowed gets 403 and changes nothing (status, public view, audit log)."""
import io

import pytest
from sqlalchemy import func, select

from dashboard.schema import appeal_events, documents, users
from tests.appeals_support import ROLES, jpeg_with_gps, world  # noqa: F401

# action → (state the appeal starts in, roles allowed, form field with text)
ACTIONS = {
    "approve": ("new", {"moderator"}, None),
    "reject": ("new", {"moderator"}, "note"),
    "hide": ("in_review", {"moderator"}, "note"),
    "answer": ("in_review", {"official_own"}, "answer"),
    "resolve": ("answered", {"moderator", "official_own"}, None),
}
EXPECTED_STATUS = {"approve": "in_review", "reject": "rejected", "hide": "in_review", "answer": "answered",
                   "resolve": "resolved"}


def events(world, appeal_id) -> int:
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(appeal_events)
                            .where(appeal_events.c.appeal_id == appeal_id)).scalar_one()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_appeal_actions(world, role, action):
    start, allowed, text_field = ACTIONS[action]
    appeal = world.new_appeal(world.bin_a, start)  # institution A: official_own's, not official_other's
    before_events = events(world, appeal["id"])
    form = {"csrf_token": "test-token", **({text_field: "Reason <b>given</b>"} if text_field else {})}
    response = world.client(role).post(f"/appeals/{appeal['id']}/{action}", data=form,
                                       headers={"Accept": "application/json"})
    after = world.appeal(appeal["id"])
    if role in allowed:
        assert response.status_code == 200, response.data
        assert after["status"] == EXPECTED_STATUS[action]
        assert events(world, appeal["id"]) == before_events + 1
    else:
        assert response.status_code == 403, (role, action, response.status_code)
        assert after == appeal
        assert events(world, appeal["id"]) == before_events


def test_forged_csrf_token_changes_nothing_even_for_a_moderator(world):
    appeal = world.new_appeal()
    response = world.client("moderator").post(f"/appeals/{appeal['id']}/approve", data={"csrf_token": "guess"})
    assert response.status_code == 403 and world.appeal(appeal["id"]) == appeal


def test_wrong_state_is_a_conflict_not_a_change(world):
    appeal = world.new_appeal(state="answered")
    response = world.client("moderator").post(f"/appeals/{appeal['id']}/reject", headers={"Accept": "application/json"},
                                              data={"csrf_token": "test-token", "note": "late"})
    assert response.status_code == 409 and world.appeal(appeal["id"]) == appeal


def test_moderator_rejects_an_answered_appeal_that_was_never_approved(world):
    from dashboard.appeals import workflow

    appeal = world.new_appeal()
    workflow.transition(world.engine, world.users["official_own"], appeal["id"], "answer", "Answered early.")
    before_events = events(world, appeal["id"])
    response = world.client("moderator").post(f"/appeals/{appeal['id']}/reject", headers={"Accept": "application/json"},
                                              data={"csrf_token": "test-token", "note": "spam"})
    after = world.appeal(appeal["id"])
    assert response.status_code == 200, response.data
    assert (after["status"], after["reject_reason"], after["published"]) == ("rejected", "spam", False)
    assert events(world, appeal["id"]) == before_events + 1


@pytest.mark.parametrize("role, path, status, error", [
    ("official_other", "/appeals/{id}/answer", 403, "forbidden"),
    ("anonymous", "/appeals/{id}/approve", 403, "forbidden"),
    ("anonymous", "/appeals/999999/approve", 403, "forbidden"),  # no oracle of which appeals exist
    ("official_own", "/appeals/999999/approve", 403, "forbidden"),
    ("moderator", "/appeals/999999/approve", 404, "not_found"),
    ("moderator", "/appeals/{id}/frobnicate", 404, "not_found"),
    ("moderator", "/appeals/{id}/resolve", 409, "conflict"),
    ("official_own", "/documents/new", 403, "forbidden"),
    ("moderator", "/admin/users", 403, "forbidden"),
])
def test_json_clients_get_json_errors(world, role, path, status, error):
    appeal = world.new_appeal()
    response = world.client(role).post(path.format(id=appeal["id"]), headers={"Accept": "application/json"},
                                       data={"csrf_token": "test-token", "answer": "An answer.",
                                             "institution": world.bin_b})
    assert response.status_code == status
    assert response.mimetype == "application/json" and response.json["error"] == error
    assert response.json["detail"]
    assert world.appeal(appeal["id"]) == appeal


def test_json_client_with_a_forged_csrf_token_gets_json(world):
    response = world.client("moderator").post("/auth/logout", data={"csrf_token": "guess"},
                                              headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert "CSRF" in response.json["detail"]


def test_reject_needs_a_reason(world):
    appeal = world.new_appeal()
    response = world.client("moderator").post(f"/appeals/{appeal['id']}/reject", headers={"Accept": "application/json"},
                                              data={"csrf_token": "test-token", "note": "  "})
    assert response.status_code == 400 and world.appeal(appeal["id"]) == appeal


# who may fetch an attachment, by the appeal's state
FILE_ACCESS = {
    "new": {"official_own", "moderator", "analyst"},
    "published": set(ROLES),
    "hidden": {"official_own", "moderator", "analyst"},
}


@pytest.fixture(scope="module")
def attachments(world):
    """One appeal with a photo per state; {state: (stored name, tracking code)}."""
    found = {}
    for state in FILE_ACCESS:
        response = world.post_appeal(files=[("p.jpg", jpeg_with_gps())])
        code = response.json["tracking_code"]
        with world.engine.connect() as conn:
            from dashboard.schema import appeal_attachments, appeals
            appeal_id, name = conn.execute(
                select(appeals.c.id, appeal_attachments.c.stored_name)
                .select_from(appeals.join(appeal_attachments)).where(appeals.c.tracking_code == code)).one()
        moderator = world.users["moderator"]
        from dashboard.appeals.workflow import transition
        if state in ("published", "hidden"):
            transition(world.engine, moderator, appeal_id, "approve", None)
        if state == "hidden":
            transition(world.engine, moderator, appeal_id, "hide", "abusive")
        found[state] = (name, code)
    return found


@pytest.mark.parametrize("state", FILE_ACCESS)
@pytest.mark.parametrize("role", ROLES)
def test_attachment_access(world, attachments, role, state):
    name, code = attachments[state]
    response = world.client(role).get(f"/files/appeals/{name}")
    assert response.status_code == (200 if role in FILE_ACCESS[state] else 403)
    assert world.client(role).get(f"/files/appeals/{name}?code={code}").status_code == 200  # the author's key
    assert world.client(role).get(f"/files/appeals/{name}?code=AAAA-BBBB-CCCC-DDDD").status_code == (
        200 if role in FILE_ACCESS[state] else 403)


def dash_request(client, outputs):
    """The request Dash's renderer sends for the callback that fills `outputs` on a staff page."""
    many = len(outputs) > 1
    body = {"output": "..." .join(f"{o}.children" for o in outputs).join(["..", ".."]) if many
            else f"{outputs[0]}.children",
            "outputs": [{"id": o, "property": "children"} for o in outputs] if many
            else {"id": outputs[0], "property": "children"},
            "inputs": [{"id": "staff-ctx", "property": "data", "value": {"lang": "en"}}], "changedPropIds": [],
            "state": []}
    return client.post("/_dash-update-component", json=body)


def dash_call(world, role, outputs):
    return dash_request(world.client(role), outputs)


@pytest.mark.parametrize("outputs, allowed", [
    (["moderation-queue", "moderation-overdue"], {"moderator"}),
    (["official-desk"], {"official_own", "official_other"}),
    (["admin-users"], {"admin"}),
])
@pytest.mark.parametrize("role", ROLES)
def test_crafted_callbacks_for_staff_data(world, role, outputs, allowed):
    world.new_appeal(world.bin_a)  # something to see, with a contact
    response = dash_call(world, role, outputs)
    assert response.status_code == (200 if role in allowed else 403)
    if role not in allowed:
        assert b"data-appeal" not in response.data and b"users-table" not in response.data


def test_officials_desk_shows_only_their_institutions(world):
    mine = world.new_appeal(world.bin_a)
    theirs = world.new_appeal(world.bin_b)
    response = dash_call(world, "official_own", ["official-desk"])
    assert f'"data-appeal":"{mine["id"]}"'.encode() in response.data.replace(b" ", b"")
    assert f'"data-appeal":"{theirs["id"]}"'.encode() not in response.data.replace(b" ", b"")


def document_count(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(documents)).scalar_one()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "other"])
def test_document_upload(world, role, which):
    bin_ = world.bin_a if which == "own" else world.bin_b
    before = document_count(world)
    response = world.client(role).post("/documents/new", content_type="multipart/form-data",
                                       headers={"Accept": "application/json"},
                                       data={"csrf_token": "test-token", "institution": bin_, "year": "2024",
                                             "kind": "report", "title": "Annual report",
                                             "file": (io.BytesIO(PDF), "report.pdf")})
    allowed = (role, which) in {("official_own", "own"), ("official_other", "other")}
    assert response.status_code == (201 if allowed else 403)
    assert document_count(world) == before + (1 if allowed else 0)
    if allowed:
        served = world.client("anonymous").get(f"/files/documents/{response.json['id']}")
        assert served.status_code == 200 and served.data == PDF
        assert served.headers["Content-Type"] == "application/pdf"
        assert served.headers["Content-Disposition"].startswith("attachment;")
        assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_document_must_be_a_pdf(world):
    before = document_count(world)
    response = world.client("official_own").post(
        "/documents/new", content_type="multipart/form-data", headers={"Accept": "application/json"},
        data={"csrf_token": "test-token", "institution": world.bin_a, "year": "2024", "kind": "report",
              "title": "Report", "file": (io.BytesIO(b"<html>not a pdf</html>"), "report.pdf")})
    assert response.status_code == 400 and response.json["error"] == "file_type"
    assert document_count(world) == before
    assert list((world.uploads / ".staging").iterdir()) == []


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_add_users(world, role):
    with world.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(users)).scalar_one()
    response = world.client(role).post("/admin/users", headers={"Accept": "application/json"}, data={
        "csrf_token": "test-token", "username": f"new-{role}", "password": "a long password", "role": "moderator"})
    with world.engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(users)).scalar_one()
    assert response.status_code == (200 if role == "admin" else 403)
    assert after == before + (1 if role == "admin" else 0)


def test_disabled_user_is_signed_out_and_cannot_sign_in(world):
    from dashboard.account_admin import add_user

    add_user(world.engine, "temp-mod", "Temp", "temporary password", "moderator", [])
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    login = {"csrf_token": "t", "username": "temp-mod", "password": "temporary password"}
    assert client.post("/auth/login", data=login, headers={"Accept": "application/json"}).status_code == 200
    with client.session_transaction() as session:
        session["csrf"] = "t"
    assert world.client("admin").post("/admin/users/temp-mod/active", data={"csrf_token": "test-token",
                                                                          "active": "0"}).status_code == 303
    assert dash_request(client, ["moderation-queue", "moderation-overdue"]).status_code == 403
    assert client.post("/auth/login", data=login, headers={"Accept": "application/json"}).status_code == 401


def test_wrong_password_is_refused_and_session_cookie_is_httponly_lax(world):
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    bad = client.post("/auth/login", data={"csrf_token": "t", "username": "moderator", "password": "nope"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 401
    good = client.post("/auth/login", data={"csrf_token": "t", "username": "moderator",
                                            "password": "correct horse battery"})
    assert good.status_code == 303 and good.headers["Location"] == "/moderation"
    cookie = good.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = world.app.server.test_client()
    with secure.session_transaction(base_url="https://localhost") as session:
        session["csrf"] = "t"
    over_https = secure.post("/auth/login", base_url="https://localhost", data={
        "csrf_token": "t", "username": "moderator", "password": "correct horse battery"})
    assert "Secure" in over_https.headers["Set-Cookie"]


def test_login_redirect_stays_on_this_site(world):
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    response = client.post("/auth/login", data={"csrf_token": "t", "username": "moderator",
                                                "password": "correct horse battery", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/moderation"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_layout_renders_for_every_role_with_messages(world, role):
    """Layouts with every flash/error parameter (a bad component prop would only fail at run time)."""
    from flask_login import login_user

    from layouts.pages import appeals as appeal_pages, staff

    layouts = [
        lambda: staff.login_layout(lang="kk", next="/official", error="bad_credentials"),
        lambda: staff.moderation_layout(lang="ru", error="409"),
        lambda: staff.official_layout(lang="en", error="file_type", saved="document"),
        lambda: staff.admin_layout(lang="kk", error="exists"),
        lambda: staff.admin_layout(lang="ru", saved="1"),
        lambda: appeal_pages.institution_layout(bin=world.bin_a, lang="en", year="2024", line="2024/464-003/011/111",
                                                error="file_type", field="files"),
        lambda: appeal_pages.institution_layout(bin="../etc", lang="xx", error="<script>"),
        lambda: appeal_pages.track_layout(code="AAAA-BBBB-CCCC-DDDD", lang="kk", posted="1"),
    ]
    with world.app.server.test_request_context("/"):
        if role != "anonymous":
            login_user(world.users[role])
        for make in layouts:
            rendered = make().to_plotly_json()
            assert rendered["type"] == "Div"


def test_an_admin_cannot_disable_themselves_and_is_told_so(world):
    client = world.client("admin")
    response = client.post("/admin/users/admin/active", data={"csrf_token": "test-token", "active": "0"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/users?error=self_disable")
    assert client.post("/admin/users/admin/active", data={"csrf_token": "test-token", "active": "0"},
                       headers={"Accept": "application/json"}).status_code == 400
    with world.engine.connect() as conn:
        from sqlalchemy import select

        from dashboard.schema import users
        assert conn.execute(select(users.c.active).where(users.c.username == "admin")).scalar_one()
