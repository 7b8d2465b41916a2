"""Finding a font with Chinese glyphs for matplotlib, the way matplotlib users do.

matplotlib draws a character its fonts lack as an empty box and warns "Glyph ... missing
from font(s)". Chinese labels therefore need a CJK font by name. :func:`find_cjk_font`
looks first among the fonts matplotlib knows (its cached font list), then, since that cache
does not see fonts installed after it was built, among the system's font files.
"""

from __future__ import annotations

import re
from pathlib import Path

from matplotlib import font_manager

#: Families with Chinese glyphs, in order of preference (Linux, then macOS and Windows).
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR", "Source Han Sans SC",
    "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Microsoft YaHei", "SimHei", "SimSun",
    "Noto Serif CJK SC", "Arial Unicode MS",
)
#: File names of common CJK fonts, for fonts installed after matplotlib's cache was built.
_CJK_FILES = re.compile(r"(notosans(mono)?cjk|sourcehansans|wqy|wenquanyi|droidsansfallback|pingfang|msyh|simhei"
                        r"|simsun|notoserifcjk|notosanssc|hiragino)", re.IGNORECASE)
#: A few characters every label set needs (科级, 处级, 青年英才, 换届, 80后).
PROBE = "科处级青年英才换届后"

HOW_TO_INSTALL = ("no CJK font found; install one (e.g. apt install fonts-noto-cjk, or any font with Chinese "
                  "glyphs, then rm -rf ~/.cache/matplotlib) — using English")


def find_cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None.

    Known families are preferred in the order of :data:`CJK_FAMILIES`; a font file found on
    the system but missing from matplotlib's cache is registered with matplotlib.
    """
    known = _known_families()
    for family in CJK_FAMILIES:
        if family in known and has_glyphs(family):
            return family
    family = _register_system_font()
    return family if family is not None and has_glyphs(family) else None


def has_glyphs(family: str, text: str = PROBE) -> bool:
    """Whether the font matplotlib picks for ``family`` draws every character of ``text``."""
    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        font = font_manager.get_font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(c)) for c in text)


def rc_params(family: str) -> dict[str, object]:
    """matplotlib settings that draw text in ``family``, falling back to DejaVu Sans per glyph."""
    return {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}


def _known_families() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


def _register_system_font() -> str | None:
    """Register the system's CJK font files with matplotlib; the best family they provide."""
    before = _known_families()
    for path in sorted(font_manager.findSystemFonts()):
        if _CJK_FILES.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file: try the next
                continue
    added = _known_families() - before
    return next((f for f in CJK_FAMILIES if f in added), min(added, default=None))
