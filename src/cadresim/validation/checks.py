"""Evidence that the engine agrees with manpower theory (docs/model.md, "Theory the engine is checked against").

Each function runs a theory scenario of ``scenarios/theory/`` and returns ``Check`` rows:
what theory expects, what the simulation gave, the tolerance and whether it passed. The
tolerance of a statistical check is ``Z`` standard errors of the mean over the replications
(estimated from them), stated in each row; exact identities have tolerance 0. The tests in
tests/validation/ assert every row passes; ``scripts/validation_report.py`` writes them to
docs/validation.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cadresim import dates
from cadresim.validation import rates, theory
from cadresim.validation.comparison import Z, Check, statistical
from cadresim.engine.districts import one_roster
from cadresim.scenario.loader import load_scenario, with_overrides
from cadresim.engine.schedule import simulate
from cadresim.engine.replay import replay
from cadresim.measures.rows import StockRow
from cadresim.scenario.schema import Scenario

__all__ = ["Z", "Check", "statistical", "all_checks"]
THEORY = Path(__file__).resolve().parents[3] / "scenarios" / "theory"


def runs(scenario: Scenario, replications: int, seed: int) -> list[pd.DataFrame]:
    """Event logs of ``replications`` replications."""
    roster = one_roster(scenario)
    return [simulate(scenario, roster, seed, r).events for r in range(replications)]


# --- the pull model ---------------------------------------------------------------------------


def posts_and_q(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Posts per grade and the engine's monthly exit probabilities."""
    n = np.array([sum(u.count * u.posts.get(g, 0) for u in scenario.district.units.values())
                  for g in scenario.ladder], dtype=float)
    q = theory.monthly_exit_probability([scenario.grades[g].exit_rate for g in scenario.ladder])
    return n, q


def spells(ev: pd.DataFrame, ladder: list[str], end: int) -> pd.DataFrame:
    """Grade spells that start during the run: cadre, grade, start, stop (end + 1 if censored), how it ended."""
    below = {k: ladder[i - 1] for i, k in enumerate(ladder) if i}
    starts = ev[ev["event"].isin(["promotion", "recruitment"])][["cadre_id", "grade", "month"]]
    stops = pd.concat([
        ev[ev["event"] == "exit"].assign(how="exit"),
        ev[ev["event"] == "promotion"].assign(how="promotion", grade=lambda d: d["grade"].map(below))])
    df = starts.merge(stops[["cadre_id", "grade", "month", "how"]], on=["cadre_id", "grade"], how="left",
                      suffixes=("", "_stop"))
    df["how"] = df["how"].fillna("censored")
    df["stop"] = df["month_stop"].fillna(end + 1)
    return df.rename(columns={"month": "start"})[["cadre_id", "grade", "start", "stop", "how"]]


