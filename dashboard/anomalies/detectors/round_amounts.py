"""Round amounts and repeated identical monthly amounts, beyond chance for that specific.

Each specific's base rates come from the data itself (all line-months in scope): how often a
month is a whole multiple of ROUND_UNIT, and how often it repeats an earlier month's exact amount
in the same line-year. A line-year is flagged when the binomial tail probability of its count is
below ROUND_ALPHA / (number of tests) (Bonferroni). So a rent contract paying the same sum every
month is not flagged on a specific where that is common.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import line_ref, num, paid_matrix, squash, wanted
from dashboard.anomalies.model import Flag, ScanData

NAME = "round_amounts"


def repeats(paid: np.ndarray) -> np.ndarray:
    """True where a month's (non-zero) amount equals an earlier month's in the same row."""
    out = np.zeros(paid.shape, dtype=bool)
    for m in range(1, paid.shape[1]):
        out[:, m] = (paid[:, m] > 0) & (paid[:, :m] == paid[:, m:m + 1]).any(axis=1)
    return out


def _counts(hits: np.ndarray, trials: np.ndarray, specific: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"h": hits, "n": trials, "s": specific}).groupby("s")[["h", "n"]].sum()


def _base_rate(counts: pd.DataFrame, specific: np.ndarray) -> np.ndarray:
    """Per row, its specific's rate (hits + 1) / (trials + 2): never exactly 0 or 1."""
    rate = (counts["h"] + 1) / (counts["n"] + 2)
    return rate.reindex(specific).fillna(0.5).to_numpy()


def _stats(lines: pd.DataFrame):
    paid = paid_matrix(lines)
    big = paid >= th.ROUND_MIN_AMOUNT
    rnd = big & (paid % th.ROUND_UNIT == 0)
    rep = repeats(paid)
    return paid, rnd, rep, big.sum(axis=1), rnd.sum(axis=1), np.maximum((paid > 0).sum(axis=1) - 1, 0), rep.sum(axis=1)


def baseline(data: ScanData) -> dict:
    """The national statistics a rescore reuses: per specific, round and repeat hits and trials,
    and the number of tests behind the Bonferroni cut-off."""
    if data.lines.empty:
        return {}
    _, _, _, n_round, k_round, n_rep, k_rep = _stats(data.lines)
    specific = data.lines["specific_code"].to_numpy()
    return {"round": _counts(k_round, n_round, specific).astype(int).T.to_dict("list"),
            "repeat": _counts(k_rep, n_rep, specific).astype(int).T.to_dict("list"),
            "tests": int((n_round > 0).sum() + (n_rep > 0).sum())}


def _stored(table: dict) -> pd.DataFrame:
    return pd.DataFrame.from_dict({int(k): v for k, v in table.items()}, orient="index", columns=["h", "n"])


def detect(data: ScanData) -> list[Flag]:
    lines = data.lines
    if lines.empty:
        return []
    paid, rnd, rep, n_round, k_round, n_rep, k_rep = _stats(lines)
    specific = lines["specific_code"].to_numpy()
    stored = data.baselines.get(NAME) if data.targets is not None else None
    if stored:  # a rescore: the whole country's rates and test count, not its peer scope's
        p_round, p_rep = _base_rate(_stored(stored["round"]), specific), _base_rate(_stored(stored["repeat"]), specific)
        tests = int(stored["tests"])
    else:
        p_round = _base_rate(_counts(k_round, n_round, specific), specific)
        p_rep = _base_rate(_counts(k_rep, n_rep, specific), specific)
        tests = int((n_round > 0).sum() + (n_rep > 0).sum())
    tail_round = np.where(k_round > 0, binom.sf(k_round - 1, n_round, p_round), 1.0)
    tail_rep = np.where(k_rep > 0, binom.sf(k_rep - 1, n_rep, p_rep), 1.0)
    cut = th.ROUND_ALPHA / max(tests, 1)
    tail = np.minimum(tail_round, tail_rep)
    rows = np.flatnonzero((tail < cut) & wanted(data, lines))
    groups: dict[tuple[int, int], list[int]] = {}
    for i in rows:
        groups.setdefault((int(lines["institution_id"].iat[i]), int(lines["year"].iat[i])), []).append(int(i))
    flags = []
    for (institution_id, year), found in groups.items():
        best = min(found, key=lambda k: tail[k])
        months = np.flatnonzero(rnd[best] | rep[best]) + 1
        evidence = {"round_months": int(k_round[best]), "round_tested": int(n_round[best]),
                    "repeat_months": int(k_rep[best]), "repeat_tested": int(n_rep[best]),
                    "round_unit": th.ROUND_UNIT, "specific_round_rate": num(p_round[best], 6),
                    "specific_repeat_rate": num(p_rep[best], 6), "tail_probability": float(f"{tail[best]:.3g}"),
                    "cutoff": float(f"{cut:.3g}"), "tests": tests, "alpha": th.ROUND_ALPHA,
                    "amounts": [int(paid[best, m - 1]) for m in months], "lines_flagged": len(found)}
        refs = [line_ref(lines.iloc[k], [int(m) + 1 for m in np.flatnonzero(rnd[k] | rep[k])])
                for k in [best] + [k for k in found if k != best]]
        strength = np.log10(cut) - np.log10(max(tail[best], 1e-300))
        flags.append(Flag(institution_id, year, NAME, squash(strength, 5.0), evidence, refs))
    return flags
