"""Ranking templates as frames: open slots, fixed literal order.

A grammatical frame (在 [X] 中, 从 [X] 到 [X], 不仅 [X] 而且 [X], "[X] 吗") differs from the other
frequent templates of a corpus in two ways that counts show without any annotation:

- **Its slots are open.** What follows 在 inside 在 [X] 中 can be almost any word; what follows
  新华社 in the dateline "新华社 [X] 电" is a short list of places, and what follows 经济 in
  "经济 [X] 发展" is mostly 的 or an adverb. The *openness* of a word w is the entropy of the word
  right after it, over its occurrences, divided by its largest possible value ln(n_w + 1)
  (n_w: occurrences of w followed by a word), so it lies in [0, 1) whatever w's frequency; the
  openness of a slot is that of the literal just before it (or, for a slot at the start of a
  template, the mirror quantity of the literal just after it: the entropy of the word before it).
- **Its literals come in a fixed order, or at a fixed place.** 在 ... 中 is far more frequent than
  中 ... 在 within the pair window; topical pairs (经济 ... 发展 / 发展 ... 经济) and repetitions
  (农业 ... 农业) come in both orders about equally. The *order ratio* of a gap between literals a
  and b is (n(a before b) + 1) / (n(b before a) + 1), the counts of the mining pass (ordered word
  pairs at distance 1..window of one sentence, the whole corpus: every gap of a template joins a
  linked pair, whose counts and reverse counts the link step keeps; a gap of an inner path that
  is not a linked pair counts as ratio 1). A template without an inner gap is held by
  a sentence end instead ("为什么 [X]": the sentence starts with 为什么; "[X] 吗": it ends with 吗);
  its order ratio is the *lift* of that place for the word, P(w starts a sentence) / P(a word
  starts a sentence) (or ends, for "[X] w"), at least 1; "[X] w1 w2 [X]" has order ratio 1.

The ``"frames"`` ranking scores a kept template by ::

    count x min(order ratio, ORDER_CAP) ** ORDER_POWER x openness ** OPEN_POWER

taking, over the template's inner gaps, the smallest order ratio and the smallest openness of a
slot; a template without an inner gap takes the openness of its outer slots. The constants were
chosen on dev data (README): half of the frame list bench/frames_zh.txt on pd1998, checked on the
other half, and the question frames of LCQMC dev, which count ranking already found.

The openness and the lift come from a sample: the first :data:`SAMPLE_WORDS` words of the corpus
(whole sentences, in corpus order), so they take bounded memory at any corpus size and are the
same on any number of jobs. Below that size the sample is the whole corpus.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
from numba import njit


#: Words of the sample the frame statistics are counted on (2^23: the first ~40 MB of news text).
SAMPLE_WORDS = 1 << 23
#: Order ratios above this count as this (a fixed frame is fixed; more evidence adds nothing).
ORDER_CAP = 20.0
#: Exponent of the order ratio in the score.
ORDER_POWER = 0.5
#: Exponent of the openness in the score.
OPEN_POWER = 4.0


def openness(ids: np.ndarray, bounds: np.ndarray, n_vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """``(right, left)`` openness of every word id below ``n_vocab`` (see the module doc): the
    entropy (nats) of the next (previous) word over the occurrences of w that have one in the same
    sentence, divided by ln(n + 1); 0 for a word with no such occurrence. Ids <= 0 (unknown) take
    part in no pair."""
    ids = np.asarray(ids, np.int64)
    bounds = np.asarray(bounds, np.int64)
    follows = np.ones(ids.shape[0], np.bool_)  # position i has a successor i + 1 in its sentence
    follows[bounds[1:][bounds[1:] > bounds[:-1]] - 1] = False  # the last word of each non-empty sentence
    at = np.nonzero(follows)[0]
    a, b = ids[at], ids[at + 1]
    known = (a > 0) & (b > 0)
    keys, counts = np.unique((a[known] << 32) | b[known], return_counts=True)
    out = []
    for word in (keys >> 32, keys & 0xFFFFFFFF):
        n = np.bincount(word, weights=counts, minlength=n_vocab)[:n_vocab]
        s = np.bincount(word, weights=counts * np.log(counts), minlength=n_vocab)[:n_vocab]
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(n > 0, np.log(np.maximum(n, 1)) - s / np.maximum(n, 1), 0.0)
            out.append(np.where(n > 0, np.maximum(h, 0.0) / np.log(n + 1), 0.0))
    return out[0], out[1]


def end_lift(ids: np.ndarray, bounds: np.ndarray, n_vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """``(start, end)`` lift of every word id below ``n_vocab``: the share of its occurrences that
    start (end) a non-empty sentence over the share of all known words that do; 0 for a word with
    no occurrence."""
    ids = np.asarray(ids, np.int64)
    bounds = np.asarray(bounds, np.int64)
    full = bounds[1:] > bounds[:-1]
    known = ids > 0
    n = np.bincount(ids[known], minlength=n_vocab)[:n_vocab].astype(np.float64)
    base = np.count_nonzero(full) / max(int(np.count_nonzero(known)), 1)
    out = []
    for at in (bounds[:-1][full], bounds[1:][full] - 1):
        w = ids[at]
        k = np.bincount(w[w > 0], minlength=n_vocab)[:n_vocab]
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.where(n > 0, k / np.maximum(n, 1) / max(base, 1e-300), 0.0))
    return out[0], out[1]


@njit(cache=True)
def _pair_counts(order, k):
    """``(n(k), n(reverse k))`` of pair key ``k`` in ``order`` — ``(keys, counts, reverse
    counts)``, keys sorted — or (-1, -1) when ``k`` is not there."""
    keys = order[0]
    at = np.searchsorted(keys, k)
    if at < keys.shape[0] and keys[at] == k:
        return order[1][at], order[2][at]
    return -1, -1


@njit(cache=True)
def frame_factors(arena, starts, sel, stats, order, cap, order_power, open_power):
    """Per template of ``sel``: ``min(order ratio, cap) ** order_power x openness ** open_power``
    (module doc), with the word statistics ``stats`` (:attr:`FrameSample.stats`) and the pair
    counts ``order`` (``(keys, counts, reverse counts)``, keys sorted: the linked pairs)."""
    open_right, open_left, lift_start, lift_end = stats
    out = np.empty(sel.shape[0], np.float64)
    for r in range(sel.shape[0]):
        t = sel[r]
        lo, hi = starts[t], starts[t + 1]
        ratio = np.inf
        opened = np.inf
        for k in range(lo + 1, hi - 1):
            if arena[k] == 0 and arena[k - 1] > 0 and arena[k + 1] > 0:
                a, b = arena[k - 1], arena[k + 1]
                fw, bw = _pair_counts(order, (np.int64(a) << 32) | b)
                ratio = min(ratio, (fw + 1.0) / (bw + 1.0) if fw >= 0 else 1.0)
                opened = min(opened, open_right[a])
        if ratio == np.inf:  # no inner gap: the outer slots, and the sentence end that holds it
            ratio = 1.0
            if hi - lo >= 2 and arena[lo] == 0 and arena[lo + 1] > 0:
                opened = min(opened, open_left[arena[lo + 1]])
                if arena[hi - 1] > 0:
                    ratio = max(lift_end[arena[hi - 1]], 1.0)
            if hi - lo >= 2 and arena[hi - 1] == 0 and arena[hi - 2] > 0:
                opened = min(opened, open_right[arena[hi - 2]])
                if arena[lo] > 0:
                    ratio = max(lift_start[arena[lo]], 1.0)
            if opened == np.inf:
                opened = 0.0
        out[r] = min(ratio, cap) ** order_power * opened ** open_power
    return out


def first_sentences(blocks: Iterable, max_words: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, bounds)`` of the first sentences of ``blocks`` (objects with ``ids`` and
    ``bounds``, in corpus order): whole sentences up to and including the one that reaches
    ``max_words`` words."""
    ids, lengths, total = [], [], 0
    for block in blocks:
        lens = np.diff(block.bounds)
        take = lens.shape[0]
        if total + int(block.bounds[-1]) > max_words:
            take = min(int(np.searchsorted(np.cumsum(lens), max_words - total, side="left")) + 1, lens.shape[0])
        ids.append(block.ids[: block.bounds[take]])
        lengths.append(lens[:take])
        total += int(block.bounds[take])
        if total >= max_words:
            break
    lens = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    bounds = np.zeros(lens.shape[0] + 1, np.int64)
    np.cumsum(lens, out=bounds[1:])
    return (np.concatenate(ids) if ids else np.zeros(0, np.int32)), bounds


