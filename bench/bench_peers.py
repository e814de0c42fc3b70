"""minent next to a widely used peer on the same text: jieba (dictionary + HMM, trained on annotated
corpora — a supervised reference, not an unsupervised method) for segmentation quality and speed.

Quality: jieba's segmentation of the raw lines of pd1998 and the two SIGHAN dev samples, scored like
minent's (SIGHAN definition, OOV recall over words absent from jieba's dictionary). Speed: characters
per second segmenting pd1998's raw text (1.84M characters, 3 rounds, median) with a minent lexicon
(faithful and the default general learner, learned from that text) vs jieba with and without its HMM.

    python bench/bench_peers.py [--data ../shared/data]
Writes outputs/bench/peers.{json,md}.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import SHARED, emit, run_job, write_results  # noqa: E402

SETS = {"pd1998": "pd1998/pd1998", "pku-dev": "sighan-dev/pku_dev", "msr-dev": "sighan-dev/msr_dev"}


def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    t0 = time.perf_counter()
    jieba.initialize()
    return jieba, time.perf_counter() - t0


def job_quality(data: str, name: str) -> None:
    from minent import Corpus, score_segmentation
    from minent.newwords import load_reference_words
    jieba, _ = _jieba()
    base = os.path.join(data, SETS[name])
    raw = list(Corpus(base + ".raw.txt").lines())
    gold = list(Corpus(base + ".gold.txt").lines())
    known = load_reference_words("jieba")
    out = {"set": name}
    for hmm in (True, False):
        pred = [" ".join(w for w in jieba.lcut(line, HMM=hmm) if w.strip()) for line in raw]
        out["hmm" if hmm else "no_hmm"] = score_segmentation(gold, pred, known).as_dict()
    emit(out)


def job_speed(data: str) -> None:
    from minent import Corpus, learn_lexicon
    path = os.path.join(data, SETS["pd1998"]) + ".raw.txt"
    corpus = Corpus(path)
    lines = list(corpus.lines())
    n_chars = sum(len(x) for x in lines)
    jieba, init_s = _jieba()
    lexicons = {"minent faithful": learn_lexicon(corpus, preset="faithful"),
                "minent general (default)": learn_lexicon(corpus)}
    rows = []
    for name, lex in lexicons.items():
        seg = lex.segmenter
        seg.segment_text("预热")
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            for line in lines:
                seg.segment_text(line)
            times.append(time.perf_counter() - t0)
        rows.append({"system": name, "lexicon": len(lex), "s": statistics.median(times)})
    for hmm in (True, False):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            for line in lines:
                jieba.lcut(line, HMM=hmm)
            times.append(time.perf_counter() - t0)
        rows.append({"system": f"jieba {'with' if hmm else 'without'} HMM", "lexicon": len(jieba.dt.FREQ),
                     "s": statistics.median(times)})
    for r in rows:
        r["chars_per_s"] = n_chars / r["s"]
    emit({"chars": n_chars, "lines": len(lines), "jieba_init_s": init_s, "rows": rows,
          "load_1min": os.getloadavg()[0]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=SHARED)
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job is not None:
        kind, *rest = a.job
        {"quality": job_quality, "speed": job_speed}[kind](*rest)
        return
    quality = [run_job(__file__, "quality", a.data, s) for s in SETS]
    speed = run_job(__file__, "speed", a.data)
    t = ("### jieba on the word-discovery sets (same scorer as minent)\n\n"
         "| set | jieba (HMM) P | R | F1 | OOV-R | jieba (no HMM) P | R | F1 | OOV-R |\n|---|---|---|---|---|---|---|---|---|\n")
    for q in quality:
        h, n = q["hmm"], q["no_hmm"]
        t += (f"| {q['set']} | {h['precision']:.4f} | {h['recall']:.4f} | {h['f1']:.4f} | {h['oov_recall']:.4f} | "
              f"{n['precision']:.4f} | {n['recall']:.4f} | {n['f1']:.4f} | {n['oov_recall']:.4f} |\n")
    t += ("\njieba's dictionary and HMM come from annotated corpora (it is a supervised reference); its OOV "
          "recall is over words absent from its own dictionary, so it measures the HMM alone.\n")
    t += (f"\n### Segmentation speed on pd1998 raw text ({speed['chars']:,} characters, {speed['lines']:,} lines, "
          f"median of 3; 1-minute load {speed['load_1min']:.2f})\n\n| system | lexicon entries | s | characters/s |\n|---|---|---|---|\n")
    for r in speed["rows"]:
        t += f"| {r['system']} | {r['lexicon']:,} | {r['s']:.2f} | {r['chars_per_s']:,.0f} |\n"
    t += f"\njieba's dictionary load (not included above): {speed['jieba_init_s']:.2f} s.\n"
    write_results("peers", {"quality": quality, "speed": speed}, t)


if __name__ == "__main__":
    main()
