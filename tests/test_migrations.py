"""Alembic builds exactly the schema in dashboard/schema.py, from empty, on both databases."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from dashboard.db import head_revision, make_engine, upgrade
from dashboard.schema import include_object, is_managed, metadata
from queries.health import schema_revision


def _opts(conn) -> dict:
    return {"include_name": is_managed, "include_object": include_object(conn.dialect.name)}


def test_upgrade_from_empty_matches_the_schema(empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=_opts(conn)), metadata)
        assert diff == []
        assert schema_revision(conn) == head_revision()
        assert set(metadata.tables) <= set(inspect(conn).get_table_names())
    engine.dispose()


def test_upgrade_twice_is_harmless(empty_url):
    upgrade(empty_url)
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        assert schema_revision(conn) == head_revision()
    engine.dispose()


def test_downgrade_to_base_and_back(empty_url):
    from alembic import command

    from dashboard.db import alembic_config

    upgrade(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        assert "budget_lines" not in inspect(conn).get_table_names()
    upgrade(empty_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts=_opts(conn)), metadata) == []
    engine.dispose()
