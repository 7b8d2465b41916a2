"""Intervals of a mean within the range its values can take (cadresim.stats), the kinds of the metrics
(cadresim.measures.kinds), and numbers as readers see them (cadresim.report.numbers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadresim import stats
from cadresim.measures import kinds
from cadresim.measures.metrics import HEADLINE
from cadresim.measures.teams import MEASURES
from cadresim.report import labels, numbers

GOLDEN = Path(__file__).resolve().parent / "golden" / "replications.csv"
T19 = 2.093024  # t(0.975, 19)


# --- intervals -----------------------------------------------------------------------------------


def test_count_interval_is_made_on_the_log_scale_and_stays_positive():
    x = np.array([0.0] * 15 + [1, 3, 5, 2, 7])  # reshuffle_unfilled-like: mostly zero, a few large
    mean, sd, low, high, n = stats.mean_ci(x, stats.NON_NEGATIVE)
    half = T19 * sd / np.sqrt(20)
    assert mean - half < 0  # the plain t-interval would say a count can be negative
    assert (low, high) == pytest.approx((mean * np.exp(-half / mean), mean * np.exp(half / mean)), rel=1e-6)
    assert 0 < low < mean < high


def test_share_interval_is_made_on_the_logit_scale_and_stays_below_one():
    x = np.array([1.0] * 17 + [0.97, 0.95, 0.99])  # reshuffle_fill_rate-like: mostly every post filled
    mean, sd, low, high, _ = stats.mean_ci(x, stats.UNIT_INTERVAL)
    half = T19 * sd / np.sqrt(20)
    assert mean + half > 1  # the plain t-interval would say more than 100% of posts are filled
    logit, h = np.log(mean / (1 - mean)), half / (mean * (1 - mean))
    assert (low, high) == pytest.approx((1 / (1 + np.exp(-(logit - h))), 1 / (1 + np.exp(-(logit + h)))), rel=1e-6)
    assert 0 < low < mean < high < 1


def test_far_from_the_bounds_the_interval_is_the_t_interval():
    x = np.random.default_rng(1).normal(300, 5, 20)
    mean, sd, low, high, _ = stats.mean_ci(x, stats.NON_NEGATIVE)
    half = T19 * sd / np.sqrt(20)
    assert (low, high) == pytest.approx((mean - half, mean + half), rel=1e-3)
    assert stats.mean_ci(x)[2:4] == pytest.approx((mean - half, mean + half), rel=1e-9)


@pytest.mark.parametrize("values, limits", [([1.0] * 5, stats.UNIT_INTERVAL), ([0.0] * 5, stats.UNIT_INTERVAL),
                                            ([0.0] * 5, stats.NON_NEGATIVE), ([3.0] * 5, stats.NON_NEGATIVE),
                                            ([3.0] * 5, stats.UNBOUNDED)])
def test_when_every_replication_agrees_the_interval_is_the_value(values, limits):
    mean, sd, low, high, n = stats.mean_ci(np.array(values), limits)
    assert sd == 0 and low == high == mean == values[0] and n == 5


def test_one_replication_has_no_interval():
    mean, sd, low, high, n = stats.mean_ci(np.array([0.4]), stats.UNIT_INTERVAL)
    assert mean == 0.4 and n == 1 and np.isnan([sd, low, high]).all()


def test_values_outside_the_bounds_get_the_plain_interval():
    x = np.array([-1.0, 2.0, 3.0])
    assert stats.mean_ci(x, stats.NON_NEGATIVE) == stats.mean_ci(x)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=40), st.sampled_from(["share", "count"]))
def test_an_interval_never_leaves_the_range_and_holds_the_mean(values, kind):
    x = np.array(values) * (1.0 if kind == "share" else 50.0)
    limits = stats.UNIT_INTERVAL if kind == "share" else stats.NON_NEGATIVE
    mean, _sd, low, high, _ = stats.mean_ci(x, limits)
    assert limits[0] <= low <= mean + 1e-12 and mean - 1e-12 <= high <= limits[1]


def test_bounded_interval_is_mean_ci_element_wise():
    rng = np.random.default_rng(2)
    groups = [rng.poisson(lam, 7).astype(float) for lam in (0.3, 2, 40)]
    low, high = stats.bounded_interval(np.array([g.mean() for g in groups]), np.array([g.std(ddof=1) for g in groups]),
                                       np.array([7, 7, 7]), stats.NON_NEGATIVE)
    for g, lo, hi in zip(groups, low, high):
        assert (lo, hi) == pytest.approx(stats.mean_ci(g, stats.NON_NEGATIVE)[2:4])


def test_differences_keep_the_plain_t_interval():
    from cadresim.analysis.differences import paired_difference

    base, scen = np.array([1.0, 0.0, 2.0, 0.0]), np.array([0.0, 0.0, 1.0, 0.0])
    d = scen - base
    half = stats.ci95_halfwidth(d.std(ddof=1), 4)
    diff = paired_difference(base, scen)
    assert (diff.low, diff.high) == pytest.approx((d.mean() - half, d.mean() + half))


def test_a_run_summary_is_within_every_metrics_range():
    from cadresim.engine.replications import summarize

    rng = np.random.default_rng(3)
    metrics = [m for m in kinds.METRIC_KINDS if m != "youth_talent_promoted_share"] + \
        [f"youth_talent_promoted_share_c{k}" for k in range(1, 17)]
    rows = [(r, m, d, rng.random() if kinds.kind(m) == "share" else float(rng.poisson(2)))
            for r in range(20) for m in metrics for d in ("2014-03", "2016-12", "2017-06")]
    per_rep = pd.DataFrame(rows, columns=["replication", "metric", "date", "value"])
    summary = summarize(per_rep)  # its speed is a benchmark's business, not a test's (shared machines)
    for _, r in summary.iterrows():
        low, high = kinds.bounds(r["metric"])
        assert low <= r["ci95_low"] <= r["mean"] <= r["ci95_high"] <= high


# --- kinds ---------------------------------------------------------------------------------------


def test_every_metric_a_run_writes_and_every_team_measure_has_its_kind():
    written = set(pd.read_csv(GOLDEN)["metric"])
    assert {m for m in written if m not in kinds.METRIC_KINDS and not m.startswith(kinds.COHORT_PREFIX)} == set()
    assert all(kinds.kind(m) in kinds.BOUNDS for m in MEASURES)
    assert {m for m in MEASURES if m not in kinds.TEAM_KINDS and not m.startswith("born_")} == set()


def test_kinds_agree_with_the_units_readers_see():
    for metric in labels.METRICS:
        unit, kind = labels.metric_unit(metric), kinds.kind(metric)
        assert (unit == "unit_percent") == (kind == kinds.SHARE), metric
        if unit in ("unit_cadres", "unit_posts"):
            assert kind == kinds.COUNT, metric
    assert kinds.kind("youth_talent_promoted_share_c9") == kinds.SHARE
    assert kinds.bounds("post80_division_level") == (0.0, np.inf)


# --- numbers as text -----------------------------------------------------------------------------


def test_values_are_written_in_their_unit_without_a_negative_zero():
    assert numbers.value_text(0.4412, "post70_division_head_share") == "44.1"
    assert numbers.value_text(-0.00004, "division_level_grassroots_share", signed=True) == "0.0"
    assert numbers.value_text(-0.0004, "post80_division_level") == "0.0"
    assert numbers.value_text(-0.38, "post80_division_level", signed=True) == "\u22120.4"
    assert numbers.value_text(2.3, "post80_division_level", signed=True) == "+2.3"
    assert numbers.value_text(1.153, "division_successor_ratio") == "1.15"
    assert numbers.value_text(float("nan"), "post80_division_level") == "–"


def test_a_mean_with_its_interval_or_alone_when_every_replication_agrees():
    row = {"mean": 0.997, "ci95_low": 0.987, "ci95_high": 0.999}
    assert numbers.mean_text(row, "reshuffle_fill_rate") == "99.7 [98.7, 99.9]"
    assert numbers.mean_text({"mean": 3.0, "ci95_low": 3.0, "ci95_high": 3.0}, "post80_division_level") == "3.0"
    assert numbers.mean_text({"mean": 3.0, "ci95_low": np.nan, "ci95_high": np.nan}, "post80_division_level") == "3.0"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_summary_rows_use_labels_units_and_percent(lang):
    summary = pd.DataFrame([
        ("reshuffle_unfilled", "2016-12", 0.9, 1.9, 0.33, 2.47, 20),
        ("post70_division_head_share", "2014-03", 0.152, 0.0, 0.152, 0.152, 20),
        ("post70_division_head_share", "2016-12", 0.441, 0.04, 0.424, 0.458, 20),
        ("post80_division_level", "2016-12", 29.75, 2.7, 28.5, 31.0, 20),
    ], columns=["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"])
    rows = numbers.summary_rows(summary, lang, HEADLINE)
    lab = labels.in_language(lang)
    assert [r.metric for r in rows] == ["post80_division_level", "post70_division_head_share", "reshuffle_unfilled"]
    assert [r.headline for r in rows] == [True, True, False]
    share = rows[1]
    assert share.label == lab["post70_division_head_share"] and share.unit == "%"
    assert share.cells == ("15.2", "44.1 [42.4, 45.8]")
    assert rows[2].cells == ("", "0.9 [0.3, 2.5]")
    headers = numbers.summary_headers(summary, lang)
    assert headers[2:] == [labels.date_text(d, lab) for d in ("2014-03", "2016-12")]
    notes = numbers.summary_notes(summary, lang, HEADLINE)
    assert len(notes) == 2  # the headline mark, and why 15.2 has no interval
    if lang == "zh":
        assert rows[0].label == "80后处级干部人数" and rows[0].unit == "人" and "重复模拟" in numbers.summary_title(
            "基准方案", summary, lang)


def test_an_interval_whose_ends_would_read_alike_gets_more_decimals():
    assert numbers.interval_text(-0.0002, 0.0003, "division_level_grassroots_share") == "\u22120.02 – 0.03"
    assert numbers.interval_text(28.49, 31.01, "post80_division_level", " to ") == "28.5 to 31.0"


def test_a_difference_is_signed_in_points_with_its_interval():
    row = {"diff": 0.0179, "diff_ci95_low": 0.0032, "diff_ci95_high": 0.0327}
    assert numbers.difference_text(row, "young_member_team_share") == "+1.8 [0.3, 3.3]"
    assert numbers.difference_text({"diff": float("nan"), "diff_ci95_low": 0, "diff_ci95_high": 0}, "x") == "–"
    assert numbers.difference_text({"diff": 0.0, "diff_ci95_low": 0.0, "diff_ci95_high": 0.0},
                                   "post80_division_level") == "0.0"
    assert set(numbers.DIFFERENCE_TEXT["zh"]) == set(numbers.DIFFERENCE_TEXT["en"])
    assert set(numbers.SUMMARY_TEXT["zh"]) == set(numbers.SUMMARY_TEXT["en"])
    assert set(numbers.UNIT_SHORT["zh"]) == set(numbers.UNIT_SHORT["en"]) <= set(labels.TERMS)
