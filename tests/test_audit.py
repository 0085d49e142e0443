"""Attribution and consistency audit (fupin_research.audit) on real seed sentences and made-up strings."""

import pandas as pd
import pytest

from fupin_research.audit import (
    ATTRIBUTION_COLUMNS,
    CHECK_COLUMNS,
    attribute_quantities,
    audit_quantities,
    load_indicators,
)
from fupin_research.extract.quantities import extract_quantities
from fupin_research.paths import data_dir


def audit(text: str, **kw) -> pd.DataFrame:
    return audit_quantities(text, extract_quantities(text), **kw)


def only(checks: pd.DataFrame, kind: str) -> pd.DataFrame:
    return checks[checks.check == kind]


def _doc(prefix: str) -> str:
    path = next((data_dir() / "corpus").glob(f"{prefix}_*.txt"))
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


# ------------------------------------------------------------------ breakdowns (其中)


def test_004_parts_add_up_to_the_total():
    text = ("建立区、市、县、乡、村五级扶贫信息员队伍,共配备17220名,其中市级扶贫信息员32名、县级459名、"
            "乡镇级2566名、村级14163名。")
    checks = audit(text, doc_id="004")
    row = only(checks, "breakdown_sum").iloc[0]
    assert (row.expected, row.observed, row.verdict) == ("17220", "17220", "consistent")
    assert row.doc_id == "004"
    assert len(row.spans.split(";")) == 5


def test_000_total_in_previous_sentence_and_per_unit_amount_left_out():
    text = ("项目总投资10798.8万元,其中,中央专项彩票公益金6000万元(每县2000万元),市县投入4798.8万元,"
            "共修建生产路155公里。")
    row = only(audit(text), "breakdown_sum").iloc[0]
    assert row.verdict == "consistent" and row.observed == "107988000"
    text2 = ("全省各级投入财政专项扶贫资金59.32亿元。其中,中央资金4.69亿元,比上年增长60.62%;"
             "省级资金22亿元,比上年增长29.4%;市、县两级资金32.63亿元。")
    row2 = only(audit(text2), "breakdown_sum").iloc[0]
    assert (row2.expected, row2.observed, row2.verdict) == ("5932000000", "5932000000", "consistent")


def test_part_larger_than_total_is_inconsistent():
    checks = audit("项目总投资10798.8万元,其中,中央专项彩票公益金16000万元。")
    row = only(checks, "breakdown_part_exceeds_total").iloc[0]
    assert row.verdict == "inconsistent"


def test_parts_that_do_not_add_up_exactly():
    wrong = only(audit("共配备17220名,其中市级32名、县级459名、乡镇级2566名、村级14164名。"), "breakdown_sum").iloc[0]
    assert wrong.verdict != "consistent"
    partial = only(audit("贫困人口17.2万人,其中,国标以下贫困人口8.1万人。"), "breakdown_sum").iloc[0]
    assert partial.verdict == "incomplete" and "less than the total" in partial.detail


def test_rounding_tolerance():
    # 2.2 + 3.29 = 5.49, stated as a total of 5.5: equal within the rounding of the written digits.
    ok = only(audit("共投入5.5亿元,其中中央资金2.2亿元、省级资金3.29亿元。"), "breakdown_sum").iloc[0]
    assert ok.verdict == "consistent" and "add up" in ok.detail
    # 5.49 against a total of 5.3 is beyond rounding: the figures after 其中 exceed the total.
    over = only(audit("共投入5.3亿元,其中中央资金2.2亿元、省级资金3.29亿元。"), "breakdown_sum").iloc[0]
    assert over.verdict == "unverifiable"


# ------------------------------------------------------------------ shares


def test_002_share_of_the_whole_stated_earlier():
    text = _doc("002")
    checks = audit(text, doc_id="002")
    share = only(checks, "share")
    verified = share[share.verdict == "consistent"].iloc[0]
    assert verified.observed == "78.8" and verified.expected == "78.87"
    unverified = share[share.verdict == "unverifiable"].iloc[0]
    assert "841个" in unverified.detail  # 841个村 at 80.9%: the whole is not stated


def test_share_inconsistent_when_the_arithmetic_fails():
    text = "项目总投资34.98亿元,其中,各级投入的财政专项扶贫资金31.72亿元,占总投资的80.7%。"
    row = only(audit(text), "share").iloc[0]
    assert row.verdict == "inconsistent"
    text_ok = text.replace("80.7%", "90.7%")
    assert only(audit(text_ok), "share").iloc[0].verdict == "consistent"


def test_003_share_of_an_unstated_whole_is_unverifiable():
    row = only(audit("全年落实财政专项扶贫资金73.4亿元,较上年增长136.8%,是“十二五”总投入的77%。"), "share").iloc[0]
    assert row.verdict == "unverifiable"
    assert "9532467532" in row.detail  # implied 十二五 total ≈ 95.3亿元


# ------------------------------------------------------------------ change and difference statements


def test_003_decline_statement():
    row = only(audit("贫困发生率由2015年底的13.2%下降至10.3%。"), "change_direction").iloc[0]
    assert row.verdict == "consistent"
    bad = only(audit("贫困发生率由2015年底的13.2%下降至15.3%。"), "change_direction").iloc[0]
    assert bad.verdict == "inconsistent"


