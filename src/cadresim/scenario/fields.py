"""The building blocks of the scenario format: source marks, value types and the field helpers."""

from __future__ import annotations

from typing import Annotated, NewType

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cadresim import dates, limits

RULE, SEED, ASSUMPTION, MODEL = "rule", "seed", "assumption", "model"


def _check_year_month(value: str) -> str:
    first, last = limits.month_window()
    if not first <= dates.parse(value) <= last:
        raise ValueError(f"outside the months a scenario may name, {limits.FIRST_MONTH} to {limits.LAST_MONTH} (a "
                         "documented limit, see docs/limits.md)")
    return value


YearMonth = Annotated[str, Field(pattern=r"^\d{4}-\d{1,2}$"), AfterValidator(_check_year_month)]


def _check_name(value: str) -> str:
    """A scenario's name is the name of its results folder (results/<name>/): a plain folder name."""
    if not value or value.startswith(".") or any(c in value for c in "/\\") or not value.isprintable():
        raise ValueError("must be a plain folder name, as results go to results/<name>/: not empty, no / or \\, "
                         "not starting with a dot, e.g. youth2 or 青年英才二期")
    return value


ScenarioName = Annotated[str, AfterValidator(_check_name)]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
YearSpan = NewType("YearSpan", float)  # a rule's span of time in years; the engine counts whole months of it
Years = Annotated[YearSpan, Field(ge=0.0, le=limits.MAX_YEARS, allow_inf_nan=False)]
NoiseSD = NewType("NoiseSD", float)  # a standard deviation on the scale of latent merit (N(0, 1))
StandardDeviation = Annotated[NoiseSD, Field(ge=0.0, allow_inf_nan=False)]
Weight = Annotated[float, Field(allow_inf_nan=False)]
Months = Annotated[int, Field(ge=0, le=12 * limits.MAX_HORIZON_YEARS)]
Headcount = Annotated[int, Field(ge=0, le=limits.MAX_CADRES)]
Posts = Annotated[int, Field(le=limits.MAX_POSTS_PER_UNIT)]
Age = Annotated[int, Field(ge=14, le=100)]
CalendarMonth = Annotated[int, Field(ge=1, le=12)]


def param(default, doc: str, source: str, **kw):
    """A field with its default, meaning and source on one line."""
    return Field(default, description=f"{doc} [{source}]", json_schema_extra={"source": source}, **kw)


def param_factory(factory, doc: str, source: str, **kw):
    """A field with a default factory (for mappings and lists)."""
    return Field(default_factory=factory, description=f"{doc} [{source}]", json_schema_extra={"source": source}, **kw)


class Section(BaseModel):
    """A part of the scenario: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
