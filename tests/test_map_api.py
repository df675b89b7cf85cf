"""Map layer endpoints: compact, compressed, cacheable points; regions from table, file or centres."""
import gzip
import json

import brotli
import geobuf
import orjson
from sqlalchemy import insert, text

from app import create_app
from dashboard import map_layers
from dashboard.boundaries import from_file
from dashboard.config import load_config
from dashboard.reference import REGION_CODES, SECTOR_CODES
from dashboard.schema import region_boundaries
from queries import explorer
from tests.conftest import DEMO_INSTITUTIONS, DEMO_YEARS, boundaries_path, require_boundaries


def client_for(engine, tmp_path, boundaries=None):
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "ASHYQ_VAR_DIR": str(tmp_path)}
    if boundaries:
        env["BOUNDARIES_PATH"] = str(boundaries)
    return create_app(load_config(env)).server.test_client()


def points(response) -> list[dict]:
    """The features of a geobuf points answer (decoded by the reference geobuf decoder)."""
    body = response.data
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "br":
        body = brotli.decompress(body)
    return geobuf.decode(body)["features"]


def test_point_encoding_matches_the_reference_geobuf_encoder():
    rows = [(1, 43.2567, 76.9286, "education"), (17000, 51.1605, 71.4704, "health"), (300, 40.0, 88.0, "roads")]
    # ids on each side of the varint byte boundaries, and a point far outside Kazakhstan
    rows += [(i, 0.0004, -179.9996, "health") for i in (127, 128, 16383, 16384, 2097151, 2097152, 2**40)]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
         "properties": {"id": i, "s": map_layers.sector_index(s)}} for i, lat, lon, s in rows]}
    ours = map_layers.collection([map_layers.point_feature(i, lat, lon, map_layers.sector_index(s))
                                  for i, lat, lon, s in rows])
    assert ours == geobuf.encode(collection, 3)
    assert geobuf.decode(map_layers.collection([])) == {"type": "FeatureCollection", "features": []}


def test_points_are_compact_precompressed_and_cached(demo_engine, tmp_path):
    client = client_for(demo_engine, tmp_path)
    url = f"/api/map/points?year={DEMO_YEARS[-1]}"
    response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert response.mimetype == "application/x-protobuf" and "Accept-Encoding" in response.headers["Vary"]
    features = points(response)
    ids = [f["properties"]["id"] for f in features]
    assert len(ids) == len(set(ids)) == DEMO_INSTITUTIONS
    lon, lat = features[0]["geometry"]["coordinates"]
    assert 46 < lon < 88 and 40 < lat < 56 and round(lon, 3) == lon
    assert set(features[0]["properties"]) == {"id", "s"}
    with demo_engine.connect() as conn:
        sectors = dict(conn.execute(text("SELECT id, sector_code FROM institutions")).all())
    assert all(SECTOR_CODES[f["properties"]["s"]] == sectors[f["properties"]["id"]] for f in features)
    # The same features in every encoding, each made once (the next answer is the same object).
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert points(gzipped) == points(plain) == features
    assert len(response.data) < len(gzipped.data) < len(plain.data)
    etag = response.headers["ETag"]
    assert etag.startswith('W/"') and "public" in response.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.data == b""


def test_points_bodies_are_made_once_per_version_and_bounded(demo_engine):
    loads = []

    def locations(conn):
        loads.append("all")
        return explorer.institution_locations(conn)

    def year(conn, y):
        loads.append(y)
        return explorer.institutions_with_budget(conn, y)

    with demo_engine.connect() as conn:
        size = len(map_layers.PointsCache(locations, year).body(conn, 1, DEMO_YEARS[-1]).plain)
        loads.clear()
        cache = map_layers.PointsCache(locations, year, max_bytes=2 * size)  # the whole year and a subset
        whole = cache.body(conn, 1, DEMO_YEARS[-1])
        assert cache.body(conn, 1, DEMO_YEARS[-1]) is whole and whole.encoded("br") is whole.encoded("br")
        health = cache.body(conn, 1, DEMO_YEARS[-1], ("health", "education"))
        assert cache.body(conn, 1, DEMO_YEARS[-1], ("education", "health")) is health
        assert loads == ["all", DEMO_YEARS[-1]]  # a subset reuses the encoded features
        cache.body(conn, 1, DEMO_YEARS[0])  # another whole year: over the bound, the oldest goes
        assert cache.body(conn, 1, DEMO_YEARS[-1]) is not whole
        assert cache.body(conn, 2, DEMO_YEARS[-1]) is not whole and loads.count("all") == 2  # new version
    assert {SECTOR_CODES[f["properties"]["s"]] for f in geobuf.decode(health.plain)["features"]} \
        == {"health", "education"}


def test_sector_sets_of_a_pinned_view_read_the_history_once(demo_engine):
    pinned = []

    def year_asof(conn, y, asof):
        pinned.append((y, asof))
        return explorer.institutions_with_budget(conn, y)

    cache = map_layers.PointsCache(explorer.institution_locations, explorer.institutions_with_budget,
                                   load_year_asof=year_asof)
    with demo_engine.connect() as conn:
        whole = cache.body(conn, 1, DEMO_YEARS[-1], (), 7)
        health = cache.body(conn, 1, DEMO_YEARS[-1], ("health",), 7)
        cache.body(conn, 1, DEMO_YEARS[-1], ("education",), 8)
        assert cache.body(conn, 1, DEMO_YEARS[-1], ("education",), 7) is not health
        assert pinned == [(DEMO_YEARS[-1], 7), (DEMO_YEARS[-1], 8)]  # one read per pinned publication and year
        for n in range(map_layers.PointsCache.ASOF_YEARS + 1):  # bounded: the oldest pinned pair goes
            cache.body(conn, 1, DEMO_YEARS[-1], ("health",), 100 + n)
        cache.body(conn, 1, DEMO_YEARS[-1], ("roads",), 7)
        assert pinned[-1] == (DEMO_YEARS[-1], 7)
    assert len(geobuf.decode(health.plain)["features"]) < len(geobuf.decode(whole.plain)["features"])


def test_points_filter_by_sector_and_reject_bad_input(demo_engine, tmp_path):
    client = client_for(demo_engine, tmp_path)
    features = points(client.get(f"/api/map/points?year={DEMO_YEARS[-1]}&sectors=health,education"))
    assert features and {SECTOR_CODES[f["properties"]["s"]] for f in features} <= {"health", "education"}
    bad = client.get("/api/map/points?year=twenty")
    assert bad.status_code == 400 and "year" in bad.get_json()["error"]
    bad = client.get(f"/api/map/points?year={DEMO_YEARS[-1]}&sectors=health,space")
    assert bad.status_code == 400 and "space" in bad.get_json()["error"]


def test_regions_are_precompressed_and_revalidated(demo_engine, tmp_path):
    client = client_for(demo_engine, tmp_path)
    plain = client.get("/api/map/regions")
    response = client.get("/api/map/regions", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br" and "Content-Encoding" not in plain.headers
    assert orjson.loads(brotli.decompress(response.data)) == plain.get_json()
    again = client.get("/api/map/regions", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and "Accept-Encoding" in again.headers["Vary"]


def test_regions_fall_back_to_centres_without_boundaries(demo_engine, tmp_path):
    # Unset, BOUNDARIES_PATH means the shipped file: only a path to no file leaves no shapes.
    data = client_for(demo_engine, tmp_path, tmp_path / "missing.geojson").get("/api/map/regions").get_json()
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
