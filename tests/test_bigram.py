import itertools
import random

import numpy as np
import pytest

from minent.bigram import (bigram_model, bigram_pass, bigram_path, bigram_uses, empty_model, make_bigram_scratch,
                           merge_pair_tables, pair_table, unigram_pair_uses)
from minent.discovery import LexiconLearner
from minent.viterbi import best_path, make_scratch

from conftest import word_corpus


def _random_lattice(rng, n, width, V):
    cand = np.full((n, width), -1, np.int32)
    for i in range(n):
        for k in range(1, min(width, n - i) + 1):
            if k == 1 or rng.random() < 0.5:
                cand[i, k - 1] = rng.randrange(V)
    return cand


def _paths(n, width):
    """Every segmentation of n positions into words of at most ``width``: lists of (start, len)."""
    if n == 0:
        yield []
        return
    for k in range(1, min(width, n) + 1):
        for rest in _paths(n - k, width):
            yield [(0, k)] + [(s + k, m) for s, m in rest]


def _reference(cand, n, logp, unk, offsets, nxt, pair_lp, backoff, known):
    """Brute force: the best-scoring segmentation under the bigram model."""
    V = len(logp)
    ctx = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    table = dict(zip((ctx * (V + 2) + nxt).tolist(), pair_lp.tolist()))
    best = (-np.inf, None)
    for path in _paths(n, cand.shape[1]):
        u, score, ids = V + 1, 0.0, []
        for s, k in path:
            e = int(cand[s, k - 1])
            if e >= 0 and logp[e] > -np.inf:
                lw = logp[e]
            elif k == 1:
                e, lw = V, unk
            else:
                score = -np.inf
                break
            score += table.get(u * (V + 2) + e, lw + backoff[u] * known[e])
            ids.append(e)
            u = e
        if score > best[0]:
            best = (score, (path, ids))
    return best


@pytest.mark.parametrize("seed", range(30))
def test_bigram_path_matches_brute_force(seed):
    rng = random.Random(seed)
    V, width, n = 6, 3, rng.randint(1, 7)
    cand = _random_lattice(rng, n, width, V)
    logp = np.log(np.array([rng.random() + 0.01 for _ in range(V)]))
    logp[rng.randrange(V)] = -np.inf  # an id that is no word
    unk = -6.0
    pairs = {(rng.randrange(V + 2), rng.randrange(V + 1)): rng.randint(1, 9) for _ in range(12)}
    keys = np.array(sorted(u * (V + 2) + w for u, w in pairs), np.int64)
    counts = np.array([pairs[divmod(int(k), V + 2)] for k in keys], np.float64)
    known = np.array([rng.random() < 0.5 for _ in range(V)]) if seed % 2 else None  # unseen_free
    model = bigram_model(keys, counts, logp, unk, 2.5, known)
    score, m = bigram_path(cand, 0, n, logp, unk, *model, make_bigram_scratch(n, width))
    ref_score, (ref_path, ref_ids) = _reference(cand, n, logp, unk, *model)
    assert score == pytest.approx(ref_score)
    scratch = make_bigram_scratch(n, width)
    bigram_path(cand, 0, n, logp, unk, *model, scratch)
    assert scratch[3][:m].tolist() == [s for s, _ in ref_path]
    assert scratch[4][:m].tolist() == ref_ids


@pytest.mark.parametrize("seed", range(20))
def test_empty_model_is_the_unigram_decoder(seed):
    rng = random.Random(100 + seed)
    V, width, n = 8, 4, rng.randint(1, 12)
    cand = _random_lattice(rng, n, width, V)
    logp = np.log(np.array([rng.random() + 0.01 for _ in range(V)]))
    score, m = bigram_path(cand, 0, n, logp, -7.0, *empty_model(V), make_bigram_scratch(n, width))
    assert score == pytest.approx(best_path(cand, 0, n, logp, -7.0, make_scratch(n), True))


@pytest.mark.parametrize("seed", range(20))
def test_unigram_pair_uses_equal_the_empty_model(seed):
    """The empty model decoded at the unigram decoder's cost: same uses and pairs as bigram_uses,
    with integer scores so that ties are exact and frequent (the tie rule must match too)."""
    rng = random.Random(300 + seed)
    V, width = 6, 4
    lengths = [rng.randint(1, 9) for _ in range(12)]
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    cand = _random_lattice(rng, int(bounds[-1]), width, V)
    for c in range(len(lengths)):  # no word crosses a clause end
        for i in range(bounds[c], bounds[c + 1]):
            cand[i, bounds[c + 1] - i:] = -1
    clauses = (np.zeros(bounds[-1], np.int32), bounds, np.array([rng.randint(1, 3) for _ in lengths], np.int64))
    logp = np.array([-float(rng.randint(1, 4)) for _ in range(V)])
    logp[rng.randrange(V)] = -np.inf
    out = []
    for kernel, model in ((bigram_uses, empty_model(V)), (unigram_pair_uses, ())):
        uses = np.zeros(V + 1, np.int64)
        pk, pw = np.empty(bounds[-1] + len(lengths), np.int64), np.empty(bounds[-1] + len(lengths), np.int64)
        m = kernel(clauses, cand, logp, -3.0, *model, uses, pk, pw)
        out.append((uses.tolist(), pk[:m].tolist(), pw[:m].tolist()))
    assert out[0] == out[1]


