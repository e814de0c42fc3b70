"""Lexicon learners side by side, in one run, on the same ~20 MB of real text (issue 12).

Rows (each job a fresh process, run one after the other; ``--repeat`` rounds, default 2, every tool
once per round, round-robin; the row shows the round with the shortest learning time and the
highest memory peaks of all rounds, the json every round):

* ``minent general`` — ``minent.learn_lexicon(minent.Corpus(path))``, default options (preset
  ``general``, ``jobs=0`` = auto, ``memory="2G"``).
* ``minent faithful`` — ``minent.learn_lexicon(Corpus(path), preset="faithful")`` (the four steps).
* ``nlp-zero Word_Finder`` — the method author's pure-Python library (PyPI ``nlp-zero``):
  ``Word_Finder()`` with its default options (``min_proba=1e-7, min_pmi=1``), ``train(texts)`` then
  ``find(texts)`` over the lines of the text file (read twice, streamed); it segments with its own
  ``export_tokenizer().tokenize`` (a unigram Viterbi over the word counts it found, punctuation
  split, runs of ASCII letters/digits joined).
* ``SmoothNLP extract_phrase`` — PyPI ``smoothnlp``: ``extract_phrase(lines, top_k=10**9)`` on the
  list of lines (its defaults otherwise: 2-4 chars, min_freq 5); ``top_k=10**9`` returns every
  ranked candidate (the default ``top_k=200`` returns the first 200 of the same ranked list, at the
  same cost). It gives phrases without counts and no segmenter, so no F1 ("n/a").

Measured per job: learning wall time (inside the job, between the two phase stamps it prints),
whole-job wall time (process start to exit, imports and segmentation included), and the peak of
the whole process tree (the job + all its children, sampled every 0.1 s with psutil): the sum of
RSS, and the sum of PSS (``memory_full_info().pss``, shared pages split between the processes that
map them), both over the learning phase and over the whole job. ``os.getloadavg()`` is recorded
before each job (the machine has 2 cores and is shared). Quality: every job that can segment
writes its segmentation of ``pd1998/pd1998.raw.txt`` (line by line, words separated by spaces); the
parent scores it against ``pd1998/pd1998.gold.txt`` with ``minent.score_segmentation`` (SIGHAN
definition; OOV recall over words absent from jieba's dictionary, as in the other bench scripts).

The text: ``pd1998/pd1998.raw.txt novels/*.txt thucnews-titles/dev.txt
questions/lcqmc_dev.questions.txt questions/kbqa_train.questions.txt sentiment/train.tsv``
concatenated byte for byte into one temporary file (newline added where a file lacks a final one;
the label columns of the two TSV files are kept, as in bench_discovery.py, which learns from those
files as they are). Every tool reads that one file.

Peers live in a separate scratch virtualenv, never in minent's environment, and are run with its
interpreter (``--peers-python``, default ``/work/peers-venv/bin/python``); minent jobs run with the
current interpreter. Setting up the scratch venv (Python 3.11)::

    python3 -m venv /work/peers-venv
    /work/peers-venv/bin/pip install nlp-zero smoothnlp 'sqlalchemy<1.4' psutil
    # nlp-zero 0.1.6 (2018) does `from collections import defaultdict, Iterable`, removed in
    # Python 3.10; patch the installed copy in the scratch venv only:
    sed -i 's/^from collections import defaultdict, Iterable$/from collections import defaultdict\\nfrom collections.abc import Iterable/' \\
        /work/peers-venv/lib/python3.11/site-packages/nlp_zero/nlp_zero.py

(smoothnlp imports only with ``sqlalchemy<1.4``; its phrase extraction runs offline.) No peer
code is copied into this repository. minent itself is measured as committed: the script extracts
``minent/`` at ``--minent-commit`` (default HEAD) with ``git archive`` into a temporary folder and
puts it first on the path of the minent jobs and of the scoring, so work-tree edits made while the
bench runs do not leak into it. numba's cache is warmed in a throw-away process before the
measured jobs, so the minent rows time the work, not JIT compilation.

    nice -n 5 python bench/bench_learners.py [--data /work/shared/data] [--peers-python PATH]
        [--repeat 2] [--minent-commit HEAD]
Writes outputs/bench/learners.{json,md}; ``--render`` rewrites the md from the json.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(REPO, "outputs", "bench")
DEFAULT_DATA = os.path.join(os.path.dirname(REPO), "shared", "data")
PEERS_PY = "/work/peers-venv/bin/python"

TEXT_FILES = ["pd1998/pd1998.raw.txt", "novels/*.txt", "thucnews-titles/dev.txt",
              "questions/lcqmc_dev.questions.txt", "questions/kbqa_train.questions.txt",
              "sentiment/train.tsv"]
RAW = "pd1998/pd1998.raw.txt"
GOLD = "pd1998/pd1998.gold.txt"

# name -> (interpreter kind, what it is)
JOBS = {
    "minent general": ("minent", "minent.learn_lexicon(Corpus(path)), default options"),
    "minent faithful": ("minent", "minent.learn_lexicon(Corpus(path), preset='faithful')"),
    "nlp-zero Word_Finder": ("peer", "nlp_zero.Word_Finder() defaults: train + find; segments with "
                                     "its own export_tokenizer().tokenize"),
    "SmoothNLP extract_phrase": ("peer", "smoothnlp extract_phrase(list of lines, top_k=10**9), "
                                         "defaults otherwise; phrases only, no segmenter"),
}
#: kill a job whose process tree passes this many MB of RSS (the machine is shared)
GUARD_MB = 12000


# --------------------------------------------------------------------------- jobs (child side)

def _stamp(name: str) -> None:
    print(f"@@{name} {time.time():.6f}", flush=True)


def _raw_lines(data: str) -> list[str]:
    with open(os.path.join(data, RAW), encoding="utf-8") as fh:
        return fh.read().splitlines()


def _own_peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job_minent(preset: str, text: str, data: str, pred_path: str) -> dict:
    import minent
    _stamp("learn_start")
    lex = minent.learn_lexicon(minent.Corpus(text), preset=preset)
    _stamp("learn_end")
    seg = lex.segmenter
    with open(pred_path, "w", encoding="utf-8") as fh:
        for line in _raw_lines(data):
            fh.write(seg.segment_text(line) + "\n")
    _stamp("segment_end")
    report = lex.report or {}
    return {"lexicon_size": len(lex), "multi_char": sum(len(w) > 1 for w in lex.words),
            "engine": report.get("engine"), "preset": preset, "minent_file": minent.__file__,
            "sample_words": [w for w in lex.words if len(w) > 1][:20]}


class _Lines:
    """Re-iterable stream of the lines of a file (nlp-zero reads the texts twice)."""

    def __init__(self, path: str):
        self.path = path

    def __iter__(self):
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.rstrip("\n")


def job_nlpzero(text: str, data: str, pred_path: str) -> dict:
    import importlib.metadata as md
    import nlp_zero
    _stamp("learn_start")
    wf = nlp_zero.Word_Finder()
    texts = _Lines(text)
    wf.train(texts)
    _stamp("train_end")
    wf.find(texts)
    _stamp("learn_end")
    tok = wf.export_tokenizer()
    with open(pred_path, "w", encoding="utf-8") as fh:
        for line in _raw_lines(data):
            fh.write(" ".join(w for w in tok.tokenize(line) if w.strip()) + "\n")
    _stamp("segment_end")
    top = sorted(((w, c) for w, c in wf.words.items() if len(w) > 1), key=lambda x: -x[1])[:20]
    return {"lexicon_size": len(wf.words), "multi_char": sum(len(w) > 1 for w in wf.words),
            "version": md.version("nlp-zero"), "params": {"min_proba": wf.min_proba, "min_pmi": wf.min_pmi},
            "sample_words": [w for w, _ in top]}


def job_smoothnlp(text: str) -> dict:
    import importlib.metadata as md
    import logging
    from smoothnlp.algorithm.phrase import extract_phrase
    logging.getLogger().setLevel(logging.WARNING)
    _stamp("learn_start")
    with open(text, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    phrases = extract_phrase(lines, top_k=10 ** 9)
    _stamp("learn_end")
    return {"lexicon_size": len(phrases), "multi_char": len(phrases), "version": md.version("smoothnlp"),
            "sqlalchemy": md.version("sqlalchemy"), "sample_words": phrases[:20],
            "params": {"top_k": 10 ** 9, "min_n": 2, "max_n": 4, "min_freq": 5, "chunk_size": 1000000}}


def run_job_inside(name: str, text: str, data: str, pred_path: str) -> None:
    _stamp("start")
    if name == "minent general":
        out = job_minent("general", text, data, pred_path)
    elif name == "minent faithful":
        out = job_minent("faithful", text, data, pred_path)
    elif name == "nlp-zero Word_Finder":
        out = job_nlpzero(text, data, pred_path)
    elif name == "SmoothNLP extract_phrase":
        out = job_smoothnlp(text)
    else:
        raise SystemExit(f"unknown job {name}")
    out["own_peak_rss_mb"] = _own_peak_mb()
    out["python"] = platform.python_version()
    print("@@result " + json.dumps(out, ensure_ascii=False), flush=True)


# --------------------------------------------------------------------------- parent side

def snapshot_minent(commit: str, dest: str) -> str:
    """Extract the committed ``minent/`` package at ``commit`` into ``dest`` (``git archive``; the
    repository is not touched) and return the full commit id. Every minent job and the scoring use
    this copy (it goes first on ``PYTHONPATH``/``sys.path``), so edits made to the work tree while
    the bench runs do not change what is measured."""
    full = subprocess.run(["git", "rev-parse", commit], capture_output=True, text=True, check=True,
                          cwd=REPO).stdout.strip()
    arc = subprocess.run(["git", "archive", full, "minent"], capture_output=True, check=True, cwd=REPO)
    subprocess.run(["tar", "-x", "-C", dest], input=arc.stdout, check=True)
    return full


def warm(env: dict, cwd: str) -> None:
    """Compile (or load from numba's cache) minent's kernels in a throw-away process."""
    code = ("import minent\n"
            "t = ['今天天气很好，我们去公园散步。', '公园里的人很多，天气很好。'] * 20\n"
            "for p in ('general', 'faithful'):\n"
            "    lex = minent.learn_lexicon(t, preset=p); lex.segmenter.segment_text(t[0])\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=cwd, env=env)


def concat_text(data: str, dest: str) -> list[dict]:
    files = []
    for spec in TEXT_FILES:
        files += sorted(glob.glob(os.path.join(data, spec)))
    out = []
    with open(dest, "wb") as w:
        for p in files:
            with open(p, "rb") as fh:
                b = fh.read()
            w.write(b)
            if b and not b.endswith(b"\n"):
                w.write(b"\n")
            out.append({"file": os.path.relpath(p, data), "bytes": len(b),
                        "chars": len(b.decode("utf-8")), "lines": b.count(b"\n")})
    return out


def measure(cmd: list[str], env: dict | None = None, cwd: str | None = None) -> dict:
    """Run ``cmd``; sample the tree's RSS and PSS every 0.1 s; collect stamps and the result."""
    import resource

    import psutil
    load = os.getloadavg()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    me0 = sum(psutil.Process().cpu_times()[:2])
    t0 = time.time()
    out_f = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    err_f = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    p = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, cwd=cwd or REPO, env=env)
    root = psutil.Process(p.pid)
    samples = []  # (time, rss MB, pss MB or None, processes)
    pss_ok = True
    killed = None
    while p.poll() is None:
        try:
            procs = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        rss = pss = 0
        for q in procs:
            try:
                if pss_ok:
                    try:
                        mi = q.memory_full_info()
                        rss += mi.rss
                        pss += mi.pss
                        continue
                    except psutil.AccessDenied:
                        pss_ok = False
                rss += q.memory_info().rss
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                pass
        samples.append((time.time(), rss / 2 ** 20, pss / 2 ** 20 if pss_ok else None, len(procs)))
        if rss / 2 ** 20 > GUARD_MB:
            killed = f"process tree passed {GUARD_MB} MB RSS; killed"
            for q in reversed(procs):
                try:
                    q.kill()
                except psutil.NoSuchProcess:
                    pass
            break
        time.sleep(0.1)
    rc = p.wait()
    t_end = time.time()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    me1 = sum(psutil.Process().cpu_times()[:2])
    out_f.seek(0)
    err_f.seek(0)
    stdout, stderr = out_f.read(), err_f.read()
    stamps, result = {}, None
    for line in stdout.splitlines():
        if line.startswith("@@result "):
            result = json.loads(line[len("@@result "):])
        elif line.startswith("@@"):
            k, v = line[2:].split()
            stamps[k] = float(v)

    def peak(lo=None, hi=None, idx=1):
        vals = [s[idx] for s in samples if s[idx] is not None
                and (lo is None or s[0] >= lo) and (hi is None or s[0] <= hi + 0.1)]
        return round(max(vals), 1) if vals else None

    ls, le = stamps.get("learn_start"), stamps.get("learn_end")
    row = {"cmd": cmd, "returncode": rc, "killed": killed, "loadavg_before": load,
           "job_wall_s": t_end - t0, "learn_s": (le - ls) if ls and le else None,
           "startup_s": (stamps["start"] - t0) if "start" in stamps else None,
           "segment_s": (stamps["segment_end"] - le) if le and "segment_end" in stamps else None,
           "stamps": stamps,
           "peak_tree_rss_mb": peak(), "peak_tree_pss_mb": peak(idx=2),
           "peak_tree_rss_learn_mb": peak(ls, le) if ls and le else None,
           "peak_tree_pss_learn_mb": peak(ls, le, 2) if ls and le else None,
           "job_cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
           "sampler_cpu_s": me1 - me0,
           "max_processes": max((s[3] for s in samples), default=0), "samples": len(samples),
           "mean_sample_interval_s": (samples[-1][0] - samples[0][0]) / (len(samples) - 1)
           if len(samples) > 1 else None,
           "result": result}
    if rc != 0 or result is None:
        row["stderr_tail"] = stderr[-3000:]
    return row


