"""Tests of fupin_research.normalize on the seed corpus, a government work report and small made-up strings."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import opencc
import pytest

from fupin_research.normalize import (
    check_renderings,
    detect_script,
    join_broken_lines,
    normalize,
    normalize_with_offsets,
)
from fupin_research.paths import reports_corpus_dir, seed_corpus_dir

SEEDS = sorted(seed_corpus_dir().glob("*.txt"))
SEED_IDS = [path.stem[:3] for path in SEEDS]
REPORT_2017 = reports_corpus_dir() / "2017_政府工作报告.txt"
CONFIGS = ("s2t", "s2tw", "s2hk")
EXPECTED_VARIANT = {"s2t": "standard", "s2tw": "taiwan", "s2hk": "hong_kong"}


@cache
def raw(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def rendering(path: Path, config: str) -> str:
    return opencc.OpenCC(config).convert(raw(path))


def test_five_seeds():
    assert len(SEEDS) == 5


# ---------------------------------------------------------------------------------------------- acceptance


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_traditional_renderings_normalize_to_the_seed(seed, config):
    text = rendering(seed, config)
    assert text != raw(seed)  # the rendering really is different
    assert normalize(text) == normalize(raw(seed))


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_detect_script_of_renderings(seed, config):
    text = rendering(seed, config)
    if config != "s2t":
        # the seed contains forms specific to the variant (else the label could not tell them apart)
        assert text != rendering(seed, "s2t")
    script = detect_script(text)
    assert script.script == "traditional"
    assert script.variant == EXPECTED_VARIANT[config]
    assert script.label == f"traditional ({EXPECTED_VARIANT[config]})"


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_seeds_are_simplified(seed):
    script = detect_script(raw(seed))
    assert (script.script, script.variant, script.opencc_config) == ("simplified", "mainland", None)
    assert normalize_with_offsets(raw(seed)).script.label == "simplified"


def test_detect_script_small_strings():
    assert detect_script("2017, ABC").script == "undetermined"
    assert detect_script("脫貧攻堅").label == "traditional (standard)"
    assert detect_script("精准扶贫").label == "simplified"


def test_check_renderings_on_a_seed():
    rows = check_renderings(raw(SEEDS[2]))
    assert [row["rendering"] for row in rows] == list(CONFIGS)
    assert [row["opencc_config"] for row in rows] == ["t2s", "tw2s", "hk2s"]
    assert all(row["identical_after_normalize"] for row in rows)


def test_convert_false_keeps_traditional():
    assert normalize("脫貧攻堅", convert=False) == "脫貧攻堅"
    assert normalize("脫貧攻堅") == "脱贫攻坚"


# ---------------------------------------------------------------------------------------------- characters


def test_full_width_folding_keeps_chinese_punctuation():
    text = "２０１７年，ＡＢＣ公司ｘｙ“脱贫”。（一）【要】《规划》：是；、１０％\u3000甲\u00a0乙"
    assert normalize(text) == "2017年，ABC公司xy“脱贫”。（一）【要】《规划》：是；、10% 甲 乙"


def test_zero_width_characters_removed():
    assert normalize("精准\u200b扶\u200c贫\u200d攻\ufeff坚\u2060") == "精准扶贫攻坚"


def test_line_endings_unified():
    assert normalize("第一段。\r\n第二段。\r\r三。\u2028四。") == "第一段。\n第二段。\n\n三。\n四。"


def test_not_a_str():
    with pytest.raises(TypeError):
        normalize(b"\xe6\x89\xb6")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- lines


def test_broken_lines_joined():
    assert normalize("施支撑能力持续提升。新建\n高速铁路\n投产里程超过1900公里") == (
        "施支撑能力持续提升。新建高速铁路投产里程超过1900公里"
    )
    assert normalize("光缆线路550\n\u200b\n多万公里。") == "光缆线路550多万公里。"
    assert join_broken_lines("新建\n高速铁路\n投产", list(range(12)))[0] == "新建高速铁路投产"


def test_broken_lines_in_the_2017_report():
    clean = normalize(raw(REPORT_2017))
    assert "新建高速铁路投产里程超过1900公里" in clean
    assert "光缆线路550多万公里" in clean
    assert "\u200b" not in clean


@pytest.mark.parametrize(
    "text",
    [
        "坚决打赢脱贫攻坚战的意见\n一、总体要求",
        "坚决打赢脱贫攻坚战的意见\n来源:阳谷县扶贫办",
        "坚决打赢脱贫攻坚战的意见\n作者:阳谷县扶贫办",
        "2017年是关键之年\n（一）做好基础工作",
        "2017年是关键之年\n(二)大力发展生产",
        "2017年是关键之年\n1.做好基础工作",
        "第一段扶贫\n\n第二段扶贫",
        "扶贫。\n攻坚",
    ],
)
def test_lines_not_joined(text):
    assert normalize(text) == text


def test_seed_001_headings_and_source_line_stay_on_their_own_line():
    clean = normalize(raw(SEEDS[1]))
    lines = [line.strip() for line in clean.split("\n")]
    assert lines[0].endswith("坚决打赢脱贫攻坚战的意见")
    assert lines[1].startswith("来源:阳谷县扶贫办")
    assert "一、统一思想认识,明确目标任务" in lines
    assert clean.count("\n\n") >= 50  # paragraph breaks kept


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_blank_line_paragraph_breaks_kept(seed):
    clean = normalize(raw(seed))
    raw_paragraphs = len(re.findall(r"\S\s*\n[ \t\u3000\u00a0]*\n", raw(seed)))
    assert clean.count("\n\n") >= raw_paragraphs - 5  # a chrome paragraph may go
    assert "\r" not in clean


# ---------------------------------------------------------------------------------------------- chrome


CHROME = {
    "002": ["返回首页", "客户端下载"],
    "004": ["• 无障碍服务", "分享到:"],
    "001": ["任何盗版、仿冒和抄袭本系统的单位或个人,本公司保留追究其法律责任的权利。"],
}


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_chrome_lines_removed_and_recorded(seed):
    text = raw(seed)
    norm = normalize_with_offsets(text)
    expected = CHROME.get(seed.stem[:3], [])
    assert [line for _start, _end, line in norm.chrome] == expected
    clean_lines = {line.strip() for line in norm.text.split("\n")}
    for start, end, line in norm.chrome:
        assert text[start:end].strip() == line  # the recorded raw span is the removed line
        assert line not in clean_lines
    for line in expected:
        assert line in text.splitlines() or f"{line}\n" in text


def test_researcher_chrome_file_is_honoured(tmp_path):
    chrome = tmp_path / "my_chrome.txt"
    chrome.write_text("# my site\n新闻中心\nre:第\\d+页\n", encoding="utf-8")
    text = "返回首页\n\n新闻中心\n精准扶贫。\n第3页\n"
    norm = normalize_with_offsets(text, chrome=chrome)
    assert norm.text == "返回首页\n\n精准扶贫。\n"  # the shipped list no longer applies
    assert [line for _s, _e, line in norm.chrome] == ["新闻中心", "第3页"]
    assert normalize(text) == "\n新闻中心精准扶贫。\n第3页\n"  # the default list (and the line joined)
    empty = tmp_path / "empty_chrome.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    nothing = normalize_with_offsets(text, chrome=empty)
    assert nothing.chrome == () and nothing.text.startswith("返回首页\n\n新闻中心")


def test_chrome_lines_with_leading_blanks(tmp_path):
    # An entry may match inside a line's leading blanks (" {2}页脚"); a line of blanks is kept.
    chrome = tmp_path / "chrome.txt"
    chrome.write_text("re: {2}页脚\nre:.*(?:盗版|仿冒).*\n", encoding="utf-8")
    text = "   页脚\n  严禁盗版  \n" + " " * 5000 + "\n精准扶贫。"
    norm = normalize_with_offsets(text, chrome=chrome)
    assert [line for _s, _e, line in norm.chrome] == ["页脚", "严禁盗版"]
    assert norm.text == " " * 5000 + "\n精准扶贫。"


# ---------------------------------------------------------------------------------------------- offsets

# full-width digits, letters and ％ (Chinese punctuation stays), odd spaces
_FULL_WIDTH = "".join(chr(c) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF05])
_FOLD = str.maketrans({**{char: chr(ord(char) - 0xFEE0) for char in _FULL_WIDTH}, "\u3000": " ", "\u00a0": " "})


def _same_char(clean: str, original: str, variants: str) -> bool:
    """``clean`` equals the raw character, its full-width/space original, or its simplified form."""
    return clean == original or clean == original.translate(_FOLD) or clean == variants


def _check_offsets(text: str) -> None:
    norm = normalize_with_offsets(text)
    offsets, clean = list(norm.offsets), norm.text
    assert len(offsets) == len(clean) + 1 and offsets[-1] == len(text)
    assert offsets == sorted(offsets) and len(set(offsets[:-1])) == len(clean)  # strictly increasing
    simplified = opencc.OpenCC("t2s").convert(text)
    for i, char in enumerate(clean):
        assert _same_char(char, text[offsets[i]], simplified[offsets[i]]), (i, char, text[offsets[i]])


_GONE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _check_raw_spans(text: str, seed: int) -> None:
    """Random clean spans map to raw spans with the same characters (ignoring removed spaces/breaks)."""
    norm = normalize_with_offsets(text)
    clean = norm.text
    rng = random.Random(seed)
    chrome = [(start, end) for start, end, _line in norm.chrome]
    checked = 0
    for _ in range(300):
        start = rng.randrange(len(clean))
        end = min(len(clean), start + rng.randrange(1, 200))
        raw_start, raw_end = norm.raw_span(start, end)
        assert 0 <= raw_start < raw_end <= len(text)
        if any(raw_start < c_end and c_start < raw_end for c_start, c_end in chrome):
            continue
        piece = opencc.OpenCC("t2s").convert(text[raw_start:raw_end]).translate(_FOLD)
        assert _GONE.sub("", piece) == _GONE.sub("", clean[start:end])
        checked += 1
    assert checked > 200
    assert norm.raw_span(5, 5) == (norm.offsets[5], norm.offsets[5])


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_offset_map_of_seeds(seed):
    _check_offsets(raw(seed))
    _check_raw_spans(raw(seed), 1)


def test_offset_map_of_the_2017_report():
    text = raw(REPORT_2017)
    assert "\u200b" in text and "\u3000" in text  # the damage the map must survive
    _check_offsets(text)
    _check_raw_spans(text, 2)


@pytest.mark.parametrize("config", CONFIGS)
def test_offset_map_of_traditional_renderings(config):
    text = rendering(SEEDS[4], config)
    _check_offsets(text)
    _check_raw_spans(text, 3)
    # the rendering keeps the seed's length, so the maps must agree
    assert list(normalize_with_offsets(text).offsets) == list(normalize_with_offsets(raw(SEEDS[4])).offsets)


def test_raw_span_small():
    text = "返回首页\r\n２０１７年\u3000脫貧\u200b攻堅\n取得成效"
    norm = normalize_with_offsets(text)
    assert norm.text == "2017年 脱贫攻坚取得成效"
    start = norm.text.index("脱贫攻坚")
    raw_start, raw_end = norm.raw_span(start, start + 4)
    assert text[raw_start:raw_end] == "脫貧\u200b攻堅"
    raw_start, raw_end = norm.raw_span(0, 4)
    assert text[raw_start:raw_end] == "２０１７"
    assert [(start, line) for start, _end, line in norm.chrome] == [(0, "返回首页")]
    assert text[: norm.chrome[0][1]].strip() == "返回首页"


def test_segments_cover_the_text():
    norm = normalize_with_offsets(raw(SEEDS[2]))
    runs = norm.segments()
    assert sum(length for _c, _r, length in runs) == len(norm.text)
    for clean_start, raw_start, length in runs:
        assert norm.offsets[clean_start + length - 1] == raw_start + length - 1


def test_edited_chrome_file_is_reread(tmp_path):
    chrome = tmp_path / "chrome.txt"
    chrome.write_text("新闻中心\n", encoding="utf-8")
    text = "新闻中心\n\n打印本页\n\n精准扶贫。"
    assert normalize(text, chrome=chrome) == "\n打印本页\n\n精准扶贫。"
    chrome.write_text("新闻中心\n打印本页\n", encoding="utf-8")
    assert normalize(text, chrome=chrome) == "\n\n精准扶贫。"


@pytest.mark.parametrize(
    "text",
    [
        "关于做好2018年扶贫工作的通知\n各市、县人民政府：\n现将有关事项通知如下。",
        "青海省扶贫开发局\n2017年11月9日",
        "联系人：张三\n电话：12345",
    ],
)
def test_title_label_and_date_lines_stay_whole(text):
    assert normalize(text) == text


def test_a_title_in_book_quotes_broken_by_a_link_is_joined():
    broken = "国务院《关于坚决稳定市场物价的通知\n》，总的来看"
    assert normalize(broken) == broken.replace("\n", "")
