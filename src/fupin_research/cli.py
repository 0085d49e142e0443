"""The ``fupin`` command line: ``fupin build``, ``fupin report``, ``fupin quantities``.

Errors in the input are reported in one line naming the file; no traceback. Exit codes: 0 success,
1 finished but something was skipped or failed, 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fupin_research.errors import InputError


def _error(message: str) -> None:
    print(f"fupin: error: {message}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from fupin_research.build import build_corpus
    from fupin_research.paths import seed_corpus_dir

    corpus = Path(args.corpus) if args.corpus else seed_corpus_dir()

    def on_skip(name: str, reason: str) -> None:
        print(f"fupin: skipped {name}: {reason}", file=sys.stderr)

    show_progress = not args.quiet and sys.stderr.isatty()
    summary = build_corpus(corpus, args.out, on_skip=on_skip, progress=show_progress)
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
    build.add_argument("--quiet", action="store_true", help="print nothing but errors")
    build.set_defaults(run=cmd_build)
    report = commands.add_parser(
        "report", help="execute every notebook and write an HTML report",
        description="Execute every notebook in notebooks/ in a fresh kernel and write an HTML report "
        "(index.html linking each executed notebook) into --out.",
    )
    report.add_argument("--out", default="report", help="output folder (default: report)")
    report.add_argument("--save-notebooks", action="store_true",
                        help="also write the executed notebooks back into notebooks/ (to commit their outputs)")
    report.set_defaults(run=cmd_report)
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
    except KeyboardInterrupt:
        _error("interrupted; previous tables are left as they were")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
