"""/healthz answers 200 with the schema revision, 503 when the database cannot answer."""
from app import create_app
from dashboard.config import load_config
from dashboard.db import head_revision, upgrade


def client_for(url, tmp_path):
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path), "DATABASE_URL": url})
    return create_app(config).server.test_client()


def test_healthy_database_reports_its_revision(empty_url, tmp_path):
    upgrade(empty_url)
    response = client_for(empty_url, tmp_path).get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "revision": head_revision()}


def test_unreachable_database_gives_503(tmp_path):
    response = client_for("postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2", tmp_path) \
        .get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_unmigrated_database_gives_503(tmp_path):
    response = client_for(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path).get("/healthz")
    assert response.status_code == 503
    assert response.json["error"] == "schema not migrated"


def test_language_choice_is_remembered_in_a_cookie(empty_url, tmp_path):
    upgrade(empty_url)
    response = client_for(empty_url, tmp_path).get("/?lang=kk")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=kk") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
