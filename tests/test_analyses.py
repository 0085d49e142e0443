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
    assert fig.axes[0].get_title() == "各文档设定的目标与期限 / Targets and deadlines set by each document"
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


# ---------------------------------------------------------------------------------------------- issue 11


def test_a_year_described_by_shi_is_not_a_target(seeds):
    """000: 2017年是山东省基本完成脱贫任务…的关键之年 describes 2017; it was plotted as a target."""
    targets = an.targets_and_deadlines(an.corpus_time_expressions(seeds), seeds)
    assert not targets["clause"].str.contains("关键之年").any()
    one = docs("2017年是基本完成脱贫任务的关键之年。", period=["2017"])
    assert an.targets_and_deadlines(an.corpus_time_expressions(one), one).empty


def test_the_targets_of_003_are_funds_jobs_and_health(seeds):
    """The one dated target of 003 is not only health: 十三五末…16.01万个 and 每年增长20%以上 are targets too."""
    targets = an.targets_and_deadlines(an.corpus_time_expressions(seeds), seeds)
    clauses = targets.loc[targets["doc_id"].str.startswith("003"), "clause"].tolist()
    assert any("16.01万个" in c for c in clauses)
    assert any("每年增长20%以上" in c for c in clauses)
    assert any("包虫病" in c for c in clauses)
    assert not any("规划编制完成" in c for c in clauses)  # a plan name with a result is no target


def test_this_year_of_a_year_end_report_is_its_period(seeds):
    """003 (published 2017-01-17, period 2016): 今年包虫病患者实施药物治疗1134例 reports 2016."""
    times = an.corpus_time_expressions(seeds)
    row = times[times["doc_id"].str.startswith("003") & (times["surface"] == "今年")].iloc[0]
    assert (row["start_date"], row["year_source"]) == ("2016-01-01", "period")
    later = times[times["doc_id"].str.startswith("004") & (times["surface"] == "今年")].iloc[0]
    assert later["start_date"] == "2017-01-01"  # published in November of its own period: unchanged


@pytest.mark.parametrize(("reference", "period", "expected"), [
    ("2017-01-17", "2016", "2016-01-01"),  # a year-end report
    ("2017-05-02", "2016", "2017-01-01"),  # too late in the year to be a year-end report
    ("2017-01-17", "2017", "2017-01-01"),  # the period is the year of writing
    ("2017-01-17", "2016/2020", "2017-01-01"),  # a plan period is not one finished year
])
def test_reanchor_this_year_only_for_year_end_reports(reference, period, expected):
    from fupin_research.extract.time_expressions import extract_time_expressions

    frame = an.reanchor_this_year(extract_time_expressions("今年完成", reference, period=period), reference, period)
    assert frame.loc[0, "start_date"] == expected


@pytest.fixture(scope="module")
def report_figures() -> pd.DataFrame:
    return an.poverty_figures(load_corpus("reports"))


def test_yearly_ten_million_targets_include_2016_and_1999(report_figures):
    """今年要完成1000万以上农村贫困人口脱贫任务 (2016): the number comes before its noun."""
    targets = report_figures[(report_figures["role"] == "target") & (report_figures["value"] == 10_000_000)]
    years = sorted(targets["year"])
    assert {1999, 2014, 2015, 2016, 2017, 2018, 2019} <= set(years)
    assert targets.loc[targets["year"] == 2016, "noun_after"].all()


def test_results_are_not_targets(report_figures):
    """以解决温饱问题为目标的扶贫工作…减少700万 (1997) reports a result; 目标 alone is no target cue."""
    row = report_figures[report_figures["surface"] == "700万"].iloc[0]
    assert row["role"] == "result"
    assert an.figure_role("主要预期目标是：农村贫困人口减少1000万以上", 16) == "target"


def test_report_coverage_marks_delivered_reports(tmp_path):
    coverage = an.report_coverage(load_corpus("reports")).set_index("year")
    for year in (1989, 1990, 1991, 1996, 2020):
        assert coverage.loc[year, "status"] == "delivered, not collected"
    assert coverage.loc[2020, "resolution_in_corpus"]
    assert coverage.loc[1970, "status"] == "no report recorded"
    bad = tmp_path / "x.csv"
    bad.write_text("year,session\n1990,x\n", encoding="utf-8")
    with pytest.raises(an_input_error(), match="missing columns"):
        an.load_reports_not_collected(bad)


def an_input_error():
    from fupin_research.errors import InputError

    return InputError


def test_missing_years_are_blank_in_the_heatmap():
    series = pd.DataFrame({"doc_id": ["a", "b"], "year": [2019, 2021], "kind": ["report"] * 2,
                           "term": ["扶贫"] * 2, "count": [1, 2], "per_10k_chars": [1.0, 2.0]})
    figure = an.plot_term_series(series, style="heatmap")
    data = figure.axes[0].images[0].get_array()
    assert data.shape == (1, 3) and bool(data.mask[0, 1]) and not bool(data.mask[0, 0])
    lines = an.plot_term_series(series).axes[0].lines[0].get_ydata()
    assert pd.isna(lines[1])  # no line drawn across 2020


def test_glossary_loader_reports_bad_files(tmp_path):
    import fupin_research as fr
    from fupin_research.errors import InputError

    path = tmp_path / "g.csv"
    path.write_text("term,pinyin,english,gloss,notebook\n低保,dībǎo,x,y,01_corpus\n低保,dībǎo,x,y,01_corpus\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="listed twice"):
        fr.load_glossary(path)
    path.write_text("term,english\n低保,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns"):
        fr.load_glossary(path)
