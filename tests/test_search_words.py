"""The count of a text search (the open-data listing's `total`) against a count made here, and the
search vocabulary (PostgreSQL, migration 0023) against the documents, through every way they change."""
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import delete, select, text, update

from dashboard.db import make_engine
from dashboard.demo.load import load_demo
from dashboard.schema import institution_search, institutions
from queries.bulk import clear_budget_data
from queries.imports import upsert_institutions
from queries.search import fold, matching_count, refresh_search_index
from tests.conftest import template_copy


def _documents(conn) -> list[str]:
    return conn.execute(select(institution_search.c.document)).scalars().all()


def _queries(documents: list[str]) -> list[str]:
    """Words that stand alone, parts of words (one word holds them, or several), several words,
    short ones and none at all."""
    words = Counter(w for d in documents for w in set(d.split()))
    common = [w for w, _ in words.most_common(12) if len(w) >= 4]
    rare = [w for w, n in words.items() if n == 1][:4]
    return [*common, *(w[1:-1] for w in common), *(w[:3] for w in common), *rare, "обл", "школа",
            "Мектебі", "ШКОЛА №", "zzzqqq", "ов", "5", f"{common[0]} {rare[0]}", f"{common[0]} {common[1]}"]


def test_count_equals_the_documents_that_hold_every_word(demo_engine):
    with demo_engine.connect() as conn:
        documents = _documents(conn)
        for query in _queries(documents):
            tokens = fold(query).split()
            expected = sum(all(t in d for t in tokens) for d in documents) if tokens else 0
            assert matching_count(conn, query) == expected, query


def _vocabulary(conn) -> Counter:
    return Counter(dict(conn.execute(text("SELECT word, documents FROM institution_fts_words")).all()))


def _words_of(conn) -> Counter:
    return Counter(w for d in _documents(conn) for w in set(d.split()))


@pytest.fixture
def pg_demo(request, tmp_path_factory):
    """A small demo on PostgreSQL (the vocabulary is PostgreSQL's; SQLite counts through FTS5)."""
    engine = make_engine(template_copy("postgresql", request, tmp_path_factory))
    load_demo(engine, institutions=40, years=[2024], seed=3, progress=False)
    yield engine
    engine.dispose()


def test_vocabulary_follows_every_change_of_the_documents(pg_demo):
    with pg_demo.begin() as conn:
        assert _vocabulary(conn) == _words_of(conn) and len(_vocabulary(conn)) > 100
        first, second = conn.execute(select(institutions.c.id).order_by(institutions.c.id).limit(2)).scalars()
        # An importer renames an institution and rebuilds its document (delete + insert).
        conn.execute(update(institutions).where(institutions.c.id == first).values(name_ru="Совсем новое имя"))
        refresh_search_index(conn, [first])
        assert _vocabulary(conn)["совсем"] == 1 and _vocabulary(conn) == _words_of(conn)
        conn.execute(update(institution_search).where(institution_search.c.institution_id == second)
                     .values(document=" другой текст текст "))
        assert _vocabulary(conn) == _words_of(conn) and _vocabulary(conn)["текст"] == 1
        # A deleted document (as by the cascade from a deleted institution) takes its words' counts.
        conn.execute(delete(institution_search).where(institution_search.c.institution_id == first))
        assert "совсем" not in _vocabulary(conn) and _vocabulary(conn) == _words_of(conn)
        refresh_search_index(conn)
        assert _vocabulary(conn) == _words_of(conn)
        # A new institution (an import), then deleted: its document goes by the cascade.
        row = dict(conn.execute(select(institutions).where(institutions.c.id == second)).mappings().one())
        new = {**{k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")},
               "bin": "999999999990", "name_ru": "Уникальнейшее учреждение"}
        upsert_institutions(conn, pd.DataFrame([new]))
        new_id = conn.execute(select(institutions.c.id).where(institutions.c.bin == new["bin"])).scalar_one()
        refresh_search_index(conn, [new_id])
        assert _vocabulary(conn)["уникальнейшее"] == 1 and _vocabulary(conn) == _words_of(conn)
        conn.execute(delete(institutions).where(institutions.c.id == new_id))
        assert "уникальнейшее" not in _vocabulary(conn) and _vocabulary(conn) == _words_of(conn)
    with pg_demo.begin() as conn:  # the demo's replace empties the documents with TRUNCATE
        clear_budget_data(conn)
        assert _vocabulary(conn) == Counter() == _words_of(conn)


def test_vocabulary_is_rolled_back_with_the_documents(pg_demo):
    with pg_demo.connect() as conn:
        before = _vocabulary(conn)
        conn.rollback()
        transaction = conn.begin()
        refresh_search_index(conn)
        conn.execute(delete(institution_search))
        assert _vocabulary(conn) == Counter()
        transaction.rollback()
        assert _vocabulary(conn) == before == _words_of(conn)
