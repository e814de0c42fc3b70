"""Scale: `minent build-lexicon` with default options from 10 MB to 3 GB, 1 vs 2 jobs, Dask, Ctrl-C.

Corpora come from ``corpora/synth.py`` (word bigram chain; source pd1998 raw, seed 0), generated
once into ``corpora/data/`` (or ``--data``). Every run is the real command in a fresh process; a
sampler polls the whole process tree (the command and every worker it forks or starts) every
0.2 s: ``tree RSS`` is the largest sum of resident sets seen (pages a forked worker shares with
its parent are counted in both), ``tree PSS`` the largest sum of proportional sets (shared pages
split among the processes that share them: the memory the tree really holds).

    python bench/bench_scale.py [--sizes 10M,100M,1G,3G] [--source PD1998_RAW] [--skip-dask] [--pairs 2]

The machine's ceiling for two processes (two independent 1-job builds at once vs one alone, on
the 1 GB corpus, with each phase's contention factor) is measured beside the 1-vs-2-jobs runs.
`--only two_jobs,ceiling` re-runs those sections and keeps the others from outputs/bench/scale.json.
Writes outputs/bench/scale.{json,md}.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import OUT, REPO, SHARED, write_results  # noqa: E402

DATA = os.path.join(REPO, "corpora", "data")


def corpus(size: str, data: str, source: str) -> str:
    path = os.path.join(data, f"synth-{size}.txt")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(REPO, "corpora", "synth.py"), "--size", size,
                        "--source", source, "--seed", "0", "-o", path], check=True)
    return path


def _tree(pid: int):
    import psutil
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def run_measured(args: list[str], env=None) -> dict:
    """Run ``python -m minent ARGS`` and sample its process tree's memory until it exits."""
    import psutil
    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    p = subprocess.Popen([sys.executable, "-m", "minent", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    peak_rss = peak_pss = 0
    procs = 1
    while p.poll() is None:
        rss = pss = 0
        tree = _tree(p.pid)
        for proc in tree:
            try:
                info = proc.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        peak_rss, peak_pss, procs = max(peak_rss, rss), max(peak_pss, pss), max(procs, len(tree))
        time.sleep(0.2)
    out, err = p.communicate()
    if p.returncode != 0:
        raise SystemExit(f"minent {' '.join(args)} failed: {err.strip()[-500:]}")
    return {"wall_s": time.perf_counter() - t0, "tree_rss_mb": peak_rss / 2**20,
            "tree_pss_mb": peak_pss / 2**20, "processes": procs, "load_1min_before": load,
            "load_1min_after": os.getloadavg()[0]}


def digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:16]


def build(path: str, *options: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "lex.tsv")
        row = run_measured(["build-lexicon", path, "-o", out, "-q", *options])
        report = json.load(open(os.path.join(tmp, "lex.report.json"), encoding="utf-8"))
        row["digest"] = digest(out)
    t = report["timings_s"]
    learn = sum(t.get(k, 0.0) for k in ("ngrams", "candidates", "boundary", "mdl", "bigram", "reestimate"))
    row.update({"corpus": os.path.basename(path), "mb": os.path.getsize(path) / 2**20,
                "options": " ".join(options) or "(defaults)", "timings": t, "learn_s": learn,
                "jobs": report["engine"]["jobs"], "engine": report["engine"]["name"],
                "parent_peak_mb": report["peak_rss_mb"], "lexicon": report["lexicon_size"],
                "sample": report.get("clauses"), "han_chars": report.get("han_chars"),
                "L_bits": report["information_bits"]["lexicon"]["L_bits"]})
    print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    return row


def interrupt(path: str, after_s: float) -> dict:
    """Start a 2-job build, send SIGINT to its process group after ``after_s`` s (what Ctrl-C in
    a terminal does), and list what it leaves behind."""
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = os.path.join(tmp, "tmp")
        os.mkdir(tmpdir)
        out = os.path.join(tmp, "out", "lex.tsv")
        os.mkdir(os.path.dirname(out))
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "minent", "build-lexicon", path, "-o", out, "-q",
                              "--jobs", "2"], env=dict(os.environ, TMPDIR=tmpdir), start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(after_s)
        os.killpg(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=120)
        row = {"after_s": after_s, "exit": p.returncode, "stop_s": time.perf_counter() - t0 - after_s,
               "left_in_output_dir": sorted(os.listdir(os.path.dirname(out))),
               "left_in_tmpdir": sorted(os.listdir(tmpdir)), "stderr": err.strip()[-200:]}
    print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    return row


PHASES = (("reading", ("clauses",)),
          ("learning", ("ngrams", "candidates", "boundary", "mdl", "bigram", "reestimate")),
          ("last pass", ("report",)))


def _phases(report_path: str) -> dict:
    t = json.load(open(report_path, encoding="utf-8"))["timings_s"]
    return {name: sum(t.get(k, 0.0) for k in keys) for name, keys in PHASES}