class FrameSample:
    """The word statistics of the frames ranking (openness, sentence-end lift) on a sample of
    encoded sentences; the sample itself is not kept."""

    def __init__(self, ids: np.ndarray, bounds: np.ndarray, n_vocab: int):
        ids = np.ascontiguousarray(ids, np.int32)
        bounds = np.ascontiguousarray(bounds, np.int64)
        self.n_words, self.n_sentences = int(ids.shape[0]), int(bounds.shape[0] - 1)
        self.open_right, self.open_left = openness(ids, bounds, n_vocab)
        self.lift_start, self.lift_end = end_lift(ids, bounds, n_vocab)

    @classmethod
    def of_blocks(cls, blocks: Iterable, n_vocab: int, max_words: int = SAMPLE_WORDS) -> "FrameSample":
        """From the first ``max_words`` words (whole sentences, :func:`first_sentences`) of
        blocks of encoded sentences."""
        return cls(*first_sentences(blocks, max_words), n_vocab)

    @property
    def stats(self) -> tuple:
        """``(open_right, open_left, lift_start, lift_end)``, the word arrays the kernels read."""
        return self.open_right, self.open_left, self.lift_start, self.lift_end

    def factors(self, arena: np.ndarray, starts: np.ndarray, sel: np.ndarray, order: tuple) -> np.ndarray:
        """:func:`frame_factors` of the templates ``sel``."""
        return frame_factors(arena, starts, np.ascontiguousarray(sel, np.int64), self.stats, order,
                             float(ORDER_CAP), float(ORDER_POWER), float(OPEN_POWER))


