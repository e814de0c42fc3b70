"""Word discovery end to end: build a lexicon from raw text, segment it, score against gold.

Protocol (shared/docs/data.md): learn from the raw side only, segment the same raw lines, score
with the SIGHAN definition. OOV recall is over gold words absent from jieba's dictionary.
Each data set runs in a fresh process (wall time and peak memory are its own).

    python bench/bench_segmentation.py [--data ../shared/data] [--param min_pmi=2 ...]
Writes outputs/bench/segmentation.{json,md}.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import SHARED, emit, run_job, write_results  # noqa: E402

SETS = {"pd1998": "pd1998/pd1998", "pku-dev": "sighan-dev/pku_dev", "msr-dev": "sighan-dev/msr_dev"}


def job(data: str, name: str, params: dict) -> None:
    from minent import Corpus, information_per_char, learn_lexicon, score_segmentation
    from minent.newwords import load_reference_words
    base = os.path.join(data, SETS[name])
    t0 = time.perf_counter()
    corpus = Corpus(base + ".raw.txt")
    lex = learn_lexicon(corpus, preset="faithful", **params)  # the four steps and their parameters
    t_build = time.perf_counter() - t0
    seg = lex.segmenter
    t0 = time.perf_counter()
    pred = [seg.segment_text(line) for line in corpus.lines()]
    t_seg = time.perf_counter() - t0
    gold = list(Corpus(base + ".gold.txt").lines())
    score = score_segmentation(gold, pred, load_reference_words("jieba"))
    info_c = information_per_char(corpus)
    info_l = information_per_char(corpus, lex)
    emit({"set": name, **score.as_dict(), "lexicon_size": len(lex),
          "multi_char_words": lex.report["multi_char_words"], "chars": info_c.chars,
          "L_char_bits": info_c.L_bits, "L_lexicon_bits": info_l.L_bits,
          "build_s": t_build, "segment_s": t_seg, "params": lex.report["parameters"]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=SHARED)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--param", action="append", default=[], help="four-step (preset faithful) parameter, e.g. min_pmi=2")
    ap.add_argument("--name", default="segmentation", help="result file name under outputs/bench/")
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    params = {}
    for kv in a.param:
        k, v = kv.split("=", 1)
        params[k] = v if k == "redundancy_threshold" and v == "len-1" else float(v) if "." in v or "e" in v else int(v)
    if a.job is not None:
        job(a.data, a.job[0], params)
        return
    rows = [run_job(__file__, s, "--data", a.data, *sum((["--param", p] for p in a.param), []))
            for s in a.sets.split(",")]
    head = ("| data | P | R | F1 | OOV-R | lexicon | L chars | L lexicon | build s | segment s | peak MB |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| {r['set']} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['oov_recall']:.4f} | "
        f"{r['lexicon_size']} | {r['L_char_bits']:.3f} | {r['L_lexicon_bits']:.3f} | {r['build_s']:.1f} | "
        f"{r['segment_s']:.1f} | {r['peak_rss_mb']:.0f} |\n" for r in rows)
    note = (f"\nParameters: {rows[0]['params']} (defaults unless given). L in bits/char, in-sample. "
            "OOV-R: recall of gold words absent from jieba's dictionary. Wall times include numba "
            "compilation only when the cache is cold.\n")
    write_results(a.name, {"rows": rows}, head + body + note)


if __name__ == "__main__":
    main()
