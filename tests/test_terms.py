"""Tests for fupin_research.terms (term counts and the term timeline)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from fupin_research.paths import reports_corpus_dir
from fupin_research.terms import count_terms, load_key_terms, term_timeline


def _report(name: str) -> str:
    return (reports_corpus_dir() / name).read_text(encoding="utf-8")


def _join_clean(text: str) -> str:
    return re.sub(r"[\u200b\ufeff]|\n(?=\S)", "", text)


def test_load_key_terms(tmp_path) -> None:
    terms = load_key_terms()
    for term in ("扶贫", "扶贫开发", "精准扶贫", "脱贫攻坚", "建档立卡", "两不愁三保障", "乡村振兴", "共同富裕"):
        assert term in terms
    custom = tmp_path / "terms.txt"
    custom.write_text("# comment\n扶贫\n\n小康  # inline comment\n扶贫\n", encoding="utf-8")
    assert load_key_terms(custom) == ["扶贫", "小康"]


def test_count_terms_columns_and_rates() -> None:
    df = count_terms("精准扶贫,扶贫开发,小康", ["扶贫", "扶贫开发", "共同富裕"])
    assert list(df.columns) == ["term", "count", "per_10k_chars"]
    assert df["count"].tolist() == [2, 1, 0]
    assert df["per_10k_chars"].tolist() == pytest.approx([2 * 10_000 / 12, 10_000 / 12, 0.0])
    assert count_terms("", ["扶贫"])["per_10k_chars"].tolist() == [0.0]


def test_real_zero_width_break_in_2017_report() -> None:
    # The 2017 report writes 经济金融风险 as 经\n\u200b\n济金融风险 (no KEY term is broken this way in the
    # reports; this is the real break the mechanism must repair).
    raw = _report("2017_政府工作报告.txt")
    assert "经\n\u200b\n济金融风险" in raw
    assert count_terms(raw, ["经济金融风险"])["count"].tolist() == [0]
    assert count_terms(_join_clean(raw), ["经济金融风险"])["count"].tolist() == [1]
    normalize = pytest.importorskip("fupin_research.normalize").normalize
    clean = normalize(raw)
    assert count_terms(clean, ["经济金融风险"])["count"].tolist() == [1]
    assert count_terms(clean, ["经济"])["count"].iloc[0] == count_terms(raw, ["经济"])["count"].iloc[0] + 1


def test_real_traditional_key_term_in_1954_report() -> None:
    # The 1954 report is in traditional script: 貧困 is missed on the raw text, counted after normalize.
    raw = _report("1954_政府工作报告.txt")
    assert count_terms(raw, ["贫困"])["count"].tolist() == [0]
    normalize = pytest.importorskip("fupin_research.normalize").normalize
    assert count_terms(normalize(raw), ["贫困"])["count"].tolist() == [3]


def test_term_timeline() -> None:
    long = pd.DataFrame(
        {
            "year": [1994, 2015, 2015, 2018, 2018],
            "term": ["扶贫", "扶贫", "精准扶贫", "精准扶贫", "乡村振兴"],
            "count": [3, 40, 0, 2, 5],
            "per_10k_chars": [0.1, 2.0, 0.0, 0.2, 0.5],
        }
    )
    df = term_timeline(long)
    assert df.values.tolist() == [
        ["扶贫", 1994, 2015, 2, 43],
        ["乡村振兴", 2018, 2018, 1, 5],
        ["精准扶贫", 2018, 2018, 1, 2],
    ]
    assert term_timeline(long[long["count"] == 0]).empty


def test_first_years_in_reports() -> None:
    frames = []
    for year in (1992, 2013, 2014, 2015, 2016, 2018):
        frame = count_terms(_join_clean(_report(f"{year}_政府工作报告.txt")), ["扶贫", "精准扶贫", "乡村振兴"])
        frames.append(frame.assign(year=year))
    timeline = term_timeline(pd.concat(frames)).set_index("term")
    assert timeline.loc["精准扶贫", "first_year"] == 2014
    assert timeline.loc["乡村振兴", "first_year"] == 2018
    assert timeline.loc["扶贫", "first_year"] == 1992
