"""The scenario format: every parameter, its default and its source, in one place.

Each field's description ends with a source mark (docs/model.md): ``[rule]`` a
written rule, ``[seed]`` stated in the 2014 speech, ``[assumption]`` a planning
value with no public source, ``[model]`` a modelling choice of cadresim.
Objects are frozen once validated; processes read them, never ``.get()`` with a
fallback.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from cadresim import dates, limits
from cadresim.scenario.fields import (  # noqa: F401  (re-exported: the types of the scenario format)
    ASSUMPTION, MODEL, RULE, SEED, Age, CalendarMonth, Headcount, Months, NoiseSD, Posts, Probability, ScenarioName,
    Section, StandardDeviation, Weight, YearMonth, Years, YearSpan, param, param_factory)
from cadresim.scenario.fitted import HISTORY, MERIT_RHO
from cadresim.scenario.ranks import NonLeading


class Grade(Section):
    """One grade of the ladder: its posts, entry rules, leaving age and exits."""

    name_zh: str = param("", "Chinese name, used in labels", MODEL)
    kind: Literal["post_limited", "rate_based"] = param(
        "post_limited", "post_limited: promotion only into a vacant post; rate_based: no post limit, "
        "promotion at a yearly review with promotion_rate", MODEL)
    promotion_rate: Probability = param(0.0, "rate_based grades: yearly probability that an eligible cadre of the "
                                    "grade below is promoted into this grade at the review", MODEL)
    review_month: CalendarMonth = param(12, "rate_based grades: calendar month of the yearly review", MODEL)
    years_in_grade_below: Years | None = param(None, "eligibility: minimum years in the grade below (null: rule off)",
                                               RULE)
    years_of_work: Years | None = param(None, "eligibility: minimum years since starting work (null: off)", RULE)
    grassroots_years: Years | None = param(None, "eligibility: minimum years of grassroots experience (null: off)",
                                           RULE)
    posts_held_below: int | None = param(None, "eligibility: minimum distinct posts held in the grade below "
                                         "(null: off)", SEED, ge=1)
    age_ceiling: Age | None = param(None, "eligibility: oldest age (completed years) at promotion into the grade "
                                "(null: off)", ASSUMPTION)
    leaving_age: Age | None = param(None, "holders leave the pipeline in the month after this birthday "
                                "(null: only retirement)", ASSUMPTION)
    exit_rate: Probability = param(0.0, "yearly probability of other exits (resignation, transfer out, death)",
                               ASSUMPTION)
    outside_fill: Probability = param(0.0, "probability that a vacancy is filled from outside the district "
                                  "(see selection.outside_fill_mode)", ASSUMPTION)
    outside_age: tuple[Age, Age] = param((40, 50), "age range of cadres appointed from outside into this grade",
                                     ASSUMPTION)
    outside_grassroots_years: Years = param(3.0, "grassroots experience of cadres appointed from outside",
                                        ASSUMPTION)
    scope: Literal["unit_first", "district"] = param(
        "district", "candidate scope: unit_first (own unit, then district-wide when the unit has no eligible "
        "candidate) or district", ASSUMPTION)
    probation_in: list[str] = param_factory(list, "unit types in which promotion into this grade starts probation "
                                 "(non-elected posts)", RULE)


def _grade(name_zh: str, **kw) -> Grade:
    return Grade(name_zh=name_zh, **kw)


def default_grades() -> dict[str, Grade]:
    """The six grades with their eligibility rules and processes (docs/model.md, "Grades")."""
    both = ["bureau", "street_town"]
    return {
        "staff": _grade("科员", exit_rate=0.03),
        "deputy_section": _grade("副科", years_in_grade_below=3, age_ceiling=35, leaving_age=55,
                                 exit_rate=0.015, scope="unit_first", probation_in=both),
        "section": _grade("正科", years_in_grade_below=2, age_ceiling=40, leaving_age=55, exit_rate=0.015,
                          scope="unit_first", probation_in=both),
        "deputy_division": _grade("副处", years_in_grade_below=3, years_of_work=5, grassroots_years=2,
                                  posts_held_below=2, age_ceiling=45, leaving_age=55, exit_rate=0.01,
                                  probation_in=["bureau"]),
        "division": _grade("正处", years_in_grade_below=2, years_of_work=5, grassroots_years=2, age_ceiling=50,
                           leaving_age=58, exit_rate=0.01),
        "deputy_bureau": _grade("副局", years_in_grade_below=3, years_of_work=5, grassroots_years=2,
                                age_ceiling=55, leaving_age=60, exit_rate=0.01, outside_fill=0.5,
                                outside_age=(45, 52)),
    }


DEFAULT_LADDER = ["staff", "deputy_section", "section", "deputy_division", "division", "deputy_bureau"]


class Roles(Section):
    """Which grades play the roles that processes and metrics refer to (null or [] when a ladder lacks one)."""

    section_level: list[str] = param_factory(lambda: ["deputy_section", "section"],
                                  "科级 leader grades: rotation, secondment, Youth Talent pool", MODEL)
    division_level: list[str] = param_factory(lambda: ["deputy_division", "division"],
                                   "处级 grades: a unit's leadership team, division-level metrics", MODEL)
    division_head: str | None = param("division", "正处 grade (division_head metrics)", MODEL)
    section_head: str | None = param("section", "正科 grade (Youth Talent placement in a second post)", MODEL)
    district_leadership: str | None = param("deputy_bureau", "区领导 grade (reshuffle move-on rule)", MODEL)


class UnitType(Section):
    """A kind of unit in the synthetic district, with its posts per grade."""

    count: int = param(0, "number of units of this type (in each district when district.copies > 1)", SEED, ge=0,
                   le=limits.MAX_UNITS)
    level: Literal["district", "city"] = param(
        "district", "district: a unit of each district, whose posts are filled from that district; city: a "
        "city-level unit (not copied per district) whose posts are filled from every district", MODEL)
    name_zh: str = param("", "Chinese name, used in labels", MODEL)
    grassroots: bool = param(False, "time served in this unit counts as grassroots experience", SEED)
    young_member_age: Age | None = param(None, "team target: at least one division-level member younger than this "
                                     "(null: no target)", ASSUMPTION)
    posts: dict[str, Posts] = param_factory(dict, "posts per grade in each unit (staff: the establishment 编制)", SEED)


def default_unit_types() -> dict[str, UnitType]:
    """The default district (docs/model.md, "The default synthetic district")."""
    return {
        "bureau": UnitType(count=40, name_zh="委办局", grassroots=False, young_member_age=40, posts={
            "staff": 16, "deputy_section": 4, "section": 5, "deputy_division": 2, "division": 1}),
        "street_town": UnitType(count=13, name_zh="街镇", grassroots=True, young_member_age=35, posts={
            "staff": 45, "deputy_section": 8, "section": 10, "deputy_division": 7, "division": 2}),
        "district_leadership": UnitType(count=1, name_zh="区领导", posts={"deputy_bureau": 30}),
    }


class District(Section):
    """The district whose roster the run starts from."""

    generator: Literal["grown", "calibrated", "simple"] = param(
        "grown", "grown: the district is grown by the model's own processes from history.start under the "
        "rules of the time (docs/model.md, 'The default synthetic district'); calibrated: the older generator "
        "that sets the start-date figures directly; simple: posts filled with plausible histories and no "
        "calibration (custom ladders, theory checks)", MODEL)
    seed: int = param(1, "seed of the synthetic roster generator; with the grown generator, the first seed tried "
                  "for the ensemble (the roster is the same in every replication of a district)", MODEL, ge=0)
    districts: int = param(10, "grown generator: plausible districts the run covers, each with the run's "
                       "replications (districts accepted by rejection from seeds seed, seed + 1, ...); a roster "
                       "file is always one district", MODEL, ge=1, le=limits.MAX_DISTRICTS)
    accept_post80_division_level: int | None = param(
        3, "grown generator: a district is plausible only with exactly this many 80后 division-level holders on "
        "the start date (null: no such check)", SEED, ge=0)
    accept_grassroots_share: Probability | None = param(
        0.90, "grown generator: a district is plausible only when more than this share of division-level holders "
        "has the grassroots experience of the division-level rule on the start date (null: no such check)", SEED)
    stream: int = param(0, "random stream of the replications on a roster file: `cadresim roster export` of a grown "
                    "district writes its stream here, so that a run on the export equals that district's runs "
                    "(0: the roster's own stream)", MODEL, ge=0)
    merit_rho: Annotated[float, Field(ge=0.0, lt=1.0)] = param(
        MERIT_RHO, "correlation of latent merit with how early a cadre reached the current grade against peers of the "
        "same grade and birth year (merit ~ N(rho*z, 1 - rho^2)); fitted on the grown district's history "
        "(docs/assumptions.md); the same for a roster file", MODEL)
    units: dict[str, UnitType] = param_factory(default_unit_types, "unit types keyed by type id", SEED)
    copies: int = param(1, "number of districts of this kind (a city: 16); each selects within itself, and "
                    "city-level unit types sit above them all. Counts such as secondment.count stay totals",
                    MODEL, ge=1, le=limits.MAX_UNITS)
    roster_file: str | None = param(None, "the district's own roster of cadres (CSV or .xlsx; columns: `cadresim "
                                "roster template`) in place of the synthetic district, relative to the scenario "
                                "file that sets it; with units_file, unit types then give only their grassroots "
                                "flag and team target (null: synthetic district)", MODEL)
    units_file: str | None = param(None, "the district's own units with their posts (CSV or .xlsx), with "
                               "roster_file (null: synthetic district)", MODEL)


    @model_validator(mode="after")
    def _grown_is_one_district(self) -> "District":
        if self.generator == "grown" and self.roster_file is None and (
                self.copies > 1 or any(u.level == "city" for u in self.units.values())):
            raise ValueError("the grown generator grows one district: a city (copies over 1 or city-level units) "
                             "needs generator: calibrated or simple")
        return self


class Retirement(Section):
    """Statutory retirement ages."""

    male: Age | None = param(60, "retirement age of men (null: none)", RULE)
    female: Age | None = param(55, "retirement age of women (null: none)", RULE)
    female_senior: Age | None = param(60, "retirement age of women at division level and above", RULE)


class Exceptional(Section):
    """Exceptional promotion (破格), Art. 9."""

    per_year: Headcount = param(0, "promotions a year that may waive one rule other than the age ceiling "
                          "(never during probation or within a year of a promotion)", RULE)
    competes: bool = param(False, "candidates who may be promoted exceptionally compete with eligible ones in every "
                           "round (true) or only fill a vacancy no eligible candidate can (false)", MODEL)


class Score(Section):
    """Weights of the selection score."""

    merit: Weight = param(1.0, "weight of assessed merit (latent merit + assessment noise)", ASSUMPTION)
    years_in_grade: Weight = param(0.1, "points per year in the current grade", ASSUMPTION)
    young_team_bonus: Weight = param(0.5, "bonus when the team lacks a young member and the candidate would be one",
                                ASSUMPTION)
    youth_talent_bonus: Weight = param(0.5, "bonus for a Youth Talent member within the cohort's bonus period",
                                  ASSUMPTION)


class Selection(Section):
    """Selection rounds, scoring and outside fills."""

    rounds: list[CalendarMonth] | Literal["immediate"] = param_factory(
        lambda: [3, 6, 9, 12], "calendar months of the quarterly rounds, or immediate (fill each vacancy "
        "in the month it opens)", ASSUMPTION)
    method: Literal["score", "random", "seniority"] = param(
        "score", "how the winner is chosen among eligible candidates: score (the weighted score below), random "
        "(uniformly at random, for theory checks) or seniority (longest in grade first)", MODEL)
    cascade: bool = param(True, "the vacancy a winner leaves is served in the same round", ASSUMPTION)
    assessment_noise: StandardDeviation = param(
        0.5, "SD of assessment noise, drawn each round (knowing cadres better: lower)", ASSUMPTION)
    score: Score = param_factory(Score, "score weights", ASSUMPTION)
    outside_fill_mode: Literal["no_candidate", "always"] = param(
        "no_candidate", "no_candidate: outside_fill applies when no eligible candidate exists (default); "
        "always: every vacancy is first filled from outside with that probability (White's model)", MODEL)
    exceptional: Exceptional = param_factory(Exceptional, "exceptional promotion", RULE)


class Probation(Section):
    """Probation (试用期), Art. 42."""

    months: Months = param(12, "length of probation", RULE)
    fail_rate: Probability = param(0.02, "share who fail and return to their former grade", ASSUMPTION)


class Rotation(Section):
    """Rotation (交流) of section-level leaders."""

    month: CalendarMonth = param(4, "calendar month of the yearly rotation", ASSUMPTION)
    min_years_in_post: Years = param(2.0, "years in post before a cadre may rotate", ASSUMPTION)
    cross_unit_rate: Probability = param(0.05, "yearly probability of a move to the same grade in another unit "
                                     "(a swap)", ASSUMPTION)
    internal_rate: Probability = param(0.08, "yearly probability of a move to another post in the same unit",
                                   ASSUMPTION)
    targeting: Literal["random", "young", "lacking"] = param(
        "random", "who moves: random; young (youngest first); lacking (those lacking a division-level "
        "requirement first). The number moved is the same", ASSUMPTION)
    cross_type_share: Probability | None = param(None, "share of cross-unit moves that go between a bureau and a "
                                             "street/town (null: partner unit drawn at random)", ASSUMPTION)
    max_years_in_post: Years | None = param(10.0, "years in one post that force a move (null: off)", RULE)


class Secondment(Section):
    """Secondment (挂职) of section-level cadres to the grassroots front line."""

    month: CalendarMonth = param(4, "calendar month of the yearly secondment", ASSUMPTION)
    count: Headcount = param(10, "cadres seconded a year", ASSUMPTION)
    months: Months = param(18, "length of a secondment; the months count as grassroots experience", ASSUMPTION, ge=1)
    max_age: Age = param(40, "oldest age of a seconded cadre", ASSUMPTION)
    targeting: Literal["lacking_grassroots", "merit"] = param(
        "lacking_grassroots", "lacking_grassroots: those lacking grassroots experience first, then by assessed "
        "merit; merit: by assessed merit only", ASSUMPTION)


class Cohort(Section):
    """One Youth Talent (青年英才) cohort."""

    start: YearMonth = param("2014-09", "month the cohort starts (before the run start: members come from the "
                         "roster's cohort column)", ASSUMPTION)
    size: Headcount = param(40, "members", ASSUMPTION)
    age_cap: Age = param(35, "oldest age at selection", ASSUMPTION)
    grades: list[str] | None = param(None, "grades members are drawn from (null: the section_level role)",
                                 ASSUMPTION)
    secondment_months: Months = param(18, "secondment to the grassroots front line", ASSUMPTION)
    mentoring: Weight = param(0.3, "added to members' latent merit (导师带教)", ASSUMPTION)
    bonus_years: Years = param(3.0, "years after the secondment in which the score bonus applies", ASSUMPTION)
    placement: Literal["second_section_post", "none"] = param(
        "second_section_post", "when the secondment ends, a section_head member moves to a different "
        "section_head post (vacant if any, else a swap)", ASSUMPTION)


def default_cohorts() -> dict[str, Cohort]:
    return {"c1": Cohort(start="2013-03", size=40)}


class YouthTalent(Section):
    """Youth Talent cohorts, keyed by name so that scenarios address them one by one."""

    cohorts: dict[str, Cohort] = param_factory(default_cohorts, "cohorts keyed by name", ASSUMPTION)


class LateralSource(Section):
    """A source of lateral hires into section-level posts."""

    per_year: Headcount = param(0, "hires a year into vacant posts of the grade", ASSUMPTION)
    grade: str = param("section", "grade hired into", ASSUMPTION)
    age: tuple[Age, Age] = param((30, 38), "age range at hiring", ASSUMPTION)
    grassroots_years: tuple[Years, Years] = param((0.0, 0.0), "range of grassroots experience brought", ASSUMPTION)
    enterprise: bool = param(False, "brings enterprise experience", ASSUMPTION)
    work_years: tuple[Years, Years] = param((6.0, 12.0), "range of years worked before hiring", ASSUMPTION)


def default_lateral() -> dict[str, LateralSource]:
    return {
        "enterprise": LateralSource(enterprise=True),
        "frontline": LateralSource(grassroots_years=(3.0, 8.0)),
    }


class Recruitment(Section):
    """Civil-service recruitment (公务员招录) into the bottom grade, and lateral hires."""

    months: list[CalendarMonth] | Literal["immediate"] = param_factory(
        lambda: [7], "calendar months of recruitment, or immediate (gaps filled the month they open)", ASSUMPTION)
    intake: Literal["gaps"] | Headcount = param("gaps", "gaps: fill the bottom grade's vacant posts; a number: that "
                                                "many recruits a year (rate-based bottom grade)", ASSUMPTION)
    age: tuple[Age, Age] = param((23, 30), "age range of recruits", ASSUMPTION)
    female_share: Probability = param(0.5, "share of women among recruits", ASSUMPTION)
    grassroots_share: Probability = param(0.2, "share bringing grassroots work", ASSUMPTION)
    grassroots_years: tuple[Years, Years] = param((2.0, 3.0), "range of grassroots years they bring", ASSUMPTION)
    enterprise_share: Probability = param(0.1, "share bringing enterprise experience", ASSUMPTION)
    enterprise_years: tuple[Years, Years] = param((2.0, 5.0), "range of enterprise years they bring", ASSUMPTION)
    lateral: dict[str, LateralSource] = param_factory(default_lateral, "lateral hires by source", SEED)


class Reshuffle(Section):
    """The leadership reshuffle (换届)."""

    dates: list[YearMonth] = param_factory(lambda: ["2016-12"], "reshuffle months; each replaces that month's round",
                                           SEED)
    leave_within_years: Years | None = param(2.0, "division-level and district-leadership holders this close to "
                                         "their leaving age leave (null: off)", ASSUMPTION)
    rotate_after_years: Years | None = param(10.0, "division-level holders this long in one post rotate "
                                         "(null: off)", RULE)
    leadership_move_on: Probability = param(1 / 3, "probability that each district-leadership holder moves on",
                                        ASSUMPTION)
    young_targets: bool = param(True, "fill one vacancy per team short of its young-member target first", ASSUMPTION)


class RiskThresholds(Section):
    """When a leadership team counts as at risk at a reshuffle (reporting only)."""

    vacancies_over_successors: bool = param(True, "at risk when the expected vacancies at the reshuffle exceed the "
                                        "mean number of eligible successors inside the unit", MODEL)
    young_target_probability: Probability = param(0.5, "at risk when the probability of meeting the young-member "
                                              "target after the reshuffle round is below this", MODEL)


class RecruitEra(Section):
    """Work-start ages of the recruits of an era of the district's history."""

    start: YearMonth = param("1975-01", "first month of the era", ASSUMPTION)
    age: tuple[Age, Age] = param((16, 20), "age range of recruits in the era (inclusive)", ASSUMPTION)


