"""The page section on how the default district was grown and calibrated: the fitted history values and
the fit table, as scripts/calibrate_district.py wrote them (cadresim/data)."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import yaml

from cadresim.scenario.fitted import FITTED_FILE


def fit_section(_cell: Callable[[str], str]) -> list[str]:
    """How the default district was grown and calibrated, with the fit table the calibration script wrote."""
    fitted = yaml.safe_load(FITTED_FILE.read_text(encoding="utf-8"))
    ens = fitted.get("ensemble", {})
    lines = ["## How the default district was grown and calibrated", "",
             "The default roster is not built to its figures: it is the state the model's own processes reach "
             "from 1975 under the rules of the time (the `history` keys above; "
             "[docs/model.md](model.md#the-default-synthetic-district)). `python scripts/calibrate_district.py` "
             "fits the history keys below with `cadresim calibrate`'s machinery (Optuna, seeded) and writes them "
             "to `cadresim/data/history.yaml`; nothing is edited by hand and no count is set.", "",
             "| fitted key | value |", "|---|---|"]
    lines += [f"| `history.{k}` | `{v}` |" for k, v in fitted["history"].items()]
    lines += [f"| `district.merit_rho` (measured on the spin-ups, mean over the ensemble) | "
              f"`{fitted['district']['merit_rho']}` |", "",
              f"The ensemble: {ens.get('accepted', '?')} districts accepted of {ens.get('tried', '?')} generator "
              "seeds tried, by rejection on the speech's facts (`accept` rows). `ensemble` rows must hold on the "
              "ensemble mean and in at least 80% of its districts; `report` rows are shown, not fitted.", "",
              "| figure | kind | range | ensemble mean | districts in range | pass | source |",
              "|---|---|---|---:|---:|---|---|"]
    table = pd.read_csv(FITTED_FILE.parent / "district_fit.csv")
    for r in table.to_dict("records"):
        judged = r["kind"] != "report"
        rng = _range_text(r["low"], r["high"]) if judged else ""
        passed = ("yes" if str(r["pass"]) == "True" else "no") if judged else ""
        lines.append(f"| {_cell(r['about'])} (`{r['target']}`) | {r['kind']} | {rng} | {r['mean']:.3g} | "
                     f"{r['share_in_range']:.0%} | {passed} | [{r['source']}] |")
    return lines


def _range_text(low: float, high: float) -> str:
    if low == high:
        return f"= {low:g}"
    if low == float("-inf"):
        return f"≤ {high:g}"
    if high == float("inf"):
        return f"≥ {low:g}"
    return f"{low:g} to {high:g}"
