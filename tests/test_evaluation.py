"""The package's quantity scorer: same numbers as the reference scorer, known scores on made-up data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fupin_research.evaluation import (
    load_excluded,
    load_gold,
    read_texts,
    score_details,
    score_quantities,
)
from fupin_research.paths import data_dir, seed_corpus_dir

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score_quantities.py"
GOLD_DIR = data_dir() / "gold"
needs_gold = pytest.mark.skipif(not (GOLD_DIR / "quantities_002.tsv").exists(), reason="gold not shipped")


@needs_gold
@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared (reference scorer) not present")
def test_same_numbers_as_the_reference_scorer():
    run = subprocess.run(
        [sys.executable, str(REFERENCE), str(GOLD_DIR / "quantities_002.tsv"), str(seed_corpus_dir())],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    last = run.stdout.strip().splitlines()[-1]
    reference = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", last)}
    assert set(reference) == {"gold", "predicted", "precision", "recall", "F1", "strict_span", "value_acc",
                              "unit_acc"}
    gold = load_gold()
    ours = score_quantities(gold, read_texts(gold["doc"]))
    assert ours["gold"] == reference["gold"] and ours["predicted"] == reference["predicted"]
    for key, ref_key in [("precision", "precision"), ("recall", "recall"), ("f1", "F1"),
                         ("strict_span", "strict_span"), ("value_acc", "value_acc"), ("unit_acc", "unit_acc")]:
        assert f"{ours[key]:.3f}" == f"{reference[ref_key]:.3f}", key
    # the reference prints one line per error before the summary: the same errors as our details
    printed = [line.split()[0] for line in run.stdout.strip().splitlines()[:-1]]
    details = score_details(gold, read_texts(gold["doc"]))
    assert sorted(printed) == sorted(details.loc[details["kind"] != "span", "kind"])


def _gold(rows):
    frame = pd.DataFrame(rows, columns=["doc", "start", "end", "surface", "value", "unit"])
    frame["ext_start"], frame["ext_end"] = frame["start"], frame["end"]
    return frame


def _fixed_extractor(rows):
    """An extractor that returns the given (start, end, surface, value, unit) rows whatever the text."""
    def extract(text: str) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=["start", "end", "surface", "value", "unit"])
    return extract


TEXT = "投入资金2亿元,覆盖30个村,惠及500人,占12%。"


def test_made_up_gold_gives_known_precision_and_recall():
    # gold: 2亿元, 30个, 500人, 12% ; predictions: 2亿元 (right), 30个 (wrong value), 500 (short span, wrong
    # unit), and an extra on 资金 -- 12% is missed.
    gold = _gold([
        ("d", 4, 7, "2亿元", "200000000", "元"),
        ("d", 10, 13, "30个", "30", "个"),
        ("d", 18, 22, "500人", "500", "人"),
        ("d", 24, 27, "12%", "12", "%"),
    ])
    extractor = _fixed_extractor([
        (2, 4, "资金", 1, "元"),
        (4, 7, "2亿元", 200000000, "元"),
        (10, 13, "30个", 3, "个"),
        (18, 21, "500", 500, "个"),
    ])
    s = score_quantities(gold, {"d": TEXT}, extractor)
    assert (s["tp"], s["fp"], s["fn"]) == (3, 1, 1)
    assert s["precision"] == pytest.approx(3 / 4) and s["recall"] == pytest.approx(3 / 4)
    assert s["f1"] == pytest.approx(3 / 4)
    assert s["strict_span"] == pytest.approx(2 / 3)
    assert s["value_acc"] == pytest.approx(2 / 3) and s["unit_acc"] == pytest.approx(2 / 3)
    assert s["excluded_hits"] is None
    details = score_details(gold, {"d": TEXT}, extractor)
    assert details[["kind", "start"]].values.tolist() == [
        ["extra", 2], ["value", 10], ["span", 18], ["unit", 18], ["missed", 24]]


def test_first_unused_overlapping_prediction_and_extended_span():
    # 约500人: gold core 500人 (3:7), extended span with 约 (2:7); a prediction on the extended span is exact.
    text = "共有约500人"
    gold = _gold([("d", 3, 7, "500人", "500", "人")])
    gold.loc[0, ["ext_start", "ext_end"]] = [2, 7]
    s = score_quantities(gold, {"d": text}, _fixed_extractor([(2, 7, "约500人", 500, "人")]))
    assert s["strict_span"] == 1.0 and s["tp"] == 1
    # two gold rows, two overlapping predictions: each gold row takes the first one not yet used
    gold2 = _gold([("d", 0, 2, "12", "12", "个"), ("d", 0, 2, "12", "12", "个")])
    s2 = score_quantities(gold2, {"d": "12个"}, _fixed_extractor([(0, 3, "12个", 12, "个"), (0, 2, "12", 12, "个")]))
    assert (s2["tp"], s2["fp"], s2["fn"], s2["strict_span"]) == (2, 0, 0, 0.5)


def test_ignore_spans_do_not_count_as_extras():
    gold = _gold([("d", 4, 7, "2亿元", "200000000", "元")])
    extractor = _fixed_extractor([(4, 7, "2亿元", 200000000, "元"), (24, 27, "12%", 12, "%")])
    assert score_quantities(gold, {"d": TEXT}, extractor)["fp"] == 1
    ignore = pd.DataFrame({"doc": ["d"], "start": [25], "end": [26]})
    assert score_quantities(gold, {"d": TEXT}, extractor, ignore)["fp"] == 0


def test_excluded_run_hit_is_counted():
    gold = _gold([("d", 4, 7, "2亿元", "200000000", "元")])
    excluded = pd.DataFrame({"doc": ["d"], "start": [10], "end": [12], "digits": ["30"], "reason": ["made up"],
                             "context": [""]})
    extractor = _fixed_extractor([(4, 7, "2亿元", 200000000, "元"), (10, 13, "30个", 30, "个")])
    assert score_quantities(gold, {"d": TEXT}, extractor, excluded=excluded)["excluded_hits"] == 1


@needs_gold
def test_real_excluded_digit_runs_give_no_rows():
    gold, excluded = load_gold(), load_excluded()
    assert len(excluded) == 16 and set(excluded["doc"]) == {"002_fbd7bac49d8a79cb"}
    texts = read_texts(gold["doc"])
    # the file's offsets point into the raw text
    assert all(texts[r.doc][r.start:r.end] == r.digits for r in excluded.itertuples())
    assert score_quantities(gold, texts, excluded=excluded)["excluded_hits"] == 0
    details = score_details(gold, texts, excluded=excluded)
    assert not (details["kind"] == "excluded").any()


@needs_gold
def test_gold_offsets_point_into_the_raw_text():
    gold = load_gold()
    texts = read_texts(gold["doc"])
    assert all(texts[r.doc][r.start:r.end] == r.surface for r in gold.itertuples())
    assert gold["value"].map(type).eq(str).all()  # exact, never a float


@pytest.mark.parametrize("doc", ["003_c75bae856ee8c1c0", "004_b2c48652dc48c734"])
def test_extractor_on_the_internal_annotations(doc):
    """A second annotation of 003 and 004 (data/gold/internal): a regression check beyond the 002 gold."""
    from fupin_research.extract.quantities import extract_quantities

    folder = data_dir() / "gold" / "internal"
    gold = load_gold(folder / f"quantities_{doc[:3]}.tsv")
    texts = read_texts([doc])
    chinese = extract_quantities(texts[doc])
    ignore = chinese[chinese.numeral_script == "chinese"].assign(doc=doc)  # the annotation is Arabic-only
    excluded = load_excluded(folder / f"excluded_digit_runs_{doc[:3]}.tsv")
    scores = score_quantities(gold, texts, ignore=ignore, excluded=excluded)
    assert scores["f1"] >= 0.97 and scores["strict_span"] >= 0.95
    assert scores["value_acc"] >= 0.97 and scores["unit_acc"] >= 0.95
    assert scores["excluded_hits"] == 0
