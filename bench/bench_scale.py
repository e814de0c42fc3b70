"""Scale: build-lexicon from 10 MB to GBs on one machine, 1 vs 2 jobs, the Dask engine, spilling.

Corpora come from ``corpora/synth.py`` (word bigram chain over the shipped sample; generated once
into corpora/data/). Every measured run is a fresh process, so its wall time and peak RSS are its
own (with --jobs 2 the workers are separate processes, not included in the peak shown).

    python bench/bench_scale.py [--sizes 10M,100M,1G,3G] [--skip-dask]
Writes outputs/bench/scale.{json,md}.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
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


def digest(lex) -> str:
    h = hashlib.sha256()
    for w, c in zip(lex.words, lex.counts.tolist()):
        h.update(f"{w}\t{c}\n".encode())
    return h.hexdigest()[:16]


def job_build(path: str, jobs: str, engine: str, memory: str) -> None:
    """The full CLI command (lexicon + jieba dict + report with L), timed from inside."""
    import json
    import tempfile
    from minent.commands import main
    from minent.lexicon import Lexicon
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "lex.tsv")
        t0 = time.perf_counter()
        main(["build-lexicon", path, "-o", out, "-q", "--jobs", jobs, "--engine", engine,
              "--memory", memory], standalone_mode=False)
        wall = time.perf_counter() - t0
        report = json.load(open(os.path.join(tmp, "lex.report.json"), encoding="utf-8"))
        lex = Lexicon.load(out)
    emit({"path": os.path.basename(path), "mb": os.path.getsize(path) / 2**20, "jobs": jobs,
          "engine": engine, "memory": memory, "wall_s": wall, "timings": report["timings_s"],
          "lexicon": len(lex), "digest": digest(lex), "spills": report["spills"],
          "peak_piece_table_mb": report["peak_piece_table_mb"], "distinct_pairs": report["distinct_pairs"],
          "worker_peak_rss_mb": report["engine"]["worker_peak_rss_mb"],
          "L_lexicon_bits": report["information_bits"]["lexicon"]["L_bits"],
          "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0],
          })


def job_interrupt(path: str, after_s: str) -> None:
    """Start build-lexicon as a child with a tiny memory budget (so it spills to disk), send it
    SIGINT (to its process group, as Ctrl-C in a terminal) after ``after_s`` seconds, and check what it leaves behind."""
    import glob
    import signal
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        spill_parent = os.path.join(tmp, "tmp")
        os.mkdir(spill_parent)
        out = os.path.join(tmp, "out", "lex.tsv")
        os.mkdir(os.path.dirname(out))
        env = dict(os.environ, TMPDIR=spill_parent)
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "minent", "build-lexicon", path, "-o", out, "-q",
                              "--memory", "404M", "--jobs", "2"], env=env, start_new_session=True,
                             # a shell's background job starts with SIGINT ignored; a terminal's
                             # foreground job (what Ctrl-C reaches) does not
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(float(after_s))
        spilled_before = len(glob.glob(os.path.join(spill_parent, "minent-spill-*")))
        os.killpg(p.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground process group
        _, err = p.communicate(timeout=120)
        stop_s = time.perf_counter() - t0 - float(after_s)
        left_out = sorted(os.listdir(os.path.dirname(out)))
        left_tmp = sorted(os.listdir(spill_parent))
    emit({"after_s": float(after_s), "exit": p.returncode, "stop_s": stop_s,
          "spill_dirs_at_interrupt": spilled_before, "left_in_output_dir": left_out,
          "left_in_tmpdir": left_tmp, "stderr": err.strip()[-200:]})


def job_throughput(path: str) -> None:
    """Pass 1 alone, split into I/O + decoding + code conversion vs the counting kernels."""
    from minent import Corpus, count_chars_pairs
    from minent.pretokenize import to_codes
    count_chars_pairs(["预热"])
    corpus_ = Corpus(path)
    t0 = time.perf_counter()
    n = 0
    for text, _ in corpus_.blocks():
        n += to_codes(text).shape[0]
    io_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    count_chars_pairs(corpus_)
    total_s = time.perf_counter() - t0
    emit({"impl": "minent numba", "mb": os.path.getsize(path) / 2**20, "total_s": total_s, "io_decode_s": io_s})


def job_counter(path: str) -> None:
    import re
    from collections import Counter
    han = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
    t0 = time.perf_counter()
    chars, pairs = Counter(), Counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            for run in han.findall(line):
                chars.update(run)
                pairs.update(map(str.__add__, run, run[1:]))
    emit({"impl": "collections.Counter", "mb": os.path.getsize(path) / 2**20,
          "total_s": time.perf_counter() - t0})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10M,100M,1G,3G")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--two-jobs-only", action="store_true",
                    help="only re-measure 1 vs 2 jobs on 1G, keeping the other sections' results")
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job is not None:
        kind, *rest = a.job
        {"build": job_build, "throughput": job_throughput, "counter": job_counter,
         "interrupt": job_interrupt}[kind](*rest)
        return
    if a.two_jobs_only:
        two_jobs_only(corpus("1G"))
        return
    sizes = a.sizes.split(",")
    paths = {s: corpus(s) for s in sizes}
    scaling = [run_job(__file__, "build", paths[s], "1", "local", "2G") for s in sizes]
    big = "1G" if "1G" in sizes else sizes[-1]
    two = run_job(__file__, "build", paths[big], "2", "local", "2G")
    spill = run_job(__file__, "build", paths[big], "1", "local", "404M")
    mid = "100M" if "100M" in sizes else sizes[0]
    thr = [run_job(__file__, "throughput", paths[mid]), run_job(__file__, "counter", paths[mid])]
    intr = run_job(__file__, "interrupt", paths[big], "9")
    dask = [] if a.skip_dask else [run_job(__file__, "build", paths[mid], "2", "local", "2G"),
                                   run_job(__file__, "build", paths[mid], "2", "dask", "2G")]
    data = {"scaling": scaling, "two_jobs": two, "spill": spill, "throughput": thr, "dask": dask,
            "interrupt": intr}
    write_results("scale", data, render(**data))


def render(scaling, two_jobs, spill, throughput, interrupt, dask, **_) -> str:
    two, thr, intr = two_jobs, throughput, interrupt
    t = "### build-lexicon scaling (1 job, --memory 2G, full command incl. L report)\n\n"
    t += "| corpus MB | wall s | count s | cut s | entropy s | peak RSS MB | distinct pairs | piece table MB | lexicon |\n|---|---|---|---|---|---|---|---|---|\n"
    for r in scaling:
        tm = r["timings"]
        t += (f"| {r['mb']:.0f} | {r['wall_s']:.1f} | {tm['count']:.1f} | {tm['cut']:.1f} | {tm['entropy']:.1f} | "
              f"{r['peak_rss_mb']:.0f} | {r['distinct_pairs']} | {r['peak_piece_table_mb']} | {r['lexicon']} |\n")
    t += (f"\n### 2 jobs vs 1 job on {two['mb']:.0f} MB\n\n| jobs | wall s | count s | cut s | entropy s | parent peak MB | worker peak MB | same lexicon | same L | load avg (1 min) before/after |\n|---|---|---|---|---|---|---|---|---|---|\n")
    one = next(r for r in scaling if r["path"] == two["path"])
    for r in (one, two):
        tm = r["timings"]
        t += (f"| {r['jobs']} | {r['wall_s']:.1f} | {tm['count']:.1f} | {tm['cut']:.1f} | {tm['entropy']:.1f} | "
              f"{r['peak_rss_mb']:.0f} | {r['worker_peak_rss_mb'] or '-'} | {r['digest'] == one['digest']} | "
              f"{r['L_lexicon_bits'] == one['L_lexicon_bits']} | "
              f"{r.get('load_1min_before', float('nan')):.2f}/{r.get('load_1min_after', float('nan')):.2f} |\n")
    counting_speedup = (one["timings"]["count"] + one["timings"]["cut"]) / (two["timings"]["count"] + two["timings"]["cut"])
    t += (f"\nCounting passes (count + cut) speed-up with 2 jobs: {counting_speedup:.2f}x; report pass (L): "
          f"{one['timings']['entropy'] / two['timings']['entropy']:.2f}x; whole command: {one['wall_s'] / two['wall_s']:.2f}x. "
          f"Worker peak is the largest peak RSS any worker reported (forked workers share the parent's pages).\n")
    t += (f"\n### Memory budget on {spill['mb']:.0f} MB: --memory 404M (table budget 4 MB, the floor) vs 2G\n\n"
          f"| memory | spills | peak piece table MB | peak RSS MB | wall s | same lexicon |\n|---|---|---|---|---|---|\n"
          f"| 2G | {one['spills']} | {one['peak_piece_table_mb']} | {one['peak_rss_mb']:.0f} | {one['wall_s']:.1f} | True |\n"
          f"| 404M | {spill['spills']} | {spill['peak_piece_table_mb']} | {spill['peak_rss_mb']:.0f} | {spill['wall_s']:.1f} | {spill['digest'] == one['digest']} |\n")
    t += (f"\n### Ctrl-C during a spilling 2-job run on {two['mb']:.0f} MB (--memory 404M, SIGINT after {intr['after_s']:.0f} s)\n\n"
          f"| exit code | stopped within s | spill dirs at interrupt | left in output dir | left in TMPDIR | message |\n|---|---|---|---|---|---|\n"
          f"| {intr['exit']} | {intr['stop_s']:.1f} | {intr['spill_dirs_at_interrupt']} | {intr['left_in_output_dir'] or 'nothing'} | "
          f"{intr['left_in_tmpdir'] or 'nothing'} | {intr['stderr'] or '-'} |\n")
    n, c = thr
    t += (f"\n### Counting throughput on {n['mb']:.0f} MB (pass 1, one core)\n\n| implementation | s | MB/s |\n|---|---|---|\n"
          f"| minent numba | {n['total_s']:.2f} | {n['mb'] / n['total_s']:.1f} |\n| collections.Counter | {c['total_s']:.2f} | {c['mb'] / c['total_s']:.1f} |\n"
          f"\nSpeed-up {c['total_s'] / n['total_s']:.1f}x. Reading + UTF-8 decoding + code-point conversion alone: "
          f"{n['io_decode_s']:.2f} s = {100 * n['io_decode_s'] / n['total_s']:.0f}% of the numba pass; counting kernels the rest.\n")
    if dask:
        loc, dk = dask
        t += (f"\n### Dask LocalCluster (2 workers) vs local engine (2 jobs) on {loc['mb']:.0f} MB\n\n| engine | wall s | count s | cut s | same lexicon |\n|---|---|---|---|---|\n"
              f"| local | {loc['wall_s']:.1f} | {loc['timings']['count']:.1f} | {loc['timings']['cut']:.1f} | True |\n"
              f"| dask | {dk['wall_s']:.1f} | {dk['timings']['count']:.1f} | {dk['timings']['cut']:.1f} | {dk['digest'] == loc['digest']} |\n"
              f"\nDask overhead on the whole command: {dk['wall_s'] - loc['wall_s']:+.1f} s (cluster start-up included).\n")
    return t


def two_jobs_only(path: str) -> None:
    """Re-measure 1 vs 2 jobs on ``path`` back to back (a quiet machine matters) and update the
    previous results in outputs/bench/scale.json."""
    import json
    from _common import OUT
    with open(os.path.join(OUT, "scale.json"), encoding="utf-8") as fh:
        data = json.load(fh)
    data.pop("machine", None)
    one = run_job(__file__, "build", path, "1", "local", "2G")
    two = run_job(__file__, "build", path, "2", "local", "2G")
    data["scaling"] = [one if r["path"] == one["path"] else r for r in data["scaling"]]
    data["two_jobs"] = two
    write_results("scale", data, render(**data))


if __name__ == "__main__":
    main()
