"""``fupin bench``: measure the pipeline on this machine, as ratios against bare jieba in the same run.

A corpus of the requested size is made from the shipped texts (the five seeds and the government work reports,
copied round-robin under new names). Then, on the same files:

- ``read_<format>_mb_s`` for html, pdf, docx and text (:func:`read_rates_by_format`), with its ratio to the
  segmentation stage (``ratio_read_<format>_to_segment``);
- ``baseline_mb_s``: bare ``jieba.Tokenizer().lcut`` (jieba 0.42.1, default dictionary) on the raw text;
- ``startup_s``: a fresh process importing the build and loading its segmenter and codebook (best of 3);
- one ``<stage>_mb_s`` per stage of the pipeline (:func:`stage_functions`), run in this process on the first
  20 MB of the corpus (``stage_sample_mb``; the baseline too): read, normalize, segment, sentences, warnings,
  quantities, attribution and audit, formulas, time expressions, units, codes, primary codes; ``write_mb_s``,
  writing their tables as CSV and Parquet; with rjieba, ``segment_bare_rjieba_mb_s``: ``rjieba.cut`` alone,
  the compiled part of the segment stage;
- ``build_jobs1_mb_s`` and ``build_jobs2_mb_s``: the whole ``fupin build`` in a fresh process, from scratch;
- ``peak_rss_mb`` and ``peak_rss_jobs2_mb``: the peak resident memory of the ``--jobs 1`` and ``--jobs 2`` builds,
  summed over their processes (sampled every 50 ms); ``peak_pss_mb`` and ``peak_pss_jobs2_mb`` the same as
  proportional set sizes, which count a page the forked workers share with their parent once (Linux only);
- per segmenter: where the build's segmenter is rjieba, ``segment_jieba_mb_s``, ``startup_jieba_s`` and
  ``build_jobs1_jieba_mb_s`` measure the reference segmenter in the same run.

Throughputs are megabytes of raw UTF-8 per second; ratios divide by the baseline, so figures taken on a busy or
slow machine stay comparable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fupin_research.paths import reports_corpus_dir, seed_corpus_dir


def make_bench_corpus(folder: Path, size_mb: float) -> float:
    """Fill ``folder`` with copies of the shipped texts until it holds ``size_mb`` MB; return the MB written."""
    sources = sorted(seed_corpus_dir().glob("*.txt")) + sorted(reports_corpus_dir().glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    written, index = 0, 0
    while written < size_mb * 1e6:
        source = sources[index % len(sources)]
        target = folder / f"{index:06d}_{source.stem}.txt"
        shutil.copyfile(source, target)
        written += target.stat().st_size
        index += 1
    return written / 1e6


# One file of each kind the readers know, from the shipped example folder (the text file is GBK).
FORMAT_SAMPLES = {"html": "mee_weekly.html", "pdf": "notice_64.pdf", "docx": "indicators_2015.docx",
                  "text": "resolution_2016.txt"}


def read_rates_by_format(min_seconds: float = 0.5) -> dict[str, float]:
    """Reading speed per format in MB/s of file bytes (``read_<format>_mb_s``), each file read repeatedly.

    The files are those of ``data/examples/mixed_formats`` (a gov.cn-style web page, a 3-page PDF with a text
    layer, a DOCX with a table, a GBK text file).

    Example:
        >>> sorted(read_rates_by_format(0.01))
        ['read_docx_mb_s', 'read_html_mb_s', 'read_pdf_mb_s', 'read_text_mb_s']
    """
    from fupin_research.paths import data_dir
    from fupin_research.readers import read_bytes

    folder = data_dir() / "examples" / "mixed_formats"
    rates = {}
    for kind, name in FORMAT_SAMPLES.items():
        data = (folder / name).read_bytes()
        read_bytes(data, name)  # imports and caches warmed up
        rounds, started = 0, time.perf_counter()
        while rounds == 0 or time.perf_counter() - started < min_seconds:
            read_bytes(data, name)
            rounds += 1
        rates[f"read_{kind}_mb_s"] = _rate(len(data) * rounds / 1e6, time.perf_counter() - started)
    return rates


def _rate(megabytes: float, seconds: float) -> float:
    return round(megabytes / seconds, 3) if seconds > 0 else float("inf")


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _proportional_mb(pid: int) -> float | None:
    """The proportional set size (PSS) of a process in MB: its private pages plus its share of the pages it shares
    with other processes (forked workers share what the parent loaded). None where Linux's smaps_rollup is absent."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024 / 1e6  # Linux's "kB" are KiB
    except OSError:
        return None
    return None  # a process that has ended but not been reaped (a zombie) lists no Pss: that sample is skipped