def default_recruit_eras() -> list[RecruitEra]:
    """Work-start ages: those born in the 1950s-60s mostly started at 16-20, graduates of the 1980s-2000s at 21-25."""
    return [RecruitEra(start="1975-01", age=(16, 20)), RecruitEra(start="1985-01", age=(18, 23)),
            RecruitEra(start="1996-01", age=(21, 25))]


def default_history_cohorts() -> dict[str, Cohort]:
    return {"c1": Cohort(start="2013-03", size=40)}


class History(Section):
    """How the grown district came to be: the spin-up from ``start`` to the run's start date.

    Only the grown generator reads this section, and no forward parameter changes the roster it grows: the
    spin-up runs the package's default processes under the rules of the time set here. The defaults of the
    fitted keys come from cadresim/data/history.yaml, written by scripts/calibrate_district.py
    (docs/assumptions.md, "How the default district was grown")."""

    start: YearMonth = param("1975-01", "first month of the spin-up (everyone in service on the start date entered "
                             "after it)", MODEL)
    interim_rules_from: YearMonth = param(
        "1995-02", "from this month division-level promotions need 5 years' work and 2 years' grassroots "
        "experience (1995 暂行条例); before it, only the age ceilings apply to them", RULE)
    nonleading_from: YearMonth = param(
        "1993-10", "from this month the non-leading ranks exist (1993 国家公务员暂行条例): leaders at their leaving age "
        "move to them, and the yearly review appoints them; before it, the track is off", RULE)
    regulations_from: YearMonth = param(
        "2002-07", "from this month the time-in-grade rules and two posts at the level below apply too "
        "(2002 条例)", RULE)
    waivers_per_year: Headcount = param(
        HISTORY["waivers_per_year"], "promotions a year, under the rules of the time, that may waive one rule other than the age ceiling, the "
        "candidates who may compete with eligible ones (how strictly the rules were applied)", ASSUMPTION)
    seniority: Weight = param(HISTORY["seniority"], "points per year in the current grade in the past selection score (seniority "
                              "counted for more than today's 0.1 when above it)", ASSUMPTION)
    internal_rotation_rate: Probability = param(HISTORY["internal_rotation_rate"], "yearly probability of a section-level leader's move to "
                                                "another post in the same unit in the past", ASSUMPTION)
    leadership_from_outside: Probability = param(
        HISTORY["leadership_from_outside"], "share of district-leadership (副局) vacancies of the past filled by "
        "appointments from outside the district (aged as grades.<grade>.outside_age), whoever was eligible",
        ASSUMPTION)
    recruit_eras: list[RecruitEra] = param_factory(default_recruit_eras, "work-start ages of recruits by era "
                                                   "(each era runs to the next one's start)", ASSUMPTION,
                                                   min_length=1)
    recruit_grassroots_share: Probability = param(HISTORY["recruit_grassroots_share"], "share of recruits bringing grassroots work", ASSUMPTION)
    reshuffles: list[YearMonth] = param_factory(lambda: ["2001-12", "2006-12", "2011-12"],
                                                "reshuffles of the past (five-year terms)", ASSUMPTION)
    young_member_ages: dict[str, Age | None] = param_factory(
        lambda: dict(HISTORY["young_member_ages"]), "team targets of the past reshuffles by unit type: at least one "
        "division-level member younger than this (types not named: none)", ASSUMPTION)
    grassroots_types: list[str] = param_factory(lambda: ["street_town"], "unit types whose service counted as "
                                                "grassroots experience in the past", SEED)
    cohorts: dict[str, Cohort] = param_factory(default_history_cohorts, "Youth Talent cohorts that started before "
                                               "the start date (members are on the roster)", ASSUMPTION)


