"""OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json)."""
from __future__ import annotations

import functools

from dashboard.api.params import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOP

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
        "/institutions/{bin}": _get("One institution with yearly totals and documents", [_BIN],
                                    _responses({"type": "object"}, csv=False, not_found=True), "institutions"),
        "/institutions/{bin}/lines": _get("Expenditure lines of an institution", [
            _BIN, _q("year", _YEAR, "budget year"), _q("month", {"type": "integer", "minimum": 1, "maximum": 12},
                                                        "month 1-12"),
            _q("specific", {"type": "integer", "minimum": 0, "maximum": 32767}, "economic specific code"),
            _q("limit", {"type": "integer", "minimum": 1, "default": MAX_LIMIT},
               f"page size; values above {MAX_LIMIT} are lowered to {MAX_LIMIT}"), _OFFSET, _FORMAT],
            _responses(_list_of(line, paged=True), not_found=True), "institutions"),
        "/top": _get("Largest budgets of a year", [
            _q("n", {"type": "integer", "minimum": 1, "default": 10}, f"how many; capped at {MAX_TOP}"),
            _q("by", {"type": "string", "enum": ["plan", "plan_adjusted", "obligations", "paid"],
                      "default": "plan_adjusted"}, "amount to rank by"),
            _q("year", _YEAR, "budget year (default: the newest)"), _q("region", _CODE, "region code"),
            _q("sector", _CODE, "sector code"), _FORMAT], _responses(_list_of(institution)), "institutions"),
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
                                                        "content": {"application/json": {"schema": {"type": "object"}}}}}}},
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
