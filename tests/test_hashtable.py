from collections import Counter

import numpy as np
from hypothesis import given, settings, strategies as st

from numba import njit

from minent.hashtable import KeyCounter, SeqCounter, filter_has, filter_shift, prefetch, with_filter


@njit(cache=True)
def _prefetch_then_sum(arr, ahead):
    total = 0
    for i in range(arr.shape[0]):
        prefetch(arr, (i + ahead) % arr.shape[0])
        total += arr[i]
    return total


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2**40), max_size=300), st.integers(1, 64))
def test_key_counter_matches_counter(keys, cap):
    kc = KeyCounter(cap)
    kc.add(np.array(keys, dtype=np.int64))
    ref = Counter(keys)
    k, v = kc.items()
    assert dict(zip(k.tolist(), v.tolist())) == dict(ref)
    assert len(kc) == len(ref)
    assert (v > 0).all()
    probe = np.array(list(ref) + [2**41], dtype=np.int64)
    assert kc.get(probe).tolist() == [ref[x] for x in ref] + [0]


@njit(cache=True)
def _filter_says(table, query):
    keys, _, bits = table
    shift = filter_shift(bits)
    out = np.zeros(query.shape[0], np.bool_)
    for i in range(query.shape[0]):
        out[i] = filter_has(bits, query[i], shift)
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2**40), max_size=300), st.integers(1, 64), st.integers(1, 6))
def test_key_counter_at_least_and_growth_keep_counts(keys, cap, cut):
    """The table grown from a tiny one (entries moved in slot order) holds the reference counts,
    and ``at_least`` gives exactly the keys counted ``cut`` times or more."""
    keys = keys + keys[: len(keys) // 2] * 3  # some keys several times
    kc = KeyCounter(cap)
    kc.add(np.array(keys, dtype=np.int64))
    ref = Counter(keys)
    assert len(kc) == len(ref) and kc.keys.shape[0] >= 2 * len(ref)
    k, v = kc.at_least(cut)
    assert dict(zip(k.tolist(), v.tolist())) == {x: n for x, n in ref.items() if n >= cut}


def test_key_filter_has_no_false_negatives_and_turns_most_absent_keys_away():
    rng = np.random.default_rng(7)
    a, b = rng.integers(1, 30000, 5000), rng.integers(1, 30000, 5000)
    present = np.unique((a << 32) | b)
    kc = KeyCounter(2 * len(present))
    kc.add(present)
    table = with_filter(kc.frozen())
    assert table[0] is kc.keys and table[2].dtype == np.uint64
    assert _filter_says(table, present).all()
    absent = np.setdiff1d((rng.integers(1, 30000, 20000) << 32) | rng.integers(1, 30000, 20000), present)
    assert _filter_says(table, absent).mean() < 0.15  # 8 bits per slot, load <= 1/2: about 1/16
    empty = with_filter(KeyCounter(4).frozen())
    assert not _filter_says(empty, present[:50]).any()


def test_prefetch_is_only_a_hint():
    for arr in (np.arange(100, dtype=np.int64), np.arange(5000, dtype=np.uint16), np.zeros(1, np.int32)):
        before = arr.copy()
        assert _prefetch_then_sum(arr, 17) == int(arr.sum())
        assert (arr == before).all()


def test_key_counter_weights_and_merge():
    a, b = KeyCounter(4), KeyCounter(4)
    a.add(np.array([5, 7, 5]), np.array([2, 3, 4]))
    b.add(np.array([7, 9]))
    a.update(b)
    k, v = a.items()
    assert k.tolist() == [5, 7, 9] and v.tolist() == [6, 4, 1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=0, max_size=4), max_size=200))
def test_seq_counter_matches_counter(seqs):
    codes = np.array([c for s in seqs for c in s], dtype=np.int32)
    bounds = np.zeros(len(seqs) + 1, np.int64)
    bounds[1:] = np.cumsum([len(s) for s in seqs])
    sc = SeqCounter(2, 2)
    sc.add(codes, bounds)
    ref = Counter(tuple(s) for s in seqs)
    arena, starts, counts = sc.entries()
    got = {tuple(arena[starts[i]:starts[i + 1]].tolist()): int(counts[i]) for i in range(len(sc))}
    assert got == dict(ref)
    # ids are dense, in order of first appearance
    first = list(dict.fromkeys(tuple(s) for s in seqs))
    ids = sc.ids(codes, bounds).tolist()
    assert ids == [first.index(tuple(s)) for s in seqs]
    # the ids an add returns (through every growth of the small table) are the ids looked up after
    sc2 = SeqCounter(2, 2)
    assert sc2.add(codes, bounds, return_ids=True).tolist() == ids
    assert sc2.add(codes, bounds) is None
    # with the hashes known (another table's; the add then reads ahead), the same counts and ids
    sc3 = SeqCounter(2, 2)
    hashes = sc.hash_values()[np.array(ids, np.int64)] if seqs else None
    assert sc3.add(codes, bounds, np.full(len(seqs), 2), hashes, return_ids=True).tolist() == ids
    arena, starts, counts = sc3.entries()
    assert {tuple(arena[starts[i]:starts[i + 1]].tolist()): int(counts[i]) for i in range(len(sc3))} == \
        {k: 2 * n for k, n in ref.items()}


def test_seq_counter_absent_and_update():
    a = SeqCounter()
    a.add(np.array([1, 2, 3], np.int32), np.array([0, 2, 3]))
    assert a.ids(np.array([1, 2, 2, 1], np.int32), np.array([0, 2, 4])).tolist() == [0, -1]
    b = SeqCounter()
    b.add(np.array([3, 9], np.int32), np.array([0, 1, 2]), np.array([5, 1]))
    a.update(b)
    assert len(a) == 3
    assert a.counts[:3].tolist() == [1, 6, 1]
    assert a.sequence(2).tolist() == [9]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=0, max_size=5), max_size=120))
def test_seq_lookup_finds_what_a_counter_finds(seqs):
    """A lookup over distinct sequences (arrays used in place) finds each at its position, and
    finds nothing else: as a counter's frozen table does."""
    from minent.hashtable import table_find
    distinct = list(dict.fromkeys(tuple(s) for s in seqs))
    codes = np.array([c for s in distinct for c in s], dtype=np.int32)
    starts = np.zeros(len(distinct) + 1, np.int64)
    starts[1:] = np.cumsum([len(s) for s in distinct])
    table = SeqCounter.lookup(codes, starts)
    assert table[2] is starts and table[3] is codes  # no copies
    for i, s in enumerate(distinct):
        q = np.array(s, np.int32)
        assert table_find(table, q, 0, len(s)) == i
    for s in ([6], [0, 6], [5, 5, 5, 5, 5, 5]):
        q = np.array(s, np.int32)
        assert table_find(table, q, 0, len(s)) == -1
