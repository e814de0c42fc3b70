"""Parse a sentence into nested templates by minimum information (method.md §5).

Model. A *block* is a contiguous span of words; the sentence is a block. A block is explained by

* a **word**: a one-word block scores ``ln p(w)`` (unigram, ``count / n_words`` of the mining
  corpus; a word never seen scores ``ln(0.5 / n_words)``);
* a **template**: its literals match words of the span in order, each placeholder covers one or
  more words forming a sub-block; it scores ``ln p(t)`` (``count / N_templates``) plus the scores of
  its sub-blocks;
* when no template explains it, an **unexplained** block: a flat sequence of two or more blocks,
  each a word or a *closed* template block (one that starts and ends with a literal, like
  "（ [X] ）" or "在 [X] 中"), scoring ``unexplained_logp`` plus their scores (plus ``flat_logp``
  per block, default 0). The penalty defaults to the code length of the rarest kept template,
  ``ln(min count / N_templates)``: a span no template explains costs what the least likely
  template would have cost, so an unexplained sequence is the last resort (chosen on UD dev
  against a fixed -1 nat, the bookkeeping of one merge, method.md §1; README). Templates with an
  edge placeholder ("[X] 的 [X]") stand only where their block's edges are fixed — the sentence,
  or a placeholder between an enclosing template's literals (``open_in_flat=True``: also as
  blocks of an unexplained sequence, where the block edge evidence, below, sets their extent).

The parse maximises the total score (the sum of ln p over the templates and words used, plus
penalties: minimum information). Single-literal templates without placeholders ("谢谢") are not
used: a one-word block is always a word. The sentence-final run (``。！？!?；;`` and the closing
quotes after them, dropped by the miner) is not scored; it hangs from the root.

Algorithm. Exact span dynamic programming (CKY-like, memoised over spans). Spans are finalised by
start i from right to left; for a start i, an Earley-style scan walks a trie over the templates'
element sequences (literal word ids, and ``[X]``) left to right: a literal edge consumes the next
word when it is that literal, a ``[X]`` edge consumes a sub-block [p, q) whose best score is already
known (p > i) — or, for a leading ``[X]``, the block [i, q) finalised just before. Items are merged
per (trie node, position) keeping the best; an item after a placeholder is kept only where the
next word is a literal that can follow, and templates ending with a placeholder are completed per
end position without items. Time O(P n^3) and memory O(n^2 + P n) for a sentence of n words, P the
number of trie nodes matched in the sentence (at most the trie size; about 2n with a mined set
dominated by "[X] w [X]"). Measured: 0.1 s for 100 words, 0.7 s for 200 (CPU, 22k templates).
Sentences longer than ``max_len`` (default 200 words, at most 500) are parsed in consecutive chunks
of ``max_len`` words joined under a flat root of kind ``"chunks"`` (counted in ``n_chunked``).

Ties (scores within 1e-9) are broken explicitly, per block, on its top-level decomposition:

1. a template or word analysis beats an unexplained one;
2. between templates, the one with more literals (bigger templates higher in the tree);
3. with ``tie_break="left"`` (default) the sequence of child end positions that is
   lexicographically largest wins — earlier children as long as possible, so A和B和C nests as
   ((A)和(B))和(C), the author's example; ``"right"`` takes the smallest, (A)和((B)和(C)). The
   same order settles ties between alignments of one template and between flat segmentations of
   an unexplained block;
4. then the more frequent template (its rank in the templates file).

Block edges (``edge_weight``, default 0.25). Left alone, the objective prefers flat trees: one
unexplained sequence costs one penalty however long it is, while every placeholder block needs
its own template or penalty, so the best parse is mostly a flat sequence of words and small closed
templates (on UD dev its brackets score below random trees; README). The mining corpus also
records how often each word starts / ends a piece (a sentence, or a stretch between punctuation
marks); the strength of a boundary between two words is how much more the left one tends to close
pieces than the right one (``-boundary_score``). The chart adds ``edge_weight`` times the
strengths of a block's two edges to the score of every block of two or more words, so blocks are
drawn where pieces of the corpus begin and end, at some cost in code length. The term is the same
for every analysis of a given block (it moves block boundaries, not the choice of template inside
a block), and it is left out of the trees' scores, which stay code lengths (so the returned parse's
code is a little longer than the minimum: README). With it, templates with an edge placeholder could
also stand inside unexplained sequences (``open_in_flat=True``), since the edges fix their extent;
with punctuation pieces (below) that lowered the parse on UD dev, so it is off by default.
``edge_weight=0`` (with ``open_in_flat=False``) is the method's objective alone.

From template blocks to brackets (``bind=True``, the default). A template's literals are mostly
function words, and in a dependency tree a function word hangs from the head of the phrase beside
it: 在 会议 中 is one constituent, 会议 alone is not. :func:`bind_literals` joins each literal to
the placeholder block it binds to (by the same boundary evidence; only on positive evidence) and
that block's own bracket dissolves into the joined unit. ``bind=False`` keeps the template block
flat with a bracket per placeholder block.

Refinement (``attach=True``, the default). Template trees leave some words flat beside their
blocks, while dependency-style structure groups 的 with what precedes it and 在 with what follows.
:func:`attach_by_boundaries` brackets the children of every block bottom-up by the piece-boundary
evidence: units are grouped while their boundary score is above ``attach_min_score`` (default 0:
only on positive evidence; below 0, pairs without evidence are grouped too, leftmost first).
Scores are unchanged; ``attach=False`` gives the pure template tree (edges, binding and pieces
included).

Punctuation pieces (``pieces=True``, the default; before the refinement). The boundary evidence
counts punctuation only at sentence edges, so it cannot place a comma: left to it, a comma joins
the one word before it. :func:`group_pieces` brackets the children of every block by the marks
among them: a bracket or quote pair encloses one unit, a comma closes the piece of units before it
(one bracket: the piece and the comma), an enumeration comma 、 opens a bracket over the conjunct
after it; the refinement then brackets inside the pieces and leaves those marks where they are.

The four heuristics were chosen on UD Chinese GSDSimp dev only (README; pieces on one half of
the sentences, confirmed on the other); with no boundary evidence (a templates file without word
boundaries) the first three change nothing, and ``pieces`` changes only blocks with commas.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from numba import njit

from .errors import MinentError
from .hashtable import KeyCounter, key_lookup, key_slot, mix64
from .trees import Tree, escape_token, join_tokens, tree_from_brackets, tree_from_dict, unescape_token  # noqa: F401
from .templates import CLOSING_MARKS, PLACEHOLDER, PLACEHOLDER_TEXT, SENTENCE_END, UNKNOWN, Templates

EPS = 1e-9
DEFAULT_ATTACH_MIN_SCORE = 0.0  # group only on positive evidence (a lower floor brackets neutral pairs too)
DEFAULT_EDGE_WEIGHT = 0.25  # weight of the block-edge evidence in the chart (chosen on UD dev, README)
PIECE_CLOSERS = ("，", ",")  # a lone comma closes the piece before it (group_pieces)
LIST_OPENERS = ("、",)  # an enumeration comma opens the conjunct after it (group_pieces)
# a pair of brackets or quotes encloses one unit (group_pieces)
BRACKET_PAIRS = ("（）", "“”", "《》", "「」", "『』", "‘’", "【】", "〔〕", "()", "[]")
PIECE_MARKS = frozenset(PIECE_CLOSERS + LIST_OPENERS + tuple("".join(BRACKET_PAIRS)))
MAX_LEN_LIMIT = 500  # chart memory and O(n^3) time; longer sentences are parsed in chunks
NEG_INF = -np.inf
KIND_WORD, KIND_TEMPLATE = 1, 2  # e_kind codes of the chart (0: no analysis)


# ----------------------------------------------------------------------------- kernels

@njit(cache=True)
def _chain(it_prev, it_pos, item, out):
    """End positions of the elements matched along ``item``'s back-pointer chain, in order."""
    m = 0
    while it_prev[item] >= 0:
        out[m] = it_pos[item]
        m += 1
        item = it_prev[item]
    a, b = 0, m - 1
    while a < b:
        out[a], out[b] = out[b], out[a]
        a += 1
        b -= 1
    return m


