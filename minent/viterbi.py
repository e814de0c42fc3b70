"""The one unigram Viterbi decoder (method.md §3), shared by every caller.

A *model* is one tuple ``(table, logp, max_len, unknown_logp, closed)``: a frozen sequence table
(:meth:`minent.hashtable.SeqCounter.frozen`), a score per entry (natural log; ``-inf`` = not a
word), the longest word in codes, the score of an unknown single character, and whether the table
is prefix-closed (n-gram tables are; the lattice search then stops at the first absent prefix). The best path
through ``codes[lo:hi]`` maximises the sum of the scores of its words. Rules, the same for every
caller (the segmenter, the learner's re-estimation passes, the redundancy and cohesion tests):

* **unknown characters**: a single code that is not an entry, or whose score is ``-inf``, scores
  ``unknown_logp``; a longer string must be an entry with a finite score;
* **ties**: start positions are scanned left to right and, from a start, shorter words before
  longer ones; a candidate replaces the best path to its end only when strictly better. So at
  every end the first path found wins a tie: the one whose last word starts earliest (甲乙丙 with
  p(甲乙) = p(甲)p(乙) and p(乙丙) = p(乙)p(丙): 甲 乙丙).

Scratch arrays (a *lattice*, :func:`new_lattice`) are allocated once per call site and reused.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .hashtable import prefix_ids


@njit(cache=True)
def make_lattice(n, max_len):
    """Scratch for paths of up to ``n`` codes: ``(best, back, word_id, prefix ids)``."""
    return (np.empty(n + 1, np.float64), np.empty(n + 1, np.int64), np.empty(n + 1, np.int64),
            np.empty(max(max_len, 1), np.int64))


@njit(cache=True)
def best_path(codes, lo, hi, model, lattice, whole):
    """Fill ``lattice`` with the best path over ``codes[lo:hi]``; return its score.

    After the call, for every end j (1..hi-lo) ``back[j]`` is the start of the last word and
    ``word_id[j]`` its entry id (-1 for an unknown character). With ``whole`` False the single
    word covering the whole span is not a candidate (the best split of an entry into others)."""
    table, logp, max_len, unk, closed = model
    best, back, bid, ids = lattice
    n = hi - lo
    best[0] = 0.0
    for i in range(1, n + 1):
        best[i] = -np.inf
    for i in range(n):
        base = best[i]
        if base == -np.inf:
            continue
        m = prefix_ids(table, codes, lo + i, hi, ids[:max_len], closed)
        for k in range(1, m + 1):
            if not whole and k == n:
                break
            e = ids[k - 1]
            if e >= 0 and logp[e] > -np.inf:
                score = base + logp[e]
            elif k == 1:
                e = -1
                score = base + unk
            else:
                continue
            if score > best[i + k]:
                best[i + k] = score
                back[i + k] = i
                bid[i + k] = e
    return best[n]


@njit(cache=True)
def count_uses(clauses, model, counts):
    """Segment every clause and add its weight to ``counts[id]`` per word used.

    ``clauses`` = ``(codes, bounds, weights)``: clause c is ``codes[bounds[c]:bounds[c+1]]``, seen
    ``weights[c]`` times. Returns ``(weighted total score, words, unknown characters)``."""
    codes, bounds, weights = clauses
    longest = 1
    for c in range(bounds.shape[0] - 1):
        longest = max(longest, bounds[c + 1] - bounds[c])
    lattice = make_lattice(longest, model[2])
    back, bid = lattice[1], lattice[2]
    total = 0.0
    words = 0
    unknown = 0
    for c in range(bounds.shape[0] - 1):
        lo, hi, w = bounds[c], bounds[c + 1], weights[c]
        total += w * best_path(codes, lo, hi, model, lattice, True)
        j = hi - lo
        while j > 0:
            e = bid[j]
            if e >= 0:
                counts[e] += w
            else:
                unknown += w
            words += w
            j = back[j]
    return total, words, unknown


@njit(cache=True)
def path_bounds(lattice, n, lo, tok_s, tok_e, m):
    """Append the words of the best path over a span of ``n`` codes starting at ``lo`` (in
    order) to ``tok_s`` / ``tok_e`` from index ``m``; return the new count."""
    back = lattice[1]
    j = n
    first = m
    while j > 0:
        i = back[j]
        tok_s[m] = lo + i
        tok_e[m] = lo + j
        m += 1
        j = i
    a, b = first, m - 1
    while a < b:
        tok_s[a], tok_s[b] = tok_s[b], tok_s[a]
        tok_e[a], tok_e[b] = tok_e[b], tok_e[a]
        a += 1
        b -= 1
    return m


@njit(cache=True)
def best_splits(model, max_codes, first, last):
    """For every entry ``first <= w < last`` of ``model``'s table with 2..``max_codes`` codes, the
    score of its best path with the whole entry excluded (its best split into other entries);
    NaN elsewhere. Returns ``last - first`` scores."""
    table = model[0]
    starts, arena = table[2], table[3]
    out = np.full(last - first, np.nan)
    lattice = make_lattice(max_codes, model[2])
    for w in range(first, last):
        lo, hi = starts[w], starts[w + 1]
        if hi - lo < 2 or hi - lo > max_codes:
            continue
        out[w - first] = best_path(arena, lo, hi, model, lattice, False)
    return out
