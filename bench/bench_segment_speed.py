"""Segmentation speed (one core) with the lexicon of the default learner, with and without its
bigram level (issue 15): the segmenter is the same unigram decoder; only the lexicon differs.

Both lexicons are learned from pd1998's raw text plus the discovery bench's modern extra corpora;
then pd1998's raw text is segmented (``Segmenter.segment_lines``, one process, numba warm) ``--repeat``
times, the two lexicons interleaved, and the fastest pass of each is kept. Speed = characters
of the input (Han and other) per second.

A third row times the default lexicon with the segmenter's ordinal, kana-number and measure-word rules off.

    python bench/bench_segment_speed.py [--data ../shared/data] [--repeat 3]
Writes outputs/bench/segment_speed.{json,md}.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import SHARED, write_results  # noqa: E402
from bench_discovery import MODERN  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=SHARED)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    from minent import Corpus, LexiconLearner
    raw = os.path.join(a.data, "pd1998", "pd1998.raw.txt")
    learn = Corpus([raw, *[os.path.join(a.data, m) for m in MODERN]])
    lines = list(Corpus(raw).lines())
    chars = sum(len(l) for l in lines)
    segs = []
    for name, params in (("without bigram level (issue 12 default)", {"bigram_rounds": 0}),
                         ("default (with bigram level)", {})):
        lex = LexiconLearner(jobs=1, **params).fit(learn).lexicon_
        list(lex.segmenter.segment_lines(lines[:100]))  # warm
        segs.append((name, len(lex), lex.segmenter))
    # the default lexicon again, with the post-segmentation rules of the fifth round (第 + number,
    # number + 年/月/... split on kana lines, traditional numeral + measure word split) switched off:
    # their cost in the segmenter
    segs.append(("default, without the ordinal, kana-number and measure-word rules", segs[-1][1], segs[-1][2]))
    import minent.segment as segment_module
    from minent.pretokenize import join_katakana
    rules = segment_module.after_segmentation
    best = [float("inf")] * len(segs)
    for _ in range(a.repeat):  # interleaved, so all see the same machine load
        for k, (_, _, seg) in enumerate(segs):
            off = k == len(segs) - 1
            if off:
                segment_module.after_segmentation = join_katakana
            t0 = time.perf_counter()
            for _ in seg.segment_lines(lines):
                pass
            best[k] = min(best[k], time.perf_counter() - t0)
            if off:
                segment_module.after_segmentation = rules
    rows = []
    for (name, n, _), b in zip(segs, best):
        rows.append({"lexicon": name, "entries": n, "chars": chars, "seconds": b,
                     "mchars_per_s": chars / b / 1e6, "load_1min": os.getloadavg()[0]})
        print(f"{name:42s} {n:7d} entries  {chars / b / 1e6:.2f} M chars/s", file=sys.stderr)
    text = ("| lexicon | entries | chars | best s | M chars/s |\n|---|---|---|---|---|\n"
            + "".join(f"| {r['lexicon']} | {r['entries']} | {r['chars']} | {r['seconds']:.2f} | "
                      f"{r['mchars_per_s']:.2f} |\n" for r in rows)
            + f"\nOne process, fastest of {a.repeat} passes over pd1998.raw.txt (segment_lines, strings in and "
            "out); both lexicons learned in this run from pd1998 raw + the modern extra corpora; the third "
            "row is the default lexicon with the segmenter's ordinal, kana-number and measure-word rules off. Shared "
            f"2-core machine: 1-minute load {min(r['load_1min'] for r in rows):.1f}-"
            f"{max(r['load_1min'] for r in rows):.1f}.\n")
    write_results("segment_speed", {"rows": rows}, text)


if __name__ == "__main__":
    main()
