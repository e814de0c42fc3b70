"""Template mining under a memory budget: `minent collocations` with --memory 2G vs a budget small
enough to spill, on synthetic corpora (corpora/synth.py), each run in a fresh process.

    python bench/bench_collocations_scale.py [--sizes 10M,100M]
Writes outputs/bench/collocations_scale.{json,md}. The lexicon used for segmentation is built
once from the shipped sample (outputs of this script live in a temporary directory).

    python bench/bench_collocations_scale.py --default-options --sizes 100M [--jobs 2] [--data /tmp/minent-synth]
        [--timeout SECONDS] [--name collocations_scale_default]
runs `minent collocations CORPUS` with default options (the corpus's learned lexicon) and writes
outputs/bench/collocations_scale_default.{json,md}: wall time and the peak resident memory of the
whole process tree (the command and its worker processes, sampled every 0.2 s with psutil).
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


def corpus(size: str, data: str = DATA) -> str:
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, f"synth-{size}.txt")
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
          "counted_templates": report["counted_templates"], "kept": report["kept_templates"],
          "spills": report["spills"], "table_mb": {k: round(v / 2**20, 1) for k, v in report["table_bytes"].items()},
          "digest": digest, "words_per_s": report["words_per_s"]})


def tree_peak(cmd: list[str], timeout: float | None = None) -> tuple[int | None, float, float]:
    """``(exit code, wall s, peak MB)`` of ``cmd``, the peak summed over its process tree. Past
    ``timeout`` seconds the tree is stopped (SIGTERM, then SIGKILL) and the exit code is None."""
    import psutil
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [proc] + proc.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        if timeout is not None and time.perf_counter() - t0 > timeout:
            procs = [proc] + proc.children(recursive=True)
            for p in procs:
                try:
                    p.terminate()
                except psutil.Error:
                    pass
            _, alive = psutil.wait_procs(procs, timeout=10)
            for p in alive:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            return None, time.perf_counter() - t0, peak / 2**20
        time.sleep(0.2)
    return proc.returncode, time.perf_counter() - t0, peak / 2**20


def default_options(sizes: list[str], jobs: int, data: str, timeout: float | None = None,
                    name: str = "collocations_scale_default") -> None:
    rows = []
    for size in sizes:
        path = corpus(size, data)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "templates.tsv")
            code, wall, peak = tree_peak([sys.executable, "-m", "minent", "collocations", path, "-o", out, "-q",
                                          "--top", "0", "--jobs", str(jobs)], timeout)
            if code is None:  # stopped at the time limit: what was measured until then
                rows.append({"path": os.path.basename(path), "mb": os.path.getsize(path) / 2**20, "jobs": jobs,
                             "wall_s": round(wall, 1), "peak_tree_mb": round(peak), "timed_out": True})
                continue
            if code:
                raise SystemExit(f"collocations failed on {path}")
            rep = json.load(open(os.path.join(tmp, "templates.report.json"), encoding="utf-8"))
        rows.append({"path": os.path.basename(path), "mb": os.path.getsize(path) / 2**20, "jobs": jobs,
                     "wall_s": round(wall, 1), "peak_tree_mb": round(peak), "words": rep["words"],
                     "sentences": rep["sentences"], "tokenizer": rep["tokenizer"], "timings_s": rep["timings_s"],
                     "kept": rep["kept_templates"], "spills": rep["spills"]})
    t = ("### collocations with default options (learned lexicon) on synthetic text\n\n"
         "| corpus MB | --jobs | wall s | peak MB (process tree) | words | words/s (wall) | kept | "
         "timings s (count / paths / select) |\n|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        if r.get("timed_out"):
            t += (f"| {r['mb']:.0f} | {r['jobs']} | stopped at {r['wall_s']} (time limit) | "
                  f"{r['peak_tree_mb']:,} (until then) | | | | |\n")
            continue
        tm = r["timings_s"]
        t += (f"| {r['mb']:.0f} | {r['jobs']} | {r['wall_s']} | {r['peak_tree_mb']:,} | {r['words']:,} | "
              f"{round(r['words'] / r['wall_s']):,} | {r['kept']:,} | {tm['count']} / {tm['paths']} / {tm['select']} |\n")
    t += ("\nWall time includes learning the lexicon (first 16 MB), tokenising into the sentence spool, the "
          "three passes and writing the file. Peak memory: the largest sum of the resident sizes of the "
          "command and its worker processes (sampled every 0.2 s); pages a forked worker shares with its "
          "parent count in both, so this is an upper bound.\n")
    write_results(name, {"runs": rows}, t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10M,100M")
    ap.add_argument("--default-options", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--name", default="collocations_scale_default",
                    help="with --default-options: name of the outputs/bench/NAME.{md,json} files")
    ap.add_argument("--timeout", type=float, default=None,
                    help="with --default-options: stop a run after this many seconds (its row says so)")
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job is not None:
        job_collocations(*a.job)
        return
    if a.default_options:
        default_options(a.sizes.split(","), a.jobs, a.data, a.timeout, a.name)
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
         "| corpus MB | --memory | wall s | words/s | distinct pairs | templates counted (past the sketch) | kept | "
         "spills (pairs/templates) | peak table MB (pairs/templates) | peak RSS MB | same output as 2G |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        ref = next(x for x in rows if x["path"] == r["path"] and x["memory"] == "2G")
        t += (f"| {r['mb']:.0f} | {r['memory']} | {r['wall_s']:.1f} | {r['words_per_s']:,} | {r['distinct_pairs']:,} | "
              f"{r['counted_templates']:,} | {r['kept']:,} | {r['spills']['pairs']}/{r['spills']['templates']} | "
              f"{r['table_mb']['pairs']}/{r['table_mb']['templates']} | {r['peak_rss_mb']:.0f} | "
              f"{r['digest'] == ref['digest']} |\n")
    t += ("\n--memory 404M leaves the 4 MB floor for each count table (the runtime reserve is 400 MB), "
          "so the tables spill to disk and are merged exactly: the output file is byte-identical.\n")
    write_results("collocations_scale", {"runs": rows}, t)


if __name__ == "__main__":
    main()
