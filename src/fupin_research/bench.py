"""``fupin bench``: measure the pipeline on this machine, as ratios against bare jieba in the same run.

A corpus of the requested size is made from the shipped texts (the five seeds and the government work reports,
copied round-robin under new names). Then, on the same files:

- ``read_<format>_mb_s`` for html, pdf, docx and text (:func:`read_rates_by_format`), with its ratio to the
  segmentation stage (``ratio_read_<format>_to_segment``);
- ``baseline_mb_s``: bare ``jieba.Tokenizer().lcut`` (jieba 0.42.1, default dictionary) on the raw text;
- one ``<stage>_mb_s`` per stage of the pipeline, run in this process: read, normalize, segment, quantities,
  formulas, time expressions, units/codes;
- ``build_jobs1_mb_s`` and ``build_jobs2_mb_s``: the whole ``fupin build`` in a fresh process, from scratch;
- ``peak_rss_mb``: the peak resident memory of the ``--jobs 1`` build (sampled every 50 ms).

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


def _peak_rss_of(command: list[str]) -> tuple[float, float]:
    """Run ``command``; return (seconds, peak RSS in MB of it and its children, sampled every 50 ms)."""
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise RuntimeError(f"build failed: {process.stderr.read().decode(errors='replace')[-500:]}")
    return seconds, peak / 1e6


def run_benchmark(
    size_mb: float = 20.0, *, segmenter: str = "auto", echo: Callable[[str], None] = lambda line: None
) -> dict[str, float]:
    """Run the benchmark on a corpus of ``size_mb`` MB and return the figures (see the module docstring).

    ``segmenter`` is the build's segmenter (``auto``: ``jieba_fast`` where installed); the baseline is always
    bare jieba.
    """
    import jieba
    import pandas as pd

    from fupin_research.build import document_units, time_context
    from fupin_research.coding import code_units
    from fupin_research.corpus import make_document
    from fupin_research.extract.formulas import extract_formulas
    from fupin_research.extract.time_expressions import extract_time_expressions
    from fupin_research.io import read_text_with_encoding
    from fupin_research.normalize import normalize_with_offsets
    from fupin_research.segment import get_tokenizer, resolve_segmenter, tokenize

    try:
        from fupin_research.extract.quantities import extract_quantities
    except ImportError:  # pragma: no cover - the extractor ships with the package
        extract_quantities = None

    segmenter = resolve_segmenter(segmenter)
    workdir = Path(tempfile.mkdtemp(prefix="fupin-bench-"))
    try:
        corpus = workdir / "corpus"
        megabytes = make_bench_corpus(corpus, size_mb)
        files = sorted(corpus.glob("*.txt"))
        echo(f"corpus: {len(files)} files, {megabytes:.1f} MB")
        results: dict[str, float | str] = {
            "corpus_mb": round(megabytes, 3), "cores": os.cpu_count() or 1, "segmenter": segmenter,
        }

        raw: list[tuple[Path, str, str]] = []
        results["read_mb_s"] = _rate(megabytes, _timed(
            lambda: raw.extend((p, *read_text_with_encoding(p)) for p in files)))
        bare = jieba.Tokenizer()
        bare.initialize()
        results["baseline_mb_s"] = _rate(megabytes, _timed(lambda: [bare.lcut(text) for _, text, _ in raw]))
        echo(f"baseline (bare jieba.lcut): {results['baseline_mb_s']} MB/s")
        normalized = []
        results["normalize_mb_s"] = _rate(megabytes, _timed(
            lambda: normalized.extend(normalize_with_offsets(text) for _, text, _ in raw)))
        texts = [n.text for n in normalized]
        get_tokenizer(backend=segmenter)
        results["segment_mb_s"] = _rate(megabytes, _timed(lambda: [tokenize(t, backend=segmenter) for t in texts]))
        if extract_quantities is not None:
            results["quantities_mb_s"] = _rate(megabytes, _timed(lambda: [extract_quantities(t) for t in texts]))
        results["formulas_mb_s"] = _rate(megabytes, _timed(lambda: [extract_formulas(t) for t in texts]))
        results["time_expressions_mb_s"] = _rate(megabytes, _timed(
            lambda: [extract_time_expressions(t, **time_context({})) for t in texts]))
        documents = [make_document(p, text, enc) for p, text, enc in raw]
        code_units(pd.DataFrame({"doc_id": [], "unit_id": [], "start": [], "text": []}))
        results["units_codes_mb_s"] = _rate(megabytes, _timed(
            lambda: [code_units(document_units(d)) for d in documents]))
        for stage in ("read", "normalize", "segment", "quantities", "formulas", "time_expressions", "units_codes"):
            if f"{stage}_mb_s" in results:
                echo(f"{stage}: {results[f'{stage}_mb_s']} MB/s")
        # reading web pages, PDFs and Word files, against segmentation (reading must never be the slow stage)
        for key, rate in read_rates_by_format().items():
            results[key] = rate
            results[f"ratio_{key[:-5]}_to_segment"] = round(rate / results["segment_mb_s"], 3)
            echo(f"{key[:-5]}: {rate} MB/s ({results[f'ratio_{key[:-5]}_to_segment']}× segmentation)")

        command = [sys.executable, "-m", "fupin_research", "build", str(corpus), "--no-cache", "--quiet",
                   "--segmenter", segmenter]
        seconds, peak = _peak_rss_of([*command, "--out", str(workdir / "out1"), "--jobs", "1"])
        results["build_jobs1_mb_s"] = _rate(megabytes, seconds)
        results["peak_rss_mb"] = round(peak, 1)
        echo(f"build --jobs 1: {results['build_jobs1_mb_s']} MB/s, peak RSS {peak:.0f} MB")
        seconds, peak2 = _peak_rss_of([*command, "--out", str(workdir / "out2"), "--jobs", "2"])
        results["build_jobs2_mb_s"] = _rate(megabytes, seconds)
        results["peak_rss_jobs2_mb"] = round(peak2, 1)
        echo(f"build --jobs 2: {results['build_jobs2_mb_s']} MB/s, peak RSS {peak2:.0f} MB (all processes)")
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
    return "\n".join(lines)


def main_json(size_mb: float, segmenter: str = "auto") -> str:
    """The benchmark as one JSON object (for ``fupin bench --json``)."""
    return json.dumps(run_benchmark(size_mb, segmenter=segmenter), sort_keys=True)
