"""Live updates (issue 12): relative times in the page's language, "What's new" lists public
things only, and a poll with the data version unchanged costs the version read and nothing else."""
import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, select, update

from dashboard.config import load_config
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import appeals, institutions, publications
from layouts import whats_new as view
from queries.appeals import add_event, insert_appeal, utcnow
from queries.documents import insert_document
from queries.whats_new import whats_new
from tests.conftest import BACKENDS, _fresh_url
from tests.dash_requests import body_for
from tests.statements import Statements

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A small demo database per backend and an app on it (module-wide)."""
    from app import create_app

    tmp = tmp_path_factory.mktemp("live")
    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=12, years=[2024], seed=5, progress=False)
    with engine.connect() as conn:
        (id_a, bin_a), (id_b, bin_b) = conn.execute(
            select(institutions.c.id, institutions.c.bin).order_by(institutions.c.id).limit(2)).all()
    app = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp), "UPLOAD_DIR": str(tmp / "up"),
                                  "CALLBACK_RATE_LIMIT": "10000 per minute"}))
    yield SimpleNamespace(engine=engine, app=app, id_a=id_a, bin_a=bin_a, bin_b=bin_b)
    engine.dispose()


def appeal(conn, institution_id: int, events: list[tuple[str, str, dt.datetime]], **values) -> int:
    """An appeal with its audit trail: (action, status it led to, when) per event."""
    created = events[0][2] if events else utcnow()
    appeal_id = insert_appeal(conn, dict(tracking_code=f"T{utcnow().timestamp():.6f}"[-20:] + str(len(events)),
                                         institution_id=institution_id, kind="question", body="Is the roof fixed?",
                                         author_name="Айгерим", author_contact="a@example.kz",
                                         created_at=created, due_at=created + dt.timedelta(days=21), **values))
    status = "new"
    for action, to_status, at in events:
        add_event(conn, appeal_id, at=at, actor_user_id=None, actor_role="moderator", action=action,
                  from_status=status, to_status=to_status)
        status = to_status
    return appeal_id


@pytest.mark.parametrize("ago, lang, text", [
    (dt.timedelta(minutes=5), "ru", "5 минут назад"),
    (dt.timedelta(minutes=5), "kk", "5 минут бұрын"),
    (dt.timedelta(minutes=1), "ru", "1 минуту назад"),
    (dt.timedelta(hours=3), "ru", "3 часа назад"),
    (dt.timedelta(hours=3), "kk", "3 сағат бұрын"),
    (dt.timedelta(days=2), "ru", "2 дня назад"),
    (dt.timedelta(days=2), "kk", "2 күн бұрын"),
    (dt.timedelta(minutes=5), "en", "5 minutes ago"),
    (dt.timedelta(seconds=20), "ru", "только что"),
    (dt.timedelta(seconds=20), "kk", "жаңа ғана"),
    (-dt.timedelta(minutes=3), "ru", "только что"),  # a clock running ahead is not "in 3 minutes"
])
def test_relative_time_in_the_page_language(ago, lang, text):
    assert view.relative_time(NOW - ago, lang, NOW) == text
    assert view.relative_time((NOW - ago).isoformat(), lang, NOW) == text  # as a dcc.Store holds it


def test_items_a_client_sends_back_are_checked():
    good = {"type": "answer", "at": NOW.isoformat(), "key": "answer-1", "bin": "1", "name_ru": "Школа"}
    junk = [None, 1, "x", {}, {**good, "type": "script"}, {**good, "at": "yesterday"}, {**good, "bin": None},
            {**good, "key": 5}]
    assert view.readable([*junk, good]) == [good]
    assert view.readable({"a": 1}) == []


def _texts(items, lang="ru"):
    return [view.item_text(item, lang) for item in items]


def test_whats_new_lists_public_answers_documents_and_budgets_newest_first(world):
    now = utcnow()
    at = [now - dt.timedelta(hours=h) for h in range(5, 0, -1)]  # oldest first
    answer = dict(status="answered", answer="Fixed in May.", answered_at=at[2])
    with world.engine.begin() as conn:
        # The demo was published seconds ago: SQLite's timestamps have whole seconds, so the
        # document below could tie with it; the demo is made older than everything here.
        conn.execute(update(publications).values(published_at=now - dt.timedelta(hours=6)))
        public = appeal(conn, world.id_a, [("created", "new", at[0]), ("approve", "in_review", at[1]),
                                           ("answer", "answered", at[2])], published=True, **answer)
        appeal(conn, world.id_a, [("answer", "answered", at[2])], published=True, hidden_reason="insults", **answer)
        early = appeal(conn, world.id_a, [("created", "new", at[0]), ("answer", "answered", at[2])],
                       published=False, **answer)  # answered before a moderator published it
        appeal(conn, world.id_a, [("reject", "rejected", at[3])], published=True, status="rejected",
               reject_reason="off topic")
        insert_document(conn, world.id_a, 2024, "Смета на 2024 год", "budget", "https://budget.gov.kz/a.pdf")
    with world.engine.connect() as conn:
        items = whats_new(conn, limit=20)
    assert [i["appeal_id"] for i in items if i["type"] == "answer"] == [public]
    assert [i["title"] for i in items if i["type"] == "document"] == ["Смета на 2024 год"]
    assert [i["source"] for i in items if i["type"] == "budget"] == ["demo"]
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    assert items[0]["type"] == "document"  # published just now
    for item in items:  # nothing private travels to the browser
        assert not {"author_name", "author_contact", "tracking_code", "published_by", "body", "answer"} & set(item)

    # The moderator publishes the early answer: it is news now, listed once, at the top.
    with world.engine.begin() as conn:
        conn.execute(update(appeals).where(appeals.c.id == early).values(published=True))
        add_event(conn, early, at=utcnow() + dt.timedelta(seconds=1), actor_user_id=None, actor_role="moderator",
                  action="approve", from_status="answered", to_status="answered")
    with world.engine.connect() as conn:
        items = whats_new(conn, limit=20)
    assert [i["appeal_id"] for i in items if i["type"] == "answer"] == [early, public]
    assert items[0]["type"] == "answer"

    rendered = view.panel(items, "ru", now + dt.timedelta(days=1))
    links = {li["props"]["data-type"]: li["props"]["children"][0] for li in rendered}
    assert links["answer"]["props"]["href"] == f"/institution/{world.bin_a}/appeals?lang=ru"
    assert links["document"]["props"]["href"] == f"/institution/{world.bin_a}?year=2024&lang=ru"
    assert links["budget"]["type"] == "Span"  # a publication of many institutions has no one page
    assert _texts(items, "kk")[0].startswith("Өтінішке жауап: ")
    assert _texts(items, "ru")[1].endswith("опубликован документ «Смета на 2024 год»")


def test_an_unchanged_version_costs_one_read_per_poll(world):
    """The browser's poll is GET /api/v1/version; the Dash callbacks it starts on a tick redraw
    relative times from the page's items without touching the database."""
    client = world.app.server.test_client()
    version = client.get("/api/v1/version").json["version"]
    with Statements(Engine) as seen:  # every engine of this process
        again = client.get("/api/v1/version")
    assert again.json["version"] == version
    assert len(seen.seen) == 1 and "publications" in seen.seen[0] and "appeal_events" in seen.seen[0]

    with world.engine.connect() as conn:
        items = view.storable(whats_new(conn))
    for name in ("show_whats_new", "show_ticker"):
        body = body_for(world.app, name, [items, 7], ["kk"])
        body["changedPropIds"] = ["live-timer.n_intervals"]
        with Statements(Engine) as seen:
            response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200 and seen.seen == [], name
        assert "бұрын" in response.get_data(as_text=True) or "жаңа ғана" in response.get_data(as_text=True)


def test_a_redraw_that_changes_nothing_leaves_the_institution_page_alone(world):
    """After a data change elsewhere the institution's year view is computed again, but when it
    equals what the page shows nothing is sent: the grid keeps its page, sort and filters."""
    client = world.app.server.test_client()
    store = {"bin": world.bin_b, "year": 2024, "flag": None, "line": None, "month": None}
    version = client.get("/api/v1/version").json["version"]
    first = client.post("/_dash-update-component", json=body_for(world.app, "show_year", [2024, version],
                                                                   [store, None, "ru"]))
    assert first.status_code == 200
    drawn = first.json["response"]["inst-drawn"]["data"]
    assert first.json["response"]["inst-lines-grid"]["rowData"]
    again = client.post("/_dash-update-component", json=body_for(world.app, "show_year", [2024, version + ".x"],
                                                                   [store, drawn, "ru"]))
    assert again.status_code == 200 and again.json["response"] == {}  # every output no_update
