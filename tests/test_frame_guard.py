"""Staff pages and form endpoints refuse to be framed by other sites; the public map, the
institution pages and the API stay embeddable."""
import pytest

from tests.appeals_support import world  # noqa: F401

STAFF_GETS = ["/login", "/moderation", "/official", "/admin/users", "/admin/import"]
STAFF_POSTS = ["/auth/login", "/auth/logout", "/appeals/new", "/appeals/1/approve", "/documents/new", "/admin/users"]


def assert_guarded(response):
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", STAFF_GETS)
def test_staff_pages_cannot_be_framed_by_other_sites(world, path):
    response = world.client("anonymous").get(path)
    assert response.status_code == 200
    assert_guarded(response)


@pytest.mark.parametrize("path", STAFF_POSTS)
def test_form_endpoints_cannot_be_framed_whatever_they_answer(world, path):
    response = world.client("anonymous").post(path, data={"csrf_token": "test-token"})
    assert response.status_code in (303, 400, 403), response.status_code
    assert_guarded(response)


def test_public_pages_and_api_stay_embeddable(world):
    client = world.client("anonymous")
    for path in ["/", f"/institution/{world.bin_a}", f"/institution/{world.bin_a}/appeals", "/api/v1/regions",
                 f"/api/v1/institutions/{world.bin_a}", "/api/map/points?year=2024"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "X-Frame-Options" not in response.headers, path
        assert "frame-ancestors" not in response.headers.get("Content-Security-Policy", ""), path
