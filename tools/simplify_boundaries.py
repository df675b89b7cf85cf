"""Build the shipped region boundaries (dashboard/geodata/kz_regions.geojson) from the full file.

    python3 tools/simplify_boundaries.py [SOURCE] [--tolerance 0.005] [--digits 3] [--out PATH]

SOURCE defaults to ../shared/data/geo/kz_regions.geojson (OpenStreetMap, ODbL 1.0). The
simplification is topological (the `topojson` package, requirements-dev.txt): each border
shared by two regions becomes one arc, simplified once, so neighbours still meet exactly —
simplifying every polygon on its own (shapely's `simplify`) moves the two copies of a border
differently and leaves slivers of gap and overlap between them. Coordinates are then rounded
to `--digits` decimals (3: ~100 m, under a pixel up to zoom 10 at Kazakhstan's latitudes);
shared vertices round to the same point, so borders still coincide.

The result keeps `iso_3166_2`, `osm_relation` and the names; NOTICE.md next to it carries the
ODbL notice and the attribution. Re-run it when the source file changes and commit both.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "geo" / "kz_regions.geojson"
OUT = ROOT / "dashboard" / "geodata" / "kz_regions.geojson"
# ~0.005° is ~400–550 m across Kazakhstan: about one pixel at zoom 8, the deepest the explorer
# fits a region to (cities are drawn at zoom 10–11, where it is 2–4 px on a smooth outline).
TOLERANCE = 0.005
DIGITS = 3
KEEP = ("iso_3166_2", "osm_relation", "name_kk", "name_ru", "name_en")


def simplify(collection: dict, tolerance: float) -> dict:
    """The collection with every shared border simplified once (topology kept)."""
    import topojson  # build-time only: requirements-dev.txt

    topo = topojson.Topology(collection, prequantize=False, topology=True, toposimplify=tolerance,
                             simplify_algorithm="dp", simplify_with="shapely")
    return json.loads(topo.to_geojson())


def _round(coords, digits: int):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_round(c, digits) for c in coords]


def rounded_feature(feature: dict, digits: int) -> dict:
    """One region with rounded coordinates, consecutive duplicates dropped, as valid geometry."""
    geom = shape(feature["geometry"])
    geom = shapely.set_precision(geom, 10 ** -digits, mode="pointwise")  # snaps every vertex alike
    geom = shapely.remove_repeated_points(geom)
    if not geom.is_valid:
        raise SystemExit(f"{feature['properties']['iso_3166_2']}: rounding made the polygon invalid "
                         f"({shapely.is_valid_reason(geom)}); use more --digits or a smaller --tolerance")
    props = {k: feature["properties"][k] for k in KEEP if k in feature["properties"]}
    return {"type": "Feature", "properties": props,
            "geometry": {"type": geom.geom_type, "coordinates": _round(mapping(geom)["coordinates"], digits)}}


def build(source: Path, tolerance: float = TOLERANCE, digits: int = DIGITS) -> dict:
    """The simplified FeatureCollection of the regions in `source`, sorted by code."""
    data = json.loads(source.read_text(encoding="utf-8"))
    for i, feature in enumerate(data["features"]):
        if not feature.get("properties", {}).get("iso_3166_2"):
            raise SystemExit(f"{source}: feature {i} has no iso_3166_2 property")
    simplified = simplify(data, tolerance)
    features = sorted((rounded_feature(f, digits) for f in simplified["features"]),
                      key=lambda f: f["properties"]["iso_3166_2"])
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=SOURCE)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="degrees (default %(default)s)")
    parser.add_argument("--digits", type=int, default=DIGITS, help="decimals kept (default %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"error: {args.source} does not exist (the shared OSM regions file)", file=sys.stderr)
        return 1
    result = build(args.source, args.tolerance, args.digits)
    body = json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(body, encoding="utf-8")
    vertices = sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in result["features"])
    print(f"{args.out}: {len(result['features'])} regions, {vertices:,} vertices, "
          f"{len(body.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