@njit(cache=True)
def _lex_cmp(a, na, b, nb):
    """-1 / 0 / 1: lexicographic comparison of ``a[:na]`` and ``b[:nb]``."""
    for k in range(min(na, nb)):
        if a[k] != b[k]:
            return 1 if a[k] > b[k] else -1
    if na != nb:
        return 1 if na > nb else -1
    return 0


@njit(cache=True)
def _better(new_score, old_score, cmp, left):
    """Whether a candidate with ``new_score`` replaces the incumbent: higher score, or a tie
    (|diff| <= EPS) won by the boundary comparison ``cmp`` (new vs old) under the tie rule."""
    if new_score > old_score + EPS:
        return True
    if new_score < old_score - EPS:
        return False
    return cmp > 0 if left else cmp < 0


@njit(cache=True)
def _template_wins_tie(node_a, prev_a, node_b, prev_b, end, it_prev, it_pos, term_literals, term_rank, left,
                       tmp_a, tmp_b):
    """Tie rule between two complete template analyses ending at ``end`` (rules 2-4 of the module
    docstring): more literals, then boundary order, then template rank. An analysis is its trie
    node and the item before its last element (``prev``)."""
    la, lb = term_literals[node_a], term_literals[node_b]
    if la != lb:
        return la > lb
    na = _chain(it_prev, it_pos, prev_a, tmp_a)
    tmp_a[na] = end
    nb = _chain(it_prev, it_pos, prev_b, tmp_b)
    tmp_b[nb] = end
    c = _lex_cmp(tmp_a, na + 1, tmp_b, nb + 1)
    if c != 0:
        return c > 0 if left else c < 0
    return term_rank[node_a] < term_rank[node_b]


@njit(cache=True)
def _g_chain(g_prev, i, k, out):
    """Block end positions of the best flat segmentation G(i, k)."""
    m = 0
    while k > i:
        out[m] = k
        m += 1
        k = g_prev[i, k]
    a, b = 0, m - 1
    while a < b:
        out[a], out[b] = out[b], out[a]
        a += 1
        b -= 1
    return m


@njit(cache=True)
def _find_item(h_keys, h_vals, key):
    """``(value, slot)`` of ``key`` in a small table on :func:`~minent.hashtable.key_slot`
    (value -1 when absent; slot is where it would go)."""
    s = key_slot(h_keys, key)
    return (h_vals[s] if h_keys[s] == key else -1), s


