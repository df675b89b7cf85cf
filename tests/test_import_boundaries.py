"""Boundaries: the shared OSM file validated, simplified, stored, and used instead of the file."""
import json

import pytest
import shapely
from shapely.geometry import Point, shape
from sqlalchemy import select, text

from dashboard.importer.boundaries import import_boundaries
from dashboard.importer.run import import_institutions
from dashboard.schema import region_boundaries, regions
from tests.conftest import require_boundaries
from tests.import_files import INSTITUTION_HEADER, institution_rows, write_csv


@pytest.fixture
def shared_file():
    path = require_boundaries()
    return path


def test_round_trip_of_the_shared_regions_file(migrated_engine, shared_file):
    report = import_boundaries(migrated_engine, shared_file)
    assert report.status == "loaded" and report.inserted == 20, [i.describe("en") for i in report.issues]
    assert report.details["bytes_after"] < 400_000 < report.details["bytes_before"]
    assert report.details["vertices_after"] < report.details["vertices_before"] / 4
    with migrated_engine.connect() as conn:
        stored = {code: shape(json.loads(g)) for code, g in
                  conn.execute(select(region_boundaries.c.region_code, region_boundaries.c.geometry))}
        centres = {r.code: Point(r.center_lon, r.center_lat) for r in conn.execute(select(regions))}
    assert sorted(stored) == sorted(centres)
    for code, geom in stored.items():
        assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon"), code
        assert geom.contains(centres[code]), f"{code}'s centre is outside its simplified polygon"
    # Topology kept: neighbours still touch without overlapping (beyond rounding slivers).
    union_area = shapely.union_all(list(stored.values())).area
    assert union_area == pytest.approx(sum(g.area for g in stored.values()), rel=1e-3)
    again = import_boundaries(migrated_engine, shared_file)
    assert again.status == "loaded"
    with migrated_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM region_boundaries")).scalar_one() == 20


def test_stored_boundaries_replace_the_file_for_validation(migrated_engine, shared_file, tmp_path):
    import_boundaries(migrated_engine, shared_file)
    rows = institution_rows(2)
    rows[1][9:11] = ["41.30", "69.24"]  # Tashkent: inside the bounding box, outside Kazakhstan
    report = import_institutions(migrated_engine, write_csv(tmp_path / "i.csv", INSTITUTION_HEADER, rows))
    assert [(e.code, e.row) for e in report.errors] == [("outside_kazakhstan", 3)]


def _collection(features):
    return {"type": "FeatureCollection", "features": features}


def _feature(code, geometry=None):
    return {"type": "Feature", "properties": {"iso_3166_2": code},
            "geometry": geometry or {"type": "Polygon", "coordinates": [[[60, 50], [61, 50], [61, 51], [60, 50]]]}}


@pytest.mark.parametrize("content, codes", [
    ("not json at all", {"geojson_invalid"}),
    (json.dumps({"type": "Feature"}), {"geojson_not_collection"}),
    (json.dumps(_collection([])), {"empty"}),
    (json.dumps(_collection([_feature("KZ-11"), _feature("KZ-99")])),
     {"geojson_unknown_region", "geojson_missing_regions"}),
    (json.dumps(_collection([_feature("KZ-11", {"type": "Point", "coordinates": [60, 50]})])),
     {"geojson_not_polygon", "geojson_missing_regions"}),
    (json.dumps(_collection([{"type": "Feature", "properties": {}, "geometry": None}])),
     {"geojson_no_code", "geojson_not_polygon", "geojson_missing_regions"}),
])
def test_a_bad_boundaries_file_is_rejected_and_nothing_changes(migrated_engine, tmp_path, content, codes):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    report = import_boundaries(migrated_engine, path)
    assert report.status == "rejected" and {e.code for e in report.errors} == codes
    with migrated_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM region_boundaries")).scalar_one() == 0


def test_the_code_property_can_be_named(migrated_engine, shared_file, tmp_path):
    data = json.loads(shared_file.read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"] = {"ISO": feature["properties"]["iso_3166_2"]}
    path = tmp_path / "renamed.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert import_boundaries(migrated_engine, path).status == "rejected"
    assert import_boundaries(migrated_engine, path, code_property="ISO").status == "loaded"
