"""Map layer endpoints: compact, compressed, cacheable points; regions from table, file or centres."""
import gzip
import json

import orjson
from sqlalchemy import insert, text

from app import create_app
from dashboard.boundaries import from_file
from dashboard.config import load_config
from dashboard.reference import REGION_CODES
from dashboard.schema import region_boundaries
from tests.conftest import DEMO_INSTITUTIONS, DEMO_YEARS, boundaries_path, require_boundaries


def client_for(engine, tmp_path, boundaries=None):
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "ASHYQ_VAR_DIR": str(tmp_path)}
    if boundaries:
        env["BOUNDARIES_PATH"] = str(boundaries)
    return create_app(load_config(env)).server.test_client()


def test_points_are_compact_compressed_and_cached(demo_engine, tmp_path):
    client = client_for(demo_engine, tmp_path)
    response = client.get(f"/api/map/points?year={DEMO_YEARS[-1]}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    data = orjson.loads(gzip.decompress(response.data))
    ids = [f["properties"]["id"] for f in data["features"]]
    assert len(ids) == len(set(ids)) == DEMO_INSTITUTIONS
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 46 < lon < 88 and 40 < lat < 56 and round(lon, 3) == lon
    assert set(data["features"][0]["properties"]) == {"id", "s"}
    etag = response.headers["ETag"]
    assert "public" in response.headers["Cache-Control"]
    again = client.get(f"/api/map/points?year={DEMO_YEARS[-1]}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_points_filter_by_sector_and_reject_bad_input(demo_engine, tmp_path):
    client = client_for(demo_engine, tmp_path)
    data = client.get(f"/api/map/points?year={DEMO_YEARS[-1]}&sectors=health,education").get_json()
    assert data["features"] and {f["properties"]["s"] for f in data["features"]} <= {"health", "education"}
    bad = client.get("/api/map/points?year=twenty")
    assert bad.status_code == 400 and "year" in bad.get_json()["error"]
    bad = client.get(f"/api/map/points?year={DEMO_YEARS[-1]}&sectors=health,space")
    assert bad.status_code == 400 and "space" in bad.get_json()["error"]


def test_regions_fall_back_to_centres_without_boundaries(demo_engine, tmp_path):
    data = client_for(demo_engine, tmp_path).get("/api/map/regions").get_json()
    assert data["source"] == "centres"
    assert sorted(f["properties"]["code"] for f in data["features"]) == sorted(REGION_CODES)
    assert {f["geometry"]["type"] for f in data["features"]} == {"Point"}


def test_regions_from_the_boundaries_file(demo_engine, tmp_path):
    path = require_boundaries()
    response = client_for(demo_engine, tmp_path, path).get("/api/map/regions")
    data = response.get_json()
    assert data["source"] == "file" and len(data["features"]) == 20
    assert {f["geometry"]["type"] for f in data["features"]} <= {"Polygon", "MultiPolygon"}
    assert len(response.data) < 150_000  # simplified: the source file is ~1.8 MB


def test_regions_prefer_the_imported_table(migrated_engine, tmp_path):
    square = {"type": "Polygon", "coordinates": [[[69, 53], [70, 53], [70, 54], [69, 54], [69, 53]]]}
    with migrated_engine.begin() as conn:
        conn.execute(insert(region_boundaries).values(region_code="KZ-11", geometry=json.dumps(square),
                                                      vertices=5, source="test"))
    data = client_for(migrated_engine, tmp_path, boundaries_path()).get("/api/map/regions").get_json()
    assert data["source"] == "table"
    assert [f["properties"]["code"] for f in data["features"]] == ["KZ-11"]


def test_file_simplification_keeps_every_region():
    path = require_boundaries()
    shapes = from_file(path, set(REGION_CODES))
    assert shapes.source == "file" and set(shapes.bounds) == set(REGION_CODES)
    (south, west), (north, east) = shapes.bounds["KZ-75"]  # Almaty city
    assert 43 < south < north < 44 and 76 < west < east < 78


def test_version_changes_the_etag(migrated_engine, tmp_path):
    client = client_for(migrated_engine, tmp_path)
    first = client.get("/api/map/regions").headers["ETag"]
    with migrated_engine.begin() as conn:
        conn.execute(text("INSERT INTO publications (source, kind, description) VALUES ('test', 'full', 'x')"))
    assert client.get("/api/map/regions").headers["ETag"] != first
