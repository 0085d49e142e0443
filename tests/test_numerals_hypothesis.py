"""No input raises: mixed Chinese/Arabic numerals, dates and units thrown at the extractors (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from fupin_research.audit import audit_quantities
from fupin_research.extract.numerals import chinese_to_number, vague_range
from fupin_research.extract.quantities import extract_quantities
from fupin_research.extract.time_expressions import extract_time_expressions

_PIECES = [
    *"0123456789０１２３４５６７８９.．,，-－~～—至到零〇○一二两兩三四五六七八九十百千万萬亿億壹贰叁肆伍陆柒捌玖拾佰仟",
    "点", "點", "负", "負", "几", "数", "多", "余", "分之", "百分之", "成", "半", "年", "月", "日", "号", "季度",
    "前", "后", "以来", "截至", "到", "底", "初", "上旬", "下旬", "本月", "今年", "去年", "元", "万元", "亿元", "%",
    "个百分点", "人", "户", "亩", "羽", "公里", "人民币", "其中", "共", "、", "。", " ", "\n", "\u200b", "第", "约",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_extractors_never_raise(text):
    quantities = extract_quantities(text)
    for row in quantities.itertuples():
        assert text[row.start:row.end] == row.surface
        assert row.range_high is None or row.range_high == row.range_high  # not NaN
    extract_time_expressions(text, reference_date="2021-06-14", period="2021")
    audit_quantities(text, quantities)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿点负几数", max_size=12))
def test_numeral_parser_raises_only_value_error(span):
    try:
        chinese_to_number(span)
    except ValueError:
        pass
    vague_range(span)
