"""Staff sessions end when they should: logout (every copy of the cookie), password, role,
institution and active changes, an idle timeout and an absolute lifetime. Over HTTP, both databases."""
import io
import sys
import uuid

import pytest

from dashboard import staff_sessions
from dashboard.account_admin import add_user
from tests.appeals_support import PASSWORD, build_world
from tests.conftest import BACKENDS, _fresh_url
from tests.test_appeal_authorization import dash_request

QUEUE = ["moderation-queue", "moderation-overdue"]
COOKIE = "ashyq_session"


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """An appeals world whose staff sessions last 1 hour at most (idle timeout: the default 30 minutes)."""
    tmp = tmp_path_factory.mktemp("sessions")
    built = build_world(_fresh_url(request.param, request, tmp_path_factory), tmp, STAFF_SESSION_HOURS="1")
    yield built
    built.engine.dispose()


def new_user(world, role="moderator", bins=()) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    add_user(world.engine, name, name, PASSWORD, role, list(bins))
    return name


def sign_in(world, username, password=PASSWORD):
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    response = client.post("/auth/login", data={"csrf_token": "t", "username": username, "password": password},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.data
    with client.session_transaction() as session:
        session["csrf"] = "t"
    return client


def copy_of(world, client):
    """Another browser holding the same session cookie (a stolen copy)."""
    thief = world.app.server.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def reads_queue(client) -> bool:
    status = dash_request(client, QUEUE).status_code
    assert status in (200, 403)
    return status == 200


def cli(world, monkeypatch, capsys, *args, stdin=""):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", world.url)
    monkeypatch.setenv("ASHYQ_VAR_DIR", str(world.config.var_dir))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_a_cookie_copied_before_logout_is_refused_after_logout(world):
    client = sign_in(world, new_user(world))
    stolen, for_page, for_json = (copy_of(world, client) for _ in range(3))  # the first refusal signs a copy out
    assert reads_queue(client) and reads_queue(stolen)
    assert client.post("/auth/logout", data={"csrf_token": "t"}).status_code == 303
    assert not reads_queue(stolen)
    page = for_page.get("/moderation")
    assert page.status_code == 303 and page.headers["Location"].startswith("/login?error=session_ended")
    approve = for_json.post("/appeals/1/approve", data={"csrf_token": "t"}, headers={"Accept": "application/json"})
    assert approve.status_code == 401 and approve.json["error"] == "session_ended"


def test_password_change_ends_every_session(world, monkeypatch, capsys):
    name = new_user(world)
    first, second = sign_in(world, name), sign_in(world, name)
    assert reads_queue(first) and reads_queue(second)
    assert "signed out" in cli(world, monkeypatch, capsys, "password", name, "--password-stdin",
                               stdin="Steppe wind 42 over Irtysh\n")
    assert not reads_queue(first) and not reads_queue(second)
    assert reads_queue(sign_in(world, name, "Steppe wind 42 over Irtysh"))


def test_disable_then_enable_does_not_bring_old_sessions_back(world):
    name = new_user(world)
    client = sign_in(world, name)
    admin = world.client("admin")
    for active in ("0", "1"):
        assert admin.post(f"/admin/users/{name}/active", data={"csrf_token": "test-token",
                                                                "active": active}).status_code == 303
    assert not reads_queue(client)
    assert reads_queue(sign_in(world, name))


def test_enable_alone_ends_sessions_too(world):
    name = new_user(world)
    client = sign_in(world, name)
    assert world.client("admin").post(f"/admin/users/{name}/active", data={"csrf_token": "test-token",
                                                                           "active": "1"}).status_code == 303
    assert not reads_queue(client)


def test_role_change_ends_sessions(world, monkeypatch, capsys):
    name = new_user(world)
    client = sign_in(world, name)
    page = copy_of(world, client)
    assert "signed out" in cli(world, monkeypatch, capsys, "role", name, "--role", "official", "--bin", world.bin_a)
    assert not reads_queue(client)
    assert page.get("/official").headers["Location"].startswith("/login?error=session_ended")  # not the new desk
    official = sign_in(world, name)
    assert dash_request(official, ["official-desk"]).status_code == 200


def test_an_officials_institution_change_ends_their_sessions(world, monkeypatch, capsys):
    name = new_user(world, "official", [world.bin_a])
    client = sign_in(world, name)
    assert dash_request(client, ["official-desk"]).status_code == 200
    cli(world, monkeypatch, capsys, "bins", name, "--bin", world.bin_b)
    assert dash_request(client, ["official-desk"]).status_code == 403


def test_other_users_sessions_survive(world):
    mine, theirs = sign_in(world, new_user(world)), sign_in(world, new_user(world))
    mine.post("/auth/logout", data={"csrf_token": "t"})
    assert reads_queue(theirs)


class Clock:
    def __init__(self, monkeypatch):
        self.offset = 0.0
        real = staff_sessions._now
        monkeypatch.setattr(staff_sessions, "_now", lambda: real() + self.offset)

    def advance(self, minutes: float) -> None:
        self.offset += minutes * 60


def test_an_idle_session_expires_and_goes_to_login_with_a_message(world, monkeypatch):
    clock = Clock(monkeypatch)
    client = sign_in(world, new_user(world))
    clock.advance(25)
    assert reads_queue(client)  # activity resets the idle timer
    clock.advance(25)
    assert reads_queue(client)
    clock.advance(31)
    page = client.get("/moderation?lang=en")
    assert page.status_code == 303
    assert page.headers["Location"] == "/login?error=session_expired&next=%2Fmoderation%3Flang%3Den"
    assert not reads_queue(client)
    login = client.get(page.headers["Location"])
    assert login.status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_even_when_used(world, monkeypatch):
    clock = Clock(monkeypatch)
    name = new_user(world)
    client = sign_in(world, name)
    for _ in range(3):
        clock.advance(19)
        assert reads_queue(client)
    clock.advance(4)  # 61 minutes after signing in, STAFF_SESSION_HOURS=1
    assert not reads_queue(client)
    assert reads_queue(sign_in(world, name))


def test_the_cookie_lives_no_longer_than_a_staff_session(world):
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"
    response = client.post("/auth/login", data={"csrf_token": "t", "username": new_user(world),
                                                "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Expires" not in cookie and "Max-Age" not in cookie  # gone when the browser closes
    assert world.app.server.permanent_session_lifetime.total_seconds() == 3600  # signature age limit, not 31 days


def test_the_login_page_says_why_in_each_language():
    from dashboard.i18n import t
    from layouts.components.appeals import error_alert

    for reason in ("session_expired", "session_ended"):
        texts = {error_alert(lang, reason).children for lang in ("kk", "ru", "en")}
        assert texts == {t(f"appeals.error.{reason}", lang) for lang in ("kk", "ru", "en")} and len(texts) == 3


def test_session_limits_are_configured_in_minutes_and_hours():
    from dashboard.config import ConfigError, load_config

    assert (load_config({}).staff_idle_minutes, load_config({}).staff_session_hours) == (30, 12)
    custom = load_config({"STAFF_IDLE_MINUTES": "5", "STAFF_SESSION_HOURS": "2"})
    assert (custom.staff_idle_minutes, custom.staff_session_hours) == (5, 2)
    for name in ("STAFF_IDLE_MINUTES", "STAFF_SESSION_HOURS"):
        with pytest.raises(ConfigError, match=name):
            load_config({name: "0"})


@pytest.mark.parametrize("username,role,bins,reason", [("nobody-here", "analyst", [], "unknown_user"),
                                                       (None, "official", [], "needs_bin"),
                                                       (None, "analyst", ["x"], "bins_for_official_only"),
                                                       (None, "official", ["999999999999"], "unknown_bin"),
                                                       (None, "root", [], "bad_role")])
def test_a_refused_role_change_changes_nothing(world, username, role, bins, reason):
    from dashboard.account_admin import UserInvalid, change_role

    name = new_user(world)
    client = sign_in(world, name)
    with pytest.raises(UserInvalid) as refused:
        change_role(world.engine, username or name, role, bins)
    assert refused.value.reason == reason
    assert reads_queue(client)
