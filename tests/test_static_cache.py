"""Static responses (dashboard/web/static_cache.py) through the Flask test client: validators and
headers that stay right when one address has plain, gzip and brotli bodies."""
from __future__ import annotations

import re

import pytest

from dashboard.web.static_cache import IMMUTABLE, AssetVersions


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from app import create_app
    from dashboard.config import load_config
    from dashboard.db import upgrade

    folder = tmp_path_factory.mktemp("static")
    url = f"sqlite:///{folder / 'site.sqlite3'}"
    upgrade(url)
    return create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(folder)})).server.test_client()


def _css_url(client) -> str:
    return re.search(r'href="(/assets/app\.css\?m=[^"]+)"', client.get("/login?lang=ru").data.decode()).group(1)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_compressed_body_has_a_weak_etag_no_ranges_and_varies_by_encoding(client, encoding):
    url = _css_url(client)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert packed.headers["ETag"].startswith('W/"') and "Accept-Ranges" not in packed.headers
    assert "Accept-Encoding" in packed.headers["Vary"] and packed.headers["Cache-Control"] == IMMUTABLE
    assert plain.headers.get("Content-Encoding") is None
    again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and "Accept-Encoding" in again.headers["Vary"]
    # A resumed download with the compressed body's validator gets the whole body, not plain bytes.
    ranged = client.get(url, headers={"Accept-Encoding": encoding, "Range": "bytes=10-19",
                                      "If-Range": packed.headers["ETag"]})
    assert ranged.status_code == 200


def test_a_response_setting_a_cookie_is_not_cached_publicly(client):
    response = client.get(_css_url(client) + "&lang=kk")
    assert "Set-Cookie" in response.headers and response.headers["Cache-Control"] != IMMUTABLE


def test_other_spellings_of_an_asset_path_are_not_fingerprinted(tmp_path):
    (tmp_path / "app.css").write_text("body{}")
    versions = AssetVersions(str(tmp_path))
    assert versions("app.css")
    assert versions("./app.css") is None and versions("a/../app.css") is None and versions("../x") is None
    assert list(versions._known) == ["app.css"]


def test_a_component_suite_revalidates_with_the_weak_etag_of_its_compressed_copy(client):
    """Dash answers 304 itself for its unfingerprinted chunks, comparing If-None-Match literally."""
    url = "/_dash-component-suites/dash_ag_grid/async-community.js"
    first = client.get(url, headers={"Accept-Encoding": "br"})
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304



def test_a_missing_file_of_a_component_package_is_a_404_not_a_500(client):
    # the source map dash_leaflet's script names but the package does not ship
    assert client.get("/_dash-component-suites/dash_leaflet/dash_leaflet.js.map").status_code == 404
    assert client.get("/_dash-component-suites/dash_leaflet/no_such_file.js").status_code == 404
    assert client.get("/_dash-component-suites/dash_leaflet/dash_leaflet.js").status_code == 200



def test_the_component_scripts_are_registered_before_the_first_request(tmp_path):
    """Dash registers the scripts it may serve on a process's first request; two first requests
    of a new gunicorn thread-worker at once (a page and a script) raced, and the script got
    "not a registered library" (seen as 500s in the load test's bare floor). The app registers
    them when it is made, before gunicorn forks its workers."""
    from app import create_app
    from dashboard.config import load_config
    from dashboard.db import upgrade

    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    upgrade(url)
    app = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path)}))
    registered = {package for package, paths in app.registered_paths.items() if paths}  # before any request
    scripts = re.findall(r'src="/_dash-component-suites/([^/"]+)/', app.server.test_client().get("/").get_data(as_text=True))
    assert len(scripts) > 5 and set(scripts) <= registered


@pytest.fixture()
def counted(tmp_path):
    """A fresh app and a count of the requests that reached Flask."""
    from app import create_app
    from dashboard.config import load_config
    from dashboard.db import upgrade

    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    upgrade(url)
    server = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path)})).server
    reached = []
    server.before_request(lambda: reached.append(flask_request.full_path) and None)
    return server, server.test_client(), reached


from flask import request as flask_request  # noqa: E402


def test_a_repeated_fingerprinted_file_is_answered_without_flask_per_encoding(counted):
    server, client, reached = counted
    url = _css_url(client)
    reached.clear()
    answers = {enc: [client.get(url, headers={"Accept-Encoding": enc}) for _ in range(3)] for enc in ("br", "gzip", "identity")}
    assert len(reached) == 3  # one Flask request per encoding, the repeats answered from memory
    for enc, (first, *repeats) in answers.items():
        for again in repeats:
            assert again.status_code == 200 and again.data == first.data
            assert sorted(again.headers.items()) == sorted(first.headers.items())
        assert first.headers.get("Content-Encoding") == (None if enc == "identity" else enc)
    assert answers["br"][0].data != answers["gzip"][0].data != answers["identity"][0].data
    suite = "/_dash-component-suites/dash_ag_grid/async-community.js"  # unfingerprinted, but a package file
    reached.clear()
    assert client.get(suite, headers={"Accept-Encoding": "br"}).data == client.get(suite, headers={"Accept-Encoding": "br"}).data
    assert len(reached) == 1


def test_what_may_change_or_sets_a_cookie_or_is_conditional_always_reaches_flask(counted):
    server, client, reached = counted
    url = _css_url(client)
    plain_asset = url.split("?")[0]  # no fingerprint: the file may change under this address
    first = client.get(url, headers={"Accept-Encoding": "br"})
    reached.clear()
    for lang in ("kk", "ru"):
        assert client.get(plain_asset).headers["Cache-Control"] == "no-cache"
        assert "Set-Cookie" in client.get(f"{url}&lang={lang}").headers
        assert client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}).status_code == 304
        assert client.head(url).status_code == 200
        assert client.get("/_dash-component-suites/dash_leaflet/no_such_file.js").status_code == 404
    assert len(reached) == 10


def test_a_body_in_another_encoding_is_not_kept_for_clients_that_take_none(counted):
    """Flask-Compress answers deflate or zstd to a client that takes neither br nor gzip."""
    server, client, reached = counted
    url = _css_url(client)
    for only in ("deflate", "zstd"):
        odd = client.get(url, headers={"Accept-Encoding": only})
        assert odd.headers.get("Content-Encoding") == only
    plain = client.get(url, headers={"Accept-Encoding": ""})
    assert plain.headers.get("Content-Encoding") is None and b"{" in plain.data
    reached.clear()
    assert client.get(url + "&l%61ng=kk").status_code == 200 and client.get(url + "&l%61ng=kk").status_code == 200
    assert len(reached) == 2  # a percent-encoded query may spell lang=: never kept


def test_the_kept_answers_are_bounded(counted):
    server, client, reached = counted
    answers = server.wsgi_app
    while not hasattr(answers, "MAX_ENTRIES"):
        answers = answers.wsgi_app
    answers.MAX_ENTRIES = 2
    url = _css_url(client)
    for enc in ("br", "gzip", "identity"):
        client.get(url, headers={"Accept-Encoding": enc})
    reached.clear()
    client.get(url, headers={"Accept-Encoding": "br"})  # the oldest, pushed out
    client.get(url, headers={"Accept-Encoding": "identity"})  # still kept
    assert len(reached) == 1 and len(answers._answers) == 2
    answers.MAX_ENTRIES, answers.MAX_BYTES = 512, 10
    client.get(url, headers={"Accept-Encoding": "gzip"})  # alone over the bound: not kept, nothing pushed out
    assert len(answers._answers) == 2 and "gzip" not in {key[2] for key in answers._answers}
