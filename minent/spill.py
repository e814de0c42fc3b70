"""Counting more distinct pieces than fit in memory: hash-partitioned spill files, merged exactly.

:class:`SpillingCounter` wraps a :class:`~minent.hashtable.SeqCounter`. When the table grows past
half its byte budget (so its next doubling stays within the budget), its entries are split by a hash of the sequence into ``parts`` partitions and
appended to one ``.npz`` run file per partition in a private temporary directory; the table is then
emptied and counting goes on. At the end each partition is read back alone (its runs re-counted in
a fresh table, about 1/parts of the data) and filtered by the count cut-off. The result is exact —
the same candidates and counts as an unbounded table — and peak memory is about the budget plus
one partition. Run files are plain ``.npz`` (no pickle) and are deleted on close, on error and on
Ctrl-C; a failed write (no space left, file too large) removes them and raises one
:class:`~minent.errors.MinentError`. The folder is named ``minent-spill-<pid>-*``: one left by a
killed run is removed by the next (:func:`minent.textio.remove_stale_temps`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Callable, Iterator

import numpy as np

from numba import njit

from .errors import MinentError
from .hashtable import EMPTY, KeyCounter, SeqCounter, mix64
from .parallel import forks_workers
from .pretokenize import from_codes
from .textio import owned_temp


def _spill_runs(counter, write, *args) -> None:
    """One spill of ``counter``: its folder made on first use, ``write(*args)`` writing the run
    files; a failed write removes the folder and raises one MinentError."""
    try:
        if counter._dir is None:
            counter._dir = owned_temp("spill", counter._tmpdir_parent, directory=True)
        write(*args)
    except OSError as exc:
        raise _spill_error(counter, exc) from None
    except MinentError:
        counter.close()
        raise
    counter._runs += 1
    counter.spills += 1


def _spill_error(counter, exc: OSError) -> MinentError:
    """Remove the spill folder of ``counter`` and describe why a spill failed in one line."""
    where = counter._dir or counter._tmpdir_parent or tempfile.gettempdir()
    counter.close()
    return MinentError(f"cannot write spill files in {where}: {exc.strerror or exc} "
                       f"(set TMPDIR to a folder with room, or raise --memory)")


@njit(cache=True)
def merge_first_values(ids, run_rows, rows, filled):
    """Append each run row's non-negative values to ``rows[ids[i]]`` until it holds
    ``rows.shape[1]`` values (``filled`` counts them): the first values overall when runs are
    merged in the order they were written."""
    k = rows.shape[1]
    for i in range(ids.shape[0]):
        e = ids[i]
        for j in range(run_rows.shape[1]):
            v = run_rows[i, j]
            if v < 0 or filled[e] >= k:
                break
            rows[e, filled[e]] = v
            filled[e] += 1


class _Runs:
    """The run files of a spilling counter: a private folder of ``part{p:03d}-run{r:05d}.npz``
    files (partition p, run r), removed on :meth:`close`. Subclasses write runs in ``spill``."""

    _dir: str | None = None
    _runs = 0
    spills = 0

    def spill(self, *payload) -> None:
        raise NotImplementedError

    def hand_over(self, *payload) -> str | None:
        """Spill what is in memory and give up the run files: returns their folder (None when
        nothing was counted), for another counter of the same kind and ``parts`` to
        :meth:`adopt` — how a range task passes its counts to the parent without sending them
        through a pipe."""
        self.spill(*payload)
        folder, self._dir = self._dir, None
        return folder

    def adopt(self, folder: str | None, *payload) -> None:
        """Take over the run files of another counter's :meth:`hand_over` as this counter's next
        runs (after spilling the in-memory table, with its ``payload``, so run order stays the
        order things were added: first values stay first); the folder is removed."""
        if folder is None:
            return
        self.spill(*payload)
        try:
            names = sorted(os.listdir(folder))
            if self._dir is None:
                self._dir = owned_temp("spill", self._tmpdir_parent, directory=True)
            runs = 0
            for name in names:  # part{p:03d}-run{r:05d}.npz
                part, run = name[:7], int(name[11:16])
                shutil.move(os.path.join(folder, name),
                            os.path.join(self._dir, f"{part}-run{self._runs + run:05d}.npz"))
                runs = max(runs, run + 1)
        except OSError as exc:
            raise _spill_error(self, exc) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self._runs += runs
        self.spills += runs

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SpillingCounter(_Runs):
    """Counts of int32 sequences under a memory budget (bytes of table), spilling to disk.

    Parameters
    ----------
    budget : int or None
        Bytes the in-memory table may use before it is spilled (None: never spill).
    parts : int, default 16
        Number of hash partitions of the spill files.
    auto_spill : bool, default True
        Spill inside :meth:`add` when over budget. False: the caller checks :meth:`over_budget`
        and calls :meth:`spill` itself (when it keeps per-entry data keyed by table ids).
    """

    def __init__(self, budget: int | None = None, parts: int = 16, tmpdir: str | None = None,
                 auto_spill: bool = True):
        self.budget = budget
        self.parts = parts
        self.auto_spill = auto_spill
        self.n_added = 0  # total weight added (spilled or not)
        self.table = SeqCounter(1 << 14, 1 << 18)
        self._tmpdir_parent = tmpdir
        self._dir: str | None = None
        self._runs = 0
        self.spills = 0
        self.peak_table_bytes = 0

    def add(self, codes: np.ndarray, bounds: np.ndarray, weights: np.ndarray | None = None,
            hashes: np.ndarray | None = None, return_ids: bool = False) -> np.ndarray | None:
        """Count the sequences (see :meth:`SeqCounter.add`); with ``return_ids``, their ids in the
        in-memory table (before any automatic spill)."""
        ids = self.table.add(codes, bounds, weights, hashes, return_ids)
        self.n_added += int(bounds.shape[0] - 1) if weights is None else int(np.sum(weights))
        nbytes = self.table.nbytes
        self.peak_table_bytes = max(self.peak_table_bytes, nbytes)
        if self.auto_spill and self.over_budget():
            self.spill()
        return ids

    def __len__(self) -> int:
        """Distinct sequences in memory (after spills, the distinct total is known only at the end)."""
        return len(self.table)

    def over_budget(self, extra_bytes: int = 0) -> bool:
        """True when the table (plus ``extra_bytes`` the caller keeps per entry) passes half the
        budget: the table grows by doubling, so spilling at half keeps its peak within the budget."""
        return self.budget is not None and self.table.nbytes + extra_bytes > self.budget // 2

    def spill(self, payload: np.ndarray | None = None) -> None:
        """Write the table out and empty it. ``payload`` (int64, one row per entry id) travels
        with the entries; on merge a row keeps its first non-negative values in run order
        (:func:`merge_first_values`) — e.g. the first example sentences of each entry."""
        if len(self.table) == 0:
            return
        _spill_runs(self, self._write_runs, payload)
        self.table = SeqCounter(1 << 14, 1 << 18)

    def _write_runs(self, payload) -> None:
        arena, starts, counts = self.table.entries()
        part = (self.table.ranks() & 0x7FFFFFFF) % self.parts
        lengths = np.diff(starts)
        for p, sel in enumerate(_by_partition(part, self.parts)):
            if sel.size == 0:
                continue
            sub_len = lengths[sel]
            sub_starts = np.zeros(sel.size + 1, np.int64)
            np.cumsum(sub_len, out=sub_starts[1:])
            idx = np.repeat(starts[sel], sub_len) + (np.arange(sub_starts[-1]) - np.repeat(sub_starts[:-1], sub_len))
            path = os.path.join(self._dir, f"part{p:03d}-run{self._runs:05d}.npz")
            extra = {} if payload is None else {"payload": payload[sel]}
            np.savez(path, arena=arena[idx], starts=sub_starts, counts=counts[sel], **extra)

    def partitions(self, payload: np.ndarray | None = None) -> Iterator[tuple[SeqCounter, np.ndarray | None]]:
        """``(table, payload rows)`` for each hash partition, merged exactly from its runs (just
        the in-memory table, with ``payload``, when nothing was spilled). Pass the current
        ``payload`` of the in-memory table when spilling with payloads."""
        if self._dir is None:
            yield self.table, payload
            return
        width = None if payload is None else payload.shape[1]
        for files in self._partition_files(payload):
            yield merge_seq_runs(files, width)

    def map_partitions(self, fn: Callable, args: tuple = (), engine=None,
                       payload: np.ndarray | None = None) -> Iterator:
        """``fn(table, payload rows, *args)`` for each partition of :meth:`partitions`, in
        partition order; each as a task on ``engine`` when its workers are forked from this
        process (they read the run files; ``fn`` must be a module-level function)."""
        if self._dir is None or not forks_workers(engine):
            for table, rows in self.partitions(payload):
                yield fn(table, rows, *args)
            return
        width = None if payload is None else payload.shape[1]
        tasks = [(files, width, fn, args) for files in self._partition_files(payload)]
        yield from engine.map(_seq_partition_task, tasks, ordered=True)

    def _partition_files(self, payload) -> list[list[str]]:
        self.spill(payload)
        return _files_by_partition(self._dir, self.parts)

    def _partitions(self) -> Iterator[SeqCounter]:
        for table, _ in self.partitions():
            yield table

    def frequent(self, cut: float) -> tuple[dict, int, int]:
        """``({piece: count} with count >= cut, sum of their counts, distinct sequences overall)``."""
        out, kept_total, distinct = {}, 0, 0
        for table in self._partitions():
            arena, starts, counts = table.entries()
            distinct += len(counts)
            for i in np.nonzero(counts >= cut)[0]:
                c = int(counts[i])
                out[from_codes(arena[starts[i]:starts[i + 1]])] = c
                kept_total += c
        return out, kept_total, distinct



class SpillingKeyCounter(_Runs):
    """Counts of int64 keys (a :class:`~minent.hashtable.KeyCounter`) under a byte budget: past it,
    the table is split by a hash of the key into ``parts`` ``.npz`` run files and emptied;
    :meth:`partitions` merges each partition exactly. Same life cycle as :class:`SpillingCounter`.
    """

    def __init__(self, budget: int | None = None, parts: int = 16, tmpdir: str | None = None):
        self.budget = budget
        self.parts = parts
        self.table = KeyCounter(1 << 16)
        self._tmpdir_parent = tmpdir
        self._dir: str | None = None
        self._runs = 0
        self.spills = 0
        self.peak_table_bytes = 0

    def add(self, keys: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Count ``keys``. The table spills when it would grow past half the budget (so the
        growth's copies, about 3.5 times the old table, stay within the budget too)."""
        limit = None if self.budget is None else max(self.budget // 2, 1)
        i = 0
        while True:
            i = self.table.add(keys, counts, i, limit)
            self.peak_table_bytes = max(self.peak_table_bytes, self.table.nbytes)
            if i >= len(keys):
                break
            self.spill()
        if limit is not None and self.table.nbytes > limit:  # a first table already past the budget
            self.spill()

    def spill(self) -> None:
        if len(self.table) == 0:
            return
        _spill_runs(self, self._write_runs)
        self.table = KeyCounter(1 << 16)

    def _write_runs(self) -> None:
        used = self.table.keys != EMPTY  # in slot order: a run's order does not change its sums
        keys, vals = self.table.keys[used], self.table.vals[used]
        del used
        for p, sel in enumerate(_by_partition(_key_partition(keys, self.parts), self.parts)):
            if sel.size:
                np.savez(os.path.join(self._dir, f"part{p:03d}-run{self._runs:05d}.npz"),
                         keys=keys[sel], counts=vals[sel])

    def partitions(self) -> Iterator[KeyCounter]:
        """Each hash partition's exact counts (the in-memory table when nothing was spilled)."""
        if self._dir is None:
            yield self.table
            return
        self.spill()
        for files in _files_by_partition(self._dir, self.parts):
            yield merge_key_runs(files)

    def map_partitions(self, fn: Callable, args: tuple = (), engine=None) -> Iterator:
        """``fn(table, *args)`` for each of :meth:`partitions`, in partition order; as tasks on
        ``engine`` when its workers are forked from this process (see
        :meth:`SpillingCounter.map_partitions`)."""
        if self._dir is None or not forks_workers(engine):
            for table in self.partitions():
                yield fn(table, *args)
            return
        self.spill()
        tasks = [(files, fn, args) for files in _files_by_partition(self._dir, self.parts)]
        yield from engine.map(_key_partition_task, tasks, ordered=True)



def _by_partition(part: np.ndarray, parts: int) -> list[np.ndarray]:
    """For each partition p < ``parts``, the indices i with ``part[i] == p``, ascending: one
    stable sort (a radix sort on small integers) instead of a scan of ``part`` per partition."""
    small = np.uint8 if parts <= 256 else np.uint16 if parts <= 65536 else np.int64
    order = np.argsort(part.astype(small), kind="stable")
    bounds = np.zeros(parts + 1, np.int64)
    np.cumsum(np.bincount(part, minlength=parts), out=bounds[1:])
    return [order[bounds[p]:bounds[p + 1]] for p in range(parts)]


def _files_by_partition(folder: str, parts: int) -> list[list[str]]:
    """Run files of each partition, in run order (names ``part{p:03d}-run{r:05d}.npz``)."""
    out: list[list[str]] = [[] for _ in range(parts)]
    for name in sorted(os.listdir(folder)):
        out[int(name[4:7])].append(os.path.join(folder, name))
    return out


def merge_seq_runs(files: list[str], width: int | None) -> tuple[SeqCounter, np.ndarray | None]:
    """``(table, payload rows)`` of one partition's run files merged in order (a row keeps its
    first values, :func:`merge_first_values`); rows None when ``width`` is None."""
    merged = SeqCounter(1 << 14, 1 << 18)
    rows = filled = None
    for name in files:
        with np.load(name, allow_pickle=False) as run:
            merged.add(run["arena"], run["starts"], run["counts"])
            if width is not None:
                ids = merged.ids(run["arena"], run["starts"])
                if rows is None:
                    rows = np.full((0, width), -1, np.int64)
                    filled = np.zeros(0, np.int64)
                if len(merged) > rows.shape[0]:
                    grow = 2 * len(merged) - rows.shape[0]
                    rows = np.concatenate([rows, np.full((grow, width), -1, np.int64)])
                    filled = np.concatenate([filled, np.zeros(grow, np.int64)])
                merge_first_values(ids, run["payload"], rows, filled)
    return merged, (rows[: len(merged)] if rows is not None else None)


def merge_key_runs(files: list[str]) -> KeyCounter:
    """The exact counts of one partition's run files."""
    merged = KeyCounter(1 << 16)
    for name in files:
        with np.load(name, allow_pickle=False) as run:
            merged.add(run["keys"], run["counts"])
    return merged


def _seq_partition_task(files, width, fn, args):
    return fn(*merge_seq_runs(files, width), *args)


def _key_partition_task(files, fn, args):
    return fn(merge_key_runs(files), *args)


@njit(cache=True)
def _key_partition(keys, parts):
    """Partition of each key, by a hash of its two 32-bit halves in sorted order: a pair key
    ``a << 32 | b`` and its reverse ``b << 32 | a`` fall in the same partition (a partition can
    look up the reverse of its pairs)."""
    out = np.empty(keys.shape[0], np.int64)
    for i in range(keys.shape[0]):
        hi, lo = keys[i] >> 32, keys[i] & 0xFFFFFFFF
        k = (min(hi, lo) << 32) | max(hi, lo)
        out[i] = (mix64(k) & 0x7FFFFFFF) % parts
    return out
