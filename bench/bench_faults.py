"""Faults of the machine and of files, tried on the CLI as a user meets them (issue 17).

Each fault is one real `minent` run in a private folder with a private TMPDIR: a pool worker
killed with SIGKILL in each pass of the learner (timed from the undisturbed run's pass timings),
SIGTERM / SIGINT / SIGKILL to the run, a Dask LocalCluster worker killed mid-run, an unreachable
Dask scheduler, no space left on the output folder and on the spill folder (small tmpfs mounts in
a private mount namespace, `unshare -m`; skipped when not allowed), the file-size limit (`ulimit
-f`), a read-only output folder, permission denied, and lexicon / templates / model files cut at
10 random offsets each. For each: the outcome, the time from the fault to the exit, what was left
on disk (outputs, temporaries, processes), and whether it misbehaved: a hang (no exit within
180 s), a traceback, more than one error line, a lexicon different from the undisturbed run, a
partial output, temporaries left (other than a SIGKILLed run's pid-named ones, which the next run
must remove), or a process left running.

    python bench/bench_faults.py [--corpus /work/data/synth-10M.txt]

Writes outputs/bench/faults.md and faults.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, write_results  # noqa: E402

MINENT = [sys.executable, "-m", "minent"]
HANG_S = 180
ENV = {**os.environ, "PYTHONPATH": REPO + os.pathsep + os.environ.get("PYTHONPATH", "")}


# ----------------------------------------------------------------------------- processes

def _ppid_map() -> dict[int, int]:
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    stat = fh.read()
                out[int(name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    return out


def descendants(pid: int) -> list[tuple[int, int]]:
    """``(pid, depth)`` of every process below ``pid``."""
    kids: dict[int, list[int]] = {}
    for p, pp in _ppid_map().items():
        kids.setdefault(pp, []).append(p)
    out, todo = [], [(pid, 0)]
    while todo:
        p, d = todo.pop()
        for c in kids.get(p, []):
            out.append((c, d + 1))
            todo.append((c, d + 1))
    return out


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        return stat[stat.rindex(")") + 2] != "Z"
    except OSError:
        return False


def cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        f = stat[stat.rindex(")") + 2:].split()
        return int(f[11]) + int(f[12])
    except (OSError, ValueError, IndexError):
        return -1


class Run:
    """One CLI run in ``folder`` (TMPDIR = folder/tmp); stderr is collected line by line (progress
    bars split on carriage returns) with its arrival time; the process tree is sampled."""

    def __init__(self, folder: str, args: list[str], wrap: list[str] | None = None, preexec=None,
                 tmp: str | None = None, env: dict | None = None):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.tmp = tmp or os.path.join(folder, "tmp")
        os.makedirs(self.tmp, exist_ok=True)
        self.before = listing(folder)
        env = {**ENV, "TMPDIR": self.tmp, **(env or {})}
        def child():
            # as from a terminal: a bench started in the background (`&`) has SIGINT ignored, and
            # children would inherit that
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            if preexec:
                preexec()

        self.p = subprocess.Popen((wrap or []) + MINENT + args, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, preexec_fn=child)
        self.t0 = time.time()
        self.lines: list[tuple[float, str]] = []
        self.seen: set[int] = set()
        self.done = False
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            ch = self.p.stderr.read(1)
            if not ch:
                break
            if ch in (b"\n", b"\r"):
                if buf.strip():
                    self.lines.append((time.time(), buf.decode("utf-8", "replace")))
                buf = b""
            else:
                buf += ch
        if buf.strip():
            self.lines.append((time.time(), buf.decode("utf-8", "replace")))

    def _sample(self):
        while not self.done:
            self.seen.update(p for p, _ in descendants(self.p.pid))
            time.sleep(0.1)

    def wait_text(self, text: str, timeout: float = 120) -> float | None:
        end = time.time() + timeout
        while time.time() < end and self.p.poll() is None:
            for t, line in self.lines:
                if text in line:
                    return t
            time.sleep(0.05)
        return None

    def finish(self) -> dict:
        hang = False
        try:
            self.p.wait(HANG_S)
        except subprocess.TimeoutExpired:
            hang = True
            for pid, _ in descendants(self.p.pid):
                os.kill(pid, signal.SIGKILL)
            self.p.kill()
            self.p.wait()
        t_exit = time.time()
        time.sleep(0.3)
        self.done = True
        time.sleep(2.0)  # orphans must be gone within seconds
        orphans = [p for p in self.seen if running(p) and p != self.p.pid]
        for p in orphans:
            with_suppress(lambda: os.kill(p, signal.SIGKILL))
        err = [line for _, line in self.lines]
        return {"rc": self.p.returncode, "hang": hang, "t_exit": t_exit, "stderr": err,
                "orphans": len(orphans), "before": self.before, "run_s": round(t_exit - self.t0, 1)}


def with_suppress(fn):
    try:
        fn()
    except OSError:
        pass


def listing(folder: str, skip=("tmp",)) -> list[str]:
    out = []
    for root, dirs, files in os.walk(folder):
        rel = os.path.relpath(root, folder)
        if rel == ".":
            dirs[:] = [d for d in dirs if d not in skip]
        for name in dirs + files:
            out.append(os.path.normpath(os.path.join(rel, name)))
    return sorted(out)


def sha(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:16]


# ----------------------------------------------------------------------------- judging

ROWS: list[dict] = []
STALE = re.compile(r"(?:^|/)(?:minent-(?:spill|sentences-part|sentences|stdin|dask)-|\..+\.minent-)(\d+)-")


def record(fault: str, expect: str, res: dict, t_fault: float | None, folder: str, outputs: list[str],
           baseline_sha: str | None = None, run_tmp: str | None = None, allow_pid: int | None = None,
           must: str | None = None):
    """Judge a finished run. ``expect``: "same" (exit 0, lexicon as undisturbed), "same-or-error",
    "error" (one line, exit 2), "signal" (exit 130/143, one line), "killed" (SIGKILL: pid-named
    temporaries only)."""
    problems = []
    err_lines = [line for line in res["stderr"] if line.startswith("minent:") or "Traceback" in line
                 or "Error" in line]
    if res["hang"]:
        problems.append("hang")
    if any("Traceback" in line for line in res["stderr"]):
        problems.append("traceback")
    if res["orphans"]:
        problems.append(f"{res['orphans']} processes left running")
    left = listing(folder)
    tmp_left = listing(run_tmp or os.path.join(folder, "tmp"), skip=())
    rc = res["rc"]
    out_present = [o for o in outputs if os.path.exists(os.path.join(folder, o))]
    stray = [x for x in left if x not in outputs and x not in res["before"]]
    if rc == 0:
        if expect in ("error", "signal", "killed"):
            problems.append("exit 0")
        if len(out_present) != len(outputs):
            problems.append("outputs missing")
        if baseline_sha and out_present and sha(os.path.join(folder, outputs[0])) != baseline_sha:
            problems.append("lexicon differs")
        outcome = ("completed, lexicon identical" if baseline_sha and "lexicon differs" not in problems
                   else "completed") + f" in {res['run_s']} s"
    else:
        if expect == "same":
            problems.append(f"exit {rc}")
        if expect == "killed":
            outcome = f"killed (exit {rc})"
        else:
            if len(err_lines) != 1:
                problems.append(f"{len(err_lines)} error lines")
            outcome = f"exit {rc}: " + (err_lines[-1][:130] if err_lines else "(no message)")
            if must and not any(must in line for line in err_lines):
                problems.append(f"message does not say '{must}'")
        if out_present:
            problems.append("partial output: " + ", ".join(out_present))
    temps = [x for x in stray + tmp_left if x not in outputs]
    if expect == "killed":
        bad = [x for x in temps if not (STALE.search(x) and int(STALE.search(x).group(1)) == allow_pid)]
    else:
        bad = temps
    bad = [x for x in bad if "/" not in x or not any(x.startswith(b + "/") for b in bad if b != x)]
    if bad:
        problems.append("left: " + ", ".join(bad[:4]))
    row = {"fault": fault, "expected": expect, "outcome": outcome,
           "time_to_exit_s": None if t_fault is None else round(res["t_exit"] - t_fault, 2),
           "left_on_disk": ", ".join(temps[:4]) + (" …" if len(temps) > 4 else "") if temps else "nothing",
           "misbehaviour": "; ".join(problems)}
    ROWS.append(row)
    print(f"  {fault}: {outcome} | exit after {row['time_to_exit_s']} s | left: {row['left_on_disk']}"
          f" | {'MISBEHAVED: ' + row['misbehaviour'] if problems else 'ok'}", flush=True)
    return row


LEX_OUT = ["lex.tsv", "lex.jieba.txt", "lex.report.json"]


def clean(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------------------- faults

def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def kill_worker(run: Run, t_target: float, dask: bool = False, wait_s: float = 8.0) -> float | None:
    """SIGKILL a busy worker process of the run at ``t_target`` (or the first one seen busy after
    it, within ``wait_s``): a forked pool worker, or with ``dask`` a LocalCluster worker process.
    Returns the kill time, or None when no worker was running then."""
    while time.time() < t_target:
        time.sleep(0.02)
    end = time.time() + wait_s
    while time.time() < end and run.p.poll() is None:
        cands = [p for p, d in descendants(run.p.pid) if d == 1 and "resource_tracker" not in cmdline(p)
                 and (("spawn_main" in cmdline(p)) == dask)]
        if cands:
            before = {p: cpu_ticks(p) for p in cands}
            time.sleep(0.1)
            busy = [p for p in cands if cpu_ticks(p) > before[p]]
            if busy:
                os.kill(busy[0], signal.SIGKILL)
                return time.time()
        time.sleep(0.05)
    return None


def phase_of(run: Run, t_kill: float, timings: dict) -> str:
    """Which pass a kill fell in, by the stage lines of the run and the undisturbed pass timings."""
    t_learn = next((t for t, line in run.lines if "learning from" in line), None)
    t_report = next((t for t, line in run.lines if line.startswith("report")), None)
    if t_learn is None or t_kill < t_learn:
        return "clauses"
    if t_report is not None and t_kill >= t_report:
        return "report"
    off = t_kill - t_learn
    for name in ("ngrams", "boundary", "mdl"):
        if off < timings[name]:
            return name
        off -= timings[name]
    return "reestimate"


def learner_faults(work: str, corpus: str, base: dict) -> None:
    t = base["timings"]
    passes = [("clauses", "reading", 0.3 * t["clauses"]),
              ("ngrams", "learning from", 0.5 * t["ngrams"]),
              ("boundary", "learning from", t["ngrams"] + 0.5 * t["boundary"]),
              ("mdl", "learning from", t["ngrams"] + t["boundary"] + 0.5 * t["mdl"]),
              ("reestimate", "learning from", t["ngrams"] + t["boundary"] + t["mdl"] + 0.5 * t["reestimate"]),
              ("report", "report", 0.3 * t["report"])]
    for name, label, offset in passes:
        folder = os.path.join(work, f"kill-{name}")
        run = Run(folder, ["build-lexicon", "-j", "2", "-o", "lex.tsv", corpus])
        t_label = run.wait_text(label)
        t_kill = kill_worker(run, (t_label or time.time()) + offset) if t_label else None
        res = run.finish()
        fault = f"pool worker SIGKILL aimed at the {name} pass (2 jobs)"
        if t_kill is None:
            fault += " — no worker running at that time"
        else:
            fault += f", fell in: {phase_of(run, t_kill, t)}"
        row = record(fault, "same-or-error", res, t_kill, folder, LEX_OUT, base["sha"])
        rep = os.path.join(folder, "lex.report.json")
        if os.path.exists(rep):
            with open(rep, encoding="utf-8") as fh:
                eng = json.load(fh)["engine"]
            row["outcome"] += f" (workers died {eng.get('worker_deaths')}, tasks retried {eng.get('tasks_retried')})"
        clean(folder)


def signal_faults(work: str, corpus: str) -> None:
    for sig, label, delay, code in [(signal.SIGTERM, "reading", 1.0, 143),
                                    (signal.SIGTERM, "learning from", 1.0, 143),
                                    (signal.SIGTERM, "report", 0.5, 143),
                                    (signal.SIGINT, "learning from", 1.0, 130)]:
        folder = os.path.join(work, f"sig-{sig.name}-{label.split()[0]}")
        run = Run(folder, ["build-lexicon", "-j", "2", "-o", "lex.tsv", corpus])
        t_label = run.wait_text(label)
        t_sig = None
        if t_label:
            time.sleep(delay)
            run.p.send_signal(sig)
            t_sig = time.time()
        res = run.finish()
        row = record(f"{sig.name} to the run during '{label}' (2 jobs)", "signal", res, t_sig, folder, LEX_OUT)
        if res["rc"] != code:
            row["misbehaviour"] = (row["misbehaviour"] + "; " if row["misbehaviour"] else "") + f"exit {res['rc']} not {code}"
        clean(folder)


def sigkill_run(work: str, corpus: str) -> None:
    """SIGKILL the whole run in the faithful learner's spilling pass: pid-named temporaries may
    stay; the next run with the same TMPDIR removes them; no worker is left running."""
    folder = os.path.join(work, "sigkill")
    args = ["build-lexicon", "--preset", "faithful", "--memory", "404M", "-j", "2", "-o", "lex.tsv", corpus]
    run = Run(folder, args)
    t_label = run.wait_text("cutting")
    t_kill = None
    if t_label:
        time.sleep(0.5)
        run.p.send_signal(signal.SIGKILL)
        t_kill = time.time()
    res = run.finish()
    record("SIGKILL to the run while it spills (faithful, 2 jobs)", "killed", res, t_kill, folder, LEX_OUT,
           allow_pid=run.p.pid)
    before = listing(run.tmp, skip=())
    nxt = Run(folder, ["build-lexicon", "-q", "-o", "lex2.tsv"], tmp=run.tmp)  # the bundled sample
    res2 = nxt.finish()
    after = listing(run.tmp, skip=())
    row = record("the next run in the same place (TMPDIR) after the SIGKILL", "same", res2, None, folder,
                 ["lex2.tsv", "lex2.jieba.txt", "lex2.report.json"])
    row["left_on_disk"] = f"before: {', '.join(before) or 'nothing'}; after: {', '.join(after) or 'nothing'}"
    if after:
        row["misbehaviour"] = (row["misbehaviour"] + "; " if row["misbehaviour"] else "") + "stale temporaries kept"
    clean(folder)


def dask_faults(work: str, corpus: str, base: dict) -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("  dask.distributed not installed: Dask faults skipped")
        return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    folder = os.path.join(work, "dask-unreachable")
    run = Run(folder, ["build-lexicon", "-q", "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
                       "--timeout", "5", "-o", "lex.tsv", corpus])
    res = run.finish()
    row = record(f"Dask scheduler unreachable (tcp://127.0.0.1:{port}, --timeout 5)", "error", res, run.t0,
                 folder, LEX_OUT)
    row["time_to_exit_s"] = f"{row['time_to_exit_s']} (from start)"
    clean(folder)

    # a scheduler (with two workers) that dies mid-run: the client waits --timeout for it, then one line
    folder = os.path.join(work, "dask-scheduler-lost")
    os.makedirs(folder, exist_ok=True)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    dask_cli = os.path.join(os.path.dirname(sys.executable), "dask")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": folder}
    sched = subprocess.Popen([dask_cli, "scheduler", "--port", str(port), "--no-dashboard"], **quiet)
    time.sleep(3)
    workers = subprocess.Popen([dask_cli, "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "2", "--nthreads", "1",
                                "--no-dashboard"], start_new_session=True, **quiet)
    time.sleep(5)
    run = Run(folder, ["build-lexicon", "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
                       "--timeout", "5", "-o", "lex.tsv", corpus])
    t_label = run.wait_text("learning from", 240)
    t_kill = None
    if t_label:
        sched.kill()
        t_kill = time.time()
    res = run.finish()
    record("Dask scheduler SIGKILL mid-run (external scheduler + 2 workers, --timeout 5)"
           + ("" if t_kill else " — the run ended first"), "error", res, t_kill, folder, LEX_OUT)
    sched.kill()
    os.killpg(workers.pid, signal.SIGKILL)
    sched.wait()
    workers.wait()
    clean(folder)

    folder = os.path.join(work, "dask-kill")
    run = Run(folder, ["build-lexicon", "--engine", "dask", "-j", "2", "-o", "lex.tsv", corpus])
    t_label = run.wait_text("learning from", 240)
    t_kill = kill_worker(run, (t_label or time.time()) + 0.5 * base["timings"]["ngrams"], dask=True) if t_label else None
    res = run.finish()
    record("Dask LocalCluster worker SIGKILL mid-run (2 workers)" + ("" if t_kill else " — no worker found"),
           "same", res, t_kill, folder, LEX_OUT, base["sha"])
    clean(folder)


def _can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True).returncode == 0


def _mounted(mnt: str, opts: str) -> list[str]:
    """A wrapper running the command in a private mount namespace with a tmpfs on ``mnt``."""
    return ["unshare", "-m", "sh", "-c", f'mount -t tmpfs -o {opts} tmpfs "{mnt}" && exec "$@"', "sh"]


def disk_faults(work: str, corpus: str, small: str) -> None:
    if _can_unshare():
        folder = os.path.join(work, "enospc-out")
        os.makedirs(os.path.join(folder, "full"), exist_ok=True)
        run = Run(folder, ["build-lexicon", "-q", "-j", "2", "-o", "full/lex.tsv", corpus],
                  wrap=_mounted(os.path.join(folder, "full"), "size=512k"))
        res = run.finish()
        record("no space left on the output folder (512 kB tmpfs)", "error", res, run.t0, folder,
               ["full/" + o for o in LEX_OUT], must="No space left")
        ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
        clean(folder)

        folder = os.path.join(work, "enospc-spill")
        tmp = os.path.join(folder, "tmp")
        os.makedirs(tmp, exist_ok=True)
        run = Run(folder, ["build-lexicon", "-q", "--preset", "faithful", "--memory", "404M", "-j", "2",
                           "-o", "lex.tsv", small], wrap=_mounted(tmp, "size=1m"))
        res = run.finish()
        record("no space left on the spill folder (TMPDIR on a 1 MB tmpfs, faithful, 4 MB table budget)",
               "error", res, run.t0, folder, LEX_OUT, must="spill")
        ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
        clean(folder)

        folder = os.path.join(work, "readonly")
        os.makedirs(os.path.join(folder, "ro"), exist_ok=True)
        run = Run(folder, ["build-lexicon", "-q", "-o", "ro/lex.tsv", corpus],
                  wrap=_mounted(os.path.join(folder, "ro"), "ro,size=1m"))
        res = run.finish()
        record("read-only output folder (tmpfs mounted ro)", "error", res, run.t0, folder,
               ["ro/" + o for o in LEX_OUT])
        ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
        clean(folder)
    else:
        print("  unshare/mount not allowed: ENOSPC and read-only folder cases skipped")

    def fsize(limit):
        def pre():
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return pre

    folder = os.path.join(work, "efbig-out")
    run = Run(folder, ["build-lexicon", "-q", "-j", "2", "-o", "lex.tsv", corpus], preexec=fsize(512 << 10))
    res = run.finish()
    record("file-size limit 512 kB on outputs (ulimit -f)", "error", res, run.t0, folder, LEX_OUT,
           must="File too large")
    ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
    clean(folder)

    folder = os.path.join(work, "efbig-spill")
    run = Run(folder, ["build-lexicon", "-q", "--preset", "faithful", "--memory", "404M", "-j", "2",
                       "-o", "out/lex.tsv", small], preexec=fsize(4 << 10))
    res = run.finish()
    record("file-size limit 4 kB on spill files (faithful, 4 MB table budget)", "error", res, run.t0, folder,
           ["out/" + o for o in LEX_OUT], must="spill")
    ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
    clean(folder)

    if os.geteuid() == 0 and shutil.which("setpriv"):
        folder = os.path.join(work, "eacces")
        os.makedirs(os.path.join(folder, "locked"), exist_ok=True)
        os.chmod(folder, 0o777)
        os.makedirs(os.path.join(folder, "tmp"), exist_ok=True)
        os.chmod(os.path.join(folder, "tmp"), 0o777)
        os.chmod(os.path.join(folder, "locked"), 0o755)
        run = Run(folder, ["build-lexicon", "-q", "-o", "locked/lex.tsv", small],
                  wrap=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                  env={"NUMBA_CACHE_DIR": os.path.join(folder, "tmp", "numba"), "HOME": os.path.join(folder, "tmp")})
        res = run.finish()
        record("permission denied on the output folder (user nobody, folder 755 root)", "error", res, run.t0,
               folder, ["locked/" + o for o in LEX_OUT], run_tmp=os.path.join(folder, "no-such"),
               must="Permission denied")
        ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
        clean(folder)


def cut_files(work: str, lexicon: str, small: str) -> None:
    folder = os.path.join(work, "cut")
    os.makedirs(folder, exist_ok=True)
    sample = os.path.join(folder, "in.txt")
    with open(small, encoding="utf-8") as fh, open(sample, "w", encoding="utf-8") as out:
        lines = [next(fh) for _ in range(200)]
        out.writelines(lines[:20])
    tpl = os.path.join(folder, "t.tsv")
    subprocess.run(MINENT + ["collocations", "-q", "-o", tpl, small], cwd=folder, env=ENV, check=True,
                   capture_output=True)
    data = os.path.join(folder, "labelled.txt")
    with open(data, "w", encoding="utf-8") as out:
        for i, line in enumerate(lines):
            out.write(f"{'a' if '经济' in line or i % 3 == 0 else 'b'}\t{line.strip()}\n")
    model = os.path.join(folder, "m.npz")
    subprocess.run(MINENT + ["maxent", "train", data, "-o", model, "--features", "char12"], cwd=folder, env=ENV, check=True,
                   capture_output=True)
    rng = random.Random(0)
    for kind, path, cmd in [("lexicon", lexicon, lambda p: ["segment", "-l", p, "-o", "out.txt", sample]),
                            ("templates", tpl, lambda p: ["parse", "-t", p, "-o", "out.txt", sample]),
                            ("model", model, lambda p: ["maxent", "predict", p, sample, "-o", "out.txt"])]:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            blob = fh.read()
        for k in sorted(rng.sample(range(1, size), 10)):
            cut = os.path.join(folder, "cut" + os.path.splitext(path)[1])
            with open(cut, "wb") as fh:
                fh.write(blob[:k])
            run = Run(folder, cmd(cut))
            res = run.finish()
            record(f"{kind} file ({size:,} B) cut at byte {k:,}", "error", res, run.t0, folder,
                   ["out.txt"])
            ROWS[-1]["time_to_exit_s"] = f"{ROWS[-1]['time_to_exit_s']} (from start)"
            os.unlink(cut)
    clean(folder)


# ----------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="/work/data/synth-10M.txt")
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--only", default=None, help="comma-separated groups to re-run (learner, signals, sigkill, "
                    "dask, disk, cut); their rows replace those of the last full run in faults.json")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="bench-faults-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # the permission case runs as user nobody
    corpus = os.path.abspath(a.corpus)
    small = os.path.join(work, "small.txt")  # the first 2 MB of the corpus: the quick runs
    with open(corpus, "rb") as fh, open(small, "wb") as out:
        out.write(fh.read(2 << 20))
        out.write(fh.readline())

    print(f"undisturbed run on {corpus} (2 jobs)...", flush=True)
    folder = os.path.join(work, "base")
    run = Run(folder, ["build-lexicon", "-j", "2", "-o", "lex.tsv", corpus])
    res = run.finish()
    if res["rc"] != 0:
        raise SystemExit("\n".join(res["stderr"][-5:]))
    with open(os.path.join(folder, "lex.report.json"), encoding="utf-8") as fh:
        report = json.load(fh)
    base = {"sha": sha(os.path.join(folder, "lex.tsv")), "timings": report["timings_s"],
            "seconds": round(res["t_exit"] - run.t0, 1), "entries": report["lexicon_size"]}
    lexicon = os.path.join(work, "lex.tsv")
    shutil.copy(os.path.join(folder, "lex.tsv"), lexicon)
    clean(folder)
    print(f"  {base}", flush=True)

    groups = {"learner": lambda: learner_faults(work, corpus, base), "signals": lambda: signal_faults(work, corpus),
              "sigkill": lambda: sigkill_run(work, corpus), "dask": lambda: dask_faults(work, corpus, base),
              "disk": lambda: disk_faults(work, corpus, small), "cut": lambda: cut_files(work, lexicon, small)}
    only = a.only.split(",") if a.only else list(groups)
    t0 = time.time()
    for name in only:
        groups[name]()
    bench_s = time.time() - t0
    if a.only:  # a re-run of some groups: replace their rows in the last full result
        with open(os.path.join(REPO, "outputs", "bench", "faults.json"), encoding="utf-8") as fh:
            last = json.load(fh)
        def key_of(row):
            return re.sub(r"tcp://[0-9.:]+", "tcp://", row["fault"].split(",")[0].split(" — ")[0])

        new = {key_of(r): r for r in ROWS}
        rows = []
        for r in last["faults"]:
            key = key_of(r)
            rows.append(dict(new.pop(key), rerun=True) if key in new else r)
        ROWS[:] = rows + [dict(r, rerun=True) for r in new.values()]
        base = last["baseline"]

    bad = [r for r in ROWS if r["misbehaviour"]]
    lines = ["# Faults (bench/bench_faults.py)", "",
             f"Corpus {os.path.basename(corpus)} ({os.path.getsize(corpus) / 2**20:.0f} MB); the undisturbed "
             f"`build-lexicon -j 2` run takes {base['seconds']} s ({base['entries']} entries). Each row is one "
             f"real CLI run in its own folder and TMPDIR; time to exit is from the fault (the kill, the signal) "
             f"or, for faults present from the start, from the start of the run. 'Left on disk' lists "
             f"anything but the expected outputs (in the output folder and TMPDIR).", "",
             f"**{len(ROWS)} faults tried, {len(bad)} misbehaviours.**", "",
             "| fault | expected | outcome | time to exit (s) | left on disk | misbehaviour |",
             "|---|---|---|---|---|---|"]
    for r in ROWS:
        lines.append(f"| {r['fault']}{' (re-run)' if r.get('rerun') else ''} | {r['expected']} | {r['outcome'].replace('|', '/')} | "
                     f"{r['time_to_exit_s']} | {r['left_on_disk']} | {r['misbehaviour'] or 'none'} |")
    lines += ["", f"Bench wall time {bench_s:.0f} s" + (f" (groups {a.only} only)" if a.only else "") +
              ". Rows marked (re-run) come from an `--only` run after the full run (same corpus).", ""]
    write_results("faults", {"corpus": corpus, "baseline": base, "faults": ROWS, "tried": len(ROWS),
                             "misbehaviours": len(bad), "bench_s": round(bench_s)}, "\n".join(lines))
    if a.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
