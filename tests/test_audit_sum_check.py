"""The sum check of audit_quantities (其中 ...): parts short of the total never count as consistent."""

import pytest

from fupin_research.audit import audit_quantities
from fupin_research.extract.quantities import extract_quantities


def _sum_rows(text: str):
    checks = audit_quantities(text, extract_quantities(text))
    return checks[checks.check.str.startswith("breakdown")]


def test_issue_example_parts_short_of_total_are_incomplete():
    # 32+459+2566+13163 = 16,220 against a stated 17,220 (issue 13): was reported "consistent".
    row = _sum_rows("共配备17220名,其中市级32名、县级459名、乡镇级2566名、村级13163名。").iloc[0]
    assert (row.check, row.expected, row.observed, row.verdict) == ("breakdown_sum", "17220", "16220", "incomplete")
    assert "1000" in row.detail


def test_exact_sum_is_consistent():
    row = _sum_rows("共配备17220名,其中市级32名、县级459名、乡镇级2566名、村级14163名。").iloc[0]
    assert (row.observed, row.verdict) == ("17220", "consistent")


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # short of and over the total (beyond the rounding of the written digits): the check looks both ways
        ("共投入100万元,其中中央资金40万元、省级资金50万元。", "incomplete"),
        ("共投入100万元,其中中央资金40万元、省级资金70万元。", "unverifiable"),
        ("共投入100万元,其中中央资金40万元、省级资金60万元。", "consistent"),
        ("共投入100万元,其中中央资金140万元。", "inconsistent"),
    ],
)
def test_both_directions(text, verdict):
    assert set(_sum_rows(text).verdict) == {verdict}


def test_a_single_part_is_incomplete_not_consistent():
    row = _sum_rows("贫困人口17.2万人,其中,国标以下贫困人口8.1万人。").iloc[0]
    assert row.verdict == "incomplete"


# Added where mutation testing (a seeded AST harness over _breakdowns) showed surviving mutants.
def test_only_the_parts_that_add_up_are_used():
    row = _sum_rows("共投入100万元,其中中央资金40万元、省级资金60万元、市级资金5万元。").iloc[0]
    assert (row.verdict, row.observed) == ("consistent", "1000000")
    assert row.detail.startswith("2 parts of 100万元")


def test_a_larger_figure_after_a_semicolon_ends_the_list():
    # after ; the text may move to a new subject: 200万元 is not a part of the 100万元
    row = _sum_rows("共投入100万元,其中中央资金40万元;省级媒体宣传费用200万元。").iloc[0]
    assert (row.check, row.verdict) == ("breakdown_sum", "incomplete")
    big = _sum_rows("共投入100万元,其中中央资金40万元、省级资金200万元。").iloc[0]
    assert (big.check, big.verdict) == ("breakdown_part_exceeds_total", "inconsistent")
    assert "is larger than the total 100万元" in big.detail


def test_a_part_within_rounding_of_the_total_does_not_exceed_it():
    # 5.5亿 is 5.45..5.55 亿; a part of 5.54亿 (5.535..5.545) may be all of it
    checks = _sum_rows("共投入5.5亿元,其中中央资金5.54亿元。")
    assert "breakdown_part_exceeds_total" not in set(checks.check)