def summarize(name: str, runs: list[dict], peers_ok: bool) -> dict:
    """One row per tool: the run with the shortest learning time, the peaks over all runs."""
    kind, what = JOBS[name]
    row = {"tool": name, "what": what}
    if not runs:
        row["failed"] = "no peers interpreter" if kind == "peer" and not peers_ok else "not run"
        return row
    bad = [r for r in runs if r.get("failed")]
    if bad:
        row["failed"] = bad[0]["failed"]
        row["runs"] = runs
        return row
    best = min(runs, key=lambda r: r["learn_s"])
    row.update({k: v for k, v in best.items() if k not in ("samples",)})
    for k in ("peak_tree_rss_mb", "peak_tree_pss_mb", "peak_tree_rss_learn_mb", "peak_tree_pss_learn_mb"):
        vals = [r[k] for r in runs if r.get(k) is not None]
        row[k] = max(vals) if vals else None
    row["max_processes"] = max(r["max_processes"] for r in runs)
    row["learn_s_runs"] = [r["learn_s"] for r in runs]
    row["job_cpu_s_runs"] = [r["job_cpu_s"] for r in runs]
    row["loadavg_runs"] = [r["loadavg_before"] for r in runs]
    f1s = {(r.get("score") or {}).get("f1") for r in runs}
    sizes = {r["result"]["lexicon_size"] for r in runs}
    row["same_result_every_run"] = len(f1s) == 1 and len(sizes) == 1
    row["runs"] = [{k: v for k, v in r.items() if k != "result"} for r in runs]
    return row


