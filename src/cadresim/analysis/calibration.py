"""Calibration: fit named scenario parameters to named targets with Optuna's TPE sampler.

A calibration has three parts, each usable on its own:

- **parameters** (:class:`Parameter`): dotted scenario keys, as ``--set`` takes them, each with a range;
  both ends are validated through the scenario schema before anything runs (:func:`check_parameters`);
- **targets** (:class:`Target`): a name and a range the *mean* over draws must fall in, and optionally
  the share of draws that must fall in it (``share_at_least``: "on the mean and in at least 80% of
  districts");
- an **evaluate** callback: ``evaluate(scenario)`` gives each target's value, as ``{name: value}``, a
  list of per-draw ``{name: value}`` dicts, or ``{name: [values...]}``.

:func:`calibrate` searches the parameter box for the smallest **loss**: the sum over targets of the
distance of the mean outside its range divided by the target's scale (0 inside), plus, for targets with
``share_at_least``, the shortfall of the share of draws in range. It stops as soon as the loss is 0
(every target met). Trials run one after another and the sampler has a fixed seed, so the same seed
gives the same trials; the evaluate callback should draw with a fixed seed too (the same replications
at every trial: common random numbers). Values are rounded to :attr:`Parameter.digits` significant
digits before they are evaluated, so the fitted values written out are exactly the ones evaluated.

**Target sources** (the seam for new kinds of targets). A target name on the command line
(``--target NAME=LOW,HIGH``) is resolved by the first source in :data:`TARGET_SOURCES` that
``claims`` it; each source checks its names and builds the evaluate callback for the names it claims
(:class:`TargetSource`). Built in: ``metrics`` (``metric@YYYY-MM``: a forward outcome metric at a
metric date, :mod:`cadresim.analysis.calibration_targets`) and ``backtest`` (the hindcast's measures,
registered by :mod:`cadresim.analysis.calibration_hindcast`). To add one (the grown district's
figures, say), write a :class:`TargetSource` and call :func:`register_source` at import time of its
module; :func:`evaluator` then combines every source that the targets need.

:class:`Fit` holds the result: the best values, the fit table (target, range, achieved, share in
range, pass), the trials, and :meth:`Fit.scenario_yaml`, a scenario file that ``extends:`` can use.
See docs/calibration.md.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, Union

import numpy as np
import pandas as pd
import yaml

from cadresim.errors import InputError, Problem
from cadresim.scenario.loader import with_overrides
from cadresim.scenario.schema import Scenario
from cadresim.stats import mean_ci

#: What an evaluate callback may return (see the module docstring).
Evaluation = Union[Mapping[str, float], Sequence[Mapping[str, float]], Mapping[str, Sequence[float]]]
Evaluate = Callable[[Scenario], Evaluation]
FIT_COLUMNS = ("target", "low", "high", "achieved", "ci95_low", "ci95_high", "share_at_least", "share_in_range",
               "n", "distance", "pass")
HEADER = "# Produced by cadresim calibrate"


@dataclass(frozen=True)
class Parameter:
    """A scenario key to fit, within ``[low, high]``.

    Attributes:
        key: a dotted scenario key, as ``--set`` takes it (``grades.staff.exit_rate``).
        low, high: the range searched (both ends included).
        integer: draw whole numbers.
        digits: significant digits a drawn real value is rounded to (ignored for integers).
    """

    key: str
    low: float
    high: float
    integer: bool = False
    digits: int = 4

    def __post_init__(self) -> None:
        if not (_finite(self.low) and _finite(self.high)) or self.low > self.high:
            raise ValueError(f'"{self.key}": the range must be two finite numbers, low <= high.')
        if self.digits < 1:
            raise ValueError('"digits" must be >= 1.')

    def value(self, x: float) -> int | float:
        """``x`` as this parameter's value: a whole number, or rounded to ``digits`` significant digits."""
        if self.integer:
            return int(round(x))
        return float(f"{x:.{self.digits}g}")


