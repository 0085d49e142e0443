"""fupin build at scale: same tables for any number of workers and on Dask, incremental rebuilds, safe interrupts."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from fupin_research.build import BuildSettings, build_corpus
from fupin_research.paths import reports_corpus_dir, seed_corpus_dir
from fupin_research.tables import TableWriter


def table_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """The seeds plus a few government work reports (two of them old transcriptions), with a manifest."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in seed_corpus_dir().iterdir():
        shutil.copy(path, folder / path.name)
    for year in ("1957", "2016", "2017"):
        shutil.copy(reports_corpus_dir() / f"{year}_政府工作报告.txt", folder)
    return folder


@pytest.fixture(scope="module")
def local_build(small_corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("jobs1")
    build_corpus(small_corpus, out, incremental=False)
    return out


def test_jobs_2_gives_byte_identical_tables(small_corpus, local_build, tmp_path):
    summary = build_corpus(small_corpus, tmp_path, jobs=2, incremental=False)
    assert summary.documents == 8 and summary.processed == 8
    assert table_files(tmp_path) == table_files(local_build)


def test_dask_local_cluster_gives_identical_tables(small_corpus, local_build, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        summary = build_corpus(small_corpus, tmp_path, scheduler=cluster.scheduler_address, incremental=False)
    assert summary.documents == 8
    assert table_files(tmp_path) == table_files(local_build)


def test_the_reference_segmenter_gives_byte_identical_tables(small_corpus, local_build, tmp_path):
    """The default build (rjieba where installed) and --segmenter jieba: every table the same to the byte; only
    provenance.json, which records the segmenter, differs."""
    from fupin_research.segment import resolve_segmenter

    build_corpus(small_corpus, tmp_path, settings=BuildSettings("jieba"), incremental=False)
    reference, default = table_files(tmp_path), table_files(local_build)
    assert '"jieba"' in reference.pop("provenance.json").decode()
    assert f'"{resolve_segmenter("auto")}"' in default.pop("provenance.json").decode()
    assert reference == default


def test_tables_read_back_as_one_table(local_build):
    tokens = pd.read_parquet(local_build / "tokens.parquet")
    documents = pd.read_parquet(local_build / "documents.parquet")
    assert tokens.doc_id.nunique() == len(documents) == 8
    csv = pd.read_csv(local_build / "tokens.csv", keep_default_na=False)
    assert len(csv) == len(tokens)
    texts = documents.set_index("doc_id").text
    sample = tokens.sample(300, random_state=0)
    assert all(texts[r.doc_id][r.start : r.end] == r.token for r in sample.itertuples())


def test_rebuild_reprocesses_only_the_changed_document(small_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    out = tmp_path / "out"
    first = build_corpus(corpus, out)
    assert (first.processed, first.reused) == (8, 0)
    again = build_corpus(corpus, out)
    assert (again.processed, again.reused) == (0, 8)
    changed = corpus / "002_fbd7bac49d8a79cb.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增一句:脱贫攻坚取得决定性成就。\n", encoding="utf-8")
    third = build_corpus(corpus, out)
    assert (third.processed, third.reused) == (1, 7)
    sentences = pd.read_parquet(out / "sentences.parquet")
    assert sentences.text.str.contains("新增一句").any()
    # a full rebuild gives the same tables as the incremental one
    full = tmp_path / "full"
    build_corpus(corpus, full, incremental=False)
    assert table_files(full) == {k: v for k, v in table_files(out).items()}


def test_settings_change_invalidates_the_cache():
    assert BuildSettings("jieba").fingerprint() != BuildSettings(segmenter="rjieba").fingerprint()
    assert BuildSettings().fingerprint() == BuildSettings().fingerprint()


def test_killed_build_leaves_previous_tables_readable(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(reports_corpus_dir().glob("*.txt"))[:30]:
        shutil.copy(path, corpus)
    out = tmp_path / "out"
    seeds_out = build_corpus(seed_corpus_dir(), out, incremental=False)
    before = table_files(out)
    assert seeds_out.documents == 5
    process = subprocess.Popen(
        [sys.executable, "-m", "fupin_research", "build", str(corpus), "--out", str(out), "--no-cache", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # wait until the build is under way (its staging folder exists), then kill it
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(".out.") for p in tmp_path.iterdir()):
        time.sleep(0.05)
    time.sleep(1.0)
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert table_files(out) == before
    assert len(pd.read_parquet(out / "documents.parquet")) == 5


def test_table_writer_fixes_the_schema_from_the_first_chunk(tmp_path):
    writer = TableWriter(tmp_path, "demo")
    writer.append(pd.DataFrame({"doc_id": ["a"], "start": [1], "value": ["10"], "note": [None]}))
    writer.append(pd.DataFrame({"doc_id": ["b"], "start": [2.0], "value": [None], "note": ["x"]}))
    writer.close()
    frame = pd.read_parquet(tmp_path / "demo.parquet")
    assert frame.start.tolist() == [1, 2] and str(frame.start.dtype) == "int64"
    assert frame.note.isna().tolist() == [True, False] and frame.note.iloc[1] == "x"
    # strings quoted, a missing value empty (an empty string would be "")
    assert (tmp_path / "demo.csv").read_text(encoding="utf-8") == 'doc_id,start,value,note\n"a",1,"10",\n"b",2,,"x"\n'
    back = pd.read_csv(tmp_path / "demo.csv", dtype=str, keep_default_na=False)
    assert back.values.tolist() == [["a", "1", "10", ""], ["b", "2", "", "x"]]


def test_renamed_or_duplicated_file_is_not_served_stale_tables(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = seed_corpus_dir() / "003_c75bae856ee8c1c0.txt"
    shutil.copy(source, corpus / "old_name.txt")
    out = tmp_path / "out"
    build_corpus(corpus, out)
    (corpus / "old_name.txt").rename(corpus / "new_name.txt")
    shutil.copy(source, corpus / "copy.txt")
    summary = build_corpus(corpus, out)
    documents = pd.read_parquet(out / "documents.parquet")
    assert sorted(documents.doc_id) == ["copy", "new_name"] and summary.processed == 2


def test_documents_keep_manifest_columns_and_duplicate_stems_are_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("一份没有日期的说明\n这里只是一些文字。\n", encoding="utf-8")
    shutil.copy(seed_corpus_dir() / "003_c75bae856ee8c1c0.txt", corpus / "b.txt")
    (corpus / "b.zz").write_text("同名的另一份文件。", encoding="utf-8")  # same stem, sorts after b.txt
    manifest = "doc_id,title,issuer,genre\nb,青海捷报,青海新闻网,news report\n"
    (corpus / "manifest.csv").write_text(manifest, encoding="utf-8")
    summary = build_corpus(corpus, tmp_path / "out")
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", keep_default_na=False).set_index("doc_id")
    assert {"issuer", "genre", "province", "date_kind"} <= set(documents.columns)
    assert documents.loc["b", "issuer"] == "青海新闻网" and documents.loc["b", "province"] == "青海"
    assert [name for name, _ in summary.skipped] == ["b.zz"] and "same doc_id" in summary.skipped[0][1]
    assert len(documents) == 2


def test_out_folder_must_not_be_the_corpus(tmp_path):
    from fupin_research.errors import InputError

    shutil.copy(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt", tmp_path)
    with pytest.raises(InputError, match="another folder"):
        build_corpus(tmp_path, tmp_path)


def test_bundle_tables_own_their_memory_and_damage_is_reported(tmp_path):
    """A writer keeps small tables long after the large ones of a document are written: they must not pin them."""
    import pyarrow as pa

    from fupin_research.tables import read_bundle, write_bundle

    big = pa.table({"token": ["扶贫"] * 2_000_000})
    path = tmp_path / "doc.arrow"
    write_bundle(path, {"tokens": big, "warnings": pa.table({"kind": ["lost_quote"]})})
    del big
    before = pa.total_allocated_bytes()
    tables = read_bundle(path)
    assert tables["warnings"].column("kind").to_pylist() == ["lost_quote"]
    assert tables["tokens"].num_rows == 2_000_000
    loaded = pa.total_allocated_bytes() - before
    del tables["tokens"]
    assert pa.total_allocated_bytes() - before < loaded / 100  # the small table alone stays in memory
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="damaged table bundle"):
        read_bundle(path)


def test_damaged_cache_entry_is_rebuilt(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt", corpus)
    out = tmp_path / "out"
    build_corpus(corpus, out)
    expected = pd.read_parquet(out / "tokens.parquet")
    (entry,) = (out / ".fupin-cache").iterdir()
    entry.write_bytes(b"FUPINB1\n" + b"\xff" * 20)
    summary = build_corpus(corpus, out)
    assert summary.processed == 1 and summary.reused == 0
    assert pd.read_parquet(out / "tokens.parquet").equals(expected)


def test_a_missing_segmenter_stops_the_build_before_it_starts(small_corpus, tmp_path, monkeypatch):
    """Checked once, up front: a spawned worker failing to load it would be restarted by the pool for ever."""
    from fupin_research.segment import resolve_segmenter

    monkeypatch.setitem(sys.modules, "rjieba", None)  # as if rjieba had no wheel for this platform
    said = []
    assert resolve_segmenter("auto", echo=said.append) == "jieba"
    assert len(said) == 1 and "rjieba is not installed" in said[0] and "segmenting with jieba" in said[0]
    for jobs in (1, 2):
        with pytest.raises(ValueError, match="rjieba segmenter is not installed"):
            build_corpus(small_corpus, tmp_path / "out", jobs=jobs, settings=BuildSettings("rjieba"))
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary folder left


def test_a_pool_that_cannot_start_leaves_no_temporary_folders(small_corpus, tmp_path, monkeypatch):
    import fupin_research.build as build

    def broken_pool(settings, jobs):
        raise OSError("no more processes")

    monkeypatch.setattr(build, "_start_pool", broken_pool)
    with pytest.raises(OSError, match="no more processes"):
        build_corpus(small_corpus, tmp_path / "out", jobs=2)
    assert [p.name for p in tmp_path.iterdir()] == []


def test_fewer_collections_restores_the_thresholds_even_after_an_error():
    import gc

    from fupin_research.build import _fewer_collections

    before = gc.get_threshold()
    with _fewer_collections(12_345):
        assert gc.get_threshold()[0] == 12_345
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError), _fewer_collections(12_345):
        raise ZeroDivisionError
    assert gc.get_threshold() == before


def test_fewer_collections_overlapping_in_threads_restore_the_thresholds_once_the_last_ends():
    """Dask runs tasks as threads of one process: the first to leave must not restore the threshold under the
    other, and the last to leave must restore it."""
    import gc
    import threading

    from fupin_research.build import _fewer_collections

    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def first() -> None:
        with _fewer_collections(12_345):
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with _fewer_collections(12_345):
            second_in.set()
            first_out.wait(5)
            seen.append(gc.get_threshold()[0])  # the first has left; this one is still inside

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [12_345]
    assert gc.get_threshold() == before


def test_the_pool_is_forked_with_the_loaded_objects_frozen_and_this_process_unfrozen_after(monkeypatch):
    import gc
    import multiprocessing
    import sys
    import threading

    from fupin_research import build

    if not sys.platform.startswith("linux"):
        pytest.skip("the pool is forked only on Linux")
    frozen_at_fork: list[int] = []

    class Context:
        def Pool(self, jobs):  # multiprocessing's name
            frozen_at_fork.append(gc.get_freeze_count())
            return "pool"

    monkeypatch.setattr(build, "_warm_up", lambda settings: None)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest's own threads aside
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: Context())
    assert build._start_pool(build.BuildSettings(), 2) == "pool"
    assert frozen_at_fork and frozen_at_fork[0] > 0  # what was loaded is frozen when the workers are forked
    assert gc.get_freeze_count() == 0  # and this process collects it again afterwards
