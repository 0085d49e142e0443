"""Quantity extraction: gold 002, real sentences of 000/003/004, exclusions, robustness."""

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin_research.extract.quantities import QUANTITY_COLUMNS, extract_quantities
from fupin_research.paths import data_dir

CORPUS = data_dir() / "corpus"
GOLD = data_dir() / "gold"


def _doc(prefix: str) -> str:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def rows(text: str, **kw) -> list[tuple]:
    q = extract_quantities(text, **kw)
    return [(r.surface, r.value, r.unit, r.approx) for r in q.itertuples()]


# ------------------------------------------------------------------ gold 002


@pytest.fixture(scope="module")
def doc002() -> str:
    return _doc("002")


@pytest.mark.skipif(not (GOLD / "quantities_002.tsv").exists(), reason="gold not shipped")
def test_gold_002_every_row_found_with_exact_value_and_unit(doc002):
    gold = pd.read_csv(GOLD / "quantities_002.tsv", sep="\t", dtype={"value": str})
    pred = extract_quantities(doc002, chinese_numerals=False)
    by_span = {(r.start, r.end): r for r in pred.itertuples()}
    for g in gold.itertuples():
        p = by_span.get((g.start, g.end)) or by_span.get((g.ext_start, g.ext_end))
        assert p is not None, g.surface
        assert Decimal(str(p.value)) == Decimal(g.value), g.surface
        assert p.unit == g.unit, g.surface
        assert p.approx == g.approx, g.surface
    assert len(pred) == len(gold)  # no extra Arabic rows


@pytest.mark.skipif(not (GOLD / "excluded_digit_runs_002.tsv").exists(), reason="gold not shipped")
def test_gold_002_no_row_on_excluded_digit_runs(doc002):
    excluded = pd.read_csv(GOLD / "excluded_digit_runs_002.tsv", sep="\t")
    pred = extract_quantities(doc002)
    for e in excluded.itertuples():
        hits = pred[(pred.start < e.end) & (pred.end > e.start)]
        assert hits.empty, (e.digits, e.reason)


def test_chinese_numerals_on_002_are_few_and_real(doc002):
    q = extract_quantities(doc002)
    chinese = q[q.numeral_script == "chinese"]
    # 连续两年 is a duration; 省市县三级, 县乡两级, 前六名, 一分钱, 五个环节 (an enumeration) are not counted.
    assert chinese.surface.tolist() == ["两年"]


# ------------------------------------------------------------------ real sentences


def test_000_breakdown_sentence():
    text = "2017年,全省各级投入财政专项扶贫资金59.32亿元。其中,中央资金4.69亿元,比上年增长60.62%;省级资金22亿元"
    assert rows(text) == [
        ("59.32亿元", 5932000000, "元", "none"),
        ("4.69亿元", 469000000, "元", "none"),
        ("60.62%", Decimal("60.62"), "%", "none"),
        ("22亿元", 2200000000, "元", "none"),
    ]


def test_000_approx_inside_and_outside():
    text = "展出特色农产品380个种类4000多个产品,当日合同签约金额3600余万元,后续签订长期采购合同金额约2800万元。"
    q = extract_quantities(text)
    assert rows(text) == [
        ("380个", 380, "个", "none"),
        ("4000多个", 4000, "个", "more_than"),
        ("3600余万元", 36000000, "元", "more_than"),
        ("2800万元", 28000000, "元", "about"),
    ]
    last = q.iloc[-1]
    assert text[last.ext_start:last.ext_end] == "约2800万元"


def test_000_place_counts_dates_and_slogans():
    text = ("先后组织进行7轮专项审计检查,覆盖全省14市36县(市、区)。7月5日—8日,刘永富赴菏泽、临沂2个市调研。"
            "“4个2”重点区域")
    assert rows(text) == [
        ("7轮", 7, "轮", "none"),
        ("14市", 14, "市", "none"),
        ("36县", 36, "县", "none"),
        ("2个", 2, "个", "none"),
    ]


