"""Tests of the run figures (cadresim.report.run_figures, .style): band arithmetic by hand, figures built from
small synthetic tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cadresim.report import labels, run_figures, style  # noqa: E402

GRADES = ["staff", "deputy_section", "section", "deputy_division", "division", "deputy_bureau"]
GRADE_LABELS = {"staff": "Staff", "deputy_section": "Deputy section chief", "section": "Section chief",
                "deputy_division": "Deputy division head", "division": "Division head",
                "deputy_bureau": "Deputy bureau level"}
SIZE = dict(zip(GRADES, [1200, 260, 330, 170, 66, 30]))
MEAN_AGE = dict(zip(GRADES, [31, 36, 41, 46, 50, 54]))
HEADLINE = ["post80_division_level", "post70_division_head_share", "post80_section_eligible_strict",
            "division_level_grassroots_share", "reshuffle_fill_rate", "young_member_team_share"]
SNAPSHOTS = ["2014-01", "2019-01"]
REPS = 3


def _decade_shares(year: float, grade: str) -> dict[int, float]:
    """Share of a grade's holders per birth decade: birth years ~ Normal(year - mean age, 6)."""
    births = np.arange(1940, 2010)
    weight = np.exp(-0.5 * ((births - (year - MEAN_AGE[grade])) / 6.0) ** 2)
    weight /= weight.sum()
    return {d: float(weight[(births >= d) & (births < d + 10)].sum()) for d in range(1940, 2010, 10)}


def _timeseries(rng: np.random.Generator, quarters: list[str]) -> pd.DataFrame:
    rows = []
    for rep in range(REPS):
        for date in quarters:
            year = int(date[:4]) + (int(date[5:]) - 1) / 12
            for grade in GRADES:
                for decade, share in _decade_shares(year, grade).items():
                    count = int(rng.poisson(SIZE[grade] * share))
                    if count:  # a zero is left out, as the run does
                        rows.append((rep, date, grade, decade, count))
    return pd.DataFrame(rows, columns=["replication", "date", "grade", "birth_decade", "count"])


