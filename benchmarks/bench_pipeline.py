"""Benchmark the pipeline against bare jieba in the same run (the same as `fupin bench`).

Usage: python benchmarks/bench_pipeline.py [SIZE_MB] [auto|jieba|rjieba]

Prints every stage's throughput and the whole build's (--jobs 1 and --jobs 2) as ratios to bare jieba.lcut on the
same text, plus peak memory, so that figures from a busy or slow machine stay comparable. Targets (issue 16, at
200 MB): build --jobs 1 >= 3.0x baseline, --jobs 2 >= 1.8x --jobs 1, peak RSS <= 1 GB, start-up <= 1 s.
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
    print(f"targets: jobs1/baseline {results['build_jobs1_mb_s'] / base:.2f} (>= 3.0), "
          f"jobs2/jobs1 {results['ratio_build_jobs2_to_jobs1']:.2f} (>= 1.8), "
          f"peak RSS {results['peak_rss_mb']:.0f} MB and --jobs 2 {results['peak_rss_jobs2_mb']:.0f} MB (<= 1000), "
          f"start-up {results['startup_s']:.2f} s (<= 1)")
    if "segment_bare_rjieba_mb_s" in results:  # what compiled code already costs, against the 3x budget
        floor = 1 / results["segment_bare_rjieba_mb_s"] + 1 / results["write_mb_s"]
        print(f"3x bare jieba leaves {1 / (3 * base):.3f} s/MB for the whole build; bare rjieba.cut and writing the "
              f"tables (both compiled code) take {floor:.3f} s/MB of it")