def test_bigram_pass_without_a_model_is_the_empty_model():
    from test_discovery import learner_setup, random_lines
    st, passes = learner_setup(random_lines(300, seed=5), 4, 2)
    logp = np.where(st.counts > 2, np.log(st.counts / st.counts.sum()), -np.inf)
    got = bigram_pass(passes, logp, -9.0)
    want = bigram_pass(passes, logp, -9.0, empty_model(len(st)))
    assert all(np.array_equal(a, b) for a, b in zip(got, want)) and got[1].size > 50


def test_model_probabilities_sum_to_one():
    """p(w | u) = (c(u, w) + beta p(w)) / (c(u) + beta) is a distribution over w for every u."""
    V = 3
    logp = np.log(np.array([0.5, 0.3, 0.1]))
    unk = np.log(0.1)
    keys = np.array([0 * 5 + 1, 0 * 5 + 3, 4 * 5 + 0], np.int64)  # (0,1), (0,unk), (bos,0)
    offsets, nxt, lp, bo, known = bigram_model(keys, np.array([3.0, 1.0, 2.0]), logp, unk, 2.0)
    assert known.tolist() == [1.0] * (V + 1)
    assert offsets.tolist() == [0, 2, 2, 2, 2, 3] and nxt.tolist() == [1, 3, 0]
    for u in (0, 1, 4):
        total = 0.0
        for w in range(V + 1):
            run = list(range(offsets[u], offsets[u + 1]))
            hit = [t for t in run if nxt[t] == w]
            total += np.exp(lp[hit[0]] if hit else (logp[w] if w < V else unk) + bo[u])
        assert total == pytest.approx(1.0)


def test_pair_table_and_uses():
    keys, counts = pair_table(np.array([7, 3, 7, 9, 3, 7], np.int64), np.array([1, 2, 1, 1, 1, 5], np.int64), 2)
    assert keys.tolist() == [3, 7] and counts.tolist() == [3, 7]
    # clause 甲乙 (ids 0, 1) twice: two uses each, pairs (bos, 0) and (0, 1)
    cand = np.array([[0, -1], [1, -1]], np.int32)
    clauses = (np.array([10, 11], np.int32), np.array([0, 2], np.int64), np.array([2], np.int64))
    uses = np.zeros(3, np.int64)
    pk, pw = np.empty(3, np.int64), np.empty(3, np.int64)
    m = bigram_uses(clauses, cand, np.log(np.array([0.5, 0.5])), -9.0, *empty_model(2), uses, pk, pw)
    assert uses.tolist() == [2, 2, 0]
    assert pk[:m].tolist() == [3 * 4 + 0, 0 * 4 + 1] and pw[:m].tolist() == [2, 2]


def test_bigram_stage_same_lexicon_on_two_jobs():
    raw, _ = word_corpus(300, seed=3)
    one = LexiconLearner(mdl_rounds=3, bigram_rounds=2).fit(raw).lexicon_
    two = LexiconLearner(mdl_rounds=3, bigram_rounds=2, jobs=2).fit(raw).lexicon_
    assert one.words == two.words and list(one.counts) == list(two.counts)
    low = [LexiconLearner(mdl_rounds=3, bigram_rounds=1, bigram_floor=5.0, jobs=j).fit(raw).lexicon_
           for j in (1, 2)]
    assert low[0].words == low[1].words and list(low[0].counts) == list(low[1].counts)
    assert {"北京", "学校", "公园"} <= set(one.words)
    free = [LexiconLearner(mdl_rounds=3, bigram_unseen_free=f, jobs=2).fit(raw).lexicon_ for f in (True, False)]
    assert free[0].words == low[0].words or free[1].words == low[0].words  # one of them is the default


def test_unseen_free_scores_unseen_entries_by_unigram():
    """With ``known`` 0 for an entry, a pair never seen costs ln p(w) alone, not ln p(w) + back-off."""
    V = 2
    logp = np.log(np.array([0.3, 0.7]))
    keys = np.array([3 * 4 + 0], np.int64)  # (bos, 0) seen 5 times
    cand = np.array([[0, 1], [0, -1]], np.int32)  # ids: 0 = one char, 1 = the two chars
    for known, want in ((None, [0, 0]), (np.array([1.0, 0.0]), [1])):
        model = bigram_model(keys, np.array([5.0]), logp, -9.0, 1.0, known)
        scratch = make_bigram_scratch(2, 2)
        score, m = bigram_path(cand, 0, 2, logp, -9.0, *model, scratch)
        assert scratch[4][:m].tolist() == want
    assert score == pytest.approx(np.log(0.7))


def test_merged_task_pair_tables_are_the_table_of_all_pairs():
    rng = np.random.default_rng(5)
    keys = [rng.integers(0, 50, n) for n in (0, 40, 200, 7)]
    weights = [rng.integers(1, 4, len(k)) for k in keys]
    tables = [pair_table(k, w) for k, w in zip(keys, weights)]
    want = pair_table(np.concatenate(keys), np.concatenate(weights))
    for parts in (tables, tables[1:2], tables[:1]):
        got = merge_pair_tables([t[0] for t in parts], [t[1] for t in parts])
        ref = pair_table(np.concatenate([k for k, t in zip(keys, tables) if any(t is p for p in parts)]),
                         np.concatenate([w for w, t in zip(weights, tables) if any(t is p for p in parts)]))
        assert got[0].tolist() == ref[0].tolist() and got[1].tolist() == ref[1].tolist()
    got = merge_pair_tables([t[0] for t in tables], [t[1] for t in tables])
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
