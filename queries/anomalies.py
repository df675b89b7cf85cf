"""Stored anomaly flags: writing a scan's results, and listing them for the analysts' workspace.

A flag's status is derived, never stored: `in_case` when a case links its key, `dismissed` when
its latest review dismissed it with the flag's current fingerprint, else `new`.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Connection, and_, bindparam, case, delete, func, literal, select, update

from dashboard.anomalies.model import Flag
from dashboard.schema import (
    anomaly_baselines, anomaly_flags as af, case_links, cases, districts, flag_reviews, institution_types, institutions as inst,
    regions, rollup_institution_year as riy,
)

STATUSES = ("new", "dismissed", "in_case")
WARN_SHARE = 0.10  # a rule that flags more than this share of institution-years is suspect


@dataclass
class FlagFilter:
    """What the workspace grid, the export and the map filter flags by."""

    year: int | None = None
    region: str | None = None
    district: str | None = None
    sector: str | None = None
    type: str | None = None  # noqa: A003 - the institution type code
    detectors: list[str] | None = None
    min_score: float = 0.0
    status: str | None = None
    institution_id: int | None = None


def _key_match(table):
    return and_(table.c.institution_id == af.c.institution_id, table.c.year == af.c.year,
                table.c.detector == af.c.detector)


def _status_columns():
    dismissed = (select(literal(1)).where(_key_match(flag_reviews), flag_reviews.c.fingerprint == af.c.fingerprint,
                                          flag_reviews.c.id == select(func.max(flag_reviews.c.id))
                                          .where(_key_match(flag_reviews)).correlate(af).scalar_subquery(),
                                          flag_reviews.c.action == "dismissed").exists())
    case_id = (select(func.max(case_links.c.case_id))
               .select_from(case_links.join(cases, cases.c.id == case_links.c.case_id))
               .where(case_links.c.kind == "flag", cases.c.institution_id == af.c.institution_id,
                      case_links.c.year == af.c.year, case_links.c.detector == af.c.detector)
               .correlate(af).scalar_subquery())
    status = case((case_id.is_not(None), "in_case"), (dismissed, "dismissed"), else_="new")
    return case_id.label("case_id"), status.label("status")


def _names(table, prefix: str) -> list:
    return [table.c[f"name_{lang}"].label(f"{prefix}_name_{lang}") for lang in ("kk", "ru", "en")]


def _query(f: FlagFilter):
    case_id, status = _status_columns()
    q = (select(af.c.id, af.c.institution_id, inst.c.bin, inst.c.name_kk, inst.c.name_ru, inst.c.name_en,
                inst.c.type_code, inst.c.sector_code, inst.c.region_code, inst.c.district_code,
                *_names(regions, "region"), *_names(districts, "district"), *_names(institution_types, "type"),
                af.c.year, af.c.detector, af.c.score, af.c.evidence, af.c.lines, af.c.appeal_ids,
                af.c.fingerprint, af.c.scanned_at, case_id, status)
         .select_from(af.join(inst, inst.c.id == af.c.institution_id)
                      .join(regions, regions.c.code == inst.c.region_code)
                      .join(districts, districts.c.code == inst.c.district_code)
                      .join(institution_types, institution_types.c.code == inst.c.type_code)))
    conditions = [af.c.score >= float(f.min_score or 0)]
    for column, value in ((af.c.year, f.year), (inst.c.region_code, f.region), (inst.c.district_code, f.district),
                          (inst.c.sector_code, f.sector), (inst.c.type_code, f.type),
                          (af.c.institution_id, f.institution_id)):
        if value is not None:
            conditions.append(column == value)
    if f.detectors:
        conditions.append(af.c.detector.in_(list(f.detectors)))
    return q.where(*conditions)


def _row(r) -> dict:
    d = dict(r)
    for key in ("evidence", "lines", "appeal_ids"):
        d[key] = json.loads(d[key]) if d.get(key) else ({} if key == "evidence" else [])
    return d


def _filtered(f: FlagFilter):
    sub = _query(f).subquery()
    q = select(sub)
    return (q.where(sub.c.status == f.status) if f.status in STATUSES else q), sub


def list_flags(conn: Connection, f: FlagFilter, limit: int | None = 5000) -> list[dict]:
    """Flags matching `f`, highest score first (then year, newest first); all with limit=None."""
    q, sub = _filtered(f)
    q = q.order_by(sub.c.score.desc(), sub.c.year.desc(), sub.c.id)
    return [_row(r) for r in conn.execute(q if limit is None else q.limit(limit)).mappings()]


def count_flags(conn: Connection, f: FlagFilter) -> int:
    """How many flags match `f` (the grid says so when it shows only the first ones)."""
    q, _ = _filtered(f)
    return conn.execute(select(func.count()).select_from(q.subquery())).scalar_one()


def get_flag(conn: Connection, flag_id: int) -> dict | None:
    """One flag with its institution and derived status, or None."""
    sub = _query(FlagFilter()).subquery()
    row = conn.execute(select(sub).where(sub.c.id == flag_id)).mappings().first()
    return _row(row) if row else None


def flag_years(conn: Connection) -> list[int]:
    """Years that have flags, newest first."""
    return [r[0] for r in conn.execute(select(af.c.year).distinct().order_by(af.c.year.desc()))]


def detector_counts(conn: Connection, year: int | None = None) -> list[dict]:
    """Per detector: institution-years flagged, institution-years with lines, and the share."""
    total_q = select(func.count()).select_from(riy)
    flagged_q = select(af.c.detector, func.count().label("flagged")).group_by(af.c.detector)
    if year is not None:
        total_q = total_q.where(riy.c.year == year)
        flagged_q = flagged_q.where(af.c.year == year)
    total = conn.execute(total_q).scalar_one()
    out = []
    for r in conn.execute(flagged_q.order_by(af.c.detector)).mappings():
        share = r["flagged"] / total if total else 0.0
        out.append({"detector": r["detector"], "flagged": int(r["flagged"]), "total": int(total),
                    "share": share, "warn": share > WARN_SHARE})
    return out


def flagged_share_by_region(conn: Connection, year: int | None = None,
                            detectors: list[str] | None = None) -> list[dict]:
    """Per region: institutions with lines (that year), institutions with ≥ 1 flag that is not
    dismissed, and the share; for the workspace's choropleth."""
    with_lines = select(riy.c.institution_id).distinct()
    if year is not None:
        with_lines = with_lines.where(riy.c.year == year)
    with_lines = with_lines.subquery()
    _, status = _status_columns()
    flagged = select(af.c.institution_id).where(status != "dismissed")
    if year is not None:
        flagged = flagged.where(af.c.year == year)
    if detectors:
        flagged = flagged.where(af.c.detector.in_(list(detectors)))
    flagged = flagged.distinct().subquery()
    q = (select(inst.c.region_code, func.count(with_lines.c.institution_id).label("institutions"),
                func.count(flagged.c.institution_id).label("flagged"))
         .select_from(inst.join(with_lines, with_lines.c.institution_id == inst.c.id)
                      .outerjoin(flagged, flagged.c.institution_id == inst.c.id))
         .group_by(inst.c.region_code).order_by(inst.c.region_code))
    return [{**dict(r), "share": (r["flagged"] / r["institutions"]) if r["institutions"] else 0.0}
            for r in conn.execute(q).mappings()]


