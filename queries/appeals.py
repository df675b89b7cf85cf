"""Appeals, their attachments and audit events; open and overdue counts for pages and the map.

"Open" means new or in review; "overdue" means open past `due_at`, compared with `now` in SQL.
Public counts (the default) include only appeals approved for public view and not hidden.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from sqlalchemy import Connection, and_, bindparam, case, func, insert, or_, select, update

from dashboard.schema import (
    OPEN_STATUSES, appeal_attachments as att, appeal_events as ev, appeals, budget_lines, districts,
    institutions as inst, programs, regions, specifics, subprograms, users,
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def _row(mapping) -> dict:
    row = dict(mapping)
    for key in ("created_at", "due_at", "answered_at", "at"):
        if key in row:
            row[key] = as_utc(row[key])
    return row


def institution_by_bin(conn: Connection, bin_: str) -> dict | None:
    """Id, BIN, names and region of an institution, or None."""
    q = select(inst.c.id, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en, inst.c.region_code
               ).where(inst.c.bin == bin_)
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def institutions_by_ids(conn: Connection, ids: list[int]) -> list[dict]:
    """Id, BIN and names of the given institutions, by Russian name."""
    if not ids:
        return []
    q = (select(inst.c.id, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en)
         .where(inst.c.id.in_(ids)).order_by(inst.c.name_ru))
    return [dict(r) for r in conn.execute(q).mappings()]


def line_exists(conn: Connection, institution_id: int, year: int, program: str, subprogram: str,
                specific: int, month: int | None = None) -> bool:
    """Whether the institution has budget lines with this year/program/subprogram/specific (and month)."""
    bl = budget_lines
    q = select(bl.c.month).where(bl.c.institution_id == institution_id, bl.c.year == year,
                                 bl.c.program_code == program, bl.c.subprogram_code == subprogram,
                                 bl.c.specific_code == specific)
    if month is not None:
        q = q.where(bl.c.month == month)
    return conn.execute(q.limit(1)).first() is not None


LINE_FIELDS = ("line_year", "line_program_code", "line_subprogram_code", "line_specific_code")
LINE_CHUNK = 200


def with_line_details(conn: Connection, rows: list[dict]) -> list[dict]:
    """The appeals with `line_detail` set on those about an expenditure line: the institution's BIN,
    the program, subprogram and specific names (kk/ru/en), the month (None: the whole year) and
    the adjusted plan and paid (integer tiyn) of that month or year; one query for all rows."""
    keys = {r["id"]: (r["institution_id"], *(r[f] for f in LINE_FIELDS)) for r in rows
            if r.get("line_year") is not None and r.get("institution_id") is not None}
    if not keys:
        return rows
    bl = budget_lines
    names = [table.c[f"name_{lang}"].label(f"{prefix}_name_{lang}") for prefix, table in
             (("program", programs), ("subprogram", subprograms), ("specific", specifics))
             for lang in ("kk", "ru", "en")]
    q = (select(bl.c.institution_id, bl.c.year, bl.c.program_code, bl.c.subprogram_code, bl.c.specific_code,
                bl.c.month, bl.c.plan_adjusted, bl.c.paid, inst.c.bin, *names)
         .select_from(bl.join(inst, inst.c.id == bl.c.institution_id)
                      .join(programs, programs.c.code == bl.c.program_code)
                      .join(subprograms, and_(subprograms.c.program_code == bl.c.program_code,
                                              subprograms.c.code == bl.c.subprogram_code))
                      .join(specifics, specifics.c.code == bl.c.specific_code))
         )
    found: dict[tuple, list[dict]] = {}
    wanted = sorted(set(keys.values()))
    # In chunks: SQLite refuses an expression deeper than 1000 terms (a case may link many lines).
    for start in range(0, len(wanted), LINE_CHUNK):
        chunk = q.where(or_(*[and_(bl.c.institution_id == i, bl.c.year == y, bl.c.program_code == p,
                                   bl.c.subprogram_code == s, bl.c.specific_code == c)
                              for i, y, p, s, c in wanted[start:start + LINE_CHUNK]]))
        for r in conn.execute(chunk).mappings():
            found.setdefault((r["institution_id"], r["year"], r["program_code"], r["subprogram_code"],
                              r["specific_code"]), []).append(dict(r))
    out = []
    for row in rows:
        lines = found.get(keys.get(row["id"]), [])
        month = row.get("line_month")
        chosen = [r for r in lines if month is None or r["month"] == month]
        detail = None
        if chosen:
            first = chosen[0]
            detail = {"bin": first["bin"], "year": first["year"], "program_code": first["program_code"],
                      "subprogram_code": first["subprogram_code"], "specific_code": first["specific_code"],
                      "month": month, **{k: v for k, v in first.items() if "_name_" in k},
                      # SUM in Python: exact integers whatever the driver returns.
                      "plan_adjusted": sum(int(r["plan_adjusted"]) for r in chosen),
                      "paid": sum(int(r["paid"]) for r in chosen)}
        out.append({**row, "line_detail": detail})
    return out


def insert_appeal(conn: Connection, values: dict) -> int:
    """Insert an appeal row; returns its id."""
    return conn.execute(insert(appeals).values(**values).returning(appeals.c.id)).scalar_one()


def insert_attachments(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(att), rows)


def add_event(conn: Connection, appeal_id: int, *, at: dt.datetime, actor_user_id: int | None,
              actor_role: str, action: str, from_status: str | None, to_status: str,
              note: str | None = None) -> None:
    """Append one entry to the audit log (the table rejects updates and deletes)."""
    conn.execute(insert(ev).values(appeal_id=appeal_id, at=at, actor_user_id=actor_user_id,
                                   actor_role=actor_role, action=action, from_status=from_status,
                                   to_status=to_status, note=note))


def change_appeal(conn: Connection, appeal_id: int, expected_status: str, values: dict) -> bool:
    """Update an appeal only if its status is still `expected_status` (no lost updates)."""
    q = update(appeals).where(appeals.c.id == appeal_id, appeals.c.status == expected_status).values(**values)
    return conn.execute(q).rowcount == 1


def _with_institution():
    return (select(appeals, inst.c.bin, inst.c.name_kk.label("inst_name_kk"),
                   inst.c.name_ru.label("inst_name_ru"), inst.c.name_en.label("inst_name_en"),
                   inst.c.region_code)
            .select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id)))


def appeal_by_id(conn: Connection, appeal_id: int) -> dict | None:
    row = conn.execute(_with_institution().where(appeals.c.id == appeal_id)).mappings().first()
    return _row(row) if row else None


def appeal_by_code(conn: Connection, code: str) -> dict | None:
    row = conn.execute(_with_institution().where(appeals.c.tracking_code == code)).mappings().first()
    return _row(row) if row else None


def attachments_for(conn: Connection, appeal_ids: list[int]) -> dict[int, list[dict]]:
    """Attachments per appeal id, in the order they were posted."""
    found: dict[int, list[dict]] = {i: [] for i in appeal_ids}
    if appeal_ids:
        q = select(att).where(att.c.appeal_id.in_(appeal_ids)).order_by(att.c.appeal_id, att.c.position)
        for r in conn.execute(q).mappings():
            found[r["appeal_id"]].append(dict(r))
    return found


def attachment_by_name(conn: Connection, stored_name: str) -> dict | None:
    """An attachment with what authorization needs to know about its appeal."""
    q = (select(att, appeals.c.institution_id, appeals.c.published, appeals.c.hidden_reason,
                appeals.c.status, appeals.c.tracking_code)
         .select_from(att.join(appeals, appeals.c.id == att.c.appeal_id))
         .where(att.c.stored_name == stored_name))
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def events_for(conn: Connection, appeal_id: int) -> list[dict]:
    """The audit log of an appeal, oldest first, with the actor's display name."""
    q = (select(ev, users.c.display_name).select_from(ev.outerjoin(users, users.c.id == ev.c.actor_user_id))
         .where(ev.c.appeal_id == appeal_id).order_by(ev.c.id))
    return [_row(r) for r in conn.execute(q).mappings()]


