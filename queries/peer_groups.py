"""Peer groups: each group's quantiles per specific and year (rollup_peer_groups), kept in step with
rollup_institution_specific_year, and the institution page's peer comparison read from them."""
from __future__ import annotations

import io
import logging
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, select, true

from dashboard.peers import GROUP_KEYS, group_rows, stats_from_groups
from dashboard.schema import institutions as inst, rollup_institution_specific_year as risy, rollup_peer_groups as rpg

log = logging.getLogger(__name__)


def refresh_peer_groups(conn: Connection, years: Iterable[int] | None = None, regions: Iterable[str] | None = None,
                        institution_ids: Iterable[int] | None = None) -> None:
    """Recompute the peer groups (every type) of these years in these regions and the regions these
    institutions are in now; None for both: every region; years None: every year. Call after the
    per-specific rollup changed, or an institution's type, region or capacity did (name its old
    region too)."""
    yrs = None if years is None else sorted(set(years))
    places = None
    if regions is not None or institution_ids is not None:
        places = set(regions or ())
        ids = sorted(set(institution_ids or ()))
        for start in range(0, len(ids), 5000):  # SQLite's bound on parameters
            places.update(conn.execute(select(inst.c.region_code).distinct()
                                       .where(inst.c.id.in_(ids[start:start + 5000]))).scalars())
        places = sorted(places)
    if (yrs is not None and not yrs) or (places is not None and not places):
        return
    scope = and_(true(), *([risy.c.year.in_(yrs)] if yrs is not None else []),
                 *([risy.c.region_code.in_(places)] if places is not None else []))
    members = (select(risy.c.year, risy.c.type_code, risy.c.region_code, risy.c.specific_code,
                      risy.c.plan_adjusted, inst.c.capacity)
               .select_from(risy.join(inst, inst.c.id == risy.c.institution_id)).where(scope))
    frame = _read(conn, members)
    stored = and_(true(), *([rpg.c.year.in_(yrs)] if yrs is not None else []),
                  *([rpg.c.region_code.in_(places)] if places is not None else []))
    conn.execute(delete(rpg).where(stored))
    _write(conn, group_rows(frame))


_NAMES = [*GROUP_KEYS, "plan_adjusted", "capacity"]


def _read(conn: Connection, members) -> pd.DataFrame:
    """The peers' rows as a frame. On PostgreSQL through COPY and pandas' C parser: a whole refresh
    reads 1.4 M rows at 17,000 institutions, 5 s as Python rows, under a second this way."""
    if conn.dialect.name == "postgresql":
        compiled = members.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        body = io.BytesIO()
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)", compiled.params) as copy:
                for block in copy:
                    body.write(block)
        body.seek(0)
        return pd.read_csv(body, names=_NAMES, header=None, keep_default_na=False, na_values=[""],
                           dtype={"type_code": "category", "region_code": "category", "capacity": "float64"})
    rows = conn.execute(members).all()
    # By columns: pandas probes every Row object for its fields.
    return pd.DataFrame(dict(zip(_NAMES, zip(*rows))) if rows else {n: [] for n in _NAMES}, columns=_NAMES)


def _write(conn: Connection, groups: pd.DataFrame) -> None:
    if groups.empty:
        return
    if conn.dialect.name == "postgresql":  # 17,000 groups: 1.5 s as parameter rows
        names = list(groups.columns)
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {rpg.name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(groups.to_csv(header=False, index=False, lineterminator="\n"))
        return
    records = groups.astype(object).where(groups.notna(), None).to_dict("records")
    conn.execute(insert(rpg), [{k: v if v is None or isinstance(v, str) else int(v) for k, v in r.items()}
                               for r in records])


def peer_comparison(conn: Connection, institution_id: int, year: int) -> list[dict] | None:
    """dashboard.peers.peer_stats of the institution now, from its peer groups: a few rows and one
    index count per specific, whatever the group's size. None if a group is missing."""
    peer = risy.alias("peer")
    below = (select(func.count()).select_from(peer)
             .where(peer.c.year == risy.c.year, peer.c.type_code == risy.c.type_code,
                    peer.c.region_code == risy.c.region_code, peer.c.specific_code == risy.c.specific_code,
                    peer.c.plan_adjusted < risy.c.plan_adjusted)
             .correlate(risy).scalar_subquery())
    group = and_(*[rpg.c[k] == risy.c[k] for k in GROUP_KEYS])
    # The capacity in the same statement: the groups were made with it (an import may change it
    # between two statements).
    q = (select(risy.c.specific_code, risy.c.plan_adjusted, inst.c.capacity, below.label("below"),
                *[c for c in rpg.c if c.name not in GROUP_KEYS])
         .select_from(risy.join(inst, inst.c.id == risy.c.institution_id).outerjoin(rpg, group))
         .where(risy.c.institution_id == institution_id, risy.c.year == year))
    own = [{k: (None if v is None else int(v)) for k, v in r.items()} for r in conn.execute(q).mappings()]
    if any(r["peers"] is None for r in own):
        log.error("rollup_peer_groups lacks a group of institution %s in %s", institution_id, year)
        return None
    return stats_from_groups(own, own[0]["capacity"] if own else None)
