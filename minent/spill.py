"""Counting more distinct pieces than fit in memory: hash-partitioned spill files, merged exactly.

:class:`SpillingCounter` wraps a :class:`~minent.hashtable.SeqCounter`. When the table grows past
its byte budget, its entries are split by a hash of the sequence into ``parts`` partitions and
appended to one ``.npz`` run file per partition in a private temporary directory; the table is then
emptied and counting goes on. At the end each partition is read back alone (its runs re-counted in
a fresh table, about 1/parts of the data) and filtered by the count cut-off. The result is exact —
the same candidates and counts as an unbounded table — and peak memory is about the budget plus
one partition. Run files are plain ``.npz`` (no pickle) and are deleted on close, on error and on
Ctrl-C.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Iterator

import numpy as np

from .hashtable import SeqCounter
from .pretokenize import from_codes


class SpillingCounter:
    """Counts of int32 sequences under a memory budget (bytes of table), spilling to disk.

    Parameters
    ----------
    budget : int or None
        Bytes the in-memory table may use before it is spilled (None: never spill).
    parts : int, default 16
        Number of hash partitions of the spill files.
    """

    def __init__(self, budget: int | None = None, parts: int = 16, tmpdir: str | None = None):
        self.budget = budget
        self.parts = parts
        self.table = SeqCounter(1 << 14, 1 << 18)
        self._tmpdir_parent = tmpdir
        self._dir: str | None = None
        self._runs = 0
        self.spills = 0
        self.peak_table_bytes = 0

    def add(self, codes: np.ndarray, bounds: np.ndarray, weights: np.ndarray | None = None) -> None:
        self.table.add(codes, bounds, weights)
        nbytes = self.table.nbytes
        self.peak_table_bytes = max(self.peak_table_bytes, nbytes)
        if self.budget is not None and nbytes > self.budget:
            self.spill()

    def __len__(self) -> int:
        """Distinct sequences in memory (after spills, the distinct total is known only at the end)."""
        return len(self.table)

    def spill(self) -> None:
        if len(self.table) == 0:
            return
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="minent-spill-", dir=self._tmpdir_parent)
        arena, starts, counts = self.table.entries()
        part = (self.table.hashes[: len(counts)] & 0x7FFFFFFF) % self.parts
        lengths = np.diff(starts)
        for p in range(self.parts):
            sel = np.nonzero(part == p)[0]
            if sel.size == 0:
                continue
            sub_len = lengths[sel]
            sub_starts = np.zeros(sel.size + 1, np.int64)
            np.cumsum(sub_len, out=sub_starts[1:])
            idx = np.repeat(starts[sel], sub_len) + (np.arange(sub_starts[-1]) - np.repeat(sub_starts[:-1], sub_len))
            path = os.path.join(self._dir, f"part{p:03d}-run{self._runs:05d}.npz")
            np.savez(path, arena=arena[idx], starts=sub_starts, counts=counts[sel])
        self._runs += 1
        self.spills += 1
        self.table = SeqCounter(1 << 14, 1 << 18)

    def _partitions(self) -> Iterator[SeqCounter]:
        if self._dir is None:
            yield self.table
            return
        self.spill()
        files = sorted(os.listdir(self._dir))
        for p in range(self.parts):
            merged = SeqCounter(1 << 14, 1 << 18)
            for name in files:
                if name.startswith(f"part{p:03d}-"):
                    with np.load(os.path.join(self._dir, name), allow_pickle=False) as run:
                        merged.add(run["arena"], run["starts"], run["counts"])
            yield merged

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

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