@njit(cache=True)
def parse_chart(words, word_logp, trie, unexplained_logp, left, open_in_flat, flat_logp=0.0, room=64, edge=None):
    """Best analyses of every span of one sentence.

    ``words``: word ids (-1 unknown); ``word_logp``: score of each position as a one-word block;
    ``trie`` (:attr:`TemplateParser.tables`) = ``(trie_keys, trie_vals, x_child, term_logp,
    term_rank, term_literals, term_closed)``: literal edges ``key_lookup(trie_keys, trie_vals, node << 32 | word) - 1``, ``[X]`` edges
    ``x_child[node]`` (-1 none); per node ``term_logp`` (-inf when no template ends there),
    ``term_rank`` (template index), ``term_literals`` (its literals), ``term_closed`` (it starts and
    ends with a literal). Root is node 0. ``open_in_flat``: whether templates with an edge
    placeholder may stand inside an unexplained sequence.

    Returns per-span tables indexed ``[a, i, j]`` for two analyses, a = 0 the best word/template
    analysis of the block, a = 1 the best one allowed inside an unexplained sequence:
    ``e_score, e_kind`` (1 word, 2 template), ``e_tid``, ``e_start, e_len`` (element end positions
    ``bounds[e_start:e_start+e_len]``); then ``u_score, u_last`` (best unexplained analysis: flat
    blocks G(i, u_last) then [u_last, j)), ``g_prev`` (flat segmentation back-pointers),
    ``s_is_e`` (the block's best analysis is a = 0, else unexplained), ``s_score`` and ``bounds``.

    ``room``: first size of the work arrays (items, boundaries, placeholder rows); when one runs
    out, the current start position runs again with it doubled (tests set it small to exercise
    that path: the tables are the same whatever ``room``).

    ``edge`` (optional, ``n + 1`` floats): every block [i, j) of two or more words scores
    ``edge[i] + edge[j]`` on top of its analysis (the same for all its analyses, so it moves block
    boundaries, never the choice of analysis within a block).
    """
    trie_keys, trie_vals, x_child, term_logp, term_rank, term_literals, term_closed = trie
    n = words.shape[0]
    e_score = np.full((2, n + 1, n + 1), NEG_INF)
    e_kind = np.zeros((2, n + 1, n + 1), np.int8)
    e_tid = np.full((2, n + 1, n + 1), -1, np.int64)
    e_start = np.zeros((2, n + 1, n + 1), np.int64)
    e_len = np.zeros((2, n + 1, n + 1), np.int64)
    u_score = np.full((n + 1, n + 1), NEG_INF)
    u_last = np.full((n + 1, n + 1), -1, np.int64)
    g_score = np.full((n + 1, n + 1), NEG_INF)
    g_prev = np.full((n + 1, n + 1), -1, np.int64)
    s_score = np.full((n + 1, n + 1), NEG_INF)
    s_is_e = np.zeros((n + 1, n + 1), np.bool_)
    bounds = np.empty(max(1, room // 4) * (n + 1), np.int64)
    n_bounds = 0
    tmp_a = np.empty(n + 2, np.int64)
    tmp_b = np.empty(n + 2, np.int64)

    cap = max(room, 1)
    it_node = np.empty(cap, np.int64)
    it_pos = np.empty(cap, np.int64)
    it_score = np.empty(cap, np.float64)
    it_prev = np.empty(cap, np.int64)
    it_next = np.empty(cap, np.int64)
    head = np.full(n + 1, -1, np.int64)
    e1_by_end = np.full((n + 1, n + 1), NEG_INF)  # e_score[1, k, p] stored at [p, k]: contiguous in k
    # per placeholder node: at which positions a literal child can follow (memo over all starts i)
    row_keys = np.full(2 * cap, -1, np.int64)
    row_vals = np.empty(2 * cap, np.int64)
    follow = np.zeros((max(1, room // 4), n + 1), np.bool_)
    n_rows = 0
    # best template ending with a placeholder, per end position (kept out of the item lists)
    comp_score = np.full(n + 1, NEG_INF)
    comp_node = np.full(n + 1, -1, np.int64)
    comp_prev = np.full(n + 1, -1, np.int64)
    h_keys = np.full(4 * cap, -1, np.int64)
    h_vals = np.empty(4 * cap, np.int64)
    root_x = x_child[0]
    tmask = trie_keys.shape[0] - 1

    for i in range(n - 1, -1, -1):
        # Start i runs again from scratch when an array ran out of room (``grow``: 1 items and
        # their table, 2 boundaries, 4 placeholder rows): arrays are re-bound only here, outside
        # the loops over p and items, where numba would reference-count them on every iteration.
        # Spans [i, p) are written only by start i and read only by the starts before i (run
        # after it), so a re-run of i gives the same result.
        n_bounds_i = n_bounds
        grow = 0
        while True:
            if grow & 1:
                it_node, it_pos, it_score, it_prev, it_next = _grow_items(it_node, it_pos, it_score, it_prev,
                                                                          it_next)
                h_keys = np.full(2 * h_keys.shape[0], -1, np.int64)
                h_vals = np.empty(h_keys.shape[0], np.int64)
            if grow & 2:
                grown_b = np.empty(2 * bounds.shape[0] + n + 2, np.int64)
                grown_b[:n_bounds_i] = bounds[:n_bounds_i]
                bounds = grown_b
            if grow & 4:
                grown = np.zeros((2 * follow.shape[0], n + 1), np.bool_)
                grown[:n_rows] = follow[:n_rows]
                follow = grown
                row_keys, row_vals = _rehash_rows(row_keys, row_vals)
            grow = 0
            n_bounds = n_bounds_i
            h_keys[:] = -1
            for p in range(i, n + 1):
                head[p] = -1
                comp_node[p] = -1
                comp_score[p] = NEG_INF
            it_node[0] = 0  # the root item at i
            it_pos[0] = i
            it_score[0] = 0.0
            it_prev[0] = -1
            it_next[0] = -1
            head[i] = 0
            n_items = 1
            for p in range(i, n + 1):
                if p > i:
                    # ---- finalise span [i, p): word / template analyses (a = 0 any, a = 1 in-flat)
                    for a in range(2):
                        if p == i + 1:
                            e_score[a, i, p] = word_logp[i]
                            e_kind[a, i, p] = KIND_WORD
                            continue
                        closed_only = a == 1 and not open_in_flat
                        # best complete template among the items at p (templates ending with a literal;
                        # tie rules 2-4); closed_only keeps templates that also start with a literal
                        node = -1
                        prev = -1
                        best = NEG_INF
                        it = head[p]
                        while it >= 0:
                            u = it_node[it]
                            if term_logp[u] > NEG_INF and (term_closed[u] or not closed_only):
                                cand = it_score[it] + term_logp[u]
                                if node < 0:
                                    take = True
                                elif abs(cand - best) > EPS:
                                    take = cand > best
                                else:
                                    take = _template_wins_tie(u, it_prev[it], node, prev, p, it_prev, it_pos,
                                                              term_literals, term_rank, left, tmp_a, tmp_b)
                                if take:
                                    best = cand
                                    node = u
                                    prev = it_prev[it]
                            it = it_next[it]
                        if not closed_only and comp_node[p] >= 0:
                            cand = comp_score[p]
                            if node < 0 or cand > best + EPS or (cand >= best - EPS and _template_wins_tie(
                                    comp_node[p], comp_prev[p], node, prev, p, it_prev, it_pos, term_literals,
                                    term_rank, left, tmp_a, tmp_b)):
                                node, prev, best = comp_node[p], comp_prev[p], cand
                        if node < 0:
                            continue
                        m = _chain(it_prev, it_pos, prev, tmp_a)
                        tmp_a[m] = p
                        m += 1
                        if n_bounds + m > bounds.shape[0]:
                            grow |= 2
                            break
                        for k in range(m):
                            bounds[n_bounds + k] = tmp_a[k]
                        e_score[a, i, p] = best
                        e_kind[a, i, p] = KIND_TEMPLATE
                        e_tid[a, i, p] = term_rank[node]
                        e_start[a, i, p] = n_bounds
                        e_len[a, i, p] = m
                        n_bounds += m
                    if grow:
                        break
                    # ---- unexplained analysis: G(i, k) then an in-flat block [k, p)
                    best_u = NEG_INF
                    best_k = -1
                    for k in range(i + 1, p):
                        if g_score[i, k] == NEG_INF or e1_by_end[p, k] == NEG_INF:
                            continue
                        cand = g_score[i, k] + e1_by_end[p, k] + flat_logp
                        if best_k < 0:
                            take = True
                        elif abs(cand - best_u) > EPS:
                            take = cand > best_u
                        else:
                            na = _g_chain(g_prev, i, k, tmp_a)
                            tmp_a[na] = p
                            nb = _g_chain(g_prev, i, best_k, tmp_b)
                            tmp_b[nb] = p
                            take = _better(cand, best_u, _lex_cmp(tmp_a, na + 1, tmp_b, nb + 1), left)
                        if take:
                            best_u = cand
                            best_k = k
                    if best_k >= 0:
                        u_score[i, p] = unexplained_logp + best_u
                        u_last[i, p] = best_k
                    if edge is not None and p - i >= 2:  # the block's edge evidence, the same for every analysis
                        b = edge[i] + edge[p]
                        e_score[0, i, p] += b
                        e_score[1, i, p] += b
                        u_score[i, p] += b
                    e1_by_end[p, i] = e_score[1, i, p]
                    # G(i, p): one in-flat block, or G(i, k) + block [k, p); a single block has the
                    # largest first boundary, so it wins ties under "left" and loses them under "right"
                    f = e_score[1, i, p] + flat_logp
                    if f > NEG_INF and (best_k < 0 or _better(f, best_u, 1, left)):
                        g_score[i, p] = f
                        g_prev[i, p] = i
                    elif best_k >= 0:
                        g_score[i, p] = best_u
                        g_prev[i, p] = best_k
                    if e_score[0, i, p] > NEG_INF and e_score[0, i, p] >= u_score[i, p] - EPS:
                        s_score[i, p] = e_score[0, i, p]
                        s_is_e[i, p] = True
                    else:
                        s_score[i, p] = u_score[i, p]
                    # ---- leading [X] of a template: the block [i, p) just finalised (only root reaches it);
                    # an item is kept only where a literal can follow
                    lead = root_x >= 0 and p < n and s_score[i, p] > NEG_INF and words[p] >= 0
                    if lead:
                        tk = (np.int64(root_x) << 32) | words[p]  # hashtable.key_lookup, written out
                        ts = mix64(tk) & tmask
                        while trie_keys[ts] != tk and trie_keys[ts] != -1:
                            ts = (ts + 1) & tmask
                        lead = trie_keys[ts] == tk and trie_vals[ts] > 0
                    if lead:
                        key = root_x * (n + 1) + p
                        hmask = h_keys.shape[0] - 1
                        slot = mix64(key) & hmask  # hashtable.key_slot, written out
                        while h_keys[slot] != key and h_keys[slot] != -1:
                            slot = (slot + 1) & hmask
                        if n_items >= it_node.shape[0] or 2 * (n_items + 1) > h_keys.shape[0]:
                            grow |= 1
                            break
                        it_node[n_items] = root_x
                        it_pos[n_items] = p
                        it_score[n_items] = s_score[i, p]
                        it_prev[n_items] = 0
                        it_next[n_items] = head[p]
                        head[p] = n_items
                        h_keys[slot] = key
                        h_vals[slot] = n_items
                        n_items += 1
                if p == n:
                    break
                # ---- extend the items at p: a literal edge consumes word p, an [X] edge a block [p, q).
                # Pushes and table probes are written out here: a helper call per push paid numba's
                # atomic reference counting of each array argument, most of the parse time.
                it = head[p]
                while it >= 0:
                    if 2 * (n_items + n + 2) > h_keys.shape[0] or n_items + n + 2 > it_node.shape[0]:
                        grow |= 1  # room for this item's pushes: one literal edge, <= n placeholder ends
                        break
                    hmask = h_keys.shape[0] - 1
                    u = it_node[it]
                    sc = it_score[it]
                    w = words[p]
                    c = -1
                    if w >= 0:
                        tk = (np.int64(u) << 32) | w  # hashtable.key_lookup, written out
                        ts = mix64(tk) & tmask
                        while trie_keys[ts] != tk and trie_keys[ts] != -1:
                            ts = (ts + 1) & tmask
                        if trie_keys[ts] == tk:
                            c = trie_vals[ts] - 1
                    v = x_child[u] if u != 0 else -1
                    row = -1
                    if v >= 0:
                        rmask = row_keys.shape[0] - 1
                        slot = mix64(v) & rmask  # hashtable.key_slot, written out
                        while row_keys[slot] != v and row_keys[slot] != -1:
                            slot = (slot + 1) & rmask
                        if row_keys[slot] == v:
                            row = row_vals[slot]
                        else:  # first visit of v in this sentence: where can a literal follow it?
                            if n_rows >= follow.shape[0] or 2 * (n_rows + 1) > row_keys.shape[0]:
                                grow |= 4
                                break
                            for q in range(n):
                                follow[n_rows, q] = words[q] >= 0 and key_lookup(
                                    trie_keys, trie_vals, (np.int64(v) << 32) | words[q]) > 0
                            row = n_rows
                            row_keys[slot] = v
                            row_vals[slot] = row
                            n_rows += 1
                    # q == p: the literal edge (item (c, p + 1)); q > p: the placeholder [p, q) (item (v, q))
                    for q in range(p, n + 1 if v >= 0 else p + 1):
                        if q == p:
                            if c < 0:
                                continue
                            node, pos, score = c, p + 1, sc
                        else:
                            if s_score[p, q] == NEG_INF:
                                continue
                            score = sc + s_score[p, q]
                            if term_logp[v] > NEG_INF:  # a template ending with this placeholder
                                cand = score + term_logp[v]
                                if comp_node[q] < 0 or cand > comp_score[q] + EPS or (
                                        cand >= comp_score[q] - EPS and _template_wins_tie(
                                            v, it, comp_node[q], comp_prev[q], q, it_prev, it_pos, term_literals,
                                            term_rank, left, tmp_a, tmp_b)):
                                    comp_score[q] = cand
                                    comp_node[q] = v
                                    comp_prev[q] = it
                            # after a placeholder comes a literal: keep the item only if word q is one
                            if not follow[row, q]:
                                continue
                            node, pos = v, q
                        # push: add (or improve) the item (node, pos) reached from item ``it``
                        key = node * (n + 1) + pos
                        slot = mix64(key) & hmask  # hashtable.key_slot, written out
                        while h_keys[slot] != key and h_keys[slot] != -1:
                            slot = (slot + 1) & hmask
                        if h_keys[slot] == key:
                            found = h_vals[slot]
                            old = it_score[found]
                            if score < old - EPS:
                                continue
                            if score <= old + EPS:  # tie: compare the boundary sequences
                                na = _chain(it_prev, it_pos, it, tmp_a)
                                nb = _chain(it_prev, it_pos, it_prev[found], tmp_b)
                                if not _better(score, old, _lex_cmp(tmp_a, na, tmp_b, nb), left):
                                    continue
                            it_score[found] = score
                            it_prev[found] = it
                            continue
                        it_node[n_items] = node
                        it_pos[n_items] = pos
                        it_score[n_items] = score
                        it_prev[n_items] = it
                        it_next[n_items] = head[pos]
                        head[pos] = n_items
                        h_keys[slot] = key
                        h_vals[slot] = n_items
                        n_items += 1
                    it = it_next[it]
                if grow:
                    break
            if grow == 0:
                break
    return e_score, e_kind, e_tid, e_start, e_len, u_score, u_last, g_prev, s_is_e, s_score, bounds[:n_bounds]


@njit(cache=True)
def _grow_items(it_node, it_pos, it_score, it_prev, it_next):
    cap = 2 * it_node.shape[0]
    a = np.empty(cap, np.int64)
    b = np.empty(cap, np.int64)
    c = np.empty(cap, np.float64)
    d = np.empty(cap, np.int64)
    e = np.empty(cap, np.int64)
    m = it_node.shape[0]
    a[:m] = it_node
    b[:m] = it_pos
    c[:m] = it_score
    d[:m] = it_prev
    e[:m] = it_next
    return a, b, c, d, e


@njit(cache=True)
def _rehash_rows(keys, vals):
    size = 2 * keys.shape[0]
    new_keys = np.full(size, -1, np.int64)
    new_vals = np.empty(size, np.int64)
    for s in range(keys.shape[0]):
        if keys[s] != -1:
            _, slot = _find_item(new_keys, new_vals, keys[s])
            new_keys[slot] = keys[s]
            new_vals[slot] = vals[s]
    return new_keys, new_vals


def rarest_template_logp(templates: Templates) -> float:
    """``ln(min count / N_templates)``: the code length (nats, negated) of the rarest template, the
    parser's default penalty of a span no template explains."""
    return math.log(max(int(templates.counts.min()), 1) / templates.total)


def sentence_core(tokens: Sequence[str]) -> int:
    """Length of ``tokens`` without its sentence-final run: tokens of ``。！？!?；;`` and closing
    quotes / brackets, when the run holds at least one sentence-final mark (``…吗 ？``, ``…。 ”``)."""
    k = len(tokens)
    has_end = False
    while k > 0 and all(ch in SENTENCE_END or ch in CLOSING_MARKS for ch in tokens[k - 1] or "x"):
        has_end |= any(ch in SENTENCE_END for ch in tokens[k - 1])
        k -= 1
    if not has_end:
        return len(tokens)
    while k < len(tokens) and not any(ch in SENTENCE_END for ch in tokens[k]):
        k += 1  # closing marks before the first sentence-final mark belong to the sentence
    return k


def bind_literals(tree: Tree, score) -> Tree:
    """Turn each template use into dependency-like brackets (in place; returns tree).

    A template's literals are mostly function words (在, 的, 中, 是, 了), and in a dependency tree a
    function word hangs from the head of the phrase next to it: 在 会议 中 is one span, 会议
    without 在/中 is not; (施力 的) 大小, not (施力) 的 (大小). So in every template block, each
    literal joins the adjacent unit it binds to more strongly — by ``score(last word of the left
    unit, first word of the right unit)``, highest first, ties to the leftmost pair, only while the
    score is > 0 (positive evidence; with no evidence the template block stays as parsed) — and a
    placeholder block that takes a literal gives up its own bracket: its children and the literal
    form one bracket (kind ``"group"``, ``template`` naming the placeholder block's template if it
    had one), or the template block itself when the unit covers all of it. Two placeholder blocks
    are never joined. Scores and the template labels (:meth:`Tree.label`, from ``elements``) are
    unchanged. With :meth:`TemplateParser.boundary_score` a word that tends to close pieces (的,
    中) joins what precedes it and one that opens pieces (在, 从) what follows.
    """
    order, stack = [], [tree]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    for node in reversed(order):  # children before their parents
        if node.kind != "template" or len(node.children) < 2:
            continue
        toks = node.tokens
        units = [([c], c.kind == "word" and c.literal) for c in node.children]
        while len(units) > 1:
            best, k_best = 0.0, -1
            for k in range(len(units) - 1):
                if units[k][1] or units[k + 1][1]:
                    s = score(toks[units[k][0][-1].end - 1], toks[units[k + 1][0][0].start])
                    if s > best:
                        best, k_best = s, k
            if k_best < 0:
                break
            (a, lit_a), (b, lit_b) = units[k_best], units[k_best + 1]
            units[k_best:k_best + 2] = [(a + b, lit_a and lit_b)]
        kids = []
        for members, _ in units:
            if len(members) == 1:
                kids.append(members[0])
                continue
            flat, name = [], None
            for m in members:
                if m.kind != "word" and m.children:
                    flat.extend(m.children)  # the placeholder block's bracket dissolves into the unit
                    name = name or m.template
                else:
                    flat.append(m)
            if len(units) == 1:
                kids = flat
            else:
                kids.append(Tree(members[0].start, members[-1].end, "group", toks, name,
                                 sum(m.logp for m in members), flat))
        node.children = kids
    return tree


def attach_by_boundaries(tree: Tree, score, min_score: float = 0.0, marks=frozenset()) -> Tree:
    """Bracket the children of every block bottom-up by boundary evidence (in place; returns tree).

    In a block with three or more children, the two adjacent children whose boundary has the
    highest ``score(last word of the left one, first word of the right one)`` are grouped (kind
    ``"group"``), again and again while the best score is > ``min_score`` (default 0; ``-inf``
    brackets every block into a binary tree) and more than two units remain; ties go to the
    leftmost pair. With :meth:`TemplateParser.boundary_score`, a word that tends to
    close pieces (的, ）, 了) joins what precedes it and one that opens pieces (在, （, 从) what
    follows — a convention close to dependency subtrees, which is what it is for. A unit that is a
    lone word in ``marks`` (the punctuation placed by :func:`group_pieces`) is never grouped.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        toks = node.tokens
        lo, hi = 0, len(node.children)
        while lo < hi and _lone(node.children[lo], toks, marks):
            lo += 1
        while hi > lo and _lone(node.children[hi - 1], toks, marks):
            hi -= 1
        units = node.children[lo:hi]
        if len(units) < 3:
            continue
        fixed = [_lone(u, toks, marks) for u in units]
        gaps = [-math.inf if fixed[k] or fixed[k + 1] else score(toks[units[k].end - 1], toks[units[k + 1].start])
                for k in range(len(units) - 1)]
        while len(units) > 2:
            k = max(range(len(gaps)), key=lambda g: (gaps[g], -g))
            if not gaps[k] > min_score:
                break
            a, b = units[k], units[k + 1]
            units[k:k + 2] = [Tree(a.start, b.end, "group", toks, logp=a.logp + b.logp, children=[a, b])]
            del gaps[k]
            # the neighbours' gaps keep their words: boundaries are between the same tokens
        node.children = node.children[:lo] + units + node.children[hi:]
    return tree


def _group(units: list, toks) -> Tree:
    return Tree(units[0].start, units[-1].end, "group", toks, logp=sum(u.logp for u in units), children=list(units))


def _lone(u: Tree, toks, marks) -> bool:
    return u.kind == "word" and toks[u.start] in marks


def _open_groups(units: list, toks, opening) -> list:
    """Each lone word of ``opening`` among ``units`` starts a group running to the next one (or
    to the end); the units before the first stay as they are."""
    out, cur = [], None
    for u in units:
        if _lone(u, toks, opening):
            if cur is not None:
                out.append(_group(cur, toks) if len(cur) > 1 else cur[0])
            cur = [u]
        elif cur is None:
            out.append(u)
        else:
            cur.append(u)
    if cur is not None:
        out.append(_group(cur, toks) if len(cur) > 1 else cur[0])
    return out


def _bracket_runs(units: list, toks, pairs: dict) -> list:
    """Each lone opening mark of ``pairs`` and the lone matching closing mark after it (nesting of
    the same pair counted) become one group with the units between them."""
    out, k = [], 0
    while k < len(units):
        close = pairs.get(toks[units[k].start]) if units[k].kind == "word" else None
        end, depth = -1, 0
        if close is not None:
            for m in range(k + 1, len(units)):
                if units[m].kind != "word":
                    continue
                t = toks[units[m].start]
                if t == close:
                    if depth == 0:
                        end = m
                        break
                    depth -= 1
                elif t == toks[units[k].start]:
                    depth += 1
        if end > k + 1:
            out.append(_group(units[k:end + 1], toks))
            k = end + 1
        else:
            out.append(units[k])
            k += 1
    return out


def _inner(units: list, toks, pairs: dict) -> tuple[int, int]:
    """``(lo, hi)``: the units of a block inside its own enclosing bracket pair, if it has one."""
    if len(units) >= 2 and units[0].kind == "word" and units[-1].kind == "word" \
            and pairs.get(toks[units[0].start]) == toks[units[-1].start]:
        return 1, len(units) - 1
    return 0, len(units)


def group_pieces(tree: Tree, closing=PIECE_CLOSERS, opening=LIST_OPENERS, pairs=BRACKET_PAIRS) -> Tree:
    """Bracket the children of every block by the punctuation among them (in place; returns tree).

    In every block (inside its own enclosing bracket pair, if its first and last children are
    one), each lone opening mark of ``pairs`` (（, “, 《...) and the matching closing mark after it
    become one bracket with what is between them. The children are then cut after each lone word
    of ``closing`` (the comma by default): every piece that such a mark closes becomes one
    bracket, its units and the mark (kind ``"group"``); the last piece, which no mark closes, is
    left as it is. Inside a piece, each lone word of ``opening`` (the enumeration comma 、 by
    default) opens a bracket that runs to the next one or to the end of the piece. A single group
    covering the whole block is dissolved into it. Scores and template labels are unchanged.

    Why: the boundary evidence of the mining corpus counts punctuation at sentence edges only, so
    left to :func:`attach_by_boundaries` a comma joins the single word before it, ``(不同 ，)``,
    where a dependency tree hangs it from the head of the clause it closes: ``施力 的 大小 不同 ，``
    is the span. An enumeration comma hangs from the conjunct that follows it (``、 电视 机``), and
    brackets and quotes from the head of what they enclose (``（ A-AVG ）``, never ``A-AVG ）``).
    The marks and their directions were chosen on half of the UD GSDSimp dev sentences and
    confirmed on the other half (README).
    """
    marks_closing, marks_opening, pairs = frozenset(closing), frozenset(opening), dict(pairs)
    marks = marks_closing | marks_opening | set(pairs)
    stack = [tree]
    while stack:
        node = stack.pop()
        units, toks = node.children, node.tokens
        if len(units) >= 3 and any(_lone(u, toks, marks) for u in units):
            lo, hi = _inner(units, toks, pairs)
            out, piece = [], []
            for u in _bracket_runs(units[lo:hi], toks, pairs):
                piece.append(u)
                if _lone(u, toks, marks_closing):
                    out.append(_group(_open_groups(piece[:-1], toks, marks_opening) + [u], toks)
                               if len(piece) > 1 else u)
                    piece = []
            out.extend(_open_groups(piece, toks, marks_opening))
            if len(out) == 1 and out[0].kind == "group":
                out = out[0].children  # one group covering the whole block: the block is its bracket
            node.children = units[:lo] + out + units[hi:]
        stack.extend(node.children)
    return tree


# ----------------------------------------------------------------------------- parser

class TemplateParser:
    """Frozen minimum-information parser over a set of templates (see module docstring).

    Parameters
    ----------
    templates : Templates
        Templates with counts (and word counts for one-word blocks).
    unexplained_logp : float or None, default None
        Penalty (nats, <= 0) of a block no template explains, on top of its blocks' scores;
        None: ``ln(min count / N_templates)``, the code length of the rarest kept template.
    max_len : int, default 200
        Longest sentence parsed in one piece (words); longer ones are parsed in chunks.
    tie_break : "left" or "right", default "left"
        Which of co-optimal analyses wins (module docstring).
    open_in_flat : bool, default False
        Allow templates with an edge placeholder inside an unexplained sequence, where only the
        block-edge evidence (``edge_weight``) sets their extent; ``False``: only templates that
        start and end with a literal, and single words, form the blocks of an unexplained
        sequence. Chosen on UD dev (half of the sentences, confirmed on the other half): with
        ``pieces`` the default is better, and so is the code length (README).
    attach : bool, default True
        Refine the tree after parsing with :func:`attach_by_boundaries` (module docstring);
        ``False`` gives the pure template tree.
    attach_min_score : float, default 0.0
        The refinement groups two adjacent units while their boundary score is above this
        (``-inf``: every block becomes binary). Measured on UD dev (README).
    frames : bool, default True
        Also use the frame of each template with an edge placeholder (:meth:`_entries`).
    flat_logp : float, default 0.0
        Cost (nats, <= 0) of each block of an unexplained sequence, on top of ``unexplained_logp``
        per sequence: the code length of a block boundary no template explains. 0 (default) is
        the method's one penalty per span; a large cost makes unexplained sequences a last resort
        (measured on UD dev in the README: deeper pure trees, worse refined trees).
    edge_weight : float, default 0.25
        Weight (>= 0) of the block-edge evidence in the chart: every block [i, j) of two or more
        words scores ``edge_weight * (strength(i) + strength(j))``, where the strength of the
        boundary before word k is ``-boundary_score(word k-1, word k)`` (0 at the ends of the
        sentence). 0 is the method's objective alone. Tree scores (``logp``, information) leave
        this term out: they stay code lengths, so a weight above 0 trades code length for
        structure. Chosen on UD dev with the code length on pd1998 in view: 0.25 gives the best
        refined parse and pure trees above the random baseline for 0.4% more code; larger weights
        deepen the pure trees but lengthen the code (README).
    bind : bool, default True
        Turn template uses into dependency-like brackets with :func:`bind_literals` (literals
        join the placeholder block they bind to); ``False`` keeps each template block flat with a
        bracket per placeholder block. Applies to the pure tree as well (``attach=False``).
    pieces : bool, default True
        Bracket every block's children by its punctuation with :func:`group_pieces` (a bracket or
        quote pair encloses one unit, a comma closes the piece before it, an enumeration comma
        opens the conjunct after it), after binding and before the refinement, which then never
        groups those marks. Applies to the pure tree as
        well; ``False`` leaves punctuation to the boundary evidence. Chosen on UD dev (README).
    """

    def __init__(self, templates: Templates, unexplained_logp: float | None = None, max_len: int = 200,
                 tie_break: str = "left", open_in_flat: bool = False, attach: bool = True, frames: bool = True,
                 flat_logp: float = 0.0, attach_min_score: float = DEFAULT_ATTACH_MIN_SCORE,
                 edge_weight: float = DEFAULT_EDGE_WEIGHT, bind: bool = True, pieces: bool = True):
        if tie_break not in ("left", "right"):
            raise MinentError("tie_break must be 'left' or 'right'")
        if not 2 <= int(max_len) <= MAX_LEN_LIMIT:
            raise MinentError(f"max_len must be between 2 and {MAX_LEN_LIMIT}")
        if len(templates) == 0:
            raise MinentError("no templates to parse with")
        self.templates = templates
        self.unexplained_logp = float(rarest_template_logp(templates) if unexplained_logp is None
                                      else unexplained_logp)
        if not self.unexplained_logp <= 0:
            raise MinentError("unexplained_logp must be <= 0 (a log-probability)")
        self.max_len = int(max_len)
        self.tie_break = tie_break
        self.open_in_flat = bool(open_in_flat)
        self.attach = bool(attach)
        self.attach_min_score = float(attach_min_score)
        self.frames = bool(frames)
        self.flat_logp = float(flat_logp)
        if not self.flat_logp <= 0:
            raise MinentError("flat_logp must be <= 0 (a log-probability)")
        self.edge_weight = float(edge_weight)
        if not 0 <= self.edge_weight < math.inf:
            raise MinentError("edge_weight must be >= 0 and finite")
        self.bind = bool(bind)
        self.pieces = bool(pieces)
        self.n_chunked = 0
        self._build()

    def _entries(self) -> tuple[list[tuple], np.ndarray]:
        """The patterns the parser uses and their ln p: every template, then (``frames``) the
        *frame* of each template with an edge placeholder — its literals and inner placeholders
        alone ("[X] 在 [X] 中 [X]" -> "在 [X] 中"), scored by the summed counts of the templates
        sharing it, for the frames that are not templates themselves."""
        t = self.templates
        patterns = list(t.patterns)
        logp = list(t.logp)
        if self.frames:
            known = set(patterns)
            counts: dict[tuple, int] = {}
            for p, c in zip(t.patterns, t.counts.tolist()):
                lo = 1 if p[0] == PLACEHOLDER_TEXT else 0
                hi = len(p) - 1 if p[-1] == PLACEHOLDER_TEXT else len(p)
                if hi - lo >= 2 and (lo, hi) != (0, len(p)):
                    counts[p[lo:hi]] = counts.get(p[lo:hi], 0) + c
            for f in sorted(counts, key=lambda f: (-counts[f], f)):
                if f not in known:
                    patterns.append(f)
                    logp.append(math.log(counts[f] / t.total))
        return patterns, np.array(logp, np.float64)

    def _build(self):
        t = self.templates
        self.patterns, self.pattern_logp = self._entries()
        logp = self.pattern_logp
        index: dict[str, int] = {}
        words: list[str] = [PLACEHOLDER_TEXT]
        for w in list(t.word_counts) + [x for p in self.patterns for x in p if x != PLACEHOLDER_TEXT]:
            if w not in index and w != PLACEHOLDER_TEXT:
                index[w] = len(words)
                words.append(w)
        self.index = index
        self.word_logp = np.array([0.0] + [t.word_logp(w) for w in words[1:]])
        self.word_closing = np.array([0.0] + [self._closing(w) for w in words[1:]])
        self.unknown_logp = t.unknown_logp
        children: dict[tuple[int, int], int] = {}
        term_logp = [NEG_INF]
        term_rank = [-1]
        self.n_trie_templates = 0
        for r, pattern in enumerate(self.patterns):
            if len(pattern) == 1 or not np.isfinite(logp[r]):
                continue  # a lone word is a one-word block, never a template
            node = 0
            for x in pattern:
                code = PLACEHOLDER if x == PLACEHOLDER_TEXT else index[x]
                nxt = children.get((node, code))
                if nxt is None:
                    nxt = children[(node, code)] = len(term_logp)
                    term_logp.append(NEG_INF)
                    term_rank.append(-1)
                node = nxt
            term_logp[node] = float(logp[r])
            term_rank[node] = r
            self.n_trie_templates += 1
        n_nodes = len(term_logp)
        self.x_child = np.full(n_nodes, -1, np.int64)
        lit_keys, lit_vals = [], []
        for (node, code), child in children.items():
            if code == PLACEHOLDER:
                self.x_child[node] = child
            else:
                lit_keys.append((node << 32) | code)
                lit_vals.append(child + 1)
        self.trie = KeyCounter(2 * len(lit_keys) + 16)
        if lit_keys:
            self.trie.add(np.array(lit_keys, np.int64), np.array(lit_vals, np.int64))
        pats = self.patterns
        self.term_logp = np.array(term_logp, np.float64)
        self.term_rank = np.array(term_rank, np.int64)
        self.term_literals = np.array([0 if r < 0 else sum(x != PLACEHOLDER_TEXT for x in pats[r])
                                       for r in term_rank], np.int64)
        self.term_closed = np.array([r >= 0 and pats[r][0] != PLACEHOLDER_TEXT and pats[r][-1] != PLACEHOLDER_TEXT
                                     for r in term_rank], np.bool_)
        self.n_trie_nodes = n_nodes
        self.tables = (self.trie.keys, self.trie.vals, self.x_child, self.term_logp, self.term_rank,
                       self.term_literals, self.term_closed)

    def edges(self, tokens: Sequence[str]) -> np.ndarray:
        """``edge_weight`` times the strength of the block boundary before each position
        ``0..n`` of ``tokens`` (``-boundary_score`` of the two words around it; 0 at both ends): a
        block [i, j) of two or more words scores ``edges[i] + edges[j]`` in the chart."""
        n = len(tokens)
        out = np.zeros(n + 1)
        if n > 1 and self.edge_weight:
            closing = np.array([self.word_closing[self.index[w]] if w in self.index else self._closing(w)
                                for w in tokens])
            out[1:n] = self.edge_weight * (closing[:-1] - closing[1:])
        return out

    def _chart(self, tokens: Sequence[str]):
        ids = np.array([self.index.get(w, UNKNOWN) for w in tokens], np.int64)
        wl = np.where(ids >= 0, self.word_logp[np.maximum(ids, 0)], self.unknown_logp)
        edge = self.edges(tokens) if self.edge_weight else None
        return parse_chart(ids, wl, self.tables, self.unexplained_logp, self.tie_break == "left",
                           self.open_in_flat, self.flat_logp, 64, edge), edge

    def parse(self, tokens: Sequence[str]) -> Tree:
        """Best parse of a sentence given as a list of words."""
        tokens = tuple(tokens)
        n = len(tokens)
        core = sentence_core(tokens)
        if core == 0:
            if n == 0:
                return Tree(0, 0, "empty", tokens)
            return Tree(0, n, "unexplained" if n > 1 else "word", tokens,
                        children=[Tree(k, k + 1, "word", tokens) for k in range(n)] if n > 1 else [])
        if core > self.max_len:
            self.n_chunked += 1
            kids = [self._parse_span(tokens, a, min(core, a + self.max_len))
                    for a in range(0, core, self.max_len)]
            tree = Tree(0, core, "chunks", tokens, logp=sum(k.logp for k in kids), children=kids)
        else:
            tree = self._parse_span(tokens, 0, core)
        if self.bind:
            tree = bind_literals(tree, self.boundary_score)
        if self.pieces:
            tree = group_pieces(tree)
        if self.attach:
            tree = attach_by_boundaries(tree, self.boundary_score, self.attach_min_score,
                                        PIECE_MARKS if self.pieces else frozenset())
        if core < n:  # sentence-final marks hang from the root
            marks = [Tree(k, k + 1, "word", tokens) for k in range(core, n)]
            if tree.kind == "word":
                tree = Tree(0, n, "unexplained", tokens, logp=tree.logp, children=[tree] + marks)
            else:
                tree.children = tree.children + marks
                if tree.elements:
                    tree.elements = tree.elements + [(k, k + 1, True) for k in range(core, n)]
                tree.end = n
        return tree

    def boundary_score(self, left_word: str, right_word: str) -> float:
        """How strongly a block boundary is *not* between two adjacent words (nats):
        ``ln((ends(b)+1)/(starts(b)+1)) - ln((ends(a)+1)/(starts(a)+1))`` for a = ``left_word``,
        b = ``right_word``; starts / ends count how often a word opened / closed a piece of the
        mining corpus. Positive when b tends to close pieces and a to open them."""
        return self._closing(right_word) - self._closing(left_word)

    def _closing(self, word: str) -> float:
        a, b = self.templates.boundaries.get(word, (0, 0))
        return math.log((b + 1) / (a + 1))

    def _parse_span(self, tokens: tuple, lo: int, hi: int) -> Tree:
        (e_score, e_kind, e_tid, e_start, e_len, u_score, u_last, g_prev, s_is_e, s_score, bounds), edge = \
            self._chart(tokens[lo:hi])
        patterns = self.patterns

        def block(i, j) -> Tree:
            return explained(0, i, j) if s_is_e[i, j] else unexplained(i, j)

        def explained(a, i, j) -> Tree:
            if e_kind[a, i, j] == KIND_WORD:
                return Tree(lo + i, lo + j, "word", tokens, logp=float(e_score[a, i, j]))
            r = int(e_tid[a, i, j])
            ends = bounds[e_start[a, i, j]:e_start[a, i, j] + e_len[a, i, j]].tolist()
            kids, elements, start = [], [], i
            for x, end in zip(patterns[r], ends):
                if x == PLACEHOLDER_TEXT:
                    kids.append(block(start, end))
                else:
                    kids.append(Tree(lo + start, lo + end, "word", tokens, logp=0.0, literal=True))
                elements.append((lo + start, lo + end, x != PLACEHOLDER_TEXT))
                start = end
            return Tree(lo + i, lo + j, "template", tokens, " ".join(patterns[r]), float(e_score[a, i, j]), kids,
                        elements=elements)

        def unexplained(i, j) -> Tree:
            ends = [j]
            k = int(u_last[i, j])
            while k > i:
                ends.append(k)
                k = int(g_prev[i, k])
            ends.reverse()
            kids, start = [], i
            for end in ends:
                kids.append(explained(1, start, end))
                start = end
            return Tree(lo + i, lo + j, "unexplained", tokens, logp=float(u_score[i, j]), children=kids)

        tree = block(0, hi - lo)
        if edge is not None:
            _drop_edge_scores(tree, edge, lo)
        return tree

    def information_bits(self, tokens: Sequence[str], tree: Tree | None = None) -> tuple[float, float]:
        """``(unigram bits, parse bits)`` of a sentence: -log2 of its words' unigram probability
        (sentence-final marks left out, as in the parse) and -log2 of the best parse's score
        (``tree``, parsed here when not given)."""
        tokens = tuple(tokens)
        core = sentence_core(tokens)
        logp = sum(float(self.word_logp[self.index[w]]) if w in self.index else self.unknown_logp
                   for w in tokens[:core])
        if tree is None:
            tree = self.parse(tokens)
        return -logp / math.log(2), tree.information_bits


def _drop_edge_scores(tree: Tree, edge: np.ndarray, lo: int) -> float:
    """Take the chart's edge term out of every block's ``logp`` (in place), so tree scores stay
    code lengths; returns the total taken out of ``tree``'s subtree. ``lo``: offset of the chart."""
    taken = sum(_drop_edge_scores(c, edge, lo) for c in tree.children)
    if tree.kind in ("template", "unexplained") and len(tree) >= 2:
        taken += float(edge[tree.start - lo] + edge[tree.end - lo])
    tree.logp -= taken
    return taken
