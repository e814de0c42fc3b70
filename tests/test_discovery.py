import importlib.util
import math
import random
from collections import Counter

import numpy as np
import pytest

from minent import Lexicon
from minent.clauses import collect_clauses
from minent.codelength import (CodeLength, description_length, elias_gamma_bits, fragment_share,
                               heldout_information)
from minent.discovery import (ClausePasses, LexiconLearner, affix_counts, after_long_uses, all_han, bound_suffixes,
                              inner_entries, spelled_counts,
                              cohesion_prune, learn_lexicon, preset_params)
from minent.errors import MinentError
from minent.ngrams import autonomy, count_ngrams as _count_ngrams, min_split_pmi, not_maximal
from minent.parallel import LocalEngine, make_engine, resolve
from minent.pretokenize import spans
from minent.viterbi import count_uses

from conftest import VOCAB, word_corpus


def learner_setup(lines, max_n, min_count, rules=1, jobs=1):
    """The clause table of ``lines`` on an engine, its n-gram statistics, and the passes."""
    engine = LocalEngine(jobs)
    passes = ClausePasses(collect_clauses(lines, rules, None, engine), engine)
    stats = _count_ngrams(passes.chunks, max_n, min_count, None, engine, passes.chunks_ref)
    passes.attach(stats)
    return stats, passes


def count_ngrams(lines, max_n, min_count, rules=1):
    return learner_setup(lines, max_n, min_count, rules)[0]


def han_pieces(lines):
    return [s for line in lines for s, kind in spans(line) if kind == "han"]


def random_lines(n=300, seed=1):
    """Short lines over a small alphabet: many repeated n-grams, span edges, a number rule."""
    rng = random.Random(seed)
    units = ["天地", "人", "和平", "的", "了", "是", "我们", "他", "天", "地人", "12", "，", "。"]
    return ["".join(rng.choice(units) for _ in range(rng.randint(1, 9))) for _ in range(n)]


def entropy(neigh: Counter, n: int) -> float:
    """Branching entropy with each missing neighbour (span edge) a distinct one-off event."""
    edge = n - sum(neigh.values())
    h = -sum(c / n * math.log(c / n) for c in neigh.values())
    return h - edge * (1 / n) * math.log(1 / n)


def reference_stats(lines, max_n):
    pieces = han_pieces(lines)
    grams = Counter(p[i:i + k] for p in pieces for k in range(1, max_n + 2) for i in range(len(p) - k + 1))
    right, left = {}, {}
    for g, c in grams.items():
        if len(g) > 1:
            right.setdefault(g[:-1], Counter())[g[-1]] += c
            left.setdefault(g[1:], Counter())[g[0]] += c
    h_r = {g: entropy(right.get(g, Counter()), c) for g, c in grams.items() if len(g) <= max_n}
    h_l = {g: entropy(left.get(g, Counter()), c) for g, c in grams.items() if len(g) <= max_n}
    return grams, h_l, h_r


def stats_dict(st):
    return {st.word(i): i for i in range(len(st))}


@pytest.mark.parametrize("min_count", [1, 2, 3])
def test_count_ngrams_matches_reference(min_count):
    lines = random_lines()
    grams, h_l, h_r = reference_stats(lines, 3)
    st = count_ngrams(lines, max_n=3, min_count=min_count)
    ids = stats_dict(st)
    expected = {g for g, c in grams.items() if len(g) <= 3 and (len(g) == 1 or c >= min_count)}
    assert set(ids) == expected
    for g, i in ids.items():
        assert st.counts[i] == grams[g]
        assert st.h_left[i] == pytest.approx(h_l[g], abs=1e-9)
        assert st.h_right[i] == pytest.approx(h_r[g], abs=1e-9)
        if len(g) > 1:
            assert st.word(st.prefix[i]) == g[:-1] and st.word(st.suffix[i]) == g[1:]
    assert st.n_chars == sum(len(p) for p in han_pieces(lines))