def publicly_visible():
    """Approved for public view, not hidden, not rejected: what anyone may see of an appeal."""
    return and_(appeals.c.published.is_(True), appeals.c.hidden_reason.is_(None), appeals.c.status != "rejected")


def public_appeals(conn: Connection, institution_id: int, limit: int = 50) -> list[dict]:
    """Approved, visible appeals of an institution, newest first (no author contact)."""
    cols = [c for c in appeals.c if c.name not in ("author_contact", "tracking_code", "hidden_reason")]
    q = (select(*cols).where(appeals.c.institution_id == institution_id, publicly_visible())
         .order_by(appeals.c.created_at.desc(), appeals.c.id.desc()).limit(limit))
    return [_row(r) for r in conn.execute(q).mappings()]


def moderation_queue(conn: Connection, limit: int = 100) -> list[dict]:
    """Appeals waiting for a moderator: not yet approved, not rejected, not hidden; oldest first."""
    q = (_with_institution()
         .where(appeals.c.published.is_(False), appeals.c.status != "rejected", appeals.c.hidden_reason.is_(None))
         .order_by(appeals.c.created_at, appeals.c.id).limit(limit))
    return [_row(r) for r in conn.execute(q).mappings()]


def overdue_appeals(conn: Connection, now: dt.datetime | None = None, institution_ids: list[int] | None = None,
                    limit: int = 200) -> list[dict]:
    """Open appeals past their deadline, most overdue first (optionally for some institutions)."""
    q = _with_institution().where(appeals.c.status.in_(OPEN_STATUSES), appeals.c.due_at < (now or utcnow()),
                                  appeals.c.hidden_reason.is_(None))
    if institution_ids is not None:
        q = q.where(appeals.c.institution_id.in_(institution_ids))
    return [_row(r) for r in conn.execute(q.order_by(appeals.c.due_at, appeals.c.id).limit(limit)).mappings()]


