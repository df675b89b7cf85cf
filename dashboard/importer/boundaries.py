"""Importing region boundaries: validate a GeoJSON file, simplify it, store it in the database."""
from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from sqlalchemy import Engine

from dashboard.importer.report import ImportRejected, ImportReport
from queries import imports as q
from queries.bulk import log_publication

DEFAULT_TOLERANCE = 0.01  # degrees (about 1 km): outlines stay recognisable at country zoom
COORDINATE_DIGITS = 4  # about 10 m
MAX_JSON_DEPTH = 64  # a FeatureCollection of MultiPolygons is 8 deep; the parser recurses per level
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def import_boundaries(engine: Engine, path: Path, code_property: str = "iso_3166_2",
                      tolerance: float = DEFAULT_TOLERANCE, dry_run: bool = False,
                      max_bytes: int = 100 * 1024 * 1024, source: str = "import") -> ImportReport:
    """Validate, simplify (topology-preserving) and store the 20 regions' polygons."""
    started = time.perf_counter()
    path = Path(path)
    report = ImportReport("boundaries", path.name, dry_run=dry_run)
    try:
        features = _read_features(path, report, max_bytes)
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                codes, geometries = _validate(features, code_property, q.region_codes(conn), report)
                report.rows_read = len(features)
                simplified = shapely.coverage_simplify(geometries, tolerance)
                simplified = [shapely.set_precision(g, 10 ** -COORDINATE_DIGITS) for g in simplified]
                rows = []
                for code, geom in zip(codes, simplified):
                    if geom.is_empty or not geom.is_valid:
                        geom = shapely.make_valid(geom)
                    text = json.dumps(mapping(geom), separators=(",", ":"))
                    rows.append(dict(region_code=code, geometry=text, vertices=int(shapely.get_num_coordinates(geom)),
                                     source=path.name))
                report.details = {
                    "vertices_before": int(sum(shapely.get_num_coordinates(g) for g in geometries)),
                    "vertices_after": sum(r["vertices"] for r in rows),
                    "bytes_before": path.stat().st_size,
                    "bytes_after": sum(len(r["geometry"]) for r in rows)}
                q.replace_boundaries(conn, rows)
                report.inserted = len(rows)
                report.publication_id = log_publication(
                    conn, source, "boundaries", f"{path.name}: boundaries of {len(rows)} regions", 0, 0)
                report.written = True
                if dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()
            except BaseException:
                transaction.rollback()
                raise
    except ImportRejected:
        report.written = False
    report.seconds = time.perf_counter() - started
    return report


def _read_features(path: Path, report: ImportReport, max_bytes: int) -> list[dict]:
    def reject(code: str, **params):
        report.error(code, **params)
        raise ImportRejected(report)

    try:
        size = path.stat().st_size
        if size > max_bytes:
            reject("too_big", size=f"{size / 1048576:.1f}", limit=f"{max_bytes / 1048576:.1f}")
        if size == 0:
            reject("empty")
        raw = path.read_bytes()
    except OSError as exc:
        reject("unreadable", reason=exc.strerror or str(exc))
    if _too_deep(raw, MAX_JSON_DEPTH):
        reject("geojson_too_deep", limit=MAX_JSON_DEPTH)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reject("geojson_invalid", reason=str(exc)[:120])
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        reject("geojson_not_collection")
    if not data["features"]:
        reject("empty")
    return data["features"]


def _too_deep(raw: bytes, limit: int, chunk: int = 1 << 22) -> bool:
    """Whether brackets ([ and {, outside strings) nest deeper than `limit`: checked before the
    JSON parser, which recurses once per level. Vectorised, in chunks (memory stays small)."""
    text = np.frombuffer(_JSON_STRING.sub(b'""', raw), dtype=np.uint8)
    depth = 0
    for start in range(0, text.size, chunk):
        part = text[start:start + chunk]
        step = ((part == ord("[")) | (part == ord("{"))).astype(np.int32)
        step -= ((part == ord("]")) | (part == ord("}"))).astype(np.int32)
        levels = np.cumsum(step, dtype=np.int32) + depth
        if levels.size and int(levels.max()) > limit:
            return True
        depth = int(levels[-1]) if levels.size else depth
    return False


def _finite(coordinates) -> bool:
    """Every number in a (nested) coordinates list is finite: NaN and Infinity are not places."""
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


def _validate(features: list[dict], code_property: str, known: set[str], report: ImportReport):
    by_code: dict[str, list] = {}
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        code = str(props.get(code_property, "")).strip().upper()
        geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else {}
        if not code:
            report.error("geojson_no_code", row=number, column=code_property)
        elif code not in known:
            report.error("geojson_unknown_region", row=number, column=code_property, value=code)
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            report.error("geojson_not_polygon", row=number, column="geometry", value=str(geometry.get("type")))
            continue
        if not _finite(geometry.get("coordinates")):
            report.error("geojson_not_finite", row=number, column="geometry", value=code or None)
            continue
        try:
            geom = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, ShapelyError) as exc:
            report.error("geojson_bad_geometry", row=number, column="geometry", reason=str(exc)[:120])
            continue
        if not geom.is_valid:
            report.warning("geojson_repaired", row=number, column="geometry", value=code,
                           reason=shapely.is_valid_reason(geom)[:120])
            geom = shapely.make_valid(geom)
        if code in known:
            by_code.setdefault(code, []).append(geom)
    missing = sorted(known - set(by_code))
    if missing:
        report.error("geojson_missing_regions", regions=", ".join(missing))
    if report.error_count:
        raise ImportRejected(report)
    codes = sorted(by_code)
    geometries = [shapely.union_all(by_code[c]) if len(by_code[c]) > 1 else by_code[c][0] for c in codes]
    return codes, geometries
