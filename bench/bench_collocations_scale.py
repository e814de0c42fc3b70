"""Template mining under a memory budget: `minent collocations` with --memory 2G vs a budget small
enough to spill, on synthetic corpora (corpora/synth.py), each run in a fresh process.

    python bench/bench_collocations_scale.py [--sizes 10M,100M]
Writes outputs/bench/collocations_scale.{json,md}. The lexicon used for segmentation is built
once from the shipped sample (outputs of this script live in a temporary directory).

    python bench/bench_collocations_scale.py --default-options --sizes 100M [--jobs 2] [--data /tmp/minent-synth]
        [--timeout SECONDS] [--name collocations_scale_default]
runs `minent collocations CORPUS` with default options (the corpus's learned lexicon) and writes
outputs/bench/collocations_scale_default.{json,md}: wall time and the peak resident memory of the
whole process tree (the command and its worker processes, sampled every 0.5 s with psutil: PSS and RSS, per
process and summed).
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


class TreeSampler:
    """Memory of a process tree sampled every ``every`` seconds with psutil: per process its peak
    RSS and PSS (proportional set: pages shared with the parent or a sibling split among them),
    whether it is the root (the command) or a worker, and the tree's sums; the tree's PSS peak is
    the memory the tree really holds, its RSS sum an upper bound (shared pages counted in each)."""

    def __init__(self, root, every: float = 0.5):
        self.root, self.every, self.t0 = root, every, time.perf_counter()
        self.procs: dict[int, dict] = {}
        self.peak_rss = self.peak_pss = 0
        self.peak_at = 0.0
        self.timeline: list[tuple] = []  # (s, parent PSS MB, workers PSS MB), every ~2 s

    def sample(self) -> None:
        import psutil
        try:
            tree = [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return
        rss = pss = parent = 0
        t = time.perf_counter() - self.t0
        for p in tree:
            try:
                info = p.memory_full_info()
            except psutil.Error:
                continue
            one = getattr(info, "pss", info.rss)
            rss += info.rss
            pss += one
            if p.pid == self.root.pid:
                parent = one
            rec = self.procs.setdefault(p.pid, {"role": "parent" if p.pid == self.root.pid else "worker",
                                                "peak_rss": 0, "peak_pss": 0, "peak_pss_at": 0.0})
            rec["peak_rss"] = max(rec["peak_rss"], info.rss)
            if one > rec["peak_pss"]:
                rec["peak_pss"], rec["peak_pss_at"] = one, t
        self.peak_rss = max(self.peak_rss, rss)
        if pss > self.peak_pss:
            self.peak_pss, self.peak_at = pss, t
        if not self.timeline or t - self.timeline[-1][0] >= 2.0:
            self.timeline.append((round(t, 1), round(parent / 2**20), round((pss - parent) / 2**20)))

    def summary(self) -> dict:
        mb = 2**20
        workers = [r for r in self.procs.values() if r["role"] == "worker"]
        parent = next((r for r in self.procs.values() if r["role"] == "parent"), None)
        return {"peak_tree_mb": round(self.peak_rss / mb), "peak_tree_pss_mb": round(self.peak_pss / mb),
                "peak_tree_pss_at_s": round(self.peak_at, 1),
                "parent_peak_pss_mb": round(parent["peak_pss"] / mb) if parent else None,
                "parent_peak_pss_at_s": round(parent["peak_pss_at"], 1) if parent else None,
                "parent_peak_rss_mb": round(parent["peak_rss"] / mb) if parent else None,
                "workers": len(workers),
                "worker_peak_pss_mb": round(max([r["peak_pss"] for r in workers] + [0]) / mb),
                "worker_peak_rss_mb": round(max([r["peak_rss"] for r in workers] + [0]) / mb),
                "timeline": self.timeline}


def _children_cpu_s() -> float:
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def tree_peak(cmd: list[str], timeout: float | None = None) -> tuple[int | None, float, dict]:
    """``(exit code, wall s, memory summary)`` of ``cmd`` (:class:`TreeSampler`; the summary also
    holds ``cpu_s``, the CPU seconds of the command and the workers it waited for, which moves
    less than wall time on a shared machine). Past ``timeout`` seconds the tree is stopped
    (SIGTERM, then SIGKILL) and the exit code is None."""
    import psutil
    t0 = time.perf_counter()
    cpu0 = _children_cpu_s()
    proc = psutil.Popen(cmd)
    sampler = TreeSampler(proc)
    while proc.poll() is None:
        sampler.sample()
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
            return None, time.perf_counter() - t0, sampler.summary()
        time.sleep(sampler.every)
    return proc.returncode, time.perf_counter() - t0, {**sampler.summary(), "cpu_s": round(_children_cpu_s() - cpu0, 1)}


def default_options(sizes: list[str], jobs: int, data: str, timeout: float | None = None,
                    name: str = "collocations_scale_default") -> None:
    rows = []
    for size in sizes:
        path = corpus(size, data)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "templates.tsv")
            code, wall, mem = tree_peak([sys.executable, "-m", "minent", "collocations", path, "-o", out, "-q",
                                         "--top", "0", "--jobs", str(jobs)], timeout)
            row = {"path": os.path.basename(path), "mb": os.path.getsize(path) / 2**20, "jobs": jobs,
                   "wall_s": round(wall, 1), **mem}
            if code is None:  # stopped at the time limit: what was measured until then
                rows.append({**row, "timed_out": True})
                continue
            if code:
                raise SystemExit(f"collocations failed on {path}")
            rep = json.load(open(os.path.join(tmp, "templates.report.json"), encoding="utf-8"))
            with open(out, "rb") as fh:
                row["digest"] = hashlib.sha256(fh.read()).hexdigest()[:16]
        rows.append({**row, "words": rep["words"], "sentences": rep["sentences"], "tokenizer": rep["tokenizer"],
                     "timings_s": rep["timings_s"], "kept": rep["kept_templates"], "spills": rep["spills"],
                     "counted_templates": rep["counted_templates"], "distinct_pairs": rep["distinct_pairs"],
                     "strong_pairs": rep["strong_pairs"], "template_occurrences": rep["template_occurrences"],
                     "sketch": rep["sketch"], "parent_peak_rss_mb_self": rep["peak_rss_mb"]})
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "timeline"}), file=sys.stderr)
    t = ("### collocations with default options (learned lexicon) on synthetic text\n\n"
         "| corpus MB | --jobs | wall s | CPU s (tree) | tree PSS peak MB (at s) | tree RSS peak MB | "
         "parent PSS peak MB (at s) | worker PSS peak MB | words | words/s (wall) | kept | timings s |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        mem = (f"{r['peak_tree_pss_mb']:,} ({r['peak_tree_pss_at_s']}) | {r['peak_tree_mb']:,} | "
               f"{r['parent_peak_pss_mb']:,} ({r['parent_peak_pss_at_s']}) | {r['worker_peak_pss_mb']:,}")
        if r.get("timed_out"):
            t += (f"| {r['mb']:.0f} | {r['jobs']} | stopped at {r['wall_s']} (time limit) | | {mem} (until then) "
                  f"| | | | |\n")
            continue
        tm = " / ".join(f"{k} {v}" for k, v in r["timings_s"].items())
        t += (f"| {r['mb']:.0f} | {r['jobs']} | {r['wall_s']} | {r.get('cpu_s', '')} | {mem} | {r['words']:,} | "
              f"{round(r['words'] / r['wall_s']):,} | {r['kept']:,} | {tm} |\n")
    t += ("\nWall time includes learning the lexicon (first 16 MB), tokenising into the sentence spool, the "
          "passes and writing the file; CPU s = user + system seconds of the command and its workers. Memory sampled every 0.5 s with psutil over the command and its worker "
          "processes: tree PSS = the largest sum of proportional sets (pages shared between the parent and a "
          "forked worker split between them: what the tree holds), tree RSS = the largest sum of resident sets "
          "(shared pages counted in each: an upper bound); per process the peak PSS, with the time (s from the "
          "start) when it was reached. The JSON file has a timeline (parent / workers PSS every ~2 s).\n")
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
