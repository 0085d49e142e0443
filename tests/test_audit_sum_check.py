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
