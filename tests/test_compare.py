"""Tests for fupin_research.compare: corpus units, coding table, distributions, provinces, display helpers."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from fupin_research.coding import agreement, code_units, load_codebook, load_hand_codes
from fupin_research.compare import (
    code_labels,
    coding_table,
    corpus_quantities,
    corpus_units,
    csv_download_link,
    decode_download_link,
    document_labels,
    document_profiles,
    heatmap,
    instrument_distribution,
    kappa_band,
    province_fact_counts,
    province_paragraphs,
    province_practices,
    province_quantities,
    province_source,
    province_theme_matrix,
    section_of,
    shared_and_unique_practices,
    split_hand_codes,
)
from fupin_research.corpus import load_corpus

matplotlib.use("Agg")

BULLETIN = "004_b2c48652dc48c734"


@pytest.fixture(scope="module")
def documents() -> pd.DataFrame:
    return load_corpus()


@pytest.fixture(scope="module")
def units(documents) -> pd.DataFrame:
    return corpus_units(documents)


@pytest.fixture(scope="module")
def codes(units) -> pd.DataFrame:
    return code_units(units)


def test_corpus_units_cover_every_document_with_offsets_into_clean_text(documents, units):
    assert sorted(units.doc_id.unique()) == sorted(documents.doc_id)
    texts = documents.set_index("doc_id").text
    for row in units.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
    # single-province documents: every unit carries the manifest province
    assert set(units[units.doc_id.str.startswith("001")].province) == {"山东"}
    assert set(units[units.doc_id.str.startswith("003")].province) == {"青海"}
    # the bulletin names its provinces paragraph by paragraph: the section headings stay without one
    bulletin = units[units.doc_id == BULLETIN]
    assert bulletin.set_index("unit_id").loc["004-1-1", "province"] == "广西"
    assert bulletin.set_index("unit_id").loc["004-1", "province"] == ""
    assert bulletin.set_index("unit_id").loc["004-1-4", "province"] == "内蒙古"  # written 内蒙 in the text


def test_code_labels_cover_codes_types_and_none():
    book = load_codebook()
    labels = code_labels(book)
    for spec in book["dimensions"].values():
        for code in spec["codes"]:
            assert labels[code["id"]] == code["label_zh"]
    assert labels["environmental"] == "环境型"
    assert code_labels(book, "en")["supply"] == "supply-side"
    assert labels["none"] == "无"


def test_coding_table_one_row_per_unit_and_primary_codes(units, codes):
    table = coding_table(units, codes)
    assert len(table) == len(units)
    assert not table.duplicated(["doc_id", "unit_id"]).any()
    row = table.set_index("unit_id").loc["003-p24"]  # Qinghai: roads, bridges, drinking water, power grid
    assert row.instrument == "supply.infrastructure" and row.instrument_type == "supply"
    assert row.instrument_zh == "基础设施建设"
    assert {"公路", "饮水安全", "电网"} <= set(row.instrument_evidence.split("、"))
    # a unit with no instrument evidence is coded none on both columns
    empty = table.set_index("unit_id").loc["004-p4"]  # the bare issue number "108"
    assert (empty.instrument, empty.instrument_type, empty.instrument_evidence) == ("none", "none", "")
    assert set(table.instrument_type) <= {"supply", "environmental", "demand", "none"}


def test_coding_table_evidence_is_distinct_and_in_text_order():
    units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"], "province": [""], "heading": [""],
                          "start": [0], "text": ["督查考核,再督查,再考核。"]})
    table = coding_table(units, code_units(units))
    assert table.instrument.iloc[0] == "environmental.regulation"
    assert table.instrument_evidence.iloc[0] == "督查、考核"


def test_instrument_distribution_counts(codes):
    by_code = instrument_distribution(codes)
    book = load_codebook()
    assert by_code.code.tolist() == [c["id"] for c in book["dimensions"]["instrument"]["codes"]]
    inst = codes[codes.dimension == "instrument"]
    assert by_code.matches.sum() == len(inst)
    assert by_code.units.max() <= inst[["doc_id", "unit_id"]].drop_duplicates().shape[0]
    by_type = instrument_distribution(codes, by="type")
    assert by_type.code.tolist() == ["supply", "environmental", "demand"]
    # each unit with an instrument votes once: the type table's primary counts equal the sub-tools' per type
    per_type = by_code.groupby("type").primary_units.sum().to_dict()
    assert by_type.set_index("code").primary_units.to_dict() == per_type
    assert by_type.primary_share.sum() == pytest.approx(100.0, abs=0.2)
    with pytest.raises(ValueError):
        instrument_distribution(codes, by="label")


def test_document_profiles_rows_sum_to_100(codes):
    profiles = document_profiles(codes)
    assert profiles.columns.tolist() == ["supply", "environmental", "demand", "n"]
    assert profiles.index.tolist() == sorted(codes.doc_id.unique())
    sums = profiles[["supply", "environmental", "demand"]].sum(axis=1)
    assert ((sums - 100).abs() <= 0.2).all()
    # primary: n = units with an instrument; all matches: n = evidence matches
    assert profiles.n.sum() == instrument_distribution(codes, by="type").primary_units.sum()
    assert document_profiles(codes, primary=False).n.sum() == (codes.dimension == "instrument").sum()


def test_section_of_and_province_source():
    units = pd.DataFrame({"doc_id": ["004_x", "001_y", "004_x"], "province": ["广西", "山东", ""],
                          "heading": ["一、建档立卡动态调整 > 广西",
                                      "二、主要任务 > (一)精准识别 > 1.建档", ""]})
    assert section_of(units).tolist() == ["一、建档立卡动态调整", "二、主要任务", ""]
    assert province_source(units).tolist() == ["广西 · 004", "山东 · 001", ""]


def test_province_theme_matrix_on_the_bulletin(units):
    bulletin = units[units.doc_id == BULLETIN]
    matrix = province_theme_matrix(bulletin)
    assert matrix.columns.tolist() == [
        "一、建档立卡动态调整",
        "二、深度贫困地区脱贫攻坚",
        "三、扶贫领域监督执纪问责",
        "四、创新扶贫工作机制",
    ]
    # the manifest lists the 13 provinces of the digest
    assert len(matrix) == 13
    assert matrix.loc["广西"].tolist() == [1, 0, 0, 0]
    assert matrix.loc["山东"].tolist() == [0, 1, 1, 1]
    # 河南 and 陕西 report under every theme and so come first (ties by name)
    assert matrix.index[:2].tolist() == sorted(["河南", "陕西"])
    assert matrix.to_numpy().sum() == (bulletin.province != "").sum()


def test_province_theme_matrix_by_target_area(units, codes):
    matrix = province_theme_matrix(units, codes, by="target_area")
    book = load_codebook()
    assert matrix.columns.tolist() == [c["id"] for c in book["dimensions"]["target_area"]["codes"]]
    assert matrix.index[0] == "山东"  # three documents of its own
    # 山西's paragraph (退耕还林, 造林, 森林管护) is the bulletin's only ecological practice
    assert matrix.loc["山西", "target.ecology"] == 1
    primary = province_theme_matrix(units, codes, by="target_area", primary=True)
    placed = units[units.province != ""].groupby("province").size()
    assert (primary.sum(axis=1) <= placed.reindex(primary.index)).all()  # one primary code per unit at most
    with pytest.raises(ValueError):
        province_theme_matrix(units, by="target_area")
    with pytest.raises(ValueError):
        province_theme_matrix(units, codes, by="colour")


def test_province_theme_matrix_rows_from_another_column(units, codes):
    labelled = units.assign(source=province_source(units))
    matrix = province_theme_matrix(labelled, codes, by="target_area", rows="source")
    assert {"山东 · 001", "山东 · 004", "青海 · 003", "青海 · 004"} <= set(matrix.index)
    merged = province_theme_matrix(units, codes, by="target_area")
    shandong = matrix.loc[[r for r in matrix.index if r.startswith("山东")]].sum()
    assert shandong.tolist() == merged.loc["山东"].tolist()


def test_shared_and_unique_practices():
    matrix = pd.DataFrame({"x": [1, 0, 2], "y": [0, 0, 1], "z": [0, 0, 0], "w": [3, 3, 0]},
                          index=["乙", "甲", "丙"])
    table = shared_and_unique_practices(matrix)
    assert table.practice.tolist() == ["x", "w", "y", "z"]
    assert table.set_index("practice").status.to_dict() == {"x": "shared", "w": "shared", "y": "unique",
                                                             "z": "absent"}
    assert table.set_index("practice").provinces["w"] == "乙、甲"  # tie on 3 units: by name
    assert table.set_index("practice").provinces["x"] == "丙、乙"  # more units first
    strict = shared_and_unique_practices(matrix, min_units=2).set_index("practice")
    assert strict.status.to_dict() == {"w": "shared", "x": "unique", "y": "absent", "z": "absent"}


def test_split_hand_codes_finds_the_renumbered_preamble(units, codes):
    hand = load_hand_codes()
    found, missing = split_hand_codes(hand, units)
    assert len(found) + len(missing) == len(hand)
    # the hand coders numbered 004's preamble on the raw text, where two page-chrome lines still stood
    assert set(missing.unit_id) <= {"004-p9"}
    result = agreement(found, codes, replicates=50)
    result = result[result.code == "all"].set_index("dimension")
    assert result.loc["instrument", "n"] == found[found.dimension == "instrument"].shape[0]
    assert 0 < result.loc["instrument", "kappa"] < 1


def test_csv_download_link_round_trip():
    frame = pd.DataFrame(
        {"省份": ["广西", "内蒙古"], "evidence": ["贷款、保险", 'a "quoted", b'], "n": [1, 2]}
    )
    link = csv_download_link(frame, "codes.csv")
    assert 'download="codes.csv"' in link.data and "(2 rows, CSV)" in link.data
    assert decode_download_link(link.data).equals(frame)
    assert "&lt;b&gt;" in csv_download_link(frame, "x.csv", label="<b>").data


def test_heatmap_labels_and_counts():
    import matplotlib.pyplot as plt

    frame = pd.DataFrame({"产业": [3, 0], "教育": [1, 2]}, index=["山东", "青海"])
    fig, ax = plt.subplots()
    returned = heatmap(frame, "省份 × 领域", ax=ax, row_share=True)
    assert returned is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == ["产业", "教育"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["山东", "青海"]
    assert [t.get_text() for t in ax.texts] == ["3", "1", "2"]  # zero cells stay blank
    image = ax.images[0].get_array()
    assert image[0, 0] == pytest.approx(0.75) and image[1, 1] == pytest.approx(1.0)  # row shares
    plt.close(fig)


def test_document_labels_and_kappa_band(documents):
    labels = document_labels(documents)
    assert labels.index.tolist() == documents.doc_id.tolist()
    assert labels.iloc[0] == "000 山东 · 年鉴条目"
    assert labels[BULLETIN] == "004 海南 · 工作动态"  # the manifest province of the digest is its issuer's
    other = pd.DataFrame({"doc_id": ["9_x"], "province": [""], "genre": ["memo"]})
    assert document_labels(other).iloc[0] == "9  · memo"  # unknown genre kept as written
    assert [kappa_band(k) for k in (-0.2, 0.0, 0.2, 0.21, 0.4, 0.55, 0.6, 0.604, 0.7, 0.81, 1.0)] == [
        "poor", "slight", "slight", "fair", "fair", "moderate", "moderate", "moderate", "substantial",
        "almost perfect", "almost perfect"]


def test_province_paragraphs_of_the_bulletin(units):
    paragraphs = province_paragraphs(units[units.doc_id == BULLETIN], width=10)
    assert len(paragraphs) == 24  # 8 + 6 + 4 + 6 province paragraphs under the four themes
    first = paragraphs.iloc[0]
    assert (first.section, first.province, first.unit_id) == ("一、建档立卡动态调整", "广西", "004-1-1")
    assert first.excerpt == "制定统一的市、县、乡…"  # 10 characters, province name left out
    assert paragraphs.province.iloc[3] == "内蒙古"
    # the single-province documents have no province-led paragraphs, only inherited provinces
    assert province_paragraphs(units[units.doc_id.str.startswith("003")]).empty


def test_province_practices_on_the_bulletin(units, codes):
    bulletin = units[units.doc_id == BULLETIN]
    table = province_practices(bulletin, codes)
    assert table.dimension.unique().tolist() == ["target_area", "instrument"]
    rows = table.set_index("practice")
    # 山西 alone reports ecological poverty alleviation (退耕还林, 造林, 森林管护); nobody reports relocation
    ecology = rows.loc["target.ecology"]
    assert (ecology.status, ecology.provinces, ecology.label_zh) == ("unique", "山西", "生态补偿")
    assert rows.loc["target.relocation", "status"] == "absent"
    assert rows.loc["target.party_cadres", "n_provinces"] >= 10
    strict = province_practices(bulletin, codes, min_units=2).set_index("practice")
    assert (strict.n_provinces <= rows.n_provinces.reindex(strict.index)).all()


def test_province_quantities_attaches_the_unit_province():
    units = pd.DataFrame({"doc_id": ["d", "d", "d", "e"], "unit_id": ["d-p1", "d-1-1", "d-1-2", "e-1"],
                          "province": ["", "河南", "内蒙古", "青海"],
                          "start": [0, 10, 30, 0], "end": [9, 30, 50, 5]})
    quantities = pd.DataFrame({"doc_id": ["d", "d", "d", "d", "e", "x"], "start": [2, 10, 29, 30, 4, 0],
                               "end": [5, 12, 31, 33, 6, 1], "surface": ["a", "b", "c", "d", "e", "f"],
                               "unit_kind": ["money"] * 6})
    facts = province_quantities(units, quantities)
    # start 2: preamble without province; start 29 belongs to d-1-1 (end exclusive at 30); doc x has no units
    assert facts[["province", "unit_id", "surface"]].values.tolist() == [
        ["内蒙古", "d-1-2", "d"], ["河南", "d-1-1", "b"], ["河南", "d-1-1", "c"], ["青海", "e-1", "e"]]
    assert facts.columns.tolist()[:3] == ["province", "doc_id", "unit_id"]
    assert (facts.measure == "").all()  # columns the quantities table lacks are filled, not dropped
    counts = province_fact_counts(facts)
    assert counts.index.tolist() == ["河南", "内蒙古", "青海"]
    assert counts.loc["河南", "total"] == 2 and counts.loc["河南", "documents"] == 1


def test_province_quantities_on_the_bulletin(documents, units):
    pytest.importorskip("fupin_research.audit")
    bulletin_docs = documents[documents.doc_id == BULLETIN]
    quantities = corpus_quantities(bulletin_docs)
    facts = province_quantities(units, quantities)
    texts = bulletin_docs.set_index("doc_id").text
    for row in facts.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.surface
    # 江苏 sent 95 party-member accountants (选派95名党员注册会计师) to check the registration
    jiangsu = facts[facts.province == "江苏"]
    assert "95名" in jiangsu.surface.tolist()
    assert set(facts.unit_id[facts.surface == "95名"]) == {"004-1-8"}
    assert set(facts.province) <= set(units[units.doc_id == BULLETIN].province) - {""}
