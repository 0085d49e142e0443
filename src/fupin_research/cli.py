"""The ``fupin`` command line: ``fupin build``, ``fupin report``, ``fupin quantities``, ``fupin bench``.

Errors in the input are reported in one line naming the file; no traceback. Exit codes: 0 success,
1 finished but something was skipped or failed, 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fupin_research.errors import InputError


def _error(message: str) -> None:
    print(f"fupin: error: {message}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from fupin_research.build import BuildSettings, build_corpus
    from fupin_research.paths import seed_corpus_dir

    corpus = Path(args.corpus) if args.corpus else seed_corpus_dir()
    if args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: give a number of processes, 1 or more")

    def on_skip(name: str, reason: str) -> None:
        print(f"fupin: skipped {name}: {reason}", file=sys.stderr)

    show_progress = not args.quiet and sys.stderr.isatty()
    try:
        from fupin_research.segment import resolve_segmenter

        # where rjieba has no wheel for this platform, say so in one line and use jieba (the same tokens)
        say = None if args.quiet else lambda line: print(line, file=sys.stderr)
        segmenter = resolve_segmenter(args.segmenter, echo=say)
        settings = BuildSettings(segmenter=segmenter)
        summary = build_corpus(
            corpus, args.out, jobs=args.jobs, scheduler=args.scheduler, settings=settings,
            incremental=not args.no_cache, on_skip=on_skip, progress=show_progress,
        )
    except ValueError as error:  # bad settings, e.g. a segmenter that is not installed
        if isinstance(error, InputError):
            raise
        raise InputError(str(error)) from None
    if not args.quiet:
        print(summary.line(), file=sys.stderr)
        print(f"tables in {args.out}: {', '.join(summary.tables)}", file=sys.stderr)
    return 1 if summary.skipped else 0


def cmd_report(args: argparse.Namespace) -> int:
    from fupin_research.report import build_report

    results = build_report(args.out, save=args.save_notebooks, echo=lambda line: print(line, file=sys.stderr))
    failed = [r for r in results if r.error]
    index = Path(args.out) / "index.html"
    print(f"report: {index} ({len(results) - len(failed)} of {len(results)} notebooks ran)", file=sys.stderr)
    for result in failed:
        print(f"fupin: notebook failed: {result.error}", file=sys.stderr)
    return 1 if failed else 0


def cmd_quantities(args: argparse.Namespace) -> int:
    import pandas as pd

    from fupin_research.build import quantities_table
    from fupin_research.corpus import read_document

    failed = False
    header = True
    for name in args.files:
        try:
            table = quantities_table(read_document(name))
        except InputError as error:
            _error(str(error))
            failed = True
            continue
        table = table.astype(object).where(pd.notna(table), "")
        table.to_csv(sys.stdout, index=False, header=header, lineterminator="\n")
        header = False
    return 1 if failed else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from fupin_research import bench

    if not 0 < args.size <= 100_000:  # also refuses nan and inf
        raise InputError(f"--size {args.size}: give a number of megabytes between 0 and 100000")
    if args.json:
        print(bench.main_json(args.size, args.segmenter))
    else:
        results = bench.run_benchmark(args.size, segmenter=args.segmenter,
                                      echo=lambda line: print(line, file=sys.stderr))
        print(bench.format_report(results))
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fupin`` command."""
    parser = argparse.ArgumentParser(
        prog="fupin",
        description="fupin-research: reproducible analysis of Chinese poverty-alleviation policy texts.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser(
        "build", help="read a folder of texts and write the tables (CSV + Parquet)",
        description="Read a folder of text files (optional manifest.csv) and write the tables "
        "(documents, sentences, tokens, warnings, offset_map, skipped, ...) as CSV and Parquet into --out.",
    )
    build.add_argument("corpus", nargs="?", help="folder of text files (default: the embedded seed corpus)")
    build.add_argument("--out", required=True, help="output folder for the tables")
    build.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="process documents in N worker processes (default 1; same tables for any N)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786 (pip install 'fupin-research[dask]')")
    build.add_argument("--segmenter", default="auto", choices=["auto", "jieba", "rjieba"],
                       help="word segmenter, jieba 0.42.1's tokens either way: jieba is the reference, rjieba "
                            "computes them in compiled code (faster); auto (default) takes rjieba where installed")
    build.add_argument("--no-cache", action="store_true",
                       help="process every document again (default: reuse unchanged documents from the last build)")
    build.add_argument("--quiet", action="store_true", help="print nothing but errors")
    build.set_defaults(run=cmd_build)
    report = commands.add_parser(
        "report", help="execute every notebook and publish them as a book (static site)",
        description="Execute every notebook in notebooks/ in a fresh kernel (two at a time) and build the teaching "
        "book from them into --out: a static site (Sphinx, myst-nb) with search, glossary, bibliography and a CJK "
        "web font; open index.html.",
    )
    report.add_argument("--out", default="report", help="output folder (default: report)")
    report.add_argument("--save-notebooks", action="store_true",
                        help="also write the executed notebooks back into notebooks/ (to commit their outputs)")
    report.set_defaults(run=cmd_report)
    quantities = commands.add_parser(
        "quantities", help="print the quantities of text files as CSV (for shell pipelines)",
        description="Extract every quantity (number, magnitude, unit, approximation, indicator, year, place) from "
        "each FILE and print one CSV table with doc_id to standard output. start/end point into the normalized "
        "text, raw_start/raw_end into the file's text.",
    )
    quantities.add_argument("files", nargs="+", metavar="FILE")
    quantities.set_defaults(run=cmd_quantities)
    bench = commands.add_parser(
        "bench", help="measure the pipeline's speed and memory on this machine",
        description="Build a corpus of --size MB from the shipped texts and measure bare jieba (the baseline), "
        "each pipeline stage, the whole build with --jobs 1 and --jobs 2, and peak memory; print ratios "
        "against the baseline.",
    )
    bench.add_argument("--size", type=float, default=20.0, metavar="MB", help="corpus size in MB (default 20)")
    bench.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    bench.add_argument("--segmenter", default="auto", choices=["auto", "jieba", "rjieba"],
                       help="the build's segmenter (the baseline is always bare jieba)")
    bench.set_defaults(run=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fupin`` command."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except InputError as error:
        _error(str(error))
        return 2
    except BrokenPipeError:
        # the reader of our output went away (fupin quantities ... | head): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _error("interrupted; previous tables are left as they were")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
