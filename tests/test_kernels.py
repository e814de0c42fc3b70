"""The learner's sort and split kernels against plain numpy / the kernels they replace."""
import math

import numpy as np
import pytest

from minent.discovery import ClausePasses
from minent.ngrams import CODE_BITS, SUFFIX_KEYS, pair_pmi, sorted_groups
from minent.parallel import LocalEngine, resolve
from minent.viterbi import best_path, best_splits, entry_candidates, entry_splits, make_scratch

from test_discovery import learner_setup, random_lines


def _reference(keys, weights):
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.zeros(len(uniq), np.int64)
    np.add.at(sums, inverse, weights)
    return uniq, sums, first, inverse


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sorted_groups_equal_np_unique(seed):
    rng = np.random.default_rng(seed)
    m = 5000
    chars = np.sort(rng.choice(np.arange(0x4E00, 0x9FFF), 50, replace=False)).astype(np.int64)
    sub = rng.integers(0, 300, m)
    code = chars[rng.integers(0, len(chars), m)]
    flag = rng.random(m) < 0.3
    keys = np.where(flag, SUFFIX_KEYS, 0) | (sub << CODE_BITS) | code
    weights = rng.integers(1, 5, m)
    # n-gram keys packed with character ranks; character codes; n-gram keys without ranks (too
    # many bits to pack: the np.unique fallback)
    for k, chs in ((keys, chars), (code, None), (keys, None)):
        for got, want in zip(sorted_groups(k, weights, chars=chs), _reference(k, weights)):
            assert np.array_equal(got, want)
    want = _reference(keys, weights)
    uniq, sums, first, inverse = sorted_groups(keys, weights, inverse=False, chars=chars)
    assert inverse is None and np.array_equal(uniq, want[0]) and np.array_equal(first, want[2])


def test_entry_splits_equal_best_splits():
    st, passes = learner_setup(random_lines(300, seed=4), 4, 2)
    rng = np.random.default_rng(0)
    logp = np.log(rng.random(len(st)))
    logp[rng.random(len(st)) < 0.2] = -np.inf
    unk = math.log(0.5 / st.n_chars)
    full = best_splits(st.starts, entry_candidates(st.frozen, 0, len(st), st.max_n, True), logp, unk, 64,
                       0, len(st))
    ids = rng.permutation(len(st))[: len(st) // 2].astype(np.int64)
    got = entry_splits(st.frozen, ids, logp, unk, st.max_n, 64)
    assert np.array_equal(got, full[ids], equal_nan=True)
    pos = np.nonzero(~np.isnan(pair_pmi(st)))[0][::3]
    assert np.array_equal(pair_pmi(st, pos), pair_pmi(st)[pos])


def _fill(ref, row, value):
    resolve(ref)[row] = value


def test_shared_arrays_are_written_in_place_by_workers():
    engine = LocalEngine(2)
    try:
        ref, array = engine.shared_array((4, 3), np.int64)
        list(engine.map(_fill, [(ref, r, r + 1) for r in range(4)]))
        assert array.tolist() == [[1] * 3, [2] * 3, [3] * 3, [4] * 3]
    finally:
        engine.close()
    assert LocalEngine(1).shared_array((2,), np.int64) is None  # one process: plain arrays


def test_unit_pairs_match_a_table_lookup_of_the_concatenation():
    """adjacent_units reads the id of uv from the candidates; the same as looking uv up by its codes."""
    st, passes = learner_setup(random_lines(300, seed=7), 4, 2)
    rng = np.random.default_rng(7)
    logp = np.log(rng.random(len(st))) - 3 * (st.lengths - 1)  # short words mostly: many pairs
    unk = math.log(0.5 / st.n_chars)
    ids = {tuple(st.arena[st.starts[e]:st.starts[e + 1]].tolist()): e for e in range(len(st))}
    want = np.zeros((2, len(st)), np.int64)
    for (codes, bounds, weights), cand in zip(passes.chunks, resolve(passes.cands_ref)):
        for c in range(len(bounds) - 1):
            lo, n = int(bounds[c]), int(bounds[c + 1] - bounds[c])
            scratch = make_scratch(n)
            best_path(cand, lo, n, logp, unk, scratch, True)
            cuts, j = [n], n
            while j > 0:
                j = int(scratch[1][j])
                cuts.append(j)
            cuts = cuts[::-1]
            for a, mid, b in zip(cuts, cuts[1:], cuts[2:]):
                e = ids.get(tuple(codes[lo + a:lo + b].tolist()))
                if b - a <= 3 and e is not None:
                    want[mid - a - 1, e] += weights[c]
    got = passes.unit_pairs(logp, unk, 3)
    assert want.sum() > 100 and np.array_equal(got, want)


def test_split_scores_memo_answers_only_the_same_scores():
    st, passes = learner_setup(random_lines(300, seed=8), 4, 2)
    _, fresh = learner_setup(random_lines(300, seed=8), 4, 2)
    rng = np.random.default_rng(8)
    a, b = np.log(rng.random(len(st))), np.log(rng.random(len(st)))
    unk = math.log(0.5 / st.n_chars)
    first = passes.split_scores(a, unk)
    again = passes.split_scores(a, unk)
    again[:] = 0.0  # a copy: the kept result is not the caller's array
    assert np.array_equal(passes.split_scores(a, unk), first, equal_nan=True)
    for logp, u in ((b, unk), (a, unk - 1.0)):
        assert np.array_equal(passes.split_scores(logp, u), fresh.split_scores(logp, u), equal_nan=True)
    assert not np.array_equal(passes.split_scores(b, unk), first, equal_nan=True)


def test_passes_on_shared_memory_equal_one_process():
    lines = random_lines(400, seed=11)
    one, p1 = learner_setup(lines, 4, 2, jobs=1)
    two, p2 = learner_setup(lines, 4, 2, jobs=2)
    try:
        assert isinstance(p2, ClausePasses) and p2.shared is not None
        logp = np.where(one.counts > 2, np.log(one.counts / one.counts.sum()), -np.inf)
        unk = math.log(0.5 / one.n_chars)
        assert np.array_equal(p1.uses(logp, unk), p2.uses(logp, unk))
        assert np.array_equal(p1.unit_pairs(logp, unk, 3), p2.unit_pairs(logp, unk, 3))
        assert np.array_equal(p1.split_scores(logp, unk), p2.split_scores(logp, unk), equal_nan=True)
    finally:
        p2.close()
        p2.engine.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_position_ids_are_the_decoders_candidates(jobs):
    """The n-gram passes' position ids equal the hash-table candidates inside every clause."""
    from minent.clauses import collect_clauses
    from minent.ngrams import candidates_of, count_ngrams
    from minent.viterbi import candidates
    engine = LocalEngine(jobs)
    try:
        passes = ClausePasses(collect_clauses(random_lines(300, seed=2), 1, None, engine), engine)
        st, positions, offsets = count_ngrams(passes.chunks, 4, 2, None, engine, passes.chunks_ref,
                                              positions=True)
        for c, (codes, bounds, _) in enumerate(passes.chunks):
            want = np.empty((len(codes), 4), np.int32)
            candidates(st.frozen, codes, 0, len(codes), True, want, 0)
            got = candidates_of(positions, offsets, c)
            for a, b in zip(bounds[:-1], bounds[1:]):
                for i in range(a, b):
                    k = min(4, b - i)
                    assert got[i, :k].tolist() == want[i, :k].tolist()
                    assert (got[i, k:] == -1).all()
        passes.close()
    finally:
        engine.close()