@dataclass(frozen=True)
class Target:
    """A range a target's mean over draws must fall in.

    Attributes:
        name: what the evaluate callback names it.
        low, high: the range (both ends included; ``-inf``/``inf`` for one-sided).
        kind: what is compared with the range; only "mean" (the mean over draws) for now.
        share_at_least: when set, the share of draws that must also fall in the range.
        scale: what a distance outside the range is divided by in the loss (default: the range's
            width, or for a point or one-sided range the size of its finite end, at least 1).
    """

    name: str
    low: float = -math.inf
    high: float = math.inf
    kind: str = "mean"
    share_at_least: float | None = None
    scale: float | None = None

    def __post_init__(self) -> None:
        if math.isnan(self.low) or math.isnan(self.high) or self.low > self.high:
            raise ValueError(f'target "{self.name}": expected low <= high.')
        if self.kind != "mean":
            raise ValueError(f'target "{self.name}": "kind" must be "mean".')
        if self.share_at_least is not None and not 0 < self.share_at_least <= 1:
            raise ValueError(f'target "{self.name}": "share_at_least" must be in (0, 1].')
        if self.scale is not None and not self.scale > 0:
            raise ValueError(f'target "{self.name}": "scale" must be > 0.')

    @property
    def unit(self) -> float:
        """The loss's scale for this target."""
        if self.scale is not None:
            return self.scale
        width = self.high - self.low
        if math.isfinite(width) and width > 0:
            return width
        finite = [abs(b) for b in (self.low, self.high) if math.isfinite(b)]
        return max([*finite, 1.0])

    def range_text(self) -> str:
        """The range in words: ``[1, 8]``, ``>= 0.9``, ``= 12``."""
        if self.low == self.high:
            return f"= {_num(self.low)}"
        if not math.isfinite(self.high):
            return f">= {_num(self.low)}"
        if not math.isfinite(self.low):
            return f"<= {_num(self.high)}"
        return f"[{_num(self.low)}, {_num(self.high)}]"


