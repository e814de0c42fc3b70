"""Average information per character, the toolkit's common currency (method.md §1).

For a corpus cut into units w (characters, or the words of a segmentation), with p_w = N_w / N:

    H = -sum_w p_w log2 p_w     bits per unit
    l = sum_w p_w len(w)        characters per unit
    L = H / l                   bits per character

Every white-space-free character is part of exactly one unit, so L at the character level and L
with a lexicon are directly comparable. Measured on the text the lexicon was learned from, L is
in-sample (see method.md §1 for why that flatters large lexicons).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numba import njit

from .hashtable import SeqCounter
from .parallel import Range, corpus_ranges, range_blocks, ranges_size, resolve
from .pretokenize import MAX_CODE, SPACE, class_table, to_codes
from .segment import Segmenter
from .textio import iter_text_blocks


@dataclass
class Information:
    """Entropy figures of a corpus under one unit inventory (bits)."""
    units: int
    chars: int
    distinct_units: int
    H_bits: float
    l_chars: float
    L_bits: float

    def as_dict(self) -> dict:
        return asdict(self)


@njit(cache=True)
def pack_tokens(cps, tok_s, tok_e):
    """Concatenate the tokens' code points; token i is ``codes[bounds[i]:bounds[i+1]]``."""
    n = 0
    for t in range(tok_s.shape[0]):
        n += tok_e[t] - tok_s[t]
    codes = np.empty(n, np.int32)
    bounds = np.empty(tok_s.shape[0] + 1, np.int64)
    bounds[0] = 0
    m = 0
    for t in range(tok_s.shape[0]):
        for j in range(tok_s[t], tok_e[t]):
            codes[m] = cps[j]
            m += 1
        bounds[t + 1] = m
    return codes, bounds


@njit(cache=True)
def add_chars(cps, cls, out):
    """``out[c] += 1`` for every code point c of ``cps`` that is not white space."""
    for i in range(cps.shape[0]):
        if cls[cps[i]] != SPACE:
            out[cps[i]] += 1


@njit(cache=True)
def add_ids(ids, out):
    """``out[i] += 1`` for every id ``i >= 0``."""
    for t in range(ids.shape[0]):
        if ids[t] >= 0:
            out[ids[t]] += 1


def entropy_of_counts(counts: np.ndarray, lengths: np.ndarray) -> Information:
    """:class:`Information` of units with the given counts and lengths in characters."""
    counts = np.asarray(counts, dtype=np.float64)
    keep = counts > 0
    counts, lengths = counts[keep], np.asarray(lengths, dtype=np.float64)[keep]
    order = np.lexsort((lengths, counts))  # sums in a fixed order: same bits however counts merged
    counts, lengths = counts[order], lengths[order]
    n = counts.sum()
    if n == 0:
        return Information(0, 0, 0, 0.0, 0.0, 0.0)
    p = counts / n
    h = float(-(p * np.log2(p)).sum())
    l = float((p * lengths).sum())
    return Information(int(n), int((counts * lengths).sum()), int(keep.sum()), h, l, h / l)