def _scope(targets: set[tuple[int, int]] | None, years: list[int] | None, detectors: list[str] | None):
    conditions = []
    if detectors:
        conditions.append(af.c.detector.in_(list(detectors)))
    if targets is not None:
        ids = sorted({i for i, _ in targets})
        conditions.append(af.c.institution_id.in_(ids))
        if years:
            conditions.append(af.c.year.in_(list(years)))
    elif years:
        conditions.append(af.c.year.in_(list(years)))
    return conditions


def store_flags(conn: Connection, flags: list[Flag], targets: set[tuple[int, int]] | None,
                years: list[int] | None, detectors: list[str] | None = None,
                now: dt.datetime | None = None) -> dict[str, int]:
    """Replace the stored flags in scope (targets/years/detectors) by `flags`, keeping the id of a
    flag whose key survives, so links and reviews by key and open pages stay valid."""
    now = now or dt.datetime.now(dt.timezone.utc)
    existing = {(r.institution_id, r.year, r.detector): (r.id, r.fingerprint, r.score) for r in conn.execute(
        select(af.c.id, af.c.institution_id, af.c.year, af.c.detector, af.c.fingerprint, af.c.score)
        .where(*_scope(targets, years, detectors)))}
    if targets is not None:
        existing = {k: v for k, v in existing.items() if (k[0], k[1]) in targets}
    inserts, updates, seen = [], [], set()
    for flag in flags:
        key = (int(flag.institution_id), int(flag.year), flag.detector)
        seen.add(key)
        row = {"evidence": json.dumps(flag.evidence, ensure_ascii=False, sort_keys=True, default=plain),
               "lines": json.dumps(flag.lines, ensure_ascii=False, default=plain),
               "appeal_ids": json.dumps(sorted(int(a) for a in flag.appeal_ids)),
               "fingerprint": flag.fingerprint(), "score": min(1.0, max(0.0, float(flag.score))), "scanned_at": now}
        if key in existing:
            updates.append({"fid": existing[key][0], **{f"v_{k}": v for k, v in row.items()}})
        else:
            inserts.append({"institution_id": key[0], "year": key[1], "detector": key[2], **row})
    gone = [v[0] for k, v in existing.items() if k not in seen]
    if gone:
        for start in range(0, len(gone), 5000):
            conn.execute(delete(af).where(af.c.id.in_(gone[start:start + 5000])))
    if updates:
        conn.execute(update(af).where(af.c.id == bindparam("fid")).values(
            {c: bindparam(f"v_{c}") for c in ("evidence", "lines", "appeal_ids", "fingerprint", "score", "scanned_at")}), updates)
    if inserts:
        conn.execute(_upsert(conn), inserts)
    return {"inserted": len(inserts), "updated": len(updates), "deleted": len(gone)}


