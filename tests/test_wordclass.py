"""Word classes and the class-level PMI (minent.wordclass), and stage 6b of the learner."""
import math
import random
from collections import Counter, defaultdict

import numpy as np
import pytest
import scipy.sparse as sp

import minent.discovery as md
from minent.bigram import bigram_pass, empty_model
from minent.discovery import (LexiconLearner, _logp, _unk, best_binary_split, bound_part, class_cohesion,
                              cohesion_prune, preset_params)
from minent.errors import MinentError
from minent.discovery import affix_counts
from minent.wordclass import class_pair_pmi, class_unit_pmi, context_vectors, spherical_kmeans, word_classes

from conftest import word_corpus
from test_discovery import learner_setup, suffix_counts_setup


def pair_table(pairs: dict, V: int):
    """Sorted keys u * (V + 2) + w and counts of ``{(u, w): count}``."""
    keys = np.array(sorted(u * (V + 2) + w for u, w in pairs), np.int64)
    counts = np.array([pairs[(k // (V + 2), k % (V + 2))] for k in keys], np.int64)
    return keys, counts


def learned_counts(st, lines):
    """The counts of a small learned lexicon (no stage 6b, no stage 7) over the entries of ``st``."""
    lrn = LexiconLearner(mdl_rounds=3, class_count=0, bigram_rounds=0, jobs=1, background="none").fit(lines)
    counts = np.zeros(len(st), np.int64)
    for w, c in zip(lrn.lexicon_.words, lrn.lexicon_.counts):
        counts[st.id(w)] = c
    return counts


def random_pairs(V, n, seed):
    rng = random.Random(seed)
    pairs = Counter()
    for _ in range(n):
        pairs[(rng.choice(list(range(V)) + [V + 1]), rng.randrange(V + 1))] += rng.randint(1, 5)
    return dict(pairs)


def test_class_pair_pmi_matches_reference():
    """Leave-one-out class PMI against plain loops over the pairs."""
    V = 12
    pairs = random_pairs(V, 300, 3)
    keys, counts = pair_table(pairs, V)
    rng = random.Random(4)
    cls = np.array([rng.randrange(4) for _ in range(V + 2)], np.int64)
    a = np.array([u for u, w in pairs if u < V][:40] + [0, 5], np.int64)
    b = np.array([w for u, w in pairs if u < V][:40] + [3, 7], np.int64)
    got = class_pair_pmi(keys, counts, cls, 4, a, b)
    for x, y, g in zip(a, b, got):
        own = pairs.get((x, y), 0)
        n_cd = sum(c for (u, w), c in pairs.items() if cls[u] == cls[x] and cls[w] == cls[y]) - own
        n_c = sum(c for (u, w), c in pairs.items() if cls[u] == cls[x]) - own
        n_d = sum(c for (u, w), c in pairs.items() if cls[w] == cls[y]) - own
        total = sum(pairs.values())
        want = math.log(n_cd * total / (n_c * n_d)) if n_cd > 0 else -5.0
        assert g == pytest.approx(want, rel=1e-12, abs=1e-12)


def reference_kmeans(rows, k, iters):
    """Plain-Python spherical k-means: centroids start at the first k rows; each row joins the
    centroid of largest dot product (lowest index on ties); a centroid is the normalised sum of its
    rows, or stays where it was when it has none."""
    cent = [list(r) for r in rows[:k]]
    for _ in range(iters):
        assign = []
        for r in rows:
            dots = [sum(x * y for x, y in zip(r, c)) for c in cent]
            assign.append(max(range(k), key=lambda j: (dots[j], -j)))
        new = []
        for j in range(k):
            s = [sum(r[d] for r, a in zip(rows, assign) if a == j) for d in range(len(rows[0]))]
            n = math.sqrt(sum(x * x for x in s))
            new.append([x / n for x in s] if n > 0 else cent[j])
        cent = new
    return cent


def test_spherical_kmeans_matches_reference():
    rng = np.random.default_rng(5)
    x = rng.random((40, 6)) ** 3
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    got = spherical_kmeans(sp.csr_matrix(x), 5, 10)
    want = np.array(reference_kmeans(x.tolist(), 5, 10))
    assert np.allclose(got, want, atol=1e-12)


def test_context_vectors_are_hellinger_halves():
    """Unit 0 is always followed by 2 and preceded by the clause start: its vector is one
    component 1/sqrt(2) on each side."""
    V = 4
    keys, counts = pair_table({(5, 0): 6, (0, 2): 6, (2, 1): 3, (2, 3): 3, (5, 1): 1}, V)
    uses = np.array([6, 4, 6, 3])
    units, x = context_vectors(keys, counts, uses, 3, 2)
    assert units.tolist() == [0, 1, 2, 3]
    row = x[0].toarray().ravel()
    assert np.allclose(np.sort(row)[-2:], [1 / math.sqrt(2)] * 2) and np.count_nonzero(row) == 2
    assert np.allclose(np.asarray(x.multiply(x).sum(axis=1)).ravel(), 1.0)


def test_word_classes_separate_two_paradigms():
    """Units 0-2 (determiners) precede 3-5 (classifiers), which precede 6-8 (nouns): three
    classes with 3 centroids; the rare unit 9 and the clause start get their own classes; the
    pair 0 -> 3 has a positive class PMI and the pair 0 -> 6 (never seen: determiner + noun) the
    floor."""
    V = 10
    pairs = defaultdict(int)
    for d in range(3):
        pairs[(V + 1, d)] += 20
        for c in range(3, 6):
            pairs[(d, c)] += 10
    for c in range(3, 6):
        for n in range(6, 9):
            pairs[(c, n)] += 10
    pairs[(V + 1, 9)] += 1
    keys, counts = pair_table(dict(pairs), V)
    uses = np.array([30, 20, 20, 29, 20, 20, 28, 20, 20, 1])  # the k-means starts from units 0, 3, 6
    cls, k = word_classes(keys, counts, uses, 3, 9, 20, 5, 10)
    assert k == 3
    assert len({cls[0], cls[1], cls[2]}) == 1 and len({cls[3], cls[4], cls[5]}) == 1
    assert len({cls[6], cls[7], cls[8]}) == 1 and len({cls[0], cls[3], cls[6]}) == 3
    assert cls[9] == k and cls[V] == k and cls[V + 1] == k + 1
    pmi = class_pair_pmi(keys, counts, cls, k + 2, np.array([0, 0]), np.array([3, 6]))
    assert pmi[0] > 1.0 and pmi[1] == -5.0


def test_class_cohesion_rule_matches_definition():
    """Stage 6b keeps exactly the two-character entries whose unigram gain minus the class PMI
    of their characters is at least the floor (no re-estimation: the counts are then those of
    the entries kept, the larger of before / after the floor)."""
    lines, _ = word_corpus(600, seed=2)
    st, passes = learner_setup(lines, 3, 2)
    L = st.lengths
    lrn = LexiconLearner(mdl_rounds=3, class_count=0, bigram_rounds=0, jobs=1, background="none").fit(lines)
    ids = {st.id(w): c for w, c in zip(lrn.lexicon_.words, lrn.lexicon_.counts) if len(w) <= 3}
    before = np.zeros(len(st), np.int64)
    for i, c in ids.items():
        before[i] = c
    after = cohesion_prune(passes, st, before, 3.5, rounds_reestimate=0)
    uses, keys, pc = bigram_pass(passes, _logp(after), _unk(st), empty_model(len(st)))
    two = np.nonzero((L == 2) & (before > 0))[0]
    assert len(two) > 0
    for floor in (2.0, 6.0):
        got = class_cohesion(passes, st, before, after, floor, 8, 100, rounds_reestimate=0)
        cls, k = word_classes(keys, pc, uses, 8, 100, md.CLASS_CONTEXT, md.CLASS_MIN_USES, md.CLASS_ITERS)
        logp = _logp(before)
        alt = passes.split_scores(logp, math.log(0.5 / before.sum()))
        g = logp[two] - alt[two] - class_pair_pmi(keys, pc, cls, k + 2, st.prefix[two], st.suffix[two])
        assert np.array_equal(got[two] > 0, g >= floor)
        kept = two[g >= floor]
        assert np.array_equal(got[kept], np.maximum(after[kept], before[kept]))
        other = np.nonzero(L != 2)[0]
        assert np.array_equal(got[other], after[other])


def test_class_stage_same_lexicon_on_two_jobs():
    raw, _ = word_corpus(1500, seed=7)
    raw = raw + ["为了这一个" * 2, "这一种为了", "这两个", "那一个"] * 40
    one = LexiconLearner(mdl_rounds=3, jobs=1, background="none").fit(raw)
    two = LexiconLearner(mdl_rounds=3, jobs=2, background="none").fit(raw).lexicon_
    assert one.lexicon_.words == two.words and list(one.lexicon_.counts) == list(two.counts)
    assert "classes" in one.report_["timings_s"]
    off = LexiconLearner(mdl_rounds=3, jobs=1, background="none", class_count=0).fit(raw)
    assert "classes" not in off.report_["timings_s"]
    with pytest.raises(MinentError):
        preset_params("general", class_count=-1)
    with pytest.raises(MinentError):
        preset_params("general", class_words=0)


def test_best_binary_split_matches_reference():
    lines, _ = word_corpus(400, seed=3)
    st, _ = learner_setup(lines, 4, 2)
    rng = np.random.default_rng(6)
    logp = np.where(rng.random(len(st)) < 0.5, -rng.random(len(st)) * 10, -np.inf)
    ids = np.nonzero(st.lengths >= 1)[0][::7]
    x, y = best_binary_split(st, ids, logp)
    for i, gx, gy in zip(ids, x, y):
        w = st.word(i)
        best, want = -np.inf, (-1, -1)
        for cut in range(1, len(w)):
            s = logp[st.id(w[:cut])] + logp[st.id(w[cut:])]
            if s > best:
                best, want = s, (st.id(w[:cut]), st.id(w[cut:]))
        assert (gx, gy) == want


def test_class_cohesion_long_entries_rule_matches_definition():
    """With ``long_gain``, an entry of four characters is dropped exactly when its gain over the
    best split minus the class PMI of its best binary split is below the floor; the rest of the
    stage is unchanged."""
    lines, _ = word_corpus(600, seed=2)
    st, passes = learner_setup(lines, 4, 2)
    L = st.lengths
    counts = learned_counts(st, lines)
    # compounds of two words of the toy vocabulary as four-character entries
    for i in np.nonzero((L == 4) & (st.counts >= 5))[0][:200]:
        counts[i] = max(counts[i], st.counts[i])
    uses, keys, pc = bigram_pass(passes, _logp(counts), _unk(st), empty_model(len(st)))
    cls, k = word_classes(keys, pc, uses, 8, 100, md.CLASS_CONTEXT, md.CLASS_MIN_USES, md.CLASS_ITERS)
    long = np.nonzero((L >= 4) & (counts > 0))[0]
    logp = _logp(counts)
    alt = passes.split_scores(logp, math.log(0.5 / counts.sum()))
    x, y = best_binary_split(st, long, logp)
    g = logp[long] - alt[long] - class_pair_pmi(keys, pc, cls, k + 2, np.maximum(x, 0), np.maximum(y, 0))
    base = class_cohesion(passes, st, counts, counts, 3.0, 8, 100, None, rounds_reestimate=0)
    sizes = []
    for floor in (4.0, 8.0):
        got = class_cohesion(passes, st, counts, counts, 3.0, 8, 100, floor, rounds_reestimate=0)
        drop = long[(x >= 0) & (g < floor)]
        assert set(np.nonzero((got == 0) & (base > 0))[0]) == set(drop)
        assert np.array_equal(np.delete(got, drop), np.delete(base, drop))
        sizes.append(len(drop))
    assert 0 < sizes[1] and sizes[0] <= sizes[1] < len(long)


def test_bound_part_matches_definition():
    """A part is bound to w when c(w) >= ratio x c(part) (character n-gram counts); no split: never."""
    lines, _ = word_corpus(400, seed=4)
    st, _ = learner_setup(lines, 4, 2)
    ids = np.nonzero((st.lengths == 4) & (st.counts >= 2))[0][:300]
    logp = _logp(np.where(st.lengths <= 2, st.counts, 0))
    x, y = best_binary_split(st, ids, logp)
    x[::5] = -1
    y[::5] = -1
    for ratio in (0.3, 0.5, 0.9):
        got = bound_part(st, ids, x, y, ratio)
        for i, gx, gy, g in zip(ids, x, y, got):
            want = any(p >= 0 and st.counts[i] >= ratio * st.counts[p] for p in (gx, gy))
            assert g == want
    assert bound_part(st, ids, x, y, 0.3).sum() >= bound_part(st, ids, x, y, 0.9).sum()


def test_class_cohesion_spares_entries_with_a_bound_part():
    """``long_piece`` exempts from the four-character floor exactly the entries with a bound part
    (30 of the 35 主义 live inside 社会主义; 社会 is everywhere); every other decision is the same."""
    lines, _ = word_corpus(600, seed=2)
    lines = lines + ["我们坚持社会主义道路", "社会主义好", "社会发展很快", "社会进步"] * 15 + ["反对形式主义"] * 5
    st, passes = learner_setup(lines, 4, 2)
    L = st.lengths
    counts = learned_counts(st, lines)
    for w in ("社会", "主义", "社会主义"):
        counts[st.id(w)] = max(counts[st.id(w)], st.counts[st.id(w)])
    for i in np.nonzero((L == 4) & (st.counts >= 5))[0][:200]:
        counts[i] = max(counts[i], st.counts[i])
    long = np.nonzero((L >= 4) & (counts > 0))[0]
    x, y = best_binary_split(st, long, _logp(counts))
    floor = 50.0  # every four-character entry with a split is under it
    without = class_cohesion(passes, st, counts, counts, 3.0, 8, 100, floor, rounds_reestimate=0)
    assert without[st.id("社会主义")] == 0
    for ratio in (0.5, 0.9):
        got = class_cohesion(passes, st, counts, counts, 3.0, 8, 100, floor, rounds_reestimate=0, long_piece=ratio)
        spared = set(long[bound_part(st, long, x, y, ratio)])
        changed = set(np.nonzero(got != without)[0])
        assert changed == {i for i in spared if without[i] == 0}
        assert (got[st.id("社会主义")] > 0) == (ratio == 0.5)
    with pytest.raises(MinentError):
        preset_params("general", class_long_piece=0)


def unit_pmi_reference(pairs: dict, cls, a, v):
    """PMI(C(a), v) by plain loops over ``{(u, w): count}`` (-5 where C(a) is never followed by v)."""
    n = sum(c for (u, w), c in pairs.items() if cls[u] == cls[a] and w == v)
    if n == 0:
        return -5.0
    rows = sum(c for (u, w), c in pairs.items() if cls[u] == cls[a])
    cols = sum(c for (u, w), c in pairs.items() if w == v)
    return math.log(n * sum(pairs.values()) / (rows * cols))


def test_class_unit_pmi_exact_and_against_reference():
    """Exact small case, then random tables against plain loops."""
    V = 4
    pairs = {(0, 2): 3, (1, 2): 1, (1, 3): 4, (2, 2): 2}
    keys, counts = pair_table(pairs, V)
    cls = np.array([0, 0, 1, 1, 2, 3], np.int64)
    got = class_unit_pmi(keys, counts, cls, np.array([0, 1, 2, 2]), np.array([2, 3, 3, 2]))
    want = [math.log(4 * 10 / (8 * 6)), math.log(4 * 10 / (8 * 4)), -5.0, math.log(2 * 10 / (2 * 6))]
    assert np.allclose(got, want, rtol=0, atol=1e-12)
    for seed in (1, 2):
        V = 15
        pairs = random_pairs(V, 400, seed)
        keys, counts = pair_table(pairs, V)
        rng = random.Random(seed + 10)
        cls = np.array([rng.randrange(5) for _ in range(V + 2)], np.int64)
        a = np.array([rng.randrange(V) for _ in range(60)], np.int64)
        v = np.array([rng.randrange(V + 1) for _ in range(60)], np.int64)
        got = class_unit_pmi(keys, counts, cls, a, v)
        want = [unit_pmi_reference(pairs, cls, x, y) for x, y in zip(a, v)]
        assert np.allclose(got, want, rtol=0, atol=1e-9)


def test_suffix_merge_by_class_matches_definition():
    """With stage 6b's classes, the suffix merge joins exactly the word + character pairs of the
    plain affix rule whose character is a bound suffix or follows the word's class at class PMI
    >= the threshold (reference: plain loops over the pair table)."""
    lines, st, passes, counts = suffix_counts_setup()
    uses, keys, pc = bigram_pass(passes, _logp(counts), _unk(st), empty_model(len(st)))
    cls, k = word_classes(keys, pc, uses, 4, 100, md.CLASS_CONTEXT, md.CLASS_MIN_USES, md.CLASS_ITERS)
    assert k > 0
    classes = {"keys": keys, "counts": pc, "cls": cls}
    stride = len(cls)
    pairs = {(int(x) // stride, int(x) % stride): int(c) for x, c in zip(keys, pc)}
    every = affix_counts(passes, st, counts, 0.0, 3)
    cands = np.nonzero(every)[0]
    assert len(cands) >= 4
    ref = {int(i): unit_pmi_reference(pairs, cls, st.prefix[i], st.suffix[st.suffix[i]]) for i in cands}
    none = np.zeros(len(st), bool)
    bound = none.copy()
    bound[st.id("性")] = True
    for t in sorted(set(ref.values()))[:: max(1, len(ref) // 4)] + [100.0]:
        for mask in (none, bound):
            got = affix_counts(passes, st, counts, 0.0, 3, suffixes=mask, classes=classes, class_pmi=t)
            want = {i for i in ref if ref[i] >= t or mask[st.suffix[st.suffix[i]]]}
            assert set(np.nonzero(got)[0].tolist()) == want
            assert np.array_equal(got[got > 0], every[got > 0])
    assert not affix_counts(passes, st, counts, 0.0, 3, suffixes=none, classes=None, class_pmi=-100.0).any()
    assert np.array_equal(affix_counts(passes, st, counts, 0.0, 3, suffixes=none, classes=classes, class_pmi=-100.0),
                          every)


def test_class_suffix_option_changes_nothing_when_off():
    """suffix_class_pmi=None, or no classes (class_count=0), gives the lexicon of the bound
    suffixes alone; the default (on) is the same on one and two jobs."""
    raw, _ = word_corpus(1200, seed=5)
    raw = raw + ["北京市上海市天津市北京上海"] * 30
    off = LexiconLearner(mdl_rounds=3, jobs=1, background="none", suffix_class_pmi=None, class_count=0).fit(raw)
    nocls = LexiconLearner(mdl_rounds=3, jobs=1, background="none", class_count=0).fit(raw)
    assert off.lexicon_.words == nocls.lexicon_.words
    # scale_chars=None: the merge by class runs on a text this small (by default it needs 2^20 chars)
    on = LexiconLearner(mdl_rounds=3, jobs=1, background="none", scale_chars=None).fit(raw)
    two = LexiconLearner(mdl_rounds=3, jobs=2, background="none", scale_chars=None).fit(raw).lexicon_
    assert on.lexicon_.words == two.words and list(on.lexicon_.counts) == list(two.counts)


def test_class_suffix_needs_a_large_text():
    """Under scale_chars characters of the user's own text the suffix merge by class is off (the
    classes would come mostly from a background model): the lexicon of suffix_class_pmi=None."""
    raw, _ = word_corpus(1200, seed=5)
    raw = raw + ["北京市上海市天津市北京上海"] * 30
    small = LexiconLearner(mdl_rounds=3, background="none", scale_chars=1 << 20).fit(raw).lexicon_
    off = LexiconLearner(mdl_rounds=3, background="none", scale_chars=1 << 20, suffix_class_pmi=None).fit(raw).lexicon_
    assert small.words == off.words and list(small.counts) == list(off.counts)
