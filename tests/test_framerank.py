"""The frames ranking (minent.framerank): kernels against plain-Python definitions, the sample,
and what a user sees: grammatical frames above more frequent topical pairs."""

import math
import random

import numpy as np
import pytest

from minent import TemplateFinder
from minent.errors import MinentError
from minent.framerank import FrameSample, first_sentences, frame_factor_reference, openness
from minent.templates import Templates


def _flat(sentences):
    ids = np.array([w for s in sentences for w in s], np.int32)
    bounds = np.zeros(len(sentences) + 1, np.int64)
    np.cumsum([len(s) for s in sentences], out=bounds[1:])
    return ids, bounds


class _Block:
    def __init__(self, sentences):
        words = sorted({w for s in sentences for w in s})
        code = {w: i + 1 for i, w in enumerate(words)}
        self.ids, self.bounds = _flat([[code[w] for w in s] for s in sentences])


def _random_sentences(seed, n=60, vocab=7):
    rng = random.Random(seed)
    return [[rng.randint(1, vocab) for _ in range(rng.randint(0, 9))] for _ in range(n)]


def test_openness_matches_definition():
    sents = [[1, 2, 3], [1, 3], [], [1, 2], [4], [2, 1, 0, 1, 4]]
    right, left = openness(*_flat(sents), 6)
    # word 1 is followed by 2, 3, 2, 4 (the 0 is unknown: no pair): entropy of (2/4, 1/4, 1/4)
    h = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert right[1] == pytest.approx(h / math.log(5))
    assert right[3] == 0.0 and right[4] == 0.0  # never followed by a word
    assert right[2] == pytest.approx(math.log(2) / math.log(3))  # 2 -> 3, 2 -> 1: two outcomes once each
    # word 2 is preceded by 1 twice (and starts a sentence once): one outcome, entropy 0
    assert left[2] == pytest.approx(0.0)
    assert left[4] == pytest.approx(0.0)


def test_openness_two_outcomes():
    right, _ = openness(*_flat([[5, 1], [5, 2]]), 6)
    assert right[5] == pytest.approx(math.log(2) / math.log(3))


def _order_counts(sents, window, skip=None):
    """The ``order`` tuple of every pair that occurs (all pairs linked), less ``skip``."""
    n = {}
    for s in sents:
        for i in range(len(s)):
            for j in range(i + 1, min(len(s), i + window + 1)):
                n[(s[i], s[j])] = n.get((s[i], s[j]), 0) + 1
    keys = sorted((a << 32) | b for a, b in n if (a << 32) | b != skip)
    fw = [n[(k >> 32, k & 0xFFFFFFFF)] for k in keys]
    bw = [n.get((k & 0xFFFFFFFF, k >> 32), 0) for k in keys]
    return np.array(keys, np.int64), np.array(fw, np.int64), np.array(bw, np.int64)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_frame_factors_match_reference(seed):
    sents = _random_sentences(seed)
    patterns = [(1, 0, 2, 0), (0, 3, 0, 1, 0), (0, 1, 2, 0), (4, 0), (0, 5), (0, 2, 0, 3, 0, 4, 0), (0, 6, 6, 0),
                (1, 0, 1), (0, 7, 0)]
    arena = np.array([c for p in patterns for c in p], np.int32)
    starts = np.zeros(len(patterns) + 1, np.int64)
    np.cumsum([len(p) for p in patterns], out=starts[1:])
    sample = FrameSample(*_flat(sents), 8)
    got = sample.factors(arena, starts, np.arange(len(patterns)), _order_counts(sents, 3, skip=(1 << 32) | 1))
    want = [frame_factor_reference(list(p), sents, 3, unlinked={(1, 1)}) for p in patterns]
    assert got.tolist() == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_sample_takes_whole_sentences_in_order():
    class B:
        def __init__(self, sents):
            self.ids, self.bounds = _flat(sents)
    blocks = [B([[1, 2], [3, 4, 5]]), B([[6], [7, 8, 9], [1]])]
    ids, bounds = first_sentences(blocks, 6)
    assert ids.tolist() == [1, 2, 3, 4, 5, 6]
    assert bounds.tolist() == [0, 2, 5, 6]
    ids, bounds = first_sentences(blocks, 7)  # the sentence crossing the limit is whole
    assert ids.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    ids, bounds = first_sentences(blocks, 100)
    assert bounds.tolist() == [0, 2, 5, 6, 9, 10]
    s = FrameSample.of_blocks(blocks, 10, max_words=7)
    assert (s.n_words, s.n_sentences) == (9, 4)


