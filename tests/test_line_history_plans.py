"""The lines' history triggers stay linear in the rows a statement changes, whatever that session
ran before (PostgreSQL).

A statement without parameters in a PL/pgSQL function is planned once per session and the plan
kept; the history's UPDATE trigger joins the statement's old and new rows, and a plan made when an
UPDATE changed nothing (an unchanged re-import runs such UPDATEs) joined them in a nested loop:
2,000 changed lines a chunk then cost 0.6 s, 200,000 would cost hours. The trigger plans its join
on every call (migration 0020).
"""
import pytest
from sqlalchemy import text

from dashboard.demo.load import load_demo


def test_a_large_update_after_an_empty_one_stays_linear(migrated_engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("PL/pgSQL plan caching: PostgreSQL only (SQLite's history triggers are per row)")
    load_demo(migrated_engine, institutions=60, years=[2023, 2024], seed=5, progress=False)
    with migrated_engine.connect() as conn:
        lines = conn.execute(text("SELECT count(*) FROM budget_lines")).scalar_one()
        assert lines >= 15_000, lines
        # One session (this connection), one transaction, rolled back at the end.
        conn.execute(text("UPDATE budget_lines SET paid = paid WHERE false"))  # the trigger runs on no rows
        conn.execute(text("UPDATE budget_lines SET paid = paid WHERE institution_id < 0"))
        # Quadratic, this join is ~2 × 10^8 comparisons (tens of seconds); linear, well under a second.
        conn.execute(text("SET LOCAL statement_timeout = '5s'"))
        conn.execute(text("UPDATE budget_lines SET paid = paid + 1"))
        changed = conn.execute(text("SELECT count(*) FROM budget_line_versions WHERE new_paid = paid + 1")).scalar_one()
        assert changed == lines
        conn.rollback()