def appeals_for_institutions(conn: Connection, institution_ids: list[int], limit: int = 200) -> list[dict]:
    """All appeals of the given institutions (an official's desk): open ones first, by deadline."""
    if not institution_ids:
        return []
    open_first = case((appeals.c.status.in_(OPEN_STATUSES), 0), else_=1)
    q = (_with_institution().where(appeals.c.institution_id.in_(institution_ids), appeals.c.hidden_reason.is_(None))
         .order_by(open_first, appeals.c.due_at, appeals.c.id).limit(limit))
    return [_row(r) for r in conn.execute(q).mappings()]


# The count statements are built once per shape (lru_cache) with bound parameters (`now`, ids,
# codes): building the expressions and their cache key cost more client CPU than the query on
# every explorer, institution and popup request (issue 11). Values go in at execution.
_NOW = bindparam("now", type_=appeals.c.due_at.type)
_COUNTS = ("total", "open", "overdue", "answered")


def _count_columns() -> list:
    is_open = appeals.c.status.in_(OPEN_STATUSES)
    return [
        func.count(appeals.c.id).label("total"),
        func.coalesce(func.sum(case((is_open, 1), else_=0)), 0).label("open"),
        func.coalesce(func.sum(case((and_(is_open, appeals.c.due_at < _NOW), 1), else_=0)), 0).label("overdue"),
        func.coalesce(func.sum(case((appeals.c.status.in_(("answered", "resolved")), 1), else_=0)), 0
                      ).label("answered"),
    ]


def _scope(published_only: bool):
    return publicly_visible() if published_only else and_(appeals.c.hidden_reason.is_(None),
                                                           appeals.c.status != "rejected")


def _ints(row) -> dict:
    # PostgreSQL returns SUM() as Decimal.
    return {k: int(v) if k in _COUNTS else v for k, v in row.items()}


@functools.cache
def _counts_for_institution(published_only: bool):
    return select(*_count_columns()).where(appeals.c.institution_id == bindparam("institution_id"),
                                           _scope(published_only))


