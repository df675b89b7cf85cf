"""OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json)."""
from __future__ import annotations

import functools
import hashlib
import json

from dashboard.web.api.params import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOP

from queries.open_data import REFERENCE_TABLES
from queries.spending import DIMENSIONS as SPENDING_DIMENSIONS

REFERENCE_TABLE_NAMES = tuple(REFERENCE_TABLES)

_MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$",
          "description": "Exact amount in tenge with two decimals (from integer tiyn)."}
_NAMES = {f"name_{lang}": {"type": ["string", "null"]} for lang in ("kk", "ru", "en")}


def _q(name, schema, description, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _path(name, schema, description):
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


_FORMAT = _q("format", {"type": "string", "enum": ["json", "csv"], "default": "json"},
             "json (default) or csv (the rows of `data` as CSV)")
_YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}
_CODE = {"type": "string", "minLength": 1, "maxLength": 40}
_LIMIT = _q("limit", {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
            f"page size; values above {MAX_LIMIT} are lowered to {MAX_LIMIT}")
_OFFSET = _q("offset", {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}, "rows to skip")
_BIN = _path("bin", {"type": "string", "pattern": r"^\d{12}$"}, "12-digit BIN with a valid check digit")
# Citable views (issue 14): the numbers as they were right after a publication of the log.
_ASOF = _q("asof", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
           "publication id (`version` of /explorer; the first part of /version): the numbers as they were right "
           "after that publication; 404 when the log has no such publication")
_PUBLICATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "published_at": {"type": "string", "format": "date-time"},
    "source": {"type": "string"}, "kind": {"type": "string"}, "description": {"type": "string"},
    "institutions": {"type": "integer"}, "lines": {"type": "integer"},
    "published_by": {"type": ["string", "null"]},
    "view_lines": {"type": ["integer", "null"], "description": "lines of the view this publication wrote"}}}
