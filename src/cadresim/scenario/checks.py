"""Checks of meaning that types alone cannot express (run after parsing)."""

from __future__ import annotations

from typing import Iterator

from cadresim import dates, limits
from cadresim.errors import Problem
from cadresim.scenario.schema import Scenario
from cadresim.scenario.targets import check_targets, metric_dates


def check(s: Scenario) -> list[Problem]:
    """Every problem of meaning in a parsed scenario (source left blank: the loader fills it in)."""
    return [*_ladder(s), *_units(s), *_size(s), *_ages(s), *_timeline(s), *_processes(s), *_targets(s)]


def _p(path: str, message: str, value: object = None) -> Problem:
    return Problem("", path, message, value)


def _ladder(s: Scenario) -> Iterator[Problem]:
    known = ", ".join(s.ladder)
    if len(set(s.ladder)) != len(s.ladder):
        yield _p("ladder", "grade keys must be distinct", s.ladder)
    for key in s.ladder:
        if key not in s.grades:
            yield _p(f"grades.{key}", "the ladder names this grade but grades has no entry for it")
    for key in s.grades:
        if key not in s.ladder:
            yield _p(f"grades.{key}", f"not a grade of the ladder; grades are: {known}")
    for role, value in s.roles.model_dump().items():
        for key in value if isinstance(value, list) else [value]:
            if key is not None and key not in s.ladder:
                yield _p(f"roles.{role}", f"not a grade of the ladder; grades are: {known}", key)
    bottom = s.grades.get(s.ladder[0])
    if bottom is not None and bottom.kind == "rate_based" and s.recruitment.intake == "gaps":
        yield _p("recruitment.intake", "a rate_based bottom grade has no posts: give a yearly number", "gaps")
    for key, grade in s.grades.items():
        for field in ("outside_age",):
            lo, hi = getattr(grade, field)
            if lo > hi:
                yield _p(f"grades.{key}.{field}", "the low end must not exceed the high end", [lo, hi])
        for unit_type in grade.probation_in:
            if unit_type not in s.district.units:
                yield _p(f"grades.{key}.probation_in", f"unknown unit type; types are: "
                         f"{', '.join(s.district.units)}", unit_type)


def _units(s: Scenario) -> Iterator[Problem]:
    for type_key, unit in s.district.units.items():
        for grade, n in unit.posts.items():
            path = f"district.units.{type_key}.posts.{grade}"
            if grade not in s.ladder:
                yield _p(path, f"not a grade of the ladder; grades are: {', '.join(s.ladder)}")
            elif n < 0:
                yield _p(path, "posts must be 0 or more", n)
            elif grade in s.grades and s.grades[grade].kind == "rate_based" and n:
                yield _p(path, "a rate_based grade has no posts: leave it out", n)
    if not any(u.count for u in s.district.units.values()):
        yield _p("district.units", "the district has no units: give at least one type a count above 0")


def _size(s: Scenario) -> Iterator[Problem]:
    """The synthetic district within the documented limits of units and posts (a roster file's are
    checked when it is read), and each Youth Talent cohort no larger than the posts its members hold."""
    if s.district.roster_file is not None:
        return
    units = synthetic_units(s)
    yield from (_p(p.path, p.message, p.value) for p in
                limits.within("", "district", "units in the district (copies x counts)", sum(units.values()),
                              limits.MAX_UNITS))
    posts = synthetic_posts(s, [g for g in s.ladder if g in s.grades and s.grades[g].kind == "post_limited"])
    yield from (_p(p.path, p.message, p.value) for p in
                limits.within("", "district", "posts in the district (copies x counts x posts)", posts,
                              limits.MAX_CADRES))
    for name, cohort in s.youth_talent.cohorts.items():
        grades = cohort_grades(s, cohort.grades)
        if all(s.grades[g].kind == "post_limited" for g in grades if g in s.grades):
            pool = synthetic_posts(s, grades)
            if cohort.size > pool:
                yield _p(f"youth_talent.cohorts.{name}.size", f"more members than the {pool:,} posts of the grades "
                         f"they are drawn from ({', '.join(grades) or 'none'}) in the district", cohort.size)


def cohort_grades(s: Scenario, grades: list[str] | None) -> list[str]:
    """The grades a Youth Talent cohort draws its members from (its own, else the section_level role)."""
    return [g for g in (grades if grades is not None else s.roles.section_level) if g in s.ladder]