def test_000_differences_in_parentheses():
    text = "全省平均农村低保标准达4251元,比2016年底提高445元,超出省标(3509元)742元,超出国标(2952元)1299元。"
    rows = only(audit(text), "difference")
    assert rows.verdict.tolist() == ["consistent", "consistent"]
    bad = only(audit(text.replace("742元", "752元")), "difference")
    assert bad.verdict.tolist() == ["inconsistent", "consistent"]


# ------------------------------------------------------------------ repeated indicators and magnitudes


def test_003_same_claim_with_two_values():
    text = _doc("003")
    checks = audit(text, doc_id="003", period="2016", province="青海")
    bad = checks[checks.verdict == "inconsistent"]
    assert len(bad) == 1
    row = bad.iloc[0]
    assert row.check == "repeated_value"
    assert (row.expected, row.observed) == ("1.45万个", "1.51万个")
    heads = only(checks, "headline_vs_body")
    assert "19.5亿元" in heads[heads.verdict == "unverifiable"].expected.tolist()
    assert "7865名" in heads[heads.verdict == "consistent"].expected.tolist()


def test_order_of_magnitude_outlier():
    text = ("全年投入财政专项扶贫资金20.1亿元。\n次年投入财政专项扶贫资金21.3亿元。\n"
            "再次年投入财政专项扶贫资金2579亿元。")
    row = only(audit(text, period="2017", province="山东"), "order_of_magnitude").iloc[0]
    assert row.observed == "257900000000" and row.verdict == "inconsistent"


def test_checks_on_all_seeds_never_raise_and_keep_schema():
    for prefix in ["000", "001", "002", "003", "004"]:
        text = _doc(prefix)
        checks = audit(text, doc_id=prefix)
        assert list(checks.columns) == CHECK_COLUMNS
        assert set(checks.verdict) <= {"consistent", "inconsistent", "unverifiable", "incomplete"}
        for spans in checks.spans:
            for span in spans.split(";"):
                s, e = map(int, span.split(":"))
                assert 0 <= s < e <= len(text)


def test_audit_does_not_change_the_text_or_the_input_frame():
    text = "共配备17220名,其中市级32名。"
    q = extract_quantities(text)
    before = q.copy()
    audit_quantities(text, q)
    pd.testing.assert_frame_equal(q, before)


# ------------------------------------------------------------------ attribution


def test_attribution_on_002():
    text = _doc("002")
    a = attribute_quantities(text, extract_quantities(text), doc_id="002", period="2018", province="山东")
    assert set(ATTRIBUTION_COLUMNS) <= set(a.columns)
    got = {r.surface: (r.measure, r.indicator, r.year, r.place) for r in a.itertuples()}
    assert got["17.1亿元"] == ("涉农资金", "integrated_agri_funds", "2016", "山东")
    assert got["2.83亿元"][:2] == ("扶贫专项资金", "fiscal_poverty_funds")
    assert got["841个"][0] == "村"
    assert got["7.1万"][0] == "贫困人口" and got["7.1万"][3] == "沂水县"
    assert got["427名"][:2] == ("第一书记", "cadres_in_villages")
    assert got["6.3%"][2] == "2017"
    assert got["4.3%"][2] == "2018"  # 减少到目前的4.3%: the document's period, not 2017


def test_attribution_places_in_004_follow_the_paragraph_province():
    text = _doc("004")
    a = attribute_quantities(text, extract_quantities(text), doc_id="004", period="2017", province="海南")
    place = dict(zip(a.surface, a.place))
    assert place["17220名"] == "广西"
    assert place["6.05亿元"] == "山东"


def test_attribution_accepts_given_sentences_and_empty_input():
    text = "2016年以来共整合涉农资金17.1亿元。"
    sentences = pd.DataFrame({"sentence_id": [7], "start": [0], "end": [len(text)], "text": [text]})
    a = attribute_quantities(text, extract_quantities(text), sentences, doc_id="x")
    assert a.sentence_id.tolist() == [7] and a.doc_id.tolist() == ["x"]
    empty = attribute_quantities("无", extract_quantities("无"))
    assert empty.empty and set(ATTRIBUTION_COLUMNS) <= set(empty.columns)
    assert audit("无").empty


def test_indicator_vocabulary_is_data(tmp_path):
    vocab = load_indicators()
    assert {"indicator", "label_zh", "patterns", "units"} <= set(vocab.columns)
    custom = tmp_path / "ind.csv"
    custom.write_text("indicator,label_zh,patterns,units,check_magnitude,description\n"
                      "land,土地,土地|复垦,亩,no,land\n", encoding="utf-8")
    text = "全年可复垦土地6000亩以上"
    a = attribute_quantities(text, extract_quantities(text), indicators=load_indicators(custom))
    assert a.indicator.tolist() == ["land"]


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_known_consistent_sums_in_seeds(prefix):
    checks = audit(_doc(prefix), doc_id=prefix)
    sums = only(checks, "breakdown_sum")
    full = sums[sums.expected == sums.observed]
    assert len(full) >= (6 if prefix == "000" else 1)
    assert (full.verdict == "consistent").all()
