"""Addresses that lead nowhere: a translated page, and HTTP 404 for crawlers and link checkers."""
import pytest
from sqlalchemy import select

from dashboard.schema import institutions


@pytest.fixture
def client(demo_engine, tmp_path):
    from app import create_app
    from dashboard.config import load_config

    url = demo_engine.url.render_as_string(hide_password=False)
    return create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path)})).server.test_client()


def test_unknown_paths_and_bins_answer_404_known_ones_200(client, demo_engine):
    with demo_engine.connect() as conn:
        bin_ = conn.execute(select(institutions.c.bin).limit(1)).scalar_one()
    for path in ("/", f"/institution/{bin_}", f"/institution/{bin_}/appeals", "/login", "/admin/import",
                 "/appeal/AAAA-BBBB-CCCC-DDDD"):
        assert client.get(path).status_code == 200, path
    for path in ("/no/such/page?lang=kk", "/institution/000000000000", "/institution/123/appeals"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"react-entry-point" in response.data, path  # the app itself, which draws the page
    assert client.get("/api/v1/nope").status_code == 404  # the API keeps its own JSON 404


def test_the_not_found_page_speaks_the_language(client):
    from layouts.pages import not_found

    with client.application.test_request_context("/nope"):
        for lang, title in (("kk", "Бет табылмады"), ("ru", "Страница не найдена"), ("en", "Page not found")):
            assert title in str(not_found.layout(lang=lang))
