"""Sentence templates ("飞象过河", method.md §4): cross-word fixed collocations.

A template is a sequence of literal words with placeholders ``[X]`` between them ("[X] 的 [X]",
"为什么 [X]", "[X] 可以 [X] 吗"). Mining, over sentences already split into words:

1. **Count** (pass 1, streaming): words, and ordered word pairs (a before b) at distance
   1..``window`` ("skip-grams"), in a :class:`~minent.hashtable.KeyCounter` keyed
   ``id_a << 32 | id_b`` (distances pooled). Memory grows with the distinct pairs, not the corpus.
   Also counted: how often each word starts / ends a *piece* (a sentence, or a stretch of words
   between punctuation tokens) — evidence the parser uses to attach function words.
2. **Link**: a pair is *strong* when its count reaches ``max(min_count, min_prob x N_pairs)`` and
   ``PMI = ln(p_ab / (p_a p_b)) > min_pmi`` (natural log), with ``p_ab = n_ab / N_pairs`` (N_pairs:
   all pair slots counted) and ``p_a = n_a / N_words``, so independent words have PMI about 0
   whatever the window.
3. **Paths** (pass 2): per sentence, a DAG over the word positions with an edge i -> j
   (0 < j - i <= window) for each strong pair. Every source-to-sink path (a source has no incoming
   edge, a sink no outgoing one; an isolated word is a path of one node) becomes a template: the
   words on the path are literals; a skip inside the path, and the stretch before / after it if it
   does not reach the sentence ends, become one placeholder each. Paths are enumerated depth-first
   (successors in increasing position), at most ``max_paths`` per source node; sentences where a
   source hit the cap are counted in ``report_["sentences_path_capped"]``. Beyond the method
   (``subpath_literals``, default 3): every path of 2..3 nodes from any node, and the first and
   last word of the sentence alone, are templates too, so a frame is counted wherever it stands
   and not only when it happens to be a whole source-to-sink path. Also beyond the method
   (``inner_min_pmi``): the paths a -> c -> b through one word c inside a linked pair a -> b that
   the pairs alone do not link (在 [X] 的 [X] 下, where 在 … 下 is linked but 在 … 的 and 的 … 下
   are not: 的 goes with everything), kept when c is linked to the pair as a pair's words are
   linked (enough occurrences inside the pair, PMI with it above a threshold;
   :func:`inner_templates`), so frames of three literals are reachable. Work per sentence is
   O(n x (sources' max_paths + window^2)); there is no sentence-length limit.
   Punctuation (``punctuation``, default ``excluded``): punctuation tokens are covered by
   placeholders but never literals, so "[X] “ [X] ” [X]"-style frames do not fill the top.
4. **Count templates**: a template counts at most once per sentence (duplicate paths in one
   sentence are merged through a small per-sentence hash table). The paths are walked twice:
   first every occurrence's 64-bit hash goes into a count-min sketch (two rows of saturating
   16-bit counters, about four per corpus word, :func:`sketch_add`), which gives N_templates (all
   template occurrences) and so the cut-off ``max(min_count, min_prob x N_templates)``; then only
   the templates whose sketch estimate reaches the cut-off are counted exactly, in a
   :class:`~minent.hashtable.SeqCounter` over word-id sequences with the reserved code
   ``PLACEHOLDER = 0`` for ``[X]``. The estimate is never below the true count, so every template
   that reaches the cut-off is counted in full and the result is the same as counting every
   template; the rare ones (most distinct templates) never take a table entry. The inner paths'
   word triples (a, c, b) go into the same sketch, per occurrence (not into N_templates); the
   second walk writes out the inner paths of the triples whose estimate reaches the cut-off and
   counts those triples exactly, with the words inside each linked pair, for the link test.
   ``probability = count / N_templates``. Templates reaching the cut-off are kept; a kept
   template that a template with one more literal accounts for (``redundancy``) is dropped as a
   fragment; the rest are ranked (``ranking``; ties: template text in code-point order): by
   default as frames (:mod:`minent.framerank`: count x fixed literal order x open slots), or by
   count, or by information saved. "[X] w [X]" (one literal between two placeholders)
   is *trivial*: it only says w can stand inside a sentence; such templates are kept but flagged.
5. **Examples** (pass 3): the first ``n_examples`` sentences (in corpus order) of each kept template.

With ``window=1`` the literals of a path are adjacent: the templates are phrases (chains of tight
adjacent words).

Sentences: :func:`split_sentences` cuts a token list after the sentence-final marks
``。！？!?；;`` (dropped) — the CLI does this by default; :class:`TemplateFinder` takes sentences as
given. The token ``[X]`` in input is read as an unknown word: never a literal, always covered by a
placeholder.

File format (``.tsv``, UTF-8): a first line ``# minent-templates format=2 entries=<templates>
word_entries=<words> key=value ...`` (line counts of the two sections, totals and mining parameters), then a section ``## templates`` with a header line and one template per
line (``template count probability literals trivial pmi example_1..example_k``; ``pmi`` is
``ln p(t) - sum ln p(literal)`` in nats), then a section ``## words`` (``word count starts ends``):
the unigram counts the parser needs for single-word blocks, and how often each word started / ended
a piece, read by the parser's ``attach`` refinement. :meth:`Templates.load` also reads a plain list
of templates, one per line, optionally followed by TAB and a count. The two line counts (format 2)
are checked on load, and the file must end with a complete line: a file cut short is refused.
Format 1 files (without them) still load.
"""
from __future__ import annotations

import array
import gc
import itertools
import math
import os
import re
import shutil
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
from numba import njit

from .errors import FormatError, InputError, MinentError
from .framerank import FrameSample
from .hashtable import (EMPTY, KeyCounter, SeqCounter, filter_has, filter_shift, fold, key_find, key_slot, mix64,
                        prefetch, table_find, with_filter, _FNV_OFFSET)
from .spill import SpillingCounter, SpillingKeyCounter, merge_first_values
from .parallel import forks_workers, plan_ranges, read_range, resolve, trim_heap
from .textio import atomic_write, owned_temp, temp_write_error

PLACEHOLDER = 0
PLACEHOLDER_TEXT = "[X]"
UNKNOWN = -1
FORMAT_VERSION = 2
READABLE_VERSIONS = ("1", "2")  # 1: no entries= / word_entries= counts in the first line
SENTENCE_END = frozenset("。！？!?；;")
CLOSING_MARKS = frozenset("”’」』》）】〕)\"'")
_MARKS = SENTENCE_END | CLOSING_MARKS
_FILE_MAGIC = "# minent-templates"
_TEMPLATE_COLUMNS = ["template", "count", "probability", "literals", "trivial", "pmi"]

Progress = Callable[[str, int, int], None]


# ----------------------------------------------------------------------------- sentences, vocabulary

def _only(token: str, marks: frozenset) -> bool:
    return bool(token) and all(ch in marks for ch in token)


def split_sentences(tokens: Sequence[str]) -> list[list[str]]:
    """Cut ``tokens`` after each token made only of sentence-final marks (``。！？!?；;``).

    The marks themselves are dropped; closing quotes or brackets right after them (``。”``) stay
    with the sentence they close; empty sentences are skipped.
    """
    out: list[list[str]] = []
    cur: list[str] = []
    after_end = False
    done = 0
    # only tokens starting with a mark can change the state: the others are copied in runs
    for i in [i for i, t in enumerate(tokens) if t[:1] in _MARKS]:
        if i > done:
            cur.extend(tokens[done:i])
            after_end = False
        done = i + 1
        t = tokens[i]
        if _only(t, SENTENCE_END):
            if cur:
                out.append(cur)
            cur = []
            after_end = True
        elif after_end and _only(t, CLOSING_MARKS) and out:
            out[-1].append(t)
        else:
            cur.append(t)
            after_end = False
    cur.extend(tokens[done:])
    if cur:
        out.append(cur)
    return out