def _peak_rss_of(command: list[str]) -> tuple[float, float, float | None]:
    """Run ``command``; return (seconds, peak RSS in MB, peak PSS in MB) of it and its children together.

    The RSS sum counts a page shared by forked processes once per process (it overstates a pool's memory); the
    PSS sum counts it once in all (None where the system does not report PSS). RSS is sampled every 50 ms and PSS
    every 250 ms. The process list is refreshed once a second: listing children scans every process of the
    system, and on a 2-core machine a sampler that does so every 50 ms takes CPU from the build it measures.
    """
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(process.pid)
    tree: list = [watched]
    peak_rss, peak_pss, samples = 0, None, 0
    while process.poll() is None:
        try:
            if samples % 20 == 0:
                tree = [watched, *watched.children(recursive=True)]
            alive = [p for p in tree if p.is_running()]
            peak_rss = max(peak_rss, sum(p.memory_info().rss for p in alive))
            if samples % 5 == 0:
                shares = [_proportional_mb(p.pid) for p in alive]
                if None not in shares:
                    peak_pss = max(peak_pss or 0.0, sum(shares))
        except psutil.Error:
            pass  # a worker ended between listing and reading
        samples += 1
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise RuntimeError(f"build failed: {process.stderr.read().decode(errors='replace')[-500:]}")
    return seconds, peak_rss / 1e6, peak_pss


STAGE_SAMPLE_MB = 20.0


def _startup_seconds(segmenter: str) -> float:
    """Seconds a fresh process takes to import the build and load what its workers load (dictionary, codebook)."""
    code = ("from fupin_research.build import BuildSettings, _warm_up; "
            f"_warm_up(BuildSettings(segmenter={segmenter!r}))")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def stage_functions(segmenter: str) -> dict[str, Callable[[object], object]]:
    """The stages of a build, each a function of one document (:class:`fupin_research.corpus.Document`), in order.

    Example:
        >>> list(stage_functions("jieba"))  # doctest: +NORMALIZE_WHITESPACE
        ['normalize', 'segment', 'sentences', 'warnings', 'quantities', 'attribution_audit', 'formulas',
         'time_expressions', 'units', 'codes', 'primary_codes']
    """
    from fupin_research.audit import attribute_quantities, audit_quantities
    from fupin_research.build import document_units, quantity_context, time_context
    from fupin_research.coding import code_units, primary_codes
    from fupin_research.damage import detect_damage
    from fupin_research.extract.formulas import extract_formulas
    from fupin_research.extract.quantities import extract_quantities
    from fupin_research.extract.time_expressions import extract_time_expressions
    from fupin_research.normalize import normalize_with_offsets
    from fupin_research.segment import get_tokenizer, load_stopwords, token_lists
    from fupin_research.split import split_sentences

    def attribution_audit(doc):
        context = quantity_context(doc)
        found = attribute_quantities(doc.text, extract_quantities(doc.text), split_sentences(doc.text), **context)
        return audit_quantities(doc.text, found, **context)

    def primary(doc):
        units = document_units(doc)
        return primary_codes(code_units(units), units=units)

    return {
        "normalize": lambda doc: normalize_with_offsets(doc.raw),
        "segment": lambda doc: token_lists(doc.text, get_tokenizer(backend=segmenter), load_stopwords()),
        "sentences": lambda doc: split_sentences(doc.text, doc.doc_id),
        "warnings": lambda doc: detect_damage(doc.text, doc.doc_id),
        "quantities": lambda doc: extract_quantities(doc.text),
        "attribution_audit": attribution_audit,  # includes quantities and sentences again
        "formulas": lambda doc: extract_formulas(doc.text),
        "time_expressions": lambda doc: extract_time_expressions(doc.text, **time_context(doc.meta)),
        "units": document_units,
        "codes": lambda doc: code_units(document_units(doc)),  # includes units
        "primary_codes": primary,  # includes units and codes
    }


