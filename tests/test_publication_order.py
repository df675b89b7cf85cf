"""Publication ids are data versions: an import reserves its id when it starts writing (so the
lines' history is stamped as it is written), and no other publication may take a later id and
commit before it. Both databases; the lock itself on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from dashboard.db import make_engine, upgrade
from dashboard.importer.run import import_lines
from dashboard.schema import budget_line_versions, line_history_publication, publications
from queries.bulk import log_publication, release_publication, reserve_publication
from queries.reference import seed_reference
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv


def _engine(request, tmp_path, backend: str):
    url = (f"sqlite:///{tmp_path / 'order.sqlite3'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_server").create())
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    engine = _engine(request, tmp_path, request.param)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(request, tmp_path):
    """SQLite has one writer at a time (the reservation holds its write lock): the lock between
    publications is PostgreSQL's."""
    engine = _engine(request, tmp_path, "postgresql")
    yield engine
    engine.dispose()


def _import(engine, tmp_path, name: str, schools, **kw):
    return import_lines(engine, write_csv(tmp_path / f"{name}.csv", LINE_HEADER,
                                          line_rows([r[0] for r in schools], years=(2024,), **kw)),
                        institutions_path=write_csv(tmp_path / f"{name}_inst.csv", INSTITUTION_HEADER, schools))


def test_an_import_stamps_its_history_with_its_own_publication_and_leaves_no_reservation(engine, tmp_path):
    schools = institution_rows(2)
    first = _import(engine, tmp_path, "first", schools)
    again = _import(engine, tmp_path, "again", schools)  # unchanged: no publication, no history
    changed = line_rows([schools[0][0]], years=(2024,), months=(3,), specifics=(111,))
    changed[0][10] = "1.00"  # paid
    third = import_lines(engine, write_csv(tmp_path / "third.csv", LINE_HEADER, changed))
    assert (first.status, again.status, third.status) == ("loaded", "loaded", "loaded")
    assert again.publication_id is None and third.updated == 1
    with engine.connect() as conn:
        stamps = dict(conn.execute(select(budget_line_versions.c.valid_until, func.count())
                                   .group_by(budget_line_versions.c.valid_until)).all())
        assert stamps == {first.publication_id: first.inserted, third.publication_id: 1}
        assert conn.execute(select(func.count()).select_from(line_history_publication)).scalar_one() == 0
        newest = conn.execute(select(func.max(publications.c.id))).scalar_one()
    # The unchanged import's reserved id is a gap at most; the later publication has the larger id.
    assert newest == third.publication_id > first.publication_id


def test_a_reserved_id_is_the_publication_logged_and_unstamped_writers_still_get_stamped(engine):
    with engine.begin() as conn:
        reserved = reserve_publication(conn)
        logged = log_publication(conn, "import", "lines", "reserved", 0, 0, publication_id=reserved)
        release_publication(conn)
    with engine.begin() as conn:
        later = log_publication(conn, "import", "lines", "plain", 0, 0)
        assert conn.execute(select(func.count()).select_from(line_history_publication)).scalar_one() == 0
    assert logged == reserved and later > reserved


def test_no_publication_commits_between_a_reservation_and_its_commit(pg_engine):
    with pg_engine.connect() as importer, pg_engine.connect() as other:
        importing = importer.begin()
        reserved = reserve_publication(importer)
        waiting = other.begin()
        other.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            log_publication(other, "documents", "document", "a document during an import", 1, 0)
        waiting.rollback()
        log_publication(importer, "import", "lines", "the import", 1, 1, publication_id=reserved)
        release_publication(importer)
        importing.commit()
        with other.begin():
            after = log_publication(other, "documents", "document", "a document after it", 1, 0)
    assert after > reserved
