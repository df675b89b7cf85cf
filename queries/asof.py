"""Views as of a publication: the numbers as they were right after publication `asof` committed.

The lines' history (budget_line_versions, migration 0019) keeps, for every change of a line, its
amounts before and after it and the publication that made it. One line's changes chain (each
one's after is the next one's before), so over the changes after publication P, Σ(before − after)
is the line's value at P minus its value now. A view as of P is the current view (the rollups)
plus that sum over the view's area. The publications row's trigger keeps those sums per
publication, institution, year and month (line_history_sums, with the institution's place) and
per publication, area and month (line_history_area), so an area's view reads a few rows per area
and month changed since P (an index range on year and publication), never a pass over
budget_lines or over every changed line; one institution's page reads its own history rows.

Institutions are placed where they are now (region, district, sector, type, capacity, names): the
history is of the lines, not of the institutions' records. Whether an institution was there at P
is told by its lines: institutions carry no publication of their own (only a created_at time), so
one is "present then" in a year iff it had a line of that year right after P. An institution a
later import created (with its lines) is then absent from an asof view's counts, top-5, map
points and popups; one whose lines were all deleted since is present. Documents carry their
upload time, and each upload writes a "documents" publication in the same transaction (same
time, description "year · title"): a document is shown as of P iff that publication is P or older.
"""
from __future__ import annotations

from operator import itemgetter

from sqlalchemy import BigInteger, Connection, and_, case, func, literal_column, select, union_all

from dashboard.peers import peer_stats
from dashboard.schema import (
    MONEY_COLUMNS, budget_line_versions as blv, budget_lines as bl, institutions as inst, line_history_area as area,
    line_history_sums as lhs, programs, publications, rollup_institution_month as rim, rollup_institution_year as riy,
    sectors, specifics, subprograms,
)
from queries import explorer, institution as inst_q
from queries.documents import DOCUMENT_SOURCE, document_description
from queries.explorer import NAME_COLUMNS, Selection
from queries.peer_groups import peer_comparison

_DELTAS = tuple(f"delta_{c}" for c in MONEY_COLUMNS)
_PLACE = ("region_code", "district_code", "sector_code")
# The sums that moved a number of lines, as their partial index says it (a constant, not a bound
# parameter, so both databases' planners match it to the index).
_MOVED = lhs.c.delta_lines != literal_column("0")



# --- Publications ------------------------------------------------------------------------------
def publication(conn: Connection, publication_id: int) -> dict | None:
    """One entry of the publications log (None when there is no such publication)."""
    row = conn.execute(select(publications).where(publications.c.id == publication_id)).mappings().first()
    return dict(row) if row else None


def latest_publication_id(conn: Connection) -> int:
    """The newest publication's id (0 when none): what a permalink to the current view pins."""
    return conn.execute(select(func.coalesce(func.max(publications.c.id), 0))).scalar_one()