class TargetSource(Protocol):
    """Where targets of one kind come from: which names it takes, their checks, their evaluation."""

    name: str

    def claims(self, target: str) -> bool:
        """Whether ``target`` is one of this source's names (by its form: ``metric@date``, ``stock.*``)."""

    def problems(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> list[Problem]:
        """What is wrong with these names (unknown, not computed at that date...); empty when all are fine."""

    def evaluator(self, base: Scenario, targets: Sequence[str], context: Mapping[str, Any]) -> Evaluate:
        """The evaluate callback for these names. ``context`` holds the run options: ``replications``,
        ``seed``, ``jobs``, and whatever the caller adds (the hindcast's later roster)."""


#: Target sources by name, tried in order (see the module docstring).
TARGET_SOURCES: dict[str, TargetSource] = {}


def register_source(source: TargetSource) -> TargetSource:
    """Add ``source`` to :data:`TARGET_SOURCES` (replacing one of the same name); returns it."""
    TARGET_SOURCES[source.name] = source
    return source


@dataclass(frozen=True)
class Fit:
    """The outcome of :func:`calibrate`.

    Attributes:
        params, targets: what was fitted, to what.
        values: the best values found, by key.
        loss: the best trial's loss (0: every target met).
        table: the fit table at the best values (columns :data:`FIT_COLUMNS`).
        start: the fit table of the base scenario as given (before fitting).
        trials: one row per trial: trial, state, loss, every parameter, every target's mean, error.
        best_trial: the number of the best trial.
        seed, budget: the sampler's seed and the most trials allowed.
        draws: the best trial's evaluation, target -> values over draws.
        start_draws: the base scenario's evaluation, likewise.
    """

    params: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    values: dict[str, int | float]
    loss: float
    table: pd.DataFrame
    start: pd.DataFrame
    trials: pd.DataFrame
    best_trial: int
    seed: int
    budget: int
    draws: dict[str, np.ndarray] = field(default_factory=dict)
    start_draws: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        """Whether every target is met at the best values."""
        return bool(self.table["pass"].all())

    def scenario_yaml(self, name: str, extends: str | None = None, command: str = "calibrate() in Python",
                      fixed: Mapping[str, Any] | None = None, when: date | None = None) -> str:
        """The fitted values as a scenario file (a nested mapping of the dotted keys).

        Args:
            name: the scenario's name.
            extends: the scenario file it extends (relative to where it is written), if any.
            command: the command that produced it (for the header comment).
            fixed: other dotted keys to write (the ``--set`` values the fit was made under).
            when: the date in the header (default: today).
        """
        verdict = "every target met" if self.met else "not every target met"
        lines = [f"{HEADER} on {(when or date.today()).isoformat()}:", f"#   {command}",
                 f"# seed {self.seed}, {len(self.trials)} of at most {self.budget} trials; best trial "
                 f"{self.best_trial}, loss {self.loss:.4g} ({verdict})",
                 "# Fit at these values:", *("#   " + row for row in fit_lines(self.table))]
        data: dict[str, Any] = {"name": name}
        if extends:
            data["extends"] = extends
        for key, value in {**dict(fixed or {}), **self.values}.items():
            _set_dotted(data, key, value)
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
        return "\n".join(lines) + "\n" + body


def calibrate(base: Scenario, params: Sequence[Parameter], targets: Sequence[Target], evaluate: Evaluate,
              budget: int = 50, seed: int = 0,
              on_trial: Callable[[int, float], None] | None = None) -> Fit:
    """Fit ``params`` so that ``evaluate`` meets ``targets``, in at most ``budget`` trials.

    The base scenario's own values are the first trial when they lie in every range; the search then
    follows Optuna's TPE sampler seeded with ``seed`` and stops at the first trial meeting every
    target. A trial whose values make an invalid scenario (two keys that must agree) counts with an
    infinite loss and its error in the trials table.

    Args:
        base: the scenario the parameters are set in.
        params, targets: what to fit, to what.
        evaluate: the target values of a scenario (see the module docstring); its draws should be
            the same at every call (a fixed seed).
        budget: the most trials.
        seed: the sampler's seed.
        on_trial: called with (trial number, loss) after each trial (progress).

    Raises:
        InputError: a parameter's key or range is not valid for the scenario, a target is given
            twice, or ``budget < 1``; nothing is evaluated.
    """
    check_calibration(base, params, targets, budget)
    search = _Search(base, tuple(params), tuple(targets), evaluate, on_trial)
    start_draws = _draws(evaluate(base), targets)
    study = _study(seed)
    first = {p.key: current_value(base, p.key) for p in params}
    if all(isinstance(v, (int, float)) for v in first.values()) and \
            all(p.low <= first[p.key] <= p.high for p in params):
        study.enqueue_trial(first)
        if all(p.value(first[p.key]) == first[p.key] for p in params):
            search.cache[_key(first)] = start_draws  # trial 0 is the base itself: not evaluated twice
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning for the multivariate sampler
        study.optimize(search.objective, n_trials=budget)
    return search.fit(start_draws, seed, budget)


def check_calibration(base: Scenario, params: Sequence[Parameter], targets: Sequence[Target],
                      budget: int) -> None:
    """Every problem of a calibration's setup at once.

    Raises:
        InputError: no parameter, a key twice, a key or range the scenario refuses, no target, a
            target twice, or ``budget < 1``.
    """
    problems = [*check_parameters(base, params), *check_targets(targets), *check_budget(budget)]
    if problems:
        raise InputError(problems)


def check_targets(targets: Sequence[Target], required: bool = True) -> list[Problem]:
    """Problems of the targets: none given (when ``required``), a name given twice."""
    problems = []
    if required and not targets:
        problems.append(Problem("--target", "", "give at least one target, e.g. "
                                "--target post80_section_eligible@2016-12=1,8"))
    seen: set[str] = set()
    for t in targets:
        if t.name in seen:
            problems.append(Problem(f"--target {t.name}", "", "this target is given twice"))
        seen.add(t.name)
    return problems


def check_budget(budget: int) -> list[Problem]:
    """A budget below one trial, as a problem."""
    return [Problem("--budget", "", "must be at least 1", budget)] if budget < 1 else []


def check_parameters(base: Scenario, params: Sequence[Parameter]) -> list[Problem]:
    """Problems of the parameters: none given, a key twice, a key that is not a number in the
    scenario, an end of a range the scenario's checks refuse (each end is tried alone)."""
    if not params:
        return [Problem("--param", "", "give at least one parameter, e.g. --param grades.staff.exit_rate=0.01,0.06")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for p in params:
        if p.key in seen:
            problems.append(Problem(f"--param {p.key}", "", "this key is given twice"))
            continue
        seen.add(p.key)
        problems += _key_problems(base, p)
    return problems


def _key_problems(base: Scenario, p: Parameter) -> list[Problem]:
    """Whether ``p.key`` holds a number in ``base`` and both ends of its range are valid there."""
    found: dict[str, Problem] = {}
    for end in (p.low, p.high):
        try:
            with_overrides(base, {p.key: p.value(end)})
        except InputError as exc:
            for q in exc.problems:
                blamed = Problem(f"--param {p.key}", q.path if q.path != p.key else "", q.message, q.value)
                found.setdefault(str(blamed), blamed)
    if found:
        return list(found.values())
    current = current_value(base, p.key)
    if isinstance(current, bool) or not isinstance(current, (int, float)) and current is not None:
        return [Problem(f"--param {p.key}", "", "not a number in the scenario: only numeric keys can be fitted",
                        current)]
    return []


def current_value(base: Scenario, key: str) -> Any:
    """The value of dotted ``key`` in ``base`` (None when absent)."""
    data: Any = base.model_dump(mode="json")
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _key(values: Mapping[str, Any]) -> tuple:
    return tuple(sorted(values.items()))


def _study(seed: int):
    import optuna

    optuna.logging.disable_default_handler()  # no per-trial log lines on stderr: the caller reports progress
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=10)
    return optuna.create_study(direction="minimize", sampler=sampler)


class _Search:
    """The objective of one calibration, keeping every trial's row and the best trial's draws."""

    def __init__(self, base: Scenario, params: tuple[Parameter, ...], targets: tuple[Target, ...],
                 evaluate: Evaluate, on_trial: Callable[[int, float], None] | None) -> None:
        self.base, self.params, self.targets, self.evaluate = base, params, targets, evaluate
        self.on_trial = on_trial or (lambda number, loss: None)
        self.rows: list[dict[str, Any]] = []
        self.cache: dict[tuple, dict[str, np.ndarray]] = {}
        self.best: tuple[float, int, dict[str, Any], dict[str, np.ndarray]] | None = None

    def objective(self, trial) -> float:
        values = {p.key: p.value(self._suggest(trial, p)) for p in self.params}
        row: dict[str, Any] = {"trial": trial.number, "state": "ok", "loss": math.inf, **values}
        try:
            draws = self.cache.get(_key(values))
            if draws is None:
                draws = _draws(self.evaluate(with_overrides(self.base, values)), self.targets)
        except InputError as exc:
            row.update(state="invalid", error="; ".join(str(p) for p in exc.problems))
            return self._done(trial, row)
        row["loss"] = loss(self.targets, draws)
        row.update({t.name: float(np.mean(draws[t.name])) for t in self.targets})
        if self.best is None or row["loss"] < self.best[0]:
            self.best = (row["loss"], trial.number, values, draws)
        return self._done(trial, row)

    def _suggest(self, trial, p: Parameter) -> float:
        if p.integer:
            return trial.suggest_int(p.key, int(math.ceil(p.low)), int(math.floor(p.high)))
        return trial.suggest_float(p.key, p.low, p.high)

    def _done(self, trial, row: dict[str, Any]) -> float:
        self.rows.append(row)
        self.on_trial(trial.number, row["loss"])
        if row["loss"] == 0:
            trial.study.stop()
        return row["loss"]

    def fit(self, start: dict[str, np.ndarray], seed: int, budget: int) -> Fit:
        if self.best is None:
            raise InputError([Problem("--param", "", "every trial gave an invalid scenario: "
                                      + self.rows[-1].get("error", ""))])
        best_loss, number, values, draws = self.best
        trials = pd.DataFrame(self.rows)
        trials = trials[[c for c in ("trial", "state", "loss", *(p.key for p in self.params),
                                     *(t.name for t in self.targets), "error") if c in trials]]
        return Fit(self.params, self.targets, dict(values), best_loss, fit_table(self.targets, draws),
                   fit_table(self.targets, start), trials, number, seed, budget, draws, start)


# --- the loss and the fit table (pure) ----------------------------------------------------------


def _draws(evaluation: Evaluation, targets: Sequence[Target]) -> dict[str, np.ndarray]:
    """Each target's values over draws, from any form an evaluate callback may return.

    Raises:
        ValueError: the evaluation lacks a target, or gives it no value.
    """
    if isinstance(evaluation, Mapping):
        values = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in evaluation.items()}
    else:
        names = {k for d in evaluation for k in d}
        values = {k: np.array([d[k] for d in evaluation if k in d], dtype=float) for k in names}
    missing = [t.name for t in targets if t.name not in values or len(values[t.name]) == 0]
    if missing:
        raise ValueError(f"the evaluation gave no value for: {', '.join(missing)}")
    return {t.name: values[t.name] for t in targets}


