"""The bulk downloads as a Frictionless Tabular Data Package (`/api/v1/datapackage.json`).

Resources: the budget lines of each year (`/api/v1/bulk/lines?year=…`), every institution
(`/api/v1/bulk/institutions`) and the reference tables (`/api/v1/bulk/reference/<table>`).
Each has a Table Schema: BINs and codes are strings with patterns (so `000240258159` stays
text in pandas, R or a spreadsheet import), amounts are numbers (exact tenge with two decimals),
with primary and foreign keys between the resources. The lines' fields also carry the Fiscal Data
Package `columnType` (OpenSpending reads them). Resource paths are absolute URLs of this server.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import Float, Integer, SmallInteger

from dashboard.web.api import params as p, request_connection, take_request_connection
from dashboard.csvout import csv_stream, csv_text
from dashboard.web.api.params import ApiError
from dashboard.schema import MONEY_COLUMNS
from queries.catalog import INSTITUTION_FIELDS
from queries.explorer import available_years
from queries.open_data import REFERENCE_TABLES, reference_rows, stream_institutions

LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
BIN = {"type": "string", "constraints": {"required": True, "pattern": r"\d{12}", "minLength": 12, "maxLength": 12},
       "description": "12-digit business identification number (БСН/БИН), leading zeros kept"}
# Codes that are digits with a fixed width: text, never numbers (leading zeros are part of them).
PATTERNS = {"functional_group": r"\d{2}", "program_code": r"\d{3}-\d{3}", "subprogram_code": r"\d{3}",
            "specific_code": r"\d{3}", "administrator": r"\d{3}", "region_code": r"KZ-\d{2}"}
# (table, column) → the pattern name of a table's own code column.
OWN_CODE = {("functional_groups", "code"): "functional_group", ("programs", "code"): "program_code",
            ("subprograms", "code"): "subprogram_code", ("specifics", "code"): "specific_code",
            ("regions", "code"): "region_code"}
MONEY = {"type": "number", "decimalChar": ".", "bareNumber": True, "columnType": "value"}
MONEY_TEXT = {"plan": "approved plan", "plan_adjusted": "adjusted (current) plan",
              "obligations": "obligations registered", "paid": "payments made"}
LINE_FIELDS = [
    {"name": "bin", **BIN, "columnType": "administrative-classification:generic:code"},
    {"name": "year", "type": "integer", "constraints": {"required": True, "minimum": 2000, "maximum": 2100},
     "columnType": "date:fiscal-year"},
    {"name": "month", "type": "integer", "constraints": {"required": True, "minimum": 1, "maximum": 12}},
    {"name": "program_code", "type": "string", "constraints": {"required": True, "pattern": PATTERNS["program_code"]},
     "description": "budget program: administrator-program", "columnType": "activity:generic:program:code"},
    {"name": "subprogram_code", "type": "string",
     "constraints": {"required": True, "pattern": PATTERNS["subprogram_code"]},
     "columnType": "activity:generic:subprogram:code"},
    {"name": "specific_code", "type": "string", "constraints": {"required": True, "pattern": PATTERNS["specific_code"]},
     "description": "economic classification specific", "columnType": "economic-classification:generic:code"},
    *[{"name": c, **MONEY, "constraints": {"required": True},
       "description": f"{MONEY_TEXT[c]}, tenge with two decimals"} for c in MONEY_COLUMNS],
]
LINE_KEY = ["bin", "year", "month", "program_code", "subprogram_code", "specific_code"]
# Foreign keys of the institutions and the reference tables: (fields, resource, its fields).
REFERENCES = {
    "institutions": [("type_code", "institution_types", "code"), ("sector_code", "sectors", "code"),
                     ("region_code", "regions", "code"), ("district_code", "districts", "code")],
    "districts": [("region_code", "regions", "code")],
    "functional_groups": [("sector_code", "sectors", "code")],
    "programs": [("functional_group", "functional_groups", "code")],
    "subprograms": [("program_code", "programs", "code")],
    "institution_types": [("sector_code", "sectors", "code")],
}
LINE_REFERENCES = [("bin", "institutions", "bin"), ("specific_code", "specifics", "code"),
                   (["program_code", "subprogram_code"], "subprograms", ["program_code", "code"])]


def _field(table: str, column) -> dict:
    """A Table Schema field for a column of a reference table or of institutions."""
    pattern = PATTERNS.get(OWN_CODE.get((table, column.name)) or column.name)
    if column.name == "bin":
        field = {"name": "bin", **BIN}
    elif pattern:
        field = {"name": column.name, "type": "string", "constraints": {"pattern": pattern}}
    elif isinstance(column.type, (SmallInteger, Integer)):
        field = {"name": column.name, "type": "integer", "constraints": {}}
    elif isinstance(column.type, Float):
        field = {"name": column.name, "type": "number", "constraints": {}}
    else:
        field = {"name": column.name, "type": "string", "constraints": {}}
    if not column.nullable:
        field["constraints"]["required"] = True
    if not field["constraints"]:
        del field["constraints"]
    return field


def _keys(references) -> list[dict]:
    return [{"fields": fields, "reference": {"resource": resource, "fields": target}}
            for fields, resource, target in references]


def _resource(name: str, path: str, title: str, fields: list[dict], primary_key, references) -> dict:
    schema = {"fields": fields, "primaryKey": primary_key, "missingValues": [""]}
    if references:
        schema["foreignKeys"] = _keys(references)
    return {"name": name, "title": title, "path": path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "dialect": {"delimiter": ",", "header": True},
            "schema": schema}


def descriptor(base: str, years: list[int]) -> dict:
    """The data package: `base` is the API's absolute URL ("https://host/api/v1/")."""
    from dashboard.schema import institutions

    resources = [_resource(f"budget-lines-{y}", f"{base}bulk/lines?year={y}", f"Expenditure lines {y}", LINE_FIELDS,
                           LINE_KEY, LINE_REFERENCES) for y in years]
    resources.append(_resource("institutions", f"{base}bulk/institutions", "Institutions",
                               [_field("institutions", institutions.c[f]) for f in INSTITUTION_FIELDS],
                               ["bin"], REFERENCES["institutions"]))
    for name, table in REFERENCE_TABLES.items():
        resources.append(_resource(name.replace("_", "-"), f"{base}bulk/reference/{name}", name.replace("_", " "),
                                   [_field(name, c) for c in table.columns],
                                   [c.name for c in table.primary_key.columns], REFERENCES.get(name, [])))
    # Foreign keys name resources: use the resource names (hyphens) everywhere.
    for resource in resources:
        for key in resource["schema"].get("foreignKeys", []):
            key["reference"]["resource"] = key["reference"]["resource"].replace("_", "-")
    return {
        "profile": "tabular-data-package",
        "name": "ashyq-budget",
        "title": "Ashyq Budget: budgets of Kazakhstan's public institutions",
        "description": "Plans, adjusted plans, obligations and payments of public institutions of Kazakhstan by "
                       "month, budget program, subprogram and economic specific, with the institutions and the "
                       "budget classification. Amounts in tenge. Bulk downloads of the Ashyq Budget open-data API.",
        "homepage": base.rsplit("api/v1/", 1)[0],
        "licenses": [LICENSE],
        "sources": [{"title": "Budgets published by the institutions, as imported into Ashyq Budget",
                     "path": f"{base}openapi.json"}],
        "keywords": ["budget", "Kazakhstan", "fiscal", "open data"],
        "resources": resources,
    }


def register(bp: Blueprint, engine) -> None:
    @bp.get("/datapackage.json")
    def datapackage_descriptor():
        p.reject_unknown(set())
        base = request.host_url + "api/v1/"
        return jsonify(descriptor(base, available_years(request_connection(engine))))

    @bp.get("/bulk/institutions")
    def bulk_institutions():
        p.reject_unknown(set())
        conn = take_request_connection(engine)  # closed when the stream ends (see bulk_lines)

        def body():
            try:
                yield from csv_stream(stream_institutions(conn), list(INSTITUTION_FIELDS))
            finally:
                conn.close()

        response = Response(body(), mimetype="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="institutions.csv"'})
        response.call_on_close(conn.close)
        return response

    @bp.get("/bulk/reference/<name>")
    def bulk_reference(name: str):
        p.reject_unknown(set())
        if name not in REFERENCE_TABLES:
            raise ApiError(404, f"no reference table {name!r}; tables: {', '.join(REFERENCE_TABLES)}", "name")
        rows = reference_rows(request_connection(engine), name)
        return Response(csv_text(rows, [c.name for c in REFERENCE_TABLES[name].columns]), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
