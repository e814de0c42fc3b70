"""Counting hash tables on plain numpy arrays, shared by every numba kernel in minent.

Two shapes:

* :class:`KeyCounter` — int64 keys (a character pair ``a << 21 | b``, a word-id pair...) to
  int64 counts; open addressing with linear probing, ``-1`` marks an empty slot.
* :class:`SeqCounter` — variable-length sequences of int32 codes (candidate words as code points,
  templates as word ids) to counts. Each distinct sequence is stored once in an append-only arena and
  gets a dense id (its insertion rank), so a table doubles as a vocabulary / lexicon lookup.

Kernels never allocate growing structures: they insert until the table reaches its load limit and
return where they stopped; the Python wrapper enlarges the arrays and calls again. Memory is thus
proportional to the number of distinct keys, never to the corpus.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

EMPTY = -1
_FNV_PRIME = 1099511628211
_FNV_OFFSET = -3750763034362895579  # 14695981039346656037 as a signed 64-bit integer
_MIX1 = -49064778989728563  # 0xff51afd7ed558ccd, signed
_MIX2 = -4265267296055464877  # 0xc4ceb9fe1a85ec53, signed


@njit(cache=True, inline="always")
def mix64(h):
    """Avalanche an int64 (MurmurHash3 finaliser, wrapping arithmetic)."""
    h ^= (h >> 33) & 0x7FFFFFFF
    h *= _MIX1
    h ^= (h >> 33) & 0x7FFFFFFF
    h *= _MIX2
    h ^= (h >> 33) & 0x7FFFFFFF
    return h


@njit(cache=True, inline="always")
def fold(h, code):
    """One FNV-1a step: extend the running hash ``h`` of a sequence by ``code``."""
    return (h ^ code) * _FNV_PRIME


@intrinsic
def prefetch(typingctx, arr, i):
    """``prefetch(arr, i)`` in a kernel (``arr`` one-dimensional): ask the CPU to bring the cache
    line of ``arr[i]`` in (for a write, kept in all cache levels; LLVM's ``llvm.prefetch``), so a
    later access to it does not wait on memory. A hint only: no effect on any value, no bounds check
    needed (it never faults).
    For random accesses into tables larger than the caches (a pair table, the template sketch):
    issued as soon as the index is known, some way ahead of the access, the waits overlap."""
    if not isinstance(arr, types.Array) or arr.ndim != 1 or not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
                                            "llvm.prefetch.p0i8")  # LLVM renames it for opaque pointers
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(1), i32(3), i32(1)])  # write, keep, data
        return context.get_dummy_value()

    return types.void(arr, i), codegen


# ----------------------------------------------------------------------------- int64 keys

@njit(cache=True)
def key_add(keys, vals, n_used, max_used, new_keys, new_counts, start, unit=False):
    """Add ``new_counts[i]`` (1 when ``unit``) to ``new_keys[i]`` for i from ``start``; stop before
    exceeding ``max_used``.

    Returns ``(next_i, n_used)``; ``next_i == len(new_keys)`` when everything was inserted.
    """
    mask = keys.shape[0] - 1
    n = new_keys.shape[0]
    for i in range(start, n):
        if i + 16 < n:  # a later key's slot, asked for ahead: the loads of a big table overlap
            ahead = mix64(new_keys[i + 16]) & mask
            prefetch(keys, ahead)
            prefetch(vals, ahead)
        k = new_keys[i]
        c = 1 if unit else new_counts[i]
        s = mix64(k) & mask
        while True:
            cur = keys[s]
            if cur == k:
                vals[s] += c
                break
            if cur == EMPTY:
                if n_used >= max_used:
                    return i, n_used
                keys[s] = k
                vals[s] = c
                n_used += 1
                break
            s = (s + 1) & mask
    return new_keys.shape[0], n_used


@njit(cache=True)
def key_get(keys, vals, query):
    """Counts of ``query`` keys (0 when absent)."""
    mask = keys.shape[0] - 1
    out = np.zeros(query.shape[0], np.int64)
    for i in range(query.shape[0]):
        k = query[i]
        s = mix64(k) & mask
        while True:
            cur = keys[s]
            if cur == k:
                out[i] = vals[s]
                break
            if cur == EMPTY:
                break
            s = (s + 1) & mask
    return out


@njit(cache=True)
def key_lookup(keys, vals, k):
    """Count of a single key (0 when absent); for use inside other kernels."""
    mask = keys.shape[0] - 1
    s = mix64(k) & mask
    while True:
        cur = keys[s]
        if cur == k:
            return vals[s]
        if cur == EMPTY:
            return 0
        s = (s + 1) & mask


@njit(cache=True, inline="always")
def key_find(table, k):
    """Count of key ``k`` in a frozen :class:`KeyCounter` (:meth:`KeyCounter.frozen`), 0 when absent."""
    return key_lookup(table[0], table[1], k)


@njit(cache=True)
def key_slot(keys, k):
    """Slot of key ``k`` in an open-addressing key array: where it is, or the empty slot where it
    would go. For kernels that keep their own small tables (at most half full) on these arrays:
    ``s = key_slot(keys, k); found = keys[s] == k``."""
    mask = keys.shape[0] - 1
    s = mix64(k) & mask
    while keys[s] != k and keys[s] != EMPTY:
        s = (s + 1) & mask
    return s


@njit(cache=True)
def key_rehash(old_keys, old_vals, keys, vals):
    """Move every entry of an open-addressing table into a larger, empty one (``keys`` all
    :data:`EMPTY`), walking the old slots in order: an entry's new home shares its old home's low
    bits, so the writes go forward through the new table instead of jumping at random, and no
    compacted copy of the entries is made. The keys are distinct: each goes to the first empty
    slot from its home."""
    mask = keys.shape[0] - 1
    for t in range(old_keys.shape[0]):
        k = old_keys[t]
        if k == EMPTY:
            continue
        s = mix64(k) & mask
        while keys[s] != EMPTY:
            s = (s + 1) & mask
        keys[s] = k
        vals[s] = old_vals[t]


@njit(cache=True)
def key_at_least(keys, vals, cut, out_keys, out_vals):
    """The entries whose count reaches ``cut`` copied, in slot order, into ``out_keys`` /
    ``out_vals`` (room for every entry); returns how many. One pass over the table, no mask or
    compacted copy of all entries."""
    m = 0
    for t in range(keys.shape[0]):
        if keys[t] != EMPTY and vals[t] >= cut:
            out_keys[m] = keys[t]
            out_vals[m] = vals[t]
            m += 1
    return m


_FIB = -7046029254386353131  # 0x9E3779B97F4A7C15 (2^64 / golden ratio), signed
FILTER_BITS_PER_SLOT = 8


@njit(cache=True)
def filter_shift(bits):
    """The shift of :func:`filter_bit` for a filter of ``bits.shape[0]`` 64-bit words (a power of two)."""
    lg = 6
    while (np.int64(1) << lg) < bits.shape[0] * 64:
        lg += 1
    return 64 - lg


@njit(cache=True, inline="always")
def filter_bit(k, shift):
    """The bit of key ``k`` in a key filter (:func:`key_filter`): the top bits of a multiplicative
    hash (one multiply, cheaper than :func:`mix64`)."""
    return ((k * _FIB) >> shift) & ((np.int64(1) << (64 - shift)) - 1)


@njit(cache=True, inline="always")
def filter_has(bits, k, shift):
    """False when key ``k`` is surely not in the table :func:`key_filter` summarised in ``bits``;
    True when it may be (then probe the table)."""
    b = filter_bit(k, shift)
    return (bits[b >> 6] >> np.uint64(b & 63)) & np.uint64(1) != 0


@njit(cache=True)
def key_filter(keys, bits):
    """Set in ``bits`` (uint64 words, a power of two of them, zeroed) the bit of every key of the
    open-addressing key array ``keys``: a one-hash Bloom filter, small enough to stay in cache,
    that answers most lookups of absent keys without touching the table."""
    shift = filter_shift(bits)
    for t in range(keys.shape[0]):
        k = keys[t]
        if k != EMPTY:
            b = filter_bit(k, shift)
            bits[b >> 6] |= np.uint64(1) << np.uint64(b & 63)


def with_filter(table: tuple) -> tuple:
    """``(keys, vals, bits)``: a frozen :class:`KeyCounter` (:meth:`KeyCounter.frozen`) with a key
    filter of :data:`FILTER_BITS_PER_SLOT` bits per slot (:func:`key_filter`; one eighth of the
    key array's bytes), for kernels that look up many absent keys (:func:`filter_has` first)."""
    keys = table[0]
    bits = np.zeros(max(keys.shape[0] * FILTER_BITS_PER_SLOT // 64, 1), np.uint64)
    key_filter(keys, bits)
    return (keys, table[1], bits)


def _pow2_at_least(n: int) -> int:
    return 1 << max(4, int(n - 1).bit_length())


class KeyCounter:
    """Counts of int64 keys (keys must be >= 0). Memory: 16 bytes x capacity, load factor <= 1/2."""

    def __init__(self, capacity: int = 1 << 16):
        cap = _pow2_at_least(capacity)
        self.keys = np.full(cap, EMPTY, np.int64)
        self.vals = np.zeros(cap, np.int64)
        self.n = 0

    def __len__(self) -> int:
        return self.n

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.vals.nbytes

    def _grow(self):
        cap = self.keys.shape[0] * 2
        keys = np.full(cap, EMPTY, np.int64)
        vals = np.zeros(cap, np.int64)
        key_rehash(self.keys, self.vals, keys, vals)
        self.keys, self.vals = keys, vals

    def add(self, keys: np.ndarray, counts: np.ndarray | None = None, start: int = 0,
            max_bytes: int | None = None) -> int:
        """Add ``counts`` (default 1 each) to ``keys[start:]``. With ``max_bytes``, stop where the
        table would have to grow past that many bytes; returns the index of the first key not
        added (``len(keys)`` when all were)."""
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        unit = counts is None
        counts = np.ones(1, np.int64) if unit else np.ascontiguousarray(counts, dtype=np.int64)
        i = start
        while i < keys.shape[0]:
            i, self.n = key_add(self.keys, self.vals, self.n, self.keys.shape[0] // 2, keys, counts, i, unit)
            if i < keys.shape[0]:
                if max_bytes is not None and 2 * self.nbytes > max_bytes:
                    return i
                self._grow()
        return i

    def frozen(self) -> tuple:
        """The table as one tuple for kernels (:func:`key_find`); valid until the next :meth:`add`."""
        return (self.keys, self.vals)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Counts of ``keys`` (0 for absent keys)."""
        return key_get(self.keys, self.vals, np.ascontiguousarray(keys, dtype=np.int64))

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, counts)`` of every stored key, sorted by key."""
        used = self.keys != EMPTY
        keys, vals = self.keys[used], self.vals[used]
        order = np.argsort(keys, kind="stable")
        return keys[order], vals[order]

    def at_least(self, cut: float) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, counts)`` of the entries whose count is at least ``cut``, in slot order."""
        out_keys = np.empty(self.n, np.int64)
        out_vals = np.empty(self.n, np.int64)
        m = key_at_least(self.keys, self.vals, float(cut), out_keys, out_vals)
        return out_keys[:m].copy(), out_vals[:m].copy()

    def update(self, other: "KeyCounter") -> None:
        """Add every count of ``other`` into this table (merging partial counts)."""
        self.add(*other.items())


# ----------------------------------------------------------------------------- sequences

@njit(cache=True)
def seq_hash(codes, lo, hi):
    h = _FNV_OFFSET
    for j in range(lo, hi):
        h = fold(h, codes[j])
    return mix64(h)


@njit(cache=True)
def seq_find(slots, hashes, starts, arena, codes, lo, hi, h):
    """Id of the sequence ``codes[lo:hi]`` whose hash is ``h``, or -1 when absent."""
    mask = slots.shape[0] - 1
    s = h & mask
    n = hi - lo
    while True:
        e = slots[s]
        if e == EMPTY:
            return -1
        if hashes[e] == h and starts[e + 1] - starts[e] == n:
            a = starts[e]
            same = True
            for j in range(n):
                if arena[a + j] != codes[lo + j]:
                    same = False
                    break
            if same:
                return e
        s = (s + 1) & mask


@njit(cache=True)
def seq_add(slots, hashes, starts, arena, counts, state, codes, bounds, weights, start, known, ids_out):
    """Count sequences ``codes[bounds[i]:bounds[i+1]]`` (weight ``weights[i]``) from ``i = start``;
    ``known`` holds their :func:`seq_hash` values when it is not empty (another table's).

    ``ids_out``, when not empty, receives the id of each sequence.

    ``state = [n_entries, arena_used]`` is updated in place. Returns the index of the first
    sequence not inserted (``len(bounds) - 1`` when done): the caller grows the arrays and resumes.

    With ``known`` hashes, the memory a later sequence will touch is asked for ahead
    (:func:`prefetch`): its slot 16 sequences ahead, the entry in that slot (hash, start, count)
    8 ahead, the entry's codes 4 ahead; a table larger than the caches then costs about one wait
    on memory per sequence instead of one per access.
    """
    mask = slots.shape[0] - 1
    n_seq = bounds.shape[0] - 1
    ahead = known.shape[0] > 0
    for i in range(start, n_seq):
        if ahead:  # hints only: an entry read here may be displaced before its turn, which is harmless
            if i + 16 < n_seq:
                prefetch(slots, known[i + 16] & mask)
            if i + 8 < n_seq:
                e8 = slots[known[i + 8] & mask]
                if e8 >= 0:
                    prefetch(hashes, e8)
                    prefetch(starts, e8)
                    prefetch(counts, e8)
            if i + 4 < n_seq:
                e4 = slots[known[i + 4] & mask]
                if e4 >= 0:
                    prefetch(arena, starts[e4])
        lo = bounds[i]
        hi = bounds[i + 1]
        if ahead:
            h = known[i]
        else:
            h = _FNV_OFFSET
            for j in range(lo, hi):
                h = fold(h, codes[j])
            h = mix64(h)
        # seq_find written out: a call per sequence would pay numba's atomic reference counting
        # of its five array arguments, more than the probe itself
        s = h & mask
        e = EMPTY
        while True:
            e = slots[s]
            if e == EMPTY:
                break
            if hashes[e] == h and starts[e + 1] - starts[e] == hi - lo:
                a = starts[e]
                same = True
                for j in range(hi - lo):
                    if arena[a + j] != codes[lo + j]:
                        same = False
                        break
                if same:
                    break
            s = (s + 1) & mask
        if e >= 0:
            counts[e] += weights[i]
            if ids_out.shape[0] > 0:
                ids_out[i] = e
            continue
        n = state[0]
        used = state[1]
        if 2 * (n + 1) > slots.shape[0] or n + 1 >= hashes.shape[0] or used + (hi - lo) > arena.shape[0]:
            return i
        while slots[s] != EMPTY:  # s: the empty slot where the probe above stopped
            s = (s + 1) & mask
        slots[s] = n
        hashes[n] = h
        for j in range(hi - lo):
            arena[used + j] = codes[lo + j]
        starts[n + 1] = used + (hi - lo)
        counts[n] = weights[i]
        if ids_out.shape[0] > 0:
            ids_out[i] = n
        state[0] = n + 1
        state[1] = used + (hi - lo)
    return n_seq


@njit(cache=True)
def seq_ids(slots, hashes, starts, arena, codes, bounds):
    """Ids of the sequences ``codes[bounds[i]:bounds[i+1]]`` (-1 when absent)."""
    n_seq = bounds.shape[0] - 1
    out = np.empty(n_seq, np.int64)
    for i in range(n_seq):
        lo = bounds[i]
        hi = bounds[i + 1]
        out[i] = seq_find(slots, hashes, starts, arena, codes, lo, hi, seq_hash(codes, lo, hi))
    return out


@njit(cache=True)
def table_find(table, codes, lo, hi):
    """Id of ``codes[lo:hi]`` in a frozen table (:meth:`SeqCounter.frozen`), -1 when absent."""
    slots, hashes, starts, arena = table
    return seq_find(slots, hashes, starts, arena, codes, lo, hi, seq_hash(codes, lo, hi))


@njit(cache=True)
def prefix_ids(table, codes, lo, hi, out, closed):
    """Ids of the prefixes ``codes[lo:lo+k]``, k = 1 .. min(len(out), hi - lo), in ``out[k-1]``
    (-1 when absent): the candidate words starting at ``lo``, found by extending one rolling hash.
    With ``closed`` (a prefix-closed table: every prefix of an entry is an entry, as n-gram tables
    are) the search stops at the first absent prefix. Returns how many prefixes were looked up."""
    slots, hashes, starts, arena = table
    mask = slots.shape[0] - 1
    h = _FNV_OFFSET
    m = min(out.shape[0], hi - lo)
    for k in range(1, m + 1):
        h = fold(h, codes[lo + k - 1])
        hk = mix64(h)
        # seq_find written out: a call per probe would pay numba's atomic reference counting of
        # its array arguments, more than the probe itself
        s = hk & mask
        while True:
            e = slots[s]
            if e == EMPTY:
                break
            if hashes[e] == hk and starts[e + 1] - starts[e] == k:
                a = starts[e]
                same = True
                for j in range(k):
                    if arena[a + j] != codes[lo + j]:
                        same = False
                        break
                if same:
                    break
            s = (s + 1) & mask
        out[k - 1] = e
        if closed and e < 0:
            return k
    return m


@njit(cache=True, inline="always")
def hash_rank(h):
    """A non-negative 63-bit key of a sequence hash; tables sorted by it (then by codes) have
    an order that does not depend on insertion order (see :meth:`SeqCounter.canonical_order`)."""
    return h & 0x7FFFFFFFFFFFFFFF


@njit(cache=True)
def _reinsert(slots, hashes, n):
    mask = slots.shape[0] - 1
    for e in range(n):
        s = hashes[e] & mask
        while slots[s] != EMPTY:
            s = (s + 1) & mask
        slots[s] = e


@njit(cache=True)
def _hash_all(arena, starts, hashes):
    for e in range(hashes.shape[0]):
        hashes[e] = seq_hash(arena, starts[e], starts[e + 1])


@njit(cache=True)
def _reinsert_slots(slots, hashes, old_slots):
    """Fill the empty ``slots`` from a smaller table's ``old_slots``, walked in slot order: an
    entry's new slot is near its old one (same low bits), so the writes go forward through memory
    instead of jumping at random as they would in entry order."""
    mask = slots.shape[0] - 1
    for t in range(old_slots.shape[0]):
        e = old_slots[t]
        if e == EMPTY:
            continue
        s = hashes[e] & mask
        while slots[s] != EMPTY:
            s = (s + 1) & mask
        slots[s] = e


_NO_HASHES = np.zeros(0, np.int64)


class SeqCounter:
    """Counts of int32 sequences; each distinct sequence gets a dense id in order of first insertion.

    Use it for candidate words (sequences of code points) or templates (sequences of word ids).
    """

    def __init__(self, capacity: int = 1 << 12, arena: int = 1 << 16):
        cap = _pow2_at_least(capacity)
        self.slots = np.full(2 * cap, EMPTY, np.int64)
        self.hashes = np.zeros(cap, np.int64)
        self.starts = np.zeros(cap + 1, np.int64)
        self.arena = np.zeros(max(arena, 16), np.int32)
        self.counts = np.zeros(cap, np.int64)
        self.state = np.zeros(2, np.int64)

    def __len__(self) -> int:
        return int(self.state[0])

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.slots, self.hashes, self.starts, self.arena, self.counts))

    def reserve(self, entries: int, codes: int) -> None:
        """Room for ``entries`` more sequences of ``codes`` codes in all, made at once (an
        :meth:`add` of that many new sequences then never doubles the table on the way)."""
        self._grow(codes, entries)

    def _grow(self, need_arena: int, more: int = 1):
        n, used = int(self.state[0]), int(self.state[1])
        cap = self.hashes.shape[0]
        if 2 * (n + more) > self.slots.shape[0] or n + more >= cap:
            cap *= 2
            while n + more >= cap:
                cap *= 2
            self.hashes = np.concatenate([self.hashes, np.zeros(cap - self.hashes.shape[0], np.int64)])
            self.counts = np.concatenate([self.counts, np.zeros(cap - self.counts.shape[0], np.int64)])
            self.starts = np.concatenate([self.starts, np.zeros(cap + 1 - self.starts.shape[0], np.int64)])
            old_slots = self.slots
            self.slots = np.full(2 * cap, EMPTY, np.int64)
            _reinsert_slots(self.slots, self.hashes, old_slots)
        if used + need_arena > self.arena.shape[0]:
            size = max(2 * self.arena.shape[0], used + need_arena)
            self.arena = np.concatenate([self.arena, np.zeros(size - self.arena.shape[0], np.int32)])

    def add(self, codes: np.ndarray, bounds: np.ndarray, weights: np.ndarray | None = None,
            hashes: np.ndarray | None = None, return_ids: bool = False) -> np.ndarray | None:
        """Count each sequence ``codes[bounds[i]:bounds[i+1]]`` with weight ``weights[i]`` (default
        1); ``hashes``: their hashes when known (another table's :meth:`hash_values`). With
        ``return_ids``, returns the id of each sequence (what :meth:`ids` would give after the add)."""
        codes = np.ascontiguousarray(codes, dtype=np.int32)
        bounds = np.ascontiguousarray(bounds, dtype=np.int64)
        if weights is None:
            weights = np.ones(max(bounds.shape[0] - 1, 0), np.int64)
        weights = np.ascontiguousarray(weights, dtype=np.int64)
        known = _NO_HASHES if hashes is None else np.ascontiguousarray(hashes, dtype=np.int64)
        i, n_seq = 0, bounds.shape[0] - 1
        ids = np.empty(n_seq if return_ids else 0, np.int64)
        while i < n_seq:
            i = seq_add(self.slots, self.hashes, self.starts, self.arena, self.counts, self.state,
                        codes, bounds, weights, i, known, ids)
            if i < n_seq:
                self._grow(int(bounds[i + 1] - bounds[i]))
        return ids if return_ids else None

    def ids(self, codes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Id of each sequence ``codes[bounds[i]:bounds[i+1]]``, -1 when not in the table."""
        return seq_ids(self.slots, self.hashes, self.starts, self.arena,
                       np.ascontiguousarray(codes, dtype=np.int32),
                       np.ascontiguousarray(bounds, dtype=np.int64))

    def frozen(self) -> tuple:
        """The table as one tuple for kernels (:func:`table_find`, :func:`prefix_ids`); valid
        until the next :meth:`add`."""
        return (self.slots, self.hashes, self.starts, self.arena)

    def hash_values(self) -> np.ndarray:
        """The hash of every entry, for :meth:`add` of its sequences to another table."""
        return self.hashes[: len(self)]

    def ranks(self) -> np.ndarray:
        """:func:`hash_rank` of every entry (the canonical sort key)."""
        return self.hashes[: len(self)] & 0x7FFFFFFFFFFFFFFF

    def canonical_order(self) -> np.ndarray:
        """Entry ids sorted by hash rank, ties (hash collisions) by length then codes: the same
        order whatever order the entries were inserted in (so merged partial counts give the same
        ids on 1 process, N processes or a cluster)."""
        rank = self.ranks()
        order = np.argsort(rank, kind="stable")
        r = rank[order]
        if len(r) > 1 and np.any(r[1:] == r[:-1]):
            arena, starts, _ = self.entries()
            seqs = [tuple(arena[starts[i]:starts[i + 1]].tolist()) for i in range(len(r))]
            order = np.array(sorted(range(len(r)), key=lambda i: (rank[i], len(seqs[i]), seqs[i])),
                             dtype=np.int64)
        return order

    @staticmethod
    def lookup(arena: np.ndarray, starts: np.ndarray) -> tuple:
        """A read-only table of the distinct sequences ``arena[starts[i]:starts[i+1]]`` (id i), as
        :meth:`frozen` gives it (for :func:`table_find`): the arrays are used in place, only the
        hashes (8 bytes a sequence) and the slots (at most 32 bytes a sequence, load <= 1/2) are
        new; no counts, no copy of the arena."""
        arena = np.ascontiguousarray(arena, dtype=np.int32)
        starts = np.ascontiguousarray(starts, dtype=np.int64)
        n = starts.shape[0] - 1
        hashes = np.empty(n, np.int64)
        _hash_all(arena, starts, hashes)
        slots = np.full(2 * _pow2_at_least(n + 1), EMPTY, np.int64)
        _reinsert(slots, hashes, n)
        return (slots, hashes, starts, arena)

    def sequence(self, i: int) -> np.ndarray:
        """The codes of entry ``i``."""
        return self.arena[self.starts[i]:self.starts[i + 1]]

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(arena, starts, counts)`` trimmed to the stored entries (ids are positions)."""
        n = len(self)
        return self.arena[: self.starts[n]], self.starts[: n + 1], self.counts[:n]

    def subset(self, ids: np.ndarray) -> "SeqCounter":
        """A new table of entries ``ids`` (with their counts), ids renumbered in that order."""
        ids = np.asarray(ids, dtype=np.int64)
        arena, starts, counts = self.entries()
        lens = starts[ids + 1] - starts[ids]
        bounds = np.zeros(len(ids) + 1, np.int64)
        np.cumsum(lens, out=bounds[1:])
        sel = np.repeat(starts[ids] - bounds[:-1], lens) + np.arange(bounds[-1])
        return SeqCounter.of_distinct(arena[sel], bounds, counts[ids], self.hashes[ids])

    @staticmethod
    def of_distinct(codes: np.ndarray, bounds: np.ndarray, counts: np.ndarray, hashes: np.ndarray) -> "SeqCounter":
        """A table of sequences known to be distinct, with their counts and :func:`seq_hash`
        values (another table's entries): copied, no probe or comparison; ids in that order."""
        n = len(bounds) - 1
        out = SeqCounter(max(16, n), max(16, int(bounds[-1])))
        out.arena[: bounds[-1]] = codes
        out.starts[: n + 1] = bounds
        out.hashes[:n] = hashes
        out.counts[:n] = counts
        out.state[:] = n, bounds[-1]
        _reinsert(out.slots, out.hashes, n)
        return out

    def update(self, other: "SeqCounter") -> None:
        """Add every count of ``other`` into this table."""
        arena, starts, counts = other.entries()
        self.add(arena, starts, counts)
