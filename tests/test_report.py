"""Tests of report.html (self-contained, read in a real headless browser) and of Chinese output."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import warnings
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib import image as mpimg  # noqa: E402

from cadresim.report import fonts, labels, run_figures  # noqa: E402
from cadresim.output import html as report  # noqa: E402
from cadresim.analysis.compare import compare  # noqa: E402
from cadresim.analysis.scenario_changes import assumptions_in_force  # noqa: E402
from cadresim.output.comparison_folder import png_bytes, write_comparison  # noqa: E402
from cadresim.scenario.loader import load_scenario, to_yaml  # noqa: E402
from conftest import unavailable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """Real results folders of baseline and youth2 (two replications each, same seed: paired)."""
    from cadresim.output.run_folder import write_results
    from cadresim.engine.replications import run_scenario

    root = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as mp:  # the run's own plots are not needed here: skip them, for speed
        mp.setattr(run_figures, "save_all", lambda tables, folder, *a, **k: Path(folder).mkdir(parents=True) or [])
        for name in ("baseline", "youth2"):
            res = run_scenario(load_scenario(SCEN / f"{name}.yaml", ["district.districts=2"]), replications=1,
                               record_events=False)
            write_results(res, root / name, jobs=1, started=datetime.now(timezone.utc))
    return root


@pytest.fixture(scope="module")
def written(runs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "baseline-youth2"
    return write_comparison(compare([runs / "baseline", runs / "youth2"]), out)


class _Resources(HTMLParser):
    """Every tag name and every src/href value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[tuple[str, str, str]] = []  # tag, attribute, value
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data"):
                self.refs.append((tag, name, value or ""))
            if name == "id":
                self.ids.add(value)


def _parse(text: str) -> _Resources:
    parser = _Resources()
    parser.feed(text)
    return parser


# --- self-containment ----------------------------------------------------------------------------


def test_report_is_self_contained_and_complete(written):
    text = (written / "report.html").read_text(encoding="utf-8")
    page = _parse(text)
    images = [v for tag, attr, v in page.refs if tag == "img"]
    assert len(images) == len(list((written / "plots").glob("*.png"))) == 7  # differences, pipeline, nonleading, grade_mix, pool, rules, youth talent
    assert all(v.startswith("data:image/png;base64,") for v in images)
    assert not [r for r in page.refs if r[0] != "img"], "no links or other resources"
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert "http://" not in text and "https://" not in text
    assert "@import" not in text and "url(" not in text
    embedded = base64.b64decode(images[0].split(",", 1)[1])
    assert embedded == (written / "plots" / "differences.png").read_bytes()
    # and complete: every section, the diff of the resolved scenarios, the assumptions with their sources
    assert "headline" in page.ids
    for heading in ("In brief", "Headline results", "Teams at risk", "Figures", "What differs from the baseline",
                    "Assumptions in force", "Method"):
        assert f">{heading}</h2>" in text
    assert "<code>youth_talent.cohorts.c2</code>" in text  # the diff of the resolved scenarios
    assert "(not set)" in text
    assert "<code>grades.&lt;grade&gt;.grassroots_years</code>" in text  # assumptions with their sources
    assert "条例 Art. 8(1)" in text
    assert text.count("<figcaption>") == 7
    assert "paired" in text and "narrower" in text


