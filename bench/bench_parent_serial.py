"""The parent's serial work in `minent build-lexicon` with default options and 2 jobs.

On a shared machine wall-clock speed-ups are noise; what the parent does alone is not. Each run is
the real command (``minent build-lexicon CORPUS --jobs 2``, the three output files written) in a
fresh process, traced:

* every pool task records its start and end (wall clock) in a file per worker, so the run's
  timeline is known: *parent alone* = seconds in which no worker runs a task (start-up, merges
  and tables the parent builds between passes, saving the files), *one worker* = seconds in which
  exactly one runs (the other core idles, or serves the parent);
* the parent's own CPU seconds (``time.process_time``: everything it computes, in the serial
  gaps or beside the workers, e.g. merging the clause tables of the range tasks);
* the workers' CPU seconds (``RUSAGE_CHILDREN``).

The serial gaps are listed by the task before and after them. ``--code NAME=DIR`` runs the code
of DIR (an export of a commit: ``git archive C | tar -x -C DIR``) as NAME; runs alternate between
the codes, ``--rounds`` times, and every run's three files are compared (sha256) with the first's.

    python bench/bench_parent_serial.py --corpus /work/data/synth-1G.txt --code base=/tmp/base \
        --code new=. --rounds 2 [--name parent_serial]

Writes outputs/bench/NAME.{json,md}.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import OUT, REPO, write_results  # noqa: E402


# ----------------------------------------------------------------------------- the traced child

def child(corpus: str, outdir: str, trace_dir: str, jobs: int) -> None:
    import resource

    import minent.parallel as par

    plain = par.measured_call

    def measured_call(fn, args):  # in the workers: the task's interval, appended to a file
        t0 = time.time()
        out = plain(fn, args)
        with open(os.path.join(trace_dir, f"w{os.getpid()}.tsv"), "a") as fh:
            fh.write(f"{t0!r}\t{time.time()!r}\t{fn.__name__}\n")
        return out

    measured_call.__module__, measured_call.__qualname__ = plain.__module__, plain.__qualname__
    par.measured_call = measured_call
    # the parent's CPU seconds outside engine.map (by the maps around them) and in the loops
    # that consume a map's results (by its task)
    cpu: dict[str, float] = {}
    last = ["start", time.process_time()]
    plain_map = par.LocalEngine.map

    def add(key, since):
        now = time.process_time()
        cpu[key] = cpu.get(key, 0.0) + now - since
        return now

    def traced_map(self, fn, arg_lists, ordered=False):  # a map hands its tasks out when called
        name = fn.__name__
        add(f"{last[0]} -> {name}", last[1])
        it = plain_map(self, fn, arg_lists, ordered)
        return collect(it, name, time.process_time())

    def collect(it, name, t):
        add(f"beside {name}", t)  # the caller's work before it asks for the results
        while True:
            t = time.process_time()
            try:
                x = next(it)
            except StopIteration:
                break
            t = add(f"waiting in {name}", t)
            yield x
            add(f"consuming {name}", t)
        last[:] = [name, time.process_time()]

    par.LocalEngine.map = traced_map
    from minent.commands import main
    t0, c0 = time.time(), time.process_time()
    main.main(["build-lexicon", corpus, "-o", os.path.join(outdir, "lex.tsv"), "--jobs", str(jobs), "-q"],
              standalone_mode=False)
    t1, c1 = time.time(), time.process_time()
    add(f"{last[0]} -> end", last[1])
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"start": t0, "end": t1, "parent_cpu_s": c1 - c0,
                      "workers_cpu_s": kids.ru_utime + kids.ru_stime,
                      "parent_cpu_by": {k: round(v, 3) for k, v in
                                        sorted(cpu.items(), key=lambda kv: -kv[1])}}))


# ----------------------------------------------------------------------------- analysis

def timeline(run: dict, trace_dir: str) -> dict:
    """Seconds with 0, 1, 2... workers busy, and the serial gaps by the tasks around them."""
    tasks = []
    for name in os.listdir(trace_dir):
        with open(os.path.join(trace_dir, name)) as fh:
            for line in fh:
                a, b, fn = line.rstrip("\n").split("\t")
                tasks.append((float(a), float(b), fn))
    events = sorted([(a, 1, fn) for a, _, fn in tasks] + [(b, -1, fn) for _, b, fn in tasks])
    t, busy = run["start"], 0
    by_busy: dict[int, float] = {}
    gaps: dict[str, float] = {}
    last = "start"
    for when, step, fn in events + [(run["end"], 0, "end")]:
        when = min(max(when, run["start"]), run["end"])
        by_busy[busy] = by_busy.get(busy, 0.0) + when - t
        if busy == 0 and when > t:
            key = f"{last} -> {fn}"
            gaps[key] = gaps.get(key, 0.0) + when - t
        if step < 0:
            last = fn
        t = when
        busy += step
    return {"wall_s": run["end"] - run["start"], "parent_cpu_s": run["parent_cpu_s"],
            "parent_cpu_by": run["parent_cpu_by"],
            "workers_cpu_s": run["workers_cpu_s"], "alone_s": by_busy.get(0, 0.0),
            "one_worker_s": by_busy.get(1, 0.0), "tasks": len(tasks),
            "gaps": dict(sorted(gaps.items(), key=lambda kv: -kv[1]))}


PHASES = ("start", "clauses", "ngrams", "ngrams_beside", "learning", "end")
LEARNING_TASKS = ("uses_task", "soft_uses_task", "splits_task", "pairs_task", "bigram_task", "entry_candidates_task")


def phases(cpu_by: dict) -> dict:
    """The parent's CPU seconds of a run (``parent_cpu_by``) summed by phase (:data:`PHASES`)."""
    out = dict.fromkeys(PHASES, 0.0)
    for key, v in cpu_by.items():
        before, _, after = key.partition(" -> ")
        if key.startswith("start -> "):
            out["start"] += v
        elif key in ("consuming clauses_task", "waiting in clauses_task"):
            out["clauses"] += v
        elif before in ("distinct_task", "scatter_task"):
            out["ngrams"] += v
        elif key == "beside distinct_task":
            out["ngrams_beside"] += v
        elif key == "information_task -> end":
            out["end"] += v
        elif after and before in LEARNING_TASKS and after != "clauses_task":
            out["learning"] += v
    return out


