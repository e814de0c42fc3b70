"""Streaming, numba-jitted counting of characters, adjacent pairs and candidate pieces.

Text arrives in blocks of whole lines; each block becomes an int32 array of code points, is split
into spans by :mod:`minent.pretokenize`, and only Han spans feed the statistics. Code points are
their own ids, so counts from different blocks, processes or machines merge without a shared
vocabulary. A character pair ``(a, b)`` is the int64 key ``a << 21 | b``.

Memory: one int64 array over the code space for characters (8.9 MB) plus a hash table over the
distinct pairs — never proportional to the corpus.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np
from numba import njit

from .hashtable import KeyCounter, SeqCounter, key_find
from .parallel import Range, corpus_ranges, range_blocks, ranges_size
from .pretokenize import HAN, MAX_CODE, class_table, han_length, scan_spans, to_codes
from .textio import iter_text_blocks

PAIR_SHIFT = 21
_LOW = (1 << PAIR_SHIFT) - 1

Progress = Callable[[int], None]


def pair_key(a: int, b: int) -> int:
    return (a << PAIR_SHIFT) | b


def split_pair_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return keys >> PAIR_SHIFT, keys & _LOW


# ----------------------------------------------------------------------------- kernels

@njit(cache=True)
def count_han_block(cps, spans, char_counts):
    """Add the characters of Han spans to ``char_counts``; return ``(adjacent pair keys of the
    block, number of Han characters)``."""
    n_pairs = 0
    n_han = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] == HAN:
            n_pairs += spans[s, 1] - spans[s, 0] - 1
            n_han += spans[s, 1] - spans[s, 0]
    keys = np.empty(n_pairs, np.int64)
    m = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] != HAN:
            continue
        a, b = spans[s, 0], spans[s, 1]
        char_counts[cps[a]] += 1
        for i in range(a + 1, b):
            char_counts[cps[i]] += 1
            keys[m] = (np.int64(cps[i - 1]) << PAIR_SHIFT) | cps[i]
            m += 1
    return keys, n_han


@njit(cache=True)
def cut_block(cps, spans, strong, max_len):
    """Cut Han spans between every adjacent pair absent from the strong-pair table (a frozen
    :class:`~minent.hashtable.KeyCounter`).

    Returns ``(codes, bounds, n_long)``: the pieces of length <= ``max_len`` packed as sequences
    (piece i is ``codes[bounds[i]:bounds[i+1]]``), and how many longer pieces were left out.
    """
    total = han_length(spans)
    codes = np.empty(total, np.int32)
    bounds = np.empty(total + 1, np.int64)
    bounds[0] = 0
    m = 0  # pieces written
    used = 0
    n_long = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] != HAN:
            continue
        a, b = spans[s, 0], spans[s, 1]
        start = a
        for i in range(a + 1, b + 1):
            if i < b:
                k = (np.int64(cps[i - 1]) << PAIR_SHIFT) | cps[i]
                if key_find(strong, k) != 0:
                    continue
            if i - start <= max_len:
                for j in range(start, i):
                    codes[used] = cps[j]
                    used += 1
                m += 1
                bounds[m] = used
            else:
                n_long += 1
            start = i
    return codes[:used], bounds[: m + 1], n_long


# ----------------------------------------------------------------------------- Python side

class CharPairCounts:
    """Character and adjacent-pair counts over the Han pieces of a corpus.

    Attributes
    ----------
    chars : int64 array indexed by code point
    pairs : KeyCounter of pair keys ``a << 21 | b``
    n_chars : total number of Han characters counted (the N of every probability)
    """

    def __init__(self):
        self.chars = np.zeros(MAX_CODE, np.int64)
        self.pairs = KeyCounter(1 << 16)
        self.n_chars = 0

    def add_text(self, text: str, rules: bool = True) -> None:
        cps = to_codes(text)
        spans = scan_spans(cps, class_table(), rules)
        keys, n_han = count_han_block(cps, spans, self.chars)
        self.pairs.add(keys)
        self.n_chars += int(n_han)

    def update(self, other: "CharPairCounts") -> None:
        """Merge partial counts (from another block range, process or machine)."""
        self.chars += other.chars
        self.pairs.update(other.pairs)
        self.n_chars += other.n_chars

    def pair_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(keys, counts, pmi)`` of every pair, sorted by key; PMI in nats."""
        keys, counts = self.pairs.items()
        a, b = split_pair_keys(keys)
        with np.errstate(divide="ignore"):
            pmi = np.log(counts * float(self.n_chars) / (self.chars[a] * self.chars[b].astype(np.float64)))
        return keys, counts, pmi

    def pmi(self, a: str, b: str) -> float:
        """PMI ln(p_ab / (p_a p_b)) of an adjacent pair in nats (-inf when never seen)."""
        n_ab = int(self.pairs.get(np.array([pair_key(ord(a), ord(b))]))[0])
        if n_ab == 0:
            return -math.inf
        return math.log(n_ab * self.n_chars / (self.chars[ord(a)] * self.chars[ord(b)]))