def synthetic_units(s: Scenario) -> dict[str, int]:
    """Units of each type in the synthetic district (district-level types once per copy)."""
    return {k: u.count * (1 if u.level == "city" else s.district.copies) for k, u in s.district.units.items()}


def synthetic_posts(s: Scenario, grades: list[str]) -> int:
    """Posts of ``grades`` in the synthetic district, every copy and the city level included."""
    units = synthetic_units(s)
    return sum(n * max(0, s.district.units[k].posts.get(g, 0)) for k, n in units.items() for g in grades)


def _ages(s: Scenario) -> Iterator[Problem]:
    entry = s.recruitment.age[0]
    for key, grade in s.grades.items():
        if grade.age_ceiling is not None and grade.age_ceiling < entry:
            yield _p(f"grades.{key}.age_ceiling", f"below the youngest entry age ({entry}, recruitment.age): "
                     "no one could ever be promoted", grade.age_ceiling)
    for name, rng in (("recruitment.age", s.recruitment.age),
                      ("recruitment.grassroots_years", s.recruitment.grassroots_years),
                      ("recruitment.enterprise_years", s.recruitment.enterprise_years)):
        if rng[0] > rng[1]:
            yield _p(name, "the low end must not exceed the high end", list(rng))
    for field in ("male", "female", "female_senior"):
        age = getattr(s.retirement, field)
        if age is not None and age <= entry:
            yield _p(f"retirement.{field}", f"must be above the youngest entry age ({entry})", age)


def _timeline(s: Scenario) -> Iterator[Problem]:
    start, end = s.start_month, s.end_month
    allowed = f"between start {s.start} and end {s.end}"
    if end <= start:
        yield _p("end", f"must be after start ({s.start})", s.end)
    elif end - start > 12 * limits.MAX_HORIZON_YEARS:
        yield _p("end", f"more than {limits.MAX_HORIZON_YEARS} years after start ({s.start}) (a documented limit, see "
                 "docs/limits.md)", s.end)
    for i, d in enumerate(s.reshuffle.dates):
        if not start < dates.parse(d) <= end:
            yield _p(f"reshuffle.dates[{i}]", f"a reshuffle must fall after the start and by the end ({allowed})", d)
    for i, d in enumerate(s.snapshots):
        if not start <= dates.parse(d) <= end:
            yield _p(f"snapshots[{i}]", f"a snapshot must fall {allowed}", d)
    for name, cohort in s.youth_talent.cohorts.items():
        if dates.parse(cohort.start) > end:
            yield _p(f"youth_talent.cohorts.{name}.start", f"after the end ({s.end})", cohort.start)


def _processes(s: Scenario) -> Iterator[Problem]:
    for name, cohort in s.youth_talent.cohorts.items():
        for g in cohort.grades or []:
            if g not in s.ladder:
                yield _p(f"youth_talent.cohorts.{name}.grades", f"not a grade of the ladder ({', '.join(s.ladder)})", g)
    for name, src in s.recruitment.lateral.items():
        if src.grade not in s.ladder:
            yield _p(f"recruitment.lateral.{name}.grade", f"not a grade of the ladder ({', '.join(s.ladder)})",
                     src.grade)
        for field in ("age", "grassroots_years", "work_years"):
            lo, hi = getattr(src, field)
            if lo > hi:
                yield _p(f"recruitment.lateral.{name}.{field}", "the low end must not exceed the high end", [lo, hi])
    if s.ladder and s.ladder[0] in s.nonleading.ranks:
        yield _p(f"nonleading.ranks.{s.ladder[0]}", "the bottom grade has no level below: a non-leading rank is "
                 f"held at a higher level ({', '.join(s.ladder[1:])})")
    if s.rotation.cross_unit_rate + s.rotation.internal_rate > 1:
        yield _p("rotation", "cross_unit_rate + internal_rate must not exceed 1",
                 s.rotation.cross_unit_rate + s.rotation.internal_rate)


def _targets(s: Scenario) -> Iterator[Problem]:
    """Each report target parses and names a date the scenario takes metrics at."""
    yield from check_targets(s.report.targets, metric_dates(s.start_month, s.reshuffle_months, s.snapshots))
