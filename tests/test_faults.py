"""Faults of files and of the machine (issue 17): damaged files refused, write errors in one line
with no partial output, SIGTERM like Ctrl-C, a dead worker noticed and its task retried, an
unreachable Dask scheduler within --timeout, temporaries of killed runs swept. The slow ones
(real corpora, kills from outside, Dask workers, full disks) are in bench/bench_faults.py."""
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from minent import Corpus, learn_lexicon
from minent.errors import FormatError, MinentError
from minent.lexicon import Lexicon
from minent.parallel import LocalEngine, make_engine
from minent.templates import Templates
from minent.textio import atomic_write, output_group, owned_temp, remove_stale_temps
from minent.workers import WorkerDied

from conftest import VOCAB, word_corpus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _lexicon():
    return Lexicon(["北京", "天安门", "我们", "的", "喜欢"], [9, 7, 5, 4, 2], total=40,
                   scores={"pmi": [1.5, 2.0, np.nan, np.nan, 0.25]})


# ---------------------------------------------------------------------------- damaged files

def test_every_cut_lexicon_is_refused(tmp_path):
    path = tmp_path / "lex.tsv"
    _lexicon().save(str(path))
    data = path.read_bytes()
    assert data.startswith(b"# minent-lexicon format=2 entries=5 ")
    assert Lexicon.load(str(path)).words == _lexicon().words
    cut = tmp_path / "cut.tsv"
    for k in range(len(data)):  # every strict prefix: a failed copy, a full disk
        cut.write_bytes(data[:k])
        with pytest.raises(FormatError) as err:
            Lexicon.load(str(cut))
        assert str(cut) in str(err.value) and "\n" not in str(err.value)


def test_lexicon_with_a_lost_line_names_the_count(tmp_path):
    path = tmp_path / "lex.tsv"
    _lexicon().save(str(path))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")
    with pytest.raises(FormatError, match="4 entries, the header says 5"):
        Lexicon.load(str(path))


def test_format_1_lexicon_still_loads(tmp_path):
    path = tmp_path / "old.tsv"
    path.write_text("# minent-lexicon format=1 total=40 unknown_logp=-4.4 rules=1\n"
                    "word\tcount\tprobability\n北京\t9\t0.225\n天安门\t7\t0.175", encoding="utf-8")
    lex = Lexicon.load(str(path))  # no entry count to check, and no final newline needed
    assert lex.words == ["北京", "天安门"] and lex.total == 40


def test_every_cut_templates_file_is_refused(tmp_path):
    tpl = Templates([("[X]", "喜欢", "[X]"), ("我们", "[X]")], [5, 3], total=8,
                    word_counts={"喜欢": 5, "我们": 3}, examples=[["我们 喜欢 音乐"], []])
    path = tmp_path / "t.tsv"
    tpl.save(str(path))
    data = path.read_bytes()
    assert b" entries=2 word_entries=2 " in data.splitlines()[0]
    assert Templates.load(str(path)).patterns == tpl.patterns
    cut = tmp_path / "cut.tsv"
    for k in range(len(data)):
        cut.write_bytes(data[:k])
        with pytest.raises(FormatError) as err:
            Templates.load(str(cut))
        assert str(cut) in str(err.value)


def test_cut_model_files_are_refused(tmp_path):
    from minent.maxent import MaxEntClassifier, load_model, save_model
    rng = np.random.default_rng(0)
    X = rng.random((40, 6))
    y = (X[:, 0] > 0.5).astype(int)
    path = tmp_path / "m.npz"
    save_model(str(path), MaxEntClassifier(l2=1.0).fit(X, y))
    data = path.read_bytes()
    cut = tmp_path / "cut.npz"
    for k in sorted(set(np.random.default_rng(1).integers(0, len(data), 40).tolist()) | {0, 1, len(data) - 1}):
        cut.write_bytes(data[:k])
        with pytest.raises(MinentError):
            load_model(str(cut))


