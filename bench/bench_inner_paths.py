"""What the inner paths (``TemplateFinder(inner_min_pmi=...)``) cost in the second walk, and what
knowing each pair's inside word count G before it (counted in the first walk) could save (issue 13);
writes outputs/bench/inner_paths.{json,md}.

On pd1998 in the words of its learned lexicon, default options, one process: the two walks of the
paths pass as :meth:`TemplateFinder._paths` runs them, then, from the link counts of the second
walk, per inner triple (a, c, b) whose sketch estimate reached the cut (so its inner paths were
written out and counted): whether c is linked to the pair (the exact test of
:func:`minent.templates.inner_templates`), and whether the test already fails with the sketch
estimate in place of the exact count (an upper bound) and the exact G. Those triples are the ones
a second walk that knew G could drop; the rest must be written out whatever G is.

Usage: python bench/bench_inner_paths.py [--data ../shared/data] [--out outputs]
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def accounting(sents: list[list[str]]) -> dict:
    from minent.hashtable import KeyCounter
    from minent.templates import TemplateFinder, triple_hash

    f = TemplateFinder(n_examples=0)
    f._validate()
    vocab, word_counts, _, _, pairs, n_pair_slots, _ = f._count(sents, None)
    n_words = int(word_counts.sum())
    strong, _ = f._strong(pairs, word_counts, n_words, n_pair_slots)
    sketch = np.zeros(2 << f._sketch_bits(n_words), np.uint16)
    n_occ = sum(batch[6] for batch in f._batches(sents, vocab, strong.frozen(), 0, sketch))
    cut = f._cut(n_occ)
    links, passed = KeyCounter(1 << 12), 0
    for _, _, hashes, _, _, _, _, lk, lv in f._batches(sents, vocab, strong.frozen(), 0, sketch, cut):
        passed += hashes.shape[0]
        links.add(lk, lv)
    f._cached_blocks = None
    keys, counts = links.items()
    slot, word = keys >> 32, keys & 0xFFFFFFFF
    inside = dict(zip(slot[word == 0].tolist(), counts[word == 0].tolist()))
    half, mask = sketch.shape[0] // 2, sketch.shape[0] // 2 - 1
    row = {k: 0 for k in ("triples", "triple_occ", "linked", "linked_occ", "droppable", "droppable_occ")}

    def link_test(n, g, c):
        return n >= cut and g > 0 and math.log(n) - math.log(g) - math.log(word_counts[c] / n_words) > f.inner_min_pmi

    for s, c, n in zip(slot[word != 0].tolist(), word[word != 0].tolist(), counts[word != 0].tolist()):
        pair = int(strong.keys[s])
        h = int(triple_hash(np.int64(pair >> 32), np.int64(c), np.int64(pair & 0xFFFFFFFF)))
        est = min(int(sketch[h & mask]), int(sketch[half + ((h >> 38) & mask)]))
        g = inside.get(s, 0)
        row["triples"] += 1
        row["triple_occ"] += n
        if link_test(n, g, c):
            row["linked"] += 1
            row["linked_occ"] += n
        if not link_test(est, g, c):
            row["droppable"] += 1
            row["droppable_occ"] += n
    row.update({"words": n_words, "sentences": len(sents), "strong_pairs": len(strong), "cut": cut,
                "template_occurrences": n_occ, "passed_occurrences": passed,
                "edges_with_inside": len(inside), "inside_words": int(sum(inside.values()))})
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="outputs")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "bench"))
    from _common import write_results
    from bench_templates_speed import write_words

    raw = (REPO / args.data).resolve() / "pd1998" / "pd1998.raw.txt"
    with tempfile.TemporaryDirectory(prefix="minent-inner-") as t:
        words = Path(t) / "pd1998.words.txt"
        write_words(raw, words)
        sents = [line.split() for line in open(words, encoding="utf-8")]
    r = accounting(sents)
    share = r["droppable_occ"] / max(r["triple_occ"], 1)
    L = ["## Inner paths in the second walk: what knowing G first could drop (pd1998, default options)\n",
         f"{r['words']} words, {r['sentences']} sentences; {r['strong_pairs']:,} linked pairs; count cut {r['cut']}. "
         f"Template occurrences (first walk) {r['template_occurrences']:,}; written out by the second walk "
         f"{r['passed_occurrences']:,}. Linked pairs with words inside some occurrence: "
         f"{r['edges_with_inside']:,} (G summed over them: {r['inside_words']:,} words).\n",
         "| inner triples (a, c, b) whose sketch estimate reaches the cut | distinct | inner path occurrences written |",
         "|---|---:|---:|",
         f"| all | {r['triples']:,} | {r['triple_occ']:,} |",
         f"| c linked to the pair (exact test) | {r['linked']:,} | {r['linked_occ']:,} |",
         f"| test fails already on the sketch estimate and exact G (droppable) | {r['droppable']:,} | "
         f"{r['droppable_occ']:,} |",
         f"\nDroppable: {share:.1%} of the inner path occurrences the second walk writes out, "
         f"{r['droppable_occ'] / max(r['passed_occurrences'], 1):.1%} of all it writes out."]
    write_results("inner_paths", r, "\n".join(L) + "\n", out=str((REPO / args.out).resolve() / "bench"))


if __name__ == "__main__":
    main()
