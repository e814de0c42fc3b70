"""The corpus as the lexicon learner sees it: its distinct Han clauses, each with its count.

Every statistic of :mod:`minent.discovery` is a sum over Han runs ("clauses": the spans of
:mod:`minent.pretokenize` made of Han characters), each run independent of the others — n-gram
counts and branching entropies stop at a run's edges, and the unigram Viterbi segments each run
alone. So the table of distinct clauses with their counts is an exact summary of a corpus for
learning: one streaming pass reads the input (byte ranges as tasks on the engine), and every
later pass of every stage runs over this table in memory instead of re-reading the files.

Real text repeats few clauses (on People's Daily 1998 plus titles, questions and reviews, 94% of
the Han characters are in clauses seen once), so on large inputs the table is a **sample**: a
clause is kept when its content hash falls in the first 2^-level of the hash space, with its
exact count, and ``level`` is the smallest for which the kept clauses hold at most ``max_chars``
characters. The sample depends only on the set of distinct clauses — not on how the input was
split among tasks or machines — so 1 process, N processes and a Dask cluster learn the same
lexicon. Han runs longer than ``CLAUSE_MAX`` characters are cut into pieces of that length (as
the segmenter cuts them).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .hashtable import SeqCounter, seq_hash
from .parallel import Range, corpus_ranges, range_blocks, ranges_size, resolve, shared_array
from .pretokenize import HAN, class_table, han_length, scan_spans, to_codes
from .textio import iter_text_blocks

CLAUSE_MAX = 1 << 16
#: Characters per chunk of the table handed to a task.
CHUNK_CHARS = 1 << 18
MAX_LEVEL = 30


@njit(cache=True, inline="always")
def in_sample(h, level):
    """True when a clause with hash ``h`` belongs to the sample at ``level`` (rate 2^-level)."""
    return ((h >> 32) & ((1 << level) - 1)) == 0


@njit(cache=True)
def han_clauses(cps, spans, level):
    """The Han runs of ``cps`` in the sample at ``level``, packed: clause i is
    ``codes[bounds[i]:bounds[i+1]]``. Returns ``(codes, bounds, han characters seen)``."""
    n_han = han_length(spans)
    codes = np.empty(n_han, np.int32)
    bounds = np.empty(n_han + 1, np.int64)
    bounds[0] = 0
    m = 0
    used = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] != HAN:
            continue
        a = spans[s, 0]
        while a < spans[s, 1]:
            b = min(spans[s, 1], a + CLAUSE_MAX)
            if level == 0 or in_sample(seq_hash(cps, a, b), level):
                for j in range(a, b):
                    codes[used] = cps[j]
                    used += 1
                m += 1
                bounds[m] = used
            a = b
    return codes[:used], bounds[: m + 1], n_han


@njit(cache=True)
def sampled_clauses(codes, bounds, level):
    """Indices of the clauses ``codes[bounds[i]:bounds[i+1]]`` in the sample at ``level``."""
    out = np.empty(bounds.shape[0] - 1, np.int64)
    m = 0
    for i in range(bounds.shape[0] - 1):
        if in_sample(seq_hash(codes, bounds[i], bounds[i + 1]), level):
            out[m] = i
            m += 1
    return out[:m]


@njit(cache=True)
def _sample_ids(ranks, n, level):
    out = np.empty(n, np.int64)
    m = 0
    for e in range(n):
        if in_sample(ranks[e], level):
            out[m] = e
            m += 1
    return out[:m]


class ClauseTable:
    """Distinct Han clauses with counts, sampled by content hash to at most ``max_chars``
    characters (None: never sampled).

    Attributes
    ----------
    table : SeqCounter — the clauses (code points) and their counts
    level : int — the sample keeps clauses of hash level >= ``level``: a fraction 2^-level of the
        distinct clauses (0: all of them, the table is exact)
    han_chars : int — Han characters of the whole input (sampled or not)
    """

    def __init__(self, max_chars: int | None = None, level: int = 0):
        self.max_chars = max_chars
        self.table = SeqCounter(1 << 14, 1 << 20)
        self.level = level
        self.han_chars = 0

    def __len__(self) -> int:
        return len(self.table)

    @property
    def chars(self) -> int:
        """Characters of the distinct clauses kept."""
        return int(self.table.state[1])

    @property
    def weighted_chars(self) -> int:
        """Han characters the kept clauses stand for (each clause times its count)."""
        _, starts, counts = self.table.entries()
        return int((np.diff(starts) * counts).sum())

    @property
    def rate(self) -> float:
        return 2.0 ** -self.level

    def add_text(self, text: str, rules) -> None:
        cps = to_codes(text)
        codes, bounds, n_han = han_clauses(cps, scan_spans(cps, class_table(), rules), self.level)
        self.han_chars += int(n_han)
        self.add(codes, bounds)

    def add(self, codes: np.ndarray, bounds: np.ndarray, counts: np.ndarray | None = None,
            level: int = 0, hashes: np.ndarray | None = None) -> None:
        """Count clauses (of a sample at ``level``, e.g. another task's table, whose clause
        hashes ``hashes`` may be given)."""
        if level > self.level:
            self._resample(level)
        if self.level > level and len(bounds) > 1:
            if hashes is None:
                keep = sampled_clauses(np.ascontiguousarray(codes, dtype=np.int32), np.asarray(bounds, np.int64),
                                       self.level)
            else:
                keep = _sample_ids(hashes, len(hashes), self.level)
                hashes = hashes[keep]
            lens = bounds[keep + 1] - bounds[keep]
            start = np.zeros(len(keep) + 1, np.int64)
            np.cumsum(lens, out=start[1:])
            codes = codes[np.repeat(bounds[keep] - start[:-1], lens) + np.arange(start[-1])]
            bounds = start
            counts = None if counts is None else np.asarray(counts)[keep]
        if len(self.table) == 0 and hashes is not None and counts is not None:
            self.table = SeqCounter.of_distinct(codes, bounds, counts, hashes)  # a table's entries
        else:
            self.table.add(codes, bounds, counts, hashes)
        while self.max_chars is not None and self.chars > self.max_chars and self.level < MAX_LEVEL:
            self._resample(self.level + 1)

    def _resample(self, level: int) -> None:
        self.level = level
        self.table = self.table.subset(_sample_ids(self.table.ranks(), len(self.table), level))

    def parts(self) -> tuple:
        """Plain arrays ``(arena, starts, counts, level, han_chars, hashes)`` for shipping between
        processes."""
        arena, starts, counts = self.table.entries()
        return (arena.copy(), starts.copy(), counts.copy(), self.level, self.han_chars,
                self.table.hash_values().copy())

    def merge(self, arena, starts, counts, level, han_chars, hashes=None) -> None:
        self.add(arena, starts, counts, level, hashes)
        self.han_chars += int(han_chars)

    def chunks(self, chunk_chars: int = CHUNK_CHARS) -> list[tuple]:
        """The table as ``(codes, bounds, weights)`` tuples of about ``chunk_chars`` characters
        each (whole clauses; views, not copies): the unit of work of the learner's tasks."""
        arena, starts, counts = self.table.entries()
        out = []
        a = 0
        n = len(counts)
        while a < n:
            b = int(np.searchsorted(starts, starts[a] + chunk_chars, side="left"))
            b = min(max(b, a + 1), n)
            lo = starts[a]
            out.append((arena[lo:starts[b]], starts[a:b + 1] - lo, counts[a:b]))
            a = b
        return out