def digest(outdir: str) -> str:
    h = hashlib.sha256()
    for name in ("lex.tsv", "lex.jieba.txt"):
        with open(os.path.join(outdir, name), "rb") as fh:
            h.update(hashlib.sha256(fh.read()).digest())
    with open(os.path.join(outdir, "lex.report.json"), encoding="utf-8") as fh:
        report = json.load(fh)
    h.update(json.dumps(report["information_bits"], sort_keys=True).encode())
    return h.hexdigest()[:16]


def run_once(code: str, corpus: str, jobs: int) -> dict:
    outdir = tempfile.mkdtemp(prefix="parent-serial-out-")
    trace_dir = tempfile.mkdtemp(prefix="parent-serial-trace-")
    env = dict(os.environ, PYTHONPATH=os.path.abspath(code), MINENT_BACKGROUND_DIR=tempfile.mkdtemp())
    load = os.getloadavg()[0]
    try:
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", corpus, outdir, trace_dir,
                            str(jobs)], capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
        if p.returncode != 0:
            raise SystemExit(f"run failed: {p.stderr.strip()[-800:]}")
        run = json.loads(p.stdout.strip().splitlines()[-1])
        out = timeline(run, trace_dir)
        out["digest"] = digest(outdir)
        out["load_before"], out["load_after"] = load, os.getloadavg()[0]
        return out
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
        shutil.rmtree(trace_dir, ignore_errors=True)
        shutil.rmtree(env["MINENT_BACKGROUND_DIR"], ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=4)
    ap.add_argument("--corpus", default=os.path.join(REPO, "corpora", "data", "synth-1G.txt"))
    ap.add_argument("--code", action="append", default=[], help="NAME=DIR (default: this checkout)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--name", default="parent_serial")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--table-only", action="store_true", help="rewrite NAME.md from NAME.json")
    a = ap.parse_args()
    if a.child:
        corpus, outdir, trace_dir, jobs = a.child
        child(corpus, outdir, trace_dir, int(jobs))
        return
    if a.table_only:  # the tables again from the JSON file of an earlier run
        with open(os.path.join(a.out, a.name + ".json"), encoding="utf-8") as fh:
            old = json.load(fh)
        a.corpus, a.jobs, runs = old["corpus"], old["jobs"], old["runs"]
        codes = [[k, v] for k, v in old["codes"].items()]
    else:
        codes = [c.split("=", 1) for c in a.code] or [["this", REPO]]
        runs = []
        for r in range(a.rounds):
            for name, path in codes:
                res = run_once(path, a.corpus, a.jobs)
                res.update(code=name, round=r + 1)
                runs.append(res)
                print(json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in res.items()
                                  if k not in ("gaps", "parent_cpu_by")}), flush=True)
    for x in runs:  # the parent's CPU with no task of its own running: outside every map
        x["serial_cpu_s"] = sum(v for k, v in x["parent_cpu_by"].items() if " -> " in k)
    ref = runs[0]["digest"]
    lines = [f"### Parent's serial work: `minent build-lexicon {os.path.basename(a.corpus)} --jobs {a.jobs}` "
             f"(default options)\n",
             "| code | round | wall s | parent alone s | one worker busy s | parent CPU s | of it outside the maps s "
             "| workers CPU s | tasks | same files | load before/after |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for x in runs:
        lines.append(f"| {x['code']} | {x['round']} | {x['wall_s']:.1f} | {x['alone_s']:.2f} | "
                     f"{x['one_worker_s']:.2f} | {x['parent_cpu_s']:.2f} | {x['serial_cpu_s']:.2f} | "
                     f"{x['workers_cpu_s']:.1f} | {x['tasks']} | {x['digest'] == ref} | "
                     f"{x['load_before']:.2f}/{x['load_after']:.2f} |")
    lines += ["", "Means by code (parent alone s / parent CPU s / of it outside the maps s / one worker busy s):", ""]
    for name, _ in codes:
        mine = [x for x in runs if x["code"] == name]
        mean = {k: sum(x[k] for x in mine) / len(mine) for k in ("alone_s", "parent_cpu_s", "serial_cpu_s",
                                                                   "one_worker_s", "wall_s")}
        lines.append(f"- {name}: {mean['alone_s']:.2f} / {mean['parent_cpu_s']:.2f} / {mean['serial_cpu_s']:.2f} / "
                     f"{mean['one_worker_s']:.2f} (wall {mean['wall_s']:.1f} s, {len(mine)} runs)")
    lines += ["", "The parent's CPU seconds by phase, mean of each code's runs:", "",
              "| code | start (imports, kernels) | clause merges (beside the workers) | n-gram passes, serial "
              "| n-gram passes, beside their tasks | gaps between learning passes | end (score columns, files) |",
              "|---|---|---|---|---|---|---|"]
    for name, _ in codes:
        mine = [phases(x["parent_cpu_by"]) for x in runs if x["code"] == name]
        lines.append(f"| {name} | " + " | ".join(f"{sum(m[k] for m in mine) / len(mine):.2f}" for k in PHASES) + " |")
    lines += ["", "Serial gaps (no worker busy) of each code's last run, by the tasks around them (s):", ""]
    for name, _ in codes:
        last = [x for x in runs if x["code"] == name][-1]
        lines.append(f"- {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in list(last["gaps"].items())[:12]))
    lines += ["", "The parent's CPU seconds of each code's last run: outside the maps (by the maps around them) "
              "and in the loops consuming a map's results (largest first):", ""]
    for name, _ in codes:
        last = [x for x in runs if x["code"] == name][-1]
        lines.append(f"- {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in list(last["parent_cpu_by"].items())[:16]))
    lines.append("")
    write_results(a.name, {"corpus": a.corpus, "jobs": a.jobs, "codes": dict(map(tuple, codes)), "runs": runs},
                  "\n".join(lines) + "\n", a.out)


if __name__ == "__main__":
    main()
