"""Posting and signing in are throttled per IP address (Flask-Limiter, in-memory storage): only
accepted appeals count toward the appeal limit; a refused browser comes back to its form with a
message in its language, JSON clients get JSON 429."""
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.appeals_support import PASSWORD, build_world


@pytest.fixture
def strict(tmp_path_factory):
    # One world per test: Flask-Limiter's memory storage belongs to the app.
    tmp = tmp_path_factory.mktemp("limits")
    built = build_world(f"sqlite:///{tmp / 'limits.sqlite3'}", tmp, APPEAL_RATE_LIMIT="2 per minute",
                        APPEAL_TRY_LIMIT="8 per minute", LOGIN_RATE_LIMIT="3 per minute")
    yield built
    built.engine.dispose()


def browser_post(world, **fields):
    data = {"csrf_token": "test-token", "institution": world.bin_a, "kind": "question", "lang": "ru",
            "body": "The school roof leaks although repairs were paid.", **fields}
    return world.client("anonymous").post("/appeals/new", data=data, content_type="multipart/form-data")


def test_only_accepted_appeals_count_and_the_refused_one_comes_back_to_its_form(strict):
    assert [strict.post_appeal(body="short").status_code for _ in range(4)] == [400] * 4  # not counted
    assert [strict.post_appeal().status_code for _ in range(2)] == [201, 201]
    refused = strict.post_appeal()
    assert refused.status_code == 429 and refused.json["error"] == "rate_limited"
    response = browser_post(strict, author_name="Айгерім")
    assert response.status_code == 303
    location = response.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert urlsplit(location).path == f"/institution/{strict.bin_a}/appeals"
    assert query["error"] == ["rate_limited"] and query["lang"] == ["ru"] and query["draft"]
    forged = browser_post(strict, csrf_token="wrong")  # another site's form: sent back, nothing kept
    assert forged.status_code == 303 and "draft=" not in forged.headers["Location"]
    from layouts.pages import appeals as appeal_pages

    client = strict.client("anonymous")
    with client.session_transaction() as session:
        assert session["appeal_draft"] == query["draft"][0]
    with strict.app.server.test_request_context("/"):
        from flask import session

        session["appeal_draft"] = query["draft"][0]
        text = str(appeal_pages.institution_layout(bin=strict.bin_a, lang="ru", error="rate_limited",
                                                   draft=query["draft"][0]).to_plotly_json())
    assert "Слишком много попыток с вашего адреса" in text and "Айгерім" in text


def test_every_try_counts_toward_the_looser_limit(strict):
    assert [strict.post_appeal(body="short").status_code for _ in range(9)] == [400] * 8 + [429]
    response = browser_post(strict, body="short")
    assert response.status_code == 303 and "error=rate_limited" in response.headers["Location"]
    assert "draft=" not in response.headers["Location"]  # a flood writes no drafts


def test_login_attempts_are_throttled_even_with_the_right_password(strict):
    client = strict.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "t"

    def attempt(password, **headers):
        return client.post("/auth/login", data={"csrf_token": "t", "username": "moderator", "password": password,
                                                "lang": "kk", "next": "/moderation"}, headers=headers)

    assert [attempt("wrong password", Accept="application/json").status_code for _ in range(3)] == [401] * 3
    refused = attempt(PASSWORD, Accept="application/json")
    assert refused.status_code == 429 and refused.json["error"] == "rate_limited"
    browser = attempt(PASSWORD)
    assert browser.status_code == 303
    assert browser.headers["Location"] == "/login?error=rate_limited&lang=kk&next=%2Fmoderation"
    from layouts.pages import staff

    with strict.app.server.test_request_context("/"):
        text = str(staff.login_layout(lang="kk", error="rate_limited").to_plotly_json())
    assert "Сіздің мекенжайыңыздан әрекет тым көп" in text