def test_teams_at_risk_count_every_runs_teams(runs, written):
    """Both runs use the default thresholds: re-flagged with the baseline's, the counts are their own."""
    table = pd.read_csv(written / "teams_comparison.csv", dtype={"date": str})
    text = (written / "report.html").read_text(encoding="utf-8")
    section = text[text.index(">Teams at risk</h2>"):text.index(">What differs from the baseline</h2>")]
    for name in ("baseline", "youth2"):
        own = pd.read_csv(runs / name / "teams.csv", dtype={"date": str}).groupby("date")["at_risk"]
        mine = table[table["scenario"] == name].set_index("date")
        assert mine["teams"].to_dict() == own.size().to_dict() and mine["at_risk"].to_dict() == own.sum().to_dict()
        assert f"{mine['at_risk'].iloc[0]} of {mine['teams'].iloc[0]}" in section
    changes = pd.read_csv(written / "teams_changes.csv", dtype={"date": str})
    assert not changes.empty and set(changes["scenario"]) == {"youth2"}
    assert (changes.groupby("date").size() <= 10).all()  # top_teams
    assert all(f"<td>{html.escape(name)}</td>" in section for name in changes["name"])
    assert not [c for c in changes.columns if "cadre" in c or c.startswith("birth")]


# --- sentences and settings ----------------------------------------------------------------------


def test_sentence_reads_plainly():
    row = {"diff": 2.3, "diff_ci95_low": 1.1, "diff_ci95_high": 3.5}
    text = report.sentence("post80_division_level", row, "youth2", "baseline", "after the Dec 2016 reshuffle")
    assert text == ("youth2 has 2.3 more division-level holders born in the 1980s than baseline after the Dec 2016 "
                    "reshuffle (95% CI 1.1 to 3.5).")
    lower = {"diff": -0.053, "diff_ci95_low": -0.09, "diff_ci95_high": -0.01}
    share = report.sentence("young_member_team_share", lower, "rotation", "baseline", "in Jun 2017")
    assert share.startswith("The share of leadership teams meeting their young-member target is 5.3 percentage points "
                            "lower in rotation than in baseline in Jun 2017 (95% CI −9.0 to −1.0)")
    zh = report.sentence("post80_division_level", row, "youth2", "baseline", "2016年12月换届后", "zh", labels.LABELS_ZH)
    assert zh == "2016年12月换届后，youth2的80后处级干部人数比baseline多2.3人（95%置信区间 1.1 至 3.5）。"


def test_assumptions_in_force_show_values_and_differences():
    import yaml

    resolved = {n: yaml.safe_load(to_yaml(load_scenario(SCEN / f"{n}.yaml"))) for n in ("baseline", "rotation")}
    settings = {s.key: s for s in assumptions_in_force(resolved)}
    rate = settings["rotation.cross_unit_rate"]
    assert rate.source == "assumption" and rate.differs and rate.values == {"baseline": "0.05", "rotation": "0.15"}
    ceiling = settings["grades.<grade>.age_ceiling"]
    assert not ceiling.differs and "deputy_section: 35" in ceiling.values["baseline"]
    assert settings["retirement.male"].source == "rule" and settings["retirement.male"].citation
    assert "name" not in settings and not any(k.startswith("report.") for k in settings)