def pull_estimates(scenario: Scenario, ev: pd.DataFrame) -> dict[str, np.ndarray]:
    """Flows per month, months in grade, promotion probability, months of service, from one log."""
    ladder, start, end = scenario.ladder, scenario.start_month, scenario.end_month
    months = end - start + 1
    flows = np.array([(ev["event"] == "recruitment").sum()] +
                     [((ev["event"] == "promotion") & (ev["grade"] == g)).sum() for g in ladder[1:]]) / months
    sp = spells(ev, ladder, end)
    sp = sp[sp["start"] < start + months // 2]  # spells of the first half: censoring is negligible
    time, promo = [], []
    for g in ladder:
        s = sp[sp["grade"] == g]
        done = s[s["how"] != "censored"]
        time.append((s["stop"] - s["start"]).sum() / len(done))
        promo.append((done["how"] == "promotion").mean())
    careers = ev[ev["event"] == "recruitment"][["cadre_id", "month"]].merge(
        ev[ev["event"] == "exit"][["cadre_id", "month"]], on="cadre_id", how="left", suffixes=("", "_exit"))
    careers = careers[careers["month"] < start + months // 2]
    service = (careers["month_exit"].fillna(end + 1) - careers["month"]).sum() / careers["month_exit"].notna().sum()
    return {"flows": flows, "time": np.array(time), "promotion": np.array(promo), "service": np.array([service])}


def chain_excess(ev: pd.DataFrame, ladder: list[str]) -> np.ndarray:
    """Fills per completed chain minus the starting grade's number (all zero in the pull model)."""
    opened = ev[(ev["event"] == "vacancy_opened") & ev["detail"].isin(["age", "other"])]
    fills = ev[ev["event"] == "vacancy_filled"]
    done = set(fills.loc[fills["detail"].isin(["recruitment", "outside"]), "chain_id"])
    length = fills.groupby("chain_id").size()
    opened = opened[opened["chain_id"].isin(done)]
    number = opened["grade"].map({k: i + 1 for i, k in enumerate(ladder)}).to_numpy()
    return length.loc[opened["chain_id"]].to_numpy() - number


def pull_model_checks(name: str, replications: int = 12, seed: int = 11) -> list[Check]:
    """Flows, months in grade, promotion probabilities, length of service and chain lengths."""
    scenario = load_scenario(THEORY / name)
    group = f"pull model, {len(scenario.ladder)} grades, {scenario.selection.method} selection"
    logs = runs(scenario, replications, seed)
    est = [pull_estimates(scenario, ev) for ev in logs]
    n, q = posts_and_q(scenario)
    expect = {"flows": theory.pull_flows(n, q), "time": theory.pull_time_in_grade(n, q),
              "promotion": theory.pull_promotion_probability(n, q)}
    label = {"flows": "entries per month into {g}", "time": "mean months in {g}",
             "promotion": "P(leave {g} by promotion)"}
    out = []
    for key, values in expect.items():
        for j, g in enumerate(scenario.ladder):
            if key == "promotion" and j == len(scenario.ladder) - 1:
                continue
            out.append(statistical(group, label[key].format(g=g), values[j], [e[key][j] for e in est]))
    out.append(statistical(group, "mean months of service", theory.pull_length_of_service(n, q),
                           [e["service"][0] for e in est]))
    excess = np.concatenate([chain_excess(ev, scenario.ladder) for ev in logs])
    out.append(Check(group, f"chains whose length differs from their starting grade ({len(excess)} chains)",
                     0, int(np.sum(excess != 0)), 0))
    return out


# --- White's vacancy chains ---------------------------------------------------------------------


def white_checks(name: str = "white_4grades.yaml", replications: int = 12, seed: int = 5) -> list[Check]:
    """Mean chain length by starting grade against (I - Q)^-1 · 1, Q from the scenario's outside fills."""
    scenario = load_scenario(THEORY / name)
    outside = np.array([scenario.grades[g].outside_fill for g in scenario.ladder])
    expected = theory.white_chain_lengths(outside)
    group = "White (1970) vacancy chains"
    per_rep = []
    for ev in runs(scenario, replications, seed):
        opened = ev[(ev["event"] == "vacancy_opened") & ev["detail"].isin(["age", "other"])]
        fills = ev[ev["event"] == "vacancy_filled"]
        done = set(fills.loc[fills["detail"].isin(["recruitment", "outside"]), "chain_id"])
        length = fills.groupby("chain_id").size()
        opened = opened[opened["chain_id"].isin(done)]
        per_rep.append([length.loc[opened.loc[opened["grade"] == g, "chain_id"]].mean() for g in scenario.ladder])
    per_rep = np.array(per_rep)
    return [statistical(group, f"mean chain length from {g} (outside fill {outside[j]:.2f})", expected[j],
                        per_rep[:, j]) for j, g in enumerate(scenario.ladder)]


# --- rate-based ladders: Markov chain ---------------------------------------------------------------


def yearly_matrix(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """P and r of n(t+1) = n(t) P + r for stocks read each December after the review and the intake."""
    grades = [scenario.grades[g] for g in scenario.ladder]
    k = len(grades)
    p = np.zeros((k, k))
    for j in range(k):
        up = grades[j + 1].promotion_rate if j + 1 < k else 0.0
        p[j, j] = (1 - grades[j].exit_rate) * (1 - up)
        if j + 1 < k:
            p[j, j + 1] = (1 - grades[j].exit_rate) * up
    r = np.zeros(k)
    r[0] = scenario.recruitment.intake
    return p, r


def december_stocks(scenario: Scenario, replications: int, seed: int) -> np.ndarray:
    """Replication × year × grade stocks each December."""
    roster = one_roster(scenario)
    out = []
    for rep in range(replications):
        res = simulate(scenario, roster, seed, rep, record_events=False)
        st = pd.DataFrame(res.stocks, columns=list(StockRow._fields)).rename(columns={"birth_decade": "decade"})
        st = st[st["date"].str.endswith("-12")].groupby(["date", "grade"])["count"].sum().unstack(fill_value=0)
        out.append(st.reindex(columns=scenario.ladder, fill_value=0).to_numpy(float))
    return np.array(out)


def markov_checks(name: str = "markov_3grades.yaml", replications: int = 16, seed: int = 3) -> list[Check]:
    """Yearly stocks against n(t+1) = n(t) P + r, at the first, middle and last year, per grade."""
    scenario = load_scenario(THEORY / name)
    sims = december_stocks(scenario, replications, seed)
    p, r = yearly_matrix(scenario)
    expected = [r]
    for _ in range(sims.shape[1] - 1):
        expected.append(expected[-1] @ p + r)
    group = "Markov manpower recursion n(t+1) = n(t)P + r"
    years = sorted({0, sims.shape[1] // 2, sims.shape[1] - 1})
    return [statistical(group, f"stock of {g}, December of year {y + 1}", expected[y][j], sims[:, y, j])
            for y in years for j, g in enumerate(scenario.ladder)]


def absorbing_checks(name: str = "markov_absorbing.yaml", replications: int = 12, seed: int = 8) -> list[Check]:
    """A recruit's expected Decembers in each grade, (I - P)^-1 row 0, and where they leave from."""
    scenario = load_scenario(THEORY / name)
    p, _ = yearly_matrix(scenario)
    fundamental = np.linalg.inv(np.eye(len(p)) - p)
    years = fundamental[0]
    leave = years * (1 - p.sum(axis=1))  # absorption: exit during a year spent in grade j
    group = "absorbing Markov chain (rate-based ladder)"
    sims_years, sims_leave = [], []
    roster = one_roster(scenario)
    cohort_end = scenario.start_month + 12 * 10
    for rep in range(replications):
        ev = simulate(scenario, roster, seed, rep).events
        y, lv = _careers_in_decembers(ev, scenario, cohort_end)
        sims_years.append(y)
        sims_leave.append(lv)
    sims_years, sims_leave = np.array(sims_years), np.array(sims_leave)
    out = [statistical(group, f"recruit's expected Decembers in {g}", years[j], sims_years[:, j])
           for j, g in enumerate(scenario.ladder)]
    out += [statistical(group, f"P(recruit leaves from {g})", leave[j], sims_leave[:, j])
            for j, g in enumerate(scenario.ladder)]
    return out


def _careers_in_decembers(ev: pd.DataFrame, scenario: Scenario, cohort_end: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean Decembers spent in each grade, and the share leaving from each grade, for recruits before
    ``cohort_end`` (the horizon is long enough that nearly all have left)."""
    ladder = scenario.ladder
    recruits = ev[(ev["event"] == "recruitment") & (ev["month"] < cohort_end)]["cadre_id"]
    mine = ev[ev["cadre_id"].isin(recruits) & ev["event"].isin(["recruitment", "promotion", "exit"])]
    decembers = np.zeros(len(ladder))
    left = np.zeros(len(ladder))
    for _, rows in mine.groupby("cadre_id"):
        marks = list(zip(rows["month"], rows["event"], rows["grade"]))
        for (m0, kind, g), (m1, _, _) in zip(marks, marks[1:] + [(scenario.end_month + 1, "end", "")]):
            if kind != "exit":
                # Decembers d with m0 <= d < m1 (entries and reviews precede the December stock; exits
                # come first in their month)
                decembers[ladder.index(g)] += (m1 - 12) // 12 - (m0 - 12) // 12
        if marks[-1][1] == "exit":
            left[ladder.index(marks[-1][2])] += 1
    n = len(recruits)
    return decembers / n, left / n


# --- Little's law and bookkeeping --------------------------------------------------------------------


def little_checks(name: str = "markov_absorbing.yaml", replications: int = 8, seed: int = 21,
                  warmup_years: int = 20, tail_years: int = 15) -> list[Check]:
    """Little's law per grade after a warm-up, on the clock of the engine's quarter-end snapshots.

    L is the mean of the engine's own quarter-end stocks (the timeseries table) in a window that ends
    ``tail_years`` before the run does; λ the entries into the grade per quarter in the window (from
    the event log); W the mean number of quarter-end snapshots that a spell beginning in the window
    spans, followed past the window (the tail is long enough that nearly all have ended). Counting
    time in snapshots makes L = λW hold for a seasonal ladder too (yearly intake and reviews)."""
    scenario = load_scenario(THEORY / name)
    ladder, last = scenario.ladder, scenario.end_month
    t0, end = scenario.start_month + 12 * warmup_years, last - 12 * tail_years
    snaps = np.array([m for m in range(t0, end + 1) if dates.calendar_month(m) % 3 == 0])
    roster = one_roster(scenario)
    diffs, stocks = [], []
    for rep in range(replications):
        res = simulate(scenario, roster, seed, rep)
        sp, engine = spells(res.events, ladder, last), quarter_stocks(res.stocks, ladder, snaps)
        row = [little_gap(sp[sp["grade"] == g], snaps, engine[:, j]) for j, g in enumerate(ladder)]
        diffs.append(row)
        stocks.append(engine.mean(axis=0))
    diffs, stocks = np.array(diffs), np.array(stocks)
    group = "Little's law per grade after warm-up (engine's quarter-end stocks)"
    return [statistical(group, f"{g}: entries per quarter × quarter ends spanned - mean quarter-end stock "
                        f"(stock {stocks[:, j].mean():.1f})", 0.0, diffs[:, j]) for j, g in enumerate(ladder)]


def quarter_stocks(stocks: list, ladder: list[str], snaps: np.ndarray) -> np.ndarray:
    """The engine's stock of each grade (columns) at each snapshot month of ``snaps`` (rows)."""
    st = pd.DataFrame(stocks, columns=list(StockRow._fields)).rename(columns={"birth_decade": "decade"})
    table = st.groupby(["date", "grade"])["count"].sum().unstack(fill_value=0)
    table = table.reindex(columns=ladder, fill_value=0)
    return table.reindex([dates.fmt(int(m)) for m in snaps], fill_value=0).to_numpy(float)


def little_gap(sp: pd.DataFrame, snaps: np.ndarray, stock: np.ndarray) -> float:
    """λW - L for one grade: spells ``sp`` (start, stop) that begin within the window of ``snaps``
    against the stock at those snapshots. A spell is in the stock of month t if start <= t < stop."""
    new = sp[(sp["start"] >= snaps[0] - 2) & (sp["start"] <= snaps[-1])]
    start, stop = new["start"].to_numpy(), new["stop"].to_numpy()
    # quarter ends t with start <= t < stop: every third month, counted in closed form
    spanned = _quarter_ends_before(stop) - _quarter_ends_before(start)
    quarters = len(snaps)
    return len(new) / quarters * spanned.mean() - stock.mean()


def _quarter_ends_before(month: np.ndarray) -> np.ndarray:
    """Quarter-end months (March, June, September, December) strictly before ``month``."""
    return np.asarray(month) // 3  # quarter ends are the months m with m % 3 == 2


def bookkeeping_checks(path: Path, seed: int = 2) -> list[Check]:
    """Exact identities over the whole log: per level (both tracks), end stock = start + entries - leavers; and the
    event log replayed from the start roster gives the final roster exactly: grade, post, time in grade
    and in post, posts held, and grassroots months (of cadres in the start roster: what entrants bring
    is not in the log)."""
    scenario = load_scenario(path)
    roster = one_roster(scenario)
    res = simulate(scenario, roster, seed, 0)
    ev, ladder = res.events, scenario.ladder
    start = roster.cadres["grade"].value_counts()
    end = pd.Series([ladder[g] for g in res.final["grade"]]).value_counts()
    group = f"bookkeeping, {scenario.name}"
    out = []
    moves_up = ev["event"].isin(["promotion", "nonleading_appointment"])
    moves_down = (ev["event"] == "probation_fail") & (ev["detail"] != "same_level")
    for i, g in enumerate(ladder):
        above = ladder[i + 1] if i + 1 < len(ladder) else None
        into = ev["event"].isin(["recruitment", "outside_hire", "lateral_hire"]) & (ev["grade"] == g)
        into |= moves_up & (ev["grade"] == g)
        up = moves_up & (ev["grade"] == above)
        down_in = moves_down & (ev["grade"] == above)
        down_out = moves_down & (ev["grade"] == g)
        gone = (ev["event"] == "exit") & (ev["grade"] == g)
        identity = start.get(g, 0) + into.sum() + down_in.sum() - up.sum() - down_out.sum() - gone.sum()
        out.append(Check(group, f"{g}: start + entries - leavers = end stock", end.get(g, 0), int(identity), 0))
    return out + replay_checks(group, scenario, roster, res)


def replay_checks(group: str, scenario: Scenario, roster, res) -> list[Check]:
    """Cadres whose replayed state differs from the engine's final state, column by column."""
    ladder = scenario.ladder
    final = pd.DataFrame({"cadre_id": res.final["key"], "grade": [ladder[g] for g in res.final["grade"]],
                          "nonleading": res.final["nonleading"],
                          "post_id": res.final["post"], "grade_since": res.final["grade_since"],
                          "post_since": res.final["post_since"], "posts_held": res.final["posts_held"],
                          "grassroots_months": res.final["grassroots_months"]})
    final = final.sort_values("cadre_id").reset_index(drop=True)
    again = replay(scenario, roster, res.events)
    if len(again) != len(final) or not (again["cadre_id"] == final["cadre_id"]).all():
        return [Check(group, f"cadres present at the end in the replay and the engine ({len(final)})",
                      len(final), len(again), 0)]
    labels = {"grade": "grade", "nonleading": "track (non-leading rank)", "post_id": "post", "grade_since": "month entering the grade",
              "post_since": "month entering the post", "posts_held": "posts held in the grade",
              "grassroots_months": "grassroots months (start-roster cadres)"}
    out = []
    for col, label in labels.items():
        differ = again[col] != final[col]
        if col == "grassroots_months":
            differ &= again["roster"]
        out.append(Check(group, f"cadres whose replayed {label} differs from the engine's ({len(final)})",
                         0, int(differ.sum()), 0))
    return out


# --- limit cases ---------------------------------------------------------------------------------------


def limit_checks(path: Path, seed: int = 4) -> list[Check]:
    """No exits and no age limits: no promotions, constant headcount. Rotation alone: stocks unchanged.
    On a district with every post held at the start (the simple generator): a grown district starts with
    the posts its history left open, which are filled whatever the exits."""
    base = with_overrides(load_scenario(path), {"district.generator": "simple"})
    frozen = {f"grades.{g}.exit_rate": 0.0 for g in base.ladder}
    frozen |= {f"grades.{g}.leaving_age": None for g in base.ladder}
    frozen |= {"retirement.male": None, "retirement.female": None, "retirement.female_senior": None,
               "reshuffle.dates": [], "probation.fail_rate": 0.0,
               "nonleading.enabled": False}  # the yearly review would move cadres between ranks
    still = with_overrides(base, frozen)
    roster = one_roster(still)
    res = simulate(still, roster, seed, 0)
    counts = res.event_counts
    out = [Check("limit cases", "no exits, no age limits: promotions", 0, counts.get("promotion", 0), 0),
           Check("limit cases", "no exits, no age limits: headcount change", 0, len(res.final["key"]) - len(roster.cadres), 0)]
    rotating = with_overrides(still, {"rotation.cross_unit_rate": 0.3, "rotation.internal_rate": 0.3,
                                      "secondment.count": 0})
    res = simulate(rotating, roster, seed, 0)
    st = pd.DataFrame(res.stocks, columns=list(StockRow._fields)).rename(columns={"birth_decade": "decade"})
    by_date = st.groupby(["date", "grade"])["count"].sum().unstack(fill_value=0)
    changed = int((by_date != by_date.iloc[0]).any(axis=1).sum())
    out.append(Check("limit cases", f"rotation alone ({res.event_counts.get('rotation', 0)} moves): "
                     "quarters whose stocks by grade differ from the start", 0, changed, 0))
    return out


def all_checks(shipped: list[Path]) -> list[Check]:
    """Every check, for the report."""
    out = []
    for name in ("pull_3grades.yaml", "pull_3grades_seniority.yaml", "pull_5grades.yaml",
                 "pull_5grades_seniority.yaml"):
        out += pull_model_checks(name)
    out += white_checks() + markov_checks() + absorbing_checks() + little_checks()
    for path in shipped:
        out += bookkeeping_checks(path)
    out += limit_checks(shipped[0])
    for path, replications in RATE_RUNS:
        out += realized_rate_checks(path, replications)
    return out


#: Scenarios whose realized rates the report checks, with their replications: the status quo, and wider
#: targeted rotation with a bureau ↔ street/town share.
RATE_RUNS = ((THEORY.parent / "baseline.yaml", 40), (THEORY.parent / "rotation.yaml", 20))


def realized_rate_checks(path: Path, replications: int, seed: int = 11) -> list[Check]:
    """Every realized rate of a shipped scenario against its parameter (``validation.rates``)."""
    scenario = load_scenario(path)
    return rates.rate_checks(scenario, rates.tallies(scenario, one_roster(scenario), replications, seed))
