"""Counting on several cores or a Dask cluster: byte ranges of the input files as tasks.

The input files are cut into byte ranges aligned on line starts (a line belongs to the range in
which its first byte lies), each range is counted independently by a task that returns plain numpy
arrays, and the parent merges the partial counts. Counts are sums, and code points are global ids,
so the merged counts — and hence the lexicon — are identical whatever the number of tasks, their
order, or the machines that ran them.

Engines:

* :class:`LocalEngine` — ``jobs`` worker processes (``jobs=1`` runs the tasks in-process).
* :class:`DaskEngine` — tasks on a ``dask.distributed`` cluster: the scheduler at ``address``, or a
  ``LocalCluster`` started for the run. Workers must see the same paths (shared storage); see the
  README for running on a real cluster.
"""
from __future__ import annotations

import codecs
import os
import sys
from typing import Callable, Iterator

import numpy as np

from .errors import InputError, MinentError
from .textio import Corpus

RANGE_BYTES = 32 << 20

Range = tuple  # (path, start, end)


#: With ``ramp``, the first range is this many times smaller than the others, and each next one
#: twice the last until they are full size.
RAMP = 8


def plan_ranges(paths: list[str], range_bytes: int = RANGE_BYTES, min_parts: int = 1,
                ramp: bool = False, taper: int = 0) -> list[Range]:
    """Byte ranges ``(path, start, end)`` covering ``paths``, about ``range_bytes`` each (and at
    least ``min_parts`` in all when the input is large enough to split). ``ramp``: the first
    ranges are smaller (1/``RAMP``, then doubling), so what the first tasks find reaches the
    parent early (the clause pass's sample level). ``taper``: the last ``taper`` ranges (one per
    worker) are cut into halves, quarters... down to 1/``RAMP``, so the workers finish together."""
    total = sum(os.path.getsize(p) for p in paths)
    size = max(1 << 16, min(range_bytes, total // max(min_parts, 1) + 1))
    step = max(1 << 16, size // RAMP) if ramp else size
    out = []
    for p in paths:
        n = os.path.getsize(p)
        start = 0
        while start < n:
            out.append((p, start, min(n, start + step)))
            start += step
            step = min(size, 2 * step)
    if taper > 0 and len(out) > taper:
        tail = []
        for path, start, end in out[-taper:]:
            piece = (end - start) // 2
            while piece >= max(1 << 16, size // RAMP) and end - start > piece:
                tail.append((path, start, start + piece))
                start += piece
                piece //= 2
            tail.append((path, start, end))
        out = out[:-taper] + sorted(tail, key=lambda r: (-(r[2] - r[1]), r[0], r[1]))  # largest first
    return out


def read_range(path: str, start: int, end: int, encoding: str = "utf-8",
               block_bytes: int = 4 << 20) -> Iterator[str]:
    """Decoded text of the lines of ``path`` whose first byte lies in ``[start, end)``, in blocks."""
    enc = "utf-8-sig" if encoding.replace("-", "").lower() == "utf8" and start == 0 else encoding
    if enc.replace("-", "").lower() == "utf8sig" and start > 0:
        enc = "utf-8"
    decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with fh:
        if start > 0:
            fh.seek(start - 1)
            fh.readline()  # skip the line that began before start (its owner reads it)
        pos = fh.tell()
        if pos >= end:
            return
        done = False
        carry = ""
        while not done:
            raw = fh.read(block_bytes)
            if not raw:
                done = True
            elif pos + len(raw) >= end:
                k = raw.find(b"\n", max(end - 1 - pos, 0))
                if k >= 0:
                    raw = raw[: k + 1]
                    done = True
            if raw and b"\x00" in raw and "16" not in enc and "32" not in enc:
                raise InputError(f"{path}: contains NUL bytes — a binary file, or UTF-16/32 text")
            try:
                text = decoder.decode(raw, final=done)
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: not valid {encoding} near byte {pos + exc.start}; "
                                 f"pass --encoding if it is text in another encoding") from None
            pos += len(raw)
            text = carry + text
            cut = len(text) if done else text.rfind("\n") + 1
            if cut == 0 and len(text) >= block_bytes:
                cut = len(text)  # a line longer than a block: split, as read_blocks does
            carry = text[cut:]
            if cut:
                yield text[:cut]


# ----------------------------------------------------------------------------- sizing

RUNTIME_RESERVE = 400 << 20  # measured: interpreter + numpy + numba runtime + block buffers
DEFAULT_MEMORY = "2G"
AUTO_JOBS_BYTES = 64 << 20


def parse_size(size) -> int:
    """``"2G"``, ``"512M"``, ``"64k"``, a byte count (str or int) -> bytes."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        value = int(size)
    else:
        t = str(size).strip().upper().rstrip("B")
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
        try:
            value = int(float(t[:-1] if mult > 1 else t) * mult)
        except ValueError:
            raise MinentError(f"bad size {size!r} (use e.g. 2G, 512M)") from None
    if value <= 0:
        raise MinentError("memory must be positive")
    return value


def table_budget(memory) -> int:
    """Bytes left for count tables once the runtime's own memory is set aside (at least 4 MB)."""
    return max(4 << 20, parse_size(memory) - RUNTIME_RESERVE)


def auto_jobs(jobs: int, n_bytes: int) -> int:
    """``jobs=0`` (auto): every core for inputs of 64 MB or more, one process below that."""
    if jobs < 0:
        raise MinentError("jobs must be >= 0")
    if jobs > 0:
        return jobs
    return (os.cpu_count() or 1) if n_bytes >= AUTO_JOBS_BYTES else 1


def corpus_ranges(texts, engine, ramp: bool = False) -> list[Range] | None:
    """Byte-range tasks for a :class:`minent.Corpus` handed to an engine (None when the input is
    not a Corpus, or there is no engine or a one-process local one: then it is read in this
    process, as a stream)."""
    if engine is None or not isinstance(texts, Corpus):
        return None
    if isinstance(engine, LocalEngine) and engine.jobs == 1:
        return None
    jobs = getattr(engine, "jobs", 2)
    return plan_ranges(texts.real_paths(), min_parts=4 * jobs, ramp=ramp, taper=jobs)


def range_blocks(ranges: list[Range], encoding: str) -> Iterator[str]:
    """Text blocks of ``ranges``, in order (what a range task reads)."""
    for path, start, end in ranges:
        yield from read_range(path, start, end, encoding)


def ranges_size(ranges: list[Range]) -> int:
    return sum(e - s for _, s, e in ranges)


# ----------------------------------------------------------------------------- shared data

_SHARED: dict[int, object] = {}
_next_key = [0]


class LocalRef:
    """Handle to an object a :class:`LocalEngine` shares with its tasks: forked workers inherit
    the registry, so the object is never copied or pickled."""

    def __init__(self, key: int):
        self.key = key


class ArenaRef:
    """Handle to arrays (alone or in tuples, lists and dicts) a :class:`LocalEngine` placed in
    its :class:`_Arena`: workers forked before the call see them too, so sharing them does not
    restart the pool. ``layout`` says where each array is (see :func:`_layout`)."""

    def __init__(self, layout, spans, keep=None):
        self.layout = layout
        self.spans = spans  # byte ranges the share copied into the arena (freed by release)
        self.keep = keep  # this process's arrays behind the layout: their blocks live until release

    def __getstate__(self):  # a task gets the layout only
        return {"layout": self.layout, "spans": self.spans, "keep": None}


def resolve(handle):
    """The object behind a handle from ``engine.share`` (a Dask future arrives resolved)."""
    if isinstance(handle, LocalRef):
        return _SHARED[handle.key]
    if isinstance(handle, ArenaRef):
        return _ARENA.build(handle.layout)
    return handle


#: Address space (not memory) of the local engine's shared arena: pages exist once written.
ARENA_BYTES = 1 << 38
#: Objects larger than this are shared by forking a new pool rather than copied into the arena.
ARENA_COPY_LIMIT = 64 << 20
_MAP_NORESERVE = 0x4000  # Linux: no swap reservation for the address space
_ALIGN = 64


class _Arena:
    """One anonymous shared mapping, made before the first worker is forked, from which shared
    arrays are cut (bump allocation; a released block's pages are returned with MADV_REMOVE).
    Workers inherit the mapping, so arrays cut or copied later are visible to them at once."""

    def __init__(self, size: int):
        import mmap
        self.buf = mmap.mmap(-1, size, flags=mmap.MAP_SHARED | _MAP_NORESERVE)
        self.size = size
        self.base = np.frombuffer(self.buf, np.uint8)
        self.address = self.base.ctypes.data
        self.top = 0

    def alloc(self, nbytes: int) -> int:
        """Offset of a new block of ``nbytes``, -1 when the address space is used up (callers
        then share the way they would without an arena)."""
        at = self.top
        top = -(-(at + max(int(nbytes), 1)) // _ALIGN) * _ALIGN
        if top > self.size:
            return -1
        self.top = top
        return at

    def array(self, offset: int, dtype, shape, strides=None) -> np.ndarray:
        return np.ndarray(shape, dtype, buffer=self.buf, offset=offset, strides=strides)

    def new_array(self, shape, dtype) -> tuple[int, np.ndarray]:
        """``(offset, array)``: a new zeroed block, given back to the system once the array and
        every view of it are gone (in this process)."""
        import weakref
        dtype = np.dtype(dtype)
        count = int(np.prod(shape))
        nbytes = count * dtype.itemsize
        at = self.alloc(nbytes)
        if at < 0:
            return -1, None
        owner = np.frombuffer(memoryview(self.buf)[at:at + max(nbytes, 1)], dtype, count=count)
        weakref.finalize(owner, self._free_in, os.getpid(), [(at, nbytes)])
        return at, owner.reshape(shape)

    def _free_in(self, pid, spans) -> None:
        if os.getpid() == pid:  # a forked worker never frees the parent's blocks
            self.free(spans)

    def holds(self, a: np.ndarray) -> bool:
        lo = a.__array_interface__["data"][0]
        return self.address <= lo < self.address + self.top

    def free(self, spans) -> None:
        import mmap
        page = mmap.PAGESIZE
        for at, n in spans:
            lo, hi = -(-at // page) * page, (at + n) // page * page
            if hi > lo:
                self.buf.madvise(mmap.MADV_REMOVE, lo, hi - lo)

    def build(self, layout):
        kind = layout[0]
        if kind == "a":
            return self.array(*layout[1:])
        if kind == "t":
            return tuple(self.build(x) for x in layout[1])
        if kind == "l":
            return [self.build(x) for x in layout[1]]
        if kind == "d":
            return {k: self.build(x) for k, x in layout[1]}
        return layout[1]

    def place(self, obj, spans):
        """The layout of ``obj`` with its arrays in the arena: arrays already there are described
        where they are (same strides: the kernels see the same array types), others copied."""
        if isinstance(obj, np.ndarray):
            if self.holds(obj):
                at = obj.__array_interface__["data"][0] - self.address
                return ("a", at, obj.dtype.str, obj.shape, obj.strides)
            at = self.alloc(obj.nbytes)
            if at < 0:
                raise _ArenaFull()
            spans.append((at, obj.nbytes))
            self.array(at, obj.dtype, obj.shape)[...] = obj
            return ("a", at, obj.dtype.str, obj.shape, None)
        if isinstance(obj, tuple):
            return ("t", [self.place(x, spans) for x in obj])
        if isinstance(obj, list):
            return ("l", [self.place(x, spans) for x in obj])
        if isinstance(obj, dict):
            return ("d", [(k, self.place(x, spans)) for k, x in obj.items()])
        return ("v", obj)


def _arena_copy_bytes(obj) -> int | None:
    """Bytes :meth:`_Arena.place` would copy for ``obj`` (arrays, scalars, None and strings in
    tuples, lists and dicts), None when something else is inside."""
    if isinstance(obj, np.ndarray):
        return 0 if (_ARENA is not None and _ARENA.holds(obj)) else obj.nbytes
    if isinstance(obj, (tuple, list)):
        parts = [_arena_copy_bytes(x) for x in obj]
    elif isinstance(obj, dict):
        parts = [_arena_copy_bytes(x) for x in obj.values()]
    elif obj is None or isinstance(obj, (int, float, str, np.generic)):
        return 0
    else:
        return None
    return None if any(p is None for p in parts) else sum(parts)


class _ArenaFull(Exception):
    pass


_ARENA: _Arena | None = None
_NO_ARENA = [False]


def _arena() -> _Arena | None:
    """The process's arena (made on first use, as large an address space as the system grants
    of ``ARENA_BYTES`` down to 4 GB; None where it cannot exist)."""
    global _ARENA
    if _ARENA is None and not _NO_ARENA[0] and sys.platform.startswith("linux"):
        size = ARENA_BYTES
        while _ARENA is None and size >= 1 << 32:
            try:
                _ARENA = _Arena(size)
            except (OSError, ValueError, OverflowError):
                size //= 4
        _NO_ARENA[0] = _ARENA is None
    return _ARENA


# ----------------------------------------------------------------------------- engines

def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    import resource
    import sys
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 2**20 if sys.platform == "darwin" else kb / 1024


_TRIM: list = []


def trim_heap() -> None:
    """Hand the free pages of the C heap back to the system (glibc ``malloc_trim``; nothing
    elsewhere). Freed blocks below glibc's mmap threshold stay in the heap, counted in the
    process's memory, until trimmed: called between the stages of a long fit."""
    if not _TRIM:
        fn = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes
                fn = ctypes.CDLL(None).malloc_trim  # glibc only (musl has no malloc_trim)
                fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
            except (OSError, AttributeError):
                fn = None
        _TRIM.append(fn)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def measured_call(fn: Callable, args: tuple) -> tuple:
    """``(fn(*args), peak RSS of the process running it in MB)`` — how engines account for the
    memory of their workers."""
    return fn(*args), peak_rss_mb()


def _results(engine, done: Iterator[tuple[int, tuple]], ordered: bool) -> Iterator:
    """Results from ``(task index, (result, worker peak RSS))`` pairs in completion order, or in
    task order when ``ordered``; records the workers' peak memory on ``engine``."""
    held: dict[int, object] = {}
    nxt = 0
    for index, (result, peak) in done:
        engine.worker_peak_rss_mb = max(engine.worker_peak_rss_mb, peak)
        if not ordered:
            yield result
            continue
        held[index] = result
        while nxt in held:
            yield held.pop(nxt)
            nxt += 1


def _raised(exc: BaseException) -> Iterator:
    """An iterator that raises ``exc`` when read."""
    raise exc
    yield


def _fork_available() -> bool:
    import multiprocessing as mp
    return "fork" in mp.get_all_start_methods()


class LocalEngine:
    """Run tasks in ``jobs`` processes (``jobs=1``: in this process).

    Data every task needs (the learner's clause table, its n-gram table) is registered once with
    :meth:`share`; the worker processes are forked from this one, so they see it without a copy.
    On Linux the engine keeps one shared arena (an anonymous shared mapping made before the first
    fork, :class:`_Arena`): :meth:`shared_array` cuts arrays from it, and :meth:`share` places
    arrays there (those already in it by reference, small ones by copy), so the running pool sees
    them and lives on; any other object restarts the pool (the new workers inherit it).

    ``worker_peak_rss_mb`` is the largest peak resident memory any worker process reported (0
    while none ran; forked workers share the parent's pages, so this counts them too).
    """

    def __init__(self, jobs: int = 1):
        if jobs < 1:
            raise MinentError("--jobs must be >= 1")
        self.jobs = jobs
        self.worker_peak_rss_mb = 0.0
        self._deaths = [0, 0]  # of pools already stopped: workers died, tasks retried
        self._pool = None
        self._pool_has_arena = False

    def map(self, fn: Callable, arg_lists: list[tuple], ordered: bool = False) -> Iterator:
        """``fn(*args)`` for each of ``arg_lists``: in completion order, or in task order when
        ``ordered``. On the worker pool the first tasks start at this call, so the caller may
        work before it iterates (with ``jobs=1`` the tasks run as it iterates). The worker pool
        lives until the next :meth:`share` or :meth:`close`."""
        if self.jobs == 1 or len(arg_lists) == 1:
            return (fn(*args) for args in arg_lists)
        results = self._pool_map(fn, arg_lists, ordered)
        try:
            next(results)  # the tasks are handed out; a map dropped unread now stops the pool
        except Exception as exc:  # (the pool is stopped) raised where the results are read, as before
            return _raised(exc)
        return results

    def _pool_map(self, fn: Callable, arg_lists: list[tuple], ordered: bool) -> Iterator:
        """The tasks on the worker pool (:mod:`minent.workers`: a worker that dies is noticed at
        once and its task retried once on a fresh one); yields None once the first tasks are
        handed out, then the results. A map left early or failed stops the pool, so no worker
        goes on with a stale task."""
        from .workers import WorkerPool
        if self._pool is None:
            import multiprocessing as mp
            # fork where available: workers inherit the loaded kernels, the shared data and the arena
            fork = _fork_available()
            self._pool_has_arena = fork and _arena() is not None
            self._pool = WorkerPool(self.jobs, mp.get_context("fork" if fork else "spawn"))
        done = False
        try:
            running = self._pool.run(measured_call, [(fn, a) for a in arg_lists])
            yield None
            yield from _results(self, running, ordered)
            done = True
        finally:
            if not done:
                self._stop_pool()

    @property
    def worker_deaths(self) -> int:
        """Workers that died running a task (each such task was run again)."""
        return self._deaths[0] + (self._pool.deaths if self._pool is not None else 0)

    @property
    def tasks_retried(self) -> int:
        return self._deaths[1] + (self._pool.retried if self._pool is not None else 0)

    def share(self, obj):
        """A handle tasks pass to :func:`resolve`; :meth:`release` it when done. Arrays (alone or
        in tuples, lists, dicts) already in the shared arena, or small enough to copy there
        (``ARENA_COPY_LIMIT``), are seen by the running workers; anything else by the workers
        forked after this call (the pool restarts), without a copy."""
        if self.jobs > 1 and not _fork_available():
            return obj  # spawned workers: the object travels with each task
        if self.jobs > 1 and _ARENA is not None:
            size = _arena_copy_bytes(obj)
            running = self._pool is not None and self._pool_has_arena
            if size is not None and (size == 0 or (running and size <= ARENA_COPY_LIMIT)):
                spans: list = []
                try:
                    return ArenaRef(_ARENA.place(obj, spans), spans, keep=obj if size == 0 else None)
                except _ArenaFull:
                    _ARENA.free(spans)
        self._stop_pool()
        _next_key[0] += 1
        _SHARED[_next_key[0]] = obj
        return LocalRef(_next_key[0])

    def shared_array(self, shape, dtype):
        """``(handle, array)``: a zeroed array in the shared arena that the workers read and write
        in place (tasks :func:`resolve` the handle), so a pass's vectors are never pickled; None
        when tasks cannot share memory with this process (one job, no fork). Pages are allocated
        when first written; the running pool sees the array (it was forked after the arena)."""
        if self.jobs == 1 or not _fork_available():
            return None
        arena = _arena()
        if arena is None:
            return None
        if self._pool is not None and not self._pool_has_arena:
            self._stop_pool()
        at, array = arena.new_array(shape, dtype)  # fresh pages: zeros
        if array is None:
            return None
        return ArenaRef(("a", at, array.dtype.str, tuple(array.shape), None), [], keep=array), array

    def release(self, handle) -> None:
        if isinstance(handle, LocalRef):
            _SHARED.pop(handle.key, None)
        elif isinstance(handle, ArenaRef) and _ARENA is not None:
            _ARENA.free(handle.spans)
            handle.keep = None

    def _stop_pool(self) -> None:
        if self._pool is not None:
            self._deaths = [self.worker_deaths, self.tasks_retried]
            self._pool.close()
            self._pool = None

    def stop_workers(self) -> None:
        """End the idle worker processes now (their memory goes back to the system); the next
        :meth:`map` forks a fresh pool."""
        self._stop_pool()

    def close(self) -> None:
        self._stop_pool()


CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler (CLI --timeout)


def _dask_connect(address: str, timeout: float):
    """A Dask client of the scheduler at ``address``, or a one-line MinentError once ``timeout``
    seconds have passed without reaching it (nothing listening, wrong address, firewall)."""
    from dask.distributed import Client
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, (TimeoutError, OSError)):
            why = f"no answer within {timeout:g}s ({why[:120]})"
        raise MinentError(f"cannot reach the Dask scheduler at {address}: {why}") from None


def _dask_lost(exc: BaseException) -> bool:
    """True for the errors Dask raises when a task or its data was lost with a worker."""
    import asyncio
    from concurrent.futures import CancelledError
    names = {"FutureCancelledError", "CancelledError", "CommClosedError"}
    return isinstance(exc, (CancelledError, asyncio.CancelledError)) or type(exc).__name__ in names


class DaskEngine:
    """Run tasks on Dask: the scheduler at ``address`` (reached within ``timeout`` seconds, or a
    one-line error), or a LocalCluster of ``workers`` processes. A worker lost mid-run has its
    tasks recomputed by Dask (tasks are pure functions of their byte range): same result."""

    def __init__(self, address: str | None = None, workers: int = 2, timeout: float | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise MinentError("the dask engine needs dask.distributed: pip install 'minent[dask]'") from None
        self._cluster = None
        self._scratch = None
        self._shared: dict = {}  # key of a share() handle -> [object, live future]
        self.jobs = workers
        self.worker_peak_rss_mb = 0.0
        self.timeout = CONNECT_TIMEOUT if timeout is None else timeout  # also the reconnection wait
        if address:
            self.client = _dask_connect(address, self.timeout)
        else:
            from .textio import owned_temp
            # the workers' scratch space: a private pid-named folder, removed on close
            import dask
            self._scratch = owned_temp("dask", directory=True)
            with dask.config.set({"temporary-directory": self._scratch}):  # the scheduler's too
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, local_directory=self._scratch)
            self.client = Client(self._cluster)

    def map(self, fn: Callable, arg_lists: list[tuple], ordered: bool = False) -> Iterator:
        """``fn(*args)`` on the workers. A task lost with a worker is recomputed by Dask; when
        shared data went with it (scattered data has no lineage), the data is scattered again from
        this process and the task resubmitted once, then a one-line error. The tasks are
        submitted by this call; iterate to collect."""
        running = self._completed(fn, arg_lists)
        try:
            next(running)  # submitted
        except Exception as exc:  # raised where the results are read, as before
            return _raised(exc)
        return _results(self, running, ordered)

    def _completed(self, fn: Callable, arg_lists: list[tuple]) -> Iterator[tuple[int, tuple]]:
        """None once every task is submitted, then ``(index, result)`` as they complete."""
        from dask.distributed import KilledWorker, as_completed

        def submit(i):
            try:
                return self.client.submit(measured_call, fn, self._current(arg_lists[i]), pure=False)
            except Exception:
                lost = self._scheduler_lost()
                if lost is not None:
                    raise lost from None
                raise

        futures = {submit(i): i for i in range(len(arg_lists))}
        tries = [0] * len(arg_lists)
        pending = as_completed(list(futures))
        yield None
        for fut in pending:
            i = futures.pop(fut)
            try:
                out = fut.result()
            except KilledWorker as exc:  # Dask retried the task on other workers; they died too
                raise MinentError(f"Dask workers died running a task ({exc.args[0] if exc.args else exc}); "
                                  f"out of memory? lower --memory") from None
            except Exception as exc:
                lost = self._scheduler_lost()  # the client gave up on its scheduler
                if lost is not None:
                    raise lost from None
                if not _dask_lost(exc):
                    raise
                tries[i] += 1
                if tries[i] > 1:
                    raise MinentError(f"a Dask worker was lost twice with data a task needs "
                                      f"({type(exc).__name__})") from None
                self._reshare_lost()
                new = submit(i)
                futures[new] = i
                pending.add(new)
                continue
            yield i, out

    def _scheduler_lost(self, force: bool = False) -> MinentError | None:
        """The one-line error when the client has given up on its scheduler (or ``force``: a call
        to it just timed out), else None."""
        if not force and self.client.status in ("running", "connecting"):
            return None
        return MinentError(f"lost the Dask scheduler mid-run: no answer within the --timeout "
                           f"({self.timeout:g}s); nothing written")

    def share(self, obj):
        """Scatter ``obj`` to every worker once; the future is resolved in the tasks' arguments.
        The object is kept here until :meth:`release`, to scatter it again if it is lost."""
        try:
            fut = self.client.scatter([obj], broadcast=True, hash=False)[0]
        except (OSError, TimeoutError):  # the scheduler is gone (or unreachable for --timeout)
            raise self._scheduler_lost(force=True) from None
        self._shared[fut.key] = [obj, fut]
        return fut

    def _current(self, args: tuple) -> tuple:
        """``args`` with each shared handle replaced by its live future (after a re-scatter)."""
        return tuple(self._shared[a.key][1] if getattr(a, "key", None) in self._shared
                     and type(a).__name__ == "Future" else a for a in args)

    def _reshare_lost(self) -> None:
        for entry in self._shared.values():
            if entry[1].status != "finished":
                try:
                    entry[1] = self.client.scatter([entry[0]], broadcast=True, hash=False)[0]
                except (OSError, TimeoutError):  # the scheduler itself is gone
                    raise self._scheduler_lost(force=True) from None

    def shared_array(self, shape, dtype):
        """None: Dask workers share no memory with the client (vectors travel with the tasks)."""
        return None

    def release(self, handle) -> None:
        entry = self._shared.pop(handle.key, None)
        if self._scheduler_lost() is None:  # nothing to cancel on a scheduler that is gone
            self.client.cancel([handle] + ([entry[1]] if entry is not None and entry[1] is not handle else []))

    def stop_workers(self) -> None:
        """Nothing to do: Dask's workers are the cluster's (see :meth:`LocalEngine.stop_workers`)."""

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._scratch is not None:
            import shutil
            shutil.rmtree(self._scratch, ignore_errors=True)


def make_engine(engine: str = "local", jobs: int = 1, scheduler: str | None = None,
                timeout: float | None = None):
    """An engine by name: ``"local"`` (``jobs`` processes) or ``"dask"`` (the scheduler at
    ``scheduler``, reached within ``timeout`` seconds, or a LocalCluster of ``jobs`` workers)."""
    if engine == "local":
        return LocalEngine(jobs)
    if engine == "dask":
        return DaskEngine(scheduler, max(jobs, 1), timeout)
    raise MinentError(f"unknown engine {engine!r} (local or dask)")


def forks_workers(engine) -> bool:
    """Whether ``engine`` runs its tasks in worker processes forked from this one."""
    return isinstance(engine, LocalEngine) and engine.jobs > 1 and _fork_available()


def shared_array(engine, shape, dtype):
    """``engine.shared_array(shape, dtype)`` where the engine has shared memory, else None."""
    make = getattr(engine, "shared_array", None)
    return make(shape, dtype) if make is not None else None