class InformationCounts:
    """Unit counts behind :class:`Information`: characters, and optionally the units of a
    segmentation — the vocabulary's words counted by id (``word_units``), every other unit
    (numbers, letters, punctuation, unknown characters, middle-dot joins) by its text
    (``others``). ``uses`` counts each vocabulary word as the segmenter chose it, before the
    middle-dot rules join any (乔治·布什 counts 乔治 and 布什). Partial counts (blocks, byte
    ranges, machines) merge with :meth:`add_parts`."""

    def __init__(self, segmenter=None):
        self.segmenter = segmenter
        self.chars = np.zeros(MAX_CODE, np.int64)
        self._table = class_table()
        if segmenter is not None:
            n = segmenter.size
            self.word_units = np.zeros(n, np.int64)
            self.uses = np.zeros(n, np.int64)
            self.others = SeqCounter(1 << 14, 1 << 16)

    def add_text(self, text: str) -> None:
        cps = to_codes(text)
        add_chars(cps, self._table, self.chars)
        if self.segmenter is not None:
            cps, s, e, ids, words = self.segmenter.tokens(text, cps)
            add_ids(ids, self.word_units)
            add_ids(words, self.uses)
            other = ids < 0
            codes, bounds = pack_tokens(cps, s[other], e[other])
            self.others.add(codes, bounds)

    def parts(self) -> tuple:
        """Plain arrays ``(char_ids, char_counts, word_units, uses, arena, starts, counts)``."""
        ids = np.nonzero(self.chars)[0]
        if self.segmenter is None:
            return ids, self.chars[ids], None, None, None, None, None
        arena, starts, counts = self.others.entries()
        return (ids, self.chars[ids], self.word_units, self.uses, arena.copy(), starts.copy(),
                counts.copy())

    def add_parts(self, ids, char_counts, word_units, uses, arena, starts, counts) -> None:
        self.chars[ids] += char_counts
        if self.segmenter is not None:
            self.word_units += word_units
            self.uses += uses
            if len(counts):
                self.others.add(arena, starts, counts)

    def information(self) -> tuple[Information, Information | None]:
        char = entropy_of_counts(self.chars, np.ones(MAX_CODE))
        if self.segmenter is None:
            return char, None
        _, starts, counts = self.others.entries()
        return char, entropy_of_counts(np.concatenate([self.word_units, counts]),
                                       np.concatenate([self.segmenter.lengths, np.diff(starts)]))


def information_task(ranges: list[Range], encoding: str, segmenter_ref):
    """Range task: character and lexicon-word counts of ``ranges`` (the segmenter's
    :meth:`~minent.segment.Segmenter.state` shared on the engine, or None) as
    :meth:`InformationCounts.parts` plus the bytes read."""
    seg = Segmenter.from_state(resolve(segmenter_ref)) if segmenter_ref is not None else None
    acc = InformationCounts(seg)
    for text in range_blocks(ranges, encoding):
        acc.add_text(text)
    return (*acc.parts(), ranges_size(ranges))


def corpus_information(texts, lexicon=None, progress=None, engine=None
                       ) -> tuple[Information, Information | None]:
    """One streaming pass: ``(characters, lexicon)`` :class:`Information` of ``texts`` in bits
    (the second is None without ``lexicon``).

    With an ``engine`` (:mod:`minent.parallel`) and a :class:`minent.Corpus`, byte ranges are
    measured as separate tasks and their counts merged; the figures are identical.
    """
    return corpus_unit_counts(texts, lexicon, progress, engine).information()


def corpus_unit_counts(texts, lexicon=None, progress=None, engine=None) -> InformationCounts:
    """The counts behind :func:`corpus_information` (characters, and the units of ``lexicon``'s
    segmentation), in one streaming pass."""
    seg = lexicon.segmenter if lexicon is not None else None
    acc = InformationCounts(seg)
    ranges = corpus_ranges(texts, engine)
    if ranges is None:
        for block in iter_text_blocks(texts, progress):
            acc.add_text(block)
        return acc
    # built once, not per task; plain arrays, which a running local pool sees in its shared arena
    seg_ref = engine.share(seg.state()) if seg is not None else None
    try:
        for *parts, n_bytes in engine.map(information_task, [([r], texts.encoding, seg_ref) for r in ranges]):
            acc.add_parts(*parts)
            if progress:
                progress(n_bytes)
    finally:
        if seg_ref is not None:
            engine.release(seg_ref)
    return acc


def information_per_char(texts, lexicon=None, progress=None, engine=None) -> Information:
    """Information per character of ``texts`` (Corpus, str, or iterable of str), in bits.

    Without ``lexicon`` every non-space character is a unit; with a :class:`minent.Lexicon` the
    units are the words of its unigram segmentation (numbers, letters, punctuation as
    :mod:`minent.pretokenize` groups them). :func:`corpus_information` gives both in one pass.
    """
    char, lex = corpus_information(texts, lexicon, progress, engine)
    return char if lexicon is None else lex
