"""`/api/v1/datapackage.json`: a real export, downloaded from the app into a folder with the
descriptor pointing at the local files, passes the `frictionless` validator, and pandas reading
with the descriptor's types keeps BINs with leading zeros as text."""
import json
from urllib.parse import urlsplit

import pandas as pd
import pytest
from sqlalchemy import select, update

from dashboard.bin import is_valid_bin
from dashboard.config import load_config
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import institutions

LEADING_ZEROS = "000240258159"  # registered in 2000: read as a number it would become 240258159
YEAR = 2025


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """(client, descriptor as served, folder with the downloaded CSVs and a local datapackage.json)."""
    from app import create_app

    var_dir = tmp_path_factory.mktemp("datapackage")
    url = f"sqlite:///{var_dir / 'package.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=12, years=[YEAR], seed=3, progress=False)
    assert is_valid_bin(LEADING_ZEROS)
    with engine.begin() as conn:
        first = conn.execute(select(institutions.c.id).order_by(institutions.c.id).limit(1)).scalar_one()
        conn.execute(update(institutions).where(institutions.c.id == first).values(bin=LEADING_ZEROS))
    engine.dispose()
    client = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(var_dir)})).server.test_client()
    served = client.get("/api/v1/datapackage.json")
    assert served.status_code == 200
    package = served.json
    folder = var_dir / "package"
    folder.mkdir()
    local = json.loads(json.dumps(package))
    for resource in local["resources"]:
        parts = urlsplit(resource["path"])
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200 and response.mimetype == "text/csv", resource["path"]
        (folder / f"{resource['name']}.csv").write_bytes(response.get_data())
        resource["path"] = f"{resource['name']}.csv"
    (folder / "datapackage.json").write_text(json.dumps(local, ensure_ascii=False, indent=1), encoding="utf-8")
    return client, package, folder


def test_descriptor_describes_the_bulk_downloads(export):
    _, package, _ = export
    names = [r["name"] for r in package["resources"]]
    assert names[0] == f"budget-lines-{YEAR}" and {"institutions", "specifics", "subprograms", "programs"} <= set(names)
    assert all(r["path"].startswith("http://localhost/api/v1/bulk/") for r in package["resources"])
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["sources"]
    lines = package["resources"][0]["schema"]
    fields = {f["name"]: f for f in lines["fields"]}
    assert fields["bin"]["type"] == "string" and fields["bin"]["constraints"]["pattern"] == r"\d{12}"
    assert fields["specific_code"]["type"] == "string" and fields["paid"]["type"] == "number"
    assert {k["reference"]["resource"] for k in lines["foreignKeys"]} == {"institutions", "specifics", "subprograms"}


def test_frictionless_finds_no_error_in_a_real_export(export):
    from frictionless import Package, system

    _, _, folder = export
    with system.use_context(trusted=True):
        report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.stats["tasks"] == len(json.loads((folder / "datapackage.json").read_text())["resources"])
    # The check can fail: a line of an institution that is not in the export breaks a foreign key.
    lines = folder / f"budget-lines-{YEAR}.csv"
    text = lines.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    rest = "\n".join(rest.split("\n")[:50]) + "\n"  # a few lines are enough to check the keys
    broken = folder.parent / "broken"
    broken.mkdir()
    for path in folder.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / lines.name).write_text(f"{header}\n000000000000{first[12:]}\n{rest}", encoding="utf-8")
    with system.use_context(trusted=True):
        report = Package(str(broken / "datapackage.json")).validate()
    assert {row[0] for row in report.flatten(["type"])} == {"foreign-key"}


def test_pandas_with_the_descriptor_types_keeps_leading_zeros(export):
    _, package, folder = export
    kinds = {"string": str, "integer": "Int64", "number": float}
    for name in (f"budget-lines-{YEAR}", "institutions"):
        resource = next(r for r in package["resources"] if r["name"] == name)
        dtype = {f["name"]: kinds[f["type"]] for f in resource["schema"]["fields"]}
        frame = pd.read_csv(folder / f"{name}.csv", dtype=dtype, keep_default_na=False, na_values=[""])
        assert LEADING_ZEROS in set(frame["bin"]), name
        assert frame["bin"].str.fullmatch(r"\d{12}").all()
    # Without the descriptor, pandas turns the BIN into a number: what the package is for.
    assert 240258159 in set(pd.read_csv(folder / "institutions.csv")["bin"])
