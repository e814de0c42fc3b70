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

from .counting import iter_text_blocks
from .hashtable import SeqCounter
from .pretokenize import MAX_CODE, SPACE, class_table, to_codes


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


def entropy_of_counts(counts: np.ndarray, lengths: np.ndarray) -> Information:
    """:class:`Information` of units with the given counts and lengths in characters."""
    counts = np.asarray(counts, dtype=np.float64)
    keep = counts > 0
    counts, lengths = counts[keep], np.asarray(lengths, dtype=np.float64)[keep]
    n = counts.sum()
    if n == 0:
        return Information(0, 0, 0, 0.0, 0.0, 0.0)
    p = counts / n
    h = float(-(p * np.log2(p)).sum())
    l = float((p * lengths).sum())
    return Information(int(n), int((counts * lengths).sum()), int(keep.sum()), h, l, h / l)


def information_per_char(texts, lexicon=None, progress=None) -> Information:
    """Information per character of ``texts`` (Corpus, str, or iterable of str), in bits.

    Without ``lexicon`` every non-space character is a unit; with a :class:`minent.Lexicon` the
    units are the words of its unigram segmentation (numbers, letters, punctuation as
    :mod:`minent.pretokenize` groups them).
    """
    table = class_table()
    if lexicon is None:
        counts = np.zeros(MAX_CODE, np.int64)
        for block in iter_text_blocks(texts, progress):
            cps = to_codes(block)
            cps = cps[table[cps] != SPACE]
            counts += np.bincount(cps, minlength=MAX_CODE)
        return entropy_of_counts(counts, np.ones(MAX_CODE))
    seg = lexicon.segmenter
    units = SeqCounter(1 << 16, 1 << 18)
    for block in iter_text_blocks(texts, progress):
        cps, s, e = seg.token_bounds(block)
        codes, bounds = pack_tokens(cps, s, e)
        units.add(codes, bounds)
    _, starts, counts = units.entries()
    return entropy_of_counts(counts, np.diff(starts))