def distance(target: Target, values: np.ndarray) -> float:
    """How far ``values`` miss ``target``: the mean's distance outside the range over the scale, plus
    the shortfall of the share of values in range when ``share_at_least`` is set (0 when met)."""
    mean = float(np.mean(values))
    if math.isnan(mean):
        return math.inf
    out = max(target.low - mean, 0.0, mean - target.high) / target.unit
    if target.share_at_least is not None:
        out += max(target.share_at_least - share_in_range(target, values), 0.0)
    return out


def share_in_range(target: Target, values: np.ndarray) -> float:
    """The share of ``values`` within the target's range."""
    return float(np.mean((values >= target.low) & (values <= target.high)))


def loss(targets: Sequence[Target], draws: Mapping[str, np.ndarray]) -> float:
    """The sum of the targets' distances (0: every target met)."""
    return float(sum(distance(t, draws[t.name]) for t in targets))


def fit_table(targets: Sequence[Target], draws: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One row per target: range, achieved mean with its 95% interval, share in range, pass."""
    rows = []
    for t in targets:
        values = draws[t.name]
        mean, _, low, high, n = mean_ci(values)
        share = share_in_range(t, values) if t.share_at_least is not None else math.nan
        d = distance(t, values)
        rows.append((t.name, t.low, t.high, mean, low, high, t.share_at_least, share, n, d, d == 0))
    return pd.DataFrame(rows, columns=list(FIT_COLUMNS))


def fit_lines(table: pd.DataFrame) -> list[str]:
    """The fit table as aligned text lines (for comments and logs)."""
    head = ["target", "range", "achieved", "share in range", "pass"]
    body = [[r.target, _range(r.low, r.high), _num(r.achieved),
             "" if pd.isna(r.share_at_least) else f"{r.share_in_range:.0%} (>= {r.share_at_least:.0%})",
             "yes" if r["pass"] else "no"] for _, r in table.iterrows()]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in [head, *body]]


def _range(low: float, high: float) -> str:
    return Target("", low, high).range_text()


def _num(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and math.isfinite(x)


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value.item() if isinstance(value, np.generic) else value
