"""Two learner options of issue 15 (both off by default, measured in bench_discovery.py):
forward-backward (expected-count) re-estimation — the kernel against brute force, the soft passes
on the engine — and long entries (longer than ``max_len``) where the lexicon holds a fragment."""
import math
import random

import numpy as np
import pytest

from minent.discovery import LexiconLearner, preset_params
from minent.errors import MinentError
from minent.viterbi import best_path, expected_uses, make_scratch, path_posteriors

from conftest import VOCAB, word_corpus
from test_bigram import _paths, _random_lattice


def _score(cand, i, k, logp, unk):
    e = int(cand[i, k - 1])
    if e >= 0 and logp[e] > -np.inf:
        return logp[e], e
    return (unk, -1) if k == 1 else (-np.inf, -1)


def _brute(cand, n, logp, unk):
    """ln Z and the expected uses of every entry, summing over every segmentation."""
    total, exp = [], np.zeros(len(logp))
    scored = []
    for path in _paths(n, cand.shape[1]):
        words = [_score(cand, s, k, logp, unk) for s, k in path]
        sc = sum(w[0] for w in words)
        if sc > -np.inf:
            scored.append((sc, words))
    z = math.log(sum(math.exp(sc) for sc, _ in scored))
    for sc, words in scored:
        for _, e in words:
            if e >= 0:
                exp[e] += math.exp(sc - z)
    return z, exp


@pytest.mark.parametrize("seed", range(20))
def test_expected_uses_match_brute_force(seed):
    rng = random.Random(seed)
    n, width, V = rng.randint(1, 7), rng.randint(1, 4), 6
    cand = _random_lattice(rng, n, width, V)
    logp = np.log(np.array([rng.random() for _ in range(V)]))
    logp[rng.randrange(V)] = -np.inf  # a dropped entry: never used, its single char is unknown
    unk = -4.0
    z, exp = _brute(cand, n, logp, unk)
    fwd, bwd = np.empty(n + 1), np.empty(n + 1)
    assert path_posteriors(cand, 0, n, logp, unk, fwd, bwd) == pytest.approx(z, abs=1e-9)
    # the best path's score never exceeds ln Z
    assert best_path(cand, 0, n, logp, unk, make_scratch(n), True) <= z + 1e-12
    unit, weight = 1 << 20, 3
    counts = np.zeros(V, np.int64)
    clauses = (np.zeros(n, np.int32), np.array([0, n], np.int64), np.array([weight], np.int64))
    expected_uses(clauses, cand, logp, unk, unit, counts)
    # rounded per word position: within half a unit per position of the lattice
    assert np.abs(counts / (weight * unit) - exp).max() <= n * width / unit
    assert counts[np.isneginf(logp)].sum() == 0


def test_expected_uses_exact_small():
    """One clause 甲乙 with candidates 甲, 乙, 甲乙 (ids 0, 1, 2): p(甲乙) = p(甲) p(乙) gives each
    segmentation half the mass."""
    cand = np.array([[0, 2], [1, -1]], np.int32)
    logp = np.log(np.array([0.5, 0.5, 0.25]))
    counts = np.zeros(3, np.int64)
    clauses = (np.zeros(2, np.int32), np.array([0, 2], np.int64), np.array([2], np.int64))
    expected_uses(clauses, cand, logp, -9.0, 8, counts)
    assert counts.tolist() == [8, 8, 8]  # 2 x (8 x 0.5) each


def test_soft_passes_same_lexicon_on_two_jobs():
    raw, _ = word_corpus(300, seed=5)
    one = LexiconLearner(mdl_rounds=3, soft_passes=2).fit(raw).lexicon_
    two = LexiconLearner(mdl_rounds=3, soft_passes=2, jobs=2).fit(raw).lexicon_
    assert one.words == two.words and list(one.counts) == list(two.counts)
    assert {"北京", "学校", "公园"} <= set(one.words)


def _name_corpus():
    """Random words plus the 5-character name 阿尔及利亚 (112 times); 阿尔 also occurs alone 12
    times, so the 4-character learner keeps 阿尔 as a word and spells the name 阿尔 及 利 亚."""
    raw, _ = word_corpus(300, seed=7, vocab=VOCAB + ["阿尔及利亚"])
    rng = random.Random(1)
    return raw + ["".join([rng.choice(VOCAB), "阿尔", rng.choice(VOCAB)]) for _ in range(12)]


def test_long_entries_where_the_lexicon_holds_a_fragment():
    raw = _name_corpus()
    assert sum(line.count("阿尔及利亚") for line in raw) == 112
    base = LexiconLearner(mdl_rounds=3).fit(raw).lexicon_
    assert base.segment("我们阿尔及利亚学校") == ["我们", "阿尔", "及", "利", "亚", "学校"]
    learners = [LexiconLearner(mdl_rounds=3, long_len=6, jobs=j).fit(raw) for j in (1, 2)]
    one, two = (l.lexicon_ for l in learners)
    assert one.words == two.words and list(one.counts) == list(two.counts)
    assert one.segment("我们阿尔及利亚学校") == ["我们", "阿尔及利亚", "学校"]
    assert {w for w in one.words if len(w) > 1} == {w for w in base.words if len(w) > 1} | {"阿尔及利亚"}
    assert learners[0].report_["long_words"] == 1
    # 112 of the 124 uses of 阿尔 are inside the name: a share of 0.90, under a ratio of 0.95
    strict = LexiconLearner(mdl_rounds=3, long_len=6, long_ratio=0.95).fit(raw).lexicon_
    assert strict.words == base.words


def test_long_entries_off_by_default_leave_the_lexicon_unchanged():
    """Counting n-grams further (long_len) changes nothing below max_len when no long entry is
    admitted: the lexicon is the default one."""
    raw = _name_corpus()
    base = LexiconLearner(mdl_rounds=3).fit(raw).lexicon_
    none = LexiconLearner(mdl_rounds=3, long_len=6, long_min_count=10**6).fit(raw).lexicon_
    assert none.words == base.words and list(none.counts) == list(base.counts)


@pytest.mark.parametrize("bad", [{"long_len": 4}, {"long_len": 17}, {"long_len": 6, "long_ratio": 0.0},
                                 {"long_min_count": 0}, {"soft_passes": -1}])
def test_bad_soft_and_long_parameters(bad):
    with pytest.raises(MinentError):
        preset_params("general", **bad)
