"""fupin bench: the corpus it measures and the refusal of sizes that are not a size."""

from __future__ import annotations

import subprocess
import sys

from fupin_research.bench import format_report, make_bench_corpus


def test_bench_corpus_reaches_the_size_from_the_shipped_texts(tmp_path):
    megabytes = make_bench_corpus(tmp_path, 0.2)
    files = sorted(tmp_path.glob("*.txt"))
    assert 0.2 <= megabytes < 0.5
    assert sum(p.stat().st_size for p in files) / 1e6 == megabytes
    assert len({p.name for p in files}) == len(files)  # each copy its own doc_id


def test_report_shows_ratios_to_the_baseline():
    results = {"corpus_mb": 1.0, "cores": 2, "segmenter": "jieba", "baseline_mb_s": 0.5, "segment_mb_s": 0.25,
               "ratio_segment_to_baseline": 0.5, "build_jobs1_mb_s": 0.2, "ratio_build_jobs1_to_baseline": 0.4,
               "ratio_build_jobs2_to_jobs1": 1.5, "peak_rss_mb": 500.0, "startup_s": 0.8}
    text = format_report(results)
    assert "segment" in text and "0.50" in text and "1.50×" in text and "500 MB" in text and "0.80 s" in text


def test_every_stage_of_the_build_is_measured():
    """One function per stage of a build, each run on a real document (a stage left out would go unmeasured)."""
    from fupin_research.bench import stage_functions
    from fupin_research.corpus import read_document
    from fupin_research.paths import seed_corpus_dir

    doc = read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt")
    stages = stage_functions("jieba")
    assert {"segment", "sentences", "warnings", "attribution_audit", "codes", "primary_codes"} <= set(stages)
    for stage, function in stages.items():
        assert function(doc) is not None, stage


def test_bench_refuses_a_size_that_is_not_a_size():
    result = subprocess.run([sys.executable, "-m", "fupin_research", "bench", "--size", "nan"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--size" in result.stderr and "Traceback" not in result.stderr


def test_peak_memory_counts_the_workers_and_their_shared_pages_once(tmp_path):
    """The sampler sees a forked child; RSS counts the 60 MB the child shares with its parent twice, PSS once."""
    import os

    import pytest

    from fupin_research.bench import _peak_rss_of, _proportional_mb

    if _proportional_mb(os.getpid()) is None:
        pytest.skip("this system reports no proportional set size (Linux's /proc/PID/smaps_rollup)")
    code = ("import os, time\n"
            "block = bytearray(b'x' * 60_000_000)\n"  # written, so resident, before the fork: shared by both
            "child = os.fork()\n"
            "time.sleep(2.5)\n"
            "if child: os.waitpid(child, 0)\n"
            "else: os._exit(0)\n")
    seconds, rss, pss = _peak_rss_of([sys.executable, "-c", code])
    assert seconds >= 2.5
    assert rss >= 2 * 60, rss  # both processes' resident pages, the shared block in each
    assert 60 <= pss < rss - 50, (pss, rss)  # the shared block once


def test_writing_is_timed_on_the_tables_a_build_writes(tmp_path, monkeypatch):
    from fupin_research.bench import _writing_seconds
    from fupin_research.corpus import read_document
    from fupin_research.paths import seed_corpus_dir
    from fupin_research.tables import TableWriter

    appended: dict[str, int] = {}
    append = TableWriter.append

    def counting_append(self, table):
        appended[self.csv_path.stem] = appended.get(self.csv_path.stem, 0) + len(table)
        return append(self, table)

    monkeypatch.setattr(TableWriter, "append", counting_append)
    doc = read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt")
    assert _writing_seconds([doc], "jieba", tmp_path / "written") > 0
    assert appended.get("tokens", 0) > 1000 and appended.get("units", 0) > 0  # the build's tables, written
    assert not (tmp_path / "written").exists()  # the tables are thrown away


def test_proportional_size_is_in_megabytes_as_psutil_reports_it():
    """Linux's smaps_rollup counts in KiB: read as 1,000 bytes, the figure would be 2.4% low."""
    import os

    import psutil
    import pytest

    from fupin_research.bench import _proportional_mb

    if _proportional_mb(os.getpid()) is None:
        pytest.skip("this system reports no proportional set size (Linux's /proc/PID/smaps_rollup)")
    ours = _proportional_mb(os.getpid())
    theirs = psutil.Process().memory_full_info().pss / 1e6
    assert ours == pytest.approx(theirs, rel=0.01)
