"""Word-bigram decoding over the unigram decoder's lattice (issue 15).

The unigram decoder (:mod:`minent.viterbi`) scores each word alone. A word-bigram model scores a
word given the one before it, smoothed towards the unigram distribution (a Dirichlet prior of
strength ``beta`` on each context, as in Goldwater, Griffiths & Johnson 2009, with hard counts):

    p(w | u) = (c(u, w) + beta p(w)) / (c(u) + beta)

where c(u, w) counts u followed by w in the current segmentation, c(u) = sum_w c(u, w) and
p(w) is the unigram probability. A pair never seen falls back to ln p(w) + ln(beta / (c(u) +
beta)). The clause start is a context of its own (id ``V + 1``, V = entries); an unknown
character is the word ``V`` with the unigram score ``unk``.

The decoder keeps, per end position, one state per length of the last word (at most
``cand.shape[1]``), so a clause of n characters costs O(n x width^2) pair look-ups; the pairs
of each context are a sorted run of a CSR array, searched by bisection.

Everything works on the candidates matrix of the unigram decoder (:func:`minent.viterbi.candidates`),
so the learner decodes its clause table and the segmenter its spans the same way.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .parallel import resolve
from .viterbi import best_path, longest_clause, make_scratch


@njit(cache=True)
def _find(offsets, nxt, u, w):
    """Index of the pair (u, w) in the model's arrays, or -1."""
    lo, hi = offsets[u], offsets[u + 1]
    end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if nxt[mid] < w:
            lo = mid + 1
        else:
            hi = mid
    if lo < end and nxt[lo] == w:
        return lo
    return -1


@njit(cache=True)
def make_bigram_scratch(n, width):
    """Scratch for clauses of up to ``n`` codes: best score and back-pointer (length of the word
    before) per (end, length of the last word), the id of that word, and the decoded path."""
    return (np.empty((n + 1, width), np.float64), np.empty((n + 1, width), np.int64),
            np.empty((n + 1, width), np.int64), np.empty(n + 1, np.int64), np.empty(n + 1, np.int64))


@njit(cache=True)
def bigram_path(cand, row0, n, logp, unk, offsets, nxt, pair_lp, backoff, known, scratch):
    """Best path over ``n`` positions (candidate rows ``row0 ..``) under the bigram model
    ``(offsets, nxt, pair_lp, backoff)`` (:func:`bigram_model`); returns ``(score, m)``: the
    path's words are ``scratch[3][:m]`` (start offsets, in order) with ids ``scratch[4][:m]``
    (V = unknown character).

    Ties: a state keeps the shortest previous word among equally good ones, and the path ends
    with the shortest last word among equally good ones — unlike the unigram decoder, whose ties
    go to the last word that starts earliest (the two agree on scores, tested)."""
    best, back, wid, starts, ids = scratch
    width = cand.shape[1]
    V = logp.shape[0]
    bos = V + 1
    for j in range(n + 1):
        for k in range(width):
            best[j, k] = -np.inf
    for j in range(1, n + 1):
        for k in range(1, min(width, j) + 1):
            i = j - k
            e = cand[row0 + i, k - 1]
            if e >= 0 and logp[e] > -np.inf:
                lw = logp[e]
            elif k == 1:
                e = V
                lw = unk
            else:
                continue
            wid[j, k - 1] = e
            if i == 0:
                t = _find(offsets, nxt, bos, e)
                best[j, k - 1] = pair_lp[t] if t >= 0 else lw + backoff[bos] * known[e]
                back[j, k - 1] = 0
                continue
            bs = -np.inf
            bk = -1
            for kp in range(1, min(width, i) + 1):
                prev = best[i, kp - 1]
                if prev == -np.inf:
                    continue
                u = wid[i, kp - 1]
                t = _find(offsets, nxt, u, e)
                s = prev + (pair_lp[t] if t >= 0 else lw + backoff[u] * known[e])
                if s > bs:
                    bs = s
                    bk = kp
            best[j, k - 1] = bs
            back[j, k - 1] = bk
    bs = -np.inf
    bk = -1
    for k in range(1, min(width, n) + 1):
        if best[n, k - 1] > bs:
            bs = best[n, k - 1]
            bk = k
    # follow the back-pointers, then reverse
    m = 0
    j = n
    k = bk
    while j > 0:
        starts[m] = j - k
        ids[m] = wid[j, k - 1]
        m += 1
        kp = back[j, k - 1]
        j -= k
        k = kp
    a, b = 0, m - 1
    while a < b:
        starts[a], starts[b] = starts[b], starts[a]
        ids[a], ids[b] = ids[b], ids[a]
        a += 1
        b -= 1
    return bs, m