def _corpus():
    """A frame 在 … 中 whose slot is open (40 different words after 在), against a more frequent
    topical pair 经济 … 发展 that comes in both orders, with three words after 经济 / 发展."""
    rng = random.Random(0)
    fill = [f"w{i}" for i in range(40)]
    other = [f"o{i}" for i in range(300)]
    adv = ["很", "也", "都"]
    sents = []
    for i in range(40):
        sents.append([f"s{i % 10}", "在", fill[i], f"m{i % 13}", "中", f"v{i % 9}"])
    for i in range(50):
        sents.append([rng.choice(other), "经济", adv[i % 3], rng.choice(fill), "发展", rng.choice(other)])
        sents.append([rng.choice(other), "发展", adv[(i + 1) % 3], rng.choice(fill), "经济", rng.choice(other)])
    for i in range(300):
        sents.append([rng.choice(other) for _ in range(8)])
    return sents


def test_frames_rank_frames_above_frequent_topical_pairs():
    data = _corpus()
    by_count = TemplateFinder(min_count=5, ranking="count", n_examples=0).fit(data).templates_
    by_frames = TemplateFinder(min_count=5, n_examples=0).fit(data).templates_
    assert by_frames.meta["ranking"] == "frames"
    rows = [r["template"] for r in by_frames.top(None, trivial=False)]
    count_rows = [r["template"] for r in by_count.top(None, trivial=False)]
    frame = "[X] 在 [X] 中 [X]"
    topical = "[X] 经济 [X] 发展 [X]"
    assert frame in rows and topical in rows
    assert count_rows.index(topical) < count_rows.index(frame)  # more frequent
    assert rows.index(frame) < rows.index(topical)  # but a frame
    # the same templates and counts, another order
    assert sorted(zip(by_frames.counts.tolist(), map(by_frames.text, range(len(by_frames))))) == \
        sorted(zip(by_count.counts.tolist(), map(by_count.text, range(len(by_count)))))


def test_frames_ranking_needs_the_corpus():
    tpl = Templates(["[X] 在 [X] 中 [X]", "[X] 的"], [3, 5])
    with pytest.raises(MinentError, match="frames ranking"):
        tpl.order("frames")
    assert tpl.order("count") == [1, 0]


def test_frames_ranking_deterministic_and_sample_bounded(monkeypatch):
    """Fit twice: the same order. With a sample smaller than the corpus, the statistics come from
    its first sentences only (here: the 在 … 中 sentences, where 经济 never occurs: its slot reads
    as closed and the topical pair falls to the bottom)."""
    data = _corpus()
    a = TemplateFinder(min_count=5, n_examples=0).fit(data).templates_
    b = TemplateFinder(min_count=5, n_examples=0).fit(data).templates_
    assert [a.text(i) for i in range(len(a))] == [b.text(i) for i in range(len(b))]
    import minent.framerank as fr
    full = FrameSample.of_blocks([_Block(data)], 1000)
    monkeypatch.setattr(FrameSample.of_blocks.__func__, "__defaults__", (6 * 40,))
    part = FrameSample.of_blocks([_Block(data)], 1000)
    assert part.n_sentences == 40 and full.n_sentences == len(data)
    c = TemplateFinder(min_count=5, n_examples=0).fit(data).templates_
    assert sorted(c.counts.tolist()) == sorted(a.counts.tolist())  # the same templates
    rows = [c.text(i) for i in range(len(c))]
    assert rows != [a.text(i) for i in range(len(a))]  # ranked on the first 40 sentences only


def test_end_lift():
    from minent.framerank import end_lift
    start, end = end_lift(*_flat([[1, 2], [1, 3], [2, 1], []]), 4)
    # 3 non-empty sentences over 6 words: a word starts one with probability 0.5
    assert start[1] == pytest.approx((2 / 3) / 0.5) and end[1] == pytest.approx((1 / 3) / 0.5)
    assert start[3] == 0.0 and end[3] == pytest.approx(1 / 0.5)
    assert start[0] == 0.0
