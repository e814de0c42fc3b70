"""Character n-gram statistics of a clause table: counts, branching entropies, split PMIs.

:func:`count_ngrams` counts the character n-grams (1 <= n <= ``max_n``) of the clauses of a
:class:`minent.clauses.ClauseTable`, each with its exact left and right *branching entropy* (the
entropy of the character that precedes / follows it; a clause edge counts as a distinct
neighbour). Pass n + 1 counts every (n+1)-gram that extends a kept n-gram on either side (a
priori), credits it to the branching sums of those n-grams, and keeps it when both its sub-grams
are kept and it occurs ``min_count`` times or more (every character is kept). Memory follows the
distinct n-grams, not the corpus.

Each pass keys the windows by (id of the kept (n-1)-gram, added character) and sorts the keys:
no hash-table probe, and entry ids (by length, then key) that do not depend on the order of the
clauses — the same ids, and the same floating-point sums, for 1 process, N processes or a Dask
cluster.

All logs natural (nats).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .errors import MinentError
from .hashtable import EMPTY, SeqCounter, key_slot, mix64, table_find
from .parallel import resolve, shared_array
from .pretokenize import MAX_CODE, from_codes, to_codes


#: n-gram keys: an n-gram whose (n-1)-prefix is kept is ``id(prefix) << 21 | last code``; one
#: whose prefix is not kept but whose suffix is, ``1 << 62 | id(suffix) << 21 | first code``.
CODE_BITS = 21
SUFFIX_KEYS = 1 << 62


@njit(cache=True)
def window_keys(clauses, prev, n, keys, weights, where, m):
    """Append the key (see :data:`SUFFIX_KEYS`), weight and position of every n-gram window of
    ``clauses`` = ``(codes, bounds, weights)`` that extends a kept (n-1)-gram, from index ``m``.

    ``prev[i]`` is the id of the kept (n-1)-gram starting at position i (-1: none). Returns
    ``(m, orphans)``: ``orphans`` counts the windows with neither sub-gram kept (each an n-gram
    seen once when every repeated (n-1)-gram is kept)."""
    codes, bounds, cw = clauses
    orphans = 0
    for c in range(bounds.shape[0] - 1):
        w = cw[c]
        for i in range(bounds[c], bounds[c + 1] - n + 1):
            if n == 1:
                key = np.int64(codes[i])
            else:
                p, q = prev[i], prev[i + 1]
                if p >= 0:
                    key = (np.int64(p) << CODE_BITS) | codes[i + n - 1]
                elif q >= 0:
                    key = SUFFIX_KEYS | (np.int64(q) << CODE_BITS) | codes[i]
                else:
                    orphans += w
                    continue
            keys[m] = key
            weights[m] = w
            where[m] = i
            m += 1
    return m, orphans


@njit(cache=True)
def pack_keys(keys, rank, sub_bits, char_bits, idx_bits, out):
    """``out[k]`` = key k made dense, shifted left by ``idx_bits``, or k: one int64 whose order is
    the order of (key, k). With ``rank`` (the rank of every kept character's code among them)
    an n-gram key (:data:`SUFFIX_KEYS`) becomes (suffix flag, sub-gram id in ``sub_bits``,
    character rank); without it the keys are used as they are (characters: their codes)."""
    for k in range(keys.shape[0]):
        key = keys[k]
        if rank.shape[0] == 1:
            flag = key >> 62
            sub = (key & (SUFFIX_KEYS - 1)) >> CODE_BITS
            key = (((flag << sub_bits) | sub) << char_bits) | rank[0, key & ((1 << CODE_BITS) - 1)]
        out[k] = (key << idx_bits) | k


@njit(cache=True)
def packed_runs(packed, keys, weights, idx_bits, inverse):
    """The runs of equal keys in the sorted ``packed`` (:func:`pack_keys`): ``(distinct keys,
    sums of weights, first window of each)``; ``inverse[k]`` gets the run of window k when
    ``inverse`` has room."""
    m = packed.shape[0]
    distinct = np.empty(m, np.int64)
    sums = np.zeros(m, np.int64)
    first = np.empty(m, np.int64)
    mask = (np.int64(1) << idx_bits) - 1
    d = -1
    last = np.int64(-1)
    for j in range(m):
        v = packed[j] >> idx_bits
        k = packed[j] & mask
        if v != last:
            d += 1
            distinct[d] = keys[k]
            first[d] = k
            last = v
        sums[d] += weights[k]
        if inverse.shape[0] > 0:
            inverse[k] = d
    return distinct[: d + 1], sums[: d + 1], first[: d + 1]


def sorted_groups(keys, weights, inverse: bool = True, chars=None):
    """The distinct ``keys`` in increasing order with the sums of their ``weights``, the index of
    their first window and (``inverse``) the distinct index of every window — what ``np.unique``
    with ``return_index`` and ``return_inverse`` gives, by one sort of int64s that pack (dense
    key, window index) (:func:`pack_keys`; ``chars`` = the sorted codes of the kept characters,
    for n-gram keys), ten times faster than an argsort."""
    m = len(keys)
    idx_bits = max(1, int(m).bit_length())
    if chars is None:
        rank = np.zeros((0, 0), np.int32)
        key_bits = int(keys.max()).bit_length() if m else 0
        sub_bits = char_bits = 0
    else:
        rank = np.zeros((1, int(chars.max()) + 1 if len(chars) else 1), np.int32)
        rank[0, chars] = np.arange(len(chars), dtype=np.int32)
        sub_bits = int(((keys & (SUFFIX_KEYS - 1)) >> CODE_BITS).max()).bit_length() if m else 0
        char_bits = max(1, int(len(chars) - 1).bit_length())
        key_bits = 1 + sub_bits + char_bits
    inv = np.empty(m if inverse else 0, np.int64)
    if key_bits + idx_bits <= 63:
        packed = np.empty(m, np.int64)
        pack_keys(keys, rank, sub_bits, char_bits, idx_bits, packed)
        packed.sort()
        uniq, sums, first = packed_runs(packed, keys, weights, idx_bits, inv)
        return uniq, sums, first, inv if inverse else None
    uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)  # too many bits
    sums = np.bincount(inv, weights=weights, minlength=len(uniq)).astype(np.int64)
    return uniq, sums, first, inv if inverse else None


@njit(cache=True)
def key_index(keys):
    """Open-addressing slots (at most half full) of the distinct ``keys`` (all >= 0): ``(slots,
    where)`` with ``keys[where[s]] == slots[s]``; see :func:`lookup_ids`."""
    cap = 16
    while cap < 2 * keys.shape[0]:
        cap *= 2
    slots = np.full(cap, EMPTY, np.int64)
    where = np.empty(cap, np.int64)
    for j in range(keys.shape[0]):
        s = key_slot(slots, keys[j])
        slots[s] = keys[j]
        where[s] = j
    return slots, where


@njit(cache=True)
def assign_ids(keys, where, m, index, first, out):
    """``out[where[k]] = first + j`` for the windows k whose key is kept key j (``index`` =
    :func:`key_index` of the kept keys, whose ids run from ``first``)."""
    slots, at = index
    for k in range(m):
        s = key_slot(slots, keys[k])
        if slots[s] != EMPTY:
            out[where[k]] = first + at[s]


@njit(cache=True)
def scatter_ids(where, new_ids, inverse, lo, hi, out):
    """``out[where[k]] = new_ids[inverse[k]]`` for the windows k in [lo, hi)."""
    for k in range(lo, hi):
        out[where[k]] = new_ids[inverse[k]]


@njit(cache=True)
def gather_windows(codes, pos, n, out, rows):
    """``out[rows[e]] = codes[pos[e] : pos[e] + n]`` (``out`` has n columns)."""
    for e in range(pos.shape[0]):
        for j in range(n):
            out[rows[e], j] = codes[pos[e] + j]


def _window_keys(chunks, prev, n, offsets):
    """Keys, weights and flat positions (chunk c's positions start at ``offsets[c]``) of the
    windows of pass n in ``chunks``, and the orphan count."""
    total = sum(len(ch[0]) for ch in chunks)
    keys = np.empty(total, np.int64)
    weights = np.empty(total, np.int64)
    where = np.empty(total, np.int64)
    orphans = 0
    m = 0
    for ch, pv, off in zip(chunks, prev, offsets):
        m0 = m
        m, o = window_keys(ch, pv, n, keys, weights, where, m)
        where[m0:m] += off
        orphans += int(o)
    return keys[:m], weights[:m], where[:m], orphans


def _views(flat, offsets):
    return [flat[offsets[c]:offsets[c + 1]] for c in range(len(offsets) - 1)]


def _row(ref):
    """A task's flat position ids: ``(handle of a shared 2-d array, row)`` or a handle/array."""
    return resolve(ref[0])[ref[1]] if isinstance(ref, tuple) else resolve(ref)


class _Passes:
    """Stage-1 passes in this process: every chunk's position ids in one flat array (chunk c's
    from ``offsets[c]``; one more position than codes), ``inverse`` kept from a pass to the next."""

    def __init__(self, chunks, levels):
        self.chunks = chunks
        self.offsets = np.concatenate([[0], np.cumsum([len(ch[0]) + 1 for ch in chunks])]).astype(np.int64)
        self.positions = np.full((levels, int(self.offsets[-1])), -1, np.int32)
        self.prev = self.positions[0]

    def distinct(self, n, chars):
        """Distinct n-grams: ``(keys, counts, flat position of a window, orphans)``, by key."""
        keys, weights, self._where, orphans = _window_keys(self.chunks, _views(self.prev, self.offsets), n,
                                                           self.offsets)
        uniq, counts, first, self._inverse = sorted_groups(keys, weights, chars=chars)
        return uniq, counts, self._where[first], orphans

    def start(self, n, chars):
        """Nothing: :meth:`distinct` counts pass n in this process."""

    def advance(self, n, new_ids):
        """Position ids of pass n: ``new_ids`` (per distinct n-gram, -1: not kept) at every window."""
        self.prev = self.positions[n - 1]
        scatter_ids(self._where, new_ids, self._inverse, 0, len(self._where), self.prev)

    def close(self):
        pass


def distinct_task(chunks_ref, prev_ref, offsets, n, group, chars, part, shared, scatter=None):
    """Task: the distinct n-grams of chunks ``group``, sorted by key — keys, counts and the flat
    position of a window of each — and the orphans. With ``shared`` = handles of (results, window
    positions and inverse) arrays, the results go to row ``part`` of the first (``(distinct,
    orphans)`` is returned) and the windows' positions and distinct indices to the second, for
    :func:`scatter_task`; else ``(keys, counts, positions, orphans)`` is returned. With
    ``scatter`` = ``(windows, ids_ref)``, the position ids ``prev_ref`` of the previous pass are
    first written from this part's windows of that pass (:func:`scatter_task`, one task less
    per pass)."""
    if scatter is not None:
        scatter_task(offsets, group, part, scatter[0], shared, scatter[1], prev_ref)
    chunks, flat = resolve(chunks_ref), _row(prev_ref)
    keys, weights, where, orphans = _window_keys([chunks[c] for c in group],
                                                 [flat[offsets[c]:offsets[c + 1]] for c in group], n,
                                                 offsets[group])
    uniq, counts, first, inverse = sorted_groups(keys, weights, inverse=shared is not None, chars=chars)
    if shared is None:
        return uniq, counts, where[first], orphans
    out, win = resolve(shared[0])[part], resolve(shared[1])[part]
    d, m = len(uniq), len(keys)
    out[0, :d], out[1, :d], out[2, :d] = uniq, counts, where[first]
    win[0, :m], win[1, :m] = where, inverse
    return d, orphans, m


def scatter_task(offsets, group, part, m, shared, ids_ref, next_ref):
    """Task: position ids of the next pass for chunks ``group`` from the windows ``distinct_task``
    left in row ``part``: the id of each window's n-gram (``ids_ref`` row ``part``: per distinct
    n-gram of the part, -1 when not kept), -1 elsewhere."""
    out = _row(next_ref)
    for c in group:
        out[offsets[c]:offsets[c + 1]] = -1
    win = resolve(shared[1])[part]
    scatter_ids(win[0], resolve(ids_ref)[part], win[1], 0, m, out)


def advance_task(chunks_ref, prev_ref, offsets, n, kept, first, group):
    """Task (engines without shared memory): for chunks ``group``, the id of the kept n-gram at
    every position (-1: none); the kept keys ``kept`` have ids from ``first``."""
    chunks, flat = resolve(chunks_ref), _row(prev_ref)
    index = key_index(kept)
    res = []
    for c in group:
        lo, hi = offsets[c], offsets[c + 1]
        keys, _, where, _ = _window_keys([chunks[c]], [flat[lo:hi]], n, [0])
        ids = np.full(hi - lo, -1, np.int32)
        assign_ids(keys, where, len(keys), index, first, ids)
        res.append(ids)
    return res


class _EnginePasses:
    """Stage-1 passes as tasks, a share of the chunks each: every task finds the distinct
    n-grams of its chunks (sorted), the parent merges the sorted runs (:func:`sorted_groups`
    again), then the tasks write the position ids of the next pass.

    On a local engine the position ids, the tasks' results and their windows are shared memory
    written in place (no pickling; the worker pool lives through every pass) and the ids are
    scattered through each task's own windows; on Dask the results travel as values and the ids
    are looked up by key."""

    def __init__(self, chunks, chunks_ref, engine, levels):
        self.chunks, self.chunks_ref, self.engine = chunks, chunks_ref, engine
        self.parts = engine.jobs
        self.groups = [np.array(g, np.int64) for g in (list(range(t, len(chunks), self.parts))
                                                         for t in range(self.parts)) if g]
        self.offsets = np.concatenate([[0], np.cumsum([len(ch[0]) + 1 for ch in chunks])]).astype(np.int64)
        total, parts = int(self.offsets[-1]), len(self.groups)
        bufs = [shared_array(self.engine, shape, dtype) for shape, dtype in
                (((levels, total), np.int32), ((parts, 3, total), np.int64),
                 ((parts, 2, total), np.int64), ((parts, total), np.int32))]
        if all(b is not None for b in bufs):
            self.refs = [b[0] for b in bufs]
            # rows are written whole by the scatter of each pass (-1 first), in the tasks; rows no
            # pass reaches are set by close()
            self.positions_ref, self.positions = bufs[0]
            self._unwritten = set(range(levels))
            self.prev_ref = (self.positions_ref, 0)
            self.out, self.ids = bufs[1][1], bufs[3][1]
            self.shared, self.ids_ref = (bufs[1][0], bufs[2][0]), bufs[3][0]
        else:
            self.shared = None
            self.positions = np.full((levels, total), -1, np.int32)
            self.prev_ref = engine.share(self.positions[0])
            self.refs = [self.prev_ref]
            self._unwritten = set()
        self.prev = self.positions[0]
        self._running = self._scatter = None

    def start(self, n, chars):
        """Hand pass n's tasks to the engine: they run while the caller works, :meth:`distinct`
        collects them."""
        row, scatter = self._scatter or (None, None)
        self._scatter = None
        self._unwritten.discard(row)
        self._running = n, self.engine.map(distinct_task, [
            (self.chunks_ref, self.prev_ref, self.offsets, n, g, chars, p, self.shared,
             None if scatter is None else scatter[p]) for p, g in enumerate(self.groups)], ordered=True)

    def distinct(self, n, chars):
        if self._running is None or self._running[0] != n:
            self.start(n, chars)
        res = list(self._running[1])
        self._running = None
        if self.shared is not None:
            cols = [[self.out[p, i, :r[0]] for p, r in enumerate(res)] for i in range(3)]
            self._windows = [r[2] for r in res]
        else:
            cols = [[r[i] for r in res] for i in range(3)]
        self._sizes = [len(c) for c in cols[0]]
        keys, counts, pos = (np.concatenate(c) for c in cols)
        uniq, sums, first, self._inverse = sorted_groups(keys, counts, chars=chars)
        self._keys = uniq
        return uniq, sums, pos[first], sum(int(r[1] if self.shared is not None else r[3]) for r in res)

    def advance(self, n, new_ids):
        if self.shared is not None:
            at = 0
            for p, size in enumerate(self._sizes):  # each part's distinct n-grams -> their ids
                self.ids[p, :size] = new_ids[self._inverse[at:at + size]]
                at += size
            # the next pass's tasks write the position ids first (distinct_task's scatter)
            self._scatter = n - 1, [(m, self.ids_ref) for m in self._windows]
            self.prev_ref, self.prev = (self.positions_ref, n - 1), self.positions[n - 1]
            return
        kept = np.nonzero(new_ids >= 0)[0]
        first = int(new_ids[kept[0]]) if len(kept) else 0
        parts = list(self.engine.map(advance_task, [(self.chunks_ref, self.prev_ref, self.offsets, n,
                                                     self._keys[kept], first, g) for g in self.groups], ordered=True))
        flat = self.positions[n - 1]
        for g, ids in zip(self.groups, parts):
            for c, a in zip(g, ids):
                flat[self.offsets[c]:self.offsets[c + 1]] = a
        self.engine.release(self.prev_ref)
        self.prev, self.prev_ref = flat, self.engine.share(flat)
        self.refs = [self.prev_ref]

    def close(self):
        for row in sorted(self._unwritten):
            self.positions[row] = -1
        for ref in self.refs:
            self.engine.release(ref)
        self.refs = []


@njit(cache=True)
def add_extensions(counts, pre, suf, ext):
    """Credit every n-gram ``xc`` (``cx``) to its prefix (suffix) x: ``ext`` rows right_n,
    left_n (how often x is followed / preceded by a Han character), right_clogc, left_clogc (sum
    of n ln n over the distinct neighbours), indexed by the kept table's ids."""
    for e in range(counts.shape[0]):
        c = counts[e]
        clogc = c * np.log(c)
        p, q = pre[e], suf[e]
        if p >= 0:
            ext[0, p] += c
            ext[2, p] += clogc
        if q >= 0:
            ext[1, q] += c
            ext[3, q] += clogc


def _entropy(counts, clogc):
    """Branching entropy ln n - sum n_c ln n_c / n (nats); occurrences with no Han neighbour (a
    span edge) count as distinct one-off neighbours and so add nothing to ``clogc``."""
    c = np.asarray(counts, dtype=np.float64)
    return np.log(c) - clogc / c


class NGramStats:
    """Character n-grams of the Han spans of a corpus, with counts and branching statistics.

    Built by :func:`count_ngrams`. Entry ids are positions in the arrays: by length, then by hash
    rank (see the module doc).

    Attributes
    ----------
    table : SeqCounter — every character, and the n-grams (2 <= n <= ``max_n``) seen at least
        ``min_count`` times
    counts, lengths : int64 arrays (occurrences; characters)
    h_left, h_right : float arrays — branching entropies (nats), exact (every neighbour counted)
    prefix, suffix : int64 arrays — ids of w[:-1] and w[1:] (-1 for characters)
    vbe_moments : float array (max_n + 1, 5) — per length n: number of n-gram types (all of them,
        also those below ``min_count``), sum and sum of squares of VBE_l, then of VBE_r
    n_chars : int — Han characters (the N of every probability p = count / N)
    frozen : tuple — the table for kernels (:meth:`minent.hashtable.SeqCounter.frozen`)
    """

    def __init__(self, table, n_chars, max_n, min_count, ext, prefix, suffix, moments):
        self.table = table
        self.frozen = table.frozen()
        _, starts, counts = table.entries()
        self.counts = counts.copy()
        self.lengths = np.diff(starts)
        self.n_chars = int(n_chars)
        self.max_n = max_n
        self.min_count = min_count
        self.h_right = _entropy(self.counts, ext[2])
        self.h_left = _entropy(self.counts, ext[3])
        self.prefix, self.suffix = prefix, suffix
        self.vbe_moments = moments

    def __len__(self) -> int:
        return len(self.counts)

    @property
    def starts(self) -> np.ndarray:
        """Where each entry's codes start in :attr:`arena` (and where the last one ends)."""
        return self.table.entries()[1]

    @property
    def arena(self) -> np.ndarray:
        """The codes of every entry, one after another."""
        return self.table.entries()[0]

    def word(self, i: int) -> str:
        return from_codes(self.table.sequence(i))

    def words(self, ids) -> list[str]:
        """The strings of entries ``ids`` (one decode of the arena, then slices)."""
        starts = self.starts
        text = from_codes(self.arena[: starts[-1]])
        return [text[starts[i]:starts[i + 1]] for i in np.asarray(ids, dtype=np.int64).tolist()]

    def count_order(self, ids, counts) -> np.ndarray:
        """Positions of entries ``ids`` by decreasing ``counts``, ties by the entries' code points
        (what :func:`minent.lexicon.count_order` of their words gives, by one sort of code
        columns instead of strings)."""
        ids = np.asarray(ids, np.int64)
        lengths = self.lengths[ids]
        width = int(lengths.max(initial=0))
        cols = np.full((width, len(ids)), -1, np.int64)  # -1 past the end: a prefix sorts first
        for k in range(width):
            has = lengths > k
            cols[k, has] = self.arena[self.starts[ids[has]] + k]
        return np.lexsort((*cols[::-1], -np.asarray(counts, np.int64)))

    def id(self, word: str) -> int:
        """Id of ``word``, -1 when it is not in the table."""
        codes = to_codes(word)
        return int(self.table.ids(codes, np.array([0, len(codes)]))[0])

    def char_ids(self) -> np.ndarray:
        """Entry id of every code point that is a counted character (-1 elsewhere)."""
        out = np.full(MAX_CODE, -1, np.int64)
        one = np.nonzero(self.lengths == 1)[0]
        out[self.arena[self.starts[one]]] = one
        return out

    def spelling_nats(self, ids=None) -> np.ndarray:
        """Sum over each entry's characters of -ln p(c): its spelling under the character model
        (of entries ``ids``, default all; each sum in character order, so the same either way)."""
        starts = self.starts
        if ids is None:
            codes, lengths = self.arena[: starts[-1]], self.lengths
        else:
            ids = np.asarray(ids, np.int64)
            lengths = self.lengths[ids]
            first = np.repeat(starts[ids] - (np.cumsum(lengths) - lengths), lengths)
            codes = self.arena[first + np.arange(int(lengths.sum()))]
        owner = np.repeat(np.arange(len(lengths)), lengths)
        return np.bincount(owner, weights=-self.char_logp()[self.char_ids()[codes]], minlength=len(lengths))

    def char_logp(self) -> np.ndarray:
        """ln p(c) of each character entry (p = count / n_chars); 0 for longer entries."""
        out = np.zeros(len(self))
        one = self.lengths == 1
        out[one] = np.log(self.counts[one] / self.n_chars)
        return out

    @property
    def nbytes(self) -> int:
        return self.table.nbytes + 8 * 7 * len(self)


@njit(cache=True, inline="always")
def _h(count, clogc):
    return np.log(count) - clogc / count


@njit(cache=True)
def orphan_moments(counts, pre, suf, kept_counts, ext, min_count, out):
    """Add the VBE of the n-grams of a pass that will not be kept (count < ``min_count``) to the
    moments ``out`` = [types, sum VBE_l, sum VBE_l^2, sum VBE_r, sum VBE_r^2].

    Such an n-gram is taken to have zero branching entropy on both sides, which is exact for a
    single occurrence; a missing sub-gram (itself seen once) has zero entropy too.
    """
    for e in range(counts.shape[0]):
        if counts[e] >= min_count:
            continue
        hr = 0.0
        hl = 0.0
        if pre[e] >= 0:
            hr = _h(kept_counts[pre[e]], ext[2, pre[e]])
        if suf[e] >= 0:
            hl = _h(kept_counts[suf[e]], ext[3, suf[e]])
        out[0] += 1
        out[1] -= hl
        out[2] += hl * hl
        out[3] -= hr
        out[4] += hr * hr




def count_ngrams(chunks, max_n: int = 4, min_count: int = 2, progress=None, engine=None,
                 chunks_ref=None, positions: bool = False):
    """Count the character n-grams (1 <= n <= ``max_n``) of a clause table given as its chunks
    (:meth:`minent.clauses.ClauseTable.chunks`), in this process or, with an ``engine`` of two or
    more jobs and the chunks shared on it as ``chunks_ref``, as tasks.

    Pass n keys every window that extends a kept (n-1)-gram by the id of that (n-1)-gram and the
    added character (:data:`SUFFIX_KEYS`); the ids of the kept (n-1)-grams at every position come
    from the previous pass, so no pass probes a hash table. Distinct n-grams are found by sorting
    the keys, so entry ids (by length, then key) do not depend on the order of the clauses or on
    the engine. VBE moments cover every n-gram type; they are exact for ``min_count <= 2`` (see
    :func:`orphan_moments`). ``max_n + 1`` passes over the table.

    Returns the :class:`NGramStats`; with ``positions``, also the id of the kept n-gram starting
    at every position of the chunks (-1: none) as an int32 array ``(max_n, positions)`` — row
    n - 1 for the n-grams, chunk c's positions from ``offsets[c]`` (one more than its codes: the
    last is -1) — and ``offsets``: the decoder's candidates, which a prefix-closed table makes
    exactly these ids (:func:`candidates_of`).
    """
    if max_n < 1:
        raise MinentError("max_n must be >= 1")
    parallel = engine is not None and getattr(engine, "jobs", 1) > 1 and chunks_ref is not None
    passes = _EnginePasses(chunks, chunks_ref, engine, max_n) if parallel else _Passes(chunks, max_n)
    kept = SeqCounter(1 << 16, 1 << 18)
    ext = np.zeros((4, 0))
    prefix = np.zeros(0, np.int64)
    suffix = np.zeros(0, np.int64)
    moments = np.zeros((max_n + 2, 5))
    n_chars = 0
    chars = None
    try:
        for n in range(1, max_n + 2):
            keys, counts, flatpos, orphans = passes.distinct(n, chars)
            if n > 1:  # ids of the n-gram's kept sub-grams: at its window, one position on
                pre, suf = passes.prev[flatpos].astype(np.int64), passes.prev[flatpos + 1].astype(np.int64)
            else:
                pre = suf = np.full(len(keys), -1, np.int64)
            if n == 1:
                chars = keys  # every character is kept: their codes, sorted
                n_chars = int(counts.sum())
                mask = np.ones(len(counts), bool)
            else:
                mask = ((pre >= 0) & (suf >= 0) & (counts >= min_count) if n <= max_n
                        else np.zeros(len(counts), bool))
            if progress:
                progress("ngrams", n)
            first = len(kept)
            sel = np.nonzero(mask)[0]
            last = n > max_n or (len(sel) == 0 and n > 1)
            if not last:  # the next pass runs on the engine while this one's entries are stored
                new_ids = np.full(len(keys), -1, np.int32)
                new_ids[sel] = np.arange(first, first + len(sel), dtype=np.int32)
                passes.advance(n, new_ids)
                passes.start(n + 1, chars)
            ext = np.concatenate([ext, np.zeros((4, len(sel)))], axis=1)
            if n > 1:
                add_extensions(counts, pre, suf, ext)
                if n <= max_n:
                    orphan_moments(counts, pre, suf, kept.counts, ext, min_count, moments[n])
                    moments[n, 0] += orphans
            if len(sel):
                grams = np.empty((len(sel), n), np.int32)
                own = np.searchsorted(passes.offsets, flatpos[sel], side="right") - 1  # chunk of each
                at = flatpos[sel] - passes.offsets[own]
                rows = np.argsort(own, kind="stable")  # the kept n-grams, chunk by chunk
                cuts = np.searchsorted(own[rows], np.arange(len(chunks) + 1))
                for c in np.nonzero(np.diff(cuts))[0]:
                    mine = rows[cuts[c]:cuts[c + 1]]
                    gather_windows(chunks[c][0], at[mine], n, grams, mine)
                kept.reserve(len(sel), grams.size)
                kept.add(grams.ravel(), np.arange(len(sel) + 1, dtype=np.int64) * n, counts[sel])
            prefix = np.concatenate([prefix, pre[sel]])
            suffix = np.concatenate([suffix, suf[sel]])
            if last:
                break
    finally:
        passes.close()
    m = len(kept)
    stats = NGramStats(kept, n_chars, max_n, min_count, ext[:, :m], prefix[:m], suffix[:m], moments)
    vl, vr = _vbe(stats)
    for n in range(1, max_n + 1):  # the kept n-grams' own VBE (their entropies are final now)
        sel = stats.lengths == n
        moments[n] += [sel.sum(), vl[sel].sum(), (vl[sel] ** 2).sum(), vr[sel].sum(), (vr[sel] ** 2).sum()]
    return (stats, passes.positions, passes.offsets) if positions else stats


def candidates_of(positions: np.ndarray, offsets: np.ndarray, c: int) -> np.ndarray:
    """The decoder's candidates of chunk ``c`` (:func:`minent.viterbi.candidates`: one row per
    position, column k - 1 the id of the k-gram starting there) as a view of the position ids
    of :func:`count_ngrams` — within each clause; a k-gram that crosses a clause edge is -1 here
    (the decoder never reaches it)."""
    return positions[:, offsets[c]:offsets[c + 1] - 1].T


def _vbe(stats: NGramStats) -> tuple[np.ndarray, np.ndarray]:
    """Variation of branching entropy (nats) on the left and on the right of every entry.

    For a character the reference is the empty string, whose branching entropy is the entropy
    of the character distribution.
    """
    c = stats.counts.astype(np.float64)
    one = stats.lengths == 1
    p = c[one] / c[one].sum()
    h0 = float(-(p * np.log(p)).sum())
    pre, suf = np.maximum(stats.prefix, 0), np.maximum(stats.suffix, 0)
    vl = np.where(one, stats.h_left - h0, stats.h_left - stats.h_left[suf])
    vr = np.where(one, stats.h_right - h0, stats.h_right - stats.h_right[pre])
    return vl, vr


def autonomy(stats: NGramStats) -> np.ndarray:
    """a(w) = z(VBE_l(w)) + z(VBE_r(w)), each standardised over all n-gram types of len(w).

    High when branching entropy jumps at both edges of w: w is a free unit. Dimensionless.
    """
    vl, vr = _vbe(stats)
    out = np.zeros(len(stats))
    for n in range(1, stats.max_n + 1):
        k, sl, ssl, sr, ssr = stats.vbe_moments[n]
        sel = stats.lengths == n
        if k < 2 or not sel.any():
            continue
        for v, s, ss in ((vl, sl, ssl), (vr, sr, ssr)):
            mu = s / k
            sd = math.sqrt(max(ss / k - mu * mu, 1e-12))
            out[sel] += (v[sel] - mu) / sd
    return out


@njit(cache=True)
def _min_split_pmi(kept, counts, n_chars, ids):
    """Smallest PMI over the binary splits w = u|v of the entries ``ids``, in nats (see
    :func:`min_split_pmi`).

    PMI(u, v) = ln(c_w N / (c_u c_v)), N = ``n_chars`` (every n-gram probability relative to
    the number of characters, as in n-gram word discovery). NaN for single characters; -inf when
    a part is not in the table.
    """
    starts, arena = kept[2], kept[3]
    out = np.full(ids.shape[0], np.nan)
    log_n = np.log(n_chars)
    for j in range(ids.shape[0]):
        e = ids[j]
        a, b = starts[e], starts[e + 1]
        if b - a < 2:
            continue
        lw = np.log(counts[e]) + log_n
        best = np.inf
        for k in range(a + 1, b):
            u = table_find(kept, arena, a, k)
            v = table_find(kept, arena, k, b)
            if u < 0 or v < 0:
                best = -np.inf
                break
            best = min(best, lw - np.log(counts[u]) - np.log(counts[v]))
        out[j] = best
    return out


def min_split_pmi(stats: NGramStats, ids: np.ndarray | None = None) -> np.ndarray:
    """Smallest PMI over the binary splits w = u|v of every entry (or of the entries ``ids``, in
    their order), in nats: ln(c_w N / (c_u c_v)), N = Han characters (every n-gram probability
    relative to the number of characters, as in n-gram word discovery). NaN for single characters."""
    ids = np.arange(len(stats), dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
    return _min_split_pmi(stats.frozen, stats.counts, stats.n_chars, ids)


def not_maximal(stats: NGramStats) -> np.ndarray:
    """Entries of two or more characters always preceded, or always followed, by the same
    character (zero branching entropy on a side): never free at that edge, so not words — a
    longer string has the same count. Mostly fragments of units longer than ``max_n``
    (高举邓小 of 高举邓小平, 塔尼亚胡 of 内塔尼亚胡)."""
    return (stats.lengths > 1) & ((stats.h_left < 1e-9) | (stats.h_right < 1e-9))


def pair_pmi(stats: NGramStats, pos: np.ndarray | None = None) -> np.ndarray:
    """PMI (nats) of the character pair starting at each arena position ``pos`` (default: every
    position; NaN at an entry's last character): ln(c_ab N / (c_a c_b)) from the n-gram counts."""
    arena = stats.arena[: stats.starts[-1]].astype(np.int32)
    if pos is None:
        pos = np.arange(max(len(arena) - 1, 0))
        tail = [np.nan]
    else:
        tail = []
    pairs_codes = np.empty(2 * len(pos), np.int32)
    pairs_codes[0::2], pairs_codes[1::2] = arena[pos], arena[pos + 1]
    ab = stats.table.ids(pairs_codes, np.arange(0, len(pairs_codes) + 1, 2, dtype=np.int64))
    ch = stats.char_ids()
    cnt = stats.counts.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(cnt[np.maximum(ab, 0)] * stats.n_chars / (cnt[ch[arena[pos]]] * cnt[ch[arena[pos + 1]]]))
    v = np.where(ab >= 0, v, np.nan)
    return np.append(v, tail)