def clauses_task(ranges: list[Range], encoding: str, rules, max_chars, level=0):
    """Range task: the clause table of ``ranges`` as plain arrays, then the bytes read. Sampled
    from ``level`` on: an int, or the handle of a one-element shared array where the parent
    keeps the level its merged table has reached (read before every block)."""
    shared = not isinstance(level, (int, np.integer))
    table = ClauseTable(max_chars, 0 if shared else level)
    for text in range_blocks(ranges, encoding):
        if shared and resolve(level)[0] > table.level:
            table.add(np.zeros(0, np.int32), np.zeros(1, np.int64), level=int(resolve(level)[0]))
        table.add_text(text, rules)
    return (*table.parts(), ranges_size(ranges))


def collect_clauses(texts, rules, max_chars: int | None = None, engine=None,
                    progress=None) -> ClauseTable:
    """One streaming pass: the (sampled) clause table of ``texts``.

    With an ``engine`` and a :class:`minent.Corpus`, byte ranges are read as tasks and their
    tables merged; the result is the same table (same clauses, counts and level). The tasks run
    in waves (``jobs``, then ``4 x jobs`` ranges): a wave starts sampling at the level the merged
    table has reached, which the final level can only exceed (the set of distinct clauses only
    grows), so no task ships clauses the sample will drop; on a local engine the level is shared
    memory that running tasks read before every block, and there are no waves. ``progress(n)``
    gets the bytes (or characters) consumed."""
    out = ClauseTable(max_chars)
    ranges = corpus_ranges(texts, engine, ramp=True)  # the level rises after the first, small tasks
    if ranges is None:
        for block in iter_text_blocks(texts, progress):
            out.add_text(block, rules)
        return out
    level = shared_array(engine, (1,), np.int64)
    if level is not None:  # tasks read the level as it rises: no waves
        for *parts, n_bytes in engine.map(clauses_task, [([r], texts.encoding, rules, max_chars, level[0])
                                                          for r in ranges]):
            out.merge(*parts)
            level[1][0] = out.level
            if progress:
                progress(n_bytes)
        engine.release(level[0])
        return out
    jobs = max(1, getattr(engine, "jobs", 1))
    wave = jobs
    while ranges:
        now, ranges = ranges[:wave], ranges[wave:]
        for *parts, n_bytes in engine.map(clauses_task, [([r], texts.encoding, rules, max_chars, out.level)
                                                          for r in now]):
            out.merge(*parts)
            if progress:
                progress(n_bytes)
        wave = 4 * jobs
    return out
