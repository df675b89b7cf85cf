"""institution_fts_words: every word of the search documents and how many documents hold it (PostgreSQL)

The open-data listing `/api/v1/institutions?q=…` reports an exact `total`. Counting it read every
matching document through the trigram index and re-checked each one: «школа» matches a third of
the country, 6,209 documents at 17,000 institutions and 18,277 at 50,000, so the count grew with
them (issue 11: the endpoint 1.77× from 17k to 50k, target ≤ 1.5×). A query word has no spaces and
the documents are folded words between single spaces, so a document contains the word exactly when
one of its words does: when a single word of this vocabulary contains the query word, the total
is that word's document count, one index lookup; when none does, it is 0. Kept by statement
triggers on institution_search in the same transaction as the documents (inserts, deletes
including the cascade from a deleted institution, updates, TRUNCATE), so it is never stale. Write
documents in one statement (queries.bulk.insert_in_one_statement): a word's row updated once
per statement, not once per document; thousands of updates of one row in one transaction each
walk the row's earlier versions (the 17k demo's search index took 426 s written row by row).

Named institution_fts_* like the other dialect-specific search objects (schema comparisons skip
them: dashboard.schema.SEARCH_INDEX_PREFIX). SQLite counts through its FTS5 index and needs nothing.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# The change a statement made to the vocabulary: each document's words once, +1 for the rows it
# wrote, -1 for those it removed, netted per word (an update that keeps a word changes nothing).
# Sorted, so two transactions touching the same words lock their rows in the same order.
def _delta(*parts: tuple[str, int]) -> str:
    words = " UNION ALL ".join(
        f"SELECT w AS word, {sign} AS n FROM (SELECT DISTINCT d.institution_id, w FROM {rows} AS d, "
        f"unnest(string_to_array(btrim(d.document), ' ')) AS w WHERE w <> '') AS x" for rows, sign in parts)
    return f"SELECT word, sum(n)::integer AS documents FROM ({words}) AS y GROUP BY word HAVING sum(n) <> 0 ORDER BY word"


def _apply(delta: str) -> str:
    return (f"WITH applied AS (INSERT INTO institution_fts_words (word, documents) {delta} "
            "ON CONFLICT (word) DO UPDATE SET documents = institution_fts_words.documents + excluded.documents "
            "RETURNING word, documents) SELECT array_agg(word) INTO gone FROM applied WHERE documents <= 0;")


_FUNCTION = f"""
CREATE FUNCTION institution_fts_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone text[] COLLATE "C";  -- the words' collation, so the primary key finds them
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE institution_fts_words;
    ELSIF TG_OP = 'INSERT' THEN
        {_apply(_delta(("new_documents", 1)))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_delta(("old_documents", -1)))}
    ELSE
        {_apply(_delta(("new_documents", 1), ("old_documents", -1)))}
    END IF;
    DELETE FROM institution_fts_words WHERE word = ANY(gone);
    RETURN NULL;
END $$
"""

_UP = [
    'CREATE TABLE institution_fts_words (word text COLLATE "C" PRIMARY KEY, documents integer NOT NULL)',
    # Without the pending list of fast updates: a lookup read it whole until the next vacuum.
    "CREATE INDEX institution_fts_words_trgm ON institution_fts_words USING gin (word gin_trgm_ops) "
    "WITH (fastupdate = off)",
    _FUNCTION,
    "CREATE TRIGGER institution_fts_words_ai AFTER INSERT ON institution_search "
    "REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION institution_fts_words_keep()",
    "CREATE TRIGGER institution_fts_words_ad AFTER DELETE ON institution_search "
    "REFERENCING OLD TABLE AS old_documents FOR EACH STATEMENT EXECUTE FUNCTION institution_fts_words_keep()",
    "CREATE TRIGGER institution_fts_words_au AFTER UPDATE ON institution_search "
    "REFERENCING OLD TABLE AS old_documents NEW TABLE AS new_documents "
    "FOR EACH STATEMENT EXECUTE FUNCTION institution_fts_words_keep()",
    "CREATE TRIGGER institution_fts_words_at AFTER TRUNCATE ON institution_search "
    "FOR EACH STATEMENT EXECUTE FUNCTION institution_fts_words_keep()",
    f"INSERT INTO institution_fts_words (word, documents) {_delta(('institution_search', 1))}",
    # Unanalysed, the planner prices the trigram index near a scan of the whole vocabulary.
    "ANALYZE institution_fts_words",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("ai", "ad", "au", "at"):
            op.execute(f"DROP TRIGGER IF EXISTS institution_fts_words_{trigger} ON institution_search")
        op.execute("DROP FUNCTION IF EXISTS institution_fts_words_keep()")
        op.execute("DROP TABLE IF EXISTS institution_fts_words")
