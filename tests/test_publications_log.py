"""The publications log: its newest entry and the version every map layer and API validator keys on."""
from queries.version import latest_publications, published_version


def test_demo_load_is_the_newest_publication(demo_engine):
    with demo_engine.connect() as conn:
        newest = latest_publications(conn)
        assert published_version(conn) == newest[0]["id"] == 1
        assert newest[0]["source"] == "demo" and len(newest) == 1