def _ages(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for rep in range(REPS):
        for date in SNAPSHOTS:
            for grade in GRADES:
                female_share = 0.35 if grade in ("staff", "deputy_section") else 0.18
                ages = np.clip(np.rint(rng.normal(MEAN_AGE[grade], 5.5, SIZE[grade])), 22, 60).astype(int)
                female = rng.random(SIZE[grade]) < female_share
                for fem in (False, True):
                    counts = np.bincount(ages[female == fem], minlength=61)
                    rows += [(rep, date, grade, fem, age, int(c)) for age, c in enumerate(counts) if c]
    return pd.DataFrame(rows, columns=["replication", "date", "grade", "female", "age", "count"])


def _eligibility(rng: np.random.Generator) -> pd.DataFrame:
    young = {"years_in_grade_below": 0.45, "years_of_work": 0.2, "grassroots_years": 0.35,
             "posts_held_below": 0.5, "age_ceiling": 0.0, "probation": 0.05}
    rows = []
    for rep in range(REPS):
        for date in SNAPSHOTS:
            for below, grade in zip(GRADES, GRADES[1:]):
                for decade, share in _decade_shares(int(date[:4]), below).items():
                    candidates = int(rng.poisson(SIZE[below] * share))
                    if not candidates:
                        continue
                    youth = np.clip((decade - 1955) / 30, 0, 1)
                    for rule, p in young.items():
                        p = 0.6 * (1 - youth) if rule == "age_ceiling" else p * youth
                        fail = int(rng.binomial(candidates, p))
                        rows.append((rep, date, grade, decade, rule, candidates, fail, int(rng.binomial(fail, 0.3))))
    return pd.DataFrame(rows, columns=["replication", "date", "grade", "birth_decade", "rule", "candidates", "fail",
                                       "fail_alone"])


def _summary(rng: np.random.Generator) -> pd.DataFrame:
    level = {"post80_division_level": 12.0, "post70_division_head_share": 0.35, "post80_section_eligible_strict": 40.0,
             "division_level_grassroots_share": 0.55, "reshuffle_fill_rate": 0.9, "young_member_team_share": 0.6}
    rows = []
    for metric, value in level.items():
        for step, date in enumerate(SNAPSHOTS):
            if metric == "reshuffle_fill_rate" and step == 0:
                continue  # no reshuffle at the start: left out, not zero
            draws = value * (1 + 0.3 * step) * (1 + rng.normal(0, 0.08, REPS))
            if metric.endswith(("_share", "_rate")):
                draws = np.clip(draws, 0, 1)
            mean, sd = draws.mean(), draws.std(ddof=1)
            half = 1.96 * sd / np.sqrt(REPS)
            rows.append((metric, date, mean, sd, mean - half, mean + half, REPS))
    return pd.DataFrame(rows, columns=["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"])


def make_tables(seed: int = 7, years: int = 5) -> dict[str, pd.DataFrame]:
    """A small, realistic set of run tables: 3 replications, 2 snapshots, quarterly stocks."""
    rng = np.random.default_rng(seed)
    quarters = [f"{y}-{m:02d}" for y in range(2014, 2014 + years) for m in (1, 4, 7, 10)] + [f"{2014 + years}-01"]
    return {"timeseries": _timeseries(rng, quarters), "ages": _ages(rng), "eligibility": _eligibility(rng),
            "summary": _summary(rng)}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


def _drawn(ax) -> int:
    return len(ax.lines) + len(ax.collections) + len(ax.patches)


def test_mean_band_fills_missing_replications_with_zero():
    df = pd.DataFrame({"replication": [0, 0, 1, 2, 2, 2], "g": ["x", "y", "x", "x", "x", "y"],
                       "v": [2, 4, 6, 1, 3, 2]})
    band = style.mean_band(df, ["g"], "v", replications=[0, 1, 2, 3]).set_index("g")
    # x per replication: 2, 6, 1+3, 0 -> mean 3, sd sqrt(20/3); y: 4, 0, 2, 0 -> mean 1.5, sd sqrt(11/3);
    # Student-t with 3 degrees of freedom, as the summary tables: t(0.975, 3) = 3.182446; counts cannot be
    # negative, so the interval is made on the log scale: mean · exp(± half / mean)
    half_x, half_y = 3.182446 * np.sqrt(20 / 3) / 2, 3.182446 * np.sqrt(11 / 3) / 2
    assert band.loc["x", "n"] == band.loc["y", "n"] == 4
    assert band.loc["x", "mean"] == pytest.approx(3.0)
    assert band.loc["x", "low"] == pytest.approx(3.0 * np.exp(-half_x / 3.0))
    assert band.loc["x", "high"] == pytest.approx(3.0 * np.exp(half_x / 3.0))
    assert band.loc["y", "mean"] == pytest.approx(1.5)
    assert (band.loc["y", "low"], band.loc["y", "high"]) == pytest.approx((1.5 * np.exp(-half_y / 1.5),
                                                                           1.5 * np.exp(half_y / 1.5)))
    assert (band["low"] > 0).all() and 3.0 - half_x < 0  # the plain t-interval would go below zero


def test_mean_band_is_the_summary_tables_interval():
    from cadresim.stats import mean_ci

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"replication": np.repeat(np.arange(7), 2), "g": ["x", "y"] * 7, "v": rng.poisson(9, 14)})
    band = style.mean_band(df, ["g"], "v").set_index("g")
    for g in ("x", "y"):
        mean, _sd, low, high, n = mean_ci(df.loc[df["g"] == g, "v"].to_numpy(float), (0.0, np.inf))
        assert (band.loc[g, "mean"], band.loc[g, "low"], band.loc[g, "high"]) == pytest.approx((mean, low, high))


def test_every_metric_has_one_entry_in_the_table_order():
    assert sorted(labels.METRIC_ORDER) == sorted(labels.METRICS)
    assert set(HEADLINE) <= set(labels.METRICS)
    assert labels.metric_unit("youth_talent_promoted_share_c2") == "unit_percent"
    assert labels.metric_label("youth_talent_promoted_share_c2") == "Youth Talent cohort c2: promoted at least once"


def test_mean_band_fills_every_combination_of_levels():
    df = pd.DataFrame({"replication": [0, 1, 1], "date": ["2014-01", "2014-01", "2014-04"],
                       "decade": [1970, 1980, 1970], "v": [2, 4, 6]})
    band = style.mean_band(df, ["date", "decade"], "v").set_index(["date", "decade"])
    assert len(band) == 4
    assert band.loc[("2014-04", 1980), "mean"] == 0
    assert band.loc[("2014-04", 1970), "mean"] == pytest.approx(3.0)
    assert band.loc[("2014-01", 1980), "mean"] == pytest.approx(2.0)