def score(data: str, pred_path: str) -> dict:
    from minent import Corpus, score_segmentation
    from minent.newwords import load_reference_words
    gold = list(Corpus(os.path.join(data, GOLD)).lines())
    with open(pred_path, encoding="utf-8") as fh:
        pred = fh.read().splitlines()
    if len(pred) != len(gold):
        raise SystemExit(f"{pred_path}: {len(pred)} lines, gold {len(gold)}")
    return score_segmentation(gold, pred, load_reference_words("jieba")).as_dict()


def _peer_versions(py: str) -> dict:
    code = ("import importlib.metadata as m, json, platform\n"
            "d = {'python': platform.python_version()}\n"
            "for n in ('nlp-zero', 'smoothnlp', 'sqlalchemy', 'pygtrie', 'psutil'):\n"
            "    try: d[n] = m.version(n)\n"
            "    except Exception as e: d[n] = 'not installed'\n"
            "print(json.dumps(d))")
    try:
        p = subprocess.run([py, "-c", code], capture_output=True, text=True, timeout=60)
        return json.loads(p.stdout.strip().splitlines()[-1])
    except Exception as e:  # noqa: BLE001
        return {"error": repr(e)}


def _fmt(x, spec="{:.1f}"):
    return "n/a" if x is None else spec.format(x)


