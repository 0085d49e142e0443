"""Tests for fupin_research.analyses: corpus formulas, inventory, targets and deadlines, term series."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from fupin_research import analyses as an
from fupin_research.corpus import load_corpus
from fupin_research.paths import reports_corpus_dir


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    return load_corpus()


@pytest.fixture(scope="module")
def seed_formulas(seeds) -> pd.DataFrame:
    return an.corpus_formulas(seeds)


def docs(*texts: str, **columns) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts), **columns})


def test_corpus_formulas_offsets_point_into_each_document(seeds, seed_formulas):
    texts = seeds.set_index("doc_id").text
    assert list(seed_formulas.doc_id) == sorted(seed_formulas.doc_id)
    for row in seed_formulas.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.surface


def test_formulas_per_seed_document(seed_formulas):
    per_doc = seed_formulas.groupby(seed_formulas.doc_id.str[:3])["normalized"].nunique().to_dict()
    assert per_doc["004"] == max(per_doc.values())  # the multi-province digest is the richest
    assert set(per_doc) == {"000", "001", "002", "003", "004"}


def test_inventory_groups_spellings_of_one_formula(seed_formulas):
    inventory = an.formula_inventory(seed_formulas).set_index("normalized")
    assert inventory.loc["两不愁三保障", "variants"] == "两不愁、三保障 / 两不愁三保障"
    assert inventory.loc["两不愁三保障", "scope"] == "national"
    assert inventory.loc["四个二", "variants"] == "4个2"
    assert inventory.loc["八个精准", "scope"] == "local"
    assert inventory.loc["两线合一", "n_documents"] == 3


def test_inventory_sorting_and_counts_on_made_up_rows():
    formulas = an.corpus_formulas(docs("“四个2”和两线合一", "“四个二”,“四个二”", "两线合一"))
    inventory = an.formula_inventory(formulas)
    assert inventory[["normalized", "n_documents", "occurrences", "n_quoted"]].values.tolist() == [
        ["四个二", 2, 3, 3], ["两线合一", 2, 2, 0]]
    assert inventory.variants.tolist() == ["四个2 / 四个二", "两线合一"]
    assert an.formula_inventory(formulas.iloc[0:0]).empty


def test_presence_matrix_keeps_documents_without_formulas():
    formulas = an.corpus_formulas(docs("五个一批,五个一批", "没有提法"))
    presence = an.formula_presence(formulas, ["d0", "d1"])
    assert presence.loc["五个一批"].tolist() == [2, 0]
    assert list(presence.columns) == ["d0", "d1"]


def test_time_expressions_ignore_a_repost_date(seeds):
    times = an.corpus_time_expressions(seeds)
    doc001 = times[times.doc_id.str.startswith("001")]
    assert "2019-10-16" in doc001.surface.tolist()  # found in the text ...
    assert set(doc001.year_source.dropna()) <= {"explicit"}  # ... but nothing is resolved against it
    relative002 = times[times.doc_id.str.startswith("002") & (times.surface == "去年开始")]  # since (issue 13)
    assert relative002.start_date.tolist() == ["2017-01-01"]  # written 2018-09-06


def test_targets_of_the_seed_documents(seeds):
    targets = an.targets_and_deadlines(an.corpus_time_expressions(seeds), seeds)
    clauses = targets.clause.tolist()
    assert "2016-2017年两年基本完成脱贫任务" in clauses
    assert "2018年低保线达到省定扶贫标准线" in clauses
    assert any(c.startswith("力争到2020年") for c in clauses)
    assert not any("2014" in s for s in targets.surface)  # 到2014年年底 in 001 is history, not a target
    row = targets[targets.clause == "2018年低保线达到省定扶贫标准线"].iloc[0]
    text = seeds.set_index("doc_id").text[row.doc_id]
    assert text[row.start:row.end] == row.surface and row.surface in row.sentence


def test_targets_need_a_cue_in_the_documents_own_year():
    frame = docs("2017年,全省完成脱贫任务。2017年确保完成任务。2018年度提前批项目。2019年实现全覆盖。",
                 period=["2017"])
    targets = an.targets_and_deadlines(an.corpus_time_expressions(frame), frame)
    assert targets[["surface", "cue"]].values.tolist() == [["2017年", "确保"], ["2019年", "实现"]]


def test_plot_timeline_and_formula_chart_draw(seeds, seed_formulas):
    times = an.corpus_time_expressions(seeds)
    fig = an.plot_timeline(an.targets_and_deadlines(times, seeds), seeds, times)
    assert fig.axes[0].get_title() == "各文档设定的目标与期限"
    fig = an.plot_formula_presence(an.formula_presence(seed_formulas), ["两线合一"])
    assert "两线合一" in [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_term_series_rates_and_kinds():
    frame = docs("精准扶贫。扶贫开发", "扶贫", "脱贫攻坚", year=["2015", "2015", "2016"],
                 kind=["report", "resolution", "report"])
    series = an.term_series(frame, ["扶贫", "脱贫攻坚"])
    assert series[["doc_id", "year", "term", "count"]].values.tolist() == [
        ["d0", 2015, "扶贫", 2], ["d0", 2015, "脱贫攻坚", 0], ["d2", 2016, "扶贫", 0], ["d2", 2016, "脱贫攻坚", 1]]
    assert series.per_10k_chars.iloc[0] == pytest.approx(2 * 10_000 / 9)
    assert set(an.term_series(frame, ["扶贫"], kinds=None).doc_id) == {"d0", "d1", "d2"}
    matrix = an.series_matrix(series, ["脱贫攻坚", "扶贫"], value="count")
    assert matrix.values.tolist() == [[0, 1], [2, 0]]


def test_normalization_recovers_broken_and_traditional_terms():
    counts = an.raw_vs_normalized_counts(reports_corpus_dir(), ["贫困", "经济金融风险"],
                                         ["1954_政府工作报告", "2017_政府工作报告"])
    table = counts.set_index(["doc_id", "term"])
    assert tuple(table.loc[("1954_政府工作报告", "贫困")]) == (0, 3)  # 貧困 in the raw file
    assert tuple(table.loc[("2017_政府工作报告", "经济金融风险")]) == (0, 1)  # 经\n\u200b\n济金融风险


def test_poverty_figures_keep_poverty_indicators_only():
    frame = docs("贫困发生率由10.2%下降到3.1%。整合涉农资金17.1亿元。", year=["2018"], kind=["report"])
    figures = an.poverty_figures(frame)
    assert figures.surface.tolist() == ["10.2%", "3.1%"]
    assert set(figures.label_zh) == {"贫困发生率"} and (figures.year == 2018).all()
