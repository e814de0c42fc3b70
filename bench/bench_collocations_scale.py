"""Template mining under a memory budget: `minent collocations` with --memory 2G vs a budget small
enough to spill, on synthetic corpora (corpora/synth.py), each run in a fresh process.

    python bench/bench_collocations_scale.py [--sizes 10M,100M]
Writes outputs/bench/collocations_scale.{json,md}. The lexicon used for segmentation is built
once from the shipped sample (outputs of this script live in a temporary directory).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, emit, run_job, write_results  # noqa: E402

DATA = os.path.join(REPO, "corpora", "data")


def corpus(size: str) -> str:
    path = os.path.join(DATA, f"synth-{size}.txt")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(REPO, "corpora", "synth.py"), "--size", size,
                        "-o", path], check=True)
    return path


def job_collocations(path: str, lexicon: str, memory: str) -> None:
    from minent.commands import main
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "templates.tsv")
        t0 = time.perf_counter()
        main(["collocations", path, "--lexicon", lexicon, "-o", out, "-q", "--top", "0",
              "--memory", memory], standalone_mode=False)
        wall = time.perf_counter() - t0
        report = json.load(open(os.path.join(tmp, "templates.report.json"), encoding="utf-8"))
        digest = hashlib.sha256(open(out, "rb").read()).hexdigest()[:16]
    emit({"path": os.path.basename(path), "mb": os.path.getsize(path) / 2**20, "memory": memory,
          "wall_s": wall, "words": report["words"], "distinct_pairs": report["distinct_pairs"],
          "distinct_templates": report["distinct_templates"], "kept": report["kept_templates"],
          "spills": report["spills"], "table_mb": {k: round(v / 2**20, 1) for k, v in report["table_bytes"].items()},
          "digest": digest, "words_per_s": report["words_per_s"]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10M,100M")
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job is not None:
        job_collocations(*a.job)
        return
    with tempfile.TemporaryDirectory() as tmp:
        lex = os.path.join(tmp, "lexicon.tsv")
        subprocess.run([sys.executable, "-m", "minent", "build-lexicon", "-o", lex, "-q"], check=True)
        rows = []
        for size in a.sizes.split(","):
            path = corpus(size)
            for memory in ("2G", "404M"):
                rows.append(run_job(__file__, path, lex, memory))
    t = ("### collocations (window 3, minent lexicon of the sample) under a memory budget\n\n"
         "| corpus MB | --memory | wall s | words/s | distinct pairs | distinct templates | kept | "
         "spills (pairs/templates) | peak table MB (pairs/templates) | peak RSS MB | same output as 2G |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        ref = next(x for x in rows if x["path"] == r["path"] and x["memory"] == "2G")
        t += (f"| {r['mb']:.0f} | {r['memory']} | {r['wall_s']:.1f} | {r['words_per_s']:,} | {r['distinct_pairs']:,} | "
              f"{r['distinct_templates']:,} | {r['kept']:,} | {r['spills']['pairs']}/{r['spills']['templates']} | "
              f"{r['table_mb']['pairs']}/{r['table_mb']['templates']} | {r['peak_rss_mb']:.0f} | "
              f"{r['digest'] == ref['digest']} |\n")
    t += ("\n--memory 404M leaves the 4 MB floor for each count table (the runtime reserve is 400 MB), "
          "so the tables spill to disk and are merged exactly: the output file is byte-identical.\n")
    write_results("collocations_scale", {"runs": rows}, t)


if __name__ == "__main__":
    main()