# --- in a real browser ---------------------------------------------------------------------------


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _headless(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}"]
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_report_renders_in_a_headless_browser(written, tmp_path):
    browser = _browser()
    if browser is None:
        unavailable("no headless browser (chromium, chromium-browser or google-chrome) on PATH; "
                    "install one (e.g. apt install chromium) to check the report as a reader sees it")
    url = (written / "report.html").resolve().as_uri()
    shot = tmp_path / "report.png"
    window = ("--window-size=1280,2000", "--hide-scrollbars")
    dom = _headless(browser, tmp_path / "profile", "--dump-dom", f"--screenshot={shot}", *window, url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = _parse(dom.stdout)
    assert "headline" in page.ids and "<tbody>" in dom.stdout
    images = [v for tag, attr, v in page.refs if tag == "img"]
    assert len(images) == 7 and all(v.startswith("data:image/png;base64,") for v in images)
    if not shot.is_file():  # browsers that do not take both at once
        proc = _headless(browser, tmp_path / "profile2", f"--screenshot={shot}", *window, url)
        assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200, "the screenshot looks blank"


# --- Chinese ---------------------------------------------------------------------------------------


def test_chinese_labels_cover_every_english_label():
    assert set(labels.LABELS_ZH) == set(labels.LABELS)
    assert labels.LABELS_ZH["post80"] == "80后" and labels.LABELS_ZH["reshuffle"] == "换届"


@pytest.mark.slow
def test_chinese_plots_and_report(runs, tmp_path):
    family = fonts.find_cjk_font()
    if family is None:
        unavailable("no CJK font installed (e.g. apt install fonts-noto-cjk); Chinese plots fall back to English")
    comp = compare([runs / "baseline", runs / "youth2"], lang="zh")
    assert comp.plot_lang == "zh" and comp.rc
    fig = comp.figures["binding_rules"]
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(comp.rc):
        warnings.simplefilter("always")
        png = png_bytes(fig)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    texts = [t for t in fig.findobj(matplotlib.text.Text) if any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
    assert len(texts) > 5, "the zh figure has Chinese text"
    with matplotlib.rc_context(comp.rc):
        used = {str(font_manager.findfont(t.get_fontproperties())) for t in texts}  # a path, or a FontPath
    assert used <= {f.fname for f in font_manager.fontManager.ttflist if f.name == family}
    text = (write_comparison(comp, tmp_path / "zh") / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in text
    for term in ("换届", "80后", "青年英才", "主要结果", "现行规定与假设", "存在风险的班子"):
        assert term in text


@pytest.mark.slow
def test_without_a_cjk_font_zh_falls_back_to_english_plots(runs, monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    comp = compare([runs / "baseline", runs / "youth2"], lang="zh")
    assert comp.plot_lang == "en" and not comp.rc
    assert any("no CJK font found" in n and "fonts-noto-cjk" in n for n in comp.notes)
    title = comp.figures["differences"].get_suptitle()
    assert title.startswith("Difference from Status quo")  # the baseline's English title


def test_find_cjk_font_finds_one_with_chinese_glyphs():
    assert not fonts.has_glyphs("DejaVu Sans")  # matplotlib's own font: no Chinese
    family = fonts.find_cjk_font()
    if family is None:
        unavailable("no CJK font installed (e.g. apt install fonts-noto-cjk); nothing to check the finder against")
    assert fonts.has_glyphs(family) and fonts.has_glyphs(family, "干部工作方案比较：现行做法")
    assert fonts.rc_params(family)["font.family"][0] == family


def test_find_cjk_font_reports_none_when_there_is_none(monkeypatch):
    monkeypatch.setattr(fonts, "_known_families", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    assert fonts.find_cjk_font() is None


# --- the page opens on the answer; in Chinese, everything a reader sees is Chinese ------------------

#: Three or more English words in a row (an identifier such as post80_division_level or youth2 is one
#: token and no word; "pp" or "Welch" alone is no run).
ENGLISH_RUN = re.compile(r"\b[A-Za-z]+\b(?:[ ,;:]+\b[A-Za-z]+\b){2,}")
#: A float written with all its digits (0.3333333333333333), not as readers write it.
RAW_FLOAT = re.compile(r"\d\.\d{6,}")


class _Text(HTMLParser):
    """The text a reader sees: no <style>, no <code> (identifiers), no attribute values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("style", "code", "title")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("style", "code", "title")

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def _visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


@pytest.fixture(scope="module")
def written_zh(runs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "zh"
    return write_comparison(compare([runs / "baseline", runs / "youth2"], lang="zh"), out)


def test_report_opens_on_the_answer_and_folds_the_reference_parts(written):
    text = (written / "report.html").read_text(encoding="utf-8")
    brief, table, first = text.index(">In brief</h2>"), text.index('id="headline"'), text.index('id="fig-differences"')
    assert brief < table < first < text.index("<details")  # the answer, then the folded parts
    for ident in ("differences", "assumptions", "method", "team-changes"):
        assert re.search(rf'<details id="{ident}"( class="part")?>', text), f"{ident} is folded (and closed)"
    figures = re.findall(r'<figure id="fig-(\w+)"', text)
    assert figures[0] == "differences" and text.count("<details><summary><h3>") >= len(figures) - 1
    assert "<h1>Personnel policy scenarios compared: Status quo, Second Youth Talent cohort</h1>" in text


def test_chinese_report_translates_everything_a_reader_sees(written_zh):
    page = (written_zh / "report.html").read_text(encoding="utf-8")
    text = _visible_text(page)
    runs_of_english = ENGLISH_RUN.findall(text)
    assert not runs_of_english, f"English left in the zh report: {runs_of_english[:10]}"
    assert not RAW_FLOAT.findall(text), "numbers are written as readers write them"
    assert "<h1>干部工作方案比较：现行做法、第二期青年英才</h1>" in page  # scenario titles, not youth2
    assert "任职条件：晋升到本职级时的最高年龄" in text and "0.333" in text  # assumptions: meaning, value rounded
    assert "《条例》第八条第一项" in text and "副科：35；正科：40" in text  # citations, grades by their Chinese names
    changes = pd.read_csv(written_zh / "teams_changes.csv", dtype={"date": str})
    assert re.search(r"<td>(委办局|街镇)\d\d</td>", page) and not any(f"<td>{n}</td>" in page for n in changes["name"])
    assert "Baseline plus a second" not in text  # the English description is left out in Chinese


def test_english_report_writes_numbers_as_readers_do(written):
    text = _visible_text((written / "report.html").read_text(encoding="utf-8"))
    assert not RAW_FLOAT.findall(text)
    assert "0.333" in text  # reshuffle.leadership_move_on, 1/3
    assert not re.search(r"−0\.0\b(?!\d)", text), "no negative zero"
    assert all(float(x) <= 100 for x in _share_interval_ends(text)), "no share above 100%"


def _share_interval_ends(text: str) -> list[str]:
    """The ends of every interval ("a – b") shown in the rows of metrics that are shares."""
    from cadresim.report.labels import METRICS

    shares = {m.label for m in METRICS.values() if m.unit == "unit_percent"}
    ends, in_share = [], False
    for line in text.splitlines():
        if line in shares or any(line == m.label for m in METRICS.values()):
            in_share = line in shares
        elif in_share:
            ends += re.findall(r"(\d+\.\d) – (\d+\.\d)", line) and re.findall(r"\d+\.\d", line)
    assert ends, "the check saw share intervals"
    return ends


_PROBE = """<script>
window.addEventListener('load', () => {
  const h = window.innerHeight, parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest('code, script')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if ([...range.getClientRects()].some(r => r.width > 0 && r.bottom > 0 && r.top < h)) parts.push(node.textContent);
  }
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({height: document.documentElement.scrollHeight, text: parts.join('\\n')});
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.slow
def test_chinese_report_first_screen_in_a_headless_browser(written_zh, tmp_path):
    """The text of the first screen (1280 × 900), read from the DOM as Chromium lays it out."""
    browser = _browser()
    if browser is None:
        unavailable("no headless browser (chromium, chromium-browser or google-chrome) on PATH")
    probe = tmp_path / "probe.html"  # the report stays script-free: the probe is a copy
    probe.write_text((written_zh / "report.html").read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"),
                     encoding="utf-8")
    dom = _headless(browser, tmp_path / "profile", "--window-size=1280,900", "--virtual-time-budget=10000",
                    "--dump-dom", probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, "the probe ran"
    seen = json.loads(html.unescape(found.group(1)))
    first = seen["text"]
    assert "要点" in first and "第二期青年英才" in first and "80后处级干部人数" in first
    assert not ENGLISH_RUN.findall(first), ENGLISH_RUN.findall(first)
    assert seen["height"] < 4500, "the reference parts are folded: the page is a few screens, not 14,000 px"


def test_a_missing_browser_or_font_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("no headless browser")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        unavailable("no headless browser")