class Report(Section):
    """How results are reported. Changes no simulated number; left out of the scenario hash and diffs."""

    risk: RiskThresholds = param_factory(RiskThresholds, "thresholds of the team at-risk flag (teams.csv)", MODEL)
    top_teams: int = param(10, "teams listed by `cadresim teams` by default; in `cadresim compare`, the baseline's "
                       "caps the teams that change most, per scenario and reshuffle", MODEL, ge=1)
    targets: list[str] = param_factory(list, "targets whose probability `run` and `compare` report, each "
                                       "'metric@YYYY-MM op number' with op one of >=, >, <=, < (e.g. "
                                       "'post80_section_eligible_strict@2016-12 >= 10'); the date must be one "
                                       "the scenario takes metrics at (start, each reshuffle, snapshots); see "
                                       "docs/decision.md", MODEL)


class Title(Section):
    """How reports name the scenario, in English and Chinese. Changes no simulated number."""

    en: str = param("", "English title (default: the scenario name)", MODEL)
    zh: str = param("", "Chinese title, used with --lang zh (default: the English title, else the name)", MODEL)

    def text(self, lang: str, name: str) -> str:
        """The title in ``lang`` ("en" or "zh"), falling back to the English title, then ``name``."""
        return (self.zh if lang == "zh" else "") or self.en or name


