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
from typing import Callable, Iterable, Iterator

import numpy as np

from .errors import InputError, MinentError

RANGE_BYTES = 32 << 20

Range = tuple  # (path, start, end)


def plan_ranges(paths: list[str], range_bytes: int = RANGE_BYTES, min_parts: int = 1) -> list[Range]:
    """Byte ranges ``(path, start, end)`` covering ``paths``, about ``range_bytes`` each (and at
    least ``min_parts`` in all when the input is large enough to split)."""
    total = sum(os.path.getsize(p) for p in paths)
    size = max(1 << 16, min(range_bytes, total // max(min_parts, 1) + 1))
    out = []
    for p in paths:
        n = os.path.getsize(p)
        if n == 0:
            continue
        for start in range(0, n, size):
            out.append((p, start, min(n, start + size)))
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


# ----------------------------------------------------------------------------- tasks

def count_pairs_task(ranges: list[Range], encoding: str, rules: bool):
    """Pass-1 task: ``(char_ids, char_counts, pair_keys, pair_counts, n_chars, n_bytes)``."""
    from .counting import CharPairCounts
    cp = CharPairCounts()
    for path, start, end in ranges:
        for text in read_range(path, start, end, encoding):
            cp.add_text(text, rules)
    ids = np.nonzero(cp.chars)[0]
    keys, vals = cp.pairs.items()
    return ids, cp.chars[ids], keys, vals, cp.n_chars, sum(e - s for _, s, e in ranges)


def count_pieces_task(ranges: list[Range], encoding: str, rules: bool, strong_keys: np.ndarray,
                      max_len: int):
    """Pass-2 task: ``(arena, starts, counts, n_pieces, n_bytes)`` of the pieces in ``ranges``."""
    from .counting import piece_table
    strong = strong_table(strong_keys)
    pieces, n_total = piece_table(
        (text for path, start, end in ranges for text in read_range(path, start, end, encoding)),
        strong, max_len, rules)
    arena, starts, counts = pieces.entries()
    return arena.copy(), starts.copy(), counts.copy(), n_total, sum(e - s for _, s, e in ranges)


def information_task(ranges: list[Range], encoding: str, vocab):
    """Report task: character and lexicon-word counts of ``ranges`` (``vocab`` = ``(words, logp,
    unknown_logp, rules)`` or None) as ``(char_ids, char_counts, arena, starts, counts, n_bytes)``."""
    from .entropy import InformationCounts
    from .segment import Segmenter
    acc = InformationCounts(Segmenter(*vocab) if vocab is not None else None)
    for path, start, end in ranges:
        for text in read_range(path, start, end, encoding):
            acc.add_text(text)
    return (*acc.parts(), sum(e - s for _, s, e in ranges))


def strong_table(strong_keys: np.ndarray):
    from .hashtable import KeyCounter
    t = KeyCounter(2 * len(strong_keys) + 16)
    t.add(strong_keys)
    return t


# ----------------------------------------------------------------------------- engines

def _peak_rss_mb() -> float:
    import resource
    import sys
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 2**20 if sys.platform == "darwin" else kb / 1024


def measured_call(fn: Callable, args: tuple) -> tuple:
    """``(fn(*args), peak RSS of the process running it in MB)`` — how engines account for the
    memory of their workers."""
    return fn(*args), _peak_rss_mb()


class LocalEngine:
    """Run tasks in ``jobs`` processes (``jobs=1``: in this process).

    ``worker_peak_rss_mb`` is the largest peak resident memory any worker process reported (0
    while none ran; forked workers share the parent's pages, so this counts them too).
    """

    def __init__(self, jobs: int = 1):
        if jobs < 1:
            raise MinentError("--jobs must be >= 1")
        self.jobs = jobs
        self.worker_peak_rss_mb = 0.0

    def map(self, fn: Callable, arg_lists: list[tuple]) -> Iterator:
        if self.jobs == 1 or len(arg_lists) == 1:
            for args in arg_lists:
                yield fn(*args)
            return
        import multiprocessing as mp
        # fork where available: workers inherit the loaded kernels instead of re-importing them
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ctx.Pool(min(self.jobs, len(arg_lists))) as pool:
            for result, peak in pool.imap_unordered(_Measured(fn), arg_lists):
                self.worker_peak_rss_mb = max(self.worker_peak_rss_mb, peak)
                yield result

    def close(self) -> None:
        pass


class _Measured:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, args):
        return measured_call(self.fn, args)


class DaskEngine:
    """Run tasks on Dask: the scheduler at ``address``, or a LocalCluster of ``workers`` processes."""

    def __init__(self, address: str | None = None, workers: int = 2):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise MinentError("the dask engine needs dask.distributed: pip install 'minent[dask]'") from None
        self._cluster = None
        self.jobs = workers
        self.worker_peak_rss_mb = 0.0
        if address:
            self.client = Client(address)
        else:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)

    def map(self, fn: Callable, arg_lists: list[tuple]) -> Iterator:
        from dask.distributed import as_completed
        futures = [self.client.submit(measured_call, fn, args, pure=False) for args in arg_lists]
        for fut in as_completed(futures):
            result, peak = fut.result()
            self.worker_peak_rss_mb = max(self.worker_peak_rss_mb, peak)
            yield result

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(engine: str = "local", jobs: int = 1, scheduler: str | None = None):
    if engine == "local":
        return LocalEngine(jobs)
    if engine == "dask":
        return DaskEngine(scheduler, max(jobs, 1))
    raise MinentError(f"unknown engine {engine!r} (local or dask)")