@njit(cache=True)
def _add_path(ids, m, w, V, counts, pair_keys, pair_w, p):
    """Add ``w`` to ``counts[id]`` for each word of the path ``ids[:m]`` (in order, V = unknown)
    and write its adjacent pairs ``(u * (V + 2) + w, weight)``, clause start first, from row
    ``p``; returns the next free row."""
    stride = V + 2
    u = V + 1
    for t in range(m):
        e = ids[t]
        counts[e] += w
        pair_keys[p] = u * stride + e
        pair_w[p] = w
        p += 1
        u = e
    return p


@njit(cache=True)
def bigram_uses(clauses, cand, logp, unk, offsets, nxt, pair_lp, backoff, known, counts, pair_keys, pair_w):
    """Decode every clause under the bigram model; add its weight to ``counts[id]`` per word
    (V = unknown characters) and write one ``(u * (V + 2) + w, weight)`` per adjacent pair
    (clause start included) to ``pair_keys`` / ``pair_w``; returns the number of pairs written."""
    codes, bounds, weights = clauses
    scratch = make_bigram_scratch(longest_clause(bounds), cand.shape[1])
    V = logp.shape[0]
    p = 0
    for c in range(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        _, m = bigram_path(cand, lo, hi - lo, logp, unk, offsets, nxt, pair_lp, backoff, known, scratch)
        p = _add_path(scratch[4], m, weights[c], V, counts, pair_keys, pair_w, p)
    return p


@njit(cache=True)
def unigram_pair_uses(clauses, cand, logp, unk, counts, pair_keys, pair_w):
    """:func:`bigram_uses` under :func:`empty_model` at the unigram decoder's cost: the path of
    :func:`minent.viterbi.best_path` with ties to the shortest last word (``late``), which is the
    path :func:`bigram_path` finds when the model has no pairs and no back-off cost (their scores
    are the same sums; tested on exact ties). Same outputs: ``counts`` (V = unknown) and one
    ``(u * (V + 2) + w, weight)`` row per adjacent pair, clause start included; returns the
    number of pairs written."""
    codes, bounds, weights = clauses
    longest = longest_clause(bounds)
    scratch = make_scratch(longest)
    back, bid = scratch[1], scratch[2]
    ids = np.empty(longest, np.int64)
    V = logp.shape[0]
    p = 0
    for c in range(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        best_path(cand, lo, hi - lo, logp, unk, scratch, True, True)
        m = 0
        j = hi - lo
        while j > 0:  # words right to left
            m += 1
            j = back[j]
        j = hi - lo
        for t in range(m - 1, -1, -1):  # stored left to right
            ids[t] = bid[j] if bid[j] >= 0 else V
            j = back[j]
        p = _add_path(ids, m, weights[c], V, counts, pair_keys, pair_w, p)
    return p


def pair_table(pair_keys: np.ndarray, pair_w: np.ndarray, min_count: int = 1):
    """Aggregate ``(key, weight)`` rows into sorted unique keys with summed counts, keeping pairs
    seen at least ``min_count`` times."""
    if len(pair_keys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if pair_w.sum() <= 4 * len(pair_keys):  # mostly weight 1: one plain sort (5x an argsort)
        uk, uc = np.unique(np.repeat(pair_keys, pair_w), return_counts=True)
        keep = uc >= min_count
        return uk[keep], uc[keep].astype(np.int64)
    uk, uc = _summed_keys(pair_keys, pair_w)
    keep = uc >= min_count
    return uk[keep], uc[keep]


def _summed_keys(keys: np.ndarray, weights: np.ndarray):
    """Sorted unique ``keys`` with their summed ``weights``, by one stable argsort (linear time
    on a concatenation of sorted runs: timsort merges them)."""
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    first = np.ones(len(k), bool)
    first[1:] = k[1:] != k[:-1]
    idx = np.nonzero(first)[0]
    return k[idx], np.add.reduceat(weights[order], idx)


def merge_pair_tables(keys: list, counts: list):
    """One pair table from the tables (sorted unique keys, counts) of several tasks: what
    :func:`pair_table` gives for all their pairs."""
    if len(keys) == 1:
        return keys[0], counts[0]
    if not any(len(k) for k in keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return _summed_keys(np.concatenate(keys), np.concatenate(counts))


def bigram_model(keys: np.ndarray, pair_counts: np.ndarray, logp: np.ndarray, unk: float,
                 beta: float, known: np.ndarray | None = None):
    """``(offsets, nxt, pair_lp, backoff)`` of the smoothed bigram model (module doc) from pair
    counts (``keys`` sorted, u * (V + 2) + w) and unigram scores ``logp`` (V entries; ``unk`` for
    the unknown character V): the pairs of context u are ``offsets[u] .. offsets[u + 1] - 1``,
    their second words ``nxt`` (ascending), their scores ``pair_lp``; ``backoff[u]`` =
    ln(beta / (c(u) + beta))."""
    V = len(logp)
    stride = V + 2
    u = keys // stride
    w = keys % stride
    ctx = np.bincount(u, weights=pair_counts, minlength=V + 2)
    lw = np.where(w < V, logp[np.minimum(w, V - 1)], unk)
    with np.errstate(divide="ignore"):
        pw = np.exp(lw)
        pair_lp = np.log((pair_counts + beta * pw) / (ctx[u] + beta))
        backoff = np.log(beta / (ctx + beta))
    offsets = np.zeros(V + 3, np.int64)
    offsets[1:] = np.cumsum(np.bincount(u, minlength=V + 2))
    scale = np.ones(V + 1) if known is None else np.append(np.asarray(known, np.float64), 1.0)
    return offsets, w.astype(np.int64), pair_lp.astype(np.float64), backoff.astype(np.float64), scale


# ============================================================================ learner stage

def bigram_task(chunks_ref, cands_ref, logp, unk, model, group, pairs=True):
    """Task: :func:`bigram_uses` over chunks ``group`` (:func:`unigram_pair_uses` when ``model``
    is None, the empty model); returns ``(counts, keys, pair counts)`` (counts has V + 1
    entries, the last for unknown characters; pairs aggregated; without ``pairs``, keys and pair
    counts are None)."""
    chunks, cands, model, logp = resolve(chunks_ref), resolve(cands_ref), resolve(model), resolve(logp)
    counts = np.zeros(len(logp) + 1, np.int64)
    ks, ws = [], []
    for i in group:
        ch = chunks[i]
        pk = np.empty(len(ch[0]) + len(ch[2]), np.int64)
        pw = np.empty_like(pk)
        if model is None:
            m = unigram_pair_uses(ch, cands[i], logp, unk, counts, pk, pw)
        else:
            m = bigram_uses(ch, cands[i], logp, unk, *model, counts, pk, pw)
        ks.append(pk[:m])
        ws.append(pw[:m])
    if not pairs:
        return counts, None, None
    keys, pc = pair_table(np.concatenate(ks) if ks else np.zeros(0, np.int64),
                          np.concatenate(ws) if ws else np.zeros(0, np.int64))
    return counts, keys, pc


def empty_model(n_entries: int):
    """The bigram model with no pairs and no back-off cost: decoding with it is the unigram
    decoder's best path (same scores)."""
    return (np.zeros(n_entries + 3, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64),
            np.zeros(n_entries + 2, np.float64), np.ones(n_entries + 1))


def bigram_pass(passes, logp: np.ndarray, unk: float, model=None, pairs: bool = True):
    """One decoding pass of the clause table of ``passes`` (a :class:`minent.discovery.ClausePasses`
    after ``attach``) under ``model`` (None: the empty model, decoded at the unigram decoder's
    cost), as ``engine.jobs`` tasks: ``(uses per entry, pair keys, pair counts)`` (without
    ``pairs`` the pairs are not counted: None, None); integer sums, so the result does not depend
    on the number of tasks."""
    counts = np.zeros(len(logp) + 1, np.int64)
    scores = passes.task_scores(logp)
    ks, ws = [], []
    engine = passes.engine
    model_ref = None if model is None else engine.share(model)  # once, not pickled with every task
    try:
        for c, k, w in engine.map(bigram_task, [(passes.chunks_ref, passes.cands_ref, scores, float(unk),
                                                 model_ref, g, pairs) for g in passes.groups], ordered=True):
            counts += c
            ks.append(k)
            ws.append(w)
    finally:
        if model_ref is not None:
            engine.release(model_ref)
    if not pairs:
        return counts[:-1], None, None
    keys, pc = merge_pair_tables(ks, ws)
    return counts[:-1], keys, pc
