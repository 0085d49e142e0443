"""Tests of fupin_research.key_figures (notebook 04's tables and chart) and of the scores on every annotation."""

from __future__ import annotations

from functools import cache

import matplotlib
import pandas as pd

from fupin_research import evaluation, key_figures
from fupin_research.corpus import iter_documents, load_corpus
from fupin_research.paths import seed_corpus_dir

matplotlib.use("Agg")


@cache
def quantities() -> pd.DataFrame:
    return key_figures.corpus_quantities(list(iter_documents(seed_corpus_dir())), load_corpus())


def test_corpus_quantities_has_province_and_label():
    table = quantities()
    row = table[(table.surface == "1亿元") & table.doc_id.str.startswith("004")].iloc[0]
    assert (row.province, row.label_zh) == ("河南", "财政专项扶贫资金")


def test_the_issue_figures_never_share_an_axis_with_unlike_ones():
    rows = key_figures.key_indicator_rows(quantities())
    like = key_figures.comparable(rows)
    wide = key_figures.side_by_side(like)
    assert not like.suspect.any() and not (like[["scope", "measure_kind"]] == "unknown").any().any()
    assert not like.surface.isin(["1.4万", "9.29万"]).any()  # 004's carers: a catch-all indicator, a borrowed year
    assert "poor_population" not in set(like.indicator) and "paragraph" not in set(like.year_source)
    # every panel holds one indicator, unit, scope and measure kind
    for panel in key_figures.chart_panels(wide).itertuples(index=False):
        part = wide[(wide[key_figures.GROUP_COLUMNS] == pd.Series(panel[:5], index=key_figures.GROUP_COLUMNS))
                    .all(axis=1)]
        assert part[["unit", "scope", "measure_kind"]].drop_duplicates().shape[0] == 1
    henan = rows[(rows.surface == "1亿元") & rows.doc_id.str.startswith("004")].iloc[0]
    assert (henan.scope, henan.measure_kind) == ("county", "minimum")
    shandong = rows[(rows.surface == "100万人") & rows.doc_id.str.startswith("001")]
    assert shandong.measure_kind.tolist() == ["flow", "target"]  # each yearly reduction; 2015's a plan
    # the yearly minimum and the yearly reduction are in different groups
    assert henan[key_figures.GROUP_COLUMNS].tolist() != shandong.iloc[0][key_figures.GROUP_COLUMNS].tolist()


def test_suspect_figures_are_listed_with_their_reasons():
    table = key_figures.suspect_figures_table(quantities())
    assert table.surface.tolist() == ["12名", "23名"] and table.suspect_reason.str.contains("may be").all()


def test_plot_has_one_panel_per_like_group_and_english_titles():
    wide = key_figures.side_by_side(key_figures.comparable(key_figures.key_indicator_rows(quantities())))
    fig = key_figures.plot_key_indicators(wide)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == len(key_figures.chart_panels(wide))
    assert all(any("a" <= c <= "z" for c in ax.get_title()) for ax in titled)
    assert "Key indicators" in fig._suptitle.get_text()


def test_checks_with_sentences_on_004():
    doc = next(d for d in iter_documents(seed_corpus_dir()) if d.doc_id.startswith("004"))
    checks = key_figures.document_checks(doc)
    table = key_figures.checks_with_sentences(checks, {doc.doc_id: doc.text})
    assert table.sentences.str.contains("17220名").any()


def test_every_annotated_document_is_scored_and_says_how_it_was_made():
    scores = evaluation.score_annotations()
    assert scores.doc.str[:3].tolist() == ["002", "003", "004"]
    assert set(scores.blind) <= {"yes", "no", "unknown"} and scores.how_made.str.len().min() > 40
    assert (scores.gold > 0).all() and (scores.recall > 0.9).all()
