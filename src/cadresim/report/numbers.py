"""Numbers as readers see them, the same in the terminal, the html report and the figures.

A metric's value is written in its unit (shares in percent, their differences in percentage points),
to the decimals its unit needs, with a true minus sign and never as "−0.0". :func:`summary_rows`
turns a run's summary table into the rows `cadresim run` prints: label, unit, and the mean with its
95% interval at each date, in English or Chinese.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cadresim import dates
from cadresim.report.labels import date_text, in_language, is_share, metric_label, metric_rank, metric_unit

#: A unit as a table column shows it (short), by :data:`cadresim.report.labels.TERMS` key.
UNIT_SHORT = {
    "en": {"unit_percent": "%", "unit_cadres": "cadres", "unit_posts": "posts", "unit_years": "years",
           "unit_ratio": "per post", "unit_merit": "SD"},
    "zh": {"unit_percent": "%", "unit_cadres": "人", "unit_posts": "个", "unit_years": "岁",
           "unit_ratio": "人/岗", "unit_merit": "标准差"},
}
#: What the run summary's reader is told, by language.
SUMMARY_TEXT = {
    "en": {"title": "{name}: outcome metrics, mean [95% CI] over {n} replications", "metric": "metric",
           "unit": "unit", "headline": "* headline metric",
           "agree": "a value without an interval: every replication gave that value",
           "one": "one replication: no interval"},
    "zh": {"title": "{name}：结果指标，{n}次重复模拟的均值 [95%置信区间]", "metric": "指标", "unit": "单位",
           "headline": "* 主要指标", "agree": "只有数值、没有区间：各次重复模拟结果相同",
           "one": "只有一次模拟：无置信区间"},
}
#: What the comparison table (`cadresim compare`) says, by language.
DIFFERENCE_TEXT = {
    "en": {"title": "Difference from {baseline}, {date}: mean [95% CI]", "paired": "paired", "unpaired": "unpaired",
           "points": "pp"},
    "zh": {"title": "与{baseline}的差异，{date}：均值 [95%置信区间]", "paired": "配对", "unpaired": "非配对",
           "points": "百分点"},
}
MINUS = "\u2212"


def decimals(metric: str) -> int:
    """Decimals a metric's values are written with: 2 for ratios and merit, else 1 (shares in percent)."""
    return 2 if metric_unit(metric) in ("unit_ratio", "unit_merit") else 1


def value_text(value: float | None, metric: str, signed: bool = False, extra: int = 0) -> str:
    """A metric's value (shares in percent) or a difference (``signed``; shares in points), as text,
    with ``extra`` decimals more than its unit's: "–" when missing; a value that rounds to zero has no sign."""
    if value is None or not math.isfinite(value):
        return "–"
    number = 100 * value if is_share(metric) else value
    places = decimals(metric) + extra
    if round(number, places) == 0:
        return f"{0:.{places}f}"
    text = f"{number:+.{places}f}" if signed else f"{number:.{places}f}"
    return text.replace("-", MINUS)


def has_width(low: float, high: float) -> bool:
    """Whether an interval is more than a point (up to rounding): every replication agreeing gives a point."""
    return bool(math.isfinite(low) and math.isfinite(high) and high - low > 1e-9 * max(1.0, abs(low), abs(high)))


def interval_text(low: float, high: float, metric: str, to: str = " – ") -> str:
    """An interval as "low – high" in the metric's unit ("" when it is a point or missing); up to two
    decimals more where its ends would otherwise read alike ("−0.02 – 0.03", not "0.0 – 0.0")."""
    if not has_width(low, high):
        return ""
    for extra in range(3):
        ends = value_text(low, metric, extra=extra), value_text(high, metric, extra=extra)
        if ends[0] != ends[1]:
            break
    return f"{ends[0]}{to}{ends[1]}"


def mean_text(row: Mapping[str, float], metric: str) -> str:
    """A summary row's mean with its interval in brackets: "44.1 [42.4, 45.8]"; the mean alone when
    the interval is a point (every replication agrees) or missing (one replication)."""
    inner = interval_text(row["ci95_low"], row["ci95_high"], metric, ", ")
    mean = value_text(row["mean"], metric)
    return f"{mean} [{inner}]" if inner else mean


@dataclass(frozen=True)
class SummaryRow:
    """One metric of a run summary as printed: its label and unit, and the text of each date's cell."""

    metric: str
    label: str
    unit: str
    cells: tuple[str, ...]
    headline: bool


def summary_rows(summary: pd.DataFrame, lang: str = "en", headline: Sequence[str] = ()) -> list[SummaryRow]:
    """The rows of a run's summary table (``summary.csv``) in ``lang`` ("en" or "zh"): headline metrics
    first, then the table order of :mod:`cadresim.report.labels`; one cell per date of
    :func:`summary_dates` ("" where the metric has no value at that date)."""
    labels = in_language(lang)
    when = summary_dates(summary)
    rank = metric_rank(summary["metric"], headline)
    rows = []
    for metric in sorted(rank, key=rank.get):
        at = summary[summary["metric"] == metric].set_index("date")
        cells = tuple(mean_text(at.loc[d], metric) if d in at.index else "" for d in when)
        rows.append(SummaryRow(metric, metric_label(metric, labels), UNIT_SHORT[lang][metric_unit(metric)], cells,
                               metric in headline))
    return rows


def summary_dates(summary: pd.DataFrame) -> list[str]:
    """The summary's dates in time order."""
    return sorted(summary["date"].unique(), key=dates.parse)


def summary_headers(summary: pd.DataFrame, lang: str = "en") -> list[str]:
    """Column headers of :func:`summary_rows`: metric, unit, then each date as readers write it."""
    t = SUMMARY_TEXT[lang]
    labels = in_language(lang)
    return [t["metric"], t["unit"], *(date_text(d, labels) for d in summary_dates(summary))]


def summary_notes(summary: pd.DataFrame, lang: str = "en", headline: Iterable[str] = ()) -> list[str]:
    """The notes under the table: the headline mark, and why a cell has no interval, where one has none."""
    t = SUMMARY_TEXT[lang]
    notes = [t["headline"]] if set(headline) & set(summary["metric"]) else []
    finite = summary["ci95_low"].notna()
    if (finite & ~summary.apply(lambda r: has_width(r["ci95_low"], r["ci95_high"]), axis=1)).any():
        notes.append(t["agree"])
    if (summary["n"] < 2).any():
        notes.append(t["one"])
    return notes


def summary_title(name: str, summary: pd.DataFrame, lang: str = "en") -> str:
    """The table's title: the scenario (its title, or name) and the replication count."""
    return SUMMARY_TEXT[lang]["title"].format(name=name, n=int(summary["n"].max()) if len(summary) else 0)



def difference_text(row: Mapping[str, float], metric: str) -> str:
    """A difference from the baseline with its interval, signed, shares in points: "+2.3 [1.6, 3.0]";
    "–" where the baseline lacks the metric."""
    diff = value_text(row["diff"], metric, signed=True)
    if diff == "–":
        return diff
    inner = interval_text(row["diff_ci95_low"], row["diff_ci95_high"], metric, ", ")
    return f"{diff} [{inner}]" if inner else diff
