"""The process pool behind :class:`minent.parallel.LocalEngine`: it notices a worker that dies.

``multiprocessing.Pool`` replaces a worker killed by a signal (the out-of-memory killer's SIGKILL)
but loses the task it was running, so the caller waits for ever. Here each worker has its own
pipe, the parent hands it one task at a time (the next one as soon as a result comes back, before
the caller takes that result, so a worker does not wait while the parent merges) and waits on the pipes *and* the process sentinels
(:func:`multiprocessing.connection.wait`): a death is seen at once, the task it was running is
given once more to a freshly forked worker (same inputs, same result), and a second death on the
same task raises :class:`WorkerDied`, one line naming the signal. Workers ignore Ctrl-C (the
parent stops the pool) and keep the default SIGTERM (how the pool stops them); a worker whose
parent is gone (killed with SIGKILL) exits within a second instead of waiting for ever.
"""
from __future__ import annotations

import os
import signal
from collections import deque
from multiprocessing.connection import wait
from typing import Callable, Iterator

from .errors import MinentError

RETRIES = 1  # a task whose worker died is run again this many times before the run stops
PARENT_CHECK_S = 1.0
STOP_WAIT_S = 1.0


class WorkerDied(MinentError):
    """A worker process died twice running the same task."""


def _worker_main(conn, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        while not conn.poll(PARENT_CHECK_S):
            if os.getppid() != parent_pid:
                os._exit(0)
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if msg is None:
            return
        index, fn, args = msg
        try:
            out = ("ok", index, fn(*args))
        except BaseException as exc:  # reported to the parent, which raises it
            out = ("err", index, exc)
        try:
            conn.send(out)
        except (BrokenPipeError, EOFError):
            os._exit(0)
        except Exception as exc:  # an unpicklable result or exception
            conn.send(("err", index, RuntimeError(f"task result could not be sent: {exc!r}")))


def death_cause(exitcode: int | None) -> str:
    """``"killed by SIGKILL"`` / ``"exit code 3"`` for a worker's exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None


class WorkerPool:
    """``jobs`` worker processes of the multiprocessing context ``ctx``; :meth:`run` maps a
    function over argument tuples. ``deaths`` counts the workers that died while running a task
    and ``retried`` the tasks run again because of it."""

    def __init__(self, jobs: int, ctx):
        self.ctx = ctx
        self.workers = [_Worker(ctx) for _ in range(jobs)]
        self.deaths = 0
        self.retried = 0

    def run(self, fn: Callable, arg_lists: list[tuple]) -> Iterator[tuple[int, object]]:
        """``(index, fn(*arg_lists[index]))`` in completion order. The first tasks are handed to
        the workers by this call, before the first result is asked for, so the caller can work
        while they run; iterate to collect. A task whose worker dies is retried :data:`RETRIES`
        times on a fresh worker, then :class:`WorkerDied` is raised; an exception raised by ``fn``
        is raised here. Leaving the iterator early (or never iterating) leaves tasks running:
        :meth:`close` the pool then."""
        pending = deque(range(len(arg_lists)))
        attempts = [0] * len(arg_lists)

        def give(w: _Worker) -> None:
            i = pending.popleft()
            attempts[i] += 1
            w.task = i
            try:
                w.conn.send((i, fn, arg_lists[i]))
            except (BrokenPipeError, ConnectionResetError):
                pass  # dead already: its sentinel says so below

        def give_idle() -> None:
            for w in list(self.workers):
                if w.task is None and pending:
                    if not w.proc.is_alive():  # died idle: no task lost
                        self._replace(w, counted=False)
                        continue
                    give(w)

        give_idle()
        return self._collect(len(arg_lists), pending, attempts, give, give_idle)

    def _collect(self, left: int, pending: deque, attempts: list, give, give_idle):
        while left:
            give_idle()
            busy = [w for w in self.workers if w.task is not None]
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy]))
            for w in busy:
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                msg = None
                try:
                    if w.conn.poll():
                        msg = w.conn.recv()
                except (EOFError, OSError):
                    msg = None
                if msg is None:
                    if w.proc.is_alive() and w.conn not in ready:
                        continue
                    i = w.task
                    self._replace(w)
                    if attempts[i] > RETRIES:
                        raise WorkerDied(f"a worker process died twice ({death_cause(self.last_exitcode)}) "
                                         f"running the same task; if the out-of-memory killer stopped "
                                         f"it, lower --memory or --jobs")
                    self.retried += 1
                    pending.appendleft(i)
                    continue
                status, index, value = msg
                w.task = None
                if status == "err":
                    raise value
                left -= 1
                if pending:  # the next task first: the worker runs it while the caller uses this result
                    give(w)
                yield index, value

    def _replace(self, w: _Worker, counted: bool = True) -> None:
        w.proc.join(5)
        self.last_exitcode = w.proc.exitcode
        self.deaths += counted
        w.conn.close()
        self.workers[self.workers.index(w)] = _Worker(self.ctx)

    def close(self) -> None:
        """Stop every worker (SIGTERM; SIGKILL for one still there after a second, e.g. one that
        got the SIGTERM before it could restore the default handler) and wait for them."""
        for w in self.workers:
            if w.proc.is_alive():
                w.proc.terminate()
        for w in self.workers:
            w.proc.join(STOP_WAIT_S)
            if w.proc.exitcode is None:
                w.proc.kill()
                w.proc.join()
            w.conn.close()
        self.workers = []