def notes(data: dict) -> list[str]:
    """Derived remarks for the md (recomputed by --render)."""
    rows = data["rows"]
    out = []
    by = {r["tool"]: r for r in rows}
    g, f = by.get("minent general"), by.get("minent faithful")
    if g and g.get("learn_s") and f and f.get("learn_s"):
        out.append(f"minent general / faithful learning time: {g['learn_s'] / f['learn_s']:.1f}x.")
    if g and g.get("score"):
        out.append(f"minent general's pd1998 F1 here ({g['score']['f1']:.4f}) is learned with the four novels "
                   "in the text; bench_discovery.py learns pd1998 without them (classical register, "
                   "measured there to lower F1).")
    for r in (g, f):
        eng = ((r or {}).get("result") or {}).get("engine") or {}
        if eng:
            out.append(f"{r['tool']}: the engine chosen by the default `jobs=0` was {eng.get('name')} with "
                       f"{eng.get('jobs')} job(s) (one process below 64 MB of input).")
    z = by.get("nlp-zero Word_Finder")
    if g and g.get("learn_s") and z and z.get("learn_s"):
        out.append(f"minent general / nlp-zero learning time: {g['learn_s'] / z['learn_s']:.1f}x; "
               f"peak tree RSS while learning {g['peak_tree_rss_learn_mb']:.0f} vs "
               f"{z['peak_tree_rss_learn_mb']:.0f} MB.")
    if z and z.get("stamps", {}).get("train_end"):
        st = z["stamps"]
        out.append(f"nlp-zero's learning time splits into `train` (char and pair counts) "
               f"{st['train_end'] - st['learn_start']:.1f} s and `find` (PMI cut, word "
               f"counts, redundancy removal by re-tokenizing every word) "
               f"{st['learn_end'] - st['train_end']:.1f} s.")
    for r in rows:
        if r.get("failed"):
            out.append(f"{r['tool']} failed: {r['failed']}")
        elif "same_result_every_run" in r and len(r.get("runs", [])) > 1:
            what = "lexicon size and pd1998 F1" if r.get("score") else "lexicon size"
            out.append(f"{r['tool']}: {what} "
               + ("identical in every round." if r["same_result_every_run"]
                  else "differ between rounds (see json)."))
    samp = [x["sampler_cpu_s"] for r in rows for x in r.get("runs", [])]
    iv = [x["mean_sample_interval_s"] for r in rows for x in r.get("runs", []) if x.get("mean_sample_interval_s")]
    if samp:
        out.append(f"The memory sampler (this script's parent process) used {sum(samp):.1f} CPU s in "
               f"all; mean interval between samples {min(iv):.2f}-{max(iv):.2f} s (0.1 s sleep "
               "plus reading /proc on a loaded machine).")
    out.append("SmoothNLP's `extract_phrase` returns a ranked list of 2-4 character strings with "
               "no counts or probabilities and the package has no offline segmenter (its "
               "`smoothnlp.segment` calls a remote server), so there is no honest segmentation "
               "to score: F1 n/a. Its lexicon size is every candidate it ranks.")
    out.append("The TSV label columns (`neg`/`pos` in sentiment/train.tsv, class ids in "
               "thucnews-titles/dev.txt) are part of the text every tool learns from; they "
               "show up as nlp-zero's two most frequent 'words'.")
    return out


