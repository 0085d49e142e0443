"""Tests of fupin_research.corpus: the seed corpus, the government work reports and researchers' own folders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fupin_research.corpus import Document, iter_documents, load_corpus, read_document, read_manifest
from fupin_research.errors import InputError
from fupin_research.paths import data_dir, seed_corpus_dir

MANIFEST_COLUMNS = ["doc_id", "title", "issuer", "source", "date", "date_kind", "period", "province", "genre"]
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    return load_corpus()


def test_seed_corpus_table(seeds):
    assert len(seeds) == 5
    assert seeds.columns[: len(MANIFEST_COLUMNS)].tolist() == MANIFEST_COLUMNS
    for column in ["script", "encoding", "chars", "text"]:
        assert column in seeds.columns
    assert seeds.doc_id.tolist() == sorted(path.stem for path in seed_corpus_dir().glob("*.txt"))
    assert (seeds.script == "simplified").all() and (seeds.encoding == "utf-8").all()
    assert (seeds.chars == seeds.text.str.len()).all()
    assert seeds.set_index("doc_id").loc["003_c75bae856ee8c1c0", "province"] == "青海"


def test_dates_are_iso_or_empty(seeds):
    for date in seeds.date:
        assert date == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", date), date
        if date:
            pd.Timestamp(date)  # a real calendar date
    assert (seeds.date == "").sum() == 1  # 000: the mirror gives no date
    assert set(seeds.date_kind) <= {"published", "reposted", "unknown"}


def test_seed_text_is_normalized(seeds):
    text = seeds.set_index("doc_id").loc["002_fbd7bac49d8a79cb", "text"]
    assert not text.startswith("返回首页")
    assert seeds.chrome_lines.tolist() == [0, 1, 2, 0, 2]


def test_read_manifest(tmp_path):
    manifest = read_manifest(seed_corpus_dir())
    assert manifest is not None and len(manifest) == 5
    assert read_manifest(tmp_path) is None
    (tmp_path / "manifest.csv").write_text("doc_id,title\na,甲\na,乙\n", encoding="utf-8")
    with pytest.raises(InputError, match="doc_id listed twice: a"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.csv").write_text("name,title\na,甲\n", encoding="utf-8")
    with pytest.raises(InputError, match="doc_id"):
        read_manifest(tmp_path)


def test_reports_corpus():
    reports = load_corpus("reports")
    assert len(reports) == 72
    assert {"year", "kind"} <= set(reports.columns)
    assert reports.year.str.fullmatch(r"\d{4}").all()
    assert set(reports.kind) == {"report", "resolution"}
    texts = reports[reports.kind == "report"]
    assert len(texts) == 52 and texts.year.is_unique
    assert (texts.year == texts.doc_id.str[:4]).all()
    assert reports[reports.kind == "resolution"].year.between("1954", "2025").all()
    assert reports.year.min() == "1954"
    assert reports.script.isin(["simplified", "mixed"]).sum() >= 70
    # the 1957 transcription mixes in traditional characters (發, 沒); normalization unifies them
    mixed = reports.set_index("doc_id").loc["1957_政府工作报告"]
    assert mixed.script == "mixed" and "發" not in mixed.text and "沒" not in mixed.text
    assert (reports.text.str.len() > 400).all() and (texts.text.str.len() > 5000).all()


def test_folder_without_manifest(tmp_path):
    shutil.copy(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt", tmp_path / "briefing.txt")
    (tmp_path / "report_gbk.txt").write_bytes("\n\n精准扶贫工作总结\n\n全县建档立卡贫困户全部脱贫。\n".encode("gbk"))
    (tmp_path / "README.md").write_text("# notes, not a document\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐藏\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.doc_id.tolist() == ["briefing", "report_gbk"]
    assert corpus.title.tolist() == ["山东扶贫攻坚简报2018年第82期(总第361期)", "精准扶贫工作总结"]
    assert corpus.encoding.tolist() == ["utf-8", "gbk"]


def test_bad_files_raise_or_are_skipped(tmp_path):
    shutil.copy(seed_corpus_dir() / "003_c75bae856ee8c1c0.txt", tmp_path / "news.txt")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(InputError, match=r"scan\.pdf"):
        load_corpus(tmp_path)
    items = list(iter_documents(tmp_path, errors="skip"))
    assert [type(item) for item in items] == [Document, InputError]
    assert len(load_corpus(tmp_path, errors="skip")) == 1
    with pytest.raises(InputError, match="no such folder"):
        load_corpus(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no readable text files"):
        load_corpus(empty)


def test_read_document_keeps_the_raw_text():
    doc = read_document(seed_corpus_dir() / "004_b2c48652dc48c734.txt")
    assert doc.raw.startswith("• 无障碍服务") and not doc.text.startswith("•")
    assert doc.meta["title"] == "脱贫攻坚动态第108期"  # from the first line (no manifest row given)
    start = doc.text.index("1022日")
    raw_start, raw_end = doc.normalized.raw_span(start, start + 5)
    assert doc.raw[raw_start:raw_end] == "1022日"


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is absent (not needed at run time)")
def test_seed_files_are_byte_identical_to_the_shared_corpus():
    shared = sorted(SHARED_CORPUS.glob("*.txt"))
    assert len(shared) == 5
    for path in shared:
        assert (data_dir() / "corpus" / path.name).read_bytes() == path.read_bytes(), path.name


def test_title_is_the_first_line_even_when_the_body_follows_directly(tmp_path):
    (tmp_path / "summary.txt").write_text("精准扶贫工作总结\n全县建档立卡贫困户全部脱贫。\n", encoding="utf-8")
    assert load_corpus(tmp_path).title.tolist() == ["精准扶贫工作总结"]


def test_without_manifest_date_and_province_are_inferred(tmp_path):
    from fupin_research.corpus import infer_date, infer_province

    for path in sorted(seed_corpus_dir().glob("*.txt")):
        shutil.copy(path, tmp_path / path.name)
    corpus = load_corpus(tmp_path).set_index("doc_id")
    bulletin = corpus.loc["004_b2c48652dc48c734"]
    assert (bulletin.date, bulletin.date_kind) == ("2017-11-09", "header")  # its 发布时间 line
    assert pd.isna(bulletin.province)  # a digest of thirteen provinces is about none of them
    assert corpus.loc["003_c75bae856ee8c1c0", "province"] == "青海"
    assert infer_date("日期:2019-13-40 正文") is None  # not a date
    assert infer_province("") is None
