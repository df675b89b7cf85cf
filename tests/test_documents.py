"""Documents officials upload open from the institution page and the API, and publishing one
moves the data version (the API's ETag) like any other publication."""
import datetime as dt
import io

import pytest
from sqlalchemy import select

from dashboard.schema import publications
from tests.appeals_support import world  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(world, title="Annual report 2024", kind="report"):
    response = world.client("official_own").post(
        "/documents/new", content_type="multipart/form-data", headers={"Accept": "application/json"},
        data={"csrf_token": "test-token", "institution": world.bin_a, "year": "2024", "kind": kind, "title": title,
              "file": (io.BytesIO(PDF), "report.pdf")})
    assert response.status_code == 201, response.data
    return response.json["id"]


def test_uploaded_document_opens_from_the_api_link(world):
    doc_id = upload(world)
    client = world.client("anonymous")
    docs = client.get(f"/api/v1/institutions/{world.bin_a}").json["data"]["documents"]
    (doc,) = [d for d in docs if d["title"] == "Annual report 2024"]
    assert doc["url"] == f"http://localhost/files/documents/{doc_id}" and doc["kind"] == "report"
    served = client.get(doc["url"])
    assert served.status_code == 200 and served.mimetype == "application/pdf" and served.data == PDF


def test_institution_page_links_the_uploaded_document_with_its_kind_translated(world):
    from layouts.institution_parts import documents_list
    from queries import institution as q

    doc_id = upload(world, title="Repair contract", kind="contract")
    with world.engine.connect() as conn:
        docs = q.list_documents(conn, world.id_a, 2024)
    rendered = documents_list(docs, "ru").to_plotly_json()
    (item,) = [li for li in rendered["props"]["children"] if getattr(li, "data-document") == str(doc_id)]
    link, meta = item.children
    assert link.href == f"/files/documents/{doc_id}" and link.children == "Repair contract"
    assert meta.children == " · 2024 · Договор"
    assert world.client("anonymous").get(link.href).status_code == 200


@pytest.mark.parametrize("ref, url", [
    ("upload:documents/abc.pdf", "/files/documents/7"),
    ("https://budget.gov.kz/a.pdf", "https://budget.gov.kz/a.pdf"),
    ("http://example.kz/a.pdf", "http://example.kz/a.pdf"),
    ("/files/a.pdf", None), ("javascript:alert(1)", None), ("upload:appeals/x.jpg", None), ("", None),
])
def test_document_url_only_for_refs_that_open(ref, url):
    from layouts.institution_parts import documents_list
    from queries.documents import document_url

    doc = dict(id=7, year=2024, title="Смета", kind="budget", file_ref=ref)
    assert document_url(doc) == url
    (item,) = documents_list([doc], "en").to_plotly_json()["props"]["children"]
    assert (item.children[0].to_plotly_json()["type"] == "A") == (url is not None)


def test_document_upload_changes_the_api_etag_and_is_logged(world):
    client = world.client("anonymous")
    before = client.get("/api/v1/regions")
    assert before.status_code == 200
    etag = before.headers["ETag"]
    assert client.get("/api/v1/regions", headers={"If-None-Match": etag}).status_code == 304
    upload(world, title="Financing plan")
    after = client.get("/api/v1/regions", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    with world.engine.connect() as conn:
        newest = conn.execute(select(publications).order_by(publications.c.id.desc()).limit(1)).mappings().one()
    assert (newest["source"], newest["kind"], newest["description"]) == ("documents", "document",
                                                                          "2024 · Financing plan")


def test_whats_new_names_a_published_document(world):
    from layouts.whats_new import publication_text

    pub = dict(published_at=dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc), source="documents",
               kind="document", description="2024 · Financing plan", lines=0, institutions=1)
    for lang, label in (("ru", "Опубликован документ"), ("kk", "Құжат жарияланды"), ("en", "Document published")):
        assert publication_text(pub, lang) == f"{label}: 2024 · Financing plan"


def test_an_upload_during_an_import_being_published_answers_503_and_writes_nothing(world, monkeypatch):
    """PostgreSQL: an import holds the publish lock until it commits; an upload waits a little
    (PUBLISH_WAIT_SECONDS), then says so instead of holding a request thread for the import's length."""
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the import holds the database's write lock")
    from dashboard.web import appeals as appeals_http
    from queries.bulk import release_publication, reserve_publication
    monkeypatch.setattr(appeals_http, "PUBLISH_WAIT_SECONDS", 0.5)
    with world.engine.connect() as conn:
        before = conn.execute(select(publications.c.id)).scalars().all()
    with world.engine.connect() as importer:
        importing = importer.begin()
        reserve_publication(importer)
        response = world.client("official_own").post(
            "/documents/new", content_type="multipart/form-data", headers={"Accept": "application/json"},
            data={"csrf_token": "test-token", "institution": world.bin_a, "year": "2024", "kind": "report",
                  "title": "During an import", "file": (io.BytesIO(PDF), "report.pdf")})
        release_publication(importer)
        importing.rollback()
    assert response.status_code == 503 and response.json["error"] == "publishing_busy", response.data
    with world.engine.connect() as conn:
        assert conn.execute(select(publications.c.id)).scalars().all() == before
    assert upload(world, title="After the import") > 0  # the lock is gone with the import's transaction