def ceiling(path: str, pairs: int = 2) -> dict:
    """The machine's own limit for two processes: one 1-job build alone, then two identical 1-job
    builds started together (independent processes, nothing shared), ``pairs`` times each,
    alternating. Ceiling = 2 x (alone wall) / (mean wall of the two together): what 2 jobs could
    give if the work split perfectly. Each phase's time (from the run reports) alone and beside
    another build gives its contention factor: how much slower the same work runs when the other
    core is busy with the same kind of work."""
    rows = []
    for _ in range(pairs):
        with tempfile.TemporaryDirectory() as tmp:
            args = [sys.executable, "-m", "minent", "build-lexicon", path, "-q", "--jobs", "1"]
            t0 = time.perf_counter()
            subprocess.run([*args, "-o", os.path.join(tmp, "a.tsv")], check=True, capture_output=True)
            alone = time.perf_counter() - t0
            t0 = time.perf_counter()
            procs = [subprocess.Popen([*args, "-o", os.path.join(tmp, f"b{i}.tsv")], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for i in range(2)]
            walls = []
            for p in procs:
                if p.wait() != 0:
                    raise SystemExit("ceiling run failed")
                walls.append(time.perf_counter() - t0)
            phases = {"alone": _phases(os.path.join(tmp, "a.report.json")),
                      "together": [_phases(os.path.join(tmp, f"b{i}.report.json")) for i in range(2)]}
        rows.append({"alone_s": alone, "together_s": walls, "phases": phases, "load_1min": os.getloadavg()[0]})
    alone = sum(r["alone_s"] for r in rows) / len(rows)
    together = sum(sum(r["together_s"]) / 2 for r in rows) / len(rows)
    contention = {}
    for name, _ in PHASES:
        a = sum(r["phases"]["alone"][name] for r in rows)
        b = sum(sum(x[name] for x in r["phases"]["together"]) / 2 for r in rows)
        contention[name] = {"alone_s": a / len(rows), "beside_s": b / len(rows), "factor": b / a}
    # a perfect split of every phase over two cores, each core as slow as measured beside another build
    one = sum(c["alone_s"] for c in contention.values())
    best = sum(c["beside_s"] / 2 for c in contention.values())
    out = {"corpus": os.path.basename(path), "mb": os.path.getsize(path) / 2**20, "runs": rows,
           "alone_s": alone, "together_s": together, "ceiling": 2 * alone / together,
           "contention": contention, "phase_bound": one / best}
    print(json.dumps(out), file=sys.stderr)
    return out


def render(data: dict) -> str:
    t = ("### build-lexicon with default options (general learner; jobs = all cores from 64 MB)\n\n"
         "| corpus MB | jobs | wall s | reading s | learning s | last pass s | tree RSS MB | tree PSS MB | "
         "sample chars (rate) | lexicon | load before/after |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in data["scaling"]:
        s = r["sample"]
        t += (f"| {r['mb']:.0f} | {r['jobs']} | {r['wall_s']:.1f} | {r['timings']['clauses']:.1f} | "
              f"{r['learn_s']:.1f} | {r['timings']['report']:.1f} | {r['tree_rss_mb']:.0f} | {r['tree_pss_mb']:.0f} | "
              f"{s['chars'] / 1e6:.1f}M ({s['sample_rate']:g}) | {r['lexicon']} | "
              f"{r['load_1min_before']:.2f}/{r['load_1min_after']:.2f} |\n")
    t += ("\n*reading*: the pass that collects the clause table; *learning*: the seven stages on it (in "
          "memory, as tasks); *last pass*: segmenting the whole input for the counts and the "
          "information per character. The sample is a content-hash sample of the distinct clauses "
          "(rate = share of them kept).\n")
    runs = data["two_jobs"]
    one = runs[0]
    t += (f"\n### 1 vs 2 jobs on {one['mb']:.0f} MB (alternating runs, one after the other)\n\n| jobs | wall s | "
          f"reading s | learning s | last pass s | tree RSS MB | tree PSS MB | same lexicon file | same L | "
          f"load before/after |\n|---|---|---|---|---|---|---|---|---|---|\n")
    for r in runs:
        t += (f"| {r['jobs']} | {r['wall_s']:.1f} | {r['timings']['clauses']:.1f} | {r['learn_s']:.1f} | "
              f"{r['timings']['report']:.1f} | {r['tree_rss_mb']:.0f} | {r['tree_pss_mb']:.0f} | "
              f"{r['digest'] == one['digest']} | {r['L_bits'] == one['L_bits']} | "
              f"{r['load_1min_before']:.2f}/{r['load_1min_after']:.2f} |\n")

    def mean(jobs, get):
        vals = [get(r) for r in runs if r["jobs"] == jobs]
        return sum(vals) / len(vals)
    ratio = {name: mean(1, get) / mean(2, get) for name, get in (
        ("whole", lambda r: r["wall_s"]), ("reading", lambda r: r["timings"]["clauses"]),
        ("learning", lambda r: r["learn_s"]), ("last", lambda r: r["timings"]["report"]))}
    t += (f"\nSpeed-up of the whole command (mean wall of the 1-job runs / mean of the 2-job runs): "
          f"{ratio['whole']:.2f}x (reading {ratio['reading']:.2f}x, learning {ratio['learning']:.2f}x, "
          f"last pass {ratio['last']:.2f}x).\n")
    c = data.get("ceiling")
    if c:
        rows = "".join(f"| {k + 1} | {r['alone_s']:.1f} | {' / '.join(f'{x:.1f}' for x in r['together_s'])} |\n"
                       for k, r in enumerate(c["runs"]))
        t += (f"\n### The machine's ceiling for two processes ({c['mb']:.0f} MB, `--jobs 1`)\n\n"
              "| round | one build alone, wall s | two independent builds at once, wall s each |\n|---|---|---|\n"
              + rows + f"\nCeiling = 2 x alone / together = **{c['ceiling']:.2f}x**: what two processes give "
              "here with no serial part and nothing shared.\n")
        if c.get("contention"):
            t += ("\nThe same phases alone and beside an identical build (from the run reports; factor = how "
                  "much slower the same work runs when the other core does the same kind of work):\n\n"
                  "| phase | alone s | beside another build s | factor | best 2-job speed-up of the phase |\n"
                  "|---|---|---|---|---|\n")
            for name, v in c["contention"].items():
                t += (f"| {name} | {v['alone_s']:.1f} | {v['beside_s']:.1f} | {v['factor']:.2f} | "
                      f"{2 / v['factor']:.2f}x |\n")
            t += (f"\nEvery phase split perfectly over two cores, each core as slow as measured beside another "
                  f"build: **{c['phase_bound']:.2f}x** for the whole command.\n")
    if data.get("dask"):
        loc, dk = data["dask"]
        t += (f"\n### Dask LocalCluster (2 workers) vs local engine (2 jobs) on {loc['mb']:.0f} MB\n\n"
              f"| engine | wall s | tree RSS MB | same lexicon file |\n|---|---|---|---|\n"
              f"| local | {loc['wall_s']:.1f} | {loc['tree_rss_mb']:.0f} | True |\n"
              f"| dask | {dk['wall_s']:.1f} | {dk['tree_rss_mb']:.0f} | {dk['digest'] == loc['digest']} |\n")
    f = data.get("faithful")
    if f:
        t += (f"\n### `--preset faithful` (the four steps) on {f['mb']:.0f} MB, {f['jobs']} jobs\n\n"
              f"wall {f['wall_s']:.1f} s, tree RSS {f['tree_rss_mb']:.0f} MB, tree PSS {f['tree_pss_mb']:.0f} MB, "
              f"lexicon {f['lexicon']}.\n")
    i = data.get("interrupt")
    if i:
        t += (f"\n### Ctrl-C (SIGINT to the process group after {i['after_s']:.0f} s) during a 2-job run\n\n"
              f"| exit code | stopped within s | left in output dir | left in TMPDIR | message |\n|---|---|---|---|---|\n"
              f"| {i['exit']} | {i['stop_s']:.1f} | {i['left_in_output_dir'] or 'nothing'} | "
              f"{i['left_in_tmpdir'] or 'nothing'} | {i['stderr'] or '-'} |\n")
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10M,100M,1G,3G")
    ap.add_argument("--data", default=DATA, help="where the synth corpora are (made if missing)")
    ap.add_argument("--source", default=os.path.join(SHARED, "pd1998", "pd1998.raw.txt"))
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--pairs", type=int, default=2, help="1-job / 2-job run pairs on the 1 GB corpus")
    ap.add_argument("--only", default="", help="comma-separated sections to re-run (scaling, two_jobs, ceiling, "
                    "dask, faithful, interrupt); the others are kept from outputs/bench/scale.json")
    a = ap.parse_args()
    os.makedirs(a.data, exist_ok=True)
    sizes = a.sizes.split(",")
    big = "1G" if "1G" in sizes else sizes[-1]
    mid = "100M" if "100M" in sizes else sizes[0]
    only = set(filter(None, a.only.split(",")))
    data = {}
    if only:
        with open(os.path.join(OUT, "scale.json"), encoding="utf-8") as fh:
            data = json.load(fh)
        data.pop("machine", None)
    wanted = (lambda name: not only or name in only)
    paths = {s: corpus(s, a.data, a.source) for s in (sizes if wanted("scaling") else {big, mid})}
    if wanted("scaling"):
        data["scaling"] = [build(paths[s]) for s in sizes]
    if wanted("two_jobs"):
        data["two_jobs"] = [build(paths[big], "--jobs", str(j)) for _ in range(a.pairs) for j in (1, 2)]
    if wanted("ceiling"):
        data["ceiling"] = ceiling(paths[big], a.pairs)
    if wanted("dask") and not a.skip_dask:
        data["dask"] = [build(paths[mid], "--jobs", "2"), build(paths[mid], "--jobs", "2", "--engine", "dask")]
    if wanted("faithful"):
        data["faithful"] = build(paths[big], "--preset", "faithful")
    if wanted("interrupt"):
        data["interrupt"] = interrupt(paths[big], 20.0)
    write_results("scale", data, render(data))


if __name__ == "__main__":
    main()
