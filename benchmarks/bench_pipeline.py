"""Benchmark the pipeline against bare jieba in the same run (the same as `fupin bench`).

Usage: python benchmarks/bench_pipeline.py [SIZE_MB] [auto|jieba|jieba_fast]

Prints every stage's throughput and the whole build's (--jobs 1 and --jobs 2) as ratios to bare jieba.lcut on the
same text, plus peak memory, so that figures from a busy or slow machine stay comparable. Targets (issue 6):
build --jobs 1 >= 0.7x baseline, --jobs 2 >= 1.7x --jobs 1, peak RSS <= 1 GB at 200 MB.
"""

from __future__ import annotations

import sys

from fupin_research.bench import format_report, run_benchmark

if __name__ == "__main__":
    size = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    segmenter = sys.argv[2] if len(sys.argv) > 2 else "auto"
    results = run_benchmark(size, segmenter=segmenter, echo=lambda line: print(line, file=sys.stderr))
    print(format_report(results))
    base = results["baseline_mb_s"]
    print(f"targets: jobs1/baseline {results['build_jobs1_mb_s'] / base:.2f} (>= 0.70), "
          f"jobs2/jobs1 {results['ratio_build_jobs2_to_jobs1']:.2f} (>= 1.70)")