_AREA = {"type": "object", "properties": {"code": {"type": "string"}, **_NAMES,
                                          "population": {"type": ["integer", "null"]},
                                          "plan_adjusted": _MONEY, "paid": _MONEY}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(item, paged=False):
    props = {"data": {"type": "array", "items": item}}
    if paged:
        props |= {"total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}
    return {"type": "object", "required": ["data"], "properties": props}


def _responses(schema, csv=True, not_found=False):
    content = {"application/json": {"schema": schema}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    result = {"200": {"description": "OK", "content": content,
                      "headers": {"ETag": {"schema": {"type": "string"}},
                                  "Last-Modified": {"schema": {"type": "string"}}}},
              "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
              "400": {"description": "Invalid parameter", "content": {"application/json": {"schema": _ref("Error")}}}}
    if not_found:
        result["404"] = {"description": "Not found", "content": {"application/json": {"schema": _ref("Error")}}}
    return result


def _get(summary, parameters, responses, tag):
    return {"get": {"summary": summary, "tags": [tag], "parameters": parameters, "responses": responses}}


@functools.cache
def spec() -> dict:
    """The OpenAPI 3.1 document."""
    institution = {"type": "object", "properties": {
        "bin": {"type": "string"}, **_NAMES, "type_code": {"type": "string"}, "sector_code": {"type": "string"},
        "region_code": {"type": "string"}, "district_code": {"type": "string"}, "address": {"type": "string"},
        "address_kk": {"type": ["string", "null"], "description": "the address in Kazakh, where published"},
        "lat": {"type": "number"}, "lon": {"type": "number"}, "budget_level": {"type": "string"},
        "capacity_unit": {"type": ["string", "null"]}, "capacity": {"type": ["integer", "null"]},
        "plan": _MONEY, "plan_adjusted": _MONEY, "obligations": _MONEY, "paid": _MONEY}}
    line = {"type": "object", "properties": {
        "bin": {"type": "string"}, "year": {"type": "integer"}, "month": {"type": "integer"},
        "program_code": {"type": "string"}, "subprogram_code": {"type": "string"},
        "specific_code": {"type": "integer"}, "plan": _MONEY, "plan_adjusted": _MONEY,
        "obligations": _MONEY, "paid": _MONEY}}
    coded = {"type": "object", "properties": {"code": {"type": "string"}, **_NAMES}}
    paths = {
        "/regions": _get("Regions of Kazakhstan", [_FORMAT], _responses(_list_of(coded)), "reference"),
        "/regions/{code}/districts": _get(
            "Districts of a region", [_path("code", _CODE, "region code, e.g. KZ-11"), _FORMAT],
            _responses(_list_of(coded), not_found=True), "reference"),
        "/sectors": _get("Sectors", [_FORMAT], _responses(_list_of(coded)), "reference"),
        "/classification": _get("Budget classification and institution types", [],
                                _responses({"type": "object"}, csv=False), "reference"),
        "/institutions": _get("Institutions, filtered and paged (money totals when year is given)", [
            _q("region", _CODE, "region code"), _q("district", _CODE, "district code"),
            _q("sector", _CODE, "sector code"), _q("type", _CODE, "institution type code"),
            _q("year", _YEAR, "only institutions with a budget this year; adds its totals"),
            _q("q", {"type": "string", "maxLength": 200}, "search: name (kk/ru/en), BIN or address"),
            _LIMIT, _OFFSET, _FORMAT], _responses(_list_of(institution, paged=True)), "institutions"),
        "/institutions/{bin}": _get("One institution with yearly totals (as of `asof`) and documents", [_BIN, _ASOF],
                                    _responses({"type": "object"}, csv=False, not_found=True), "institutions"),
        "/institutions/{bin}/lines": _get("Expenditure lines of an institution", [
            _BIN, _q("year", _YEAR, "budget year"), _q("month", {"type": "integer", "minimum": 1, "maximum": 12},
                                                        "month 1-12"),
            _q("specific", {"type": "integer", "minimum": 0, "maximum": 32767}, "economic specific code"),
            _q("limit", {"type": "integer", "minimum": 1, "default": MAX_LIMIT},
               f"page size; values above {MAX_LIMIT} are lowered to {MAX_LIMIT}"), _OFFSET, _ASOF, _FORMAT],
            _responses(_list_of(line, paged=True), not_found=True), "institutions"),
        "/explorer": _get(
            "What the explorer's front page shows for a selection, now or as of a publication (a citable view)", [
                _q("year", _YEAR, "budget year (default: the newest)"),
                _q("months", {"type": "string", "pattern": r"^\d{1,2}(-\d{1,2})?$"},
                   "a month (3) or a range (1-6) of the year; default 1-12"),
                _q("sectors", {"type": "string", "maxLength": 400}, "sector codes, comma separated"),
                _q("region", _CODE, "region code: `areas` are then its districts"),
                _q("district", _CODE, "district code (needs its region)"),
                _q("n", {"type": "integer", "minimum": 1, "default": 5},
                   f"how many of the largest institutions; capped at {MAX_TOP}"), _ASOF],
            _responses({"type": "object", "required": ["selection", "version", "totals", "areas", "sectors",
                                                       "top_institutions", "sources"], "properties": {
                "selection": {"type": "object"},
                "asof": {"type": ["integer", "null"], "description": "the publication asked for (null: now)"},
                "version": {"type": "integer", "description": "the publication the numbers are as of: put it "
                                                              "in `asof` to get the same numbers later"},
                "totals": {"type": "object", "properties": {"plan_adjusted": _MONEY, "paid": _MONEY,
                                                            "institutions": {"type": "integer"}}},
                "areas": {"type": "array", "items": _AREA},
                "sectors": {"type": "array", "items": _AREA},
                "top_institutions": {"type": "array", "items": {"type": "object"}},
                "sources": {"type": "array", "items": _PUBLICATION,
                            "description": "the publications that wrote the lines these numbers add up"}}},
                csv=False, not_found=True), "aggregates"),
        "/top": _get("Largest budgets of a year", [
            _q("n", {"type": "integer", "minimum": 1, "default": 10}, f"how many; capped at {MAX_TOP}"),
            _q("by", {"type": "string", "enum": ["plan", "plan_adjusted", "obligations", "paid"],
                      "default": "plan_adjusted"}, "amount to rank by"),
            _q("year", _YEAR, "budget year (default: the newest)"), _q("region", _CODE, "region code"),
            _q("sector", _CODE, "sector code"), _FORMAT], _responses(_list_of(institution)), "institutions"),
        "/responsiveness": _get(
            "How institutions, districts or regions answer public appeals (counted now)", [
                _q("by", {"type": "string", "enum": ["region", "district", "institution"], "default": "region"},
                   "the level: every region, every district (of `region`), or each institution with public appeals"),
                _q("region", _CODE, "only this region's districts or institutions"), _FORMAT],
            _responses(_list_of({"type": "object", "properties": {
                "code": {"type": "string", "description": "region or district code; the BIN for institutions"},
                **_NAMES, "region_code": {"type": "string"}, "district_code": {"type": "string"},
                "received": {"type": "integer", "description": "public appeals received"},
                "answered": {"type": "integer", "description": "of them answered or resolved"},
                "answered_share": {"type": ["number", "null"], "description": "answered ÷ received; null without any"},
                "median_days": {"type": ["number", "null"],
                                "description": "median working days to answer (Mon–Fri minus Kazakhstan's fixed "
                                               "public holidays); null when none answered"},
                "overdue": {"type": "integer", "description": "open appeals past their deadline now"}}})),
            "appeals"),
        "/spending": _get(
            "Totals of plan, adjusted plan, obligations and paid of a selection, grouped (the map's numbers)", [
                _q("year", _YEAR, "budget year", required=True),
                _q("group_by", {"type": "string", "pattern": "^[a-z,]*$", "maxLength": 200},
                   "dimensions, comma separated, each once: " + ", ".join(SPENDING_DIMENSIONS)
                   + "; absent: one row of totals"),
                _q("months", {"type": "string", "pattern": r"^\d{1,2}(-\d{1,2})?$"},
                   "a month (3) or a range (1-6) of the year; default 1-12"),
                _q("region", _CODE, "region code"),
                _q("district", _CODE, "district code (of `region` when both are given)"),
                _q("sector", {"type": "string", "maxLength": 1000}, "sector code(s), comma separated"),
                _q("type", {"type": "string", "maxLength": 1000}, "institution type code(s), comma separated"),
                _FORMAT],
            _responses({"type": "object", "required": ["data", "year", "months", "group_by"], "properties": {
                "year": {"type": "integer"}, "months": {"type": "array", "items": {"type": "integer"}},
                "group_by": {"type": "array", "items": {"type": "string", "enum": list(SPENDING_DIMENSIONS)}},
                "filters": {"type": "object"},
                "data": {"type": "array", "items": {"type": "object", "properties": {
                    **{d: {"type": "integer" if d in ("month", "specific") else "string"} for d in SPENDING_DIMENSIONS},
                    "plan": _MONEY, "plan_adjusted": _MONEY, "obligations": _MONEY, "paid": _MONEY,
                    "population": {"type": ["integer", "null"],
                                   "description": "inhabitants of the region (that year) or district; only when "
                                                  "grouped by region or district"},
                    **{f"{c}_per_capita": {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$",
                                           "description": f"{c} ÷ population, tenge, rounded to the tiyn"}
                       for c in ("plan", "plan_adjusted", "obligations", "paid")}}}}}}), "aggregates"),
        "/datapackage.json": {"get": {
            "summary": "Frictionless (Tabular / Fiscal) Data Package descriptor of the bulk downloads",
            "tags": ["bulk"], "parameters": [],
            "responses": {"200": {"description": "datapackage.json", "content": {"application/json": {"schema": {
                "type": "object", "required": ["resources"], "properties": {"resources": {"type": "array"}}}}}},
                          "304": {"description": "Not modified"},
                          "400": {"description": "Invalid parameter",
                                  "content": {"application/json": {"schema": _ref("Error")}}}}}},
        "/bulk/institutions": {"get": {
            "summary": "Every institution as CSV", "tags": ["bulk"], "parameters": [],
            "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified"},
                          "400": {"description": "Invalid parameter",
                                  "content": {"application/json": {"schema": _ref("Error")}}}}}},
        "/bulk/reference/{name}": {"get": {
            "summary": "A reference table (regions, districts, sectors, classification, institution types) as CSV",
            "tags": ["bulk"], "parameters": [_path("name", {"type": "string", "enum": list(REFERENCE_TABLE_NAMES)},
                                                   "table name")],
            "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified"},
                          "400": {"description": "Invalid parameter",
                                  "content": {"application/json": {"schema": _ref("Error")}}},
                          "404": {"description": "No such table",
                                  "content": {"application/json": {"schema": _ref("Error")}}}}}},
        "/bulk/lines": {"get": {
            "summary": "Every expenditure line of a year as streamed CSV", "tags": ["bulk"],
            "parameters": [_q("year", _YEAR, "budget year", required=True)],
            "responses": {"200": {"description": "CSV stream", "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified"},
                          "400": {"description": "Invalid or missing year",
                                  "content": {"application/json": {"schema": _ref("Error")}}}}}},
        "/version": {"get": {
            "summary": "The data version: changes with every publication and every public appeal event",
            "tags": ["meta"], "parameters": [],
            "responses": {"200": {"description": "OK", "headers": {"ETag": {"schema": {"type": "string"}}},
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "required": ["version"],
                                      "properties": {"version": {"type": "string"}}}}}},
                          "304": {"description": "Not modified (If-None-Match)"}}}},
        "/openapi.json": {"get": {"summary": "This document", "tags": ["meta"], "parameters": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "headers": {"ETag": {"schema": {"type": "string"}}},
                                                        "content": {"application/json": {"schema": {"type": "object"}}}},
                                                "304": {"description": "Not modified (If-None-Match)"}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Ashyq Budget open data API", "version": "1.0.0",
                 "description": "Budgets of public institutions of Kazakhstan. Read-only; GET from any "
                                "origin (CORS). Money is exact tenge with two decimals, as strings. "
                                "Responses carry ETag and Last-Modified from the data version.",
                 "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"}},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["error"], "properties": {
            "error": {"type": "object", "required": ["status", "message"], "properties": {
                "status": {"type": "integer"}, "message": {"type": "string"},
                "parameter": {"type": "string"}}}}}}},
    }


@functools.cache
def spec_etag() -> str:
    """A validator of the document: the hash of its canonical JSON."""
    return "openapi-" + hashlib.sha256(json.dumps(spec(), sort_keys=True).encode()).hexdigest()[:20]
