"""AG Grid's filter model and sort state applied on the server, as the community grid applies them.

Exports are built from the database; the browser sends only its filter model and column state,
never rows. Number filters compare the column's filter value (tenge for money: tiyn / 100);
text filters are case-insensitive; sorting compares raw values, blanks first, ties keep order.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


class GridModelError(ValueError):
    """A filter or sort the server does not understand (the export would not match the grid)."""


def _number(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise GridModelError(f"not a number in the filter: {value!r}") from None


NUMBER_TESTS = {
    "equals": lambda v, a, b: v == a,
    "notEqual": lambda v, a, b: v != a,
    "lessThan": lambda v, a, b: v < a,
    "lessThanOrEqual": lambda v, a, b: v <= a,
    "greaterThan": lambda v, a, b: v > a,
    "greaterThanOrEqual": lambda v, a, b: v >= a,
    "inRange": lambda v, a, b: a < v < b,  # AG Grid's default: both ends excluded
}
TEXT_TESTS = {
    "contains": lambda v, a: a in v,
    "notContains": lambda v, a: a not in v,
    "equals": lambda v, a: v == a,
    "notEqual": lambda v, a: v != a,
    "startsWith": lambda v, a: v.startswith(a),
    "endsWith": lambda v, a: v.endswith(a),
}


def _condition(model: dict, value) -> bool:
    kind, op = model.get("filterType"), model.get("type")
    if op == "blank":
        return value in (None, "")
    if op == "notBlank":
        return value not in (None, "")
    if kind == "number" and op in NUMBER_TESTS:
        a, b = _number(model.get("filter")), _number(model.get("filterTo"))
        if a is None:
            return True  # an empty condition filters nothing
        if value in (None, ""):
            return False  # AG Grid's default: blanks pass no number condition
        return NUMBER_TESTS[op](Decimal(str(value)), a, b if b is not None else a)
    if kind == "text" and op in TEXT_TESTS:
        wanted = str(model.get("filter") or "").lower()
        if not wanted:
            return True
        if value in (None, ""):
            return op in ("notContains", "notEqual")
        return TEXT_TESTS[op](str(value).lower(), wanted)
    raise GridModelError(f"unsupported filter {kind!r}/{op!r}")


def _passes(model: dict, value) -> bool:
    conditions = model.get("conditions")
    if conditions:
        results = [_condition({"filterType": model.get("filterType"), **c}, value) for c in conditions]
        return any(results) if model.get("operator") == "OR" else all(results)
    return _condition(model, value)


def filter_value(column: dict, row: dict):
    """The value a column's filter sees: money columns compare tenge (see grid_columns)."""
    value = row.get(column["field"])
    if "filterValueGetter" in column and value not in (None, ""):
        return Decimal(int(value)) / 100
    return value


def apply_filter_model(rows: list[dict], columns: list[dict], filter_model: dict | None) -> list[dict]:
    """The rows that pass every column filter of `filter_model` (columns without a filter: error)."""
    if not filter_model:
        return rows
    filterable = {c["field"]: c for c in columns if c.get("field") and c.get("filter")}
    for field, model in filter_model.items():
        if field not in filterable or not isinstance(model, dict):
            raise GridModelError(f"column {field!r} has no such filter")
    return [r for r in rows if all(_passes(m, filter_value(filterable[f], r)) for f, m in filter_model.items())]


def _sort_key(value):
    # Blanks first, then numbers or text (a column holds one kind).
    return (0, 0) if value in (None, "") else (1, value)


def apply_sort(rows: list[dict], column_state: list[dict] | None, fields: set[str]) -> list[dict]:
    """Rows sorted as the column state says (sortIndex order, stable: equal rows keep their order)."""
    sorts = sorted((s for s in column_state or [] if s.get("sort") in ("asc", "desc")),
                   key=lambda s: s.get("sortIndex") or 0)
    rows = list(rows)
    for state in reversed(sorts):
        if state.get("colId") not in fields:
            raise GridModelError(f"column {state.get('colId')!r} cannot be sorted")
        rows.sort(key=lambda r, f=state["colId"]: _sort_key(r.get(f)), reverse=state["sort"] == "desc")
    return rows