def test_000_differences_and_ordinal_session():
    text = "全省平均农村低保标准达4251元,比2016年底提高445元。十八届中央政治局39次集体学习12个典型案例之一"
    assert rows(text) == [
        ("4251元", 4251, "元", "none"),
        ("445元", 445, "元", "none"),
        ("12个", 12, "个", "none"),
    ]


def test_003_people_nouns_and_money_rates():
    text = ("对农牧区12万无劳动能力或部分丧失劳动能力贫困群众按照年人均2500元标准给予生活补助。"
            "对11万原低保对象中有劳动能力、29万新增低保对象,按照年人均2016元、400元标准")
    assert rows(text) == [
        ("12万", 120000, "人", "none"),
        ("2500元", 2500, "元", "none"),
        ("11万", 110000, "人", "none"),
        ("29万", 290000, "人", "none"),
        ("2016元", 2016, "元", "none"),
        ("400元", 400, "元", "none"),
    ]


def test_003_ranges_points_multiples_and_slogans():
    text = ("贫困人口退出准确率为94.47%,高于全国平均水平1.54个百分点。坚持每年2至3次蹲点调研。"
            "较上年增长近6倍。“1+8+10”脱贫攻坚政策体系。项目开工率位居全国前5位。15年免费教育")
    q = extract_quantities(text)
    assert rows(text) == [
        ("94.47%", Decimal("94.47"), "%", "none"),
        ("1.54个百分点", Decimal("1.54"), "个百分点", "none"),
        ("2至3次", 2, "次", "none"),
        ("6倍", 6, "倍", "about"),
        ("15年", 15, "年", "none"),
    ]
    assert q.iloc[2].range_high == 3


def test_003_header_timestamp_and_session_numbers_are_not_quantities():
    text = "17.01.2017  21:04\n\n  青海新闻网讯 1月17日,省十二届人大六次会议召开第二场新闻发布会。2016年省委"
    assert extract_quantities(text).empty


def test_004_listed_parts_and_markers():
    text = ("共配备17220名,其中市级扶贫信息员32名、县级459名、乡镇级2566名、村级14163名。"
            "动员20多万干部进村入户,2016年人均纯收入4000元以下的所有农户必到")
    assert rows(text) == [
        ("17220名", 17220, "名", "none"),
        ("32名", 32, "名", "none"),
        ("459名", 459, "名", "none"),
        ("2566名", 2566, "名", "none"),
        ("14163名", 14163, "名", "none"),
        ("20多万", 200000, "人", "more_than"),
        ("4000元", 4000, "元", "less_than"),
    ]


def test_004_footer_damaged_dates_and_phone_numbers():
    text = ("海南省扶贫工作办公室                   2017112\n\n1022日,全国扶贫办主任座谈会\n"
            "电话:65368495  电子邮箱:089865368495@189.cn  共印450")
    assert extract_quantities(text).empty


def test_004_minimum_markers():
    text = "每个经济薄弱村抽查不少于50户。每年向深度贫困县倾斜不低于1亿元"
    q = extract_quantities(text)
    assert rows(text) == [("50户", 50, "户", "more_than"), ("1亿元", 100000000, "元", "more_than")]
    assert q.approx_marker.tolist() == ["不少于", "不低于"]


# ------------------------------------------------------------------ Chinese numerals


def test_chinese_numeral_quantities():
    text = "连续两年召开大会,三万五千人参加,增长百分之十三点二,修建公路一万公里以上。"
    q = extract_quantities(text)
    assert rows(text) == [
        ("两年", 2, "年", "none"),
        ("三万五千人", 35000, "人", "none"),
        ("百分之十三点二", Decimal("13.2"), "%", "none"),
        ("一万公里", 10000, "公里", "more_than"),
    ]
    assert set(q.numeral_script) == {"chinese"}
    assert extract_quantities(text, chinese_numerals=False).empty


@pytest.mark.parametrize(
    "text",
    ["第一书记驻村帮扶", "五莲脱贫解困并举", "按照“两不愁三保障”要求", "“五个一批”工程", "实施五个一批工程",
     "一是所有权归村集体", "不搞一刀切", "统一建设", "选派省市县三级干部", "县乡两级财政", "年度考核前六名的乡镇",
     "四个现代化", "三位一体", "一九五二年", "第十八届", "二次创业"],
)
def test_chinese_numeral_non_quantities(text):
    assert extract_quantities(text).empty