class Scenario(Section):
    """A cadresim scenario: the whole policy and district, validated."""

    name: ScenarioName = param("scenario", "scenario name (default: the file name); results go to results/<name>/: a "
                               "plain folder name (no / or \\, not starting with a dot)", MODEL)
    description: str = param("", "what the scenario represents", MODEL)
    title: Title = param_factory(Title, "the scenario's title in reports (not inherited through extends)", MODEL)
    extends: str | None = param(None, "a scenario file this one modifies (relative path); mappings merge, lists "
                            "are replaced", MODEL)
    start: YearMonth = param("2014-03", "first simulated month; the roster's date", SEED)
    end: YearMonth = param("2017-06", "last simulated month", MODEL)
    snapshots: list[YearMonth] = param_factory(list, "extra snapshot dates (the start and right after each reshuffle "
                                               "are always taken)", MODEL)
    ladder: list[str] = param_factory(lambda: list(DEFAULT_LADDER), "grade keys, bottom to top", MODEL, min_length=1)
    grades: dict[str, Grade] = param_factory(default_grades, "grade settings keyed by grade", RULE)
    roles: Roles = param_factory(Roles, "grades playing each role", MODEL)
    retirement: Retirement = param_factory(Retirement, "retirement ages", RULE)
    district: District = param_factory(District, "the synthetic district", SEED)
    history: History = param_factory(History, "how the grown district came to be (no effect on a roster file)",
                                     ASSUMPTION)
    selection: Selection = param_factory(Selection, "selection rounds", ASSUMPTION)
    probation: Probation = param_factory(Probation, "probation", RULE)
    nonleading: NonLeading = param_factory(NonLeading, "non-leading ranks (非领导职务)", RULE)
    rotation: Rotation = param_factory(Rotation, "rotation", ASSUMPTION)
    secondment: Secondment = param_factory(Secondment, "secondment", ASSUMPTION)
    youth_talent: YouthTalent = param_factory(YouthTalent, "Youth Talent", SEED)
    recruitment: Recruitment = param_factory(Recruitment, "recruitment", ASSUMPTION)
    reshuffle: Reshuffle = param_factory(Reshuffle, "reshuffle", SEED)
    report: Report = param_factory(Report, "reporting settings (no effect on simulated numbers)", MODEL)

    # Derived views, used by the engine.
    @property
    def start_month(self) -> int:
        return dates.parse(self.start)

    @property
    def end_month(self) -> int:
        return dates.parse(self.end)

    @property
    def reshuffle_months(self) -> list[int]:
        return sorted(dates.parse(d) for d in self.reshuffle.dates)

    def grade_index(self, key: str | None) -> int:
        """Position of a grade in the ladder (-1 when ``key`` is None or absent)."""
        return self.ladder.index(key) if key in self.ladder else -1

    def rank_indices(self) -> list[int]:
        """Ladder indices of the levels with a non-leading rank (ranks of grades the ladder lacks are left out)."""
        return [self.ladder.index(k) for k in self.nonleading.ranks if k in self.ladder[1:]]

    def role_indices(self, role: str) -> list[int]:
        value = getattr(self.roles, role)
        keys = value if isinstance(value, list) else [value]
        return [self.ladder.index(k) for k in keys if k in self.ladder]
