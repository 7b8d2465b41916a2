"""report.html: one self-contained page comparing scenarios, for readers who never open a terminal.

Everything is inline: CSS in a ``<style>`` element, figures as base64 PNG data URIs, no script and
no link to anything outside the file, so it opens offline and can be mailed as it is. The page opens
on the answer (in brief, the headline table, the differences figure); the reference parts (further
figures, the teams that change most, what differs, the assumptions in force, the method) are
collapsed ``<details>`` sections. Sentences are in English or Chinese
(:mod:`cadresim.output.report_text`); metric, grade and setting names come from
:mod:`cadresim.report.labels` and :mod:`cadresim.report.setting_labels`, numbers are written by
:mod:`cadresim.report.numbers`, and scenarios are named by their titles.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime
from typing import Any, Mapping

import numpy as np
import pandas as pd
from pydantic import ValidationError

from cadresim import dates
from cadresim.analysis.compare import Comparison, key_date, labels_for, reshuffle_dates
from cadresim.analysis.compare_teams import report_settings
from cadresim.analysis.scenario_changes import ABSENT, SOURCES, Setting, assumptions_in_force
from cadresim.errors import InputError
from cadresim.output.district_html import grown_section
from cadresim.output.report_text import CSS, TEXT
from cadresim.output.targets_html import targets_section
from cadresim.report import setting_labels
from cadresim.report.labels import (LABELS, date_text, is_share, metric_label, metric_noun, metric_unit,
                                    scenario_text, with_defaults)
from cadresim.report.numbers import interval_text, value_text
from cadresim.scenario.schema import ASSUMPTION, RiskThresholds

FIGURE_ORDER = ("differences", "pipeline", "nonleading", "grade_mix", "eligible_pool", "binding_rules", "youth_talent")


def render_report(comp: Comparison, images: Mapping[str, bytes], today: str | None = None) -> str:
    """The report as one HTML string; ``images`` maps figure names to PNG bytes."""
    t = TEXT[comp.lang]
    lab, _ = labels_for(comp, comp.lang)
    parts = [_title(comp, t, lab, today), _notes(comp, t), _brief(comp, t, lab), _headline(comp, t, lab),
             targets_section(comp, comp.lang, lab), _figures(comp, t, images, lab), _teams(comp, t, lab), _differences(comp, t, lab),
             _assumptions(comp, t, lab), _method(comp, t, lab), grown_section(comp.baseline, comp.lang),
             f"<footer>{_e(_footer(comp, t))}</footer>"]
    title = _e(t["title"].format(names=_names(comp, lab)))
    head = (f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if comp.lang == "zh" else "en"}">\n<head>\n'
            '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n")
    return head + "\n".join(p for p in parts if p) + "\n</main>\n</body>\n</html>\n"


def _names(comp: Comparison, lab: Mapping[str, str]) -> str:
    return ("、" if comp.lang == "zh" else ", ").join(scenario_text(n, lab) for n in comp.scenarios)


def _footer(comp: Comparison, t: Mapping[str, str]) -> str:
    """The footer, worded by where the runs' rosters came from (their manifests)."""
    sources = {r.roster_source for r in comp.runs}
    if sources == {"synthetic"} and comp.runs[0].n_districts > 1:
        return t["footer_ensemble"].format(n=comp.runs[0].n_districts)
    return t["footer"] if sources == {"synthetic"} else t["footer_roster"] if sources == {"files"} else \
        t["footer_mixed"]


def _title(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str], today: str | None) -> str:
    from cadresim import __version__

    sub = t["subtitle"].format(baseline=scenario_text(comp.baseline.name, lab), version=__version__,
                               today=today or datetime.now().strftime("%Y-%m-%d"))
    return (f"<h1>{_e(t['title'].format(names=_names(comp, lab)))}</h1>"
            f'<p class="subtitle">{_e(sub)}</p>')


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _notes(comp: Comparison, t: Mapping[str, str]) -> str:
    if not comp.notes:
        return ""
    notes = [comp.notes_zh.get(n, n) for n in comp.notes] if comp.lang == "zh" else comp.notes
    items = "".join(f"<li>{_e(n)}</li>" for n in notes)
    return f'<section class="notes"><h2>{_e(t["notes"])}</h2><ul>{items}</ul></section>'


