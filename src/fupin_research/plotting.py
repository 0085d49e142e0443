"""Chinese glyphs in every plot, on any machine, without installing a system font.

The font is Noto Sans CJK SC (SIL Open Font License 1.1), shipped inside the ``mplfonts`` wheel, a pip
dependency. :func:`use_chinese_font` registers it with ``matplotlib.font_manager.addfont`` and makes it the
default sans-serif font. It needs no network, no root and no font cache rebuild, so it works the same on a
fresh machine, in CI and on Binder.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"


def font_path() -> Path:
    """The path of the bundled Noto Sans CJK SC font file (found without importing ``mplfonts``)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package is missing: pip install mplfonts (it carries the CJK font)")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise RuntimeError(f"{path}: font file missing from the mplfonts package")
    return path


@cache
def _register_font() -> str:
    from matplotlib import font_manager  # imported here: a build needs no matplotlib (start-up time)

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_chinese_font() -> str:
    """Register the CJK font with matplotlib and make it the default; return its family name.

    Registration happens once per process; the rcParams are set on every call, so calling it again after
    ``matplotlib.rcdefaults()`` or a style change brings the font back.

    Example:
        >>> use_chinese_font()
        'Noto Sans CJK SC'
    """
    name = _register_font()
    import matplotlib

    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 minus glyph
    return name


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def figure_texts(figure) -> list[str]:
    """The titles and axis labels of a matplotlib figure (suptitle, supxlabel/supylabel, each axes' own)."""
    texts = [t.get_text() for t in (figure._suptitle, figure._supxlabel, figure._supylabel) if t is not None]
    for ax in figure.axes:
        texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
        texts += [ax.get_xlabel(), ax.get_ylabel()]
    return [t for t in texts if t]


def assert_bilingual(figure) -> None:
    """Raise ValueError unless the figure's title carries both Chinese and English.

    The title is the suptitle, or the first axes' title: a reader without Chinese must be able to follow it.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots()
        >>> _ = ax.set_title("文档篇幅 / Document sizes")
        >>> assert_bilingual(fig)
        >>> _ = ax.set_title("文档篇幅")
        >>> assert_bilingual(fig)
        Traceback (most recent call last):
        ...
        ValueError: figure title has no English: '文档篇幅'
        >>> plt.close(fig)
    """
    titles = [t.get_text() for t in (figure._suptitle,) if t is not None and t.get_text()]
    titles += [ax.get_title() for ax in figure.axes if ax.get_title()]
    title = titles[0] if titles else ""
    if not _CJK.search(title):
        raise ValueError(f"figure title has no Chinese: {title!r}")
    if not _ENGLISH_WORD.search(title):
        raise ValueError(f"figure title has no English: {title!r}")
