"""Tests of fupin_research.quantity_kinds on real sentences of the seed texts and the government work reports."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from fupin_research.audit import attribute_quantities
from fupin_research.corpus import load_corpus
from fupin_research.extract.quantities import extract_quantities
from fupin_research.quantity_kinds import KIND_COLUMNS, MEASURE_KINDS, SCOPES, classify_quantities


@cache
def texts() -> dict[str, str]:
    seeds = load_corpus()
    reports = load_corpus("reports")
    frame = pd.concat([seeds, reports], ignore_index=True)
    return {doc_id.split("_")[0]: text for doc_id, text in zip(frame.doc_id, frame.text)}


@cache
def classified(key: str) -> pd.DataFrame:
    text = texts()[key]
    quantities = extract_quantities(text)
    return pd.concat([quantities, classify_quantities(text, quantities)], axis=1)


def row(key: str, context: str, surface: str) -> pd.Series:
    """The figure ``surface`` inside the first occurrence of ``context`` in document ``key``, classified in the
    whole document (so the paragraph, the section's issuer and the damage count)."""
    text = texts()[key]
    at = text.index(context) + context.index(surface)
    frame = classified(key)
    return frame[frame.start == at].iloc[0]


@pytest.mark.parametrize(
    "key,context,surface,scope,kind",
    [
        # the cases, checked in the texts
        ("004", "每年向深度贫困县倾斜不低于1亿元", "1亿元", "county", "minimum"),  # 河南, a yearly floor
        ("001", "每年减少农村贫困人口100万人以上", "100万人", "province", "flow"),  # 全省连续四年每年减少
        ("004", "贫困村再增加12名驻村工作队员", "12名", "village", "change"),  # 青海, an increase per village
        ("002", "累计实现脱贫5.26万户、10.41万人", "10.41万人", "county", "flow"),  # 单县 (我们, issuer 中共单县县委)
        ("004", "全省聘请1.4万贫困人口照顾9.29万贫困老人", "1.4万", "province", "stock"),  # 山东, carers hired (聘请)
        ("004", "全省聘请1.4万贫困人口照顾9.29万贫困老人", "9.29万", "province", "stock"),  # ... elderly cared for
        ("004", "每个乡镇配备23名扶贫专干", "23名", "township", "rate"),  # 陕西
        ("004", "由省委书记、省长等23名省级领导", "23名", "province", "unknown"),  # 甘肃
        ("002", "沂水县有7.1万贫困人口", "7.1万", "county", "stock"),
        ("002", "是全省20个脱贫任务较重的县", "20个", "province", "flow"),
        ("002", "剩余的8280户、1.46万未脱贫人口", "1.46万", "county", "stock"),  # 未脱贫 is not a flow
        ("001", "2015年可再减贫100万人", "100万人", "province", "target"),
        ("001", "到2014年年底省定标准线下农村贫困人口减至394万人", "394万人", "province", "stock"),
        ("002", "每月不少于5天到基层调研", "5天", "county", "minimum"),
        ("003", "由2015年底的13.2%下降至10.3%", "10.3%", "province", "rate"),
        ("000", "对山东脱贫攻坚工作批示2次", "2次", "unknown", "flow"),  # a count of events
        ("000", "救治患病贫困人口17.3万人", "17.3万人", "province", "flow"),  # 2017年,山东省对患病贫困人口…
        ("004", "今年已召回1352名,补充5770名驻村干部", "5770名", "province", "flow"),  # 陕西: cadres sent
        ("004", "今年已召回1352名,补充5770名驻村干部", "1352名", "province", "unknown"),  # recalled: not sent
        # government work reports
        ("1980", "基本建设投资总额控制在500亿元", "500亿元", "unknown", "maximum"),
        ("1956", "最多不超过正税的22%", "22%", "unknown", "maximum"),  # ２２％ before normalization
        ("1959", "一般应当不少于百分之八十", "百分之八十", "unknown", "minimum"),
        ("1999", "力争今年农村贫困人口再减少1000万以上", "1000万", "unknown", "target"),
        ("2016", "今年要完成1000万以上农村贫困人口脱贫任务", "1000万", "unknown", "target"),
        ("2017", "今年再减少农村贫困人口1000万以上", "1000万", "unknown", "target"),
        ("1986", "农民人均纯收入平均每年增长百分之十三点七", "百分之十三点七", "person", "change"),
    ],
)
def test_scope_and_measure_kind_on_real_sentences(key, context, surface, scope, kind):
    found = row(key, context, surface)
    assert (found.scope, found.measure_kind) == (scope, kind)


def test_suspect_figures_of_004_and_their_reasons():
    frame = classified("004")
    suspect = frame[frame.suspect]
    assert suspect.surface.tolist() == ["12名", "23名"]
    assert suspect.scope.tolist() == ["village", "township"]
    assert "12名 may be 1-2名" in suspect.suspect_reason.iloc[0]
    assert "23名 may be 2-3名" in suspect.suspect_reason.iloc[1]
    assert suspect.suspect_reason.str.startswith("lost_range_separator").all()


def test_a_figure_corroborated_in_its_sentence_is_not_suspect():
    """甘肃: 23名省级领导分别联系23个特困县 — the two 23s corroborate each other."""
    text = "发布时间:2017-11-09\n甘肃  由省委书记、省长等23名省级领导分别联系23个特困县;每个乡镇配备23名扶贫专干。"
    frame = classify_quantities(text, extract_quantities(text))
    assert frame.suspect.tolist() == [False, False, True]
    lone = "发布时间:2017-11-09\n甘肃  每个乡镇配备23名扶贫专干。"
    assert classify_quantities(lone, extract_quantities(lone)).suspect.tolist() == [True]
    # per township, but corroborated: 23 officers for 23 villages in the same sentence
    paired = "发布时间:2017-11-09\n甘肃  每个乡镇配备23名扶贫专干,分别联系23个贫困村。"
    assert classify_quantities(paired, extract_quantities(paired)).suspect.tolist() == [False, False]


@pytest.mark.parametrize("key", ["000", "001", "003"])
def test_no_suspect_figures_where_the_body_kept_its_separators(key):
    assert not classified(key).suspect.any()


@pytest.mark.parametrize(
    "text,suspect",
    [
        ("发布时间:2017-11-09\n每村再增加12名队员。", True),
        ("发布时间:2017-11-09\n每村再增加2名队员。", False),     # one digit: no range to lose
        ("发布时间:2017-11-09\n每村再增加21名队员。", False),    # 2-1 is no range
        ("发布时间:2017-11-09\n每村再增加1.2万元。", False),    # a magnitude: not a small count
        ("发布时间:2017-11-09\n全省再增加12名队员。", False),    # a province's count, not per village
        ("发布时间:2017年11月9日\n每村再增加12名队员。", False),  # no lost_range_separator
    ],
)
def test_suspect_rule(text, suspect):
    assert classify_quantities(text, extract_quantities(text)).suspect.tolist() == [suspect]


def test_attribute_quantities_carries_the_columns():
    text = texts()["004"]
    frame = attribute_quantities(text, extract_quantities(text), doc_id="004")
    assert list(frame.columns[-4:]) == KIND_COLUMNS
    assert set(frame.scope) <= set(SCOPES) and set(frame.measure_kind) <= set(MEASURE_KINDS)
    assert frame.suspect.dtype == bool and int(frame.suspect.sum()) == 2
    empty = attribute_quantities("无", extract_quantities("无"))
    assert list(empty.columns[-4:]) == KIND_COLUMNS and empty.empty
