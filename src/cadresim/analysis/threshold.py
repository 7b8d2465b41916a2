"""Target search (pure): the smallest (or largest) value of one lever that meets a goal.

The lever's range is a lattice of points ``0..steps`` (integers for an integer key; for a float key,
``steps`` equal parts, the stated tolerance). :func:`search` first evaluates a coarse grid (5 points by
default) and checks that the goal's statistic -- the mean of the metric, or with a probability the
share of replications meeting the target -- moves one way with the lever, allowing reversals within two
standard errors of the paired difference (else it stops: ``not_monotone``). The grid brackets the
point where the goal starts to be met; bisection over the lattice then narrows the bracket to
neighbouring points, within the run budget. Every point is evaluated by ``evaluate``, which returns one
value per replication, replication ``i`` drawing the same random streams at every point (paired), so a
step between neighbours is not lost in replication noise.

The impure driver that runs the scenario is :mod:`cadresim.analysis.threshold_runs`; this module can
search any function (the tests search a closed-form one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cadresim.analysis.targets import probability
from cadresim.scenario.targets import Target
from cadresim.stats import UNBOUNDED, Bounds, mean_ci

GRID_POINTS = 5
Evaluate = Callable[[Sequence[int]], dict[int, np.ndarray]]


@dataclass(frozen=True)
class Lattice:
    """The values a lever may take: ``low + k * (high - low) / steps`` for ``k`` in ``0..steps``."""

    low: float
    high: float
    steps: int
    integer: bool

    @classmethod
    def of(cls, low: float, high: float, integer: bool, tolerance: float | None = None) -> Lattice:
        """Integers ``low..high``, or a float range cut into parts no wider than ``tolerance``
        (default: a 64th of the range)."""
        if integer:
            return cls(int(low), int(high), int(high) - int(low), True)
        width = tolerance if tolerance else (high - low) / 64
        return cls(float(low), float(high), max(1, math.ceil((high - low) / width - 1e-9)), False)

    def value(self, k: int) -> int | float:
        if self.integer:
            return int(self.low) + int(k)
        return float(self.low + (self.high - self.low) * k / self.steps)

    @property
    def tolerance(self) -> float:
        return 1 if self.integer else (self.high - self.low) / self.steps

    def grid(self, points: int = GRID_POINTS) -> list[int]:
        """``points`` evenly spread lattice indices, both ends included."""
        return sorted({round(i * self.steps / (points - 1)) for i in range(points)})


@dataclass(frozen=True)
class Goal:
    """A target met in mean (``probability`` None) or in at least a share ``probability`` of futures."""

    target: Target
    probability: float | None = None
    bounds: Bounds = UNBOUNDED

    def statistic(self, values: np.ndarray) -> float:
        """The mean of the values, or the share meeting the target."""
        if self.probability is None:
            return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
        return float(np.mean([self.target.met(float(v)) for v in values]))

    def met(self, values: np.ndarray) -> bool:
        stat = self.statistic(values)
        if self.probability is None:
            return self.target.met(stat)
        return not math.isnan(stat) and stat >= self.probability

    def __str__(self) -> str:
        if self.probability is None:
            return f"mean {self.target}"
        return f"P({self.target}) >= {self.probability:g}"


@dataclass
class Point:
    """One value of the lever tried: its replications' values and what they say."""

    k: int
    value: int | float
    values: np.ndarray
    stage: str
    goal: Goal

    @property
    def met(self) -> bool:
        return self.goal.met(self.values)

    def row(self) -> dict[str, object]:
        """The point as a table row: value, stage, mean and 95% interval, P(met) and its interval, met."""
        finite = self.values[np.isfinite(self.values)]
        mean, _sd, low, high, n = mean_ci(finite, self.goal.bounds) if len(finite) else (math.nan,) * 4 + (0,)
        p = probability([self.goal.target.met(float(v)) for v in self.values])
        return {"value": self.value, "stage": self.stage, "mean": mean, "ci95_low": low, "ci95_high": high,
                "n": n, "p_met": p.p, "p_ci95_low": p.low, "p_ci95_high": p.high, "goal_met": self.met}


@dataclass
class SearchResult:
    """What the search found.

    Attributes:
        status: ``found`` (the answer is at the boundary, or at an end of the range where the goal is met
            throughout), ``unreachable`` (not met anywhere in the range), ``not_monotone`` (the grid shows
            the statistic moving both ways), or ``budget`` (the budget ran out: the answer is the best
            point meeting the goal found so far, the bracket says where the boundary lies).
        answer: the value meeting the goal nearest the boundary (None unless found or budget).
        neighbour: the lattice point beside the answer that does not meet it (None at an end of the range).
        smallest: True when the answer is the smallest value meeting the goal, False when the largest.
        direction: +1 when the statistic rises with the lever, -1 when it falls, 0 when flat.
        points: every point tried, in the order tried.
    """

    goal: Goal
    lattice: Lattice
    status: str
    points: list[Point]
    runs: int
    answer: Point | None = None
    neighbour: Point | None = None
    smallest: bool = True
    direction: int = 0
    bracket: tuple[float, float] | None = None
    message: str = ""
    notes: list[str] = field(default_factory=list)

    def table(self) -> list[dict[str, object]]:
        """Every point tried, in lever order."""
        return [p.row() for p in sorted(self.points, key=lambda p: p.k)]


def minimum_budget(replications: int, lattice: Lattice, grid_points: int = GRID_POINTS) -> int:
    """The runs the coarse grid alone needs (a budget below it cannot even check the direction)."""
    return len(lattice.grid(grid_points)) * replications