def publications_since(conn: Connection, asof: int, limit: int = 50) -> list[dict]:
    """The publications after `asof`, newest first: what changed since an asof view."""
    q = select(publications).where(publications.c.id > asof).order_by(publications.c.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def pinned_view(conn: Connection, asof: int | None) -> tuple[int, dict | None, list[dict]]:
    """(the publication a permalink to this view pins now, the publication its numbers are as of
    or None, the publications since it): what a banner says about a view pinned to `asof` (None:
    current). An id that is a gap in the log (PostgreSQL: a dry run, or an import that changed
    nothing, reserved it) gives the numbers right after the publication before it, so that one is
    returned (and pinned); an id past the newest, or with none before it, gives None."""
    latest = latest_publication_id(conn)
    if asof is None:
        return latest, None, []
    found = publication(conn, asof)
    if found is None and asof < latest:
        before = conn.execute(select(publications).where(publications.c.id < asof)
                              .order_by(publications.c.id.desc()).limit(1)).mappings().first()
        found = dict(before) if before else None
    return (found["id"] if found else asof), found, publications_since(conn, asof)


# --- What changed since ----------------------------------------------------------------------
def _lines_delta():
    """Σ over history rows of (the line existed before − exists after): lines then − now."""
    return func.sum(case((blv.c.plan.is_not(None), 1), else_=0) - case((blv.c.new_plan.is_not(None), 1), else_=0))


def _summed(*group):
    """The per-publication sums (line_history_sums) added up by `group`: delta_* and delta_lines
    (as integers on both databases: PostgreSQL's SUM of BIGINT is NUMERIC)."""
    return [*group, *[func.sum(lhs.c[d]).cast(BigInteger).label(d) for d in (*_DELTAS, "delta_lines")]]


EVERY_DISTRICT = "*"  # _area_rows' `region` for district rows everywhere


def area_money(conn: Connection, asof: int, sel: Selection, by: str | None = None, *,
               place: bool = True) -> dict:
    """What changed in the selection after publication `asof`, from the per-publication sums by
    area (line_history_area): {value of `by` (region_code, district_code or sector_code; None: one
    key None): {"rows": n, delta_*: the amounts then minus now}}, empty when nothing changed there.
    Without `place`, the selection's region and district are ignored (the country's regions)."""
    return _Area(asof, sel.year).money(conn, sel, by, place=place)


def _area_rows(conn: Connection, asof: int, year: int, months, sectors, region: str | None) -> list[dict]:
    """line_history_area after `asof` summed in the database per region and sector (and district,
    inside `region`, or everywhere when `region` is EVERY_DISTRICT): a few hundred rows at most,
    which every panel of a view groups its own way."""
    where = [area.c.year == year, area.c.valid_until > asof]
    if tuple(months) != (1, 12):
        where.append(area.c.month.between(*months))
    if sectors:
        where.append(area.c.sector_code.in_(sorted(sectors)))
    if region and region != EVERY_DISTRICT:
        where.append(area.c.region_code == region)
    keys = [area.c.region_code, area.c.sector_code, *([area.c.district_code] if region else [])]
    q = (select(*keys, func.count(), *[func.sum(area.c[d]).cast(BigInteger) for d in _DELTAS])
         .where(*where).group_by(*keys))
    names = ("region_code", "sector_code", *(("district_code",) if region else ()), "rows", *_DELTAS)
    return [dict(zip(names, r)) for r in conn.execute(q).all()]


def _area_sums(rows: list[dict], district: str | None, by: str | None) -> dict:
    if district:
        rows = [r for r in rows if r["district_code"] == district]
    out: dict = {}
    for r in rows:
        key = None if by is None else r[by]
        acc = out.get(key)
        if acc is None:
            acc = out[key] = dict.fromkeys(("rows", *_DELTAS), 0)
        for column in acc:
            acc[column] += int(r[column])
    return out


def moved_lines(conn: Connection, asof: int, year: int) -> list[dict]:
    """The institutions whose number of lines in `year` moved after publication `asof`, per month
    and place: {institution_id, year, month, region_code, district_code, sector_code, delta_lines
    (lines then − now)}. Whether an institution had lines then differs from now only for these (a
    partial index: most changes rewrite lines and leave the count alone)."""
    q = (select(lhs.c.institution_id, lhs.c.month, *[lhs.c[k] for k in _PLACE], func.sum(lhs.c.delta_lines).cast(BigInteger))
         .where(lhs.c.valid_until > asof, _MOVED, lhs.c.year == year)
         .group_by(lhs.c.institution_id, lhs.c.month, *[lhs.c[k] for k in _PLACE]))
    names = ("institution_id", "month", *_PLACE, "delta_lines")
    return [dict(zip(names, r), year=year) for r in conn.execute(q).all()]


class _Area:
    """What changed in one year after publication `asof`, read once per question for every panel
    of a view: the money per selection and grouping (area_money), the moved lines (moved_lines)."""

    def __init__(self, asof: int, year: int):
        self.asof, self.year = asof, year
        self._rows: dict[tuple, list[dict]] = {}
        self._moved: list[dict] | None = None

    def money(self, conn: Connection, sel: Selection, by: str | None = None, *, place: bool = True) -> dict:
        """area_money, from one read per months, sectors and scope (the country, a region with its
        districts, or every district when the selection names a district alone)."""
        region = (sel.region or (EVERY_DISTRICT if sel.district else None)) if place else None
        key = (tuple(sel.months), tuple(sorted(sel.sectors)), region)
        if key not in self._rows:
            self._rows[key] = _area_rows(conn, self.asof, self.year, sel.months, sel.sectors, region)
        return _area_sums(self._rows[key], sel.district if place else None, by)

    def moved(self, conn: Connection, sel: Selection | None = None, *, months: bool = True) -> list[dict]:
        """The moved lines (inside `sel`'s place, sectors and, with `months`, months)."""
        if self._moved is None:
            self._moved = moved_lines(conn, self.asof, self.year)
        return self._moved if sel is None else _selected(self._moved, sel, months=months)


def _selected(changes: list[dict], sel: Selection, *, months: bool = True) -> list[dict]:
    """The moved lines inside the selection (year, sectors, region/district and, with `months`, months)."""
    first, last = sel.months if months else (1, 12)
    sectors = set(sel.sectors)
    # Each test only when it can fail.
    picked = [c for c in changes if c["year"] == sel.year]
    if (first, last) != (1, 12):
        picked = [c for c in picked if first <= c["month"] <= last]
    if sectors:
        picked = [c for c in picked if c["sector_code"] in sectors]
    if sel.region:
        picked = [c for c in picked if c["region_code"] == sel.region]
    if sel.district:
        picked = [c for c in picked if c["district_code"] == sel.district]
    return picked


def _corrected(rows: list[dict], sums: dict, key: str) -> list[dict]:
    """`rows` (current sums, one per `key`) plus what changed since, `sums[row[key]]` (area_money)."""
    out = []
    for row in rows:
        change = sums.get(row[key])
        if change is not None:
            row = dict(row)
            for c in MONEY_COLUMNS:
                if c in row and row[c] is not None:
                    row[c] = int(row[c]) + change[f"delta_{c}"]
        out.append(row)
    return out


def _had_lines_then(conn: Connection, moved: list[dict], sel: Selection) -> dict[int, tuple[bool, bool]]:
    """For each institution of `moved` (moved_lines rows) whose number of lines in the selection's
    year and months changed since: (had any then, has any now); budget_lines is read only for those."""
    per: dict[int, int] = {}
    for m in moved:
        per[m["institution_id"]] = per.get(m["institution_id"], 0) + m["delta_lines"]
    return _presence(conn, {i: d for i, d in per.items() if d != 0}, sel)


def _presence(conn: Connection, moved: dict[int, int], sel: Selection) -> dict[int, tuple[bool, bool]]:
    """(had any line then, has any now) in the selection's year and months, for the institutions
    whose number of lines there moved by `moved[id]` (then − now) since."""
    if not moved:
        return {}
    now = dict(conn.execute(select(bl.c.institution_id, func.count()).where(
        bl.c.institution_id.in_(sorted(moved)), bl.c.year == sel.year, bl.c.month.between(*sel.months))
        .group_by(bl.c.institution_id)).all())
    return {i: (int(now.get(i, 0)) + d > 0, int(now.get(i, 0)) > 0) for i, d in moved.items()}


# --- The explorer ------------------------------------------------------------------------------
def totals(conn: Connection, sel: Selection, asof: int, changes: _Area | None = None) -> dict:
    """explorer.totals as of publication `asof` (the institution count too: an institution counts
    when it had any line that year then)."""
    current = explorer.totals(conn, sel)
    changes = changes or _Area(asof, sel.year)
    money = changes.money(conn, sel).get(None)
    result = dict(current)
    if money:
        for c in ("plan_adjusted", "paid"):
            result[c] = int(current[c]) + money[f"delta_{c}"]
    for then, now in _had_lines_then(conn, changes.moved(conn, sel, months=False), Selection(sel.year)).values():
        result["institutions"] += int(then) - int(now)
    return result


def by_region(conn: Connection, sel: Selection, asof: int, changes: _Area | None = None) -> list[dict]:
    """explorer.by_region as of publication `asof` (`changes`: the view's _Area, if any)."""
    changes = changes or _Area(asof, sel.year)
    return _corrected(explorer.by_region(conn, sel), changes.money(conn, sel, "region_code", place=False), "code")


def by_district(conn: Connection, sel: Selection, asof: int, changes: _Area | None = None) -> list[dict]:
    """explorer.by_district as of publication `asof` ([] without a region, as explorer.by_district)."""
    if not sel.region:
        return explorer.by_district(conn, sel)
    changes = changes or _Area(asof, sel.year)
    sums = changes.money(conn, Selection(sel.year, sel.months, sel.sectors, sel.region), "district_code")
    return _corrected(explorer.by_district(conn, sel), sums, "code")


def by_sector(conn: Connection, sel: Selection, asof: int, changes: _Area | None = None) -> list[dict]:
    """explorer.by_sector as of publication `asof`: a sector is listed when it had a line in the
    selection then (one whose only institutions there now came since is left out, one whose
    lines have all gone since is listed)."""
    changes = changes or _Area(asof, sel.year)
    sums = changes.money(conn, sel, "sector_code")
    rows = _corrected(explorer.by_sector(conn, sel), sums, "code")
    moved = changes.moved(conn, sel)
    presence = _had_lines_then(conn, moved, sel)
    if not presence:
        return rows
    sector_of = {d["institution_id"]: d["sector_code"] for d in moved}
    came, went = {}, set()  # per sector: institutions with lines now, none then; sectors someone left
    for iid, (then, now) in presence.items():
        if now and not then:
            came.setdefault(sector_of[iid], []).append(iid)
        elif then and not now:
            went.add(sector_of[iid])
    rows = [r for r in rows if r["code"] not in came or _others_there(conn, sel, r["code"], came[r["code"]])]
    missing = sorted(went - {r["code"] for r in rows})
    if missing:
        none = dict.fromkeys(_DELTAS, 0)
        keys = [sectors.c.code, *[sectors.c[c] for c in NAME_COLUMNS], sectors.c.color, sectors.c.icon]
        rows += [{**dict(r), "plan_adjusted": sums.get(r["code"], none)["delta_plan_adjusted"],
                  "paid": sums.get(r["code"], none)["delta_paid"]}
                 for r in conn.execute(select(*keys).where(sectors.c.code.in_(missing))).mappings()]
    return rows


def _others_there(conn: Connection, sel: Selection, sector: str, excluded: list[int]) -> bool:
    """Whether an institution of `sector` other than `excluded` has a line in the selection now
    (one indexed probe of the institutions' monthly rollup)."""
    q = (select(rim.c.institution_id).select_from(rim.join(inst, inst.c.id == rim.c.institution_id))
         .where(rim.c.year == sel.year, rim.c.month.between(*sel.months), inst.c.sector_code == sector,
                explorer._institution_filter(Selection(sel.year, region=sel.region, district=sel.district)),
                rim.c.institution_id.not_in(excluded)).limit(1))
    return conn.execute(q).first() is not None


def top_institutions(conn: Connection, sel: Selection, asof: int, limit: int = 5,
                     changes: _Area | None = None) -> list[dict]:
    """explorer.top_institutions as of publication `asof`: ranked in SQL like the explorer's, on
    each institution's sum now plus what changed since (its per-publication sums after `asof`).

    Whether an institution had lines in the selection then differs from now only for those whose
    number of lines moved (moved_lines): those with none then are left out of the ranking, those
    with lines then and none now are added after it."""
    changes = changes or _Area(asof, sel.year)
    moved = changes.moved(conn, sel)
    if not moved and not changes.money(conn, sel):
        return explorer.top_institutions(conn, sel, limit)
    presence = _had_lines_then(conn, moved, sel)
    absent_then = sorted(i for i, (then, _now) in presence.items() if not then)
    gone_now = sorted(i for i, (then, now) in presence.items() if then and not now)
    place = [lhs.c[k] == v for k, v in (("region_code", sel.region), ("district_code", sel.district)) if v]
    if sel.sectors:
        place.append(lhs.c.sector_code.in_(sel.sectors))
    delta = (select(lhs.c.institution_id, *[func.sum(lhs.c[f"delta_{c}"]).cast(BigInteger).label(c)
                                            for c in ("plan_adjusted", "paid")])
             .where(lhs.c.valid_until > asof, lhs.c.year == sel.year, lhs.c.month.between(*sel.months), *place)
             .group_by(lhs.c.institution_id).cte("delta"))  # one aggregate for both parts below
    inst_id, plan, paid, source, where = explorer._institution_money(sel, placed=True)
    if explorer._placed(sel):
        source, where = source.join(inst, inst.c.id == inst_id), and_(where, explorer._institution_filter(sel))
    if absent_then or gone_now:  # ranked here on their sums then, or added below
        where = and_(where, inst_id.not_in(absent_then + gone_now))
    # The unchanged institutions' top `limit` as the explorer ranks them now (their sums then are
    # their sums now), and every changed one's sum then; the top `limit` of both together.
    excluded = absent_then + gone_now
    if tuple(sel.months) == (1, 12):
        # The year's rollup by its index for the unchanged; the changed ones probe it one by one
        # (joined, the planner hashes the whole year's rollup for a few hundred institutions).
        # `delta` is already inside the selection's place: the sums carry the institutions' place.
        unchanged = (select(inst_id.label("id"), plan.label("plan_adjusted"), paid.label("paid"))
                     .select_from(source).where(where, inst_id.not_in(select(delta.c.institution_id)))
                     .order_by(plan.desc(), inst_id).limit(limit).subquery("unchanged"))

        def now(column):
            return (select(riy.c[column]).where(riy.c.institution_id == delta.c.institution_id,
                                                riy.c.year == sel.year).scalar_subquery())
        changed = (select(delta.c.institution_id.label("id"), (now("plan_adjusted") + delta.c.plan_adjusted).label("plan_adjusted"),
                          (now("paid") + delta.c.paid).label("paid"))
                   .where(*([delta.c.institution_id.not_in(excluded)] if excluded else [])))
    else:
        # A month range sums the monthly rollup per institution: once, for both parts.
        money = (select(inst_id.label("id"), plan.label("plan_adjusted"), paid.label("paid"))
                 .select_from(source).where(where).cte("money"))
        unchanged = (select(money).where(money.c.id.not_in(select(delta.c.institution_id)))
                     .order_by(money.c.plan_adjusted.desc(), money.c.id).limit(limit).subquery("unchanged"))
        changed = (select(money.c.id, (money.c.plan_adjusted + delta.c.plan_adjusted).label("plan_adjusted"),
                          (money.c.paid + delta.c.paid).label("paid"))
                   .select_from(money.join(delta, delta.c.institution_id == money.c.id)))
    both = union_all(select(unchanged), changed).subquery("both")
    ranked = select(both).where(both.c.plan_adjusted.is_not(None)).order_by(both.c.plan_adjusted.desc(), both.c.id).limit(limit).subquery("ranked")
    q = (select(inst.c.id, inst.c.bin, *[inst.c[c] for c in NAME_COLUMNS], inst.c.sector_code,
                inst.c.district_code, ranked.c.plan_adjusted, ranked.c.paid)
         .select_from(ranked.join(inst, inst.c.id == ranked.c.id)))
    rows = [{k: int(v) if k in MONEY_COLUMNS else v for k, v in r.items()} for r in conn.execute(q).mappings()]
    if gone_now:  # no line in the selection now: then is now's 0 plus what changed since
        gone = {i: (int(p), int(q)) for i, p, q in conn.execute(select(
            delta.c.institution_id, delta.c.plan_adjusted, delta.c.paid).where(delta.c.institution_id.in_(gone_now)))}
        for row in _institution_rows(conn, sel, gone_now):
            rows.append({**row, "plan_adjusted": row["plan_adjusted"] + gone[row["id"]][0],
                         "paid": row["paid"] + gone[row["id"]][1]})
    rows.sort(key=lambda r: (-r["plan_adjusted"], r["id"]))
    return rows[:limit]


def _institution_rows(conn: Connection, sel: Selection, ids: list[int]) -> list[dict]:
    """The rows explorer.top_institutions shows, for these institutions (0 when they have no money now)."""
    inst_id, plan, paid, source, where = explorer._institution_money(sel)
    money = (select(inst_id.label("id"), plan.label("plan_adjusted"), paid.label("paid"))
             .select_from(source).where(where, inst_id.in_(ids)).subquery("money"))
    q = (select(inst.c.id, inst.c.bin, *[inst.c[c] for c in NAME_COLUMNS], inst.c.sector_code, inst.c.district_code,
                func.coalesce(money.c.plan_adjusted, 0).label("plan_adjusted"),
                func.coalesce(money.c.paid, 0).label("paid"))
         .select_from(inst.outerjoin(money, money.c.id == inst.c.id)).where(inst.c.id.in_(ids)))
    return [{k: int(v) if k in MONEY_COLUMNS else v for k, v in r.items()} for r in conn.execute(q).mappings()]


def available_years(conn: Connection, asof: int) -> list[int]:
    """explorer.available_years as of publication `asof`: the years with a line then, oldest
    first (the explorer's year slider; a year first imported since is not offered)."""
    years = set(explorer.available_years(conn))
    present = func.sum(lhs.c.delta_lines)
    moved: dict[int, dict[int, int]] = {}  # year -> {institution: lines then − now}, where it moved
    for year, iid, lines_delta in conn.execute(
            select(lhs.c.year, lhs.c.institution_id, present).where(lhs.c.valid_until > asof, _MOVED)
            .group_by(lhs.c.year, lhs.c.institution_id).having(present != 0)).all():
        moved.setdefault(year, {})[iid] = int(lines_delta)
    for year, per in moved.items():
        now = dict(conn.execute(select(bl.c.institution_id, func.count()).where(
            bl.c.institution_id.in_(sorted(per)), bl.c.year == year).group_by(bl.c.institution_id)).all())
        if any(int(now.get(i, 0)) + d > 0 for i, d in per.items()):
            years.add(year)
        elif year in years:  # then only if an institution other than those that came since has lines now
            came = [i for i in per if now.get(i)]
            others = conn.execute(select(riy.c.institution_id).where(
                riy.c.year == year, riy.c.institution_id.not_in(came)).limit(1)).first()
            if others is None:
                years.discard(year)
    return sorted(years)


def institutions_with_budget(conn: Connection, year: int, asof: int, changes: _Area | None = None) -> list[int]:
    """explorer.institutions_with_budget as of publication `asof` (the map's points): the ids of
    the institutions that had a line of `year` then, ascending."""
    moved = _had_lines_then(conn, (changes or _Area(asof, year)).moved(conn), Selection(year))
    if not moved:
        return explorer.institutions_with_budget(conn, year)
    ids = {i for i in explorer.institutions_with_budget(conn, year) if moved.get(i, (True, True))[0]}
    return sorted(ids | {i for i, (then, _now) in moved.items() if then})


def institution_card(conn: Connection, institution_id: int, year: int, months: tuple[int, int],
                     asof: int) -> dict | None:
    """explorer.institution_card (the map popup) as of publication `asof`; None when the
    institution had no line of `year` then (it was not on the map). Corrected by the institution's
    per-publication sums after `asof` (a range of line_history_sums' key)."""
    card = explorer.institution_card(conn, institution_id, year, months)
    if card is None:
        return None
    first, last = months
    changed = conn.execute(select(*_summed(lhs.c.month)).where(
        lhs.c.institution_id == institution_id, lhs.c.year == year, lhs.c.valid_until > asof)
        .group_by(lhs.c.month)).mappings().all()
    if not changed:
        return card
    moved = sum(r["delta_lines"] for r in changed)
    if moved and _presence(conn, {institution_id: moved}, Selection(year))[institution_id][0] is False:
        return None
    picked = [r for r in changed if first <= r["month"] <= last]
    return {**card, **{c: int(card[c]) + sum(r[f"delta_{c}"] for r in picked) for c in MONEY_COLUMNS if c in card}}


# --- One institution ---------------------------------------------------------------------------
# The page's current numbers (rollups, as queries/institution.py reads them) patched by what
# changed since: per changed line, Σ(old − new) over its history rows after `asof` is its value
# then minus now, and Σ(existed before − exists after) is 1 for a line only there then, -1 for one
# only there now. Budget lines are read only when lines appeared or disappeared since (to tell
# whether a month, a specific… had any line then).
LINE_KEYS = ("year", "month", "program_code", "subprogram_code", "specific_code")


class _Changes:
    """The changed lines of one institution since publication `asof` (one indexed read)."""

    def __init__(self, conn: Connection, institution_id: int, asof: int, years: list[int] | None = None):
        self.conn, self.institution_id = conn, institution_id
        money = [func.sum(func.coalesce(blv.c[c], 0) - func.coalesce(blv.c[f"new_{c}"], 0)).cast(BigInteger)
                 for c in MONEY_COLUMNS]
        keys = [blv.c[k] for k in LINE_KEYS]
        q = (select(*keys, *money, _lines_delta().cast(BigInteger))
             .where(blv.c.institution_id == institution_id, blv.c.valid_until > asof).group_by(*keys))
        if years is not None:
            q = q.where(blv.c.year.in_(years))
        names = (*LINE_KEYS, *_DELTAS, "delta_lines")
        self.rows = [dict(zip(names, r)) for r in conn.execute(q).all()]
        self._now: list[dict] | None = None

    @classmethod
    def by_month(cls, conn: Connection, institution_id: int, asof: int, year: int) -> "_Changes":
        """The same changes summed per month, from the per-publication sums (line_history_sums: one
        range of its key, not the changed lines' history): enough for figures by month."""
        self = cls.__new__(cls)
        self.conn, self.institution_id, self._now = conn, institution_id, None
        q = (select(*_summed(lhs.c.year, lhs.c.month))
             .where(lhs.c.institution_id == institution_id, lhs.c.year == year, lhs.c.valid_until > asof)
             .group_by(lhs.c.year, lhs.c.month))
        self.rows = [dict(zip(("year", "month", *_DELTAS, "delta_lines"), r)) for r in conn.execute(q).all()]
        return self

    def now_keys(self) -> list[dict]:
        """The keys of the institution's current lines in the changed years (read once, when needed)."""
        if self._now is None:
            years = sorted({r["year"] for r in self.rows})
            q = select(*[bl.c[k] for k in LINE_KEYS]).where(bl.c.institution_id == self.institution_id,
                                                            bl.c.year.in_(years))
            self._now = [dict(r) for r in self.conn.execute(q).mappings()]
        return self._now

    def patch(self, rows: list[dict], by: list[str], row_keys: list[str], keep=lambda line: True,
              blank=lambda key: {}) -> list[dict]:
        """`rows` (current sums per `row_keys`) as they were then: amounts corrected, rows of groups
        without any line then dropped, rows of groups only there then added (`blank(key)` gives their
        other fields)."""
        picked = [r for r in self.rows if keep(r)]
        if not picked:
            return rows
        sums: dict[tuple, dict] = {}
        for r in picked:
            acc = sums.setdefault(tuple(r[k] for k in by), dict.fromkeys((*_DELTAS, "delta_lines"), 0))
            for column in acc:
                acc[column] += r[column]
        get = itemgetter(*row_keys)
        # The rows as they are; one is copied only when it changes (the callers' rows stay as read).
        index = {get(r) if len(row_keys) > 1 else (get(r),): r for r in rows}
        counted: dict[tuple, int] | None = None
        for key, change in sums.items():
            row = index.get(key)
            if row is None:
                if change["delta_lines"] <= 0:
                    continue  # no line now, so none then either (e.g. lines written and deleted since)
                row = {**blank(key), **dict(zip(row_keys, key)), **dict.fromkeys(MONEY_COLUMNS, 0)}
            else:
                row = dict(row)
            index[key] = row
            for c in MONEY_COLUMNS:
                if c in row:
                    row[c] = int(row[c]) + change[f"delta_{c}"]
            if change["delta_lines"]:
                if counted is None:
                    counted = {}
                    for r in self.now_keys():
                        if keep(r):
                            group = tuple(r[k] for k in by)
                            counted[group] = counted.get(group, 0) + 1
                if counted.get(key, 0) + change["delta_lines"] <= 0:
                    del index[key]
        return list(index.values())


def _of_year(year: int):
    return lambda line: line["year"] == year


def yearly_totals(conn: Connection, institution_id: int, asof: int, changes: _Changes | None = None) -> list[dict]:
    """institution.yearly_totals as of publication `asof` (`changes`: its _Changes, if read)."""
    rows = (changes or _Changes(conn, institution_id, asof)).patch(inst_q.yearly_totals(conn, institution_id), ["year"], ["year"],
                                                      blank=lambda key: {"institution_id": institution_id})
    return [{"institution_id": r["institution_id"], "year": r["year"], **{c: r[c] for c in MONEY_COLUMNS}}
            for r in sorted(rows, key=lambda r: -r["year"])]


def monthly(conn: Connection, institution_id: int, year: int, asof: int, changes: _Changes | None = None) -> list[dict]:
    """institution.monthly as of publication `asof`."""
    rows = (changes or _Changes.by_month(conn, institution_id, asof, year)).patch(
        inst_q.monthly(conn, institution_id, year), ["month"], ["month"], _of_year(year))
    return sorted(rows, key=lambda r: r["month"])


def _specific_names(conn: Connection, code: int) -> dict:
    q = select(specifics.c.code, specifics.c.category, specifics.c.name_kk, specifics.c.name_ru, specifics.c.name_en)
    return dict(conn.execute(q.where(specifics.c.code == code)).mappings().one())


def by_specific(conn: Connection, institution_id: int, year: int, asof: int,
                changes: _Changes | None = None) -> list[dict]:
    """institution.by_specific as of publication `asof`."""
    rows = (changes or _Changes(conn, institution_id, asof, [year])).patch(
        inst_q.by_specific(conn, institution_id, year), ["specific_code"], ["code"], _of_year(year),
        blank=lambda key: _specific_names(conn, key[0]))
    return sorted(rows, key=lambda r: (-r["plan_adjusted"], r["code"]))


def specific_by_year(conn: Connection, institution_id: int, years: list[int], asof: int,
                     changes: _Changes | None = None) -> list[dict]:
    """institution.specific_by_year as of publication `asof`."""
    current = inst_q.specific_by_year(conn, institution_id, years)
    changes = changes or _Changes(conn, institution_id, asof, years)
    rows = changes.patch(current, ["specific_code", "year"], ["specific_code", "year"], lambda line: line["year"] in years,
                         blank=lambda key: {c: _specific_names(conn, key[0])[c] for c in NAME_COLUMNS})
    keep = ("specific_code", "year", "plan_adjusted", "paid", *NAME_COLUMNS)
    return [{k: r[k] for k in keep} for r in rows]


def by_program(conn: Connection, institution_id: int, year: int, asof: int,
               changes: _Changes | None = None) -> list[dict]:
    """institution.by_program as of publication `asof`."""
    def names(key):
        q = (select(*inst_q._names(programs, "program"), *inst_q._names(subprograms, "subprogram"))
             .select_from(subprograms.join(programs, programs.c.code == subprograms.c.program_code))
             .where(subprograms.c.program_code == key[0], subprograms.c.code == key[1]))
        return dict(conn.execute(q).mappings().one())

    rows = (changes or _Changes(conn, institution_id, asof, [year])).patch(
        inst_q.by_program(conn, institution_id, year), ["program_code", "subprogram_code"],
        ["program_code", "subprogram_code"], _of_year(year), blank=names)
    return sorted(rows, key=lambda r: (-r["plan_adjusted"], r["program_code"], r["subprogram_code"]))


def lines(conn: Connection, institution_id: int, year: int | None, asof: int,
          changes: _Changes | None = None) -> list[dict]:
    """institution.lines (every line, with names) as of publication `asof`, in key order."""
    bin_ = conn.execute(select(inst.c.bin).where(inst.c.id == institution_id)).scalar_one()

    def names(key):
        prog = conn.execute(select(*inst_q._names(programs, "program")).where(programs.c.code == key[2])).mappings().one()
        spec = conn.execute(select(*inst_q._names(specifics, "specific")).where(specifics.c.code == key[4])).mappings().one()
        return {"bin": bin_, **prog, **spec}

    changes = changes or _Changes(conn, institution_id, asof, None if year is None else [year])
    rows = changes.patch(inst_q.lines(conn, institution_id, year)[1], list(LINE_KEYS), list(LINE_KEYS),
                         (lambda line: True) if year is None else _of_year(year), blank=names)
    order = ["bin", *LINE_KEYS, *[f"program_name_{g}" for g in ("kk", "ru", "en")],
             *[f"specific_name_{g}" for g in ("kk", "ru", "en")], *MONEY_COLUMNS]
    return sorted(({k: r[k] for k in order} for r in rows), key=lambda r: tuple(r[k] for k in LINE_KEYS))


def peer_amounts(conn: Connection, type_code: str, region_code: str, year: int, asof: int,
                 with_capacity: bool = True) -> list[dict]:
    """institution.peer_amounts as of publication `asof`: every peer's adjusted plan per specific
    then (a peer is an institution of the type and region now; capacities are today's)."""
    current = inst_q.peer_amounts(conn, type_code, region_code, year, with_capacity)
    present = _lines_delta()
    delta = func.sum(func.coalesce(blv.c.plan_adjusted, 0) - func.coalesce(blv.c.new_plan_adjusted, 0))
    # The peers first (an index-only read), then their history rows after `asof` (an index range
    # each): joined in one statement, the planner scanned every institution in parallel workers.
    peers = conn.execute(select(inst.c.id).where(inst.c.type_code == type_code,
                                                 inst.c.region_code == region_code)).scalars().all()
    if not peers:
        return current
    q = (select(blv.c.institution_id, blv.c.specific_code, delta.label("delta"), present.label("lines"))
         .where(blv.c.institution_id.in_(peers), blv.c.valid_until > asof, blv.c.year == year)
         .group_by(blv.c.institution_id, blv.c.specific_code))
    changed = {(i, s): (int(d), int(n)) for i, s, d, n in conn.execute(q).all()}
    if not changed:
        return current
    rows = {(r["institution_id"], r["specific_code"]): dict(r) for r in current}
    moved = sorted({i for (i, _s), (_d, n) in changed.items() if n})
    now: dict[tuple, int] = {}
    if moved:  # lines appeared or went since: how many each pair has now tells whether it had any then
        now = {(i, s): int(n) for i, s, n in conn.execute(
            select(bl.c.institution_id, bl.c.specific_code, func.count())
            .where(bl.c.institution_id.in_(moved), bl.c.year == year)
            .group_by(bl.c.institution_id, bl.c.specific_code)).all()}
    capacity: dict[int, int | None] = {}
    if with_capacity:
        capacity = dict(conn.execute(select(inst.c.id, inst.c.capacity).where(
            inst.c.id.in_(sorted({i for i, _s in changed})))).all())
    for key, (d, n) in changed.items():
        if n and now.get(key, 0) + n <= 0:
            rows.pop(key, None)  # no line of this specific then
            continue
        if key not in rows and n <= 0:
            continue  # written and deleted since: no line then either
        row = rows.setdefault(key, {"institution_id": key[0], "specific_code": key[1],
                                    "capacity": capacity.get(key[0]), "plan_adjusted": 0})
        row["plan_adjusted"] += d
    return list(rows.values())


def documents(conn: Connection, institution_id: int, year: int | None, asof: int) -> list[dict]:
    """institution.list_documents as of publication `asof`: the documents uploaded by then. Each
    is matched with its upload's publication (same time, source and description); one without
    (written some other way) counts as uploaded at its created_at."""
    docs = inst_q.list_documents(conn, institution_id, year)
    if not docs or asof >= latest_publication_id(conn):
        return docs
    # An id that is a gap (a dry run or an import that changed nothing reserved it) pins the
    # newest publication before it.
    pinned = conn.execute(select(publications).where(publications.c.id <= asof)
                          .order_by(publications.c.id.desc()).limit(1)).mappings().first()
    if pinned is None:
        return []  # pinned before anything was published
    # Matched on the description in SQL and on the time here (SQLite keeps times as text, whose
    # form a bound datetime need not match).
    q = (select(publications.c.id, publications.c.published_at, publications.c.description)
         .where(publications.c.source == DOCUMENT_SOURCE, publications.c.description.in_(
             sorted({document_description(d["year"], d["title"]) for d in docs}))))
    logged: dict[tuple, list[int]] = {}
    for pid, at, description in conn.execute(q.order_by(publications.c.id)).all():
        logged.setdefault((at, description), []).append(pid)
    shown = []
    for d in sorted(docs, key=lambda d: d["id"]):  # same-time uploads of one title: in upload order
        found = logged.get((d["created_at"], document_description(d["year"], d["title"])))
        if found:
            if found.pop(0) <= asof:
                shown.append(d)
        elif d["created_at"] <= pinned["published_at"]:
            shown.append(d)
    order = {d["id"]: n for n, d in enumerate(docs)}
    return sorted(shown, key=lambda d: order[d["id"]])


# --- Provenance --------------------------------------------------------------------------------
def sources(conn: Connection, sel: Selection | None = None, institution_id: int | None = None,
            asof: int | None = None) -> list[dict]:
    """The publications whose lines a view shows (newest first): those that wrote lines of the
    selection (or institution) up to `asof` (None: now), with `view_lines`, how many of the view's
    lines each wrote, plus the one history began with (the demo load or first import), whose
    lines are every line no later publication changed."""
    where = [lhs.c.valid_until <= asof] if asof is not None else []
    source = lhs
    if institution_id is not None:
        where.append(lhs.c.institution_id == institution_id)
    if sel is not None:
        source = lhs.join(inst, inst.c.id == lhs.c.institution_id)
        where += [lhs.c.year == sel.year, lhs.c.month.between(*sel.months), explorer._institution_filter(sel)]
    counts = {p: int(n) for p, n in conn.execute(select(lhs.c.valid_until, func.sum(lhs.c.changes))
                                                  .select_from(source).where(*where).group_by(lhs.c.valid_until)).all()}
    base = conn.execute(select(func.min(publications.c.id)).where(
        publications.c.lines > 0, *([publications.c.id <= asof] if asof is not None else []))).scalar()
    ids = set(counts) | ({base} if base is not None else set())
    if not ids:
        return []
    rows = conn.execute(select(publications).where(publications.c.id.in_(sorted(ids)))
                        .order_by(publications.c.id.desc())).mappings()
    return [{**dict(r), "view_lines": counts.get(r["id"])} for r in rows]


class ExplorerNumbers:
    """The explorer's panels and map numbers now (`asof` None) or as of a publication: one object
    the callbacks call either way."""

    def __init__(self, asof: int | None):
        self.asof = asof
        self._changes: dict[int, _Area] = {}  # per year: each question read once for all the panels

    def changes(self, year: int) -> _Area:
        if year not in self._changes:
            self._changes[year] = _Area(self.asof, year)
        return self._changes[year]

    def totals(self, conn: Connection, sel: Selection) -> dict:
        return (explorer.totals(conn, sel) if self.asof is None
                else totals(conn, sel, self.asof, self.changes(sel.year)))

    def by_region(self, conn: Connection, sel: Selection) -> list[dict]:
        return (explorer.by_region(conn, sel) if self.asof is None
                else by_region(conn, sel, self.asof, self.changes(sel.year)))

    def by_district(self, conn: Connection, sel: Selection) -> list[dict]:
        return (explorer.by_district(conn, sel) if self.asof is None
                else by_district(conn, sel, self.asof, self.changes(sel.year)))

    def by_sector(self, conn: Connection, sel: Selection) -> list[dict]:
        return (explorer.by_sector(conn, sel) if self.asof is None
                else by_sector(conn, sel, self.asof, self.changes(sel.year)))

    def top_institutions(self, conn: Connection, sel: Selection, limit: int = 5) -> list[dict]:
        return (explorer.top_institutions(conn, sel, limit) if self.asof is None
                else top_institutions(conn, sel, self.asof, limit, self.changes(sel.year)))

    def institutions_with_budget(self, conn: Connection, year: int) -> list[int]:
        return (explorer.institutions_with_budget(conn, year) if self.asof is None
                else institutions_with_budget(conn, year, self.asof, self.changes(year)))

    def institution_card(self, conn: Connection, institution_id: int, year: int,
                         months: tuple[int, int] = (1, 12)) -> dict | None:
        return (explorer.institution_card(conn, institution_id, year, months) if self.asof is None
                else institution_card(conn, institution_id, year, months, self.asof))


class InstitutionNumbers:
    """The institution page's numbers, peers and documents now (`asof` None) or as of a publication."""

    def __init__(self, asof: int | None):
        self.asof = asof
        self._changes: dict[int, _Changes] = {}  # per institution: read once for all the figures

    def changes(self, conn: Connection, institution_id: int) -> _Changes:
        if institution_id not in self._changes:
            self._changes[institution_id] = _Changes(conn, institution_id, self.asof)
        return self._changes[institution_id]

    def yearly_totals(self, conn: Connection, institution_id: int) -> list[dict]:
        return (inst_q.yearly_totals(conn, institution_id) if self.asof is None
                else yearly_totals(conn, institution_id, self.asof, self.changes(conn, institution_id)))

    def by_specific(self, conn: Connection, institution_id: int, year: int) -> list[dict]:
        return (inst_q.by_specific(conn, institution_id, year) if self.asof is None
                else by_specific(conn, institution_id, year, self.asof, self.changes(conn, institution_id)))

    def by_program(self, conn: Connection, institution_id: int, year: int) -> list[dict]:
        return (inst_q.by_program(conn, institution_id, year) if self.asof is None
                else by_program(conn, institution_id, year, self.asof, self.changes(conn, institution_id)))

    def lines(self, conn: Connection, institution_id: int, year: int) -> tuple[int, list[dict]]:
        if self.asof is None:
            return inst_q.lines(conn, institution_id, year)
        rows = lines(conn, institution_id, year, self.asof, self.changes(conn, institution_id))
        return len(rows), rows

    def specific_by_year(self, conn: Connection, institution_id: int, years: list[int]) -> list[dict]:
        return (inst_q.specific_by_year(conn, institution_id, years) if self.asof is None
                else specific_by_year(conn, institution_id, years, self.asof, self.changes(conn, institution_id)))

    def monthly_by_bin(self, conn: Connection, bin_: str, year: int) -> list[dict]:
        if self.asof is None:
            return inst_q.monthly_by_bin(conn, bin_, year)
        found = conn.execute(select(inst.c.id).where(inst.c.bin == bin_)).scalar()
        return [] if found is None else monthly(conn, found, year, self.asof)

    def peer_stats(self, conn: Connection, inst: dict, year: int) -> list[dict]:
        """dashboard.peers.peer_stats of the institution (a row of institution.get_institution)
        among its type in its region: now from the stored peer groups, as of a publication from
        every peer's amounts then."""
        capacity = inst["capacity"] or None
        if self.asof is None:
            stats = peer_comparison(conn, inst["id"], year)
            if stats is not None:
                return stats
        amounts = (inst_q.peer_amounts(conn, inst["type_code"], inst["region_code"], year, bool(capacity))
                   if self.asof is None else
                   peer_amounts(conn, inst["type_code"], inst["region_code"], year, self.asof, bool(capacity)))
        return peer_stats(amounts, inst["id"])

    def documents(self, conn: Connection, institution_id: int, year: int | None) -> list[dict]:
        return (inst_q.list_documents(conn, institution_id, year) if self.asof is None
                else documents(conn, institution_id, year, self.asof))