def _upsert(conn: Connection):
    """INSERT that updates a row another transaction stored meanwhile under the same key (an
    appeal's rescore racing a scan or another appeal's rescore) instead of failing."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(af)
    return stmt.on_conflict_do_update(
        index_elements=[af.c.institution_id, af.c.year, af.c.detector],
        set_={c: stmt.excluded[c] for c in ("evidence", "lines", "appeal_ids", "fingerprint", "score", "scanned_at")})


def plain(value):
    """JSON for numpy scalars that detectors may leave in evidence."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def bins_by_id(conn: Connection, ids: list[int]) -> dict[int, str]:
    """institution id → BIN, for writing flags with the public identifier."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        out.update(conn.execute(select(inst.c.id, inst.c.bin).where(inst.c.id.in_(chunk))).all())
    return out


def store_baselines(conn: Connection, baselines: dict[str, dict], now: dt.datetime) -> None:
    """Replace the stored national statistics of the detectors in `baselines`."""
    if baselines:
        conn.execute(delete(anomaly_baselines).where(anomaly_baselines.c.detector.in_(list(baselines))))
        conn.execute(anomaly_baselines.insert(), [
            {"detector": name, "data": json.dumps(data, sort_keys=True, default=plain), "computed_at": now}
            for name, data in baselines.items()])


def load_baselines(conn: Connection) -> dict[str, dict]:
    """detector → the national statistics of the last full scan (empty before the first one)."""
    return {r.detector: json.loads(r.data) for r in conn.execute(select(anomaly_baselines))}