def _writing_seconds(documents: list, segmenter: str, folder: Path) -> float:
    """Seconds spent writing the documents' tables as a build writes them (CSV and Parquet, one writer per table),
    the tables made one document at a time and not timed."""
    from fupin_research.build import _document_tables
    from fupin_research.tables import TableWriter

    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, TableWriter] = {}
    seconds = 0.0
    for doc in documents:
        tables = _document_tables(doc, segmenter, arrow=True)
        started = time.perf_counter()
        for name, table in tables.items():
            if name not in writers:
                writers[name] = TableWriter(folder, name)
            writers[name].append(table)
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    for writer in writers.values():
        writer.close()
    seconds += time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


def run_benchmark(
    size_mb: float = 20.0, *, segmenter: str = "auto", echo: Callable[[str], None] = lambda line: None
) -> dict[str, float]:
    """Run the benchmark on a corpus of ``size_mb`` MB and return the figures (see the module docstring).

    ``segmenter`` is the build's segmenter (``auto``: ``rjieba`` where installed); where it is not jieba, the
    segmentation stage, start-up and the ``--jobs 1`` build are measured with jieba too (``*_jieba`` keys).
    The baseline is always bare jieba.
    """
    from fupin_research.build import BuildSettings, _warm_up
    from fupin_research.corpus import make_document
    from fupin_research.io import read_text_with_encoding
    from fupin_research.segment import _jieba, resolve_segmenter

    segmenter = resolve_segmenter(segmenter)
    others = [name for name in ("jieba",) if name != segmenter]
    workdir = Path(tempfile.mkdtemp(prefix="fupin-bench-"))
    try:
        corpus = workdir / "corpus"
        megabytes = make_bench_corpus(corpus, size_mb)
        files = sorted(corpus.glob("*.txt"))
        echo(f"corpus: {len(files)} files, {megabytes:.1f} MB")
        results: dict[str, float | str] = {
            "corpus_mb": round(megabytes, 3), "cores": os.cpu_count() or 1, "segmenter": segmenter,
        }
        for name in (segmenter, *others):
            key = "startup_s" if name == segmenter else f"startup_{name}_s"
            results[key] = round(min(_startup_seconds(name) for _ in range(3)), 3)
            echo(f"start-up ({name}): {results[key]} s")

        # the stages run in this process on the first STAGE_SAMPLE_MB of the corpus (a document in memory takes
        # ~30 times its size); the builds below read all of it
        sample, sample_mb = [], 0.0
        for path in files:
            if sample_mb >= STAGE_SAMPLE_MB:
                break
            sample.append(path)
            sample_mb += path.stat().st_size / 1e6
        results["stage_sample_mb"] = round(sample_mb, 3)
        raw: list[tuple[Path, str, str]] = []
        results["read_mb_s"] = _rate(sample_mb, _timed(
            lambda: raw.extend((p, *read_text_with_encoding(p)) for p in sample)))
        bare = _jieba().Tokenizer()  # bare jieba 0.42.1, default dictionary; its log lines kept quiet
        bare.initialize()
        results["baseline_mb_s"] = _rate(sample_mb, _timed(lambda: [bare.lcut(text) for _, text, _ in raw]))
        echo(f"baseline (bare jieba.lcut): {results['baseline_mb_s']} MB/s")
        documents = [make_document(p, text, enc) for p, text, enc in raw]
        _warm_up(BuildSettings(segmenter))
        for stage, function in stage_functions(segmenter).items():
            results[f"{stage}_mb_s"] = _rate(sample_mb, _timed(lambda run=function: [run(d) for d in documents]))
            echo(f"{stage}: {results[f'{stage}_mb_s']} MB/s")
        results["write_mb_s"] = _rate(sample_mb, _writing_seconds(documents, segmenter, workdir / "written"))
        echo(f"write (CSV and Parquet): {results['write_mb_s']} MB/s")
        if segmenter == "rjieba":  # the compiled part of the segment stage, without offsets and stopword flags
            import rjieba

            rjieba.cut("扶贫")  # loads its dictionary
            results["segment_bare_rjieba_mb_s"] = _rate(sample_mb, _timed(
                lambda: [rjieba.cut(text) for _, text, _ in raw]))
            echo(f"bare rjieba.cut: {results['segment_bare_rjieba_mb_s']} MB/s")
        for name in others:
            _warm_up(BuildSettings(name))
            function = stage_functions(name)["segment"]
            results[f"segment_{name}_mb_s"] = _rate(sample_mb, _timed(lambda run=function: [run(d) for d in documents]))
            echo(f"segment ({name}): {results[f'segment_{name}_mb_s']} MB/s")
        # reading web pages, PDFs and Word files, against segmentation (reading must never be the slow stage)
        for key, rate in read_rates_by_format().items():
            results[key] = rate
            results[f"ratio_{key[:-5]}_to_segment"] = round(rate / results["segment_mb_s"], 3)
            echo(f"{key[:-5]}: {rate} MB/s ({results[f'ratio_{key[:-5]}_to_segment']}× segmentation)")

        def build(name: str, jobs: int, out: str) -> tuple[float, float, float | None]:
            command = [sys.executable, "-m", "fupin_research", "build", str(corpus), "--no-cache", "--quiet",
                       "--segmenter", name, "--out", str(workdir / out), "--jobs", str(jobs)]
            seconds, rss, pss = _peak_rss_of(command)
            shutil.rmtree(workdir / out, ignore_errors=True)
            return _rate(megabytes, seconds), round(rss, 1), None if pss is None else round(pss, 1)

        results["build_jobs1_mb_s"], results["peak_rss_mb"], pss = build(segmenter, 1, "out1")
        if pss is not None:
            results["peak_pss_mb"] = pss
        echo(f"build --jobs 1: {results['build_jobs1_mb_s']} MB/s, peak RSS {results['peak_rss_mb']:.0f} MB")
        results["build_jobs2_mb_s"], results["peak_rss_jobs2_mb"], pss = build(segmenter, 2, "out2")
        if pss is not None:
            results["peak_pss_jobs2_mb"] = pss
        echo(f"build --jobs 2: {results['build_jobs2_mb_s']} MB/s, peak RSS {results['peak_rss_jobs2_mb']:.0f} MB "
             f"(all processes; PSS {pss or float('nan'):.0f} MB)")
        for name in others:
            results[f"build_jobs1_{name}_mb_s"], results[f"peak_rss_{name}_mb"], _ = build(name, 1, f"out_{name}")
            echo(f"build --jobs 1 --segmenter {name}: {results[f'build_jobs1_{name}_mb_s']} MB/s")
        base = results["baseline_mb_s"]
        results["ratio_build_jobs1_to_baseline"] = round(results["build_jobs1_mb_s"] / base, 3)
        results["ratio_build_jobs2_to_jobs1"] = round(results["build_jobs2_mb_s"] / results["build_jobs1_mb_s"], 3)
        for key in [k for k in results if k.endswith("_mb_s") and k != "baseline_mb_s"]:
            results[f"ratio_{key[:-5]}_to_baseline"] = round(results[key] / base, 3)
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def format_report(results: dict) -> str:
    """A readable table of the benchmark figures, throughputs with their ratio to the baseline."""
    lines = [f"corpus: {results['corpus_mb']} MB on {int(results['cores'])} cores, segmenter {results['segmenter']}",
             f"{'measure':<26}{'MB/s':>10}{'× baseline':>12}"]
    for key, value in results.items():
        if key.endswith("_mb_s") and isinstance(value, float):
            ratio = results.get(f"ratio_{key[:-5]}_to_baseline", 1.0)
            lines.append(f"{key[:-5]:<26}{value:>10.3f}{ratio:>12.2f}")
    lines.append(f"build --jobs 2 / --jobs 1: {results['ratio_build_jobs2_to_jobs1']:.2f}×")
    lines.append(f"peak RSS (--jobs 1 build): {results['peak_rss_mb']:.0f} MB")
    if "peak_rss_jobs2_mb" in results:
        shared = f", PSS {results['peak_pss_jobs2_mb']:.0f} MB" if "peak_pss_jobs2_mb" in results else ""
        lines.append(f"peak RSS (--jobs 2 build, all processes): {results['peak_rss_jobs2_mb']:.0f} MB{shared}")
    lines.append(f"start-up (imports, dictionary, codebook): {results['startup_s']:.2f} s")
    return "\n".join(lines)


def main_json(size_mb: float, segmenter: str = "auto") -> str:
    """The benchmark as one JSON object (for ``fupin bench --json``)."""
    return json.dumps(run_benchmark(size_mb, segmenter=segmenter), sort_keys=True)
