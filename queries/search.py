"""Institution search: a folded text document per institution and a substring index over it.

Folding makes search tolerant to case and to Kazakh letters typed with Russian ones
("Көкшетау" = "кокшетау"): both the documents and the query go through `fold`.
SQLite matches with FTS5 (trigram tokenizer), PostgreSQL with LIKE on a pg_trgm GIN index.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import (
    Connection, Text, and_, bindparam, case, column, delete, func, literal, select, table, text, union,
)

from dashboard.schema import (
    districts, institution_search as search, institution_types, institutions as inst, regions,
)
from queries.bulk import insert_in_one_statement

# Kazakh letters and ё written the Russian way; Latin transliterations are left alone.
_KAZAKH = str.maketrans("әғқңөұүһіё", "агкноуухие")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
MAX_RESULTS = 50
MIN_TRIGRAM = 3  # FTS5 trigram and pg_trgm need at least three characters to use the index
CANDIDATES = 64  # per rank tier (PostgreSQL): the best MAX_RESULTS come from these
PREFIX_CHARS = 64  # the start of a document indexed by institution_fts_prefix (migration 0015)


def fold(value: str | None) -> str:
    """Lower-case, Kazakh letters mapped to Russian ones, punctuation to single spaces."""
    value = unicodedata.normalize("NFC", value or "").casefold().translate(_KAZAKH)
    return _NON_WORD.sub(" ", value.replace("_", " ")).strip()


_PLACE_COLUMNS = [f"{prefix}_{lang}" for prefix in ("type", "district", "region") for lang in ("kk", "ru", "en")]


def document(row) -> str:
    """The searchable text of an institution: names in every language, BIN, address, and the
    names of its type, district and region in every language (so 'мектеп' or 'hospital
    Pavlodar' finds it even where the official name inflects the word: 'мектебі')."""
    parts = (row["name_kk"], row["name_ru"], row["name_en"], row["bin"], row["address"],
             *(row.get(c) for c in _PLACE_COLUMNS))
    return f" {fold(' '.join(p for p in parts if p))} "


def refresh_search_index(conn: Connection, institution_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search documents of these institutions (None: all); returns the count.

    Call it in the same transaction after inserting or updating institutions (the demo
    loader and importers do); deleted institutions drop out by ON DELETE CASCADE.
    """
    ids = None if institution_ids is None else sorted(set(institution_ids))
    names = [table.c[f"name_{lang}"].label(f"{prefix}_{lang}") for prefix, table in
             (("type", institution_types), ("district", districts), ("region", regions)) for lang in ("kk", "ru", "en")]
    cols = (select(inst.c.id, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en, inst.c.address, *names)
            .join_from(inst, institution_types, institution_types.c.code == inst.c.type_code)
            .join(districts, districts.c.code == inst.c.district_code)
            .join(regions, regions.c.code == inst.c.region_code))
    if ids is None:
        conn.execute(delete(search))
        rows = conn.execute(cols).mappings().all()
    else:
        if not ids:
            return 0
        rows = []
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            conn.execute(delete(search).where(search.c.institution_id.in_(chunk)))
            rows += conn.execute(cols.where(inst.c.id.in_(chunk))).mappings().all()
    docs = [{"institution_id": r["id"], "document": document(r)} for r in rows]
    insert_in_one_statement(conn, search, docs)  # the vocabulary's trigger: once per statement
    return len(docs)


def _escape(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pattern(value: str):
    """A LIKE pattern rendered inline: a prepared (generic) plan on PostgreSQL cannot tell
    '%ab%' (trigram index useless) from '%abcdef%' and chose badly (5x slower)."""
    return bindparam(None, value, type_=Text, literal_execute=True)


def _document(conn: Connection):
    # Byte-wise comparison on PostgreSQL (the trigram index is built on this expression).
    return search.c.document.collate("C") if conn.dialect.name == "postgresql" else search.c.document


def _matching_ids(conn: Connection, tokens: list[str]):
    """A selectable of (institution_id, document) whose document contains every token."""
    doc = _document(conn)
    conditions = [doc.like(_pattern(f"%{_escape(t)}%"), escape="\\") for t in tokens]
    if conn.dialect.name == "sqlite":
        long = [t for t in tokens if len(t) >= MIN_TRIGRAM]
        if long:
            # Quoted FTS5 strings: the trigram index finds substrings; LIKE re-checks short tokens.
            match = " AND ".join('"' + t.replace('"', '""') + '"' for t in long)
            fts_table = table("institution_fts", column("rowid"))
            fts = (select(fts_table.c.rowid.label("id"))
                   .where(text("institution_fts MATCH :match").bindparams(match=match))).subquery()
            return (select(search.c.institution_id, search.c.document)
                    .join(fts, fts.c.id == search.c.institution_id).where(*conditions))
    return select(search.c.institution_id, search.c.document).where(*conditions)


def _candidates(conn: Connection, tokens: list[str], numbers: list[str]):
    """The matches worth ranking. PostgreSQL: per tier of the rank (any match, the first word
    whole, each number whole, the document starting with the first word) the CANDIDATES shortest
    documents, read in length order from institution_fts_length, so a common word ranks a bounded
    set, not a third of the country (issue 11); a rare one is found through the trigram index as
    before. SQLite (FTS5, small databases): every match."""
    matching = _matching_ids(conn, tokens)
    if conn.dialect.name != "postgresql":
        return matching
    doc = _document(conn)
    first = _escape(tokens[0])
    tiers = [None, doc.like(_pattern(f"% {first} %"), escape="\\"),
             *(doc.like(_pattern(f"% {number} %"), escape="\\") for number in numbers)]
    if len(tokens[0]) < PREFIX_CHARS:  # " word" fits the indexed start of the documents
        # The document starts with the first word: a range of institution_fts_prefix (the
        # trigram index would recheck every document holding the word).
        start = func.left(search.c.document, PREFIX_CHARS).collate("C")
        tiers.append(start.like(_pattern(f" {first}%"), escape="\\"))
    shortest = (func.octet_length(search.c.document), search.c.institution_id)  # the index's order
    return union(*[(matching if tier is None else matching.where(tier)).order_by(*shortest).limit(CANDIDATES)
                   for tier in tiers])


def _in_names(document, word: str, postgres: bool):
    """Whether `word` stands alone in the names part of a document: the names come first and end
    where the institution's BIN starts (no name holds a 12-digit number), so a house number or
    the digits of a BIN do not count."""
    position = func.strpos if postgres else func.instr
    at = position(document, _pattern(f" {word} "))
    return and_(at > 0, at < position(document, literal(" ") + inst.c.bin + literal(" ")))


def search_institutions(conn: Connection, query: str, limit: int = 10) -> list[dict]:
    """Institutions whose name (any language), BIN or address contains every word of `query`.

    Best first: names holding every number of the query as a whole number ("школа 5" puts
    № 5 before № 15, № 25 and the schools whose BIN or address has a 5), then the BIN equal to
    the query, names starting with the first word, then the shortest documents (the most
    specific matches).
    """
    tokens = fold(query).split()
    if not tokens:
        return []
    limit = max(1, min(int(limit), MAX_RESULTS))
    numbers = list(dict.fromkeys(t for t in tokens if t.isdigit()))
    found = _candidates(conn, tokens, numbers).subquery()
    postgres = conn.dialect.name == "postgresql"
    size = func.octet_length if postgres else func.length
    doc = found.c.document.collate("C") if postgres else found.c.document
    first = _escape(tokens[0])
    rank = (size(found.c.document)
            - case((doc.like(_pattern(f" {first}%"), escape="\\"), 1000), else_=0)
            - case((doc.like(_pattern(f"% {first} %"), escape="\\"), 100000), else_=0)
            - sum(case((_in_names(found.c.document, number, postgres), 1_000_000), else_=0)
                  for number in numbers)
            ).label("rank")
    # The institution (its BIN) is joined only when a number is ranked: without the join the
    # LIMIT sits right on the sort, which then keeps `limit` rows (top-N), not every match.
    ranked = found.join(inst, inst.c.id == found.c.institution_id) if numbers else found
    best = (select(found.c.institution_id, rank).select_from(ranked)
            .order_by(rank, found.c.institution_id).limit(limit)).subquery()
    q = (select(inst.c.id, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en,
                inst.c.type_code, inst.c.sector_code, inst.c.region_code, inst.c.district_code,
                institution_types.c.name_kk.label("type_name_kk"),
                institution_types.c.name_ru.label("type_name_ru"),
                institution_types.c.name_en.label("type_name_en"),
                regions.c.name_kk.label("region_name_kk"), regions.c.name_ru.label("region_name_ru"),
                regions.c.name_en.label("region_name_en"),
                districts.c.name_kk.label("district_name_kk"), districts.c.name_ru.label("district_name_ru"),
                districts.c.name_en.label("district_name_en"))
         .select_from(best.join(inst, inst.c.id == best.c.institution_id)
                      .join(institution_types, institution_types.c.code == inst.c.type_code)
                      .join(regions, regions.c.code == inst.c.region_code)
                      .join(districts, districts.c.code == inst.c.district_code))
         .order_by(best.c.rank, inst.c.id))
    return [dict(r) for r in conn.execute(q).mappings()]


# Every word of the documents and how many documents hold it (PostgreSQL, migration 0023; kept
# by triggers on institution_search).
_words = table("institution_fts_words", column("word", Text), column("documents"))


def matching_count(conn: Connection, query: str) -> int:
    """How many institutions match `query` (every word; the total of a text-only listing), exact.

    PostgreSQL, one query word of MIN_TRIGRAM characters or more: a word without spaces is in a
    document exactly when one of the document's words contains it, so if a single word of the
    vocabulary contains it the count is that word's, and 0 if none does (one lookup, however
    many institutions match: «школа» is a third of the country). Otherwise the matching documents
    are counted."""
    tokens = fold(query).split()
    if not tokens:
        return 0
    if conn.dialect.name == "postgresql" and len(tokens) == 1 and len(tokens[0]) >= MIN_TRIGRAM:
        # No LIMIT 2: with it the planner expects to stop early and scans the whole vocabulary.
        words, documents = conn.execute(select(func.count(), func.max(_words.c.documents)).where(
            _words.c.word.like(_pattern(f"%{_escape(tokens[0])}%"), escape="\\"))).one()
        if words < 2:
            return documents or 0
    return conn.execute(select(func.count()).select_from(_matching_ids(conn, tokens).subquery())).scalar_one()


def matching_ids_query(conn: Connection, query: str):
    """Ids matching `query` as a selectable (for filtering other listings), or None if empty."""
    tokens = fold(query).split()
    return _matching_ids(conn, tokens).with_only_columns(search.c.institution_id) if tokens else None