def _folded(title: str, body: str, open_: bool = False, level: int = 2, ident: str = "") -> str:
    """A collapsible section: ``title`` as its heading, ``body`` shown when opened."""
    attrs = (f' id="{_e(ident)}"' if ident else "") + (' class="part"' if level == 2 else "") + (" open" if open_ else "")
    return f"<details{attrs}><summary><h{level}>{_e(title)}</h{level}></summary>{body}</details>"


# --- numbers as text -----------------------------------------------------------------------------


def _num(value: float, metric: str, signed: bool = False) -> str:
    """A metric value (shares as percent) or difference (shares in points), as text."""
    return value_text(value, metric, signed)


def _clear(row: pd.Series) -> bool:
    """Whether a difference's interval excludes zero."""
    low, high = row["diff_ci95_low"], row["diff_ci95_high"]
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))


def _when(comp: Comparison, date: str, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    key = "after_reshuffle" if date in reshuffle_dates(comp) else "at_date"
    return t[key].format(date=date_text(date, lab))


# --- in brief ------------------------------------------------------------------------------------


def _brief(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    date = key_date(comp)
    table = comp.tables["comparison"]
    at = table[(table["date"] == date) & table["metric"].isin(comp.metrics)]
    when = _when(comp, date, t, lab)
    base = scenario_text(comp.baseline.name, lab)
    blocks = [f"<h2>{_e(t['brief'])}</h2>", f"<p>{_e(t['brief_intro'].format(baseline=base, when=when))}</p>"]
    for name in comp.scenarios[1:]:
        title = scenario_text(name, lab)
        rows = at[at["scenario"] == name].set_index("metric").reindex(comp.metrics).dropna(subset=["diff"])
        clear = [_with_robustness(sentence(m, r, title, base, when, comp.lang, lab), r, t)
                 for m, r in rows.iterrows() if _clear(r)]
        unclear = [metric_label(m, lab) for m, r in rows.iterrows() if not _clear(r)]
        items = "".join(f"<li>{_e(s)}</li>" for s in clear)
        if unclear:
            listed = ("、" if comp.lang == "zh" else "; ").join(unclear)
            items += f'<li class="muted">{_e(t["no_clear"].format(baseline=base, metrics=listed))}</li>'
        blocks.append(f"<h3>{_e(title)}</h3><ul>{items}</ul>")
    return '<section class="brief">' + "".join(blocks) + "</section>"


def sentence(metric: str, row: Mapping[str, Any], scenario: str, baseline: str, when: str, lang: str = "en",
             labels: Mapping[str, str] = LABELS) -> str:
    """A plain-language sentence for one difference, e.g. "youth2 has 1.8 more division-level holders
    born in the 1980s than baseline after the Dec 2016 reshuffle (95% CI 0.2 to 3.4)."."""
    t = TEXT[lang]
    lab = with_defaults(labels)
    unit = metric_unit(metric)
    up = row["diff"] >= 0
    what = metric_noun(metric) if lang == "en" else ""
    what = what or metric_label(metric, lab)
    what = what[0].lower() + what[1:] if lang == "en" and not what[:2].isupper() else what
    if is_share(metric):
        key = "share_up" if up else "share_down"
    elif unit in ("unit_cadres", "unit_posts"):
        key = "more" if up else "fewer"
    else:
        key = "level_up" if up else "level_down"
    return t[key].format(scenario=scenario, baseline=baseline, when=when, what=what,
                         value=_num(abs(row["diff"]), metric), unit=lab.get(unit, ""),
                         low=_num(row["diff_ci95_low"], metric), high=_num(row["diff_ci95_high"], metric))


def robustness_text(row: Mapping[str, Any], t: Mapping[str, str]) -> str:
    """How many districts' own intervals exclude zero in each direction, the direction of the difference
    first ("higher in 7 of 10 districts, lower in none"); "" for one district or a difference that does
    not vary."""
    n = row.get("n_districts")
    if pd.isna(n) or int(n) < 2 or pd.isna(row.get("districts_higher")) or not row["diff_ci95_high"] > \
            row["diff_ci95_low"]:
        return ""  # one district, or no variation (the shared start)
    higher, lower = int(row["districts_higher"]), int(row["districts_lower"])
    k, other, key = (lower, higher, "robust_down") if row["diff"] < 0 else (higher, lower, "robust_up")
    return t[key].format(k=k or t["robust_none"], n=int(n), other=other or t["robust_none"])


def _with_robustness(text: str, row: Mapping[str, Any], t: Mapping[str, str]) -> str:
    robust = robustness_text(row, t)
    return f"{text} {t['robust_sentence'].format(text=robust)}" if robust else text


# --- the headline table --------------------------------------------------------------------------


def _headline(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    table = comp.tables["comparison"]
    rows = table[table["metric"].isin(comp.metrics)]
    names = comp.scenarios
    titles = [scenario_text(n, lab) for n in names]
    head = [t["col_metric"], t["col_date"], titles[0]]
    for title in titles[1:]:
        head += [title, t["col_diff"].format(name=title)]
    cells = [f'<th{" class=num" if i > 1 else ""}>{_e(h)}</th>' for i, h in enumerate(head)]
    body = []
    for metric in comp.metrics:
        here = rows[rows["metric"] == metric]
        ordered = sorted(here["date"].unique(), key=dates.parse)
        for k, date in enumerate(ordered):
            body.append(_headline_row(metric, date, here[here["date"] == date].set_index("scenario"), names, k,
                                      len(ordered), lab, t))
    unpaired = any(p != "paired" for p in comp.pairing.values())
    foot = f'<p class="muted">† {_e(t["unpaired_mark"])}</p>' if unpaired else ""
    return (f"<h2>{_e(t['headline'])}</h2><p>{_e(t['headline_intro'].format(baseline=titles[0]))}</p>"
            f'<table id="headline"><thead><tr>{"".join(cells)}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            + foot)


def _headline_row(metric: str, date: str, at: pd.DataFrame, names: list[str], k: int, n_dates: int,
                  lab: Mapping[str, str], t: Mapping[str, str]) -> str:
    first = f'<td rowspan="{n_dates}">{_e(metric_label(metric, lab))}</td>' if k == 0 else ""
    cells = [first, f'<td class="date">{_e(date_text(date, lab))}</td>']
    for i, name in enumerate(names):
        if name not in at.index:
            cells += ['<td class="num">–</td>'] + (['<td class="num">–</td>'] if i else [])
            continue
        r = at.loc[name]
        cells.append(f'<td class="num">{_value_cell(r, metric)}</td>')
        if i:
            cells.append(_diff_cell(r, metric, t))
    cls = ' class="first"' if k == 0 else ""
    return f"<tr{cls}>{''.join(cells)}</tr>"


def _value_cell(r: pd.Series, metric: str) -> str:
    ci = interval_text(r["ci95_low"], r["ci95_high"], metric)
    return _e(_num(r["mean"], metric)) + (f'<span class="ci">{_e(ci)}</span>' if ci else "")


def _diff_cell(r: pd.Series, metric: str, t: Mapping[str, str]) -> str:
    if not np.isfinite(r["diff"]):
        return '<td class="num">–</td>'
    mark = "" if pd.isna(r["paired"]) or bool(r["paired"]) else " †"
    ci = interval_text(r["diff_ci95_low"], r["diff_ci95_high"], metric, f" {t['to']} ")
    unit = " pp" if is_share(metric) else ""
    cls = "num clear" if _clear(r) else "num"
    span = f'<span class="ci">{_e(ci)}</span>' if ci else ""
    robust = robustness_text(r, t)
    span += f'<span class="ci">{_e(robust)}</span>' if robust else ""
    return f'<td class="{cls}">{_e(_num(r["diff"], metric, signed=True) + unit + mark)}{span}</td>'


# --- teams at risk -------------------------------------------------------------------------------


def _teams(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    """At-risk counts per scenario and reshuffle, then (folded) each scenario's teams that change most."""
    if "teams" not in comp.tables:
        return ""
    table, changes = comp.tables["teams"], comp.tables["team_changes"]
    base, settings = scenario_text(comp.baseline.name, lab), report_settings(comp.baseline)
    rules = _risk_rules(settings.risk, t)
    intro = t["teams_intro"].format(baseline=base, rules=rules) if rules else t["teams_intro_none"].format(
        baseline=base)
    out = [f'<h2 id="teams">{_e(t["teams"])}</h2>', f"<p>{_e(intro)}</p>",
           _team_counts(table, comp.scenarios, t, lab)]
    have = set(table["scenario"])
    if comp.baseline.name in have and len(have) > 1:
        types, units = _type_labels(comp), _unit_names(comp)
        body = [f"<p>{_e(t['changes_intro'].format(baseline=base, top=settings.top_teams))}</p>"]
        body += [_team_changes(changes[changes["scenario"] == name], scenario_text(name, lab), base, types, units,
                               t, lab) for name in comp.scenarios[1:] if name in have]
        out.append(_folded(t["changes_fold"], "".join(body), level=3, ident="team-changes"))
    return "\n".join(out)


def _risk_rules(risk: RiskThresholds, t: Mapping[str, str]) -> str:
    """The at-risk conditions in force as one clause ("" when both are off)."""
    rules = [t["risk_short"]] if risk.vacancies_over_successors else []
    if risk.young_target_probability > 0:
        rules.append(t["risk_young"].format(p=risk.young_target_probability))
    return t["risk_or"].join(rules)


def _team_counts(table: pd.DataFrame, names: list[str], t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    """Rows: reshuffle dates; columns: scenarios; cells: teams at risk of all, and the moves from the baseline."""
    head = "".join(f'<th class="num">{_e(scenario_text(n, lab))}</th>' for n in names)
    body = []
    for date in sorted(table["date"].unique(), key=dates.parse):
        at = table[table["date"] == date].set_index("scenario")
        cells = [_count_cell(at.loc[n], i > 0, t) if n in at.index else '<td class="num">–</td>'
                 for i, n in enumerate(names)]
        body.append(f'<tr><td class="date">{_e(date_text(date, lab))}</td>{"".join(cells)}</tr>')
    return (f'<table id="teams-at-risk"><thead><tr><th>{_e(t["col_date"])}</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _count_cell(r: pd.Series, moves: bool, t: Mapping[str, str]) -> str:
    text = _e(t["at_risk_of"].format(k=r["at_risk"], n=r["teams"]))
    if moves and not pd.isna(r["newly_at_risk"]):
        moved = t["moved"].format(newly=r["newly_at_risk"], gone=r["no_longer_at_risk"])
        text += f'<span class="ci">{_e(moved)}</span>'
    return f'<td class="num">{text}</td>'


def _type_labels(comp: Comparison) -> dict[str, str]:
    """Unit type -> label: the baseline's name_zh in Chinese, else the type id in words."""
    units = ((comp.baseline.resolved.get("district") or {}).get("units")) or {}
    en = {k: str(k).replace("_", " ") for k in units}
    return {k: (v or {}).get("name_zh") or en[k] for k, v in units.items()} if comp.lang == "zh" else en


def _unit_names(comp: Comparison) -> dict[int, tuple[str, str]]:
    """Unit id -> (English name, name in the report's language) for the baseline's synthetic district;
    empty for a roster read from files (its units keep their own names) or an unreadable scenario."""
    from cadresim.district.synthetic import unit_names
    from cadresim.scenario.loader import scenario_from_dict

    if comp.lang == "en" or comp.baseline.roster_source != "synthetic":
        return {}
    try:
        scenario = scenario_from_dict(comp.baseline.resolved, comp.baseline.name)
    except (InputError, ValidationError):
        return {}
    en, here = unit_names(scenario), unit_names(scenario, comp.lang)
    return {uid: (name, here[uid]) for uid, name in en.items()}


def _team_changes(rows: pd.DataFrame, name: str, base: str, types: Mapping[str, str],
                  units: Mapping[int, tuple[str, str]], t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    """One scenario's teams that change most: unit, type and baseline → scenario values."""
    out = f"<h3>{_e(t['changes_head'].format(name=name))}</h3>"
    if rows.empty:
        return out + f'<p class="muted">{_e(t["no_team_changes"].format(baseline=base))}</p>'
    head = "".join(f"<th>{_e(t[c])}</th>" for c in ("col_date", "col_unit", "col_type", "col_at_risk",
                                                     "col_shortfall", "col_young"))
    body = "".join(_change_row(r, types, units, t, lab) for _, r in rows.iterrows())
    return out + f'<table class="team-changes"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _change_row(r: pd.Series, types: Mapping[str, str], units: Mapping[int, tuple[str, str]],
                t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    def flag(v: object) -> str:
        return t["yes"] if bool(v) else t["no"]

    en, here = units.get(int(r["unit_id"]), (None, None))
    cells = [date_text(r["date"], lab), here if en == r["name"] else r["name"],
             types.get(r["type"], str(r["type"]).replace("_", " ")),
             f"{flag(r['at_risk_baseline'])} → {flag(r['at_risk'])}",
             f"{_plain(r['shortfall_baseline'])} → {_plain(r['shortfall'])}",
             f"{_percent(r['young_target_met_baseline'])} → {_percent(r['young_target_met'])}"]
    cls = ' class="differs"' if bool(r["at_risk"]) != bool(r["at_risk_baseline"]) else ""
    return f"<tr{cls}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"


def _plain(value: float) -> str:
    if pd.isna(value):
        return "–"
    text = f"{value:.1f}"
    return (text.lstrip("-") if float(text) == 0 else text).replace("-", "−")


def _percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


# --- figures -------------------------------------------------------------------------------------


def data_uri(png: bytes) -> str:
    """A PNG as a data: URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figures(comp: Comparison, t: Mapping[str, str], images: Mapping[str, bytes], lab: Mapping[str, str]) -> str:
    """The first figure shown, each further one folded under its short title."""
    out = [f"<h2>{_e(t['figures'])}</h2>"]
    base = scenario_text(comp.baseline.name, lab)
    names = [n for n in FIGURE_ORDER if n in images] + [n for n in images if n not in FIGURE_ORDER]
    for k, name in enumerate(names):
        caption = t.get(f"cap_{name}", "").format(baseline=base)
        figure = (f'<figure id="fig-{_e(name)}"><img src="{data_uri(images[name])}" alt="{_e(caption or name)}">'
                  f"<figcaption><b>{k + 1}.</b> {_e(caption)}</figcaption></figure>")
        short = t.get(f"fig_{name}", name)
        out.append(figure if k == 0 else _folded(f"{k + 1}. {short}", figure, level=3))
    return "\n".join(out)


# --- what differs --------------------------------------------------------------------------------


def _differences(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    diffs = comp.tables["differences"]
    base = scenario_text(comp.baseline.name, lab)
    out = [f"<p>{_e(t['differs_intro'].format(baseline=base))}</p>"]
    for run in comp.runs[1:]:
        rows = diffs[diffs["scenario"] == run.name]
        title = scenario_text(run.name, lab)
        out.append(f"<h3>{_e(title)}</h3>")
        if comp.lang == "en" and run.resolved.get("description"):
            out.append(f'<p class="muted">{_e(run.resolved["description"])}</p>')
        if rows.empty:
            out.append(f"<p>{_e(t['no_diffs'].format(name=title, baseline=base))}</p>")
            continue
        body = "".join(f"<tr><td><code>{_e(r.key)}</code></td>"
                       f"<td>{_e(setting_labels.meaning(r.key, comp.lang))}</td>"
                       f"<td>{_e(_setting_value(r.baseline, t, comp.lang))}</td>"
                       f"<td>→ {_e(_setting_value(r.value, t, comp.lang))}</td></tr>" for r in rows.itertuples())
        out.append(f"<table><thead><tr><th>{_e(t['col_setting'])}</th><th>{_e(t['col_meaning'])}</th>"
                   f"<th>{_e(base)}</th><th>{_e(title)}</th></tr></thead><tbody>{body}</tbody></table>")
    return _folded(t["differs"], "\n".join(out), ident="differences")


def _setting_value(value: Any, t: Mapping[str, str], lang: str) -> str:
    return t["absent"] if value is ABSENT else setting_labels.value_text(value, lang)


# --- assumptions in force ------------------------------------------------------------------------


def _assumptions(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    settings = assumptions_in_force({r.name: r.resolved for r in comp.runs})
    entries = _entry_labels(comp, lab)
    out = [f"<p>{_e(t['assumptions_intro'])}</p>"]
    for source in SOURCES:
        group = [s for s in settings if s.source == source]
        if not group:
            continue
        body = "".join(_setting_row(s, source, comp, entries, lab) for s in group)
        head = f"<th>{_e(t['col_setting'])}</th><th>{_e(t['col_meaning'])}</th><th>{_e(t['col_value'])}</th>"
        head += f"<th>{_e(t['col_source'])}</th>" if source != ASSUMPTION else ""
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        out.append(_folded(f"{t['source_' + source]} ({len(group)})", table, level=3))
    return _folded(t["assumptions"], "\n".join(out), ident="assumptions")


def _entry_labels(comp: Comparison, lab: Mapping[str, str]) -> dict[str, str]:
    """Entry names (grades, unit types) as the report's language writes them; ids in English."""
    if comp.lang == "en":
        return {}
    _, grades = labels_for(comp, comp.lang)
    return {**_type_labels(comp), **grades}


def _setting_row(s: Setting, source: str, comp: Comparison, entries: Mapping[str, str],
                 lab: Mapping[str, str]) -> str:
    values = {name: _entries_text(s.entries.get(name, {}), entries, comp.lang) for name in s.values}
    if s.differs:
        sep = "：" if comp.lang == "zh" else ": "
        value = "<br>".join(f"<b>{_e(scenario_text(name, lab))}</b>{sep}{_e(v)}" for name, v in values.items())
    else:
        value = _e(next(iter(values.values())))
    cite = f"<td>{_e(setting_labels.citation(s.key, comp.lang))}</td>" if source != ASSUMPTION else ""
    cls = ' class="differs"' if s.differs else ""
    return (f"<tr{cls}><td><code>{_e(s.key)}</code></td><td>{_e(setting_labels.meaning(s.key, comp.lang))}</td>"
            f"<td>{value}</td>{cite}</tr>")


def _entries_text(values: Mapping[str, Any], entries: Mapping[str, str], lang: str) -> str:
    """A setting's value, or its value per entry ("副科：35；正科：40"), numbers rounded."""
    if list(values) == [""]:
        return setting_labels.value_text(values[""], lang)
    sep, join = ("：", "；") if lang == "zh" else (": ", "; ")
    return join.join(f"{_entry(name, entries)}{sep}{setting_labels.value_text(v, lang)}" for name, v in values.items())


def _entry(name: str, entries: Mapping[str, str]) -> str:
    """An entry ("bureau.section") with each part named as the report writes it ("委办局.正科")."""
    return ".".join(entries.get(part, part) for part in name.split("."))


# --- method --------------------------------------------------------------------------------------


def _method(comp: Comparison, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    reps = sorted({r.replications for r in comp.runs})
    districts = comp.baseline.n_districts
    per = "/".join(str(r // districts) for r in reps)
    text = t["method_ensemble"].format(districts=districts, per=per) if districts > 1 else \
        t["method_text"].format(reps="/".join(str(r) for r in reps))
    ratio = comp.tables["comparison"]["halfwidth_ratio"].dropna()
    narrower = f" {t['narrower'].format(pct=100 * (1 - ratio.median()))}" if len(ratio) else ""
    head = "".join(f"<th>{_e(t[c])}</th>" for c in ("col_scenario", "col_folder", "col_reps", "col_seed",
                                                     "col_version", "col_commit", "col_finished", "col_paired"))
    body = "".join(_run_row(comp, i, t, lab) for i in range(len(comp.runs)))
    return _folded(t["method"], f"<p>{_e(text + narrower)}</p>"
                                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>", ident="method")


def _run_row(comp: Comparison, i: int, t: Mapping[str, str], lab: Mapping[str, str]) -> str:
    run = comp.runs[i]
    m = run.manifest
    how = t["is_baseline"] if i == 0 else _pairing_text(comp, i, t)
    cells = [scenario_text(run.name, lab), str(run.path), run.replications, run.seed, m.get("cadresim_version", ""),
             (m.get("git_commit") or "")[:10], m.get("finished", ""), how]
    return "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"


def _pairing_text(comp: Comparison, i: int, t: Mapping[str, str]) -> str:
    """How run ``i`` is compared with the baseline: paired, or not and why."""
    run, base = comp.runs[i], comp.baseline
    if comp.pairing.get(run.name) == "paired":
        return t["paired"]
    why = []
    if run.seed != base.seed:
        why.append(t["why_seed"].format(base=base.seed, run=run.seed))
    if run.replications != base.replications:
        why.append(t["why_reps"].format(base=base.replications, run=run.replications))
    return t["unpaired"].format(why=t["why_and"].join(why))
