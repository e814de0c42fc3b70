"""The one unigram Viterbi decoder (method.md §3), shared by every caller.

Decoding a span of codes takes two steps:

1. its **candidates** (:func:`candidates`): for every position i and length k, the id of the
   word ``codes[i:i+k]`` in a frozen sequence table (:meth:`minent.hashtable.SeqCounter.frozen`),
   or -1 — an int32 matrix with one row per position and ``max_len`` columns. The segmenter
   fills it per span; the lexicon learner fills it once for its whole clause table and then
   decodes it many times with changing scores.
2. the **best path** (:func:`best_path`) through those candidates, maximising the sum of the
   words' scores ``logp[id]`` (natural log; ``-inf`` = not a word).

Rules, the same for every caller (the segmenter, the learner's re-estimation passes, the
redundancy and cohesion tests):

* **unknown characters**: a single code that is not an entry, or whose score is ``-inf``, scores
  ``unk``; a longer string must be an entry with a finite score;
* **ties**: start positions are scanned left to right and, from a start, shorter words before
  longer ones; a candidate replaces the best path to its end only when strictly better. So at
  every end the first path found wins a tie: the one whose last word starts earliest (甲乙丙 with
  p(甲乙) = p(甲)p(乙) and p(乙丙) = p(乙)p(丙): 甲 乙丙).

Scratch arrays (:func:`make_scratch`) are allocated once per call site and reused.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .hashtable import prefix_ids


@njit(cache=True)
def make_scratch(n):
    """Scratch for paths of up to ``n`` codes: ``(best score, start of last word, its id)``."""
    return np.empty(n + 1, np.float64), np.empty(n + 1, np.int64), np.empty(n + 1, np.int64)


@njit(cache=True)
def candidates(table, codes, lo, hi, closed, out, row0):
    """Fill ``out[row0 + i, k - 1]`` with the id of ``codes[lo+i : lo+i+k]`` in ``table`` (-1 when
    absent or past ``hi``), for i < hi - lo and k <= ``out.shape[1]``. ``closed``: the table is
    prefix-closed (n-gram tables are), so the search from a position stops at the first miss."""
    width = out.shape[1]
    for i in range(hi - lo):
        row = out[row0 + i]
        m = prefix_ids(table, codes, lo + i, hi, row, closed)
        for k in range(m, width):
            row[k] = -1


@njit(cache=True)
def best_path(cand, row0, n, logp, unk, scratch, whole, late=False):
    """Best path over the ``n`` positions whose candidates are rows ``row0 ..`` of ``cand``;
    returns its score and leaves ``back[j]`` (start of the last word ending at j) and ``bid[j]``
    (its id, -1 for an unknown character) in ``scratch``. With ``whole`` False the single word
    covering all ``n`` positions is not a candidate (the best split of an entry into others).
    With ``late`` a tie at an end goes to the last word that starts latest (the shortest), the
    rule of :func:`minent.bigram.bigram_path`, instead of the module's rule."""
    best, back, bid = scratch
    width = cand.shape[1]
    best[0] = 0.0
    for i in range(1, n + 1):
        best[i] = -np.inf
    for i in range(n):
        base = best[i]
        if base == -np.inf:
            continue
        for k in range(1, min(width, n - i) + 1):
            if not whole and k == n:
                break
            e = cand[row0 + i, k - 1]
            if e >= 0 and logp[e] > -np.inf:
                score = base + logp[e]
            elif k == 1:
                e = -1
                score = base + unk
            else:
                continue
            if score > best[i + k] or (late and score == best[i + k]):
                best[i + k] = score
                back[i + k] = i
                bid[i + k] = e
    return best[n]


@njit(cache=True)
def longest_clause(bounds):
    """Length of the longest clause ``bounds[c] .. bounds[c + 1]`` (at least 1)."""
    longest = 1
    for c in range(bounds.shape[0] - 1):
        longest = max(longest, bounds[c + 1] - bounds[c])
    return longest


@njit(cache=True)
def count_uses(clauses, cand, logp, unk, counts):
    """Decode every clause and add its weight to ``counts[id]`` per word used.

    ``clauses`` = ``(codes, bounds, weights)``: clause c is ``codes[bounds[c]:bounds[c+1]]``, seen
    ``weights[c]`` times; ``cand`` holds the candidates of every code of ``codes``. Returns
    ``(weighted total score, words, unknown characters)``."""
    codes, bounds, weights = clauses
    scratch = make_scratch(longest_clause(bounds))
    back, bid = scratch[1], scratch[2]
    total = 0.0
    words = 0
    unknown = 0
    for c in range(bounds.shape[0] - 1):
        lo, hi, w = bounds[c], bounds[c + 1], weights[c]
        total += w * best_path(cand, lo, hi - lo, logp, unk, scratch, True)
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
def path_bounds(scratch, n, lo, tok_s, tok_e, tok_id, m):
    """Append the words of the best path over a span of ``n`` codes starting at ``lo`` (in
    order) to ``tok_s`` / ``tok_e`` / ``tok_id`` (entry id, -1 for an unknown character) from
    index ``m``; return the new count."""
    back, bid = scratch[1], scratch[2]
    j = n
    first = m
    while j > 0:
        i = back[j]
        tok_s[m] = lo + i
        tok_e[m] = lo + j
        tok_id[m] = bid[j]
        m += 1
        j = i
    a, b = first, m - 1
    while a < b:
        tok_s[a], tok_s[b] = tok_s[b], tok_s[a]
        tok_e[a], tok_e[b] = tok_e[b], tok_e[a]
        tok_id[a], tok_id[b] = tok_id[b], tok_id[a]
        a += 1
        b -= 1
    return m