def frame_factor_reference(pattern: list[int], sentences: list[list[int]], window: int,
                           unlinked=frozenset()) -> float:
    """Plain-Python :func:`frame_factors` of one template (word ids, 0 = placeholder) over
    ``sentences`` (lists of word ids), every pair linked but those in ``unlinked``: the
    definition, for tests."""
    def ent_open(pairs):
        by = {}
        for w, v in pairs:
            by.setdefault(w, {}).setdefault(v, 0)
            by[w][v] += 1
        res = {}
        for w, c in by.items():
            n = sum(c.values())
            h = -sum(x / n * math.log(x / n) for x in c.values())
            res[w] = max(h, 0.0) / math.log(n + 1)
        return res
    adj = [(s[i], s[i + 1]) for s in sentences for i in range(len(s) - 1) if s[i] > 0 and s[i + 1] > 0]
    right, left = ent_open(adj), ent_open([(b, a) for a, b in adj])
    words = [w for s in sentences for w in s if w > 0]
    base = sum(1 for s in sentences if s) / max(len(words), 1)

    def lift(w, first):
        n = words.count(w)
        k = sum(1 for s in sentences if s and (s[0] if first else s[-1]) == w)
        return k / n / base if n else 0.0

    def n_pair(a, b):
        return sum(1 for s in sentences for i in range(len(s)) for j in range(i + 1, min(len(s), i + window + 1))
                   if s[i] == a and s[j] == b)
    ratio, opened = math.inf, math.inf
    for k in range(1, len(pattern) - 1):
        if pattern[k] == 0 and pattern[k - 1] > 0 and pattern[k + 1] > 0:
            a, b = pattern[k - 1], pattern[k + 1]
            linked = (a, b) not in unlinked and n_pair(a, b) > 0
            ratio = min(ratio, (n_pair(a, b) + 1.0) / (n_pair(b, a) + 1.0) if linked else 1.0)
            opened = min(opened, right.get(a, 0.0))
    if ratio == math.inf:
        ratio = 1.0
        if len(pattern) >= 2 and pattern[0] == 0 and pattern[1] > 0:
            opened = min(opened, left.get(pattern[1], 0.0))
            if pattern[-1] > 0:
                ratio = max(lift(pattern[-1], False), 1.0)
        if len(pattern) >= 2 and pattern[-1] == 0 and pattern[-2] > 0:
            opened = min(opened, right.get(pattern[-2], 0.0))
            if pattern[0] > 0:
                ratio = max(lift(pattern[0], True), 1.0)
        if opened == math.inf:
            opened = 0.0
    return min(ratio, ORDER_CAP) ** ORDER_POWER * opened ** OPEN_POWER