def full_budget(replications: int, lattice: Lattice, grid_points: int = GRID_POINTS) -> int:
    """The runs of the grid and a bisection down to neighbouring points (the most the search makes)."""
    grid = lattice.grid(grid_points)
    widest = max((b - a for a, b in zip(grid, grid[1:])), default=1)
    return (len(grid) + max(0, math.ceil(math.log2(max(widest, 1))))) * replications


def search(evaluate: Evaluate, lattice: Lattice, goal: Goal, replications: int, budget: int | None = None,
           grid_points: int = GRID_POINTS) -> SearchResult:
    """Find the value of the lever nearest the boundary where ``goal`` starts to be met.

    Args:
        evaluate: lattice indices -> one array of per-replication values each (paired across points).
        lattice: the lever's values.
        goal: the goal (in mean, or with a probability).
        replications: values per point (counted against the budget).
        budget: the most runs (points x replications) to make; default :func:`full_budget`.
        grid_points: points of the coarse grid.

    Raises:
        ValueError: a budget below :func:`minimum_budget`.
    """
    budget = full_budget(replications, lattice, grid_points) if budget is None else budget
    if budget < minimum_budget(replications, lattice, grid_points):
        raise ValueError(f"a budget of {budget} runs is below the {minimum_budget(replications, lattice, grid_points)}"
                         " the coarse grid needs")
    tried: dict[int, Point] = {}

    def run(ks: Sequence[int], stage: str) -> None:
        new = [k for k in ks if k not in tried]
        for k, values in evaluate(new).items():
            tried[k] = Point(k, lattice.value(k), np.asarray(values, dtype=float), stage, goal)

    run(lattice.grid(grid_points), "grid")
    grid = [tried[k] for k in sorted(tried)]
    res = SearchResult(goal, lattice, "found", list(tried.values()), len(tried) * replications)
    res.direction = _direction(grid, goal)
    if (why := _not_monotone(grid, goal, res.direction)) is not None:
        res.status, res.message = "not_monotone", why
        return res
    flags = [p.met for p in grid]
    res.smallest = flags[-1] if any(flags) else (res.direction >= 0) == goal.target.rises
    if not any(flags):
        res.status, res.message = "unreachable", "the goal is not met anywhere in the range"
        return res
    if all(flags):
        res.answer = grid[0] if res.smallest else grid[-1]
        res.message = "the goal is met throughout the range; the answer is its end"
        return res
    _bisect(run, tried, grid, res, budget, replications)
    res.points = list(tried.values())
    res.runs = len(tried) * replications
    return res


def _bisect(run: Callable[[Sequence[int], str], None], tried: dict[int, Point], grid: list[Point],
            res: SearchResult, budget: int, replications: int) -> None:
    """Narrow the grid's bracket (a point missing the goal, a point meeting it) to neighbours."""
    switch = next(i for i in range(1, len(grid)) if grid[i].met != grid[i - 1].met)
    miss, hit = (grid[switch - 1], grid[switch]) if res.smallest else (grid[switch], grid[switch - 1])
    while abs(hit.k - miss.k) > 1 and len(tried) * replications + replications <= budget:
        mid = (hit.k + miss.k) // 2
        run([mid], "bisection")
        point = tried[mid]
        hit, miss = (point, miss) if point.met else (hit, point)
    res.answer, res.neighbour = hit, miss
    res.bracket = tuple(sorted((miss.value, hit.value)))  # type: ignore[assignment]
    if abs(hit.k - miss.k) > 1:
        res.status = "budget"
        res.message = (f"the budget ran out: the boundary lies between {res.bracket[0]:g} and {res.bracket[1]:g}; "
                       f"the answer given is the nearest value found to meet the goal")


def _direction(grid: list[Point], goal: Goal) -> int:
    stats = [goal.statistic(p.values) for p in grid]
    if any(math.isnan(s) for s in stats):
        return 0
    delta = stats[-1] - stats[0]
    return 0 if delta == 0 else (1 if delta > 0 else -1)


def _not_monotone(grid: list[Point], goal: Goal, direction: int) -> str | None:
    """Why the grid's statistic does not move one way (None when it does, within the paired noise)."""
    stats = [goal.statistic(p.values) for p in grid]
    if any(math.isnan(s) for s in stats):
        return "the metric has no value at some grid points (failed runs, or not taken at that date)"
    if direction == 0 and len(set(stats)) > 1:
        return "the statistic is the same at both ends of the range but moves in between"
    for a, b, sa, sb in zip(grid, grid[1:], stats, stats[1:]):
        if (sb - sa) * direction < -2 * _paired_se(a, b, goal):
            return (f"the statistic moves against the overall direction between {a.value:g} ({sa:.4g}) and "
                    f"{b.value:g} ({sb:.4g}), beyond the replication noise")
    flags = [p.met for p in grid]
    if sum(x != y for x, y in zip(flags, flags[1:])) > 1:
        return "the goal is met and missed alternately along the grid"
    return None


def _paired_se(a: Point, b: Point, goal: Goal) -> float:
    """The standard error of the statistic's step from ``a`` to ``b``, the replications paired."""
    if goal.probability is None:
        diff = b.values - a.values
    else:
        diff = np.array([goal.target.met(float(y)) - goal.target.met(float(x)) for x, y in zip(a.values, b.values)],
                        dtype=float)
    diff = diff[np.isfinite(diff)]
    return float(np.std(diff, ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else 0.0
