"""Tests for fupin_research.extract.formulas on the five seed documents and small made-up strings."""

from __future__ import annotations

import re
import time

import pytest

from fupin_research.extract.formulas import extract_formulas, formula_numerals, normalize_formula
from fupin_research.paths import seed_corpus_dir

# Hand inventory: every numbered formula read by eye in each seed document (canonical forms).
# Decisions: 省市县三级 / 五级台账 / 县乡两级 are quantities; 十二五 / 十三五 are time expressions;
# 一站式, 一对一, 一把手, 最后一公里, 一刀切 are ordinary words; 二三产业 is an ordinary term; slogans
# with numbers but no formula form (“四年集中攻坚、一年巩固提升”, “多个渠道引水,一个龙头放水”,
# “就业一人、脱贫一户”) are not formulas.
EXPECTED = {
    "000": set(
        "八个精准 四个二 两后生 两免两减半 两项制度 两线合一 三位一体 两委 千企帮千村 五位一体 双查法 "
        "两学一做".split()
    ),
    "001": set(
        "三位一体 四个全面 六个精准 五个一批 两不愁三保障 两线合一 三张图 四德工程 五级书记 1+N".split()
    ),
    "002": set("四权分置 三资 一月一观摩 五个振兴 八个精准 一室一厅一厨一卫 六位一体 新六产".split()),
    "003": set(
        "四个扎扎实实 1+8+10 两线合一 八个一批 六张图 双组长 五个一批 五看法 六位一体 双基联动 一免七减 "
        "123 一联 双帮 三治 三类村 百企帮百村 百企联百户".split()
    ),
    "004": set(
        "三统一 双认定 两不愁三保障 八有一超 十不算 三保障 十不脱 五保 五保户 四个必到 两比对 "
        "一查看二核对三座谈四填表五签字 三到村三到户 四处照相 四方签字 四书 五包一 三包一 六六工程 "
        "五查五看五纠 四看法 五大项目 四项改革 一村一品一主体 八办两组 六大 七种帮扶模式 四项基金 "
        "四好村".split()
    ),
}

ORDINARY = set(
    "第一书记 进一步 统一 一是 二是 之一 一起 一批 唯一 一体化 一律 一定 万一 一般 一站式 一对一 一把手 "
    "一刀切 二三产业 十二五 十三五 三级 两级 五级".split()
)
QUANTITY = re.compile(
    r"\d+(个[\u4e00-\u9fff]|年|月|日|元|人|户|名|万|亿|%)|[两三四五六七八九十]+(年|个月|个县)$"
)


def _seed(doc_prefix: str) -> str:
    (path,) = seed_corpus_dir().glob(f"{doc_prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_seed_inventory_exact(doc: str) -> None:
    df = extract_formulas(_seed(doc))
    found = set(df["normalized"])
    assert found - EXPECTED[doc] == set(), "false positives"
    assert EXPECTED[doc] - found == set(), "missed formulas"


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_offsets_and_no_ordinary_words_or_quantities(doc: str) -> None:
    text = _seed(doc)
    df = extract_formulas(text)
    for row in df.itertuples():
        assert text[row.start:row.end] == row.surface
        assert row.surface not in ORDINARY and row.normalized not in ORDINARY
        assert not QUANTITY.search(row.surface), row.surface
        assert not re.search(r"(19|20)\d\d", row.surface)


def test_lost_opening_quote_in_001() -> None:
    text = _seed("001")
    df = extract_formulas(text)
    rows = df.set_index("normalized")
    assert bool(rows.loc["六个精准", "quoted"]) and bool(rows.loc["五个一批", "quoted"])
    assert "两不愁、三保障" in set(df["surface"])  # 两不愁、三保障 joined into one formula
    assert bool(rows.loc["两不愁三保障", "known"])


def test_works_on_normalized_text() -> None:
    normalize = pytest.importorskip("fupin_research.normalize").normalize
    for doc, expected in EXPECTED.items():
        clean = normalize(_seed(doc))
        df = extract_formulas(clean)
        assert set(df["normalized"]) == expected, doc
        assert all(clean[r.start:r.end] == r.surface for r in df.itertuples())


def test_canonical_forms_and_numerals() -> None:
    assert normalize_formula("四个2") == normalize_formula("“四个二”") == "四个二"
    assert normalize_formula("两不愁、三保障") == "两不愁三保障"
    assert normalize_formula("1＋8＋10") == "1+8+10"
    assert formula_numerals("1+8+10") == [1, 8, 10]
    assert formula_numerals("五查五看五纠") == [5, 5, 5]
    assert formula_numerals("三统一") == [3]


def test_made_up_negatives() -> None:
    text = (
        "第一书记进一步统一思想,一是抓落实,二是抓整改,这是之一,大家一起干,新建一批项目,唯一,一体化,一律,一定,"
        "万一,一般。20个县完成2017年任务,提高3个百分点,两年内,三个月内,省市县三级统筹,一站式服务,人均2016元。"
    )
    assert extract_formulas(text).empty


def test_made_up_positives_found_from_form() -> None:
    # None of these is in the lexicon or the known list: they are found from their form.
    df = extract_formulas("推行“三查三看”,实行“一户一码”和“2+3+X”模式,落实三减两补政策。")
    assert list(df["normalized"]) == ["三查三看", "一户一码", "2+3+X", "三减两补"]
    assert list(df["quoted"]) == [True, True, True, False]


def test_fast_enough() -> None:
    text = "".join(_seed(d) for d in EXPECTED) * 10  # ~1 MB of characters
    started = time.perf_counter()
    extract_formulas(text)
    assert time.perf_counter() - started < 5


def test_known_formulas_are_found_unquoted():
    """Formulas of data/formulas_known.txt that fit no general shape are still found, quoted or not."""
    found = extract_formulas("坚持四项基本原则，落实中央八项规定精神，为实现“两个一百年”奋斗目标")
    assert found.normalized.tolist() == ["四项基本原则", "八项规定", "两个一百年"]
    assert found.known.all() and found.quoted.tolist() == [False, False, True]
