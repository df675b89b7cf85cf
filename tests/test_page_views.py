"""A page view counts at most once per viewer, institution and half hour: replaying the
institution page's callback (or opening it again at once) does not inflate the counter, also
when the replays race each other in several workers."""
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from dashboard.schema import institutions
from queries.views import VIEW_WINDOW, record_view, view_counts
from tests.appeals_support import world  # noqa: F401

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.timezone.utc)


def _two_institutions(engine):
    from dashboard.demo.load import load_demo

    load_demo(engine, institutions=3, years=[2024], seed=1, progress=False)
    with engine.connect() as conn:
        return conn.execute(select(institutions.c.id).order_by(institutions.c.id).limit(2)).scalars().all()


def test_a_viewer_counts_once_per_institution_and_window(migrated_engine):
    a, b = _two_institutions(migrated_engine)
    with migrated_engine.begin() as conn:
        assert record_view(conn, a, T0, viewer="v1")
        assert not record_view(conn, a, T0 + dt.timedelta(minutes=1), viewer="v1")
        assert not record_view(conn, a, T0 + VIEW_WINDOW - dt.timedelta(seconds=1), viewer="v1")
        assert record_view(conn, a, T0, viewer="v2")  # another viewer
        assert record_view(conn, b, T0, viewer="v1")  # another institution
        assert record_view(conn, a, T0 + VIEW_WINDOW + dt.timedelta(minutes=1), viewer="v1")  # window over
        assert view_counts(conn, a) == {2026: 3} and view_counts(conn, b) == {2026: 1}


def test_racing_replays_count_once(migrated_engine):
    a, _ = _two_institutions(migrated_engine)

    def view(_):
        with migrated_engine.begin() as conn:
            return record_view(conn, a, T0, viewer="racer")

    with ThreadPoolExecutor(4) as pool:
        counted = list(pool.map(view, range(12)))
    assert counted.count(True) == 1
    with migrated_engine.connect() as conn:
        assert view_counts(conn, a) == {2026: 1}


def open_page(client, bin_: str, address: str):
    outputs = [("inst-title", "children"), ("inst-header", "children"), ("inst-map", "children"),
               ("inst-views", "children"), ("inst-year", "options"), ("inst-year", "value"), ("inst-body", "style")]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "inst-bin", "property": "data", "value": {"bin": bin_}}],
            "state": [{"id": "page-lang", "property": "data", "value": "en"}], "changedPropIds": ["inst-bin.data"]}
    response = client.post("/_dash-update-component", json=body, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200, response.data
    return response


def test_replayed_callback_does_not_count_twice(world):
    client = world.client("anonymous")

    def total():
        with world.engine.connect() as conn:
            return sum(view_counts(conn, world.id_b).values())

    before = total()
    open_page(client, world.bin_b, "203.0.113.7")
    assert total() == before + 1
    for _ in range(3):
        open_page(client, world.bin_b, "203.0.113.7")
    assert total() == before + 1
    open_page(client, world.bin_b, "198.51.100.20")  # someone else
    assert total() == before + 2
