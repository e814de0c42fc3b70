"""Unigram segmentation = minimum information per sentence (method.md §3).

A Han run c_1..c_n is split into words w_1..w_k maximising sum ln p(w_i) (natural log), i.e.
minimising the information of the sentence under the unigram model. Dynamic programming over the
word lattice, numba-jitted: from each position the candidate words are found by extending a
rolling hash one character at a time and probing the lexicon's hash table (the "trie or
equivalent"), so the cost is O(n x max word length). The decoder is
:func:`minent.viterbi.best_path`, the one every part of minent uses: a single character absent
from the lexicon gets ``unknown_logp``; ties (equal total log-probability) go to the path found
first, as that module documents. Spans that are not Han (numbers,
letters, punctuation, see :mod:`minent.pretokenize`) are emitted whole.
Han runs longer than ``CHUNK`` characters are segmented in independent chunks (bounded memory).
"""
from __future__ import annotations

import math
from typing import Iterable, Iterator

import numpy as np
from numba import njit

from .hashtable import SeqCounter
from .pretokenize import (HAN, Rules, _scan_spans, after_segmentation, class_table, from_codes, join_dotted,
                          scan_spans, to_codes)
from .viterbi import best_path, candidates, make_scratch, path_bounds

CHUNK = 1 << 16
#: Longest word the segmenter matches, in characters: a longer entry (a whole sentence given as a
#: "word") stays in the vocabulary but is never a candidate.
MAX_WORD = 64


@njit(cache=True)
def segment_codes(cps, spans, model):
    """Token ``(starts, ends, ids)`` in code-point offsets for every span of ``cps``; Han spans
    are cut by :func:`minent.viterbi.best_path` under ``model``, other spans are one token each.
    ``ids``: the table id of each Han word, -1 for an unknown character or a non-Han span."""
    n = cps.shape[0]
    tok_s = np.empty(n, np.int64)
    tok_e = np.empty(n, np.int64)
    tok_id = np.empty(n, np.int64)
    longest = 1
    for s in range(spans.shape[0]):
        longest = max(longest, min(spans[s, 1] - spans[s, 0], CHUNK))
    table, logp, max_len, unk, closed = model
    cand = np.empty((longest, max(max_len, 1)), np.int32)
    scratch = make_scratch(longest)
    m = 0
    for s in range(spans.shape[0]):
        a, b = spans[s, 0], spans[s, 1]
        if spans[s, 2] != HAN:
            tok_s[m] = a
            tok_e[m] = b
            tok_id[m] = -1
            m += 1
            continue
        while a < b:
            c = min(b, a + CHUNK)
            candidates(table, cps, a, c, closed, cand, 0)
            best_path(cand, 0, c - a, logp, unk, scratch, True)
            m = path_bounds(scratch, c - a, a, tok_s, tok_e, tok_id, m)
            a = c
    return tok_s[:m], tok_e[:m], tok_id[:m]


@njit(cache=True)
def segment_pieces(cps, starts, ends, cls, rules, model):
    """:meth:`Segmenter.tokens` of each piece ``cps[starts[i]:ends[i]]`` on its own, in one call:
    ``(token starts, token ends, first token of each piece)``, offsets into ``cps``."""
    out_s = np.empty(cps.shape[0], np.int64)
    out_e = np.empty(cps.shape[0], np.int64)
    first = np.zeros(starts.shape[0] + 1, np.int64)
    m = 0
    for i in range(starts.shape[0]):
        lo = starts[i]
        piece = cps[lo:ends[i]]
        s, e, ids = segment_codes(piece, _scan_spans(piece, cls, rules), model)
        if rules >= 1:
            s, e, ids = after_segmentation(piece, cls, s, e, ids)
        if rules >= 2:
            s, e, ids = join_dotted(piece, cls, s, e, ids)
        for k in range(s.shape[0]):
            out_s[m] = s[k] + lo
            out_e[m] = e[k] + lo
            m += 1
        first[i + 1] = m
    return out_s[:m], out_e[:m], first


@njit(cache=True)
def render_tokens(cps, tok_s, tok_e):
    """Code points of the tokens joined by spaces, with the input's line breaks kept."""
    n = cps.shape[0]
    out = np.empty(2 * n + 1, np.int32)
    m = 0
    prev = 0
    line_has_token = False
    for t in range(tok_s.shape[0]):
        for j in range(prev, tok_s[t]):
            if cps[j] == 10:
                out[m] = 10
                m += 1
                line_has_token = False
        if line_has_token:
            out[m] = 32
            m += 1
        for j in range(tok_s[t], tok_e[t]):
            out[m] = cps[j]
            m += 1
        line_has_token = True
        prev = tok_e[t]
    for j in range(prev, n):
        if cps[j] == 10:
            out[m] = 10
            m += 1
    return out[:m]


