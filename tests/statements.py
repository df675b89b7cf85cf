"""Counting what a request really costs: the SQL statements an engine runs inside a block."""
from __future__ import annotations

from sqlalchemy import event

WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY")


class Statements:
    """SQL statements run on an engine while inside the block."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def writes(self) -> list[str]:
        """The statements that change something."""
        return [s for s in self.seen if s.lstrip().split(None, 1)[0].upper() in WRITES]