def test_cli_refuses_a_cut_lexicon_in_one_line(tmp_path):
    path = tmp_path / "lex.tsv"
    _lexicon().save(str(path))
    cut = tmp_path / "cut.tsv"
    cut.write_bytes(path.read_bytes()[:-9])
    r = subprocess.run([sys.executable, "-m", "minent", "segment", "-l", str(cut)], input="我们喜欢北京\n",
                       capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "damaged lexicon" in r.stderr and str(cut) in r.stderr


# ---------------------------------------------------------------------------- write errors

def test_output_group_writes_all_or_nothing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    with pytest.raises(RuntimeError):
        with output_group():
            with atomic_write(str(a)) as fh:
                fh.write("a")
            raise RuntimeError("later failure")
    assert os.listdir(tmp_path) == []
    with output_group():
        with atomic_write(str(a)) as fh:
            fh.write("a")
        assert not a.exists()  # renamed only when the group is complete
        with atomic_write(str(b)) as fh:
            fh.write("b")
    assert a.read_text() == "a" and b.read_text() == "b"


def _limited(script: str, limit: int, cwd) -> subprocess.CompletedProcess:
    """Run ``script`` in a subprocess whose files may not grow past ``limit`` bytes (RLIMIT_FSIZE:
    the same write errors a full disk gives)."""
    pre = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    """)
    return subprocess.run([sys.executable, "-c", pre + textwrap.dedent(script)], capture_output=True,
                          text=True, env=ENV, cwd=cwd, timeout=120)


def test_file_size_limit_on_output_is_one_line_and_leaves_nothing(tmp_path):
    _lexicon().save(str(tmp_path / "lex.tsv"))
    raw, _ = word_corpus(3000, seed=3)
    (tmp_path / "in.txt").write_text("\n".join(raw) + "\n", encoding="utf-8")
    before = sorted(os.listdir(tmp_path))
    r = _limited("""
        from minent.commands import main
        main(["segment", "-l", "lex.tsv", "-o", "out/seg.txt", "in.txt"])
    """, 20000, tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == "minent: error: cannot write out/seg.txt: File too large"
    assert sorted(os.listdir(tmp_path)) == before  # not even the output folder it made


def test_file_size_limit_on_spill_files_removes_them(tmp_path):
    r = _limited(f"""
        import os, numpy as np
        from minent.errors import MinentError
        from minent.spill import SpillingCounter
        c = SpillingCounter(budget=1 << 12, tmpdir={str(tmp_path)!r})
        codes = np.arange(200000, dtype=np.int32)
        try:
            for k in range(5):
                c.add(codes[k * 40000:(k + 1) * 40000], np.arange(0, 40001, 2, dtype=np.int64))
        except MinentError as exc:
            print("error:", exc)
        print("left:", os.listdir({str(tmp_path)!r}))
    """, 8000, tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"error: cannot write spill files in {tmp_path}" in r.stdout and "File too large" in r.stdout
    assert "left: []" in r.stdout


# ---------------------------------------------------------------------------- temporaries of killed runs

def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_temporaries_of_killed_runs_are_swept(tmp_path, monkeypatch):
    dead = _dead_pid()
    stale = [f".lex.tsv.minent-{dead}-abc.tmp", f"minent-spill-{dead}-xyz", f"minent-sentences-{dead}-q.txt"]
    alive = [f".lex.tsv.minent-{os.getppid()}-abc.tmp", "minent-spill-notapid", "notes.txt"]
    for name in stale + alive:
        (tmp_path / name).mkdir() if "spill" in name else (tmp_path / name).write_text("x")
    monkeypatch.setattr("minent.textio._swept", set())
    fd, path = owned_temp("spill", str(tmp_path))
    os.close(fd)
    assert os.path.basename(path).startswith(f"minent-spill-{os.getpid()}-")
    assert sorted(os.listdir(tmp_path)) == sorted(alive + [os.path.basename(path)])
    assert remove_stale_temps(str(tmp_path)) == 0  # once per folder and process


# ---------------------------------------------------------------------------- signals

def test_sigterm_exits_143_and_writes_nothing(tmp_path):
    _lexicon().save(str(tmp_path / "lex.tsv"))
    p = subprocess.Popen([sys.executable, "-m", "minent", "segment", "-l", "lex.tsv", "-o", "out.txt"],
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp_path)
    deadline = time.time() + 60
    while not any(n.startswith(".out.txt.") for n in os.listdir(tmp_path)) and time.time() < deadline:
        time.sleep(0.05)  # the output's temporary file exists: the command waits for its input
    p.send_signal(signal.SIGTERM)
    t0 = time.time()
    _, err = p.communicate(timeout=30)
    assert p.returncode == 143 and time.time() - t0 < 5
    assert err == "minent: terminated (no output written)\n"
    assert sorted(os.listdir(tmp_path)) == ["lex.tsv"]


def test_sigterm_stops_the_worker_pool(tmp_path):
    script = textwrap.dedent("""
        import os, sys, time
        from minent.commands import _install_signal_handlers
        from minent.errors import Terminated
        from minent.parallel import LocalEngine
        def slow(i):
            os.write(1, f"{os.getpid()}\\n".encode())  # one write: the two workers' lines never interleave
            time.sleep(60)
        if __name__ == "__main__":
            _install_signal_handlers()
            e = LocalEngine(2)
            try:
                list(e.map(slow, [(i,) for i in range(4)]))
            except Terminated:
                e.close()
                sys.exit(143)
    """)
    (tmp_path / "s.py").write_text(script)
    p = subprocess.Popen([sys.executable, "s.py"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=ENV, cwd=tmp_path)
    pids = [int(p.stdout.readline()), int(p.stdout.readline())]
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 143 and err == ""
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_inside_a_finalizer_still_stops_the_run(tmp_path, sig, code):
    """A signal handled while a finalizer runs (the shared arena giving a block back) would raise
    where Python prints the exception and goes on: the handler delivers it again once the
    finalizer is done, so the run stops."""
    script = textwrap.dedent(f"""
        import os, signal, sys, time, weakref
        from minent.commands import _install_signal_handlers
        from minent.errors import Terminated
        class Block:
            pass
        def give_back():
            os.kill(os.getpid(), {int(sig)})
            for _ in range(100000):  # the handler runs here, inside the finalizer
                pass
        if __name__ == "__main__":
            _install_signal_handlers()
            b = Block()
            weakref.finalize(b, give_back)
            try:
                del b
                for _ in range(200):  # the run goes on: the signal must stop it here
                    time.sleep(0.01)
            except Terminated:
                sys.exit(143)
            except KeyboardInterrupt:
                sys.exit(130)
            sys.exit(0)
    """)
    (tmp_path / "s.py").write_text(script)
    p = subprocess.run([sys.executable, "s.py"], capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=60)
    assert (p.returncode, p.stderr) == (code, "")


# ---------------------------------------------------------------------------- dead workers

class _KillFirst:
    """A task function whose first call (over all workers: a marker file) SIGKILLs its own
    process, as the out-of-memory killer would; ``always``: every call does."""

    def __init__(self, fn, marker, always=False):
        self.fn, self.marker, self.always = fn, marker, always

    def __call__(self, *args):
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
            first = True
        except FileExistsError:
            first = False
        if first or self.always:
            os.kill(os.getpid(), signal.SIGKILL)
        return self.fn(*args)


def _square(i):
    return i * i


def test_a_killed_worker_is_retried_once_then_reported(tmp_path):
    eng = LocalEngine(2)
    try:
        t0 = time.time()
        out = list(eng.map(_KillFirst(_square, str(tmp_path / "m1")), [(i,) for i in range(6)], ordered=True))
        assert out == [i * i for i in range(6)] and time.time() - t0 < 10
        with pytest.raises(WorkerDied, match="died twice .killed by SIGKILL."):
            list(eng.map(_KillFirst(_square, str(tmp_path / "m2"), always=True), [(i,) for i in range(6)]))
        assert list(eng.map(_square, [(i,) for i in range(4)], ordered=True)) == [0, 1, 4, 9]
    finally:
        eng.close()
    assert eng.worker_deaths >= 3 and eng.tasks_retried >= 2


class _KillInMap(LocalEngine):
    """A LocalEngine whose ``kill_at``-th map of several tasks has one worker killed by SIGKILL
    on its first task; ``maps`` counts the maps of several tasks (the passes on the pool)."""

    def __init__(self, jobs, kill_at, marker):
        super().__init__(jobs)
        self.kill_at, self.marker, self.maps = kill_at, marker, 0

    def map(self, fn, arg_lists, ordered=False):
        if len(arg_lists) > 1:  # a single task runs in this process
            if self.maps == self.kill_at:
                fn = _KillFirst(fn, self.marker)
            self.maps += 1
        return super().map(fn, arg_lists, ordered)


def test_learner_survives_a_killed_worker_in_any_pass(tmp_path):
    raw, _ = word_corpus(4000, seed=5, vocab=VOCAB + ["的", "了", "北京大学"])
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(raw) + "\n", encoding="utf-8")
    counter = _KillInMap(2, -1, "")
    try:
        ref = learn_lexicon(Corpus(str(corpus)), engine=counter, mdl_rounds=2)
    finally:
        counter.close()
    n_maps = counter.maps
    assert n_maps >= 5
    for k in sorted({0, 1, n_maps // 2, n_maps - 1}):
        eng = _KillInMap(2, k, str(tmp_path / f"mark{k}"))
        try:
            lex = learn_lexicon(Corpus(str(corpus)), engine=eng, mdl_rounds=2)
        finally:
            eng.close()
        assert os.path.exists(tmp_path / f"mark{k}"), k  # a worker was killed in that pass
        assert eng.worker_deaths == 1 and eng.tasks_retried == 1
        assert lex.words == ref.words and lex.counts.tolist() == ref.counts.tolist()


# ---------------------------------------------------------------------------- Dask

@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed")
def test_unreachable_scheduler_is_one_line_within_the_timeout():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    t0 = time.time()
    with pytest.raises(MinentError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        make_engine("dask", 1, f"tcp://127.0.0.1:{port}", timeout=2)
    assert time.time() - t0 < 10


def _total(ref, k):
    from minent.parallel import resolve
    return int(resolve(ref)[k:].sum())


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed")
def test_dask_scatters_lost_shared_data_again():
    eng = make_engine("dask", 1)
    try:
        data = np.arange(1000, dtype=np.int64)
        ref = eng.share(data)
        want = [int(data[k:].sum()) for k in range(5)]
        assert list(eng.map(_total, [(ref, k) for k in range(5)], ordered=True)) == want
        eng.client.cancel([ref])  # as when the only worker holding it is lost
        assert list(eng.map(_total, [(ref, k) for k in range(5)], ordered=True)) == want
        eng.release(ref)
    finally:
        eng.close()


@pytest.mark.parametrize("stop, code, message", [("Terminated", 143, "minent: terminated (no output written)\n"),
                                                 ("KeyboardInterrupt", 130, "minent: interrupted (no output written)\n")])
def test_a_signal_inside_a_kernel_still_exits_cleanly(tmp_path, monkeypatch, stop, code, message):
    """A signal handled while a numba kernel returns reaches Python as a SystemError whose cause is
    the signal's exception: still one line and the signal's exit code, nothing written."""
    from click.testing import CliRunner
    from minent import errors
    from minent.commands import lexicon as lexicon_cmd
    from minent.commands import main
    exc_type = getattr(errors, stop, None) or KeyboardInterrupt

    def learn(*args, **kwargs):
        try:
            raise exc_type()
        except exc_type as inner:
            raise SystemError("CPUDispatcher(<function k>) returned a result with an exception set") from inner
    monkeypatch.setattr(lexicon_cmd, "learn_lexicon", learn)
    raw = tmp_path / "raw.txt"
    raw.write_text("中文文本\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build-lexicon", str(raw), "-o", str(tmp_path / "out" / "lex.tsv"), "-q"])
    assert r.exit_code == code and r.output == message  # stdout is empty: output is the stderr line
    assert sorted(os.listdir(tmp_path)) == ["raw.txt"]