# ------------------------------------------------------------------ raw-text damage and offsets


def test_numbers_broken_by_zero_width_and_line_breaks():
    text = "光缆线路550\n\u200b\n多万公里。达到74.4\n\u200b\n万亿元,增长"
    q = extract_quantities(text)
    assert q.surface.tolist() == ["550\n\u200b\n多万公里", "74.4\n\u200b\n万亿元"]
    assert q.value.tolist() == [5500000, 74400000000000]
    assert q.approx.tolist() == ["more_than", "none"]
    for r in q.itertuples():
        assert text[r.start:r.end] == r.surface


def test_government_report_2017_broken_numbers():
    path = data_dir() / "corpora" / "government_work_reports" / "2017_政府工作报告.txt"
    if not path.exists():
        pytest.skip("reports corpus not present")
    text = path.read_text(encoding="utf-8")
    q = extract_quantities(text)
    broken = q[q.surface.str.contains("\u200b")]
    assert len(broken) == 2
    assert 5500000 in broken.value.tolist()


def test_schema_and_empty():
    empty = extract_quantities("")
    assert list(empty.columns) == QUANTITY_COLUMNS and empty.empty
    q = extract_quantities("投资3000万元")
    assert list(q.columns) == QUANTITY_COLUMNS
    assert q.iloc[0].multiplier == 10000 and q.iloc[0].value == 30000000
    assert not isinstance(q.iloc[0].value, float)


_NUMBERISH = "0123456789.万亿千百多余个名元%-至到约近以上下左右第年月日两三十一\n\u200b ，,、“”+"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
       | st.text(alphabet=_NUMBERISH, max_size=60))
def test_never_raises_and_offsets_hold(text):
    q = extract_quantities(text)
    assert list(q.columns) == QUANTITY_COLUMNS
    for r in q.itertuples():
        assert text[r.start:r.end] == r.surface
        assert r.ext_start <= r.start and r.end <= r.ext_end
        assert not isinstance(r.value, float)


def test_unknown_input_type_is_rejected():
    with pytest.raises(TypeError):
        extract_quantities(b"123\xe4\xb8\xaa")  # type: ignore[arg-type]


def test_lexicon_is_editable(tmp_path: Path):
    from fupin_research.extract.quantities import load_quantity_lexicon

    units = tmp_path / "units.txt"
    units.write_text("个\tclassifier\t\tyes\n头\tclassifier\t\tyes\n", encoding="utf-8")
    lex = load_quantity_lexicon(units_path=units)
    assert rows("养牛5头,建成3个", lexicon=lex) == [("5头", 5, "头", "none"), ("3个", 3, "个", "none")]
    assert rows("养牛5头,修路3公里", lexicon=lex) == [("5头", 5, "头", "none")]


def test_digits_spaced_out_one_by_one():
    # 1998 government work report: digits separated by spaces in the source text.
    text = "本届政府从1 9 9 3 年3 月就职，国内生产总值达到7 4 7 7 2 亿元，每年增长1 1 ％。"
    q = extract_quantities(text)
    assert q.value.tolist() == [7477200000000, 11]
    assert q.unit.tolist() == ["元", "%"]
    for r in q.itertuples():
        assert text[r.start:r.end] == r.surface


def test_fullwidth_digits_and_thousands_separators():
    text = "棉花产量将要达到３，５５６万担，地区公路投资５，２５０多万元，共100,000人"
    assert rows(text) == [
        ("３，５５６万担", 35560000, "担", "none"),
        ("５，２５０多万元", 52500000, "元", "more_than"),
        ("100,000人", 100000, "人", "none"),
    ]


def test_absurdly_long_digit_runs_do_not_raise():
    # int() refuses strings over 4300 digits; such runs are codes or garbage, not quantities.
    assert extract_quantities("9" * 5000 + "个").empty
    assert extract_quantities("共" + "9" * 41 + "万元").empty
    assert extract_quantities("十" * 60 + "个").empty


# ------------------------------------------------- independent check on 003/004 (generalization fixes)