_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true (re's definition of \w)


def is_punctuation(token: str) -> bool:
    """True for a token without any letter, digit or Han character (``，`` ``（`` ``——``): no
    character for which ``str.isalnum()`` is true (one regex search, no generator per token)."""
    return _ALNUM.search(token) is None


class _WordIds(dict):
    """:attr:`Vocabulary.index`, word -> id. Looking a word up with ``[]`` adds it when it is new
    (the next id; ``"[X]"`` gives :data:`UNKNOWN` and is not added), so a block of tokens is
    encoded, and its new words added in order of first sight, in one pass at C speed
    (:meth:`Vocabulary.encode_array`). Lookups that must not add use ``.get``. The word lists are
    shared with the vocabulary (no reference back to it: no cycle)."""
    __slots__ = ("words", "punctuation")

    def __missing__(self, word: str) -> int:
        if word == PLACEHOLDER_TEXT:
            return UNKNOWN
        i = self[word] = len(self.words)
        self.words.append(word)
        self.punctuation.append(is_punctuation(word))
        return i


class Vocabulary:
    """Words <-> dense ids. Id 0 is the placeholder ``[X]``; words get ids from 1 in order of first
    sight; :data:`UNKNOWN` (-1) is the id of words outside the vocabulary (and of the token ``[X]``).
    ``punctuation[i]`` tells whether word i is a punctuation token."""

    def __init__(self, words: Iterable[str] = ()):
        self.words: list[str] = [PLACEHOLDER_TEXT]
        self.punctuation: list[bool] = [False]
        self.index = _WordIds()
        self.index.words, self.index.punctuation = self.words, self.punctuation
        for w in words:
            self.add(w)

    def __len__(self) -> int:
        return len(self.words)

    def add(self, word: str) -> int:
        return self.index[word]

    def encode(self, tokens: Sequence[str], grow: bool = False) -> list[int]:
        """Ids of ``tokens``; with ``grow``, unseen words are added, otherwise they get UNKNOWN."""
        if grow:
            return list(map(self.index.__getitem__, tokens))
        return list(map(self.index.get, tokens, itertools.repeat(UNKNOWN)))

    def encode_array(self, tokens: Iterable[str], grow: bool = False, count: int | None = None) -> np.ndarray:
        """:meth:`encode` as an int32 array, without a list of ids (one lookup per token at C
        speed, new words too); ``tokens`` may be any iterable when ``count`` says how many."""
        lookup = map(self.index.__getitem__, tokens) if grow else map(self.index.get, tokens, itertools.repeat(UNKNOWN))
        return np.fromiter(lookup, np.int32, len(tokens) if count is None else count)


def _pack(id_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Flat int32 ids and int64 sentence bounds of a block of id lists."""
    bounds = np.zeros(len(id_lists) + 1, np.int64)
    if id_lists:
        bounds[1:] = np.cumsum([len(x) for x in id_lists])
    flat = np.array(list(itertools.chain.from_iterable(id_lists)), dtype=np.int32).reshape(-1)
    return flat, bounds


# ----------------------------------------------------------------------------- kernels

_DAG_OFF, _DAG_WRITE, _DAG_READ = 0, 1, 2  # what _sentence_dag does with the kept DAG edges

@njit(cache=True)
def skipgram_keys(ids, bounds, window):
    """Keys ``a << 32 | b`` of the ordered pairs (ids[i], ids[j]), 0 < j - i <= window, of each
    sentence ``ids[bounds[s]:bounds[s+1]]``; positions with id <= 0 (unknown) take part in no pair."""
    n_keys = 0
    for s in range(bounds.shape[0] - 1):
        lo, hi = bounds[s], bounds[s + 1]
        for i in range(lo, hi):
            if ids[i] <= 0:
                continue
            for j in range(i + 1, min(hi, i + window + 1)):
                if ids[j] > 0:
                    n_keys += 1
    keys = np.empty(n_keys, np.int64)
    m = 0
    for s in range(bounds.shape[0] - 1):
        lo, hi = bounds[s], bounds[s + 1]
        for i in range(lo, hi):
            a = ids[i]
            if a <= 0:
                continue
            for j in range(i + 1, min(hi, i + window + 1)):
                if ids[j] > 0:
                    keys[m] = (np.int64(a) << 32) | ids[j]
                    m += 1
    return keys


@njit(cache=True)
def piece_boundaries(ids, bounds, is_punct, starts, ends):
    """Count, per word id, how often it starts / ends a piece: a sentence, or a stretch of words
    between punctuation tokens (punctuation tokens count at sentence edges only)."""
    for s in range(bounds.shape[0] - 1):
        lo, hi = bounds[s], bounds[s + 1]
        if hi == lo:
            continue
        if ids[lo] >= 0:
            starts[ids[lo]] += 1
        if ids[hi - 1] >= 0:
            ends[ids[hi - 1]] += 1
        for k in range(lo, hi):
            w = ids[k]
            if w < 0 or is_punct[w]:
                continue
            if k > lo and ids[k - 1] >= 0 and is_punct[ids[k - 1]]:
                starts[w] += 1
            if k + 1 < hi and ids[k + 1] >= 0 and is_punct[ids[k + 1]]:
                ends[w] += 1


@njit(cache=True)
def _sentence_dag(ids, lo, n, window, strong_keys, bits, succ, succ_slot, n_succ, indeg, dag, dag_mode, slots):
    """Edges i -> j (0 < j - i <= window, both known, pair strong) of one sentence:
    ``succ[i * window + k]`` for k < ``n_succ[i]``, the slot of the pair in ``strong_keys`` in
    ``succ_slot`` (same index; only when ``slots``, or when the table is probed anyway), and the
    in-degrees. ``strong_keys``: the key array of a :class:`~minent.hashtable.KeyCounter` of the
    strong pairs (key ``a << 32 | b``), ``bits`` its key filter
    (:func:`~minent.hashtable.with_filter`): most pairs are not strong, and the filter (in cache)
    turns most of them away before a probe of the table (in memory).

    ``dag`` (``dag_mode``: :data:`_DAG_WRITE`, :data:`_DAG_READ` instead of looking the pairs up,
    :data:`_DAG_OFF`): per position ``lo + i`` of ``ids``, bit ``j - i - 1`` set for each edge
    i -> j (window <= 16)."""
    mask = strong_keys.shape[0] - 1
    for i in range(n):
        n_succ[i] = 0
        indeg[i] = 0
    if dag_mode == _DAG_READ:  # the edges another walk found
        for i in range(n):
            m = dag[lo + i]
            a = ids[lo + i]
            for d in range(window if m else 0):
                if (m >> d) & 1:
                    j = i + 1 + d
                    if slots:  # the pair's slot: the key is in the table
                        k = (np.int64(a) << 32) | ids[lo + j]
                        slot = mix64(k) & mask
                        while strong_keys[slot] != k:
                            slot = (slot + 1) & mask
                        succ_slot[i * window + n_succ[i]] = slot
                    succ[i * window + n_succ[i]] = j
                    n_succ[i] += 1
                    indeg[j] += 1
        return
    shift = filter_shift(bits)
    for i in range(n):
        a = ids[lo + i]
        if dag_mode == _DAG_WRITE:
            dag[lo + i] = 0
        if a <= 0:
            continue
        for j in range(i + 1, min(n, i + window + 1)):
            b = ids[lo + j]
            if b <= 0:
                continue
            k = (np.int64(a) << 32) | b
            if not filter_has(bits, k, shift):
                continue
            slot = mix64(k) & mask  # hashtable.key_lookup, written out (no call per pair)
            while strong_keys[slot] != k and strong_keys[slot] != EMPTY:
                slot = (slot + 1) & mask
            if strong_keys[slot] == k:
                succ[i * window + n_succ[i]] = j
                succ_slot[i * window + n_succ[i]] = slot
                n_succ[i] += 1
                indeg[j] += 1
                if dag_mode == _DAG_WRITE:
                    dag[lo + i] |= np.uint16(1) << np.uint16(j - i - 1)


@njit(cache=True)
def triple_hash(a, c, b):
    """Hash of the word triple "c inside a linked pair (a, b)" in the template sketch (a leading
    code -2, which no template has)."""
    return mix64(fold(fold(fold(fold(_FNV_OFFSET, -2), a), c), b))


@njit(cache=True, inline="always")
def _extend_hash(h, gap, code):
    """The running :func:`~minent.hashtable.seq_hash` state of a template's codes extended by one
    literal ``code``, after a placeholder when ``gap``."""
    if gap:
        h = fold(h, PLACEHOLDER)
    return fold(h, code)


@njit(cache=True)
def block_templates(ids, bounds, start, walk, strong, out, capped, sketch, cut, links, dag):
    """Templates of the sentences ``s = start, start+1, ...`` of a block (method.md §4 steps 3-4).

    ``walk = (window, max_paths, subpath_literals, inner)``. For each sentence: the DAG of strong
    pairs (``strong = (keys, vals, bits)``: a :class:`~minent.hashtable.KeyCounter`, key
    ``a << 32 | b``, frozen with its key filter, :func:`~minent.hashtable.with_filter`); every
    source-to-sink path (at most ``max_paths`` per source, depth first, successors in increasing
    position); and, when ``subpath_literals >= 2``, every path of
    2..``subpath_literals`` nodes from any node, and the sentence's first and last word alone
    ("w [X]", "[X] w"); with ``inner``, also the *inner* paths a -> c -> b of each edge a -> b
    over two or more positions, through each known word c strictly inside it that the DAG does not
    link both ways (whether c is linked to the pair is decided from the counts of ``links``, see
    :func:`inner_templates`); one template per distinct pattern per sentence
    (a per-sentence table hash -> template, paths compared on a hash match; a template's codes
    are written only when it is written out, when the sentence is done).
    ``out = (codes, bounds, hashes, sent)``: template t is ``codes[bounds[t]:bounds[t+1]]`` (0 =
    [X]) from sentence ``sent[t]``, ``hashes[t]`` its :func:`~minent.hashtable.seq_hash`;
    ``capped[s]`` is set when a source of sentence s hit ``max_paths``.

    ``sketch`` (two rows of saturating uint16 counters, :func:`sketch_add`) and ``cut``:
    - empty sketch: every template is written out, every inner path too;
    - ``cut <= 0``: the sketch walk: each template's hash, and each inner triple's
      (:func:`triple_hash`, per occurrence) is added to the sketch; nothing is written out, and
      a sentence's templates are told apart by their hash alone (two templates whose hashes
      collide add one count to their shared counters where both occur: the estimates stay upper
      bounds);
    - ``cut > 0``: only templates whose sketch estimate reaches ``cut`` are written out, and the
      inner paths whose triple's estimate does.
    ``links = (keys, counts)`` receives, except in the sketch walk, per occurrence of an edge
    a -> b over two or more positions ``(slot << 32, known words inside)`` and per inner path
    written out ``(slot << 32 | c, 1)`` (``slot``: the pair's slot in ``strong``).

    ``dag`` (uint16, one per position of ``ids``, or empty): the DAG's edges as bit masks
    (:func:`_sentence_dag`), written by the sketch walk and read by the counting walk over the
    same ``ids``, which then looks no pair up (``window <= 16``; empty: each walk looks them up).

    Stops before a sentence whose templates no longer fit the output buffers and returns
    ``(next_sentence, n_templates, n_codes, n_links, n_occurrences)`` (the last: templates other
    than inner ones, one per sentence, passed or not; in the sketch walk the distinct hashes,
    never more than the exact count that the other walks give); the caller grows the buffers
    when no sentence fit.

    One flat loop with no helper taking arrays: a call per path would pay numba's reference
    counting of every array argument (atomic operations), which was most of the kernel's time.
    The sketch is far larger than the caches: the two counters of a template or triple are asked
    for (:func:`~minent.hashtable.prefetch`) when its hash is known and read or added to when the
    sentence's walk is done, so the waits on memory overlap the walk.
    """
    window, max_paths, subpath_literals, inner = walk
    codes, tbounds, hashes, sent = out
    lkeys, lvals = links
    strong_keys = strong[0]
    strong_bits = strong[2]
    n_sent = bounds.shape[0] - 1
    longest = 1
    for s in range(start, n_sent):
        longest = max(longest, bounds[s + 1] - bounds[s])
    succ = np.empty(longest * window, np.int64)
    succ_slot = np.empty(longest * window, np.int64)
    n_succ = np.empty(longest, np.int64)
    indeg = np.empty(longest, np.int64)
    path = np.empty(max(longest, 3), np.int64)
    nxt = np.empty(max(longest, 3), np.int64)
    prefix = np.empty(max(longest, 3), np.int64)  # hash state of the codes up to path[d]
    filtering = sketch.shape[0] > 0
    sketching = filtering and cut <= 0
    dag_mode = _DAG_OFF if dag.shape[0] == 0 or not filtering or window > 16 else (
        _DAG_WRITE if sketching else _DAG_READ)
    half = sketch.shape[0] // 2
    smask = half - 1
    floor = min(cut, 65535)
    per_sentence = hashes.shape[0] + 1  # the buffers bound the templates of one sentence, and so
    walks = max_paths + 2  # does the walk: per position, max_paths source-to-sink paths (+ edges)
    if inner:
        walks += window * window  # inner paths: at most window edges, window - 1 words inside each
    step = 1
    for _ in range(1, subpath_literals):  # + window + window^2 + ... short paths
        step *= window
        walks += step
        if walks >= per_sentence:
            break
    per_sentence = min(per_sentence, longest * walks + 1)
    size = 16
    while size < 2 * per_sentence:
        size *= 2
    keys = np.full(size, -1, np.int64)  # per-sentence table: hash -> template, in a prefix of
    vals = np.empty(size, np.int64)     # the arrays sized to the sentence (cache-resident)
    used = np.empty(per_sentence, np.int64)
    passes = np.empty(per_sentence, np.bool_)
    pos = np.empty(0 if sketching else codes.shape[0], np.int32)  # a sentence's templates' paths
    pstart = np.empty(per_sentence + 1, np.int64)  # template k's: pos[pstart[k]:pstart[k + 1]]
    n_inner = longest * window * window if inner else 0
    cand = np.empty((n_inner, 4), np.int64)
    trip = np.empty(n_inner, np.int64)
    tpass = np.empty(n_inner, np.bool_)
    n_t = 0
    n_c = 0
    n_l = 0
    n_occ = 0
    tbounds[0] = 0
    for s in range(start, n_sent):
        lo, hi = bounds[s], bounds[s + 1]
        n = hi - lo
        if sketching:  # the output buffers are scratch for one sentence
            n_t = 0
            n_c = 0
        t_first = n_t
        c_first = n_c
        l_first = n_l
        o_first = n_occ  # (a sentence that does not fit is walked again)
        c_need = n_c  # codes the sentence's templates may take
        pstart[0] = 0
        n_used = 0
        need = 16
        while need < 2 * min(per_sentence, n * walks + 1):
            need *= 2
        mask = need - 1
        _sentence_dag(ids, lo, n, window, strong_keys, strong_bits, succ, succ_slot, n_succ, indeg, dag, dag_mode,
                      inner)
        fits = True
        n_cand = 0  # inner paths: candidates (src, c's position, b's position, link key), triples
        ti = 0
        if inner:
            for i in range(n):
                a = ids[lo + i]
                for k in range(n_succ[i] if a > 0 else 0):
                    j = succ[i * window + k]
                    if j - i < 2:
                        continue
                    if not sketching:  # an edge over two or more positions: its known inner words
                        if n_l >= lkeys.shape[0]:
                            fits = False
                            break
                        g = 0
                        for q in range(i + 1, j):
                            if ids[lo + q] > 0:
                                g += 1
                        lkeys[n_l] = succ_slot[i * window + k] << 32
                        lvals[n_l] = g
                        n_l += 1
                    for m in range(i + 1, j):
                        c = ids[lo + m]
                        if c <= 0:
                            continue
                        both = False  # i -> m -> j is a path of the DAG already
                        for q in range(n_succ[i]):
                            if succ[i * window + q] == m:
                                for q2 in range(n_succ[m]):
                                    if succ[m * window + q2] == j:
                                        both = True
                                        break
                                break
                        if not both:
                            cand[n_cand, 0] = i
                            cand[n_cand, 1] = m
                            cand[n_cand, 2] = j
                            cand[n_cand, 3] = (succ_slot[i * window + k] << 32) | c
                            h = triple_hash(a, c, ids[lo + j])
                            trip[n_cand] = h
                            n_cand += 1
                            if filtering:  # its counters are read or added to below
                                prefetch(sketch, h & smask)
                                prefetch(sketch, half + ((h >> 38) & smask))
            for q in range(0 if sketching else n_cand):
                h = trip[q]
                tpass[q] = not filtering or min(sketch[h & smask], sketch[half + ((h >> 38) & smask)]) >= floor
                if tpass[q]:
                    if n_l >= lkeys.shape[0]:
                        fits = False
                        break
                    lkeys[n_l] = cand[q, 3]
                    lvals[n_l] = 1
                    n_l += 1
        edges = subpath_literals >= 2 and n > 1
        for job in range(3 * n + 2 if fits else 0):
            # jobs: (source-to-sink walk, short-path walk, inner paths) from each src; then the
            # sentence's first and last word alone
            if job < 3 * n:
                src = job // 3
                mode = job % 3  # 0: source-to-sink paths, 1: paths of 2..subpath_literals nodes
                if mode == 2:
                    mode = 3  # 3: inner paths of the edges from src
                if ids[lo + src] <= 0:
                    continue
                if mode == 0 and indeg[src] != 0:
                    continue
                if mode == 1 and (subpath_literals < 2 or n_succ[src] == 0):
                    continue
                if mode == 3 and (not inner or sketching or n_succ[src] == 0):
                    continue
                max_depth = n if mode == 0 else subpath_literals
            else:
                src = 0 if job == 3 * n else n - 1
                mode = 2
                if not edges or ids[lo + src] <= 0:
                    continue
                max_depth = 1
            n_paths = 0
            depth = 1
            path[0] = src
            nxt[0] = 0
            prefix[0] = _extend_hash(_FNV_OFFSET, src > 0, ids[lo + src])
            while depth > 0:
                u = path[depth - 1]
                if mode == 0:
                    at_end = n_succ[u] == 0
                elif mode == 1:
                    at_end = depth >= 2
                else:
                    at_end = mode == 2 or depth == 3
                if at_end and nxt[depth - 1] == 0:  # first visit of this path: emit its template
                    if n_t + 1 >= hashes.shape[0] or c_need + 2 * depth + 1 > codes.shape[0]:
                        fits = False
                        break
                    p0 = pstart[n_t - t_first]
                    if not sketching:  # its path (positions; its codes if it is written out)
                        for d in range(depth):
                            pos[p0 + d] = path[d]
                    h = prefix[depth - 1]  # the hash of the codes, kept along the path
                    if path[depth - 1] < n - 1:
                        h = fold(h, PLACEHOLDER)
                    h = mix64(h)
                    key = h & 0x7FFFFFFFFFFFFFFF
                    slot = key & mask  # the key is a mixed hash already
                    while keys[slot] != key and keys[slot] != EMPTY:
                        slot = (slot + 1) & mask
                    # the sketch walk tells a sentence's templates apart by hash; the others
                    # compare the paths on a hash match (the same template: as many nodes, the
                    # same words, gaps and edge placeholders): the slot's template first, then
                    # any (a 64-bit collision)
                    dup = sketching and keys[slot] == key
                    n_k = n_t - t_first
                    for i2 in range(-1 if keys[slot] == key and not sketching else n_k, n_k):
                        k2 = vals[slot] - t_first if i2 < 0 else i2
                        a2 = pstart[k2]
                        if hashes[t_first + k2] != h or pstart[k2 + 1] - a2 != depth:
                            continue
                        same = (pos[a2] > 0) == (path[0] > 0) and \
                            (pos[a2 + depth - 1] < n - 1) == (path[depth - 1] < n - 1)
                        for q in range(depth if same else 0):
                            if ids[lo + pos[a2 + q]] != ids[lo + path[q]] or \
                                    (q > 0 and (pos[a2 + q] - pos[a2 + q - 1] > 1) != (path[q] - path[q - 1] > 1)):
                                same = False
                                break
                        if same:
                            dup = True
                            break
                    if keys[slot] != key:
                        keys[slot] = key
                        vals[slot] = n_t
                        used[n_used] = slot
                        n_used += 1
                    if not dup:
                        # in the counting walk, a template (not an inner path: its triple passed)
                        # whose estimate is below the cut is dropped when the sentence is done
                        passes[n_t - t_first] = mode == 3  # its triple passed; others: below
                        if filtering and mode != 3:  # its counters are read or added to when the
                            prefetch(sketch, h & smask)  # sentence is done: no wait on memory then
                            prefetch(sketch, half + ((h >> 38) & smask))
                        hashes[n_t] = h
                        n_t += 1
                        pstart[n_t - t_first] = p0 + (0 if sketching else depth)
                        c_need += 0 if sketching else 2 * depth + 1
                        if mode != 3:
                            n_occ += 1
                    n_paths += 1
                    if mode == 2:
                        break
                    if mode == 3:
                        depth = 1
                        continue
                    if mode == 0:
                        depth -= 1
                        if n_paths >= max_paths:
                            for d in range(depth):  # capped only if some path was left out
                                if nxt[d] < n_succ[path[d]]:
                                    capped[s] = True
                                    break
                            break
                        continue
                if mode == 3:  # the next inner path from src whose triple passed
                    while ti < n_cand and (cand[ti, 0] < src or (cand[ti, 0] == src and not tpass[ti])):
                        ti += 1
                    if ti == n_cand or cand[ti, 0] != src:
                        break
                    path[1] = cand[ti, 1]
                    path[2] = cand[ti, 2]
                    prefix[1] = _extend_hash(prefix[0], path[1] - src > 1, ids[lo + path[1]])
                    prefix[2] = _extend_hash(prefix[1], path[2] - path[1] > 1, ids[lo + path[2]])
                    ti += 1
                    nxt[2] = 0
                    depth = 3
                    continue
                k = nxt[depth - 1]
                if k < n_succ[u] and depth < max_depth:
                    nxt[depth - 1] = k + 1
                    path[depth] = succ[u * window + k]
                    prefix[depth] = _extend_hash(prefix[depth - 1], path[depth] - u > 1, ids[lo + path[depth]])
                    nxt[depth] = 0
                    depth += 1
                else:
                    depth -= 1
            if not fits:
                break
        for k in range(n_used):
            keys[used[k]] = -1
        if not fits:
            return s, t_first, c_first, l_first, o_first
        if not sketching:  # write out the templates that pass the sketch (all without one)
            w = t_first
            for t in range(t_first, n_t):  # (their counters were asked for at emission)
                k = t - t_first
                h = hashes[t]
                if filtering and not passes[k]:
                    passes[k] = min(sketch[h & smask], sketch[half + ((h >> 38) & smask)]) >= floor
                if filtering and not passes[k]:
                    continue
                a0, a1 = pstart[k], pstart[k + 1]
                if pos[a0] > 0:  # the codes: [X] before, between non-adjacent words and after
                    codes[n_c] = 0
                    n_c += 1
                for q in range(a0, a1):
                    if q > a0 and pos[q] - pos[q - 1] > 1:
                        codes[n_c] = 0
                        n_c += 1
                    codes[n_c] = ids[lo + pos[q]]
                    n_c += 1
                if pos[a1 - 1] < n - 1:
                    codes[n_c] = 0
                    n_c += 1
                hashes[w] = h
                sent[w] = s
                w += 1
                tbounds[w] = n_c
            n_t = w
        if sketching:  # the sketch: one call per sentence, its lines asked for at emission
            sketch_add(sketch, hashes[:n_t])
            sketch_add(sketch, trip[:n_cand])
    if sketching:
        n_t = 0
        n_c = 0
    return n_sent, n_t, n_c, n_l, n_occ


@njit(cache=True)
def sketch_add(sketch, hashes):
    """Count template hashes in a two-row count-min sketch of saturating uint16 counters
    (``sketch``: 2 x 2^b counters; row 1 indexed by hash bits 0.., row 2 by bits 38..).
    :func:`block_templates` does this (and :func:`sketch_keep`) inline, as it walks."""
    half = sketch.shape[0] // 2
    mask = half - 1
    for i in range(hashes.shape[0]):
        h = hashes[i]
        j = h & mask
        if sketch[j] < 65535:
            sketch[j] += 1
        j = half + ((h >> 38) & mask)
        if sketch[j] < 65535:
            sketch[j] += 1


@njit(cache=True)
def sketch_merge(sketch, other):
    """Add the counters of ``other`` (a sketch of the same size) into ``sketch``, saturating at
    65535 like :func:`sketch_add`."""
    for j in range(sketch.shape[0]):
        sketch[j] = min(np.int64(sketch[j]) + np.int64(other[j]), 65535)


@njit(cache=True)
def sketch_keep(sketch, hashes, cut, keep):
    """``keep[i]``: the sketch's estimate of template i's count (the smaller of its two counters,
    never below the true count) reaches ``cut`` (a saturated counter always passes). Returns how
    many are kept."""
    half = sketch.shape[0] // 2
    mask = half - 1
    floor = min(cut, 65535)
    m = 0
    for i in range(hashes.shape[0]):
        h = hashes[i]
        keep[i] = min(sketch[h & mask], sketch[half + ((h >> 38) & mask)]) >= floor
        m += keep[i]
    return m


# ----------------------------------------------------------------------------- Templates

def parse_template(text: str) -> tuple[str, ...]:
    """``"[X] 的 [X]"`` -> ``("[X]", "的", "[X]")``; consecutive placeholders are collapsed.

    Raises :class:`FormatError` for an empty template or one without a literal word.
    """
    out: list[str] = []
    for tok in text.split():
        if tok == PLACEHOLDER_TEXT and out and out[-1] == PLACEHOLDER_TEXT:
            continue
        out.append(tok)
    if not any(t != PLACEHOLDER_TEXT for t in out):
        raise FormatError(f"template {text!r} has no literal word")
    return tuple(out)


def template_text(pattern: Sequence[str]) -> str:
    return " ".join(pattern)


def is_trivial(pattern: Sequence[str]) -> bool:
    """True for "[X] w [X]": one literal between two placeholders."""
    return len(pattern) == 3 and pattern[0] == pattern[2] == PLACEHOLDER_TEXT


def _ranks_within(lens: np.ndarray) -> np.ndarray:
    """0..len-1 for each run of ``lens``, concatenated."""
    total = int(lens.sum())
    ends = np.cumsum(lens)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - lens, lens)


class PatternStore(Sequence):
    """Templates held as word-id sequences, read as element tuples (what :attr:`Templates.patterns`
    otherwise holds as a list): entry i is ``words[arena[starts[ids[i]]:starts[ids[i] + 1]]]``
    (code 0 = the placeholder). Nothing is decoded until read, and reads decode a chunk at a time,
    so millions of mined templates cost their arrays, not a tuple each."""

    def __init__(self, words: np.ndarray, arena: np.ndarray, starts: np.ndarray, ids: np.ndarray | None = None):
        self.words, self.arena, self.starts = words, arena, starts
        self.ids = np.arange(starts.shape[0] - 1, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)

    @classmethod
    def from_tuples(cls, patterns) -> "PatternStore":
        """A store of element tuples (placeholders ``[X]``)."""
        vocab = Vocabulary()  # id 0 is the placeholder
        codes = array.array("i")
        starts = array.array("q", [0])
        for p in patterns:
            codes.extend(0 if t == PLACEHOLDER_TEXT else vocab.add(t) for t in p)
            starts.append(len(codes))
        return cls(np.array(vocab.words + [None], dtype=object)[:-1], np.frombuffer(codes, np.int32).copy(),
                   np.frombuffer(starts, np.int64).copy())

    def __len__(self) -> int:
        return self.ids.shape[0]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.decode(self.ids[i])
        a, b = self.starts[self.ids[i]], self.starts[self.ids[i] + 1]
        return tuple(self.words[self.arena[a:b]].tolist())

    def __iter__(self):
        for lo in range(0, len(self), _DECODE_CHUNK):
            yield from self.decode(self.ids[lo:lo + _DECODE_CHUNK])

    def __eq__(self, other) -> bool:
        try:
            return len(self) == len(other) and all(a == tuple(b) for a, b in zip(self, other))
        except TypeError:
            return NotImplemented

    def __add__(self, other) -> list:
        return list(self) + list(other)

    def __radd__(self, other) -> list:
        return list(other) + list(self)

    def _tokens(self, sel: np.ndarray) -> tuple[list, list]:
        lens = self.starts[sel + 1] - self.starts[sel]
        toks = self.words[self.arena[np.repeat(self.starts[sel], lens) + _ranks_within(lens)]].tolist()
        return toks, np.cumsum(lens).tolist()

    def decode(self, sel: np.ndarray) -> list[tuple]:
        """Element tuples of the sequences ``sel`` (ids into ``starts``)."""
        toks, ends = self._tokens(sel)
        out, a = [], 0
        for b in ends:
            out.append(tuple(toks[a:b]))
            a = b
        return out

    def texts(self, sel: np.ndarray) -> list[str]:
        """Template texts (:func:`template_text`) of the sequences ``sel``."""
        toks, ends = self._tokens(sel)
        out, a = [], 0
        for b in ends:
            out.append(" ".join(toks[a:b]))
            a = b
        return out

    def take(self, order) -> "PatternStore":
        """Entries ``order`` (a reordering or subset), sharing the arrays."""
        return PatternStore(self.words, self.arena, self.starts, self.ids[np.asarray(order, np.int64)])

    def lengths(self) -> np.ndarray:
        return self.starts[self.ids + 1] - self.starts[self.ids]

    def n_literals(self) -> np.ndarray:
        """Literals per entry."""
        lit = np.zeros(self.arena.shape[0] + 1, np.int64)
        np.cumsum(self.arena != 0, out=lit[1:])
        return lit[self.starts[self.ids + 1]] - lit[self.starts[self.ids]]

    def trivial(self) -> np.ndarray:
        """:func:`is_trivial` per entry ("[X] w [X]")."""
        out = self.lengths() == 3
        first = self.starts[self.ids[out]]
        out[out] = (self.arena[first] == 0) & (self.arena[first + 2] == 0)
        return out


_DECODE_CHUNK = 1 << 16  # templates decoded at a time when reading a PatternStore


def _ties_by_text(store: PatternStore, order: np.ndarray, group: np.ndarray) -> np.ndarray:
    """``order`` (entries of ``store``) with each run of equal ``group`` (non-decreasing along
    ``order``) sorted by template text, in code-point order.

    When no word holds a character below the space, text order is the order of the word
    sequences compared word by word (a word before any word it is a proper prefix of, a template
    before its own extensions), so the runs are sorted by the ranks of their words, one word
    position at a time, among the entries still tied: integer sorts, no text. Otherwise the
    texts are decoded and sorted, a batch of whole runs at a time."""
    words = store.words.tolist()
    if any(ch < " " for w in words for ch in w):
        return _ties_by_decoded_text(store, order, group)
    rank = np.empty(len(words), np.int64)
    rank[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words), dtype=np.int64)
    order = order.copy()
    # entries with the same run id are tied so far; a run's id is the position of its first entry
    run = np.nonzero(np.r_[True, group[1:] != group[:-1]])[0][group]
    at = np.nonzero(np.bincount(group)[group] > 1)[0]  # positions still tied
    k = 0
    while at.size:
        ids = store.ids[order[at]]
        first, n = store.starts[ids], store.starts[ids + 1] - store.starts[ids]
        key = np.full(at.shape[0], -1, np.int64)  # -1: the template ends before word k
        has = n > k
        key[has] = rank[store.arena[first[has] + k]]
        o = np.lexsort((key, run[at]))
        order[at] = order[at][o]
        key, r = key[o], run[at]
        new = np.r_[True, (r[1:] != r[:-1]) | (key[1:] != key[:-1])]
        sub = at[new][np.cumsum(new) - 1]  # a sub-run's id: the position of its first entry
        count = np.bincount(np.cumsum(new) - 1)[np.cumsum(new) - 1]
        run[at] = sub
        at = at[count > 1]
        k += 1
    return order


def _ties_by_decoded_text(store: PatternStore, order: np.ndarray, group: np.ndarray) -> np.ndarray:
    """:func:`_ties_by_text` by decoded texts, a batch of whole runs at a time."""
    order = order.copy()
    tied = np.nonzero(np.bincount(group)[group] > 1)[0]  # sorted positions in a run of equal scores
    tied_groups = group[tied]
    lo = 0
    while lo < tied.shape[0]:
        hi = int(np.searchsorted(tied_groups, tied_groups[min(lo + _DECODE_CHUNK, tied.shape[0]) - 1], "right"))
        at = tied[lo:hi]
        ids = order[at]
        keys = list(zip(tied_groups[lo:hi].tolist(), store.texts(store.ids[ids])))
        order[at] = ids[sorted(range(hi - lo), key=keys.__getitem__)]
        lo = hi
    return order


def drop_literal(pattern: tuple, k: int) -> tuple:
    """``pattern`` with its k-th element (a literal) turned into a placeholder, placeholders
    collapsed; ``()`` when no literal would be left."""
    out: list[str] = []
    for j, t in enumerate(pattern):
        t = PLACEHOLDER_TEXT if j == k else t
        if not (t == PLACEHOLDER_TEXT and out and out[-1] == PLACEHOLDER_TEXT):
            out.append(t)
    return tuple(out) if any(t != PLACEHOLDER_TEXT for t in out) else ()


def closed_templates(patterns: list[tuple], counts: Sequence[int], redundancy: float) -> list[bool]:
    """Which templates to keep: t is *redundant* (a fragment, like 的主要 among words) when a
    template with one more literal that contains it accounts for at least ``redundancy`` of its
    uses: ``count(longer) >= redundancy x count(t)``. ``redundancy = 0`` keeps everything."""
    keep = [True] * len(patterns)
    if redundancy <= 0:
        return keep
    index = {p: j for j, p in enumerate(patterns)}
    for j, p in enumerate(patterns):
        for k, t in enumerate(p):
            if t == PLACEHOLDER_TEXT:
                continue
            sub = index.get(drop_literal(p, k))
            if sub is not None and counts[j] >= redundancy * counts[sub]:
                keep[sub] = False
    return keep


@njit(cache=True)
def closed_codes(table, arena, starts, counts, redundancy, keep, inner):
    """:func:`closed_templates` on word-id sequences: template j is ``arena[starts[j]:starts[j+1]]``
    (0 = placeholder) and has id j in ``table`` (:meth:`~minent.hashtable.SeqCounter.frozen`);
    clears ``keep[sub]`` for each template that a one-literal-longer one accounts for.
    ``inner[j]`` (:func:`inner_templates`): 2 = a dropped inner template, which accounts for
    nothing; 1 = a kept one, whose inner word (its middle literal) does not make the pair's own
    template a fragment — the word fills the frame's slot, the pair is linked on its own."""
    longest = 1
    for j in range(starts.shape[0] - 1):
        longest = max(longest, starts[j + 1] - starts[j])
    buf = np.empty(longest, np.int32)
    for j in range(starts.shape[0] - 1):
        if inner[j] == 2:
            continue
        a, b = starts[j], starts[j + 1]
        nth = 0
        for k in range(a, b):
            if arena[k] == 0:
                continue
            nth += 1
            if inner[j] == 1 and nth == 2:
                continue
            m = 0
            lits = 0
            for q in range(a, b):
                c = 0 if q == k else arena[q]
                if c == 0 and m > 0 and buf[m - 1] == 0:
                    continue
                buf[m] = c
                m += 1
                if c != 0:
                    lits += 1
            if lits == 0:
                continue
            sub = table_find(table, buf, 0, m)
            if sub >= 0 and counts[j] >= redundancy * counts[sub]:
                keep[sub] = False


@njit(cache=True)
def inner_templates(arena, starts, strong, links, word_counts, n_words, cut, min_pmi, inner):
    """Which templates came from inner paths (:func:`block_templates`), and whether their inner
    word is *linked* to their pair: ``inner[j]`` 0 = a path of linked pairs, 1 = an inner path
    a -> c -> b whose word c is linked to the pair (a, b), 2 = one whose word is not.

    An inner template has three literals (a, c, b) and (a, c) or (c, b) is not a strong pair
    (``strong``: the frozen strong-pair table). c is linked to (a, b) as a pair is (method.md
    §1: merging two units pays when their PMI exceeds a threshold), the pair's occurrences with
    two or more positions inside playing one unit: the count ``n`` of c inside them reaches
    ``cut`` and ``ln(n / (G p_c)) > min_pmi``, ``G`` the known words inside them all,
    ``p_c = count(c) / n_words``. ``links`` (frozen :class:`~minent.hashtable.KeyCounter`) holds
    ``n`` under ``slot << 32 | c`` and ``G`` under ``slot << 32`` (``slot``: the pair's slot in
    ``strong``)."""
    keys = strong[0]
    for j in range(starts.shape[0] - 1):
        inner[j] = 0
        lit0 = lit1 = lit2 = 0
        n_lit = 0
        for q in range(starts[j], starts[j + 1]):
            if arena[q] != 0:
                if n_lit == 0:
                    lit0 = arena[q]
                elif n_lit == 1:
                    lit1 = arena[q]
                else:
                    lit2 = arena[q]
                n_lit += 1
        if n_lit != 3:
            continue
        ac = (np.int64(lit0) << 32) | lit1
        cb = (np.int64(lit1) << 32) | lit2
        if keys[key_slot(keys, ac)] == ac and keys[key_slot(keys, cb)] == cb:
            continue
        ab = (np.int64(lit0) << 32) | lit2
        pair = key_slot(keys, ab)
        n = key_find(links, (pair << 32) | lit1) if keys[pair] == ab else 0
        g = key_find(links, pair << 32) if keys[pair] == ab else 0
        linked = (n >= cut and g > 0
                  and math.log(n) - math.log(g) - math.log(word_counts[lit1] / n_words) > min_pmi)
        inner[j] = 1 if linked else 2


class SentenceFile:
    """UTF-8 sentences appended to an unlinked temporary file and read back by byte ranges
    (``os.pread``), sliced like a bytes object: how a fit on a spool keeps its example sentences
    on disk rather than in memory (the page cache holds them, not this process). The file has no
    name once created (nothing is left behind, even by a killed run); it goes when the object
    does. Write errors are one-line :class:`MinentError` s."""

    def __init__(self, folder: str | None = None):
        import weakref
        fd, self._path = owned_temp("examples", folder)
        try:
            os.unlink(self._path)
            self._fh = os.fdopen(fd, "w+b")
        except OSError as exc:
            os.close(fd)
            raise temp_write_error(self._path, exc) from None
        self._fd = fd
        self.size = 0
        self.breaks = False  # whether a sentence holds a tab or a line break
        weakref.finalize(self, self._fh.close)

    def append(self, data) -> None:
        """Add ``data`` (bytes-like: sentences, back to back) at the end."""
        self.breaks = self.breaks or data.find(b"\t") >= 0 or data.find(b"\n") >= 0
        try:
            self._fh.write(data)
            self._fh.flush()
        except OSError as exc:
            raise temp_write_error(self._path, exc) from None
        self.size += len(data)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, span: slice) -> bytes:
        a, b, _ = span.indices(self.size)
        return os.pread(self._fd, max(b - a, 0), a)

    def pieces(self, starts: list, ends: list) -> list:
        """``self[starts[i]:ends[i]]`` for each i (``starts`` ascending), neighbours read in one
        call (gaps under ``_GAP_BYTES``, reads of at most ``_READ_BYTES``)."""
        out, i, n = [], 0, len(starts)
        while i < n:
            base, j = starts[i], i + 1
            while j < n and starts[j] - ends[j - 1] <= _GAP_BYTES and ends[j] - base <= _READ_BYTES:
                j += 1
            buf = os.pread(self._fd, ends[j - 1] - base, base)
            out += [buf[a - base:b - base] for a, b in zip(starts[i:j], ends[i:j])]
            i = j
        return out


_GAP_BYTES = 1 << 12  # SentenceFile.pieces: bytes between two sentences still read in one call
_READ_BYTES = 1 << 22  # ... and the most read in one call


class ExampleSentences:
    """The example sentences of a list of templates, held compactly: each distinct sentence once,
    as UTF-8 in one buffer (a bytes object, or a :class:`SentenceFile` on disk); reads as a
    sequence of lists of str (item i: template i's examples), which is what
    :attr:`Templates.examples` otherwise holds. ``rows``: sentence indices per template (-1
    padded); ``ids``: the distinct indices, sorted; ``texts``: their sentences' UTF-8, in that
    order (a list of bytes, or one buffer and the ``ends`` of each)."""

    def __init__(self, rows: np.ndarray, ids: np.ndarray, texts, ends=None):
        if ends is None:
            ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
            texts = b"".join(texts)
        self._offsets = np.zeros(len(ends) + 1, np.int64)
        self._offsets[1:] = ends
        self._blob = texts
        pos = np.searchsorted(ids, rows)  # in place of a where(): one array of the rows' size at a time
        pos[rows < 0] = -1
        self._rows = pos.astype(np.int32) if len(ends) < 1 << 31 else pos
        # whether a sentence holds a tab or a line break (a file knows; a buffer is searched once)
        self._breaks = texts.breaks if isinstance(texts, SentenceFile) else None

    def __len__(self) -> int:
        return self._rows.shape[0]

    def _texts(self, ids: np.ndarray) -> list[str]:
        """The sentences ``ids`` (positions in the buffer, ascending), decoded."""
        off, blob = self._offsets, self._blob
        starts, ends = off[ids].tolist(), off[ids + 1].tolist()
        if isinstance(blob, SentenceFile):
            raw = blob.pieces(starts, ends)
        else:
            raw = map(blob.__getitem__, map(slice, starts, ends))
        return [b.decode("utf-8", "surrogatepass") for b in raw]

    def __getitem__(self, i: int) -> list[str]:
        row = self._rows[i]
        row = row[row >= 0]
        uniq, at = np.unique(row, return_inverse=True)
        texts = self._texts(uniq)
        return [texts[j] for j in at.tolist()]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __eq__(self, other) -> bool:
        try:
            return len(self) == len(other) and all(a == list(b) for a, b in zip(self, other))
        except TypeError:
            return NotImplemented

    def cells(self, lo: int, hi: int, k: int) -> list[str]:
        """Examples of templates ``lo:hi`` as the cells of a TSV line: for each, ``k`` cells (its
        examples, then empty ones) joined by tabs; tabs and line breaks inside a sentence become
        spaces. Each sentence is decoded once per call, however many templates show it."""
        rows = self._rows[lo:hi]
        rows = np.take_along_axis(rows, np.argsort(rows < 0, axis=1, kind="stable"), axis=1)[:, :k]  # examples first
        uniq = np.unique(rows[rows >= 0])
        texts = self._texts(uniq)
        if self._breaks is None:  # looked for once: spool lines never hold them
            self._breaks = self._blob.find(b"\t") >= 0 or self._blob.find(b"\n") >= 0
        if self._breaks:
            texts = [t.replace("\t", " ").replace("\n", " ") for t in texts]
        texts.append("")  # the cell of a missing example
        at = np.searchsorted(uniq, rows)
        at[rows < 0] = len(uniq)
        pad = [""] * max(0, k - rows.shape[1])
        columns = [list(map(texts.__getitem__, at[:, j].tolist())) for j in range(rows.shape[1])]
        columns += [pad[:1] * rows.shape[0]] * len(pad)
        return list(map("\t".join, zip(*columns))) if columns else [""] * rows.shape[0]

    @property
    def width(self) -> int:
        """The most examples any template has."""
        return int((self._rows >= 0).sum(axis=1).max(initial=0))

    def take(self, order) -> "ExampleSentences":
        """The examples of templates ``order`` (a reordering or subset), sharing the sentences."""
        out = ExampleSentences.__new__(ExampleSentences)
        out._offsets, out._blob, out._rows = self._offsets, self._blob, self._rows[np.asarray(order, np.int64)]
        out._breaks = self._breaks
        return out


class Templates:
    """Ranked templates with their counts, plus the word unigram counts of the mining corpus.

    Parameters
    ----------
    patterns : list of str or tuple of str, or a PatternStore
        Templates as text (``"[X] 的 [X]"``) or element tuples (``("[X]", "的", "[X]")``); or a
        :class:`PatternStore` of distinct word-id sequences (what a fit gives: kept as arrays, read
        as tuples, decoded a chunk at a time when ranked or saved).
    counts : sequence of int
        Occurrence counts (sentences containing the template).
    total : int, optional
        N_templates, what probabilities are relative to; default ``sum(counts)``.
    word_counts : dict word -> int, optional
        Unigram counts; the parser scores a single-word block by ln(count / n_words).
    n_words : int, optional
        Word tokens behind ``word_counts``; default their sum.
    examples : list of list of str, optional
        Example sentences per template (tokens joined by spaces).
    meta : dict, optional
        Mining parameters and totals, written to the header line.
    boundaries : dict word -> (starts, ends), optional
        How often each word started / ended a piece (a sentence, or words between punctuation
        tokens) in the mining corpus; the parser's ``attach`` refinement reads them.

    The order given is kept; :meth:`ranked` returns a copy sorted by count.
    """

    def __init__(self, patterns, counts, total: int | None = None, word_counts: dict | None = None,
                 n_words: int | None = None, examples=None, meta: dict | None = None,
                 boundaries: dict | None = None):
        if isinstance(patterns, PatternStore):  # distinct sequences (a mining table's keys), kept as arrays
            self.patterns = patterns
        else:
            self.patterns = [parse_template(p) if isinstance(p, str) else tuple(p) for p in patterns]
        self.counts = np.asarray(counts if isinstance(counts, np.ndarray) else list(counts), dtype=np.int64)
        if len(self.patterns) != len(self.counts):
            raise ValueError("patterns and counts differ in length")
        if not isinstance(patterns, PatternStore) and len(set(self.patterns)) != len(self.patterns):
            raise ValueError("duplicate templates")
        self.total = int(total if total is not None else max(int(self.counts.sum()), 1))
        self.word_counts = dict(word_counts or {})
        self.n_words = int(n_words if n_words is not None else max(sum(self.word_counts.values()), 1))
        if isinstance(examples, ExampleSentences):
            self.examples = examples
        else:
            self.examples = ([list(e) for e in examples] if examples is not None
                             else [[] for _ in range(len(self.patterns))])  # (not decoding a PatternStore)
        self.meta = dict(meta or {})
        self.boundaries = {w: (int(a), int(b)) for w, (a, b) in (boundaries or {}).items()}

    def __len__(self) -> int:
        return len(self.patterns)

    def text(self, i: int) -> str:
        return template_text(self.patterns[i])

    def n_literals(self, i: int) -> int:
        return sum(1 for t in self.patterns[i] if t != PLACEHOLDER_TEXT)

    def is_trivial(self, i: int) -> bool:
        return is_trivial(self.patterns[i])

    @property
    def probability(self) -> np.ndarray:
        """count / total."""
        return self.counts / float(self.total)

    @property
    def logp(self) -> np.ndarray:
        """Natural-log probabilities."""
        with np.errstate(divide="ignore"):
            return np.log(self.counts / float(self.total))

    @property
    def unknown_logp(self) -> float:
        """ln-probability of a word with no count: ln(0.5 / n_words)."""
        return math.log(0.5 / self.n_words)

    def word_logp(self, word: str) -> float:
        c = self.word_counts.get(word, 0)
        return math.log(c / self.n_words) if c > 0 else self.unknown_logp

    def pmi(self, i: int) -> float:
        """ln p(t) - sum ln p(literal) (nats): how much the template saves over its words alone."""
        c = int(self.counts[i])
        if c <= 0:
            return float("nan")
        s = math.log(c / self.total)
        for t in self.patterns[i]:
            if t != PLACEHOLDER_TEXT:
                if self.word_counts.get(t, 0) <= 0:
                    return float("nan")
                s -= math.log(self.word_counts[t] / self.n_words)
        return s

    def saving(self, i: int) -> float:
        """``count x pmi`` (nats): the information template i saves over the corpus against
        writing its literals as independent words (method.md §9); -inf when a literal has no count."""
        p = self.pmi(i)
        return float("-inf") if math.isnan(p) else int(self.counts[i]) * p

    def _store(self) -> PatternStore:
        p = self.patterns
        return p if isinstance(p, PatternStore) else PatternStore.from_tuples(p)

    def pmis(self, store: PatternStore | None = None) -> np.ndarray:
        """:meth:`pmi` of every template (the same floats: the same operations in the same order)."""
        store = self._store() if store is None else store
        uniq, inv = np.unique(self.counts, return_inverse=True)
        s = np.array([math.log(c / self.total) if c > 0 else math.nan for c in uniq.tolist()], np.float64)[inv]
        get = self.word_counts.get
        wlog = np.array([math.nan] + [math.log(c / self.n_words) if (c := get(w, 0)) > 0 else math.nan
                                      for w in store.words[1:].tolist()], np.float64)
        first, lens = store.starts[store.ids], store.lengths()
        for k in range(int(lens.max(initial=0))):  # literal by literal, left to right, as pmi() does
            at = np.nonzero(lens > k)[0]
            codes = store.arena[first[at] + k]
            lit = codes != 0
            s[at[lit]] -= wlog[codes[lit]]
        return s

    def _order(self, by: str, scores: np.ndarray | None = None) -> np.ndarray:
        if by not in RANKINGS:
            raise MinentError(f"ranking must be one of {', '.join(RANKINGS)}")
        store = self._store()
        if scores is not None:
            pass
        elif by == "frames":
            raise MinentError("the frames ranking reads the mining corpus (TemplateFinder.fit); "
                              "rank a template list by count or saving")
        elif by == "count":
            scores = self.counts
        else:
            pmi = self.pmis(store)
            scores = self.counts.astype(np.float64) * pmi
            scores[np.isnan(pmi)] = -np.inf
        order = np.argsort(-scores, kind="stable")
        s = scores[order]
        group = np.zeros(len(order), np.int64)
        np.cumsum(s[1:] != s[:-1], out=group[1:])
        return _ties_by_text(store, order, group)

    def order(self, by: str = "count") -> list[int]:
        """Indices ranked ``by`` ``"count"`` or ``"saving"`` (descending), ties by the template
        text in code-point order. (``"frames"`` needs the mining corpus: :class:`TemplateFinder`
        ranks that way when it fits.)"""
        return self._order(by).tolist()

    def ranked(self, by: str = "count") -> "Templates":
        """A copy sorted by :meth:`order`."""
        order = self._order(by)
        patterns = (self.patterns.take(order) if isinstance(self.patterns, PatternStore)
                    else [self.patterns[i] for i in order])
        return Templates(patterns, self.counts[order], self.total,
                         self.word_counts, self.n_words,
                         self.examples.take(order) if isinstance(self.examples, ExampleSentences)
                         else [self.examples[i] for i in order], self.meta,
                         self.boundaries)

    def top(self, n: int | None = None, trivial: bool | None = False) -> list[dict]:
        """The first ``n`` templates (in stored order) as dicts; ``trivial=False`` leaves out
        "[X] w [X]", ``True`` keeps only those, ``None`` keeps all."""
        rows = []
        for i in range(len(self)):
            if trivial is not None and self.is_trivial(i) != trivial:
                continue
            rows.append(self.record(i))
            if n is not None and len(rows) >= n:
                break
        return rows

    def record(self, i: int) -> dict:
        return {"template": self.text(i), "count": int(self.counts[i]),
                "probability": float(self.counts[i] / self.total), "literals": self.n_literals(i),
                "trivial": self.is_trivial(i), "pmi": self.pmi(i), "examples": list(self.examples[i])}

    # -- files
    def save(self, path: str) -> None:
        """Write the TSV file atomically (format in the module docstring)."""
        k = (self.examples.width if isinstance(self.examples, ExampleSentences)
             else max([len(e) for e in self.examples] + [0]))
        words = set(self.word_counts) | set(self.boundaries)
        meta = {"entries": len(self), "word_entries": len(words), "total": self.total,
                "n_words": self.n_words,
                **{k_: v for k_, v in self.meta.items()
                   if k_ not in ("total", "n_words", "entries", "word_entries")}}
        with atomic_write(path) as fh:
            fh.write(f"{_FILE_MAGIC} format={FORMAT_VERSION} "
                     + " ".join(f"{key}={_meta_value(v)}" for key, v in meta.items()) + "\n")
            fh.write("## templates\n")
            fh.write("\t".join(_TEMPLATE_COLUMNS + [f"example_{j + 1}" for j in range(k)]) + "\n")
            store = self._store()
            pmis, n_lits, trivial = self.pmis(store), store.n_literals(), store.trivial()
            for lo in range(0, len(self), _DECODE_CHUNK):  # a chunk of lines built and written at a time
                hi = min(lo + _DECODE_CHUNK, len(self))
                counts = self.counts[lo:hi]
                cols = [store.texts(store.ids[lo:hi]), map(str, counts.tolist()),
                        map("{:.6g}".format, (counts / self.total).tolist()), map(str, n_lits[lo:hi].tolist()),
                        map(str, trivial[lo:hi].astype(np.int64).tolist()),
                        ["" if math.isnan(x) else f"{x:.4f}" for x in pmis[lo:hi].tolist()]]
                if k:
                    cols.append(self._example_cells(lo, hi, k))
                fh.write("\n".join(map("\t".join, zip(*cols))) + "\n")
            fh.write("## words\nword\tcount\tstarts\tends\n")
            get, bounds = self.word_counts.get, self.boundaries.get
            lines = []
            for w in sorted(words, key=lambda x: (-get(x, 0), x)):
                a, b = bounds(w, (0, 0))
                lines.append(f"{w}\t{get(w, 0)}\t{a}\t{b}\n")
            fh.write("".join(lines))

    def _example_cells(self, lo: int, hi: int, k: int) -> list[str]:
        """The example columns of templates ``lo:hi`` as one string each: ``k`` cells joined by
        tabs (missing ones empty; tabs and line breaks inside a sentence turned into spaces)."""
        if isinstance(self.examples, ExampleSentences):
            return self.examples.cells(lo, hi, k)
        out = []
        for ex in self.examples[lo:hi]:
            ex = [e.replace("\t", " ").replace("\n", " ") for e in ex]
            out.append("\t".join(ex + [""] * (k - len(ex))))
        return out

    @classmethod
    def load(cls, path: str) -> "Templates":
        """Read a file written by :meth:`save`, or a plain list (``template[TAB count]`` a line).

        Raises :class:`InputError` (unreadable) or :class:`FormatError` (empty, another format
        version, malformed line — with its line number).
        """
        try:
            with open(path, encoding="utf-8-sig") as fh:
                lines = fh.read().split("\n")
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data":
                raise FormatError(f"{path}: damaged templates file: cut short inside a character") from None
            raise FormatError(f"{path}: not a UTF-8 templates file") from None
        complete = not lines or lines[-1] == ""
        if lines and lines[-1] == "":
            lines.pop()
        if not any(line.strip() for line in lines):
            raise FormatError(f"{path}: empty templates file")
        if lines[0].startswith("# minent-") and not lines[0].startswith(_FILE_MAGIC + " "):
            raise FormatError(f"{path}: a {lines[0].split()[1]} file, not a templates file")
        if lines[0].startswith(_FILE_MAGIC):
            return cls._load_tsv(path, lines, complete)
        return cls._load_list(path, lines)

    @classmethod
    def _load_tsv(cls, path: str, lines: list[str], complete: bool = True) -> "Templates":
        meta = dict(kv.split("=", 1) for kv in lines[0].split()[2:] if "=" in kv)
        version = meta.pop("format", None)
        if version not in READABLE_VERSIONS:
            raise FormatError(f"{path}: templates format {version} is not supported "
                              f"(this minent reads formats {', '.join(READABLE_VERSIONS)})")
        expected = None
        if version != "1":
            if not complete:
                raise FormatError(f"{path}: damaged templates file: the last line is cut short")
            try:
                expected = (int(meta.pop("entries")), int(meta.pop("word_entries")))
            except (KeyError, ValueError):
                raise FormatError(f"{path}: bad header line (entries / word_entries)") from None
        if len(lines) < 3 or lines[1] != "## templates" or not lines[2].startswith("template\tcount"):
            raise FormatError(f"{path}: missing '## templates' section and header")
        patterns, counts, examples, words, boundaries = [], [], [], {}, {}
        section = "templates"
        word_lines = 0
        for n, line in enumerate(lines[3:], start=4):
            if line == "## words":
                section = "words"
                continue
            if section == "words":
                if line.startswith("word\tcount") or not line:
                    continue
                word_lines += 1
                cells = line.split("\t")
                try:
                    c, a, b = (int(x) for x in (cells[1:4] + ["0", "0"])[:3])
                except (ValueError, IndexError):
                    raise FormatError(f"{path}:{n}: expected word TAB count TAB starts TAB ends") from None
                if c:
                    words[cells[0]] = c
                if a or b:
                    boundaries[cells[0]] = (a, b)
                continue
            cells = line.split("\t")
            if len(cells) < 2:
                raise FormatError(f"{path}:{n}: expected template TAB count")
            try:
                counts.append(int(cells[1]))
            except ValueError:
                raise FormatError(f"{path}:{n}: bad count {cells[1]!r}") from None
            patterns.append(parse_template(cells[0]))
            examples.append([e for e in cells[len(_TEMPLATE_COLUMNS):] if e])
        if expected is not None and (len(patterns), word_lines) != expected:
            raise FormatError(f"{path}: damaged templates file: {len(patterns)} templates and "
                              f"{word_lines} words, the header says {expected[0]} and {expected[1]} "
                              f"(cut short or edited)")
        if not patterns:
            raise FormatError(f"{path}: no templates")
        try:
            total, n_words = int(meta.pop("total")), int(meta.pop("n_words"))
        except (KeyError, ValueError):
            raise FormatError(f"{path}: bad header line (total / n_words)") from None
        if total < 1 or n_words < 1 or min(counts) < 1:
            raise FormatError(f"{path}: totals and counts must be positive (total {total}, n_words {n_words})")
        try:
            return cls(patterns, counts, total, words, n_words, examples, meta, boundaries)
        except (ValueError, OverflowError) as exc:
            raise FormatError(f"{path}: {exc}") from None

    @classmethod
    def _load_list(cls, path: str, lines: list[str]) -> "Templates":
        patterns, counts, seen = [], [], set()
        for n, line in enumerate(lines, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            text, _, count = line.partition("\t")
            try:
                c = int(count) if count.strip() else 1
            except ValueError:
                raise FormatError(f"{path}:{n}: bad count {count!r} (expected template TAB count)") from None
            try:
                p = parse_template(text)
            except FormatError as exc:
                raise FormatError(f"{path}:{n}: {exc}") from None
            if p in seen:
                continue
            seen.add(p)
            patterns.append(p)
            counts.append(max(c, 1))
        if not patterns:
            raise FormatError(f"{path}: no templates")
        try:
            return cls(patterns, counts)
        except OverflowError as exc:
            raise FormatError(f"{path}: {exc}") from None


def _meta_value(v) -> str:
    s = str(v)
    return s.replace(" ", "_") if s else "_"


# ----------------------------------------------------------------------------- mining

PUNCTUATION_POLICIES = ("boundary", "excluded", "literal")
RANKINGS = ("frames", "saving", "count")
_EXAMPLE_READ_BYTES = 1 << 24  # spool bytes read at a time when looking for example sentences
_BLOCK_CACHE_BYTES = 1 << 27  # encoded sentences kept between the count and paths passes
_NO_DAG = np.zeros(0, np.uint16)


def _keeps_dag(window: int) -> bool:
    """Whether the paths pass keeps the DAG edges of cached blocks between its walks (a uint16 mask
    a position: window <= 16)."""
    return window <= 16
SPILL_PARTS = 64  # hash partitions of spilled pair and template counts (each merged alone at the end)


@dataclass
class _Block:
    """Encoded sentences ``ids[bounds[s]:bounds[s+1]]`` and the view the path kernels see: the
    same words with punctuation cut out (``boundary``: pieces between punctuation, ``piece_sent``
    maps a piece to its sentence) or hidden (``excluded``: id -1, never a literal)."""
    ids: np.ndarray
    bounds: np.ndarray
    first_sentence: int
    lit_ids: np.ndarray
    lit_bounds: np.ndarray
    piece_sent: np.ndarray
    dag: np.ndarray | None = None  # the DAG's edges, kept from the sketch walk for the counting walk

    @property
    def nbytes(self) -> int:
        views = (self.lit_ids, self.lit_bounds, self.piece_sent)
        return self.ids.nbytes + self.bounds.nbytes + sum(a.nbytes for a in views if a is not self.ids
                                                          and a is not self.bounds)


def literal_view(ids: np.ndarray, bounds: np.ndarray, is_punct: np.ndarray, policy: str):
    """``(lit_ids, lit_bounds, piece_sent)`` of a block under a punctuation policy (see
    :class:`TemplateFinder`)."""
    n_sent = bounds.shape[0] - 1
    if policy == "literal" or ids.shape[0] == 0:
        return ids, bounds, np.arange(n_sent, dtype=np.int64)
    punct = is_punct[np.maximum(ids, 0)] & (ids > 0)
    if policy == "excluded":
        return np.where(punct, np.int32(UNKNOWN), ids).astype(np.int32), bounds, np.arange(n_sent, dtype=np.int64)
    # boundary: a piece starts at each sentence start and after each punctuation token
    sent_of = np.repeat(np.arange(n_sent, dtype=np.int64), np.diff(bounds))
    starts = np.zeros(ids.shape[0], np.bool_)
    starts[bounds[:-1][bounds[:-1] < bounds[1:]]] = True
    starts[1:] |= punct[:-1]
    piece = np.cumsum(starts) - 1
    keep = ~punct
    piece_kept = piece[keep]
    firsts = np.nonzero(np.r_[True, piece_kept[1:] != piece_kept[:-1]])[0] if piece_kept.size else np.zeros(0, np.int64)
    lit_bounds = np.r_[firsts, piece_kept.shape[0]].astype(np.int64)
    return ids[keep], lit_bounds, sent_of[keep][firsts]


class _TemplateCounts:
    """Template counts under a memory budget plus, per template, the first ``k`` sentences it
    came from (merged in corpus order; spilled with the counts)."""

    def __init__(self, counter: SpillingCounter, k: int):
        self.counter = counter
        self.k = k
        self.capped = 0
        self._reset()

    def _reset(self):
        self.n_ex = np.zeros(1 << 14, np.int64)
        self.ex = np.full((1 << 14, max(self.k, 1)), -1, np.int64)

    def add(self, codes, bounds, counts, rows, hashes=None) -> None:
        """Add templates (``counts`` None: one each; ``hashes``: their :func:`seq_hash` values when
        known) with their example rows (corpus sentence indices, -1 padded); whole sentences at a
        time, so one sentence stays in one spill run."""
        if bounds.shape[0] <= 1:
            return
        ids = self.counter.add(codes, bounds, counts, hashes, return_ids=bool(self.k))
        if self.k:
            if len(self.counter) > self.n_ex.shape[0]:
                grow = 2 * len(self.counter) - self.n_ex.shape[0]
                self.n_ex = np.concatenate([self.n_ex, np.zeros(grow, np.int64)])
                self.ex = np.concatenate([self.ex, np.full((grow, self.k), -1, np.int64)])
            merge_first_values(ids, rows, self.ex, self.n_ex)
        if self.counter.over_budget(self.n_ex.nbytes + self.ex.nbytes):
            self.counter.spill(self.rows())
            self._reset()

    def rows(self):
        return self.ex[: len(self.counter)] if self.k else None

    def adopt(self, folder: str | None) -> None:
        """Take over a range task's spill runs (:meth:`SpillingCounter.adopt`) after what this
        counter holds."""
        self.counter.adopt(folder, self.rows())
        self._reset()


def _joined(parts: list, dtype) -> np.ndarray:
    """The arrays of ``parts`` concatenated; the list is emptied, so the parts can go at once."""
    out = np.concatenate(parts) if parts else np.zeros(0, dtype)
    parts.clear()
    return out


def _spool_ranges(sentences, engine):
    """``[(path, start, end, first sentence)]``: byte ranges of a spool file of sentences (one a
    line) for range tasks, or None to run in-process (no engine, one job, or no file)."""
    path = getattr(sentences, "path", None)
    if engine is None or getattr(engine, "jobs", 1) <= 1 or path is None:
        return None
    ranges = plan_ranges([path], min_parts=4 * engine.jobs)
    out, first, pos = [], 0, 0
    with open(path, "rb") as fh:
        for p, a, b in ranges:
            # a line belongs to the range holding its first byte (parallel.read_range)
            while pos < a:
                chunk = fh.read(min(1 << 22, a - pos))
                first += chunk.count(b"\n")
                pos += len(chunk)
            out.append((p, a, b, first + (0 if a == 0 or _byte_before(fh, a) == b"\n" else 1)))
    return out


def _byte_before(fh, pos: int) -> bytes:
    here = fh.tell()
    fh.seek(pos - 1)
    c = fh.read(1)
    fh.seek(here)
    return c


def strong_keys_of(pairs: KeyCounter, cut, n_pair_slots, word_counts, n_words, min_pmi):
    """``(keys, counts, reverse counts, distinct)``: the linked pairs of one partition of the pair
    counts (count >= cut, PMI > min_pmi; unsorted), their counts and those of the reverse pairs
    (b before a: the same partition holds them, :func:`minent.spill._key_partition`), and how
    many distinct pairs the partition holds."""
    keys, counts = pairs.at_least(cut)
    a, b = keys >> 32, keys & 0xFFFFFFFF
    with np.errstate(divide="ignore"):
        pmi = (np.log(counts) - math.log(max(n_pair_slots, 1))
               - np.log(word_counts[a] / n_words) - np.log(word_counts[b] / n_words))
    keys, counts = keys[pmi > min_pmi], counts[pmi > min_pmi]
    reverse = pairs.get(((keys & 0xFFFFFFFF) << 32) | (keys >> 32))
    return keys, counts, reverse, len(pairs)


def templates_reaching(table: SeqCounter, rows, cut):
    """``(codes, lengths, counts, example rows, distinct)`` of the templates of one partition of
    the template counts that reach ``cut`` (copies: the partition's table can go)."""
    arena, starts, counts = table.entries()
    sel = np.nonzero(counts >= cut)[0]
    lens = starts[sel + 1] - starts[sel]
    if rows is not None:  # sentence indices: int32 while they fit, half the bytes to send and hold
        rows = rows[sel]
        rows = rows.astype(np.int32) if rows.max(initial=0) < 1 << 31 else rows
    return arena[np.repeat(starts[sel], lens) + _ranks_within(lens)], lens, counts[sel], rows, len(counts)


class _Lines:
    """The sentences (spool lines, split) whose first byte is in ``[start, end)``, read as a
    stream (one pass); ``n`` counts those read."""

    def __init__(self, path, start, end):
        self.path, self.start, self.end, self.n = path, start, end, 0

    def __iter__(self):
        for text in read_range(self.path, self.start, self.end):
            for line in text.split("\n"):
                if line:
                    self.n += 1
                    yield line.split()

    def blocks(self, finder: "TemplateFinder", vocab: "Vocabulary", grow: bool) -> Iterator["_Block"]:
        """:meth:`TemplateFinder._blocks` of these sentences, the words of a block split in one
        call (a spool line is its words joined by single spaces; a block where that does not hold
        is split line by line)."""
        buf: list[str] = []
        for text in read_range(self.path, self.start, self.end):
            for line in text.split("\n"):
                if line:
                    buf.append(line)
                    if len(buf) >= finder.block_sentences:
                        yield self._block(finder, buf, vocab, grow)
                        buf = []
        if buf:
            yield self._block(finder, buf, vocab, grow)

    def _block(self, finder, lines, vocab, grow) -> "_Block":
        first, self.n = self.n, self.n + len(lines)
        tokens = " ".join(lines).split(" ")
        lengths = np.fromiter(map(str.count, lines, itertools.repeat(" ")), np.int64, len(lines)) + 1
        if int(lengths.sum()) != len(tokens) or "" in tokens:
            tokens = [line.split() for line in lines]
            lengths = np.fromiter(map(len, tokens), np.int64, len(lines))
            tokens = list(itertools.chain.from_iterable(tokens))
        return finder._flat_block(tokens, lengths, first, vocab, grow)


def count_task(index, path, start, end, words, params, budget, encoded=None):
    """Range task of the count pass over the spool lines whose first byte is in ``[start, end)``,
    with the corpus's vocabulary ``words`` (ids fixed): ``(index, (word counts, piece starts,
    piece ends, run folder of the pair counts, pair slots, sentences), sentences)``. With
    ``encoded`` (a file name), the range's word ids are written there too (:func:`save_encoded`),
    so the paths pass reads ids instead of tokenised text."""
    finder = TemplateFinder(**{**params, "memory": budget})
    sentences = _Lines(path, start, end)
    pairs = SpillingKeyCounter(budget, SPILL_PARTS)
    blocks: list | None = [] if encoded else None
    try:
        vocab = Vocabulary(words[1:])
        _, wc, st, en, pairs, slots, n_sent = finder._count_into(pairs, vocab, sentences, None, keep_blocks=False,
                                                                 encoded=blocks,
                                                                 blocks=sentences.blocks(finder, vocab, True))
        if encoded:
            save_encoded(encoded, blocks)
        return index, (wc, st, en, pairs.hand_over(), slots, n_sent), sentences.n
    except BaseException:
        pairs.close()
        raise


def _encoded_path(folder: str, index: int) -> str:
    return os.path.join(folder, f"range{index:05d}.npz")


def save_encoded(path: str, blocks: list) -> None:
    """Write the word ids of ``blocks`` (:class:`_Block`, in order) to ``path`` (``.npz``: ``ids``
    int32, ``lengths`` int64 words per sentence)."""
    ids = np.concatenate([b.ids for b in blocks]) if blocks else np.zeros(0, np.int32)
    lengths = np.concatenate([np.diff(b.bounds) for b in blocks]) if blocks else np.zeros(0, np.int64)
    try:
        np.savez(path, ids=ids, lengths=lengths)
    except OSError as exc:
        raise temp_write_error(path, exc) from None


class _Encoded:
    """The sentences of a file of :func:`save_encoded` as encoded blocks (``n`` counts them)."""

    def __init__(self, path: str, punct: np.ndarray):
        self.path, self.punct, self.n = path, punct, 0

    def blocks(self, finder: "TemplateFinder") -> Iterator["_Block"]:
        with np.load(self.path, allow_pickle=False) as f:
            ids, lengths = f["ids"], f["lengths"]
        bounds = np.zeros(lengths.shape[0] + 1, np.int64)
        np.cumsum(lengths, out=bounds[1:])
        step = int(finder.block_sentences)
        for lo in range(0, lengths.shape[0], step):
            b = bounds[lo:lo + step + 1]
            block_ids, block_bounds = ids[b[0]:b[-1]], b - b[0]
            self.n += block_bounds.shape[0] - 1
            view = literal_view(block_ids, block_bounds, self.punct, finder.punctuation)
            yield _Block(block_ids, block_bounds, lo, *view)


def paths_task(index, path, start, end, first, words, strong, params, encoded=None, sketch=None, cut=0,
               budget=None):
    """Range task of the paths pass over the spool lines whose first byte is in ``[start, end)``
    (sentence indices are global: ``first`` is the index of the range's first line). Without
    ``sketch``: the sketch pass, ``(index, (sketch counts, template occurrences, capped),
    sentences)``. With ``sketch`` (a handle from ``engine.share``) and the count ``cut``: the
    templates the sketch passes, ``(index, (arena, starts, counts, example rows, capped, links,
    template occurrences), sentences)``; with a ``budget`` (bytes, workers on this machine), the
    counts are kept under it and handed over as spill runs instead, ``(index, (run folder,
    capped, templates passed, links, template occurrences), sentences)``
    (:meth:`minent.spill.SpillingCounter.hand_over`). ``encoded``: ``(file, punctuation flags)``
    when the count pass wrote the range's word ids (:func:`save_encoded`); they are read instead
    of the text (``words`` is then not used)."""
    params = dict(params)
    bits = int(params.pop("sketch_bits"))
    finder = TemplateFinder(**{**params, "memory": None})
    if encoded is not None:  # the count task wrote the range's word ids: read them, not the text
        sentences = _Encoded(*encoded)
        vocab, blocks = None, sentences.blocks(finder)
    else:
        sentences, vocab = _Lines(path, start, end), Vocabulary(words[1:])
        blocks = sentences.blocks(finder, vocab, False)
    if sketch is None:
        counts, n_occ, capped = np.zeros(2 << bits, np.uint16), 0, 0
        for _, _, _, _, _, n_capped, occ, _, _ in finder._batches(sentences, vocab, resolve(strong), first, counts,
                                                                  blocks=blocks):
            n_occ += occ
            capped += n_capped
        return index, (counts, n_occ, capped), sentences.n
    acc = _TemplateCounts(SpillingCounter(budget, SPILL_PARTS, auto_spill=False), int(finder.n_examples))
    links = KeyCounter(1 << 12)
    passed = n_occ = 0
    try:
        for codes, tb, hashes, sent, _, capped, occ, lk, lv in finder._batches(sentences, vocab, resolve(strong),
                                                                               first, resolve(sketch), cut, blocks):
            passed += hashes.shape[0]
            n_occ += occ
            acc.add(codes, tb, None, sent[:, None], hashes)
            acc.capped += capped
            links.add(lk, lv)
        if budget is not None:
            return index, (acc.counter.hand_over(acc.rows()), acc.capped, passed, links.items(), n_occ), sentences.n
    except BaseException:
        acc.counter.close()
        raise
    arena, starts, counts = acc.counter.table.entries()
    rows = acc.rows()
    if rows is None:
        rows = np.full((len(counts), 1), -1, np.int64)
    return index, (arena, starts, counts, rows, acc.capped, links.items(), n_occ), sentences.n  # views: pickled trimmed


class TemplateFinder:
    """Mine sentence templates from tokenised sentences (method.md §4), sklearn-style.

    Parameters
    ----------
    window : int, default 10
        Largest distance of a linked word pair (1 = adjacent words only: phrases). Chosen on dev
        data (pd1998 frame recall, LCQMC question frames; README): 10 reaches correlative pairs
        such as 不仅 … 而且 that 3 cannot.
    min_count : int, default 5
        Count floor for strong pairs and for kept templates.
    min_prob : float, default 0.0
        Relative floor: the cut-off is ``max(min_count, min_prob x N)``, N = pair slots for pairs,
        template occurrences for templates.
    min_pmi : float, default 1.0
        A pair is linked when its PMI (natural log) exceeds this. PMI > 1 is where merging starts to
        pay in information (method.md §1).
    max_paths : int, default 64
        At most this many source-to-sink paths are enumerated from each source node of a sentence's DAG.
    subpath_literals : int, default 3
        Besides the source-to-sink paths of method.md §4, every path of 2..this many nodes, and the
        sentence's first and last word alone, are templates too (placeholders as for any path), so
        a frame such as "在 [X] 中" is counted wherever it stands, not only when nothing else in the
        sentence links to it. 0 or 1: source-to-sink paths only (the 2018 behaviour).
    inner_min_pmi : float or None, default None (off)
        With a value and ``subpath_literals >= 3``, also the paths a -> c -> b through one word c
        inside a linked pair a -> b (over two or more positions) that the pairs alone do not link
        (在 [X] 的 [X] 下: 在 … 下 is linked, 在 … 的 and 的 … 下 are not); such a template is kept
        when c is *linked to the pair*: c stands inside the pair's occurrences at least
        ``min_count`` times and its PMI with them, ``ln(n / (G p_c))`` (n: occurrences of c inside
        the pair, G: known words inside the pair's occurrences, p_c: c's share of all words),
        exceeds this (:func:`inner_templates`). Its word fills the frame's slot, so it does not
        make the pair's own template a fragment (``redundancy``). Chosen on dev data (pd1998
        frame list, README): 0.75; 1.0 (= ``min_pmi``) misses 在 [X] 的 [X] 下, 0.5 pushes another
        listed frame out of the top 500. Off by default: the exact counts of the words inside each
        linked pair are held in one table in this process, which grew to several GB on a GB of
        text (README, Scale).
    punctuation : {"excluded", "boundary", "literal"}, default "excluded"
        Punctuation tokens (no letter, digit or Han character) are positions that a placeholder
        covers but never literals (``excluded``); or cut the sentence into pieces that templates
        never cross (``boundary``); or words like any other (``literal``, the 2018 behaviour).
        Word counts include them in every policy.
    ranking : {"frames", "count", "saving"}, default "frames"
        Order of the kept templates. ``"frames"``: count x how fixed the literals' order is x how
        open the slots are (:mod:`minent.framerank`; both measured on the first
        :data:`~minent.framerank.SAMPLE_WORDS` words), which puts grammatical frames (在 [X] 中,
        虽然 [X] 但 [X]) above datelines, topical word pairs and repetitions; ``"count"``; or the
        information saved, ``count x pmi`` (method.md §9; :meth:`Templates.saving`), which lets
        fixed news boilerplate (新华社 … 电 …) fill the top. Measured on dev data (README).
    redundancy : float, default 0.5
        Drop a template when one with one more literal that contains it has at least this share
        of its count (:func:`closed_templates`); 0 keeps all.
    n_examples : int, default 3
        Example sentences kept per template.
    block_sentences : int, default 20000
        Sentences handled per numba call (memory vs call overhead).
    memory : int or None, default None
        Bytes the word-pair table and the template table may each hold in RAM; past it they spill
        to hash-partitioned ``.npz`` runs merged exactly at the end (:mod:`minent.spill`), so the
        templates, counts and examples are the same as unbounded. None = never spill. The
        count-min sketch of the paths pass (2 x 2^10..2^25 two-byte counters, about four per
        word) is kept within a quarter of it. Range tasks on local workers (``fit(engine=)``)
        count under ``memory / jobs`` (count pass) and ``memory / (2 jobs)`` (paths pass) each.

    Attributes (after :meth:`fit`)
    -------------------------------
    vocabulary_ : list of str — word of each id (id 0 is "[X]")
    word_counts_ : int64 array — count of each id
    n_words_, n_pair_slots_, n_sentences_, n_template_occurrences_ : int
    strong_pairs_ : int — number of linked word pairs
    templates_ : :class:`Templates` — kept templates, ranked
    report_ : dict — sizes and timings
    """

    def __init__(self, window: int = 10, min_count: int = 5, min_prob: float = 0.0, min_pmi: float = 1.0,
                 max_paths: int = 64, subpath_literals: int = 3, inner_min_pmi: float | None = None,
                 punctuation: str = "excluded", ranking: str = "frames", redundancy: float = 0.5, n_examples: int = 3,
                 block_sentences: int = 20000, memory: int | None = None):
        self.window = window
        self.min_count = min_count
        self.min_prob = min_prob
        self.min_pmi = min_pmi
        self.max_paths = max_paths
        self.subpath_literals = subpath_literals
        self.inner_min_pmi = inner_min_pmi
        self.punctuation = punctuation
        self.ranking = ranking
        self.redundancy = redundancy
        self.n_examples = n_examples
        self.block_sentences = block_sentences
        self.memory = memory

    def _validate(self):
        if not 1 <= int(self.window) <= 64:
            raise MinentError("window must be between 1 and 64")
        if int(self.min_count) < 1:
            raise MinentError("min_count must be >= 1")
        if not 0 <= self.min_prob < 1:
            raise MinentError("min_prob must be in [0, 1)")
        if int(self.max_paths) < 1:
            raise MinentError("max_paths must be >= 1")
        if int(self.n_examples) < 0:
            raise MinentError("n_examples must be >= 0")
        if not 0 <= int(self.subpath_literals) <= 8:
            raise MinentError("subpath_literals must be between 0 and 8")
        if self.inner_min_pmi is not None and not math.isfinite(float(self.inner_min_pmi)):
            raise MinentError("inner_min_pmi must be a finite number or None")
        if self.punctuation not in PUNCTUATION_POLICIES:
            raise MinentError(f"punctuation must be one of {', '.join(PUNCTUATION_POLICIES)}")
        if self.ranking not in RANKINGS:
            raise MinentError(f"ranking must be one of {', '.join(RANKINGS)}")

    # -- passes
    def _blocks(self, sentences, vocab: Vocabulary, grow: bool) -> Iterator[_Block]:
        buf: list[list[str]] = []
        first = 0
        n = 0
        for tokens in sentences:
            if isinstance(tokens, str):
                raise TypeError("TemplateFinder.fit needs token lists, not strings "
                                "(split them, e.g. line.split())")
            buf.append(tokens)
            n += 1
            if len(buf) >= self.block_sentences:
                yield self._block(buf, first, vocab, grow)
                first, buf = n, []
        if buf:
            yield self._block(buf, first, vocab, grow)

    def _block(self, buf, first, vocab, grow) -> _Block:
        return self._flat_block(itertools.chain.from_iterable(buf),  # no list of the block's tokens
                                np.fromiter(map(len, buf), np.int64, len(buf)), first, vocab, grow)

    def _flat_block(self, tokens: Iterable[str], lengths: np.ndarray, first, vocab, grow) -> _Block:
        # one encode call over the block's tokens (not one per sentence): same ids, fewer calls
        bounds = np.zeros(lengths.shape[0] + 1, np.int64)
        np.cumsum(lengths, out=bounds[1:])
        ids = vocab.encode_array(tokens, grow, int(bounds[-1]))
        view = literal_view(ids, bounds, np.array(vocab.punctuation, np.bool_), self.punctuation)
        return _Block(ids, bounds, first, *view)

    def _count(self, sentences, progress, keep_blocks: bool = True):
        vocab = Vocabulary()
        pairs = SpillingKeyCounter(self.memory, SPILL_PARTS)
        try:
            return self._count_into(pairs, vocab, sentences, progress, keep_blocks)
        except BaseException:
            pairs.close()
            raise

    def _count_into(self, pairs, vocab, sentences, progress, keep_blocks: bool = True, encoded: list | None = None,
                    blocks: Iterator[_Block] | None = None):
        word_counts = np.zeros(1024, np.int64)
        starts = np.zeros(1024, np.int64)
        ends = np.zeros(1024, np.int64)
        n_pair_slots = 0
        n_sent = 0
        # the encoded blocks are kept for the paths pass (same ids: a word's id is fixed when first
        # seen) while they fit in a small budget; past it the paths pass encodes again
        budget = _BLOCK_CACHE_BYTES if self.memory is None else min(_BLOCK_CACHE_BYTES, int(self.memory) // 4)
        cache, cached_bytes = ([] if keep_blocks else None), 0
        for block in (self._blocks(sentences, vocab, grow=True) if blocks is None else blocks):
            if encoded is not None:
                encoded.append(block)
            if cache is not None:  # (+ the DAG edges the paths pass keeps with them: 2 bytes a word)
                cached_bytes += block.nbytes + (2 * block.lit_ids.shape[0] if _keeps_dag(int(self.window)) else 0)
                if cached_bytes <= budget:
                    cache.append(block)
                else:
                    cache = None
            if len(vocab) > word_counts.shape[0]:
                grow = np.zeros(2 * len(vocab), np.int64)
                word_counts, starts, ends = (np.concatenate([a, grow]) for a in (word_counts, starts, ends))
            known = block.ids[block.ids > 0]
            word_counts[: len(vocab)] += np.bincount(known, minlength=len(vocab))[: len(vocab)]
            piece_boundaries(block.ids, block.bounds, np.array(vocab.punctuation, np.bool_), starts, ends)
            keys = skipgram_keys(block.lit_ids, block.lit_bounds, int(self.window))
            n_pair_slots += keys.shape[0]
            pairs.add(keys)
            n_sent += block.bounds.shape[0] - 1
            if progress:
                progress("count", block.bounds.shape[0] - 1, 0)
        n = len(vocab)
        self._cached_blocks = cache
        return vocab, word_counts[:n], starts[:n], ends[:n], pairs, n_pair_slots, n_sent

    def _count_in_tasks(self, sentences, words, engine, progress):
        """:meth:`_count` as range tasks over a spool file whose words are known in order of first
        sight (so the ids are the ones a single pass gives): the tasks sum word and boundary
        counts and hand their pair counts over as spill runs (under ``memory / jobs`` each). The
        tasks also write each range's word ids to a folder of this process (``_encoded_dir``,
        removed by :meth:`fit`), which the paths pass reads instead of the text."""
        vocab = Vocabulary(words)
        n = len(vocab)
        word_counts, starts, ends = (np.zeros(n, np.int64) for _ in range(3))
        n_pair_slots = n_sent = 0
        budget = None if self.memory is None else max(int(self.memory) // engine.jobs, 1 << 22)
        self._encoded_dir = folder = owned_temp("encoded", directory=True)
        args = [(i, path, a, b, vocab.words, self.get_params(), budget, _encoded_path(folder, i))
                for i, (path, a, b, _) in enumerate(_spool_ranges(sentences, engine))]
        pairs = SpillingKeyCounter(self.memory, SPILL_PARTS)
        results = engine.map(count_task, args)
        try:
            for _, (wc, st, en, folder, slots, sents), n_done in results:
                pairs.adopt(folder)  # pair counts are sums: any order
                word_counts += wc
                starts += st
                ends += en
                n_pair_slots += slots
                n_sent += sents
                if progress:
                    progress("count", n_done, 0)
        except BaseException:
            pairs.close()
            raise
        return vocab, word_counts, starts, ends, pairs, n_pair_slots, n_sent

    def _strong(self, pairs, word_counts, n_words, n_pair_slots, engine=None) -> tuple[KeyCounter, int, tuple]:
        """``(linked pairs, distinct pairs, order counts)`` from the (possibly spilled) pair
        counts; spilled partitions are merged as tasks on ``engine`` (local workers) when there is
        one. Order counts: ``(keys, counts, reverse counts)`` of the linked pairs, keys sorted
        (:func:`minent.framerank.frame_factors`)."""
        cut = max(int(self.min_count), self.min_prob * n_pair_slots)
        chosen, counts, reverse, distinct = [], [], [], 0
        args = (cut, n_pair_slots, word_counts, n_words, float(self.min_pmi))
        for keys, fw, bw, n in pairs.map_partitions(strong_keys_of, args, engine):
            chosen.append(keys)
            counts.append(fw)
            reverse.append(bw)
            distinct += n
        chosen = np.concatenate(chosen) if chosen else np.zeros(0, np.int64)
        by_key = np.argsort(chosen, kind="stable")
        chosen = chosen[by_key]
        order = ((chosen, _joined(counts, np.int64)[by_key], _joined(reverse, np.int64)[by_key])
                 if self.ranking == "frames" else None)
        strong = KeyCounter(2 * len(chosen) + 16)
        strong.add(chosen)
        return strong, distinct, order

    def _paths(self, sentences, vocab, strong, n_sent, progress, engine=None, sketch_bits=23):
        """Templates counted in two passes over the paths: a count-min sketch of every template
        occurrence (hash), then an exact count of the templates whose sketch estimate (never below
        the true count) reaches the cut-off — the same kept templates and counts as counting all,
        without a table entry for each rare template. Returns ``(counter, example rows, sentences
        capped, template occurrences, templates passed)``.

        The sketch walk tells templates apart by hash, so its count of template occurrences is
        never above the exact one (equal unless two templates of a sentence share a 64-bit hash):
        the counting walk keeps what reaches the cut of that count (never above the exact cut: a
        superset of the kept templates), and counts the occurrences exactly for the caller's cut."""
        acc = _TemplateCounts(SpillingCounter(self.memory, SPILL_PARTS, auto_spill=False), int(self.n_examples))
        links = KeyCounter(1 << 12)
        try:
            ranges = _spool_ranges(sentences, engine)
            sketch = np.zeros(2 << sketch_bits, np.uint16)
            n_occ = sketched = passed = 0
            if ranges is None:
                for _, _, _, _, n_done, capped, occ, _, _ in self._batches(sentences, vocab, strong.frozen(), 0, sketch):
                    sketched += occ
                    acc.capped += capped
                    if progress:
                        progress("sketch", n_done, n_sent)
                cut = self._cut(sketched)
                for codes, tb, hashes, sent, n_done, _, occ, lk, lv in self._batches(sentences, vocab, strong.frozen(),
                                                                                    0, sketch, cut):
                    n_occ += occ
                    passed += hashes.shape[0]
                    acc.add(codes, tb, None, sent[:, None], hashes)
                    links.add(lk, lv)
                    if progress:
                        progress("paths", n_done, n_sent)
            else:
                shared = engine.share(strong.frozen())  # the workers read this process's table
                try:
                    n_occ, passed = self._paths_in_tasks(ranges, vocab, shared, sketch, sketch_bits, acc, links,
                                                         engine, progress, n_sent)
                finally:
                    engine.release(shared)
            return acc.counter, acc.rows(), acc.capped, n_occ, passed, links
        except BaseException:
            acc.counter.close()  # spill files go with an error or Ctrl-C
            raise

    def _paths_in_tasks(self, ranges, vocab, shared, sketch, sketch_bits, acc, links, engine, progress, n_sent):
        """The two walks of :meth:`_paths` as range tasks (``shared``: the strong-pair table's
        handle); the sketch parts are merged into ``sketch``, the counts into ``acc`` in range
        order, the inner-path counts into ``links``. Returns ``(template occurrences (the counting
        walk's), templates passed)``."""
        params = {**self.get_params(), "sketch_bits": sketch_bits}
        folder = getattr(self, "_encoded_dir", None)  # the count tasks wrote the ranges' word ids
        punct = np.array(vocab.punctuation, np.bool_)
        args = [(i, path, a, b, first, vocab.words, shared, params,
                 None if folder is None else (_encoded_path(folder, i), punct))
                for i, (path, a, b, first) in enumerate(ranges)]
        n_occ = sketched = passed = 0
        for _, (part, part_occ, capped), n_done in engine.map(paths_task, args):
            sketch_merge(sketch, part)
            sketched += part_occ
            acc.capped += capped
            if progress:
                progress("sketch", n_done, n_sent)
        cut = self._cut(sketched)
        handle = engine.share(sketch)
        # workers on this machine keep their counts under a share of the budget and hand them
        # over as spill runs (no copy through a pipe, no table in this process)
        budget = (max(int(self.memory) // (2 * engine.jobs), 1 << 22)
                  if self.memory is not None and forks_workers(engine) else None)
        pending, nxt = {}, 0
        try:
            for i, result, n_done in engine.map(paths_task, [a + (handle, cut, budget) for a in args]):
                pending[i] = result  # merged in range order: examples stay the first in the corpus
                while nxt in pending:
                    part = pending.pop(nxt)
                    if budget is None:
                        arena, starts, counts, rows, _, inner, occ = part
                        acc.add(arena, starts, counts, rows)
                        passed += int(counts.sum())
                    else:
                        acc.adopt(part[0])
                        passed += part[2]
                        inner, occ = part[3], part[4]
                    links.add(*inner)
                    n_occ += occ
                    nxt += 1
                if progress:
                    progress("paths", n_done, n_sent)
        finally:
            engine.release(handle)
            for part in pending.values():  # runs of tasks not merged (an error): removed
                if budget is not None and part[0]:
                    shutil.rmtree(part[0], ignore_errors=True)
        return n_occ, passed

    def _sketch_bits(self, n_words: int) -> int:
        """Size of the sketch rows (2^bits counters each): about four counters per word of the
        corpus, between 2^10 and 2^25, and at most a quarter of ``memory``."""
        bits = min(25, max(10, int(math.ceil(math.log2(max(n_words, 1)))) + 2))
        while self.memory is not None and bits > 10 and (4 << bits) > int(self.memory) // 4:
            bits -= 1
        return bits

    def _cut(self, n_occ: int) -> float:
        """Count a template needs to be kept: ``max(min_count, min_prob x N_templates)``."""
        return max(int(self.min_count), self.min_prob * n_occ)

    def _batches(self, sentences, vocab, strong, first_sentence: int = 0, sketch=None, cut: float = 0.0,
                 blocks=None):
        """Templates of ``sentences`` kernel call by kernel call (``strong``: the strong-pair table
        as :meth:`KeyCounter.frozen` gives it; ``sketch`` and ``cut`` as :func:`block_templates`
        takes them, no sketch: every template): ``(codes, bounds, hashes, sentence of each template
        (corpus index), sentences done, sentences capped, template occurrences, link keys, link
        counts)``. ``blocks``: the sentences already encoded (:class:`_Block`), read instead of
        ``sentences``."""
        out_codes = np.empty(1 << 20, np.int32)
        out_bounds = np.empty((1 << 18) + 1, np.int64)
        out_hash = np.empty(1 << 18, np.int64)
        out_sent = np.empty(1 << 18, np.int64)
        out_links = (np.empty(1 << 18, np.int64), np.empty(1 << 18, np.int64))
        sketch = np.zeros(0, np.uint16) if sketch is None else sketch
        walk = (int(self.window), int(self.max_paths), int(self.subpath_literals), int(self._inner()))
        strong = with_filter(strong)  # built once per walk: most pairs the DAG looks up are not strong
        cached = None
        if blocks is None:
            cached = getattr(self, "_cached_blocks", None) if first_sentence == 0 else None
            blocks = cached if cached is not None else self._blocks(sentences, vocab, grow=False)
        # blocks kept between the walks keep the sketch walk's DAG edges for the counting walk
        keep_dag = cached is not None and sketch.shape[0] > 0 and _keeps_dag(int(self.window))
        for block in blocks:
            n_block = block.lit_bounds.shape[0] - 1
            capped = np.zeros(n_block, np.bool_)
            if keep_dag and cut <= 0:
                block.dag = np.zeros(block.lit_ids.shape[0], np.uint16)
            dag = block.dag if keep_dag and block.dag is not None else _NO_DAG
            s = 0
            while s < n_block:
                nxt, n_t, n_c, n_l, n_occ = block_templates(block.lit_ids, block.lit_bounds, s, walk, strong,
                                                            (out_codes, out_bounds, out_hash, out_sent), capped,
                                                            sketch, float(cut), out_links, dag)
                if nxt == s:  # one sentence did not fit: grow the buffers
                    out_codes = np.empty(2 * out_codes.shape[0], np.int32)
                    out_bounds = np.empty(2 * out_hash.shape[0] + 1, np.int64)
                    out_hash = np.empty(2 * out_hash.shape[0], np.int64)
                    out_sent = np.empty(out_hash.shape[0], np.int64)
                    out_links = tuple(np.empty(2 * a.shape[0], np.int64) for a in out_links)
                    continue
                sent = block.piece_sent[out_sent[:n_t]] + block.first_sentence + first_sentence
                done = int(block.piece_sent[nxt - 1]) - int(block.piece_sent[s]) + 1 if nxt > s else 0
                yield (out_codes[:n_c], out_bounds[: n_t + 1], out_hash[:n_t], sent, done, int(capped[s:nxt].sum()),
                       n_occ, out_links[0][:n_l], out_links[1][:n_l])
                s = nxt

    def _inner(self) -> bool:
        """Inner paths on (see ``inner_min_pmi``)."""
        return self.inner_min_pmi is not None and int(self.subpath_literals) >= 3

    def get_params(self) -> dict:
        """Constructor parameters (sklearn-style), for rebuilding the finder in a task."""
        return {k: getattr(self, k) for k in ("window", "min_count", "min_prob", "min_pmi", "max_paths",
                                              "subpath_literals", "inner_min_pmi", "punctuation", "ranking",
                                              "redundancy",
                                              "n_examples", "block_sentences", "memory")}

    def _examples(self, sentences, rows: np.ndarray, progress, n_sent) -> "ExampleSentences":
        """The example sentences of ``rows`` (corpus sentence indices, -1 padded), read in one pass
        up to the last one needed and kept as UTF-8 (:class:`ExampleSentences`)."""
        wanted = np.unique(rows[rows >= 0]).astype(np.int64)
        path = getattr(sentences, "path", None)
        if path is None:
            return ExampleSentences(rows, wanted, *self._find_examples(
                sentences, lambda tokens: " ".join(tokens).encode("utf-8", "surrogatepass"), wanted, progress, n_sent))
        # a spool file: a line is its words joined by single spaces; the sentences are kept on disk
        return ExampleSentences(rows, wanted, *self._spool_examples(path, wanted, progress, n_sent, SentenceFile()))

    @staticmethod
    def _spool_examples(path: str, wanted: np.ndarray, progress, n_sent,
                        out: SentenceFile | None = None) -> tuple[bytearray | SentenceFile, array.array]:
        """:meth:`_find_examples` of the lines of a file (``wanted``: line numbers), read in large
        blocks whose line breaks are found with numpy (no object per line). With ``out``, the
        lines go to that file (a block's lines at a time) and it is returned in place of a buffer."""
        found, ends, size = bytearray(), array.array("q"), 0
        j, n, line = 0, wanted.shape[0], 0  # line: the number of the block's first line
        carry = b""
        with open(path, "rb") as fh:
            while j < n:
                chunk = fh.read(_EXAMPLE_READ_BYTES)
                buf = carry + chunk if carry else chunk
                breaks = np.flatnonzero(np.frombuffer(buf, np.uint8) == 10)
                if not chunk and buf:  # the last line, without a line break
                    breaks = np.array([len(buf)], np.int64)
                if breaks.shape[0] == 0:
                    if not chunk:
                        break
                    carry = buf
                    continue
                hi = int(np.searchsorted(wanted, line + breaks.shape[0]))
                sel = wanted[j:hi] - line
                firsts = np.r_[0, breaks[:-1] + 1][sel]
                for a, b in zip(firsts.tolist(), breaks[sel].tolist()):
                    found += buf[a:b].rstrip(b"\r\n")
                    ends.append(size + len(found))
                if out is not None and found:
                    out.append(found)
                    size, found = size + len(found), bytearray()
                j = hi
                line += breaks.shape[0]
                carry = buf[int(breaks[-1]) + 1:]
                if progress:
                    progress("examples", breaks.shape[0], n_sent)
        return (found if out is None else out), ends

    @staticmethod
    def _find_examples(items, encode, wanted: np.ndarray, progress, n_sent) -> tuple[bytearray, array.array]:
        """``encode(item)`` (UTF-8) of the sentences ``wanted`` (sorted indices into ``items``) in one
        buffer, and where each ends (no object per sentence, no set of the indices)."""
        found, ends = bytearray(), array.array("q")
        j, n = 0, wanted.shape[0]
        nxt = int(wanted[0]) if n else -1
        for s, item in enumerate(items):
            if j == n:
                break
            if s == nxt:
                found += encode(item)
                ends.append(len(found))
                j += 1
                nxt = int(wanted[j]) if j < n else -1
            if progress and (s + 1) % 10000 == 0:
                progress("examples", 10000, n_sent)
        return found, ends

    def fit(self, sentences, progress: Progress | None = None, engine=None) -> "TemplateFinder":
        """Learn templates from ``sentences``: a re-iterable (read up to four times) of token lists.

        ``progress(stage, n_done, n_total)`` is called per block with stage ``"count"``,
        ``"sketch"``, ``"paths"`` or ``"examples"`` (n_total 0 when unknown).

        ``engine`` (:func:`minent.parallel.make_engine`, more than one job): when ``sentences`` is
        a :class:`minent.sentences.SentenceSpool` (one sentence a line in a file), the paths pass
        runs as range tasks over that file, and so does the count pass when the spool was
        tokenised by range tasks (:meth:`~minent.sentences.SentenceSpool.prepare`: its words are
        then known in order of first sight, so the ids are those of one pass); the results are
        merged in corpus order, so templates, counts and examples are identical to one job. With
        local workers (forked), the tasks keep their counts under a share of ``memory`` and hand
        them over as spill runs, and the spilled partitions are merged as tasks too.

        Python's cyclic garbage collector is paused during the fit (the fit makes no reference
        cycles; its many small objects would otherwise trigger full collections that walk the
        caller's sentences again and again) and restored after.
        """
        self._validate()
        if iter(sentences) is sentences:
            raise MinentError("TemplateFinder.fit needs a re-iterable input (list, not an iterator)")
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._fit(sentences, progress, engine)
        finally:
            self._drop_encoded()  # the word ids the count tasks wrote (an error or Ctrl-C on the way)
            if collecting:
                gc.enable()

    def _sample_blocks(self, sentences, vocab: Vocabulary) -> Iterator[_Block]:
        """The corpus's encoded sentences from its start, for :class:`~minent.framerank.FrameSample`:
        the blocks the count pass kept, else the word ids its range tasks wrote, else encoded
        again (the sample stops reading at its size)."""
        cached = getattr(self, "_cached_blocks", None)
        if cached is not None:
            yield from cached
            return
        folder = getattr(self, "_encoded_dir", None)
        if folder is None:
            yield from self._blocks(sentences, vocab, grow=False)
            return
        punct = np.array(vocab.punctuation, np.bool_)
        for i in itertools.count():
            path = _encoded_path(folder, i)
            if not os.path.exists(path):
                return
            yield from _Encoded(path, punct).blocks(self)

    def _drop_encoded(self) -> None:
        folder, self._encoded_dir = getattr(self, "_encoded_dir", None), None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _fit(self, sentences, progress, engine) -> "TemplateFinder":
        timings = {}
        t0 = time.perf_counter()
        in_tasks = (engine is not None and getattr(engine, "jobs", 1) > 1
                    and getattr(sentences, "path", None) is not None)  # the paths pass reads the spool
        words = getattr(sentences, "words", None)  # a spool prepared by range tasks knows its words
        if in_tasks and words is not None and forks_workers(engine):
            counted = self._count_in_tasks(sentences, words, engine, progress)
        else:
            counted = self._count(sentences, progress, keep_blocks=not in_tasks)
        vocab, word_counts, piece_starts, piece_ends, pairs, n_pair_slots, n_sent = counted
        n_words = int(word_counts.sum())
        if n_words == 0:
            raise MinentError("no words in the input")
        frames = (FrameSample.of_blocks(self._sample_blocks(sentences, vocab), len(vocab))
                  if self.ranking == "frames" else None)  # before the paths pass lets the encoded words go
        timings["count"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with pairs:
            strong, n_distinct_pairs, order_counts = self._strong(pairs, word_counts, n_words, n_pair_slots, engine)
            pairs_bytes = pairs.peak_table_bytes
            pair_spills = pairs.spills
        del pairs
        trim_heap()  # what the count pass freed goes back before the paths pass forks its workers
        try:
            counter, ex_sent, capped, n_occ, passed, links = self._paths(sentences, vocab, strong, n_sent, progress,
                                                                         engine, self._sketch_bits(n_words))
        finally:
            self._cached_blocks = None
            self._drop_encoded()
        timings["paths"] = time.perf_counter() - t0
        n_strong, strong_bytes = len(strong), strong.nbytes
        if not self._inner():  # the linked pairs and inner paths serve the inner templates only
            strong = links = None

        t0 = time.perf_counter()
        words = vocab.words
        with counter:
            cut = self._cut(n_occ)
            arenas, lengths, kept_counts, rows, counted_templates = [], [], [], [], 0
            for arena, lens, counts, payload, n in counter.map_partitions(templates_reaching, (cut,), engine, ex_sent):
                counted_templates += n
                arenas.append(arena)
                lengths.append(lens)
                kept_counts.append(counts)
                if payload is not None:
                    rows.append(payload)
            template_bytes, template_spills = counter.peak_table_bytes, counter.spills
        if engine is not None and hasattr(engine, "stop_workers"):
            engine.stop_workers()  # the last task of the fit is done: idle workers hand their memory back
        trim_heap()
        # each kind joined once and its parts let go at once: the peak is the kept arrays, not copies
        arena = _joined(arenas, np.int32)
        lens = _joined(lengths, np.int64)
        starts = np.zeros(lens.shape[0] + 1, np.int64)
        np.cumsum(lens, out=starts[1:])
        kept_counts = _joined(kept_counts, np.int64)
        inner = np.zeros(lens.shape[0], np.int8)
        if self._inner() and lens.shape[0]:
            inner_templates(arena, starts, strong.frozen(), links.frozen(), word_counts, n_words, float(cut),
                            float(self.inner_min_pmi), inner)
        del lens
        keep = inner != 2
        if self.redundancy > 0 and keep.shape[0]:  # closed_templates, on word ids
            closed_codes(SeqCounter.lookup(arena, starts), arena, starts, kept_counts, float(self.redundancy), keep,
                         inner)
        closed = np.nonzero(keep)[0]
        del keep
        n_inner_kept = int(np.count_nonzero(inner[closed] == 1))
        del inner
        store = PatternStore(np.array(words, dtype=object), arena, starts, closed)
        kept_counts = kept_counts[closed]
        word_dict = {w: int(c) for w, c in zip(words[1:], word_counts[1:].tolist()) if c > 0}
        tpl = Templates(store, kept_counts, n_occ, word_dict, n_words)  # ranked from arrays
        scores = None if frames is None else kept_counts * frames.factors(arena, starts, closed, order_counts)
        sample_words = None if frames is None else frames.n_words
        del frames, order_counts
        order = tpl._order(self.ranking, scores)
        del scores
        patterns = tpl.patterns = store.take(order)
        tpl.counts = kept_counts[order]
        examples: list | ExampleSentences = [[] for _ in range(len(patterns))]
        if self.n_examples and patterns:
            ex_rows = _joined(rows, np.int64)[closed[order]]
            examples = self._examples(sentences, ex_rows, progress, n_sent)
            del ex_rows
        del closed, order, rows
        trim_heap()
        timings["select"] = time.perf_counter() - t0

        self.vocabulary_ = list(words)
        self.word_counts_ = word_counts
        self.n_words_ = n_words
        self.n_pair_slots_ = int(n_pair_slots)
        self.n_sentences_ = int(n_sent)
        self.n_template_occurrences_ = n_occ
        self.strong_pairs_ = n_strong
        meta = {"window": int(self.window), "min_count": int(self.min_count), "min_prob": self.min_prob,
                "min_pmi": self.min_pmi, "max_paths": int(self.max_paths),
                "subpath_literals": int(self.subpath_literals), "inner_min_pmi": self.inner_min_pmi,
                "punctuation": self.punctuation,
                "ranking": self.ranking, "redundancy": self.redundancy, "sentences": int(n_sent)}
        boundaries = {w: (int(a), int(b))
                      for w, a, b in zip(words[1:], piece_starts[1:].tolist(), piece_ends[1:].tolist()) if a or b}
        tpl.examples, tpl.meta, tpl.boundaries = examples, meta, boundaries
        self.templates_ = tpl
        self.report_ = {
            "sentences": int(n_sent),
            "words": n_words,
            "vocabulary": len(words) - 1,
            "pair_slots": int(n_pair_slots),
            "distinct_pairs": n_distinct_pairs,
            "strong_pairs": n_strong,
            "inner_templates": n_inner_kept,
            "template_occurrences": n_occ,
            "counted_templates": counted_templates,
            "sketch": {"counters_per_row": 1 << self._sketch_bits(n_words), "passed_occurrences": passed},
            "kept_templates": len(patterns),
            "kept_nontrivial": int(len(patterns) - patterns.trivial().sum()),
            "template_count_cutoff": cut,
            "frame_sample_words": sample_words,
            "sentences_path_capped": capped,
            "table_bytes": {"pairs": pairs_bytes, "strong": strong_bytes, "templates": template_bytes},
            "spills": {"pairs": pair_spills, "templates": template_spills},
            "timings_s": {k_: round(v, 3) for k_, v in timings.items()},
        }
        return self

    def save(self, path: str) -> None:
        """Write :attr:`templates_` (see :meth:`Templates.save`)."""
        self.templates_.save(path)
