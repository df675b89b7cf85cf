"""A form sent back with an error keeps what the citizen typed (never the files), once, and only
for the browser that typed it."""
import io
import json
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from dashboard.schema import budget_lines
from tests.appeals_support import HTML_PAGE, world  # noqa: F401  (module fixture)

NAME, CONTACT = "Айгерім Сәрсенова", "+7 701 555 12 34"


def some_line(world) -> str:
    with world.engine.connect() as conn:
        row = conn.execute(select(budget_lines.c.year, budget_lines.c.program_code, budget_lines.c.subprogram_code,
                                  budget_lines.c.specific_code).where(budget_lines.c.institution_id == world.id_a)
                           .limit(1)).one()
    return f"{row[0]}/{row[1]}/{row[2]}/{row[3]}"


def browser_post(client, world, files=(), **fields):
    data = {"csrf_token": "test-token", "institution": world.bin_a, "kind": "discrepancy", "lang": "ru",
            "author_name": NAME, "author_contact": CONTACT, **fields}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/appeals/new", data=data, content_type="multipart/form-data")


def rendered_page(client, location: str) -> str:
    """The page content as Dash's pages router renders it for this browser (over HTTP)."""
    parts = urlsplit(location)
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": parts.path},
                       {"id": "_pages_location", "property": "search", "value": f"?{parts.query}"}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:500]
    return json.dumps(response.json, ensure_ascii=False)


def new_client(world):
    client = world.app.server.test_client()
    with client.session_transaction() as session:
        session["csrf"] = "test-token"
    return client


def test_too_short_body_comes_back_with_the_typed_values_and_line(world):
    client, line = new_client(world), some_line(world)
    response = browser_post(client, world, body="Крыша", line=line)
    assert response.status_code == 303
    location = response.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["too_short"] and query["line"] == [line] and query["draft"]
    assert CONTACT not in location and NAME not in location  # the values wait on the server
    page = rendered_page(client, location)
    for value in ("Крыша", NAME, CONTACT, "discrepancy", line):
        assert value in page
    # Read once: a reload shows the line (from the address) but no longer the typed text.
    again = rendered_page(client, location)
    assert line in again and NAME not in again and CONTACT not in again


def test_disguised_file_keeps_the_text_but_not_the_file(world):
    client = new_client(world)
    text = "Деньги на ремонт крыши школы выделены, но работ не было. " * 80  # over 4 KB of Cyrillic
    response = browser_post(client, world, files=[("roof.jpg", HTML_PAGE)], body=text)
    location = response.headers["Location"]
    assert parse_qs(urlsplit(location).query)["error"] == ["file_type"]
    page = rendered_page(client, location)
    assert text.strip() in page and CONTACT in page and "roof.jpg" not in page


def test_another_browser_with_the_same_link_sees_nothing(world):
    response = browser_post(new_client(world), world, body="short")
    page = rendered_page(new_client(world), response.headers["Location"])
    assert CONTACT not in page and NAME not in page and "short" not in page