def test_ngram_passes_identical_on_two_jobs():
    lines = random_lines(500, seed=9)
    one = learner_setup(lines, 4, 2, jobs=1)[0]
    two, passes = learner_setup(lines, 4, 2, jobs=2)
    passes.engine.close()
    assert [one.word(i) for i in range(len(one))] == [two.word(i) for i in range(len(two))]
    for name in ("counts", "h_left", "h_right", "prefix", "suffix", "vbe_moments"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name  # bit for bit


@pytest.mark.parametrize("min_count", [1, 2])
def test_vbe_moments_cover_every_type(min_count):
    lines = random_lines(200, seed=3)
    grams, h_l, h_r = reference_stats(lines, 3)
    chars = {g: c for g, c in grams.items() if len(g) == 1}
    tot = sum(chars.values())
    h0 = -sum(c / tot * math.log(c / tot) for c in chars.values())
    st = count_ngrams(lines, max_n=3, min_count=min_count)
    for n in (1, 2, 3):
        types = [g for g in grams if len(g) == n]
        vl = [h_l[g] - (h0 if n == 1 else h_l[g[1:]]) for g in types]
        vr = [h_r[g] - (h0 if n == 1 else h_r[g[:-1]]) for g in types]
        ref = [len(types), sum(vl), sum(v * v for v in vl), sum(vr), sum(v * v for v in vr)]
        assert st.vbe_moments[n] == pytest.approx(ref, rel=1e-9, abs=1e-9)
    a = autonomy(st)
    assert np.all(np.isfinite(a))


def test_min_split_pmi_matches_reference():
    lines = random_lines()
    st = count_ngrams(lines, max_n=4, min_count=2)
    got = min_split_pmi(st)
    c = {st.word(i): int(st.counts[i]) for i in range(len(st))}
    for i in range(len(st)):
        w = st.word(i)
        if len(w) == 1:
            assert np.isnan(got[i])
            continue
        ref = min(math.log(c[w] * st.n_chars / (c[w[:k]] * c[w[k:]])) for k in range(1, len(w)))
        assert got[i] == pytest.approx(ref)
    ids = np.random.default_rng(0).permutation(len(st))[: len(st) // 3]
    np.testing.assert_array_equal(min_split_pmi(st, ids), got[ids])  # a subset, in its order


def compositions(w):
    for mask in range(1 << (len(w) - 1)):
        parts, s = [], 0
        for i in range(1, len(w) + 1):
            if i == len(w) or mask >> (i - 1) & 1:
                parts.append(w[s:i])
                s = i
        yield parts


def brute_best(text, score, unk, exclude_whole=False):
    best, arg = -math.inf, None
    for parts in compositions(text):
        if exclude_whole and len(parts) == 1:
            continue
        s = 0.0
        for p in parts:
            if p in score and score[p] > -math.inf:
                s += score[p]
            elif len(p) == 1:
                s += unk
            else:
                s = -math.inf
                break
        if s > best:
            best, arg = s, parts
    return best, arg


def test_viterbi_kernels_match_brute_force():
    rng = np.random.default_rng(0)
    lines = random_lines(120, seed=5)
    st, passes = learner_setup(lines, 4, 2)
    logp = np.log(rng.uniform(1e-4, 1, len(st)))
    logp[rng.uniform(size=len(st)) < 0.3] = -np.inf  # some entries are not words
    unk = -12.0
    score = {st.word(i): logp[i] for i in range(len(st))}
    expected = Counter()
    total_ref = 0.0
    for piece in han_pieces(lines):
        b, parts = brute_best_limited(piece, score, unk, 4)
        expected.update(p for p in parts if p in score and score[p] > -math.inf)
        total_ref += b
    counts = np.zeros(len(st), np.int64)
    total = sum(count_uses(chunk, cand, logp, unk, counts)[0]
                for chunk, cand in zip(resolve(passes.chunks_ref), resolve(passes.cands_ref)))
    assert total == pytest.approx(total_ref)
    assert {st.word(i): int(c) for i, c in enumerate(counts) if c} == dict(expected)
    assert passes.uses(logp, unk).tolist() == counts.tolist()  # the same through the engine
    alt = passes.split_scores(logp, unk)
    for i in range(len(st)):
        w = st.word(i)
        if len(w) > 1:
            assert alt[i] == pytest.approx(brute_best(w, score, unk, exclude_whole=True)[0])


def brute_best_limited(piece, score, unk, max_len):
    """Brute force on long pieces too: DP is what we test, so split the piece into short chunks
    only where no word of length <= max_len can cross (never): fall back to exhaustive DP."""
    best = [0.0] + [-math.inf] * len(piece)
    back = [None] * (len(piece) + 1)
    for j in range(1, len(piece) + 1):
        for i in range(max(0, j - max_len), j):
            w = piece[i:j]
            s = score.get(w, -math.inf)
            if s == -math.inf:
                if len(w) != 1:
                    continue
                s = unk
            if best[i] + s > best[j]:
                best[j], back[j] = best[i] + s, i
    parts, j = [], len(piece)
    while j > 0:
        parts.append(piece[back[j]:j])
        j = back[j]
    if len(piece) <= 10:  # cross-check the DP reference itself on short pieces
        assert best[-1] == pytest.approx(brute_best(piece, {k: v for k, v in score.items()
                                                            if len(k) <= max_len}, unk)[0])
    return best[-1], parts[::-1]


def test_learn_lexicon_recovers_words(toy):
    raw, gold = toy
    # the description-length stage alone finds every word of the toy vocabulary
    mdl = learn_lexicon(raw, boundary=False, mdl_keep_len=0)
    assert set(VOCAB) <= set(mdl.words)
    lrn = LexiconLearner("news").fit(raw)
    lex = lrn.lexicon_
    assert isinstance(lex, Lexicon)
    assert set(VOCAB) <= set(lex.words)
    assert [" ".join(lex.segment(x)) for x in raw] == [" ".join(g.split()) for g in gold]
    assert lrn.report_["lexicon_size"] == len(lex)
    multi = [i for i, w in enumerate(lex.words) if len(w) > 1]
    assert np.isfinite(lex.scores["pmi"][multi]).all() and np.isfinite(lex.scores["sub_pmi"][multi]).all()
    # without the maximality filter the boundary stage cuts 天安门 as 天 + 安门 on this toy, where
    # each character belongs to one word and so every inner bigram looks free
    loose = learn_lexicon(raw, maximal=False)
    assert "安门" in loose and "天安门" not in loose


def test_not_maximal_matches_definition():
    lines = random_lines(300, seed=11)
    st = count_ngrams(lines, max_n=3, min_count=2)
    pieces = han_pieces(lines)
    flags = not_maximal(st)
    for i in range(len(st)):
        w = st.word(i)
        if len(w) == 1:
            assert not flags[i]
            continue
        left, right = set(), set()
        for j, p in enumerate(pieces):
            for k in range(len(p) - len(w) + 1):
                if p[k:k + len(w)] == w:
                    left.add(p[k - 1] if k > 0 else ("edge", j, k))
                    right.add(p[k + len(w)] if k + len(w) < len(p) else ("edge", j, k))
        # an occurrence at a span edge is a distinct neighbour (never a shared one)
        assert flags[i] == (len(left) == 1 or len(right) == 1)


def test_learning_is_deterministic_and_saves(tmp_path, toy):
    raw, _ = toy
    a = learn_lexicon(raw[:400], mdl_rounds=3)
    b = learn_lexicon(list(raw[:400]), mdl_rounds=3)
    assert a.words == b.words and a.counts.tolist() == b.counts.tolist()
    path = tmp_path / "lex.tsv"
    a.save(str(path))
    c = Lexicon.load(str(path))
    assert c.words == a.words
    assert [c.segment(x) for x in raw[:50]] == [a.segment(x) for x in raw[:50]]


def test_variants_and_bad_parameters(toy):
    raw, _ = toy
    for params in ({"mdl": False}, {"boundary": False, "mdl_keep_len": 0}, {"prune": True, "mdl_rounds": 2},
                   {"mdl_min_pmi": 1.0, "mdl_rounds": 2}):
        assert len(learn_lexicon(raw[:300], **params)) > 0
    with pytest.raises(MinentError):
        preset_params("nope")
    with pytest.raises(MinentError):
        preset_params("news", no_such=1)
    with pytest.raises(MinentError):
        preset_params("news", boundary=False, mdl=False)
    with pytest.raises(MinentError):
        learn_lexicon(iter(raw))
    with pytest.raises(MinentError):
        learn_lexicon(["abc 123"])
    with pytest.raises(MinentError):
        preset_params("news", rules=3)
    with pytest.raises(MinentError):
        preset_params("news", affix_min_count=0)


def test_news_preset_has_middle_dot_rules(toy):
    raw, _ = toy
    assert preset_params("news").rules == 2 and preset_params("general").rules == 2
    names = ["乔治·布什", "约翰·史密斯"]
    lines = [f"{w}{names[i % 2]}{raw[i][:6]}１３·４亿" for i, w in enumerate(raw[:300])]
    lex = learn_lexicon(lines, mdl_rounds=3)
    assert lex.rules == 2
    seg = lex.segment(lines[0])
    assert "乔治·布什" in seg and seg[-1] == "１３·４亿"
    assert "·" in learn_lexicon(lines, mdl_rounds=3, rules=1).segment(lines[0])


def test_long_entries_need_split_pmi_and_entropy(toy):
    raw, _ = toy
    # (min_gain off: on this toy the long entries are phrases of toy words, which stage 6 drops)
    lrn = LexiconLearner("general", long_min_pmi=0.0, long_min_entropy=0.0, mdl_rounds=3,
                         min_gain=None).fit(raw[:600])
    base = LexiconLearner("general", mdl_rounds=3, min_gain=None).fit(raw[:600])
    # admitted entries join the union before re-estimation: longer words than the default keeps
    assert lrn.stage_counts_["final"][lrn.stats_.lengths > 2].sum() > 0
    assert (lrn.report_["multi_char_words"] > base.report_["multi_char_words"]
            or max(map(len, lrn.lexicon_.words)) > max(map(len, base.lexicon_.words)))
    assert preset_params("general").long_min_pmi is None  # off in the preset: it lowered F1


def test_description_length_matches_reference():
    lines = ["北京大学生，北京。", "大学生 ab 12", "北京北京"]
    lex = Lexicon(["北京", "大学生", "大学", "生"], [5, 3, 2, 1])
    code = description_length(lines, lex)
    units = Counter(u for line in lines for u in lex.segment(line))
    n = sum(units.values())
    chars = Counter(ch for line in lines for ch in line if not ch.isspace())
    nc = sum(chars.values())
    corpus = -sum(c * math.log2(c / n) for c in units.values())
    lex_bits = sum(elias_gamma_bits(len(u)) + sum(-math.log2(chars[ch] / nc) for ch in u)
                   + elias_gamma_bits(c) for u, c in units.items())
    assert isinstance(code, CodeLength)
    assert code.chars == nc and code.units == n and code.distinct_units == len(units)
    assert code.corpus_bits == pytest.approx(corpus)
    assert code.lexicon_bits == pytest.approx(float(lex_bits))
    assert code.L_total == pytest.approx((corpus + lex_bits) / nc)
    assert elias_gamma_bits(np.array([1, 2, 3, 4, 8])).tolist() == [1, 3, 3, 5, 7]


def test_heldout_information_charges_unseen_units():
    train = ["北京大学生。", "北京，大学生"] * 5
    lex = Lexicon(["北京", "大学生"], [10, 10])
    seen = heldout_information(train, ["北京大学生"], lex)
    unseen = heldout_information(train, ["上海大学生"], lex)
    assert seen["unseen_units"] == 0 and unseen["unseen_units"] == 2
    assert 0 < seen["L_heldout"] < unseen["L_heldout"]
    # known units cost -log2(c / (N + E)): 北京 and 大学生 each 10 of N = 30 units, E = 4 types
    assert seen["bits"] == pytest.approx(-2 * math.log2(10 / 34))


def test_fragment_share():
    lex = Lexicon(["北京", "的人", "是在", "学生", "了"], [5, 4, 3, 2, 1])
    out = fragment_share(lex, ["北京学生"])
    assert out["multi_char_entries"] == 4 and out["function_edge"] == 2
    assert out["unused"] == 3  # 的人, 是在, 了


def test_lexicon_scores_match_definitions():
    lines = random_lines(400, seed=7)
    lrn = LexiconLearner(mdl_rounds=3).fit(lines)
    lex, st = lrn.lexicon_, lrn.stats_
    c = {st.word(i): int(st.counts[i]) for i in range(len(st))}
    n = st.n_chars
    for i, w in enumerate(lex.words):
        if len(w) < 2:
            assert np.isnan(lex.scores["pmi"][i])
            continue
        p_w = lex.counts[i] / lex.total
        pmi = math.log(p_w) - sum(math.log(c[ch] / n) for ch in w)
        pair = min(math.log(c[w[k:k + 2]] * n / (c[w[k]] * c[w[k + 1]])) for k in range(len(w) - 1))
        assert lex.scores["pmi"][i] == pytest.approx(pmi)
        assert lex.scores["pair_pmi"][i] == pytest.approx(pair)
        assert lex.scores["fstar"][i] == pytest.approx(p_w * (pmi - 1))


def test_affix_counts_match_reference():
    """Stage 5 against plain Python: segment with the given counts, count adjacent Han units
    (2 chars, 1 char), keep pairs seen >= min_count times with unit PMI >= min_pmi."""
    rng = random.Random(5)
    stems, tails = ["北京", "上海", "和平", "天地"], ["市", "人", "的", "了"]
    lines = ["".join(rng.choice(stems) + (rng.choice(tails) if rng.random() < 0.7 else "")
                     + rng.choice(["，", "", "12", " "]) for _ in range(rng.randint(1, 6)))
             for _ in range(400)]
    st, passes = learner_setup(lines, 3, 2, rules=2)
    counts = np.zeros(len(st), np.int64)
    for w in stems:
        counts[st.id(w)] = 50
    for i in np.nonzero(st.lengths == 1)[0]:
        counts[i] = 10 + int(st.counts[i]) % 7
    lex = Lexicon([st.word(i) for i in np.nonzero(counts)[0]], counts[counts > 0], int(counts.sum()),
                  unknown_logp=math.log(0.5 / st.n_chars), rules=2)
    pairs = Counter()
    for line in lines:
        toks = lex.segment(line)
        pos, spans_ = 0, []
        for t in toks:
            k = line.index(t, pos)
            spans_.append((k, k + len(t), t))
            pos = k + len(t)
        for (a, b, u), (c, d, v) in zip(spans_, spans_[1:]):
            if b == c and len(u) == 2 and len(v) == 1 and all("\u4e00" <= ch <= "\u9fff" for ch in u + v):
                pairs[u + v] += 1
    units = counts.sum()
    for min_pmi, min_count in ((0.0, 3), (2.0, 3), (1.0, 30)):
        got = affix_counts(passes, st, counts, min_pmi, min_count)
        want = {w: n for w, n in pairs.items() if n >= min_count and st.id(w) >= 0
                and math.log(n * units / (counts[st.id(w[:2])] * counts[st.id(w[2])])) >= min_pmi}
        assert {st.word(i): int(got[i]) for i in np.nonzero(got)[0]} == want
    assert want


def test_affix_stage_recovers_word_plus_suffix():
    """Stems that are free words, two of them also seen with a bound suffix 市: branching
    entropy cuts 北京|市 (北京 is free), the affix stage joins it back. (A toy vocabulary has low
    PMIs everywhere, hence the lower threshold; independent pairs have PMI about 0.)"""
    rng = random.Random(7)
    stems = ["北京", "上海", "天津", "广州", "重庆", "深圳"]
    other = ["我们", "发展", "经济", "今天", "和", "的", "在", "人民", "工作"]
    lines = []
    for _ in range(1500):
        ws = []
        for _ in range(rng.randint(3, 7)):
            r = rng.random()
            stem = rng.choice(stems)
            ws.append(stem + ("市" if r < 0.3 and stem in ("北京", "上海") else "") if r < 0.5
                      else rng.choice(other))
        lines.append("".join(ws))
    on = LexiconLearner("news", mdl_rounds=3, affix_min_pmi=1.0).fit(lines)
    off = LexiconLearner("news", mdl_rounds=3, affix_min_pmi=None).fit(lines)
    assert "affix" in on.stage_counts_ and "affix" not in off.stage_counts_
    new = {w for w in on.lexicon_.words if len(w) == 3}
    assert new - set(off.lexicon_.words) == {"北京市", "上海市"}
    assert on.lexicon_.segment("今天北京市和上海发展") == ["今天", "北京市", "和", "上海", "发展"]


def suffix_lines(n=600, seed=11, stems=("积极", "重要", "可能", "必要"), share=0.6):
    """Stems, each followed by 性 (bound: after a stem only) ``share`` of the time, among free
    words (的 and 和 anywhere)."""
    rng = random.Random(seed)
    words = ["我们", "发展", "经济", "人", "在", "和", "个性", "性别", "的", "了"]
    lines = []
    for _ in range(n):
        ws = []
        for _ in range(rng.randint(2, 7)):
            if rng.random() < 0.4:
                ws.append(rng.choice(stems) + ("性" if rng.random() < share else ""))
            else:
                ws.append(rng.choice(words))
        lines.append("".join(ws) + rng.choice(["，", "。", ""]))
    return lines


def segment_pieces(st, counts, lines):
    """Plain-Python segmentation of every Han piece under ``counts`` (the learner's decoder)."""
    lex = Lexicon([st.word(i) for i in np.nonzero(counts)[0]], counts[counts > 0], int(counts.sum()),
                  unknown_logp=math.log(0.5 / st.n_chars), rules=2)
    return [lex.segment(piece) for piece in han_pieces(lines)]


def suffix_counts_setup(jobs=1):
    lines = suffix_lines()
    st, passes = learner_setup(lines, 3, 2, rules=2, jobs=jobs)
    counts = np.zeros(len(st), np.int64)
    for w in ("积极", "重要", "可能", "必要", "我们", "发展", "经济", "个性", "性别"):
        counts[st.id(w)] = 40
    for i in np.nonzero(st.lengths == 1)[0]:
        counts[i] = 10 + int(st.counts[i]) % 7
    return lines, st, passes, counts


def test_bound_suffixes_match_reference():
    """The kernel of the bound-suffix test against plain Python: uses of each entry and those
    right after a word of 2+ characters in the same clause; the mask from its definition."""
    lines, st, passes, counts = suffix_counts_setup()
    logp = np.where(counts > 0, np.log(np.maximum(counts, 1) / counts.sum()), -np.inf)
    unk = math.log(0.5 / st.n_chars)
    uses, after = Counter(), Counter()
    for toks in segment_pieces(st, counts, lines):
        for k, t in enumerate(toks):
            uses[t] += 1
            if k > 0 and len(toks[k - 1]) >= 2:
                after[t] += 1
    out = np.zeros((2, len(st)), np.int64)
    for chunk, cand in zip(resolve(passes.chunks_ref), resolve(passes.cands_ref)):
        after_long_uses(chunk, cand, logp, unk, out)
    assert {st.word(i): int(c) for i, c in enumerate(out[0]) if c} == dict(uses)
    assert {st.word(i): int(c) for i, c in enumerate(out[1]) if c} == dict(after)
    assert np.array_equal(passes.after_long(logp, unk), out)  # the same through the engine
    inside = Counter(ch for w, c in uses.items() if len(w) > 1 for ch in w for _ in range(c))
    masks = []
    for share, free, min_uses in ((0.7, 0.8, 20), (0.5, 1.0, 1), (0.9, 0.5, 5)):
        got = bound_suffixes(passes, st, counts, share, free, min_uses)
        want = {w for w, n in uses.items() if len(w) == 1 and n >= min_uses and after[w] >= share * n
                and n <= free * (n + inside[w])}
        assert {st.word(i) for i in np.nonzero(got)[0]} == want
        masks.append(want)
    assert "性" in masks[0] and "的" not in masks[0]  # 的 also follows the one-character words


def test_all_han_marks_entries_of_ideographs_only():
    st = count_ngrams(["保存した後に保存先", "保存した後に保存先"], 3, 2, rules=2)
    got = {st.word(i) for i in np.nonzero(all_han(st))[0]}
    assert got == {w for w in (st.word(i) for i in range(len(st))) if all("\u4e00" <= c <= "\u9fff" for c in w)}
    assert {"保存", "保存先", "後"} <= got and "した" not in got and "後に" not in got


def test_suffix_affix_counts_need_a_bound_suffix():
    """With a suffix mask, only word + masked character pairs become entries (same PMI rule)."""
    lines, st, passes, counts = suffix_counts_setup()
    allowed = np.zeros(len(st), bool)
    allowed[st.id("性")] = True
    every = affix_counts(passes, st, counts, 0.0, 3)
    only = affix_counts(passes, st, counts, 0.0, 3, suffixes=allowed)
    assert {st.word(i) for i in np.nonzero(only)[0]} == {st.word(i) for i in np.nonzero(every)[0]
                                                         if st.word(i).endswith("性")}
    assert np.array_equal(only[only > 0], every[only > 0])
    assert {st.word(i) for i in np.nonzero(only)[0]} == {"积极性", "重要性", "可能性", "必要性"}


def test_suffix_stage_joins_stem_and_bound_suffix_on_two_jobs():
    """Exact small case: eight free stems, each followed by 性 half the time. Branching entropy
    cuts stem | 性 and stage 5 (5 nats) does not join them; the suffix stage (at 1 nat: a toy
    has low PMIs everywhere) adds the eight stem + 性 words and nothing else. The same lexicon on
    one and two jobs."""
    stems = ("积极", "重要", "可能", "必要", "创造", "稳定", "安全", "灵活")
    lines = suffix_lines(1500, 3, stems, 0.5)
    on = LexiconLearner("general", jobs=1, background="none", mdl_rounds=3, suffix_min_pmi=1.0).fit(lines)
    off = LexiconLearner("general", jobs=1, background="none", mdl_rounds=3, suffix_min_pmi=None).fit(lines)
    assert "suffix" in on.stage_counts_ and "suffix" not in off.stage_counts_
    added = {on.stats_.word(i) for i in np.nonzero(on.stage_counts_["suffix"])[0]}
    assert added == {s + "性" for s in stems}
    assert not [w for w in off.lexicon_.words if len(w) == 3]
    assert on.lexicon_.segment("我们的积极性和重要性") == ["我们", "的", "积极性", "和", "重要性"]
    assert off.lexicon_.segment("我们的积极性和重要性") == ["我们", "的", "积极", "性", "和", "重要", "性"]
    two = LexiconLearner("general", jobs=2, background="none", mdl_rounds=3, suffix_min_pmi=1.0).fit(lines)
    assert two.lexicon_.words == on.lexicon_.words
    assert np.array_equal(two.lexicon_.counts, on.lexicon_.counts)


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed")
def test_suffix_stage_same_on_dask():
    stems = ("积极", "重要", "可能", "必要", "创造", "稳定", "安全", "灵活")
    lines = suffix_lines(1500, 3, stems, 0.5)
    one = LexiconLearner("general", jobs=1, background="none", mdl_rounds=3, suffix_min_pmi=1.0).fit(lines)
    engine = make_engine("dask", 2)
    try:
        dask = LexiconLearner("general", engine=engine, background="none", mdl_rounds=3,
                              suffix_min_pmi=1.0).fit(lines)
    finally:
        engine.close()
    assert np.count_nonzero(one.stage_counts_["suffix"]) == len(stems)
    assert dask.lexicon_.words == one.lexicon_.words
    assert np.array_equal(dask.lexicon_.counts, one.lexicon_.counts)


def name_lines(n=3000, seed=5, names=("斯大林", "日内瓦", "拉巴特")):
    """Free two-character words and function characters, with three transliterated names (3% of
    the words) whose characters also live inside the words (大家 森林 日本 国内 瓦解)."""
    rng = random.Random(seed)
    words = ["我们", "发展", "经济", "人", "在", "和", "的", "了", "大家", "森林", "日本", "国内", "特别",
             "拉动", "斯文", "巴黎", "瓦解"]
    lines = []
    for _ in range(n):
        ws = [rng.choice(names) if rng.random() < 0.03 else rng.choice(words) for _ in range(rng.randint(2, 7))]
        lines.append("".join(ws) + rng.choice(["，", "。", ""]))
    return lines


def test_inner_entries_matches_reference():
    """Whether a proper substring of 2+ characters has a count, against plain Python."""
    st = count_ngrams(random_lines(), max_n=4, min_count=2)
    rng = np.random.default_rng(3)
    counts = np.where(rng.random(len(st)) < 0.3, 5, 0)
    words = {st.word(i) for i in np.nonzero(counts)[0]}
    ids = np.nonzero(st.lengths >= 2)[0]
    got = inner_entries(st, ids, counts)
    for i, g in zip(ids, got):
        w = st.word(i)
        subs = {w[a:b] for a in range(len(w)) for b in range(a + 2, len(w) + 1) if b - a < len(w)}
        assert g == bool(subs & words), w
    assert not inner_entries(st, ids[st.lengths[ids] == 2], counts).any()


def test_spelled_counts_match_definition():
    """Stage 6c from its definition: stage-3 entries of 3+ characters, not in the lexicon, no
    word inside, min split PMI and both branching entropies at the thresholds; the names of the
    toy and no run of function characters."""
    lines = name_lines()
    st, passes = learner_setup(lines, 4, 2, rules=2)
    counts = np.zeros(len(st), np.int64)
    for w in ("我们", "发展", "经济", "大家", "森林", "日本", "国内", "特别", "拉动", "斯文", "巴黎", "瓦解"):
        counts[st.id(w)] = 100
    for i in np.nonzero(st.lengths == 1)[0]:
        counts[i] = 50
    mdl = np.where(st.counts >= 3, st.counts, 0)
    words = {st.word(i) for i in np.nonzero(counts)[0]}
    pmi = min_split_pmi(st)
    for th, h in ((3.0, 0.0), (1.0, 0.0), (3.0, 1.5), (0.0, 0.0)):
        got = spelled_counts(st, counts, mdl, th, h)
        want = set()
        for i in np.nonzero((mdl > 0) & (st.lengths >= 3) & (counts == 0))[0]:
            w = st.word(i)
            subs = {w[a:b] for a in range(len(w)) for b in range(a + 2, len(w) + 1) if b - a < len(w)}
            if pmi[i] >= th and min(st.h_left[i], st.h_right[i]) >= h and not subs & words:
                want.add(w)
                assert got[i] == mdl[i]
        assert {st.word(i) for i in np.nonzero(got)[0]} == want
        if th == 3.0 and h == 0.0:
            assert want == {"斯大林", "日内瓦", "拉巴特"}
    runs = {st.word(i) for i in np.nonzero(spelled_counts(st, counts, mdl, -99.0, 0.0))[0]}
    assert {w for w in runs if set(w) <= set("人在和的了")}  # runs of function characters: low PMI
    passes.close()


def test_spelled_stage_joins_names_on_two_jobs():
    """Exact small case: without the boundary stage, the names are stage-3 entries of three
    characters that the union (two-character MDL entries) leaves out, so they are spelled
    character by character; the spelled-unit stage adds exactly the three names. The same
    lexicon on one and two jobs."""
    lines = name_lines()
    kw = dict(background="none", mdl_rounds=3, boundary=False)
    on = LexiconLearner("general", jobs=1, spelled_min_pmi=3.0, **kw).fit(lines)
    off = LexiconLearner("general", jobs=1, spelled_min_pmi=None, **kw).fit(lines)
    assert "spelled" not in off.stage_counts_
    added = {on.stats_.word(i) for i in np.nonzero(on.stage_counts_["spelled"])[0]}
    assert added == {"斯大林", "日内瓦", "拉巴特"}
    text = "我们在斯大林和日内瓦发展经济"
    assert on.lexicon_.segment(text) == ["我们", "在", "斯大林", "和", "日内瓦", "发展", "经济"]
    assert off.lexicon_.segment(text) == ["我们", "在", "斯", "大", "林", "和", "日", "内", "瓦", "发展", "经济"]
    two = LexiconLearner("general", jobs=2, spelled_min_pmi=3.0, **kw).fit(lines)
    assert two.lexicon_.words == on.lexicon_.words
    assert np.array_equal(two.lexicon_.counts, on.lexicon_.counts)


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed")
def test_spelled_stage_same_on_dask():
    lines = name_lines()
    kw = dict(background="none", mdl_rounds=3, boundary=False, spelled_min_pmi=3.0)
    one = LexiconLearner("general", jobs=1, **kw).fit(lines)
    engine = make_engine("dask", 2)
    try:
        dask = LexiconLearner("general", engine=engine, **kw).fit(lines)
    finally:
        engine.close()
    assert np.count_nonzero(one.stage_counts_["spelled"]) == 3
    assert dask.lexicon_.words == one.lexicon_.words
    assert np.array_equal(dask.lexicon_.counts, one.lexicon_.counts)


def test_cohesion_prune_matches_reference():
    """Stage 6 against plain Python: per-use gain ln p(w) - best split of w into other entries
    (an unknown single character costs ln(0.5 / total)); entries under the floor are dropped."""
    lines = random_lines(400, seed=3)
    st, passes = learner_setup(lines, 3, 2)
    counts = st.counts.astype(np.int64).copy()
    words = {st.word(i): int(c) for i, c in enumerate(counts)}
    total = sum(words.values())
    unk = math.log(0.5 / total)

    def best_split(w):
        best = [0.0] + [-math.inf] * len(w)
        for i in range(len(w)):
            for k in range(1, min(3, len(w) - i) + 1):
                if k == len(w):
                    break
                part = w[i:i + k]
                lp = math.log(words[part] / total) if words.get(part) else (unk if k == 1 else None)
                if lp is not None:
                    best[i + k] = max(best[i + k], best[i] + lp)
        return best[-1]

    gains = {w: math.log(c / total) - best_split(w) for w, c in words.items() if len(w) > 1}
    sizes = []
    for floor in (0.5, 2.0, 3.5):
        got = cohesion_prune(passes, st, counts, floor, rounds_reestimate=0)
        want = {w for w, g in gains.items() if g < floor}
        assert {st.word(i) for i in np.nonzero((got == 0) & (counts > 0))[0]} == want
        assert all(got[st.id(w)] == c for w, c in words.items() if w not in want)
        sizes.append(len(want))
    assert 0 < sizes[0] < sizes[1] <= sizes[2] and sizes[0] < len(gains)


def test_cohesion_prune_drops_phrases_of_free_words():
    """A frequent pair of free words (新 + 的, about independent) saves well under a nat per use
    and goes; a word whose characters never occur apart (经济) stays; re-estimation then cuts
    the phrase into its parts."""
    lines = (["新的经济"] * 30 + ["新"] * 90 + ["的"] * 400 + ["发展的"] * 300 + ["新发展"] * 60)
    st, passes = learner_setup(lines, 3, 2)
    counts = np.zeros(len(st), np.int64)
    for w, c in {"新": 150, "的": 730, "新的": 30, "经济": 30, "发展": 360}.items():
        counts[st.id(w)] = c
    got = cohesion_prune(passes, st, counts, 3.5, rounds_reestimate=1)
    kept = {st.word(i) for i in np.nonzero(got)[0]}
    assert "新的" not in kept and {"经济", "发展", "新", "的"} <= kept
    assert got[st.id("的")] == 730 and got[st.id("新")] == 180 and got[st.id("经济")] == 30
    with pytest.raises(MinentError):
        preset_params("news", min_gain_rounds=0)


def test_logp_and_spelling_of_some_entries_are_the_full_formulas():
    """_logp takes the logs of the entries with counts only, spelling_nats(ids) sums the entries
    ``ids`` only: the same floats as the formulas over every entry."""
    from minent.discovery import _logp
    rng = np.random.default_rng(2)
    counts = np.where(rng.random(5000) < 0.8, 0, rng.integers(1, 10**6, 5000))
    with np.errstate(divide="ignore"):
        want = np.where(counts > 0, np.log(np.maximum(counts, 1) / counts.sum()), -np.inf)
    assert np.array_equal(_logp(counts), want)
    assert np.array_equal(_logp(np.zeros(3, np.int64)), np.full(3, -np.inf))
    raw, _ = word_corpus(800, seed=4)
    clauses = collect_clauses(raw, 2)
    stats = _count_ngrams(clauses.chunks(), 4, 2)
    full = stats.spelling_nats()
    ids = np.array([len(stats) - 1, 0, 5, 5, 3 * len(stats) // 4])
    assert np.array_equal(stats.spelling_nats(ids), full[ids])
    assert stats.spelling_nats(np.zeros(0, np.int64)).shape == (0,)


def test_count_order_of_ngram_entries_is_the_lexicon_order():
    """NGramStats.count_order (code columns) = count_order of the entries' words, ties included."""
    from minent.lexicon import count_order
    raw, _ = word_corpus(800, seed=6)
    stats = _count_ngrams(collect_clauses(raw, 2).chunks(), 4, 2)
    rng = np.random.default_rng(1)
    ids = rng.permutation(len(stats))[: len(stats) // 2]
    for counts in (rng.integers(1, 4, len(ids)), stats.counts[ids]):
        assert stats.count_order(ids, counts).tolist() == count_order(stats.words(ids), counts).tolist()
    assert stats.count_order(np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == []
