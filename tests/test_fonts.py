"""Tests of fupin_research.plotting: Chinese glyphs render without "Glyph ... missing from font" warnings."""

from __future__ import annotations

import io
import warnings

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from fupin_research.plotting import font_path, use_chinese_font

TITLE = "脱贫攻坚成效 脫貧攻堅成效"
LABELS = ["建档立卡", "易地扶贫搬迁", "兩不愁三保障", "貧困戶嘅生活"]  # simplified, traditional, Hong Kong


def _draw() -> tuple[bytes, list[str]]:
    """Draw a figure with Chinese title, tick labels and legend; return the PNG and the glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = Figure(figsize=(5, 3))
        FigureCanvasAgg(figure)  # the Agg backend, without touching pyplot's global state
        axes = figure.add_subplot()
        axes.bar(range(len(LABELS)), [83.2, 33.4, 11.6, 7.1], label="贫困人口(万人) 貧困人口")
        axes.plot(range(len(LABELS)), [80, 30, 10, 5], label="减贫目标 減貧目標", color="black")
        axes.set_xticks(range(len(LABELS)), LABELS)
        axes.set_title(TITLE)
        axes.set_ylabel("万人 -1")  # a minus sign: the CJK font has no U+2212
        axes.legend()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    messages = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    return buffer.getvalue(), messages


def test_no_missing_glyphs_with_the_chinese_font():
    assert font_path().is_file()
    name = use_chinese_font()
    assert name == "Noto Sans CJK SC"
    assert matplotlib.rcParams["font.sans-serif"][0] == name
    png, missing = _draw()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert missing == []


def test_the_check_can_fail_without_the_font():
    """With rcParams reset to DejaVu Sans alone, the same figure does warn (so the test above means something)."""
    use_chinese_font()
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        _png, missing = _draw()
    assert missing, "DejaVu Sans has no CJK glyphs: matplotlib should have warned"
    assert any("DejaVu Sans" in message for message in missing)
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"  # restored after the context


def test_use_chinese_font_again_after_an_rcparams_reset():
    use_chinese_font()
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        use_chinese_font()
        _png, missing = _draw()
    assert missing == []