def proper_prefixes(codes: np.ndarray, bounds: np.ndarray, max_word: int = MAX_WORD) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, bounds)`` of the proper prefixes w[:k], 1 <= k < min(len(w), ``max_word``), of the
    words ``codes[bounds[i]:bounds[i+1]]`` — by k, then by word; repeats included."""
    lens = np.diff(bounds)
    parts, sizes = [], []
    for k in range(1, int(min(lens.max(initial=0), max_word))):
        first = bounds[:-1][lens > k]
        parts.append(codes[(first[:, None] + np.arange(k)).ravel()])
        sizes.append(np.full(len(first), k, np.int64))
    out = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    sizes = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
    return out.astype(np.int32, copy=False), np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


class Segmenter:
    """Frozen, fast unigram segmenter over a fixed vocabulary.

    Parameters
    ----------
    words : list of str
        Vocabulary (Han words; other strings are accepted but can only match Han runs).
    logp : array of float
        Natural-log probability of each word.
    unknown_logp : float
        Score of a single character that is not in ``words``.
    rules : Rules (or 0 / 1 / 2, False / True), default Rules.ON
        Number / letter / date rules of :mod:`minent.pretokenize`; ``Rules.DOT`` adds the
        middle-dot rules (numbers and names joined across ``·``).
    """

    def __init__(self, words: list[str], logp: np.ndarray, unknown_logp: float,
                 rules: Rules | int = Rules.ON):
        if len(words) != len(logp):
            raise ValueError("words and logp differ in length")
        self.table = SeqCounter(max(16, 2 * len(words)), max(16, sum(map(len, words))))
        codes = to_codes("".join(words))
        bounds = np.zeros(len(words) + 1, np.int64)
        bounds[1:] = np.cumsum([len(w) for w in words])
        self.table.add(codes, bounds)
        if len(self.table) != len(words):
            raise ValueError("duplicate words in vocabulary")
        self.size = len(words)
        self.lengths = np.diff(self.table.entries()[1])
        # every proper prefix of a word is an entry too (score -inf: not a word), so the lattice
        # search from a position stops at the first string that starts no word
        pcodes, pbounds = proper_prefixes(codes, bounds, MAX_WORD)
        if len(pbounds) > 1:
            self.table.add(pcodes, pbounds)  # a prefix that is a word (or seen before) adds no entry
        self.logp = np.full(len(self.table), -np.inf)
        self.logp[: self.size] = np.asarray(logp, dtype=np.float64)
        self.unknown_logp = float(unknown_logp)
        if not math.isfinite(self.unknown_logp):  # the search would have no path to follow back
            raise ValueError(f"unknown_logp must be finite, got {unknown_logp!r}")
        self.max_len = min(max([len(w) for w in words] + [1]), MAX_WORD)
        self.rules = Rules(int(rules))

    @property
    def model(self) -> tuple:
        """The decoder's model tuple (see :mod:`minent.viterbi`)."""
        frozen = self._frozen if self.table is None else self.table.frozen()
        return (frozen, self.logp, self.max_len, self.unknown_logp, True)

    def state(self) -> tuple:
        """The segmenter as plain arrays and numbers (shared with tasks in place, not pickled;
        :meth:`from_state` decodes with it)."""
        return self.model, self.size, self.lengths, int(self.rules)

    @classmethod
    def from_state(cls, state: tuple) -> "Segmenter":
        """The segmenter of :meth:`state` (decoding only: its table is the frozen tuple)."""
        (frozen, logp, max_len, unknown_logp, _), size, lengths, rules = state
        seg = cls.__new__(cls)
        seg.table, seg._frozen = None, frozen
        seg.logp, seg.max_len, seg.unknown_logp = logp, int(max_len), float(unknown_logp)
        seg.size, seg.lengths, seg.rules = int(size), lengths, Rules(int(rules))
        return seg

    def token_bounds(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(codes, starts, ends)``: code points of ``text`` and its tokens' offsets."""
        cps, s, e, _, _ = self.tokens(text)
        return cps, s, e

    def tokens(self, text: str, cps: np.ndarray | None = None) -> tuple:
        """``(codes, starts, ends, ids, word_ids)``: the tokens of ``text`` with the vocabulary id
        of each (-1: an unknown character, a non-Han span or a middle-dot join), and the ids of
        the Han words the segmenter chose before the middle-dot rules joined any of them.
        ``cps``: the code points of ``text`` when the caller has them."""
        cps = to_codes(text) if cps is None else cps
        spans = scan_spans(cps, class_table(), self.rules)
        s, e, ids = segment_codes(cps, spans, self.model)
        words = ids
        if self.rules >= 1:
            s, e, ids = after_segmentation(cps, class_table(), s, e, ids)
        if self.rules >= 2:
            s, e, ids = join_dotted(cps, class_table(), s, e, ids)
        return cps, s, e, ids, words

    def segment(self, text: str) -> list[str]:
        """Words of ``text`` (white space dropped)."""
        _, s, e = self.token_bounds(text)
        return [text[a:b] for a, b in zip(s.tolist(), e.tolist())]

    def segment_many(self, lines: list[str]) -> list[list[str]]:
        """``[self.segment(line) for line in lines]`` in one kernel call (the per-call cost of a
        line is most of the time on short lines)."""
        text = "".join(lines)  # string index = code point index
        ends = np.cumsum(np.fromiter(map(len, lines), np.int64, len(lines)))
        s, e, first = segment_pieces(to_codes(text), ends - np.fromiter(map(len, lines), np.int64, len(lines)),
                                     ends, class_table(), int(self.rules), self.model)
        s, e, first = s.tolist(), e.tolist(), first.tolist()
        return [[text[a:b] for a, b in zip(s[first[i]:first[i + 1]], e[first[i]:first[i + 1]])]
                for i in range(len(lines))]

    def segment_text(self, text: str) -> str:
        """``text`` with its words separated by single spaces, line breaks kept."""
        cps, s, e = self.token_bounds(text)
        return from_codes(render_tokens(cps, s, e))

    def segment_lines(self, lines: Iterable[str]) -> Iterator[str]:
        """Segment each line (streaming); yields space-separated lines without line terminators."""
        for line in lines:
            yield self.segment_text(line.replace("\n", " "))