@functools.cache
def _counts_by_institution(published_only: bool, some: bool):
    q = select(appeals.c.institution_id, *_count_columns()).where(_scope(published_only))
    if some:
        q = q.where(appeals.c.institution_id.in_(bindparam("ids", expanding=True)))
    return q.group_by(appeals.c.institution_id)


@functools.cache
def _counts_by_region(published_only: bool):
    counted = (select(inst.c.region_code, *_count_columns())
               .select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id))
               .where(_scope(published_only)).group_by(inst.c.region_code).subquery())
    cols = [func.coalesce(counted.c[k], 0).label(k) for k in _COUNTS]
    return (select(regions.c.code.label("region_code"), *cols)
            .select_from(regions.outerjoin(counted, counted.c.region_code == regions.c.code))
            .order_by(regions.c.sort_order))


@functools.cache
def _totals(published_only: bool):
    return select(*_count_columns()).where(_scope(published_only))


def appeal_counts_for_institution(conn: Connection, institution_id: int, now: dt.datetime | None = None,
                                  published_only: bool = True) -> dict:
    """{'total', 'open', 'overdue', 'answered'} for one institution."""
    row = conn.execute(_counts_for_institution(published_only),
                       {"institution_id": institution_id, "now": now or utcnow()}).mappings().one()
    return _ints(row)


def appeal_counts_by_institution(conn: Connection, institution_ids: list[int] | None = None,
                                 now: dt.datetime | None = None, published_only: bool = True) -> dict[int, dict]:
    """Counts per institution id (only institutions that have appeals), for map popups."""
    params = {"now": now or utcnow()}
    if institution_ids is not None:
        params["ids"] = list(institution_ids)
    q = _counts_by_institution(published_only, institution_ids is not None)
    return {r["institution_id"]: _ints({k: v for k, v in r.items() if k != "institution_id"})
            for r in conn.execute(q, params).mappings()}


def open_appeals_by_region(conn: Connection, now: dt.datetime | None = None, published_only: bool = True) -> list[dict]:
    """Every region with its {'region_code', 'total', 'open', 'overdue', 'answered'} (zeros included)."""
    return [_ints(r) for r in conn.execute(_counts_by_region(published_only), {"now": now or utcnow()}).mappings()]


def appeal_totals(conn: Connection, now: dt.datetime | None = None, published_only: bool = True) -> dict:
    """National {'total', 'open', 'overdue', 'answered'} (a KPI)."""
    return _ints(conn.execute(_totals(published_only), {"now": now or utcnow()}).mappings().one())


def _place(region: bool, district: bool, sectors: bool) -> list:
    """WHERE parts on the appeal's institution for the explorer's place and sectors (parameters
    `region`, `district`, `sectors`)."""
    parts = []
    if region:
        parts.append(inst.c.region_code == bindparam("region"))
    if district:
        parts.append(inst.c.district_code == bindparam("district"))
    if sectors:
        parts.append(inst.c.sector_code.in_(bindparam("sectors", expanding=True)))
    return parts


def _place_params(region: str | None, district: str | None, sectors: Sequence[str]) -> dict:
    return {k: v for k, v in (("region", region), ("district", district), ("sectors", list(sectors)))
            if v}


def _open_columns() -> list:
    return [func.count(appeals.c.id).label("open"),
            func.coalesce(func.sum(case((appeals.c.due_at < _NOW, 1), else_=0)), 0).label("overdue")]


def _open_appeals(published_only: bool):
    """Open appeals in scope; reading only these (not every appeal ever posted) keeps the
    explorer's counts cheap: the status index narrows them first."""
    return and_(appeals.c.status.in_(OPEN_STATUSES), _scope(published_only))


@functools.cache
def _open_counts(published_only: bool, region: bool, district: bool, sectors: bool):
    q = select(*_open_columns()).where(_open_appeals(published_only))
    place = _place(region, district, sectors)
    if place:
        q = q.select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id)).where(*place)
    return q


@functools.cache
def _open_counts_by_area(published_only: bool, region: bool, sectors: bool):
    key = inst.c.district_code if region else inst.c.region_code
    return (select(key.label("code"), *_open_columns())
            .select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id))
            .where(_open_appeals(published_only), *_place(region, False, sectors)).group_by(key))