def table(data: dict) -> str:
    L = ["# Lexicon learners side by side (issue 12)", ""]
    tx = data["text"]
    L.append(f"One run of this script ({data['date']}; {data['repeat']} rounds, every tool once per round, "
             f"round-robin) on the same text: {tx['bytes'] / 1e6:.1f} MB "
             f"({tx['bytes'] / 2 ** 20:.1f} MiB, {tx['chars']:,} characters, {tx['lines']:,} lines), "
             "these files of shared/data concatenated into one file: "
             + ", ".join(f"`{f['file']}` ({f['bytes'] / 1e6:.2f} MB)" for f in tx["files"])
             + ". The TSV label columns are kept, as in bench_discovery.py.")
    L.append("")
    L.append("| tool | learn s (each round) | job CPU s | job s | peak tree RSS MB (learn / job) "
             "| peak tree PSS MB (learn / job) | procs | lexicon | multi-char | pd1998 P | R | F1 | OOV-R "
             "| load 1/5/15 before each round |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in data["rows"]:
        res = r.get("result") or {}
        sc = r.get("score")
        if r.get("failed"):
            L.append(f"| {r['tool']} | failed: {r['failed']} |" + " |" * 12)
            continue
        f1 = ("n/a",) * 4 if not sc else (f"{sc['precision']:.4f}", f"{sc['recall']:.4f}",
                                           f"**{sc['f1']:.4f}**", _fmt(sc['oov_recall'], "{:.4f}"))
        la = "; ".join(f"{a:.2f} / {b:.2f} / {c:.2f}" for a, b, c in r["loadavg_runs"])
        each = ", ".join(f"{x:.1f}" for x in r["learn_s_runs"])
        L.append(f"| {r['tool']} | **{r['learn_s']:.1f}** ({each}) | {r['job_cpu_s']:.1f} | "
                 f"{_fmt(r['job_wall_s'])} | "
                 f"{_fmt(r['peak_tree_rss_learn_mb'], '{:.0f}')} / {_fmt(r['peak_tree_rss_mb'], '{:.0f}')} | "
                 f"{_fmt(r['peak_tree_pss_learn_mb'], '{:.0f}')} / {_fmt(r['peak_tree_pss_mb'], '{:.0f}')} | "
                 f"{r['max_processes']} | {res.get('lexicon_size', 'n/a'):,} | {res.get('multi_char', 'n/a'):,} | "
                 f"{f1[0]} | {f1[1]} | {f1[2]} | {f1[3]} | {la} |")
    L.append("")
    L.append("Columns: `learn s` = learning only (text read + lexicon built, between stamps printed by "
             "the job), the shortest of the rounds in bold, every round in brackets; the other timing "
             "columns are from that fastest round. `job CPU s` = user + system CPU time of the whole "
             "job process tree (less sensitive to the shared machine's load than wall time); "
             "`job s` = wall time of the whole fresh process (interpreter start, imports, learning, "
             "segmenting pd1998's 19,484 raw lines, writing them). Peak memory = the whole process "
             "tree (job + children), sampled every 0.1 s: sum of RSS and sum of PSS, over the "
             "learning phase / over the whole job, the highest over the rounds. `procs` = most processes seen in the tree. "
             "F1 etc.: the tool's segmentation of `pd1998/pd1998.raw.txt` scored against "
             "`pd1998.gold.txt` with `minent.score_segmentation` (SIGHAN definition; OOV recall over "
             "words absent from jieba's dictionary). The learning text contains pd1998's raw text "
             "(transductive, as in the literature); the gold is never read while learning.")
    L.append("")
    L.append("What each row runs:")
    L.append("")
    for r in data["rows"]:
        L.append(f"- **{r['tool']}**: {r['what']}.")
    L.append("")
    pv = data["peers"]["versions"]
    L.append(f"Peers run in a scratch virtualenv (`{data['peers']['python']}`, Python {pv.get('python')}), "
             f"never in minent's: nlp-zero {pv.get('nlp-zero')}, smoothnlp {pv.get('smoothnlp')} "
             f"(with SQLAlchemy {pv.get('sqlalchemy')}, pygtrie {pv.get('pygtrie')}). "
             "**Patch applied to nlp-zero** (installed copy in the scratch venv only): "
             "`from collections import defaultdict, Iterable` -> `from collections import defaultdict` + "
             "`from collections.abc import Iterable` (`Iterable` left `collections` in Python 3.10). "
             "No other change; the scratch-venv setup is in the script's docstring.")
    L.append("")
    m = data["machine"]
    L.append(f"Machine: {m['cpus']} cores, {m['mem_gb']:.0f} GB RAM, {m['platform']}, Python {m['python']} "
             f"(minent jobs), minent = the committed `minent/` of `{m['minent_commit'][:12]}` "
             f"(`git archive` into a temporary folder, first on the path of every minent job and "
             f"of the scoring)"
             + f". The machine is shared with other jobs; the whole bench ran under `nice -n 5` "
             f"(niceness {m['niceness']}), jobs one after the other, numba's cache warmed first. "
             "Load averages (1/5/15 min) before each job are in the table; compare rows of this one run, "
             "not absolute times across runs.")
    L.append("")
    if data.get("notes"):
        L.append("Notes:")
        L.append("")
        for n in data["notes"]:
            L.append(f"- {n}")
        L.append("")
    L.append("Multi-char words found (first 20 in each tool's own order: minent by lexicon order, "
             "nlp-zero by count, SmoothNLP by its score):")
    L.append("")
    for r in data["rows"]:
        res = r.get("result") or {}
        if res.get("sample_words"):
            L.append(f"- {r['tool']}: " + " ".join(res["sample_words"]))
    L.append("")
    return "\n".join(L)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--peers-python", default=PEERS_PY)
    ap.add_argument("--only", help="comma-separated job names (default: all)")
    ap.add_argument("--minent-commit", default="HEAD",
                    help="commit whose minent/ is measured (extracted with git archive; default HEAD)")
    ap.add_argument("--repeat", type=int, default=2, help="rounds; every tool runs once per round")
    ap.add_argument("--render", action="store_true",
                    help="rewrite learners.md (and the json's notes) from learners.json, no measuring")
    ap.add_argument("--job", help=argparse.SUPPRESS)
    ap.add_argument("--text", help=argparse.SUPPRESS)
    ap.add_argument("--pred", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.job:
        run_job_inside(args.job, args.text, args.data, args.pred)
        return
    if args.render:
        with open(os.path.join(OUT, "learners.json"), encoding="utf-8") as fh:
            data = json.load(fh)
        data["notes"] = notes(data)
        write(data)
        return

    import psutil
    names = [n.strip() for n in args.only.split(",")] if args.only else list(JOBS)
    tmp = tempfile.mkdtemp(prefix="bench_learners_")
    snap = os.path.join(tmp, "src")
    os.makedirs(snap)
    commit = snapshot_minent(args.minent_commit, snap)
    sys.path.insert(0, snap)
    menv = dict(os.environ, PYTHONPATH=snap + os.pathsep + os.environ.get("PYTHONPATH", ""))
    warm(menv, snap)
    text = os.path.join(tmp, "text.txt")
    files = concat_text(args.data, text)
    text_info = {"files": files, "bytes": sum(f["bytes"] for f in files),
                 "chars": sum(f["chars"] for f in files), "lines": sum(f["lines"] for f in files)}
    peers_ok = os.path.exists(args.peers_python)
    runs = {name: [] for name in names}
    for rnd in range(args.repeat):  # round-robin: every tool once per round
        for name in names:
            kind, _ = JOBS[name]
            if kind == "peer" and not peers_ok:
                continue
            py = sys.executable if kind == "minent" else args.peers_python
            pred = os.path.join(tmp, f"{name.replace(' ', '_')}.{rnd}.pred.txt")
            print(f"round {rnd + 1}: running {name} ...", file=sys.stderr, flush=True)
            run = measure([py, os.path.abspath(__file__), "--job", name, "--text", text,
                           "--data", args.data, "--pred", pred],
                          env=menv if kind == "minent" else None, cwd=snap if kind == "minent" else tmp)
            if run["returncode"] != 0 or run["result"] is None:
                tail = (run.get("stderr_tail") or "").strip().splitlines()
                run["failed"] = run["killed"] or (tail[-1] if tail else f"exit {run['returncode']}")
            elif os.path.exists(pred):
                run["score"] = score(args.data, pred)
            print(f"  {name}: learn {_fmt(run.get('learn_s'))} s, cpu {run['job_cpu_s']:.1f} s, "
                  f"tree RSS {run.get('peak_tree_rss_mb')} MB, F1 {(run.get('score') or {}).get('f1')}",
                  file=sys.stderr, flush=True)
            runs[name].append(run)
    rows = [summarize(name, runs[name], peers_ok) for name in names]
    import minent
    assert minent.__file__.startswith(snap), minent.__file__
    for r in rows:
        f = (r.get("result") or {}).get("minent_file")
        assert f is None or f.startswith(snap), f

    vm = psutil.virtual_memory()
    data = {"date": time.strftime("%Y-%m-%d %H:%M"), "repeat": args.repeat, "text": text_info, "rows": rows,
            "peers": {"python": args.peers_python, "versions": _peer_versions(args.peers_python),
                      "nlp_zero_patch": "collections.Iterable -> collections.abc.Iterable (sed, scratch venv)"},
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "mem_gb": vm.total / 2 ** 30, "platform": platform.platform(),
                        "niceness": os.nice(0), "minent_commit": commit,
                        "loadavg_end": os.getloadavg()},
            "notes": []}
    data["notes"] = notes(data)
    write(data)
    shutil.rmtree(tmp, ignore_errors=True)


def write(data: dict) -> None:
    md = table(data)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "learners.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    with open(os.path.join(OUT, "learners.md"), "w", encoding="utf-8") as fh:
        fh.write(md)
    print(md)


if __name__ == "__main__":
    main()
