"""Counting throughput: minent's numba core vs a plain collections.Counter, same counts, same text.

Both count Han characters and adjacent Han pairs over maximal Han runs (rules off, so the pieces
are exactly the regex runs the Counter version uses) and the bench checks that the counts agree.
Each side runs in a fresh process: wall time includes reading and decoding the file; peak memory is
the process's own (the Python interpreter and imports included).

    python bench/bench_counting.py [--source FILE] [--mb 22]
The text is SOURCE repeated to at least MB megabytes (default: pd1998 raw if present, else the
shipped sample). Writes outputs/bench/counting.{json,md}.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import SHARED, emit, peak_rss_mb, run_job, write_results  # noqa: E402
from minent.data import sample_corpus  # noqa: E402

HAN_RUN = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af]+")


def digest(chars: dict, pairs: dict) -> str:
    h = hashlib.sha256()
    for k in sorted(chars):
        h.update(f"{k}{chars[k]}".encode())
    for k in sorted(pairs):
        h.update(f"{k}{pairs[k]}".encode())
    return h.hexdigest()[:16]


def job_numba(path: str) -> None:
    import numpy as np
    from minent import Corpus, count_chars_pairs
    count_chars_pairs(["预热编译"], rules=False)  # compile (or load the cache) outside the timing
    base = peak_rss_mb()
    t0 = time.perf_counter()
    cp = count_chars_pairs(Corpus(path), rules=False)
    wall = time.perf_counter() - t0
    nz = np.nonzero(cp.chars)[0]
    keys, vals = cp.pairs.items()
    chars = {chr(c): int(cp.chars[c]) for c in nz}
    pairs = {chr(k >> 21) + chr(k & 0x1FFFFF): int(v) for k, v in zip(keys.tolist(), vals.tolist())}
    emit({"impl": "minent numba", "count_s": wall, "han_chars": cp.n_chars, "distinct_pairs": len(pairs),
          "digest": digest(chars, pairs), "rss_before_counting_mb": base})


def job_counter(path: str) -> None:
    from collections import Counter
    base = peak_rss_mb()
    t0 = time.perf_counter()
    chars, pairs = Counter(), Counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            for run in HAN_RUN.findall(line):
                chars.update(run)
                pairs.update(map(str.__add__, run, run[1:]))
    wall = time.perf_counter() - t0
    emit({"impl": "collections.Counter", "count_s": wall, "han_chars": sum(chars.values()),
          "distinct_pairs": len(pairs), "digest": digest(chars, pairs), "rss_before_counting_mb": base})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.path.join(SHARED, "pd1998", "pd1998.raw.txt")
    if not os.path.exists(default):
        default = str(sample_corpus())
    ap.add_argument("--source", default=default)
    ap.add_argument("--mb", type=float, default=22.0)
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job is not None:
        (job_numba if a.job[0] == "numba" else job_counter)(a.job[1])
        return
    src = open(a.source, encoding="utf-8").read()
    if not src.endswith("\n"):
        src += "\n"
    reps = max(1, int(a.mb * 2**20 / len(src.encode("utf-8")) + 0.999))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "corpus.txt")
        with open(path, "w", encoding="utf-8") as fh:
            for _ in range(reps):
                fh.write(src)
        size_mb = os.path.getsize(path) / 2**20
        rows = [run_job(__file__, "numba", path), run_job(__file__, "counter", path)]
    same = rows[0]["digest"] == rows[1]["digest"]
    speedup = rows[1]["count_s"] / rows[0]["count_s"]
    table = ("| implementation | time s | MB/s | peak RSS MB | of which before counting | Han chars | distinct pairs |\n"
             "|---|---|---|---|---|---|---|\n")
    for r in rows:
        table += (f"| {r['impl']} | {r['count_s']:.2f} | {size_mb / r['count_s']:.1f} | {r['peak_rss_mb']:.0f} | "
                  f"{r['rss_before_counting_mb']:.0f} | {r['han_chars']} | {r['distinct_pairs']} |\n")
    table += (f"\nText: {os.path.basename(a.source)} x {reps} = {size_mb:.1f} MB. Identical counts: {same}. "
              f"Speed-up numba / Counter: {speedup:.1f}x (single core, file reading and decoding included).\n")
    write_results("counting", {"source": a.source, "repeats": reps, "size_mb": size_mb,
                               "identical_counts": same, "speedup": speedup, "rows": rows}, table)
    if not same:
        raise SystemExit("counts differ")


if __name__ == "__main__":
    main()