_DISTRICTS_OF_REGION = select(districts.c.code).where(districts.c.region_code == bindparam("region"))
_REGION_CODES = select(regions.c.code)


def open_counts(conn: Connection, *, region: str | None = None, district: str | None = None,
                sectors: Sequence[str] = (), now: dt.datetime | None = None, published_only: bool = True) -> dict:
    """{'open', 'overdue'} for the institutions of a place (country, region or district) and
    sectors: the explorer's KPI."""
    q = _open_counts(published_only, bool(region), bool(district), bool(sectors))
    params = {"now": now or utcnow(), **_place_params(region, district, sectors)}
    return _ints(conn.execute(q, params).mappings().one())


def open_counts_by_area(conn: Connection, *, region: str | None = None, sectors: Sequence[str] = (),
                        now: dt.datetime | None = None, published_only: bool = True) -> dict[str, dict]:
    """{code: {'open', 'overdue'}} for every region, or for every district of `region` (zeros
    included), counting the institutions of `sectors` (all when empty): the explorer's map metric."""
    q = _open_counts_by_area(published_only, bool(region), bool(sectors))
    params = {"now": now or utcnow(), **_place_params(region, None, sectors)}
    found = {r["code"]: _ints({k: v for k, v in r.items() if k != "code"}) for r in conn.execute(q, params).mappings()}
    places = conn.execute(_DISTRICTS_OF_REGION, {"region": region}) if region else conn.execute(_REGION_CODES)
    return {code: found.get(code, {"open": 0, "overdue": 0}) for code in places.scalars()}


@functools.cache
def _place_counts(published_only: bool, region: bool, sectors: bool):
    q = select(*_count_columns()).where(_scope(published_only))
    place = _place(region, False, sectors)
    if place:
        q = q.select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id)).where(*place)
    return q


def place_counts(conn: Connection, *, region: str | None = None, sectors: Sequence[str] = (),
                 now: dt.datetime | None = None, published_only: bool = True) -> dict:
    """{'total', 'open', 'overdue', 'answered'} for the institutions of the country or a region
    and sectors (every appeal ever received, not only open ones: a presentation's summary)."""
    q = _place_counts(published_only, bool(region), bool(sectors))
    return _ints(conn.execute(q, {"now": now or utcnow(), **_place_params(region, None, sectors)}).mappings().one())


def recent_answers(conn: Connection, *, region: str | None = None, sectors: Sequence[str] = (),
                   limit: int = 3) -> list[dict]:
    """The newest public answered appeals of the country or a region and sectors: question,
    answer, when it was answered and the institution (BIN, names); no author contact."""
    q = (select(appeals.c.id, appeals.c.body, appeals.c.answer, appeals.c.answered_at,
                appeals.c.created_at, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en)
         .select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id))
         .where(publicly_visible(), appeals.c.status.in_(("answered", "resolved")), appeals.c.answer.is_not(None),
                *_place(bool(region), False, bool(sectors)))
         .order_by(appeals.c.answered_at.desc(), appeals.c.id.desc()).limit(limit))
    return [_row(r) for r in conn.execute(q, _place_params(region, None, sectors)).mappings()]


def attachment_hashes(conn: Connection) -> dict[str, str]:
    """{stored_name: sha256} of every appeal attachment whose SHA-256 was recorded."""
    q = select(att.c.stored_name, att.c.sha256).where(att.c.sha256.is_not(None))
    return {name: digest for name, digest in conn.execute(q)}


def stored_file_names(conn: Connection) -> dict[str, set[str]]:
    """Every file name rows refer to, per upload area ('appeals', 'documents')."""
    from dashboard.schema import documents

    names = set(conn.execute(select(att.c.stored_name)).scalars())
    refs = conn.execute(select(documents.c.file_ref).where(documents.c.file_ref.like("upload:documents/%"))).scalars()
    return {"appeals": names, "documents": {r.removeprefix("upload:documents/") for r in refs}}