def test_003_mixed_sentence_people_money_range_and_markers():
    text = _doc("003")
    s = text.index("对农牧区12万无劳动能力")
    sentence = text[s:text.index("最大限度激发内生动力", s)]
    assert rows(sentence, chinese_numerals=False) == [
        ("12万", 120000, "人", "none"), ("2500元", 2500, "元", "none"), ("11万", 110000, "人", "none"),
        ("29万", 290000, "人", "none"), ("2016元", 2016, "元", "none"), ("400元", 400, "元", "none"),
    ]
    assert rows("坚持每年2至3次蹲点调研,已落实帮扶资金约2亿元,较上年增长近6倍") == [
        ("2至3次", 2, "次", "none"), ("2亿元", 200000000, "元", "about"), ("6倍", 6, "倍", "about"),
    ]


def test_004_household_and_bound_markers_from_real_sentences():
    text = _doc("004")
    s = text.index("每个经济薄弱村抽查不少于50户")
    assert rows(text[s:s + 30]) == [("50户", 50, "户", "more_than")]
    assert rows("聘请1.4万贫困人口照顾9.29万贫困老人") == [("1.4万", 14000, "人", "none"),
                                                       ("9.29万", 92900, "人", "none")]


def test_unit_written_once_after_two_coordinated_numbers():
    # 2015 government work report: the unit 个百分点 serves both numbers.
    assert rows("各项贷款平均增速分别高4.2和0.7个百分点") == [
        ("4.2", Decimal("4.2"), "个百分点", "none"), ("0.7个百分点", Decimal("0.7"), "个百分点", "none")]
    assert rows("2016和2017年", chinese_numerals=False) == []  # years stay out


def test_households_then_people_without_separator():
    assert rows("建档立卡贫困户3.2万户10.5万人") == [("3.2万户", 32000, "户", "none"),
                                                ("10.5万人", 105000, "人", "none")]
    assert rows("重点区域“4个2”") == []  # still a slogan


def test_household_nouns_count_in_households_but_not_before_a_people_noun():
    assert rows("带动1.2万贫困户增收,帮扶3000农户") == [("1.2万", 12000, "户", "none"), ("3000", 3000, "户", "none")]
    assert rows("2400多万贫困家庭学生") == [("2400多万", 24000000, "人", "more_than")]


def test_people_noun_right_before_a_bare_magnitude_number():
    assert rows("全市共有贫困村856个、贫困人口12.3万", chinese_numerals=False) == [
        ("856个", 856, "个", "none"), ("12.3万", 123000, "人", "none")]
    assert rows("为10万老年人发放补贴") == [("10万", 100000, "人", "none")]


def test_ages_degrees_and_bound_markers():
    assert rows("年满60周岁的老人,对25°以上坡耕地") == [("60周岁", 60, "周岁", "none"),
                                                  ("25°", 25, "°", "more_than")]
    assert rows("贷款额度不超过5万元,人均增收超1000元,赶超3000亿元") == [
        ("5万元", 50000, "元", "less_than"), ("1000元", 1000, "元", "more_than"),
        ("3000亿元", 300000000000, "元", "none")]
    q = extract_quantities("不得超过3年")
    assert (q.approx_marker[0], q.ext_start[0]) == ("不得超过", 0)


def test_magnitude_pairs_people_nouns_after_ren_and_zero_circle():
    """Review findings: 3千多万元 is 3×千×万; 8亿人口 follows rule 6; 一九○七年 (○ for 〇) is a year, not 七年."""
    q = extract_quantities("共投入3千多万元、5百多万元")
    assert [(r.surface, int(r.value), r.approx) for r in q.itertuples()] == [
        ("3千多万元", 30000000, "more_than"), ("5百多万元", 5000000, "more_than")]
    people = extract_quantities("全国8亿人口中，5000人口的村")
    assert [(r.surface, r.unit) for r in people.itertuples()] == [("8亿", "人"), ("5000", "人")]
    money = extract_quantities("投入1000亿人民币")
    assert [(r.surface, r.unit, int(r.value)) for r in money.itertuples()] == [("1000亿人民币", "元", 100000000000)]
    assert extract_quantities("到一九○七年").empty
