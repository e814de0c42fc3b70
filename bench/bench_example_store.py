"""Example sentences of a fit held on disk (SentenceFile, read back with pread) vs in memory (one
bytes buffer): time to gather them from the spool and to write the templates file, alternating
the two in one process so both see the same machine state.

    python bench/bench_example_store.py [--corpus /work/data/synth-10M.txt] [--rounds 3] [--jobs 2]

Fits `minent collocations`' default finder once (the corpus's learned lexicon, spool by range tasks),
then for each round gathers the examples both ways and saves the templates both ways (same bytes
checked). Writes outputs/bench/example_store.{json,md}.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import write_results  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="/work/data/synth-10M.txt")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    import numpy as np
    from minent.parallel import make_engine, table_budget
    from minent.sentences import SentenceSpool, make_tokenizer
    from minent.templates import ExampleSentences, SentenceFile, TemplateFinder
    from minent.textio import Corpus

    texts = Corpus([a.corpus], "utf-8")
    tokenize, _ = make_tokenizer(None, None, False, corpus=texts)
    finder = TemplateFinder(memory=table_budget("2G"))
    seen = {}
    examples = finder._examples

    def recording(sentences, rows, progress, n_sent):  # the fit's example rows (sentence ids)
        seen["rows"] = rows.copy()
        return examples(sentences, rows, progress, n_sent)

    finder._examples = recording
    eng = make_engine("local", a.jobs)
    times: dict[str, list[float]] = {"gather disk": [], "gather memory": [], "save disk": [], "save memory": []}
    digests = set()
    try:
        with SentenceSpool(texts, tokenize, True) as spool, tempfile.TemporaryDirectory() as tmp:
            spool.prepare(eng)
            finder.fit(spool, engine=eng)
            tpl, rows = finder.templates_, seen["rows"]
            ids = np.unique(rows[rows >= 0]).astype(np.int64)
            for _ in range(a.rounds):
                for how in ("disk", "memory"):
                    t0 = time.perf_counter()
                    blob, ends = TemplateFinder._spool_examples(spool.path, ids, None, 0,
                                                                SentenceFile() if how == "disk" else None)
                    tpl.examples = ExampleSentences(rows, ids, blob, ends)
                    times[f"gather {how}"].append(time.perf_counter() - t0)
                    path = os.path.join(tmp, f"{how}.tsv")
                    t0 = time.perf_counter()
                    tpl.save(path)
                    times[f"save {how}"].append(time.perf_counter() - t0)
                    with open(path, "rb") as fh:
                        digests.add(hashlib.sha256(fh.read()).hexdigest()[:16])
                    os.unlink(path)
    finally:
        eng.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    row = {"corpus": os.path.basename(a.corpus), "templates": len(tpl), "example_sentences": int(ids.shape[0]),
           "rounds": a.rounds, "times_s": times, "median_s": med, "same_file": len(digests) == 1}
    t = ("### example sentences on disk (SentenceFile) vs in memory\n\n"
         "| corpus | templates | distinct example sentences | rounds | gather disk / memory s (median) | "
         "save disk / memory s (median) | save disk ÷ memory | same file |\n|---|---|---|---|---|---|---|---|\n"
         f"| {row['corpus']} | {row['templates']:,} | {row['example_sentences']:,} | {a.rounds} | "
         f"{med['gather disk']:.2f} / {med['gather memory']:.2f} | {med['save disk']:.2f} / {med['save memory']:.2f} | "
         f"{med['save disk'] / med['save memory']:.2f} | {row['same_file']} |\n\n"
         "One fit (default options, --jobs 2), then per round the examples gathered from the spool and the file "
         "written both ways, alternating, in one process.\n")
    write_results("example_store", {"runs": [row]}, t)


if __name__ == "__main__":
    main()
