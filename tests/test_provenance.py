"""fupin build records what its tables depend on: versions, data-file hashes, settings, input hashes."""

from __future__ import annotations

import json
import shutil

from fupin_research.build import build_corpus
from fupin_research.paths import seed_corpus_dir
from fupin_research.provenance import PROVENANCE_FILE, data_file_hashes, provenance_record


def test_build_writes_its_provenance_record(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(seed_corpus_dir().glob("002_*.txt")), corpus)
    build_corpus(corpus, tmp_path / "out", incremental=False)
    record = json.loads((tmp_path / "out" / PROVENANCE_FILE).read_text(encoding="utf-8"))
    assert record["packages"]["jieba"] == "0.42.1"
    assert record["packages"]["opencc"] and record["packages"]["pandas"]
    assert record["settings"]["segmenter"] in {"jieba", "rjieba"}
    assert set(record["data_files"]) >= {"userdict.txt", "codebook.yaml", "page_chrome.txt"}
    assert list(record["inputs"]) == [p.name for p in corpus.iterdir()]


def test_a_changed_data_file_changes_the_record(tmp_path):
    (tmp_path / "lexicon.txt").write_text("扶贫\n", encoding="utf-8")
    before = data_file_hashes(tmp_path)
    (tmp_path / "lexicon.txt").write_text("扶贫\n脱贫\n", encoding="utf-8")
    assert data_file_hashes(tmp_path) != before


def test_the_record_is_deterministic():
    assert provenance_record({"segmenter": "jieba"}) == provenance_record({"segmenter": "jieba"})
