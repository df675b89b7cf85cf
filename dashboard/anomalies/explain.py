"""One sentence per flag, in kk, ru or en, citing the numbers of its evidence."""
from __future__ import annotations

from babel import numbers

from dashboard.i18n import t
from dashboard.i18n.formatting import LOCALES, format_money, format_number, format_percent, month_name


def _ratio(value, lang: str) -> str:
    return format_number(round(float(value), 1), lang) if value is not None else "—"


def _month(evidence: dict, lang: str) -> str:
    return month_name(int(evidence["month"]), lang, "wide")


def _specific(evidence: dict) -> str:
    lines = evidence.get("_lines") or []
    return str(lines[0]["specific"]) if lines else "—"


def _year_end_dumping(e: dict, lang: str) -> dict:
    if e.get("history_median_ratio") is not None:
        history = t("anomaly.sentence.year_end_dumping.history", lang, ratio=_ratio(e["history_median_ratio"], lang))
    else:
        history = t("anomaly.sentence.year_end_dumping.no_history", lang)
    return dict(share=format_percent(e["december_share"], lang, 0), ratio=_ratio(e["ratio"], lang),
                scope=t(f"anomaly.scope.{e['peer_scope']}", lang), peer_n=format_number(e["peer_n"], lang),
                peer_ratio=_ratio(e["peer_median_ratio"], lang), history=history)


def _paid_above_plan(e: dict, lang: str) -> dict:
    return dict(month=_month(e, lang), specific=_specific(e), paid=format_money(e["paid"], lang),
                plan=format_money(e["plan"], lang), excess=format_money(e["excess"], lang),
                ratio=format_percent(e["ratio"], lang, 0))


def _unit_cost(e: dict, lang: str) -> dict:
    if e.get("basis") == "history":
        return dict(paid=format_money(e["year_paid"], lang), ratio=_ratio(e["ratio"], lang),
                    expected=format_money(e["expected_paid"], lang), peer_n=format_number(e["peer_n"], lang))
    # The peers' median and quartiles are of size-adjusted costs, and so is the ratio: the
    # sentence cites the institution's adjusted cost next to its raw one.
    money = {k: format_money(e[v], lang) for k, v in (("cost", "cost_per_unit"), ("median", "peer_median_per_unit"),
                                                      ("q1", "peer_q1_per_unit"), ("q3", "peer_q3_per_unit"),
                                                      ("adjusted", "cost_per_unit_size_adjusted"))}
    return dict(money, unit=t(f"unit.{e['unit']}", lang), ratio=_ratio(e["ratio"], lang),
                scope=t(f"anomaly.scope.{e['peer_scope']}", lang), peer_n=format_number(e["peer_n"], lang))


def _spike(e: dict, lang: str) -> dict:
    return dict(month=_month(e, lang), specific=_specific(e), paid=format_money(e["paid"], lang),
                expected=format_money(e["expected"], lang), ratio=_ratio(e["ratio"], lang))


def _round_amounts(e: dict, lang: str) -> dict:
    p = numbers.format_scientific(e["tail_probability"], "0.0E0", locale=LOCALES.get(lang, "ru_KZ"))
    return dict(specific=_specific(e), round=format_number(e["round_months"], lang),
                repeat=format_number(e["repeat_months"], lang), unit=format_money(e["round_unit"], lang, whole=True),
                p=p)


def _silence(e: dict, lang: str) -> dict:
    return {k: format_number(e[v], lang) for k, v in (("overdue", "overdue"), ("days", "longest_overdue_days"),
                                                      ("rejected", "rejected"), ("decided", "decided"))}


def _citizen_reports(e: dict, lang: str) -> dict:
    return dict(reports=format_number(e["reports"], lang), open=format_number(e["open"], lang))


PARAMS = {"year_end_dumping": _year_end_dumping, "paid_above_plan": _paid_above_plan, "unit_cost": _unit_cost,
          "spike": _spike, "round_amounts": _round_amounts, "silence": _silence, "citizen_reports": _citizen_reports}


def sentence(detector: str, evidence: dict, lang: str, lines: list[dict] | None = None) -> str:
    """The flag's sentence; `lines` (Flag.lines) names the specific where the detector has one."""
    e = dict(evidence, _lines=lines or evidence.get("_lines") or [])
    if detector == "unit_cost" and e.get("basis") == "history":
        return t("anomaly.sentence.unit_cost.history", lang, **PARAMS[detector](e, lang))
    return t(f"anomaly.sentence.{detector}", lang, **PARAMS[detector](e, lang))
