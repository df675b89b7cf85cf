"""Posting and signing in are throttled per IP address (Flask-Limiter, in-memory storage)."""
import pytest

from tests.appeals_support import PASSWORD, build_world


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    built = build_world(f"sqlite:///{tmp / 'limits.sqlite3'}", tmp, APPEAL_RATE_LIMIT="2 per minute",
                        LOGIN_RATE_LIMIT="3 per minute")
    yield built
    built.engine.dispose()


def test_third_appeal_in_a_minute_is_refused(strict):
    assert [strict.post_appeal().status_code for _ in range(3)] == [201, 201, 429]


def test_login_attempts_are_throttled_even_with_the_right_password(strict):
    client = strict.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"

    def attempt(password):
        return client.post("/auth/login", data={"csrf_token": "t", "username": "moderator", "password": password},
                           headers={"Accept": "application/json"}).status_code

    assert [attempt("wrong password") for _ in range(3)] == [401, 401, 401]
    assert attempt(PASSWORD) == 429