def count_pairs_task(ranges: list[Range], encoding: str, rules):
    """Pass-1 task: ``(char_ids, char_counts, pair_keys, pair_counts, n_chars, n_bytes)``."""
    cp = CharPairCounts()
    for text in range_blocks(ranges, encoding):
        cp.add_text(text, rules)
    ids = np.nonzero(cp.chars)[0]
    keys, vals = cp.pairs.items()
    return ids, cp.chars[ids], keys, vals, cp.n_chars, ranges_size(ranges)


def strong_table(strong_keys: np.ndarray) -> KeyCounter:
    t = KeyCounter(2 * len(strong_keys) + 16)
    t.add(strong_keys)
    return t


def count_pieces_task(ranges: list[Range], encoding: str, rules, strong_keys: np.ndarray, max_len: int):
    """Pass-2 task: ``(arena, starts, counts, n_pieces, n_bytes)`` of the pieces in ``ranges``."""
    pieces, n_total = piece_table(range_blocks(ranges, encoding), strong_table(strong_keys), max_len, rules)
    arena, starts, counts = pieces.entries()
    return arena.copy(), starts.copy(), counts.copy(), n_total, ranges_size(ranges)


def count_chars_pairs(texts, rules: bool = True, progress: Progress | None = None,
                      engine=None) -> CharPairCounts:
    """Pass 1: count Han characters and adjacent pairs over ``texts`` (streaming).

    With an ``engine`` (:mod:`minent.parallel`) and a :class:`Corpus`, byte ranges of the files
    are counted as separate tasks and merged; the counts are identical.
    """
    counts = CharPairCounts()
    ranges = corpus_ranges(texts, engine)
    if ranges is None:
        for block in iter_text_blocks(texts, progress):
            counts.add_text(block, rules)
        return counts
    for ids, cc, keys, vals, n_chars, n_bytes in engine.map(
            count_pairs_task, [([r], texts.encoding, rules) for r in ranges]):
        counts.chars[ids] += cc
        counts.pairs.add(keys, vals)
        counts.n_chars += n_chars
        if progress:
            progress(n_bytes)
    return counts


def piece_table(blocks: Iterable[str], strong: KeyCounter, max_len: int, rules: bool = True,
                into=None) -> tuple:
    """Cut each text block at every pair not in ``strong``; count pieces of <= ``max_len`` chars.

    Returns ``(table, n_total)``: the counter (``into`` if given: anything with ``add(codes,
    bounds)``) and the number of pieces including the longer ones left out.
    """
    pieces = into if into is not None else SeqCounter(1 << 14, 1 << 18)
    n_total = 0
    table = class_table()
    for block in blocks:
        cps = to_codes(block)
        spans = scan_spans(cps, table, rules)
        codes, bounds, n_long = cut_block(cps, spans, strong.frozen(), max_len)
        pieces.add(codes, bounds)
        n_total += bounds.shape[0] - 1 + n_long
    return pieces, n_total


def count_pieces(texts, strong_keys: np.ndarray, max_len: int, rules: bool = True,
                 progress: Progress | None = None, engine=None, memory: int | None = None):
    """Pass 2: cut at every pair in no ``strong_keys`` and count the pieces.

    Returns ``(SpillingCounter, n_total)``; the counter keeps at most ``memory`` bytes of table in
    RAM and spills the rest to disk (:mod:`minent.spill`). Close it when done.
    """
    from .spill import SpillingCounter
    pieces = SpillingCounter(memory)
    try:
        ranges = corpus_ranges(texts, engine)
        if ranges is None:
            _, n_total = piece_table(iter_text_blocks(texts, progress), strong_table(strong_keys),
                                     max_len, rules, into=pieces)
            return pieces, n_total
        n_total = 0
        for arena, starts, cnts, n, n_bytes in engine.map(
                count_pieces_task, [([r], texts.encoding, rules, strong_keys, max_len) for r in ranges]):
            pieces.add(arena, starts, cnts)
            n_total += n
            if progress:
                progress(n_bytes)
        return pieces, n_total
    except BaseException:
        pieces.close()
        raise
