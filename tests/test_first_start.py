"""A fresh clone with no configuration: the shipped region boundaries, and PORT.

The shipped file (dashboard/geodata/kz_regions.geojson) is built by tools/simplify_boundaries.py
from the shared OSM file; these tests check what the map needs from it and that neighbours meet.
"""
import itertools
import json
import math
import os
import subprocess
import sys
import time
import urllib.request

import pytest
import shapely
from shapely.geometry import shape

from dashboard.boundaries import SHIPPED_PATH, from_file
from dashboard.config import ConfigError, load_config
from dashboard.reference import REGION_CODES
from tests.browser import free_port
from tests.conftest import ROOT, require_boundaries

MAX_BYTES = 300 * 1024
# Mismatch allowed between neighbours, all borders together: the area of one screen pixel at
# zoom 10 at 48° N (156 543 m × cos 48° / 2^10 ≈ 102 m a side, ≈ 0.0105 km²). The explorer fits
# the country (zoom ~5), a region (6–8) and the cities (10–11) to the screen, so a total under one
# pixel at zoom 10 is no visible gap or overlap anywhere. Simplifying each region on its own (as
# BOUNDARIES_PATH files are) gives ~70 km² of overlap and ~340 km² of gaps; the shipped file 0.
MAX_MISMATCH_KM2 = 0.0105
MAX_AREA_CHANGE = 0.02  # each region's area within 2 % of the full-resolution original


def regions(path) -> dict[str, tuple[dict, object]]:
    """{code: (properties, shapely geometry)} of a GeoJSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["iso_3166_2"]: (f["properties"], shape(f["geometry"])) for f in data["features"]}


def km(geom):
    """Degrees to kilometres around Kazakhstan's middle latitude (equal-area enough for ratios
    and for sliver areas of a few km²)."""
    scale = math.cos(math.radians(48))
    return shapely.transform(geom, lambda xy: xy * [111.32 * scale, 110.57])


def gaps(union) -> object:
    """The holes inside a union of regions (a gap between neighbours shows up as one)."""
    parts = getattr(union, "geoms", [union])
    return shapely.union_all([shapely.Polygon(ring) for part in parts for ring in part.interiors])


def mismatch_km2(geoms: dict, reference: dict | None = None) -> tuple[float, float]:
    """(overlap, gap) areas in km² between neighbouring regions; gaps that are holes of the
    reference's union too (none for Kazakhstan) are not counted."""
    geoms = {code: km(g) for code, g in geoms.items()}
    overlap = sum(a.intersection(b).area for a, b in itertools.combinations(geoms.values(), 2)
                  if a.intersects(b))
    holes = gaps(shapely.union_all(list(geoms.values())))
    if reference:
        holes = holes.difference(gaps(shapely.union_all([km(g) for g in reference.values()])))
    return overlap, holes.area


@pytest.fixture(scope="module")
def shipped():
    return regions(SHIPPED_PATH)


def test_every_region_with_its_code_and_names(shipped):
    assert sorted(shipped) == sorted(REGION_CODES)
    for code, (props, geom) in shipped.items():
        assert all(props.get(f"name_{lang}", "").strip() for lang in ("kk", "ru", "en")), code
        assert geom.geom_type in {"Polygon", "MultiPolygon"} and geom.is_valid, code
    assert shipped["KZ-75"][0]["name_en"] == "Almaty" and shipped["KZ-71"][0]["name_kk"] == "Астана"
    assert (SHIPPED_PATH.parent / "NOTICE.md").read_text().count("© OpenStreetMap contributors") >= 1


def test_small_enough_to_ship():
    assert SHIPPED_PATH.stat().st_size <= MAX_BYTES


def test_neighbours_still_meet(shipped):
    geoms = {code: geom for code, (_, geom) in shipped.items()}
    overlap, gap = mismatch_km2(geoms)
    assert overlap + gap <= MAX_MISMATCH_KM2, f"{overlap:.4f} km² overlap, {gap:.4f} km² gaps"
    # The check can fail: per-region simplification of the same shapes does leave slivers.
    alone = {code: shapely.simplify(g, 0.01) for code, g in geoms.items()}
    assert sum(mismatch_km2(alone)) > 100 * MAX_MISMATCH_KM2


def test_areas_and_borders_match_the_full_file(shipped):
    full = regions(require_boundaries())
    assert sorted(full) == sorted(shipped)
    for code, (props, geom) in full.items():
        change = km(shipped[code][1]).area / km(geom).area - 1
        assert abs(change) <= MAX_AREA_CHANGE, f"{code}: area changed by {change:.2%}"
        assert {k: props[k] for k in ("name_kk", "name_ru", "name_en")} == \
               {k: shipped[code][0][k] for k in ("name_kk", "name_ru", "name_en")}


def test_the_script_builds_the_shipped_file(tmp_path):
    """The committed file is what tools/simplify_boundaries.py makes from the shared file."""
    source = require_boundaries()
    pytest.importorskip("topojson", reason="tools/simplify_boundaries.py needs requirements-dev.txt")
    out = tmp_path / "kz.geojson"
    subprocess.run([sys.executable, str(ROOT / "tools" / "simplify_boundaries.py"), str(source), "--out", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == SHIPPED_PATH.read_bytes()


def test_the_shipped_file_is_served_as_it_is():
    shapes = from_file(SHIPPED_PATH, set(REGION_CODES))
    assert shapes.source == "shipped" and set(shapes.bounds) == set(REGION_CODES)
    # Simplifying again, region by region, would open gaps between neighbours.
    served = {f["id"]: shape(f["geometry"]) for f in shapes.features["features"]}
    assert all(served[code].equals(geom) for code, (_, geom) in regions(SHIPPED_PATH).items())


def test_port_setting(tmp_path):
    assert load_config({"ASHYQ_VAR_DIR": str(tmp_path)}).port == 8050
    assert load_config({"ASHYQ_VAR_DIR": str(tmp_path), "PORT": "9001"}).port == 9001
    for bad in ("http", "0", "70000"):
        with pytest.raises(ConfigError, match="PORT"):
            load_config({"ASHYQ_VAR_DIR": str(tmp_path), "PORT": bad})


def test_run_listens_on_port_and_draws_the_shipped_regions(tmp_path):
    """`PORT=… python -m dashboard run` with nothing else set answers on that port with the
    shipped boundaries (the README's quick start, without the demo load)."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "ASHYQ_VAR_DIR": str(tmp_path), "LOG_LEVEL": "WARNING",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    env.pop("BOUNDARIES_PATH", None)
    log = tmp_path / "run.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", "run", "--no-demo"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/map/regions", timeout=2) as response:
                    data = json.load(response)
                    assert data["source"] == "shipped" and len(data["features"]) == 20
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"no answer on PORT={port}: {log.read_text()}")
                time.sleep(0.2)
        assert f"http://127.0.0.1:{port}/" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