@njit(cache=True)
def entry_candidates(table, first, last, width, closed):
    """Candidates of the codes of entries ``first .. last - 1`` of ``table``, each entry alone
    (no word crosses its end): rows in arena order from ``starts[first]``."""
    starts, arena = table[2], table[3]
    out = np.empty((starts[last] - starts[first], width), np.int32)
    for w in range(first, last):
        candidates(table, arena, starts[w], starts[w + 1], closed, out, starts[w] - starts[first])
    return out


@njit(cache=True)
def best_splits(starts, cand, logp, unk, max_codes, first, last):
    """For every entry ``first <= w < last`` with 2..``max_codes`` codes, the score of its best
    path with the whole entry excluded (its best split into other entries); NaN elsewhere.
    ``cand`` = :func:`entry_candidates` of the same range. Returns ``last - first`` scores."""
    out = np.full(last - first, np.nan)
    scratch = make_scratch(max_codes)
    base = starts[first]
    for w in range(first, last):
        lo, hi = starts[w], starts[w + 1]
        if hi - lo < 2 or hi - lo > max_codes:
            continue
        out[w - first] = best_path(cand, lo - base, hi - lo, logp, unk, scratch, False)
    return out


@njit(cache=True)
def entry_splits(table, ids, logp, unk, width, max_codes):
    """:func:`best_splits` of the entries ``ids`` of ``table`` (any order), their candidates found
    on the way: one score per id, NaN for entries of one code or more than ``max_codes``."""
    starts, arena = table[2], table[3]
    out = np.full(ids.shape[0], np.nan)
    cand = np.empty((max_codes, width), np.int32)
    scratch = make_scratch(max_codes)
    for t in range(ids.shape[0]):
        lo, hi = starts[ids[t]], starts[ids[t] + 1]
        if hi - lo < 2 or hi - lo > max_codes:
            continue
        candidates(table, arena, lo, hi, True, cand, 0)
        out[t] = best_path(cand, 0, hi - lo, logp, unk, scratch, False)
    return out


@njit(cache=True)
def _logadd(a, b):
    if a < b:
        a, b = b, a
    if b == -np.inf:
        return a
    return a + np.log1p(np.exp(b - a))


@njit(cache=True)
def _word_score(cand, row, k, logp, unk):
    """Score of the word of length ``k`` at candidate row ``row`` and its id (-1 unknown), by
    the decoder's rules; ``-inf`` when it is not a candidate."""
    e = cand[row, k - 1]
    if e >= 0 and logp[e] > -np.inf:
        return logp[e], e
    if k == 1:
        return unk, -1
    return -np.inf, -1


@njit(cache=True)
def path_posteriors(cand, row0, n, logp, unk, fwd, bwd):
    """Forward-backward over the same lattice as :func:`best_path`: ``fwd[j]`` = ln of the sum
    over all paths of positions ``0 .. j``, ``bwd[i]`` = the same for ``i .. n``. Returns ln Z =
    ``fwd[n]``; a word (i, k) with score s then has posterior exp(fwd[i] + s + bwd[i+k] - ln Z)."""
    width = cand.shape[1]
    fwd[0] = 0.0
    for j in range(1, n + 1):
        fwd[j] = -np.inf
    for i in range(n):
        if fwd[i] == -np.inf:
            continue
        for k in range(1, min(width, n - i) + 1):
            s, _ = _word_score(cand, row0 + i, k, logp, unk)
            if s > -np.inf:
                fwd[i + k] = _logadd(fwd[i + k], fwd[i] + s)
    bwd[n] = 0.0
    for i in range(n - 1, -1, -1):
        b = -np.inf
        for k in range(1, min(width, n - i) + 1):
            if bwd[i + k] == -np.inf:
                continue
            s, _ = _word_score(cand, row0 + i, k, logp, unk)
            if s > -np.inf:
                b = _logadd(b, s + bwd[i + k])
        bwd[i] = b
    return fwd[n]


@njit(cache=True)
def expected_uses(clauses, cand, logp, unk, unit, counts):
    """Soft counts: add ``weight x round(unit x posterior)`` to ``counts[id]`` for every word of
    every clause's lattice (:func:`path_posteriors`; unknown characters not counted). Counts
    are integers in units of 1 / ``unit`` rounded per word and clause, so the sum does not
    depend on how the clauses are split into tasks."""
    codes, bounds, weights = clauses
    width = cand.shape[1]
    longest = 1
    for c in range(bounds.shape[0] - 1):
        longest = max(longest, bounds[c + 1] - bounds[c])
    fwd = np.empty(longest + 1, np.float64)
    bwd = np.empty(longest + 1, np.float64)
    for c in range(bounds.shape[0] - 1):
        lo, hi, w = bounds[c], bounds[c + 1], weights[c]
        n = hi - lo
        z = path_posteriors(cand, lo, n, logp, unk, fwd, bwd)
        for i in range(n):
            if fwd[i] == -np.inf:
                continue
            for k in range(1, min(width, n - i) + 1):
                s, e = _word_score(cand, lo + i, k, logp, unk)
                if e < 0 or s == -np.inf or bwd[i + k] == -np.inf:
                    continue
                q = np.int64(unit * np.exp(fwd[i] + s + bwd[i + k] - z) + 0.5)
                if q > 0:
                    counts[e] += w * q
