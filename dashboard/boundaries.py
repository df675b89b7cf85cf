"""Region shapes for the map, from the best source available.

Order: the `region_boundaries` table (imported, already simplified), else the GeoJSON file
at BOUNDARIES_PATH (simplified here on first use), else, when BOUNDARIES_PATH is not set, the
simplified OpenStreetMap derivative shipped in dashboard/geodata/ (built by
tools/simplify_boundaries.py, used as it is). Only a BOUNDARIES_PATH that points at no file
leaves the map without shapes: it then draws proportional circles at the regions' centres.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from dashboard.geo import KZ_BBOX

# ODbL 1.0, © OpenStreetMap contributors: see NOTICE.md next to it.
SHIPPED_PATH = Path(__file__).resolve().parent / "geodata" / "kz_regions.geojson"

# ~1 km tolerance and ~100 m precision: the 20 regions weigh ~80 kB instead of ~2 MB.
SIMPLIFY_DEGREES = 0.01
PRECISION_DEGREES = 0.001
CODE_PROPERTY = "iso_3166_2"
COUNTRY_BOUNDS = [[KZ_BBOX[0], KZ_BBOX[1]], [KZ_BBOX[2], KZ_BBOX[3]]]


@dataclass(frozen=True)
class RegionShapes:
    """Region polygons as a GeoJSON FeatureCollection, their bounds, and where they came from."""

    source: str  # "table" | "file" (BOUNDARIES_PATH) | "shipped" (dashboard/geodata)
    features: dict
    bounds: dict[str, list[list[float]]]  # code → [[south, west], [north, east]]


def _bounds(geometry) -> list[list[float]]:
    west, south, east, north = geometry.bounds
    return [[round(south, 3), round(west, 3)], [round(north, 3), round(east, 3)]]


def _collection(geometries: dict[str, object]) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {"id": code, "code": code}, "geometry": mapping(geom)}
        for code, geom in sorted(geometries.items())]}


def from_table(rows: dict[str, str]) -> RegionShapes | None:
    """Shapes from `region_boundaries` rows ({code: GeoJSON geometry text}); None if empty."""
    if not rows:
        return None
    geoms = {code: shape(json.loads(text)) for code, text in rows.items()}
    return RegionShapes("table", _collection(geoms), {c: _bounds(g) for c, g in geoms.items()})


def from_file(path: Path | None, known_codes: set[str]) -> RegionShapes | None:
    """Simplified shapes of the regions in a GeoJSON file (property `iso_3166_2`); None if absent.

    The shipped file is already simplified (with shared borders kept shared) and is used as it
    is: simplifying each region again on its own would open gaps between neighbours.
    """
    if path is None or not Path(path).exists():
        return None
    shipped = Path(path).resolve() == SHIPPED_PATH
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    geoms = {}
    for feature in data["features"]:
        code = feature["properties"].get(CODE_PROPERTY)
        if code not in known_codes:
            continue
        geom = shape(feature["geometry"])
        if not shipped:
            geom = shapely.set_precision(geom.simplify(SIMPLIFY_DEGREES, preserve_topology=True),
                                         PRECISION_DEGREES)
        geoms[code] = geom
    if not geoms:
        return None
    return RegionShapes("shipped" if shipped else "file", _collection(geoms),
                        {c: _bounds(g) for c, g in geoms.items()})


def centre_bounds(points: list[tuple[float, float]], margin: float = 0.3) -> list[list[float]]:
    """Bounds around a set of (lat, lon) points, for regions drawn without polygons."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return [[min(lats) - margin, min(lons) - margin], [max(lats) + margin, max(lons) + margin]]
