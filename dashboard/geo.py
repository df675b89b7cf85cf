"""Region boundaries: reading GeoJSON and testing which points fall inside."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# Kazakhstan's extent with a small margin (degrees).
KZ_BBOX = (40.5, 46.4, 55.5, 87.4)  # min lat, min lon, max lat, max lon


def load_region_polygons(path: Path, code_property: str = "iso_3166_2") -> dict[str, list[list[np.ndarray]]]:
    """{region code: [polygon: [outer ring, holes...] as (n, 2) lon/lat arrays]}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    result: dict[str, list[list[np.ndarray]]] = {}
    for feature in data["features"]:
        code = feature["properties"][code_property]
        geom = feature["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        result.setdefault(code, []).extend(
            [[np.asarray(ring, dtype=float)[:, :2] for ring in poly] for poly in polys])
    return result


def _ring_contains(ring: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Even-odd ray casting of many points against one ring, vectorised over edges."""
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    inside = np.zeros(lon.shape, dtype=bool)
    # Process edges in blocks to bound memory (points × edges booleans).
    block = max(1, 4_000_000 // max(1, lon.size))
    for s in range(0, x1.size, block):
        a1, b1, a2, b2 = (v[s:s + block, None] for v in (x1, y1, x2, y2))
        crosses = (b1 > lat) != (b2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = a1 + (lat - b1) * (a2 - a1) / (b2 - b1)
        inside ^= np.logical_xor.reduce(crosses & (lon < x_at), axis=0)
    return inside


def points_in_polygons(polygons: list[list[np.ndarray]], lat, lon) -> np.ndarray:
    """Boolean mask: which (lat, lon) points lie inside any of the polygons."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    result = np.zeros(lat.shape, dtype=bool)
    for rings in polygons:
        outer, holes = rings[0], rings[1:]
        # Cheap bounding-box prefilter before the exact test.
        cand = ((lon >= outer[:, 0].min()) & (lon <= outer[:, 0].max())
                & (lat >= outer[:, 1].min()) & (lat <= outer[:, 1].max()) & ~result)
        if not cand.any():
            continue
        idx = np.flatnonzero(cand)
        inside = _ring_contains(outer, lon[idx], lat[idx])
        for hole in holes:
            inside &= ~_ring_contains(hole, lon[idx], lat[idx])
        result[idx[inside]] = True
    return result


def inside_bbox(lat, lon) -> np.ndarray:
    """Boolean mask: points inside Kazakhstan's bounding box."""
    lat, lon = np.asarray(lat), np.asarray(lon)
    return (lat >= KZ_BBOX[0]) & (lat <= KZ_BBOX[2]) & (lon >= KZ_BBOX[1]) & (lon <= KZ_BBOX[3])
