"""Peer groups: each group's quantiles per specific and year (rollup_peer_groups), kept in step with
rollup_institution_specific_year, and the institution page's peer comparison read from them."""
from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from sqlalchemy import Connection, and_, bindparam, delete, func, select, true

from dashboard.peers import GROUP_KEYS, group_rows, stats_from_groups
from dashboard.schema import institutions as inst, rollup_institution_specific_year as risy, rollup_peer_groups as rpg
from queries.bulk import read_frame, write_frame

log = logging.getLogger(__name__)


def refresh_peer_groups(conn: Connection, years: Iterable[int] | None = None, regions: Iterable[str] | None = None,
                        institution_ids: Iterable[int] | None = None) -> None:
    """Recompute the peer groups (every type) of these years in these regions and the regions these
    institutions are in now; None for both: every region; years None: every year. Call after the
    per-specific rollup changed, or an institution's type, region or capacity did (name its old
    region too)."""
    yrs = None if years is None else sorted(set(years))
    places = regions_in_scope(conn, regions, institution_ids)
    if (yrs is not None and not yrs) or (places is not None and not places):
        return
    scope = and_(true(), *([risy.c.year.in_(yrs)] if yrs is not None else []),
                 *([risy.c.region_code.in_(places)] if places is not None else []))
    members = (select(risy.c.year, risy.c.type_code, risy.c.region_code, risy.c.specific_code,
                      risy.c.plan_adjusted, inst.c.capacity)
               .select_from(risy.join(inst, inst.c.id == risy.c.institution_id)).where(scope))
    frame = read_frame(conn, members, _NAMES, {"type_code": "category", "region_code": "category",
                                                "capacity": "float64"})
    stored = and_(true(), *([rpg.c.year.in_(yrs)] if yrs is not None else []),
                  *([rpg.c.region_code.in_(places)] if places is not None else []))
    conn.execute(delete(rpg).where(stored))
    write_frame(conn, rpg, group_rows(frame))


_NAMES = [*GROUP_KEYS, "plan_adjusted", "capacity"]


def regions_in_scope(conn: Connection, regions: Iterable[str] | None,
                     institution_ids: Iterable[int] | None) -> list[str] | None:
    """These regions and the regions these institutions are in now, sorted; None if both are None
    (every region)."""
    if regions is None and institution_ids is None:
        return None
    places = set(regions or ())
    ids = sorted(set(institution_ids or ()))
    for start in range(0, len(ids), 5000):  # SQLite's bound on parameters
        places.update(conn.execute(select(inst.c.region_code).distinct()
                                   .where(inst.c.id.in_(ids[start:start + 5000]))).scalars())
    return sorted(places)


def peer_comparison(conn: Connection, institution_id: int, year: int) -> list[dict] | None:
    """dashboard.peers.peer_stats of the institution now, from its peer groups: a few rows and one
    index count per specific, whatever the group's size. None if a group is missing."""
    own = [{k: (None if v is None else int(v)) for k, v in r.items()}
           for r in conn.execute(_comparison(), {"institution_id": institution_id, "year": year}).mappings()]
    if any(r["peers"] is None for r in own):
        log.error("rollup_peer_groups lacks a group of institution %s in %s", institution_id, year)
        return None
    return stats_from_groups(own, own[0]["capacity"] if own else None)


@functools.cache
def _comparison():
    """peer_comparison's statement, built once (bound parameters institution_id and year)."""
    peer = risy.alias("peer")
    below = (select(func.count()).select_from(peer)
             .where(peer.c.year == risy.c.year, peer.c.type_code == risy.c.type_code,
                    peer.c.region_code == risy.c.region_code, peer.c.specific_code == risy.c.specific_code,
                    peer.c.plan_adjusted < risy.c.plan_adjusted)
             .correlate(risy).scalar_subquery())
    group = and_(*[rpg.c[k] == risy.c[k] for k in GROUP_KEYS])
    # The capacity in the same statement: the groups were made with it (an import may change it
    # between two statements).
    return (select(risy.c.specific_code, risy.c.plan_adjusted, inst.c.capacity, below.label("below"),
                   *[c for c in rpg.c if c.name not in GROUP_KEYS])
            .select_from(risy.join(inst, inst.c.id == risy.c.institution_id).outerjoin(rpg, group))
            .where(risy.c.institution_id == bindparam("institution_id"), risy.c.year == bindparam("year")))