def test_mean_band_of_one_replication_is_the_value():
    band = style.mean_band(pd.DataFrame({"replication": [0], "g": ["x"], "v": [5]}), ["g"], "v")
    assert band[["mean", "low", "high"]].iloc[0].tolist() == [5, 5, 5]


def test_pipeline_stocks_one_panel_per_grade(tables):
    grades = ["section", "deputy_division", "division"]
    fig = run_figures.pipeline_stocks(tables["timeseries"], grades, GRADE_LABELS)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == [GRADE_LABELS[g] for g in grades]
    assert all(ax.lines and ax.collections for ax in fig.axes)
    assert fig.legends and fig.get_suptitle()


def test_pipeline_stocks_line_is_zero_filled_mean(tables):
    ts = tables["timeseries"]
    fig = run_figures.pipeline_stocks(ts, ["division"], GRADE_LABELS)
    colour = matplotlib.colors.to_hex(style.decade_colour(1980))
    line = next(ln for ln in fig.axes[0].lines if matplotlib.colors.to_hex(ln.get_color()) == colour)
    first = ts[(ts.grade == "division") & (ts.birth_decade == 1980) & (ts.date == "2014-01")]
    assert line.get_ydata()[0] == pytest.approx(first["count"].sum() / ts["replication"].nunique())


def test_headline_metrics_panels_and_percentages(tables):
    summary = tables["summary"]
    fig = run_figures.headline_metrics(summary, HEADLINE + ["not_a_metric"])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(HEADLINE)
    assert all(_drawn(ax) for ax in fig.axes)
    share = summary[(summary.metric == "young_member_team_share")].sort_values("date")
    points = fig.axes[HEADLINE.index("young_member_team_share")].containers[0][0].get_ydata()  # errorbar data line
    assert np.asarray(points) == pytest.approx(100 * share["mean"].to_numpy())


def test_headline_metrics_without_any_metric_is_an_error(tables):
    with pytest.raises(ValueError, match="none of the metrics"):
        run_figures.headline_metrics(tables["summary"], ["not_a_metric"])


def test_age_pyramids_men_left_women_right(tables):
    grades = ["section", "deputy_division", "division", "deputy_bureau"]
    fig = run_figures.age_pyramids(tables["ages"], "2019-01", grades, GRADE_LABELS)
    assert len(fig.axes) == len(grades)
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert min(widths) < 0 < max(widths)


def test_age_pyramids_unknown_date_is_an_error(tables):
    with pytest.raises(ValueError, match="no ages at"):
        run_figures.age_pyramids(tables["ages"], "1999-01", ["section"], GRADE_LABELS)


def test_binding_rules_stacks_rules_inside_candidates(tables):
    elig = tables["eligibility"]
    fig = run_figures.binding_rules(elig, "2019-01", "deputy_division", grade_labels=GRADE_LABELS)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert "Deputy division head" in ax.get_title(loc="left")
    rows = elig[(elig.date == "2019-01") & (elig.grade == "deputy_division")]
    decades = rows["birth_decade"].nunique()
    outline, stacked = ax.patches[:decades], ax.patches[decades:]
    assert stacked  # the rule bars, stacked inside the outline bars of all candidates
    top = {round(p.get_x() + p.get_width() / 2, 6): p.get_height() for p in outline}
    for bar in stacked:
        assert bar.get_y() + bar.get_height() <= top[round(bar.get_x() + bar.get_width() / 2, 6)] + 1e-9


def test_binding_rules_draws_into_a_given_ax(tables):
    fig = Figure()
    ax = fig.add_subplot()
    assert run_figures.binding_rules(tables["eligibility"], "2014-01", "division", ax=ax) is fig


@pytest.mark.slow
def test_save_all_writes_four_pngs(tables, tmp_path):
    written = run_figures.save_all(tables, tmp_path / "plots", HEADLINE, GRADE_LABELS)
    assert sorted(p.name for p in written) == ["age_pyramids.png", "binding_rules.png", "headline_metrics.png",
                                               "pipeline_stocks.png"]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000


