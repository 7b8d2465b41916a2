"""The scenario format: every parameter, its default and its source, in one place.

Each field's description ends with a source mark from MODEL.md: ``[rule]`` a
written rule, ``[seed]`` stated in the 2014 speech, ``[assumption]`` a planning
value with no public source, ``[model]`` a modelling choice of cadresim.
Objects are frozen once validated; processes read them, never ``.get()`` with a
fallback.
"""

from __future__ import annotations

from typing import Annotated, Literal, NewType

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cadresim import dates

RULE, SEED, ASSUMPTION, MODEL = "rule", "seed", "assumption", "model"


def _check_year_month(value: str) -> str:
    dates.parse(value)
    return value


YearMonth = Annotated[str, Field(pattern=r"^\d{4}-\d{1,2}$"), AfterValidator(_check_year_month)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
YearSpan = NewType("YearSpan", float)  # a rule's span of time in years; the engine counts whole months of it
Years = Annotated[YearSpan, Field(ge=0.0)]
NoiseSD = NewType("NoiseSD", float)  # a standard deviation on the scale of latent merit (N(0, 1))
StandardDeviation = Annotated[NoiseSD, Field(ge=0.0)]
Age = Annotated[int, Field(ge=14, le=100)]
CalendarMonth = Annotated[int, Field(ge=1, le=12)]


def F(default, doc: str, source: str, **kw):  # noqa: N802 - a field factory, read as a declaration
    """A field with its default, meaning and source on one line."""
    return Field(default, description=f"{doc} [{source}]", json_schema_extra={"source": source}, **kw)


def FF(factory, doc: str, source: str, **kw):  # noqa: N802
    """A field with a default factory (for mappings and lists)."""
    return Field(default_factory=factory, description=f"{doc} [{source}]", json_schema_extra={"source": source}, **kw)


class Section(BaseModel):
    """A part of the scenario: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(Section):
    """One grade of the ladder: its posts, entry rules, leaving age and exits."""

    name_zh: str = F("", "Chinese name, used in labels", MODEL)
    kind: Literal["post_limited", "rate_based"] = F(
        "post_limited", "post_limited: promotion only into a vacant post; rate_based: no post limit, "
        "promotion at a yearly review with promotion_rate", MODEL)
    promotion_rate: Probability = F(0.0, "rate_based grades: yearly probability that an eligible cadre of the "
                                    "grade below is promoted into this grade at the review", MODEL)
    review_month: CalendarMonth = F(12, "rate_based grades: calendar month of the yearly review", MODEL)
    years_in_grade_below: Years | None = F(None, "eligibility: minimum years in the grade below (null: rule off)", RULE)
    years_of_work: Years | None = F(None, "eligibility: minimum years since starting work (null: off)", RULE)
    grassroots_years: Years | None = F(None, "eligibility: minimum years of grassroots experience (null: off)", RULE)
    posts_held_below: int | None = F(None, "eligibility: minimum distinct posts held in the grade below (null: off)",
                                     SEED, ge=1)
    age_ceiling: Age | None = F(None, "eligibility: oldest age (completed years) at promotion into the grade "
                                "(null: off)", ASSUMPTION)
    leaving_age: Age | None = F(None, "holders leave the pipeline in the month after this birthday "
                                "(null: only retirement)", ASSUMPTION)
    exit_rate: Probability = F(0.0, "yearly probability of other exits (resignation, transfer out, death)",
                               ASSUMPTION)
    outside_fill: Probability = F(0.0, "probability that a vacancy is filled from outside the district "
                                  "(see selection.outside_fill_mode)", ASSUMPTION)
    outside_age: tuple[Age, Age] = F((40, 50), "age range of cadres appointed from outside into this grade",
                                     ASSUMPTION)
    outside_grassroots_years: Years = F(3.0, "grassroots experience of cadres appointed from outside",
                                        ASSUMPTION)
    scope: Literal["unit_first", "district"] = F(
        "district", "candidate scope: unit_first (own unit, then district-wide when the unit has no eligible "
        "candidate) or district", ASSUMPTION)
    probation_in: list[str] = FF(list, "unit types in which promotion into this grade starts probation "
                                 "(non-elected posts)", RULE)


def _grade(name_zh: str, **kw) -> Grade:
    return Grade(name_zh=name_zh, **kw)


def default_grades() -> dict[str, Grade]:
    """The six grades of MODEL.md section 2 with the rules of section 3 and 4."""
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

    section_level: list[str] = FF(lambda: ["deputy_section", "section"],
                                  "科级 leader grades: rotation, secondment, Youth Talent pool", MODEL)
    division_level: list[str] = FF(lambda: ["deputy_division", "division"],
                                   "处级 grades: a unit's leadership team, division-level metrics", MODEL)
    division_head: str | None = F("division", "正处 grade (division_head metrics)", MODEL)
    section_head: str | None = F("section", "正科 grade (Youth Talent placement in a second post)", MODEL)
    district_leadership: str | None = F("deputy_bureau", "区领导 grade (reshuffle move-on rule)", MODEL)


class UnitType(Section):
    """A kind of unit in the synthetic district, with its posts per grade."""

    count: int = F(0, "number of units of this type (in each district when district.copies > 1)", SEED, ge=0)
    level: Literal["district", "city"] = F(
        "district", "district: a unit of each district, whose posts are filled from that district; city: a "
        "city-level unit (not copied per district) whose posts are filled from every district", MODEL)
    name_zh: str = F("", "Chinese name, used in labels", MODEL)
    grassroots: bool = F(False, "time served in this unit counts as grassroots experience", SEED)
    young_member_age: Age | None = F(None, "team target: at least one division-level member younger than this "
                                     "(null: no target)", ASSUMPTION)
    posts: dict[str, int] = FF(dict, "posts per grade in each unit (staff: the establishment 编制)", SEED)


def default_unit_types() -> dict[str, UnitType]:
    """The default district of MODEL.md section 6."""
    return {
        "bureau": UnitType(count=40, name_zh="委办局", grassroots=False, young_member_age=40, posts={
            "staff": 16, "deputy_section": 4, "section": 5, "deputy_division": 2, "division": 1}),
        "street_town": UnitType(count=13, name_zh="街镇", grassroots=True, young_member_age=35, posts={
            "staff": 45, "deputy_section": 8, "section": 10, "deputy_division": 7, "division": 2}),
        "district_leadership": UnitType(count=1, name_zh="区领导", posts={"deputy_bureau": 30}),
    }


class District(Section):
    """The district whose roster the run starts from."""

    generator: Literal["calibrated", "simple"] = F(
        "calibrated", "calibrated: the default synthetic district meeting MODEL.md section 6; simple: posts "
        "filled with plausible histories and no calibration (custom ladders, theory checks)", MODEL)
    seed: int = F(1, "seed of the synthetic roster generator (the roster is the same in every replication)",
                  MODEL)
    units: dict[str, UnitType] = FF(default_unit_types, "unit types keyed by type id", SEED)
    copies: int = F(1, "number of districts of this kind (a city: 16); each selects within itself, and "
                    "city-level unit types sit above them all. Counts such as secondment.count stay totals",
                    MODEL, ge=1)
    roster_file: str | None = F(None, "the district's own roster of cadres (CSV or .xlsx; columns: `cadresim "
                                "roster template`) in place of the synthetic district, relative to the scenario "
                                "file that sets it; with units_file, unit types then give only their grassroots "
                                "flag and team target (null: synthetic district)", MODEL)
    units_file: str | None = F(None, "the district's own units with their posts (CSV or .xlsx), with "
                               "roster_file (null: synthetic district)", MODEL)


class Retirement(Section):
    """Statutory retirement ages."""

    male: Age | None = F(60, "retirement age of men (null: none)", RULE)
    female: Age | None = F(55, "retirement age of women (null: none)", RULE)
    female_senior: Age | None = F(60, "retirement age of women at division level and above", RULE)


class Exceptional(Section):
    """Exceptional promotion (破格), Art. 9."""

    per_year: int = F(0, "promotions a year that may waive one rule other than the age ceiling "
                      "(never during probation or within a year of a promotion)", RULE, ge=0)


class Score(Section):
    """Weights of the selection score."""

    merit: float = F(1.0, "weight of assessed merit (latent merit + assessment noise)", ASSUMPTION)
    years_in_grade: float = F(0.1, "points per year in the current grade", ASSUMPTION)
    young_team_bonus: float = F(0.5, "bonus when the team lacks a young member and the candidate would be one",
                                ASSUMPTION)
    youth_talent_bonus: float = F(0.5, "bonus for a Youth Talent member within the cohort's bonus period",
                                  ASSUMPTION)


class Selection(Section):
    """Selection rounds, scoring and outside fills."""

    rounds: list[CalendarMonth] | Literal["immediate"] = FF(
        lambda: [3, 6, 9, 12], "calendar months of the quarterly rounds, or immediate (fill each vacancy "
        "in the month it opens)", ASSUMPTION)
    method: Literal["score", "random", "seniority"] = F(
        "score", "how the winner is chosen among eligible candidates: score (the weighted score below), random "
        "(uniformly at random, for theory checks) or seniority (longest in grade first)", MODEL)
    cascade: bool = F(True, "the vacancy a winner leaves is served in the same round", ASSUMPTION)
    assessment_noise: StandardDeviation = F(
        0.5, "SD of assessment noise, drawn each round (knowing cadres better: lower)", ASSUMPTION)
    score: Score = FF(Score, "score weights", ASSUMPTION)
    outside_fill_mode: Literal["no_candidate", "always"] = F(
        "no_candidate", "no_candidate: outside_fill applies when no eligible candidate exists (default); "
        "always: every vacancy is first filled from outside with that probability (White's model)", MODEL)
    exceptional: Exceptional = FF(Exceptional, "exceptional promotion", RULE)


class Probation(Section):
    """Probation (试用期), Art. 42."""

    months: int = F(12, "length of probation", RULE, ge=0)
    fail_rate: Probability = F(0.02, "share who fail and return to their former grade", ASSUMPTION)


class Rotation(Section):
    """Rotation (交流) of section-level leaders."""

    month: CalendarMonth = F(4, "calendar month of the yearly rotation", ASSUMPTION)
    min_years_in_post: Years = F(2.0, "years in post before a cadre may rotate", ASSUMPTION)
    cross_unit_rate: Probability = F(0.05, "yearly probability of a move to the same grade in another unit "
                                     "(a swap)", ASSUMPTION)
    internal_rate: Probability = F(0.08, "yearly probability of a move to another post in the same unit",
                                   ASSUMPTION)
    targeting: Literal["random", "young", "lacking"] = F(
        "random", "who moves: random; young (youngest first); lacking (those lacking a division-level "
        "requirement first). The number moved is the same", ASSUMPTION)
    cross_type_share: Probability | None = F(None, "share of cross-unit moves that go between a bureau and a "
                                             "street/town (null: partner unit drawn at random)", ASSUMPTION)
    max_years_in_post: Years | None = F(10.0, "years in one post that force a move (null: off)", RULE)


class Secondment(Section):
    """Secondment (挂职) of section-level cadres to the grassroots front line."""

    month: CalendarMonth = F(4, "calendar month of the yearly secondment", ASSUMPTION)
    count: int = F(10, "cadres seconded a year", ASSUMPTION, ge=0)
    months: int = F(18, "length of a secondment; the months count as grassroots experience", ASSUMPTION, ge=1)
    max_age: Age = F(40, "oldest age of a seconded cadre", ASSUMPTION)
    targeting: Literal["lacking_grassroots", "merit"] = F(
        "lacking_grassroots", "lacking_grassroots: those lacking grassroots experience first, then by assessed "
        "merit; merit: by assessed merit only", ASSUMPTION)


class Cohort(Section):
    """One Youth Talent (青年英才) cohort."""

    start: YearMonth = F("2014-09", "month the cohort starts (before the run start: members come from the "
                         "roster's cohort column)", ASSUMPTION)
    size: int = F(40, "members", ASSUMPTION, ge=0)
    age_cap: Age = F(35, "oldest age at selection", ASSUMPTION)
    grades: list[str] | None = F(None, "grades members are drawn from (null: the section_level role)",
                                 ASSUMPTION)
    secondment_months: int = F(18, "secondment to the grassroots front line", ASSUMPTION, ge=0)
    mentoring: float = F(0.3, "added to members' latent merit (导师带教)", ASSUMPTION)
    bonus_years: Years = F(3.0, "years after the secondment in which the score bonus applies", ASSUMPTION)
    placement: Literal["second_section_post", "none"] = F(
        "second_section_post", "when the secondment ends, a section_head member moves to a different "
        "section_head post (vacant if any, else a swap)", ASSUMPTION)


def default_cohorts() -> dict[str, Cohort]:
    return {"c1": Cohort(start="2013-03", size=40)}


class YouthTalent(Section):
    """Youth Talent cohorts, keyed by name so that scenarios address them one by one."""

    cohorts: dict[str, Cohort] = FF(default_cohorts, "cohorts keyed by name", ASSUMPTION)


class LateralSource(Section):
    """A source of lateral hires into section-level posts."""

    per_year: int = F(0, "hires a year into vacant posts of the grade", ASSUMPTION, ge=0)
    grade: str = F("section", "grade hired into", ASSUMPTION)
    age: tuple[Age, Age] = F((30, 38), "age range at hiring", ASSUMPTION)
    grassroots_years: tuple[Years, Years] = F((0.0, 0.0), "range of grassroots experience brought", ASSUMPTION)
    enterprise: bool = F(False, "brings enterprise experience", ASSUMPTION)
    work_years: tuple[Years, Years] = F((6.0, 12.0), "range of years worked before hiring", ASSUMPTION)


def default_lateral() -> dict[str, LateralSource]:
    return {
        "enterprise": LateralSource(enterprise=True),
        "frontline": LateralSource(grassroots_years=(3.0, 8.0)),
    }


class Recruitment(Section):
    """Civil-service recruitment (公务员招录) into the bottom grade, and lateral hires."""

    months: list[CalendarMonth] | Literal["immediate"] = FF(
        lambda: [7], "calendar months of recruitment, or immediate (gaps filled the month they open)", ASSUMPTION)
    intake: Literal["gaps"] | int = F("gaps", "gaps: fill the bottom grade's vacant posts; a number: that many "
                                      "recruits a year (rate-based bottom grade)", ASSUMPTION)
    age: tuple[Age, Age] = F((23, 30), "age range of recruits", ASSUMPTION)
    female_share: Probability = F(0.5, "share of women among recruits", ASSUMPTION)
    grassroots_share: Probability = F(0.2, "share bringing grassroots work", ASSUMPTION)
    grassroots_years: tuple[Years, Years] = F((2.0, 3.0), "range of grassroots years they bring", ASSUMPTION)
    enterprise_share: Probability = F(0.1, "share bringing enterprise experience", ASSUMPTION)
    enterprise_years: tuple[Years, Years] = F((2.0, 5.0), "range of enterprise years they bring", ASSUMPTION)
    lateral: dict[str, LateralSource] = FF(default_lateral, "lateral hires by source", SEED)


class Reshuffle(Section):
    """The leadership reshuffle (换届)."""

    dates: list[YearMonth] = FF(lambda: ["2016-12"], "reshuffle months; each replaces that month's round", SEED)
    leave_within_years: Years | None = F(2.0, "division-level and district-leadership holders this close to "
                                         "their leaving age leave (null: off)", ASSUMPTION)
    rotate_after_years: Years | None = F(10.0, "division-level holders this long in one post rotate "
                                         "(null: off)", RULE)
    leadership_move_on: Probability = F(1 / 3, "probability that each district-leadership holder moves on",
                                        ASSUMPTION)
    young_targets: bool = F(True, "fill one vacancy per team short of its young-member target first", ASSUMPTION)


class RiskThresholds(Section):
    """When a leadership team counts as at risk at a reshuffle (reporting only)."""

    vacancies_over_successors: bool = F(True, "at risk when the expected vacancies at the reshuffle exceed the "
                                        "mean number of eligible successors inside the unit", MODEL)
    young_target_probability: Probability = F(0.5, "at risk when the probability of meeting the young-member "
                                              "target after the reshuffle round is below this", MODEL)


class Report(Section):
    """How results are reported. Changes no simulated number; left out of the scenario hash and diffs."""

    risk: RiskThresholds = FF(RiskThresholds, "thresholds of the team at-risk flag (teams.csv)", MODEL)
    top_teams: int = F(10, "teams listed by `cadresim teams` by default; in `cadresim compare`, the baseline's "
                       "caps the teams that change most, per scenario and reshuffle", MODEL, ge=1)


class Title(Section):
    """How reports name the scenario, in English and Chinese. Changes no simulated number."""

    en: str = F("", "English title (default: the scenario name)", MODEL)
    zh: str = F("", "Chinese title, used with --lang zh (default: the English title, else the name)", MODEL)

    def text(self, lang: str, name: str) -> str:
        """The title in ``lang`` ("en" or "zh"), falling back to the English title, then ``name``."""
        return (self.zh if lang == "zh" else "") or self.en or name


class Scenario(Section):
    """A cadresim scenario: the whole policy and district, validated."""

    name: str = F("scenario", "scenario name (default: the file name); results go to results/<name>/", MODEL)
    description: str = F("", "what the scenario represents", MODEL)
    title: Title = FF(Title, "the scenario's title in reports (not inherited through extends)", MODEL)
    extends: str | None = F(None, "a scenario file this one modifies (relative path); mappings merge, lists "
                            "are replaced", MODEL)
    start: YearMonth = F("2014-03", "first simulated month; the roster's date", SEED)
    end: YearMonth = F("2017-06", "last simulated month", MODEL)
    snapshots: list[YearMonth] = FF(list, "extra snapshot dates (the start and right after each reshuffle are "
                                    "always taken)", MODEL)
    ladder: list[str] = FF(lambda: list(DEFAULT_LADDER), "grade keys, bottom to top", MODEL, min_length=1)
    grades: dict[str, Grade] = FF(default_grades, "grade settings keyed by grade", RULE)
    roles: Roles = FF(Roles, "grades playing each role", MODEL)
    retirement: Retirement = FF(Retirement, "retirement ages", RULE)
    district: District = FF(District, "the synthetic district", SEED)
    selection: Selection = FF(Selection, "selection rounds", ASSUMPTION)
    probation: Probation = FF(Probation, "probation", RULE)
    rotation: Rotation = FF(Rotation, "rotation", ASSUMPTION)
    secondment: Secondment = FF(Secondment, "secondment", ASSUMPTION)
    youth_talent: YouthTalent = FF(YouthTalent, "Youth Talent", SEED)
    recruitment: Recruitment = FF(Recruitment, "recruitment", ASSUMPTION)
    reshuffle: Reshuffle = FF(Reshuffle, "reshuffle", SEED)
    report: Report = FF(Report, "reporting settings (no effect on simulated numbers)", MODEL)

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

    def role_indices(self, role: str) -> list[int]:
        value = getattr(self.roles, role)
        keys = value if isinstance(value, list) else [value]
        return [self.ladder.index(k) for k in keys if k in self.ladder]