@pytest.mark.slow
def test_save_all_skips_missing_and_empty_tables(tables, tmp_path):
    partial = {"timeseries": tables["timeseries"], "ages": tables["ages"].iloc[0:0]}
    written = run_figures.save_all(partial, tmp_path, HEADLINE, GRADE_LABELS)
    assert [p.name for p in written] == ["pipeline_stocks.png"]


@pytest.mark.slow
def test_save_all_chooses_grades_and_dates(tables):
    plans = run_figures._plans(tables, HEADLINE, GRADE_LABELS, labels.LABELS)
    stocks = plans["pipeline_stocks"]()
    assert [ax.get_title() for ax in stocks.axes] == [GRADE_LABELS[g] for g in run_figures.PIPELINE_GRADES]
    assert len(plans["age_pyramids"]().axes) == len(GRADES)
    binding = plans["binding_rules"]().axes[0].get_title(loc="left")
    assert binding.startswith("Promotion into Deputy division head, Jan 2019")


# --- figures that do not mislead ---------------------------------------------------------------------


def _bounds_summary() -> pd.DataFrame:
    """Headline values at their bounds: shares at 0% and 100% (every replication agrees), a share just
    under 100%, a count at 0."""
    rows = [("young_member_team_share", "2014-01", 0.0, 0.0, 0.0, 0.0, 20),
            ("young_member_team_share", "2019-01", 1.0, 0.0, 1.0, 1.0, 20),
            ("reshuffle_fill_rate", "2019-01", 0.997, 0.01, 0.987, 0.999, 20),
            ("post80_division_level", "2014-01", 0.0, 0.0, 0.0, 0.0, 20),
            ("post80_division_level", "2019-01", 29.8, 2.7, 28.5, 31.0, 20),
            ("division_level_mean_age", "2014-01", 46.1, 0.0, 46.1, 46.1, 20),
            ("division_level_mean_age", "2019-01", 43.4, 0.2, 43.35, 43.5, 20)]
    return pd.DataFrame(rows, columns=["metric", "date", "mean", "sd", "ci95_low", "ci95_high", "n"])


def test_headline_dots_at_0_and_100_percent_are_drawn_whole():
    from figure_checks import assert_distinct_y_ticks, assert_markers_whole, y_tick_labels

    fig = run_figures.headline_metrics(_bounds_summary(), HEADLINE + ["division_level_mean_age"])
    assert_markers_whole(fig)
    assert_distinct_y_ticks(fig)
    for ax in fig.axes:
        shown = y_tick_labels(ax)
        if shown[-1].endswith("%"):
            assert float(shown[-1].rstrip("%")) <= 100 and float(shown[0].rstrip("%")) >= 0, shown
        else:
            assert not shown[0].startswith("\u2212"), f"no negative tick on a count axis: {shown}"


def test_headline_snapshot_dates_are_categories_not_a_mostly_empty_time_axis(tables):
    fig = run_figures.headline_metrics(tables["summary"], HEADLINE)
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2014", "Jan 2019"]
        assert ax.get_xlim() == (-0.5, 1.5)


def test_pipeline_and_pyramid_ticks_read_distinctly(tables):
    from figure_checks import assert_distinct_y_ticks

    assert_distinct_y_ticks(run_figures.pipeline_stocks(tables["timeseries"], ["section", "division"], GRADE_LABELS))
    assert_distinct_y_ticks(run_figures.binding_rules(tables["eligibility"], "2019-01", "deputy_division"))


def test_count_bands_never_go_below_zero():
    df = pd.DataFrame({"replication": range(6), "g": "x", "v": [0, 0, 0, 0, 0, 3]})
    band = style.mean_band(df, ["g"], "v").iloc[0]
    assert 0 < band["low"] < band["mean"] < band["high"]


def test_bounded_axis_ticks_stay_in_range_and_read_distinctly():
    from matplotlib.figure import Figure as Fig

    from cadresim.report.scales import value_axis
    from figure_checks import assert_distinct_y_ticks, y_tick_labels

    fig = Fig()
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [99.2, 99.6, 100.0], "o")
    value_axis(ax, [98.3, 99.2, 99.6, 100.0], (0.0, 100.0), "%")
    assert_distinct_y_ticks(fig)
    assert y_tick_labels(ax)[-1] == "100.0%" and ax.get_ylim()[1] > 100.0  # room above the dot, no 100.5% tick
