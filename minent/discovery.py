"""Word discovery beyond the four steps: boundary entropy, minimum description length, re-estimation.

:func:`learn_lexicon` (or :class:`LexiconLearner`) builds a :class:`minent.Lexicon` from raw text in
six stages, every one a streaming pass (or a few) over the text with numba kernels:

1. **n-gram statistics** (:func:`count_ngrams`). Character n-grams up to ``max_len`` inside Han
   spans, each with its exact left and right *branching entropy* (the entropy of the character
   that precedes / follows it; a span edge counts as a distinct neighbour) and the minimum PMI over
   its binary splits. One pass per length; a pass counts only the extensions of n-grams kept by
   the previous one (a-priori), so memory follows the distinct n-grams, not the corpus.
2. **Boundary lexicon** (:func:`boundary_counts`). Branching entropy rises where a word ends
   (Harris; Tanaka-Ishii). For an n-gram w, VBE_r(w) = H_r(w) - H_r(w[:-1]) and
   VBE_l(w) = H_l(w) - H_l(w[1:]); both are standardised over all n-gram types of the same length
   (z-scores, singletons included) and summed into the *autonomy* a(w). Every Han span is cut to
   maximise sum len(w) a(w) (Viterbi); the units it uses form the boundary lexicon. (After
   Magistry & Sagot 2012, "nVBE".) Candidates must be *maximal*: an n-gram always preceded, or
   always followed, by the same character (zero branching entropy on a side) is never free at
   that edge and is left out here and in stage 3 (:func:`not_maximal`).
3. **Minimum-description-length lexicon** (:func:`mdl_counts`). Unigram Viterbi re-estimation
   from every n-gram with count >= ``mdl_min_count`` (method.md §1-3): segment, recount, and
   drop the entries whose removal shortens the two-part code (lexicon bits + corpus bits), the
   worst half of them per round, as SentencePiece's unigram trainer prunes by loss. Measured
   alone it glues collocations into phrases (的发展, 这是), but its two-character entries are
   reliable words that boundary entropy misses (以上, 大会, 个人: compounds of free morphemes).
4. **Union and re-estimation** (:func:`reestimate`). Lexicon = boundary units plus the MDL
   entries of at most ``mdl_keep_len`` characters; a few unigram Viterbi passes give the final
   counts, so the returned lexicon's own minimum-information segmentation (method.md §3) is the
   one that was learned. ``prune=True`` adds a last MDL pruning round: a smaller lexicon and a
   shorter two-part code for a slightly lower F1.
5. **Affix merge** (:func:`affix_counts`). One level of the hierarchy char -> word -> phrase
   (method.md §2), restricted to a two-character word followed by one character: adjacent units
   (u, v) of the stage-4 segmentation whose unit-level PMI ln(n_uv U / (n_u n_v)) is at least
   ``affix_min_pmi`` (5 nats; count >= 3) become entries, and stage 4 runs again. This recovers
   word + bound suffix (北京市, 积极性, 消费者, 现代化, 联合国), which stage 2 cuts because the
   stem is itself a free word (its right branching entropy is already high). Merging every kind of
   adjacent pair instead glues phrases (发展的, 两岸关系) and lowers F1; see discovery_notes.md.
6. **Cohesion floor** (:func:`cohesion_prune`). Stage 3 keeps an entry whenever its uses x its
   per-use saving (nats) exceed the cost of spelling it once, so a frequent pair of free words
   that saves little per use survives (新的, 中的, 他的: 1-2 nats; the gold standards split them).
   Entries whose per-use saving ln p(w) - ln p(best split into other entries) is under
   ``min_gain`` (3.5 nats) are dropped and stage 4 runs again: the same quantity as the PMI
   threshold of the four steps, measured between the learned units instead of characters.

All logs are natural (nats) unless a name says bits. Presets (:data:`PRESETS`) fix every
parameter; ``news`` is the default and the one measured in ``bench/bench_discovery.py``. The
``news`` preset turns on the middle-dot rules of :mod:`minent.pretokenize` (``rules=2``).

:func:`description_length` gives the two-part code of a corpus under a lexicon (method.md §1:
in-sample L alone rewards ever larger lexicons), :func:`heldout_information` the code length
of text held out from learning.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, fields
from typing import Callable

import numpy as np
from numba import njit

from .counting import iter_text_blocks
from .entropy import pack_tokens
from .errors import MinentError
from .hashtable import SeqCounter, fold, mix64, seq_find, seq_hash, _FNV_OFFSET
from .lexicon import Lexicon
from .pretokenize import HAN, MAX_CODE, RULES_DOT, SPACE, class_table, from_codes, scan_spans, to_codes

Progress = Callable[[str, int], None]


def _han_blocks(texts, rules: bool):
    """``(codes, spans)`` of each text block (streaming; nothing is kept)."""
    table = class_table()
    for block in iter_text_blocks(texts):
        cps = to_codes(block)
        yield cps, scan_spans(cps, table, rules)


# ============================================================================ 1. n-gram statistics

@njit(cache=True)
def ngram_block(cps, spans, n, slots, hashes, starts, arena):
    """The n-grams of the Han spans of ``cps`` that extend an n-gram of the table.

    The table (``slots, hashes, starts, arena`` of a :class:`SeqCounter`) holds the kept
    (n-1)-grams; an n-gram is emitted when its (n-1)-prefix or (n-1)-suffix is in it (every
    character for ``n == 1``). Returns ``(codes, bounds, n_orphans)``: n-gram i is
    ``codes[bounds[i]:bounds[i+1]]``; ``n_orphans`` counts the windows with neither sub-gram in
    the table (each is an n-gram seen once when the table keeps every repeated (n-1)-gram).
    """
    total = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] == HAN:
            k = spans[s, 1] - spans[s, 0] - n + 1
            if k > 0:
                total += k
    codes = np.empty(total * n, np.int32)
    bounds = np.empty(total + 1, np.int64)
    bounds[0] = 0
    m = 0
    used = 0
    orphans = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] != HAN:
            continue
        a, b = spans[s, 0], spans[s, 1]
        for i in range(a, b - n + 1):
            if n > 1:
                p = seq_find(slots, hashes, starts, arena, cps, i, i + n - 1,
                             seq_hash(cps, i, i + n - 1))
                q = seq_find(slots, hashes, starts, arena, cps, i + 1, i + n,
                             seq_hash(cps, i + 1, i + n))
                if p < 0 and q < 0:
                    orphans += 1
                    continue
            for j in range(i, i + n):
                codes[used] = cps[j]
                used += 1
            m += 1
            bounds[m] = used
    return codes[:used], bounds[: m + 1], orphans


@njit(cache=True)
def extension_sums(arena, starts, counts, slots, hashes, fstarts, farena, ext):
    """Credit every n-gram ``xc`` (``cx``) of a pass to its prefix (suffix) x in the kept table.

    ``ext`` has shape (4, capacity), indexed by the kept table's ids: rows right_n, left_n (how
    often x is followed / preceded by a Han character), right_clogc, left_clogc (sum of
    n ln n over the distinct neighbours). Returns the prefix and suffix ids (-1 when not kept).
    """
    n = starts.shape[0] - 1
    pre = np.empty(n, np.int64)
    suf = np.empty(n, np.int64)
    for e in range(n):
        a, b = starts[e], starts[e + 1]
        c = counts[e]
        clogc = c * np.log(c)
        p = seq_find(slots, hashes, fstarts, farena, arena, a, b - 1, seq_hash(arena, a, b - 1))
        q = seq_find(slots, hashes, fstarts, farena, arena, a + 1, b, seq_hash(arena, a + 1, b))
        if p >= 0:
            ext[0, p] += c
            ext[2, p] += clogc
        if q >= 0:
            ext[1, q] += c
            ext[3, q] += clogc
        pre[e] = p
        suf[e] = q
    return pre, suf


def _entropy(counts, clogc):
    """Branching entropy ln n - sum n_c ln n_c / n (nats); occurrences with no Han neighbour (a
    span edge) count as distinct one-off neighbours and so add nothing to ``clogc``."""
    c = np.asarray(counts, dtype=np.float64)
    return np.log(c) - clogc / c


class NGramStats:
    """Character n-grams of the Han spans of a corpus, with counts and branching statistics.

    Built by :func:`count_ngrams`. Entry ids are positions in the arrays.

    Attributes
    ----------
    table : SeqCounter — every character, and the n-grams (2 <= n <= ``max_n``) seen at least
        ``min_count`` times
    counts, lengths : int64 arrays (occurrences; characters)
    h_left, h_right : float arrays — branching entropies (nats), exact (every neighbour counted)
    prefix, suffix : int64 arrays — ids of w[:-1] and w[1:] (-1 for characters)
    vbe_moments : float array (max_n + 1, 5) — per length n: number of n-gram types (all of them,
        also those below ``min_count``), sum and sum of squares of VBE_l, then of VBE_r
    n_chars : int — Han characters (the N of every probability p = count / N)
    """

    def __init__(self, table, n_chars, max_n, min_count, ext, prefix, suffix, moments):
        self.table = table
        _, starts, counts = table.entries()
        self.counts = counts.copy()
        self.lengths = np.diff(starts)
        self.n_chars = int(n_chars)
        self.max_n = max_n
        self.min_count = min_count
        self.h_right = _entropy(self.counts, ext[2])
        self.h_left = _entropy(self.counts, ext[3])
        self.prefix, self.suffix = prefix, suffix
        self.vbe_moments = moments

    def __len__(self) -> int:
        return len(self.counts)

    @property
    def starts(self) -> np.ndarray:
        return self.table.starts[: len(self) + 1]

    @property
    def arena(self) -> np.ndarray:
        return self.table.arena

    def word(self, i: int) -> str:
        return from_codes(self.table.sequence(i))

    def id(self, word: str) -> int:
        """Id of ``word``, -1 when it is not in the table."""
        codes = to_codes(word)
        return int(self.table.ids(codes, np.array([0, len(codes)]))[0])

    def char_ids(self) -> np.ndarray:
        """Entry id of every code point that is a counted character (-1 elsewhere)."""
        out = np.full(MAX_CODE, -1, np.int64)
        one = np.nonzero(self.lengths == 1)[0]
        out[self.arena[self.starts[one]]] = one
        return out

    def spelling_nats(self) -> np.ndarray:
        """Sum over each entry's characters of -ln p(c): its spelling under the character model."""
        codes = self.arena[: self.starts[-1]]
        owner = np.repeat(np.arange(len(self)), self.lengths)
        out = np.zeros(len(self))
        np.add.at(out, owner, -self.char_logp()[self.char_ids()[codes]])
        return out

    def char_logp(self) -> np.ndarray:
        """ln p(c) of each character entry (p = count / n_chars); 0 for longer entries."""
        out = np.zeros(len(self))
        one = self.lengths == 1
        out[one] = np.log(self.counts[one] / self.n_chars)
        return out

    @property
    def nbytes(self) -> int:
        return self.table.nbytes + 8 * 7 * len(self)


@njit(cache=True, inline="always")
def _h(count, clogc):
    return np.log(count) - clogc / count


@njit(cache=True)
def orphan_moments(counts, pre, suf, kept_counts, ext, min_count, out):
    """Add the VBE of the n-grams of a pass that will not be kept (count < ``min_count``) to the
    moments ``out`` = [types, sum VBE_l, sum VBE_l^2, sum VBE_r, sum VBE_r^2].

    Such an n-gram is taken to have zero branching entropy on both sides, which is exact for a
    single occurrence; a missing sub-gram (itself seen once) has zero entropy too.
    """
    for e in range(counts.shape[0]):
        if counts[e] >= min_count:
            continue
        hr = 0.0
        hl = 0.0
        if pre[e] >= 0:
            hr = _h(kept_counts[pre[e]], ext[2, pre[e]])
        if suf[e] >= 0:
            hl = _h(kept_counts[suf[e]], ext[3, suf[e]])
        out[0] += 1
        out[1] -= hl
        out[2] += hl * hl
        out[3] -= hr
        out[4] += hr * hr


def _add_selected(table: SeqCounter, idx: np.ndarray, into: SeqCounter) -> None:
    """Add entries ``idx`` of ``table`` (with their counts) to ``into``."""
    if len(idx) == 0:
        return
    arena, starts, counts = table.entries()
    lens = starts[idx + 1] - starts[idx]
    bounds = np.zeros(len(idx) + 1, np.int64)
    bounds[1:] = np.cumsum(lens)
    sel = np.repeat(starts[idx] - bounds[:-1], lens) + np.arange(bounds[-1])
    into.add(arena[sel], bounds, counts[idx])


def count_ngrams(texts, max_n: int = 4, min_count: int = 2, rules: bool = True,
                 progress: Progress | None = None) -> NGramStats:
    """Count the character n-grams (1 <= n <= ``max_n``) of the Han spans of ``texts``.

    Pass n + 1 (n = 0..max_n) counts every (n+1)-gram that extends a kept n-gram on either side,
    credits it to the branching sums of those n-grams, and keeps it when both its sub-grams are
    kept and it occurs ``min_count`` times or more (every character is kept). VBE moments cover
    every n-gram type; they are exact for ``min_count <= 2`` (see :func:`orphan_moments`).

    Memory: the kept n-grams plus the extensions of one length — never the corpus.
    ``texts`` is read ``max_n + 1`` times.
    """
    if max_n < 1:
        raise MinentError("max_n must be >= 1")
    kept = SeqCounter(1 << 16, 1 << 18)
    ext = np.zeros((4, 1 << 16))
    prefix = np.full(1 << 16, -1, np.int64)
    suffix = np.full(1 << 16, -1, np.int64)
    moments = np.zeros((max_n + 2, 5))
    n_chars = 0
    for n in range(1, max_n + 2):
        cur = SeqCounter(1 << 16, 1 << 18)
        orphans = 0
        for cps, sp in _han_blocks(texts, rules):
            codes, bounds, o = ngram_block(cps, sp, n, kept.slots, kept.hashes, kept.starts,
                                           kept.arena)
            cur.add(codes, bounds)
            orphans += o
            if n == 1:
                n_chars += len(codes)
        if progress:
            progress("ngrams", n)
        arena, starts, counts = cur.entries()
        if n == 1:
            keep = np.arange(len(counts))
            pre = suf = np.full(len(counts), -1, np.int64)
        else:
            pre, suf = extension_sums(arena, starts, counts, kept.slots, kept.hashes, kept.starts,
                                      kept.arena, ext)
            if n <= max_n:
                orphan_moments(counts, pre, suf, kept.counts, ext, min_count, moments[n])
                moments[n, 0] += orphans
                keep = np.nonzero((pre >= 0) & (suf >= 0) & (counts >= min_count))[0]
            else:
                keep = np.zeros(0, np.int64)
        first = len(kept)
        _add_selected(cur, keep, kept)
        need = len(kept)
        if ext.shape[1] < need:
            grow = max(need, 2 * ext.shape[1])
            ext = np.concatenate([ext, np.zeros((4, grow - ext.shape[1]))], axis=1)
            prefix = np.concatenate([prefix, np.full(grow - prefix.shape[0], -1, np.int64)])
            suffix = np.concatenate([suffix, np.full(grow - suffix.shape[0], -1, np.int64)])
        prefix[first:need] = pre[keep]
        suffix[first:need] = suf[keep]
        if len(keep) == 0 and n > 1:
            break
    m = len(kept)
    stats = NGramStats(kept, n_chars, max_n, min_count, ext[:, :m], prefix[:m], suffix[:m], moments)
    vl, vr = _vbe(stats)
    for n in range(1, max_n + 1):  # the kept n-grams' own VBE (their entropies are final now)
        sel = stats.lengths == n
        moments[n] += [sel.sum(), vl[sel].sum(), (vl[sel] ** 2).sum(), vr[sel].sum(), (vr[sel] ** 2).sum()]
    return stats


# ============================================================================ n-gram scores

def _vbe(stats: NGramStats) -> tuple[np.ndarray, np.ndarray]:
    """Variation of branching entropy (nats) on the left and on the right of every entry.

    For a character the reference is the empty string, whose branching entropy is the entropy
    of the character distribution.
    """
    c = stats.counts.astype(np.float64)
    one = stats.lengths == 1
    p = c[one] / c[one].sum()
    h0 = float(-(p * np.log(p)).sum())
    pre, suf = np.maximum(stats.prefix, 0), np.maximum(stats.suffix, 0)
    vl = np.where(one, stats.h_left - h0, stats.h_left - stats.h_left[suf])
    vr = np.where(one, stats.h_right - h0, stats.h_right - stats.h_right[pre])
    return vl, vr


def autonomy(stats: NGramStats) -> np.ndarray:
    """a(w) = z(VBE_l(w)) + z(VBE_r(w)), each standardised over all n-gram types of len(w).

    High when branching entropy jumps at both edges of w: w is a free unit. Dimensionless.
    """
    vl, vr = _vbe(stats)
    out = np.zeros(len(stats))
    for n in range(1, stats.max_n + 1):
        k, sl, ssl, sr, ssr = stats.vbe_moments[n]
        sel = stats.lengths == n
        if k < 2 or not sel.any():
            continue
        for v, s, ss in ((vl, sl, ssl), (vr, sr, ssr)):
            mu = s / k
            sd = math.sqrt(max(ss / k - mu * mu, 1e-12))
            out[sel] += (v[sel] - mu) / sd
    return out


@njit(cache=True)
def min_split_pmi(slots, hashes, starts, arena, counts, n_chars):
    """Smallest PMI over the binary splits w = u|v of every entry, in nats.

    PMI(u, v) = ln(c_w N / (c_u c_v)), N = ``n_chars`` (every n-gram probability relative to
    the number of characters, as in n-gram word discovery). NaN for single characters; -inf when
    a part is not in the table.
    """
    n = starts.shape[0] - 1
    out = np.full(n, np.nan)
    log_n = np.log(n_chars)
    for e in range(n):
        a, b = starts[e], starts[e + 1]
        if b - a < 2:
            continue
        lw = np.log(counts[e]) + log_n
        best = np.inf
        for k in range(a + 1, b):
            u = seq_find(slots, hashes, starts, arena, arena, a, k, seq_hash(arena, a, k))
            v = seq_find(slots, hashes, starts, arena, arena, k, b, seq_hash(arena, k, b))
            if u < 0 or v < 0:
                best = -np.inf
                break
            best = min(best, lw - np.log(counts[u]) - np.log(counts[v]))
        out[e] = best
    return out


# ============================================================================ unigram Viterbi kernels

@njit(cache=True)
def viterbi_count(cps, spans, slots, hashes, starts, arena, logp, max_len, unk_logp, counts):
    """Best segmentation of every Han span maximising the sum of ``logp`` of its words.

    ``logp[id]`` scores table entry ``id`` (-inf: not a word); a single character that is not a
    word scores ``unk_logp``. Adds 1 to ``counts[id]`` per word used. Ties go to the path found
    first (left to right, shorter words first), as in :mod:`minent.segment`. Returns
    ``(total score, words, unknown characters)``.
    """
    longest = 1
    for s in range(spans.shape[0]):
        if spans[s, 2] == HAN:
            longest = max(longest, spans[s, 1] - spans[s, 0])
    best = np.empty(longest + 1, np.float64)
    back = np.empty(longest + 1, np.int64)
    bid = np.empty(longest + 1, np.int64)
    total = 0.0
    n_tok = 0
    n_unk = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] != HAN:
            continue
        lo, hi = spans[s, 0], spans[s, 1]
        n = hi - lo
        best[0] = 0.0
        for i in range(1, n + 1):
            best[i] = -np.inf
        for i in range(n):
            base = best[i]
            h = _FNV_OFFSET
            for k in range(1, min(max_len, n - i) + 1):
                h = fold(h, cps[lo + i + k - 1])
                e = seq_find(slots, hashes, starts, arena, cps, lo + i, lo + i + k, mix64(h))
                if e >= 0 and logp[e] > -np.inf:
                    score = base + logp[e]
                elif k == 1:
                    e = -1
                    score = base + unk_logp
                else:
                    continue
                if score > best[i + k]:
                    best[i + k] = score
                    back[i + k] = i
                    bid[i + k] = e
        total += best[n]
        j = n
        while j > 0:
            e = bid[j]
            if e >= 0:
                counts[e] += 1
            else:
                n_unk += 1
            n_tok += 1
            j = back[j]
    return total, n_tok, n_unk


@njit(cache=True)
def best_split_without_self(slots, hashes, starts, arena, logp, max_len, unk_logp):
    """For every entry w of two or more codes, the best score (sum of ``logp``) of w cut into
    two or more other words; NaN for single codes. Same scoring rules as :func:`viterbi_count`."""
    n_ent = starts.shape[0] - 1
    out = np.full(n_ent, np.nan)
    best = np.empty(65, np.float64)
    for w in range(n_ent):
        lo, hi = starts[w], starts[w + 1]
        n = hi - lo
        if n < 2 or n > 64:
            continue
        best[0] = 0.0
        for i in range(1, n + 1):
            best[i] = -np.inf
        for i in range(n):
            base = best[i]
            if base == -np.inf:
                continue
            h = _FNV_OFFSET
            for k in range(1, min(max_len, n - i) + 1):
                if k == n:
                    break
                h = fold(h, arena[lo + i + k - 1])
                e = seq_find(slots, hashes, starts, arena, arena, lo + i, lo + i + k, mix64(h))
                if e >= 0 and logp[e] > -np.inf:
                    score = base + logp[e]
                elif k == 1:
                    score = base + unk_logp
                else:
                    continue
                if score > best[i + k]:
                    best[i + k] = score
        out[w] = best[n]
    return out


def _segment_pass(texts, stats: NGramStats, score: np.ndarray, unk: float, rules: bool):
    """One streaming Viterbi pass; returns ``(counts per entry, total score, tokens)``."""
    t = stats.table
    counts = np.zeros(len(stats), np.int64)
    total, tokens = 0.0, 0
    for cps, sp in _han_blocks(texts, rules):
        s, n, _ = viterbi_count(cps, sp, t.slots, t.hashes, stats.starts, t.arena, score,
                                stats.max_n, unk, counts)
        total += s
        tokens += n
    return counts, total, tokens


def _logp(counts: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(counts > 0, np.log(np.maximum(counts, 1) / max(counts.sum(), 1)), -np.inf)


# ============================================================================ code lengths

def elias_gamma_bits(n: np.ndarray) -> np.ndarray:
    """Bits of the Elias gamma code of positive integers: 2 floor(log2 n) + 1."""
    n = np.maximum(np.asarray(n, dtype=np.float64), 1)
    return 2 * np.floor(np.log2(n)) + 1


def entry_bits(char_bits: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Bits to write a lexicon entry: its length (Elias gamma), its characters under the
    character unigram model (``char_bits`` summed per entry) and its count (Elias gamma)."""
    return elias_gamma_bits(lengths) + char_bits + elias_gamma_bits(counts)


# ============================================================================ 2-4. learning stages

def not_maximal(stats: NGramStats) -> np.ndarray:
    """Entries of two or more characters always preceded, or always followed, by the same
    character (zero branching entropy on a side): never free at that edge, so not words — a
    longer string has the same count. Mostly fragments of units longer than ``max_n``
    (高举邓小 of 高举邓小平, 塔尼亚胡 of 内塔尼亚胡)."""
    return (stats.lengths > 1) & ((stats.h_left < 1e-9) | (stats.h_right < 1e-9))


def boundary_counts(texts, stats: NGramStats, rules: bool = True, maximal: bool = False) -> np.ndarray:
    """Stage 2: word counts of the segmentation maximising sum len(w) a(w) (see module doc);
    with ``maximal``, entries flagged by :func:`not_maximal` are not candidates."""
    a = autonomy(stats)
    score = np.where(np.isfinite(a), a * stats.lengths, -np.inf)
    if maximal:
        score[not_maximal(stats)] = -np.inf
    counts, _, _ = _segment_pass(texts, stats, score, -1e9, rules)
    return counts


def mdl_counts(texts, stats: NGramStats, min_count: int = 3, weight: float = 1.0, rounds: int = 12,
               prune_fraction: float = 0.5, rules: bool = True, alive: np.ndarray | None = None,
               init: np.ndarray | None = None, prunable_len: int = 2,
               progress: Progress | None = None) -> np.ndarray:
    """Stage 3: unigram Viterbi re-estimation with description-length pruning.

    Starts from every entry with count >= ``min_count`` (or the mask ``alive``, with initial
    counts ``init``; default the n-gram counts). Each round segments the text (one pass), sets
    p(w) = uses / all uses, and computes for every multi-character entry of at least
    ``prunable_len`` characters the change in the two-part code if it were removed:
    corpus nats lost = uses(w) (ln p(w) - best ln p of w split into other entries), lexicon nats
    saved = ``weight`` x :func:`entry_bits` x ln 2. Among entries that do not pay for themselves,
    the ``prune_fraction`` worst are removed (ties by id). Stops after ``rounds`` rounds or when
    every entry pays. Returns the counts of a last segmentation pass.
    """
    L = stats.lengths
    t = stats.table
    spell_bits = stats.spelling_nats() / math.log(2)
    if alive is None:
        alive = (L == 1) | (stats.counts >= min_count)
    alive = alive.copy()
    init = stats.counts if init is None else init
    logp = _logp(np.where(alive, init, 0))
    unk = math.log(0.5 / stats.n_chars)
    prunable = L >= prunable_len
    counts = np.zeros(len(stats), np.int64)
    for r in range(rounds):
        counts, _, _ = _segment_pass(texts, stats, logp, unk, rules)
        alive &= (counts > 0) | (L == 1)
        logp = _logp(np.where(alive, counts, 0))
        if progress:
            progress("mdl", r + 1)
        alt = best_split_without_self(t.slots, t.hashes, stats.starts, t.arena, logp, stats.max_n, unk)
        cost = weight * math.log(2) * entry_bits(spell_bits, L, np.maximum(counts, 1))
        with np.errstate(invalid="ignore"):
            gain = counts * (logp - alt) - cost
        bad = np.nonzero(alive & prunable & (L > 1) & (gain < 0))[0]
        if len(bad) == 0:
            break
        worst = bad[np.argsort(gain[bad], kind="stable")][: max(1, int(prune_fraction * len(bad)))]
        alive[worst] = False
        logp[worst] = -np.inf
    counts, _, _ = _segment_pass(texts, stats, logp, unk, rules)
    return counts


def reestimate(texts, stats: NGramStats, counts: np.ndarray, passes: int = 2,
               rules: bool = True) -> np.ndarray:
    """Stage 4: ``passes`` rounds of unigram Viterbi re-estimation over the entries with counts."""
    unk = math.log(0.5 / stats.n_chars)
    for _ in range(passes):
        counts, _, _ = _segment_pass(texts, stats, _logp(counts), unk, rules)
    return counts


@njit(cache=True)
def unit_pair_counts(cps, cls, tok_s, tok_e, slots, hashes, starts, arena, max_len, out):
    """Count adjacent Han units (u, v) of a segmentation whose concatenation uv is a table entry
    of at most ``max_len`` characters: ``out[len(u) - 1, id(uv)] += 1``. Units touch (no space
    or other span between them) and are both made of Han characters."""
    for t in range(tok_s.shape[0] - 1):
        a, m, b = tok_s[t], tok_e[t], tok_e[t + 1]
        if tok_s[t + 1] != m or b - a > max_len:
            continue
        han = True
        for j in range(a, b):
            if cls[cps[j]] != 2:  # HAN_C
                han = False
                break
        if not han:
            continue
        e = seq_find(slots, hashes, starts, arena, cps, a, b, seq_hash(cps, a, b))
        if e >= 0:
            out[m - a - 1, e] += 1


def affix_counts(texts, stats: NGramStats, counts: np.ndarray, min_pmi: float, min_count: int = 3,
                 rules=True, prefixes: bool = False) -> np.ndarray:
    """Stage 5, one level of the hierarchy char -> word -> phrase (method.md §2), restricted to
    a word and one character: segment with ``counts`` (one pass) and count adjacent units
    u v with len(u) = 2 and len(v) = 1 (with ``prefixes`` also 1 + 2). A pair seen at least
    ``min_count`` times whose unit-level PMI ln(n_uv U / (n_u n_v)) (U = Han units of the
    segmentation) is >= ``min_pmi`` nats becomes an entry with count n_uv: words with a bound
    affix (北京市, 积极性, 消费者, 现代化), which branching entropy cuts because the stem is
    itself free. Returns the counts of the new entries (zero elsewhere)."""
    lex = _make_lexicon_fast(stats, counts, rules)
    seg = lex.segmenter
    t = stats.table
    cls = class_table()
    pairs = np.zeros((2, len(stats)), np.int64)
    for block in iter_text_blocks(texts):
        cps, s, e = seg.token_bounds(block)
        unit_pair_counts(cps, cls, s, e, t.slots, t.hashes, stats.starts, t.arena, 3, pairs)
    three = np.nonzero(stats.lengths == 3)[0]
    pre, suf = stats.prefix, stats.suffix
    units = float(counts[stats.lengths >= 1].sum())
    out = np.zeros(len(stats), np.int64)
    shapes = [(1, pre[three], suf[suf[three]])]  # 2 + 1: u = w[:2], v = w[2]
    if prefixes:
        shapes.append((0, pre[pre[three]], suf[three]))  # 1 + 2
    for row, u, v in shapes:
        n = pairs[row, three]
        ok = (n >= min_count) & (u >= 0) & (v >= 0) & (counts[three] == 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log(n * units / (counts[np.maximum(u, 0)].astype(np.float64)
                                      * counts[np.maximum(v, 0)]))
        ok &= pmi >= min_pmi
        out[three[ok]] = np.maximum(out[three[ok]], n[ok])
    return out


def cohesion_prune(texts, stats: NGramStats, counts: np.ndarray, min_gain: float, passes: int = 2,
                   rules=True, rounds: int = 1) -> np.ndarray:
    """Stage 6: drop the multi-character entries that save less than ``min_gain`` nats per use.

    For an entry w with probability p(w) (from ``counts``), its per-use gain is
    ln p(w) - ln p(best split of w into two or more other entries) — the ``sub_pmi`` score
    column, the number of nats one occurrence saves by being coded as one unit rather than as
    its parts. The description-length test of stage 3 keeps w whenever uses x gain exceeds the
    cost of spelling w once, so a frequent pair of free words with a small gain per use (新的,
    中的, 他的, 这一: about 1-2 nats) pays for itself many times over; a floor on the gain per
    use removes these phrases and keeps words, whose parts rarely occur apart (经济 13 nats).
    Each round recomputes the gains from the current counts, drops the entries under the floor,
    and runs ``passes`` Viterbi re-estimation passes. Returns the new counts."""
    t = stats.table
    L = stats.lengths
    for _ in range(rounds):
        logp = _logp(counts)
        alt = best_split_without_self(t.slots, t.hashes, stats.starts, t.arena, logp, stats.max_n,
                                      math.log(0.5 / max(int(counts.sum()), 1)))
        with np.errstate(invalid="ignore"):
            drop = (counts > 0) & (L >= 2) & (logp - alt < min_gain)
        if not drop.any():
            break
        counts = reestimate(texts, stats, np.where(drop, 0, counts), passes, rules)
    return counts


def _make_lexicon_fast(stats: NGramStats, counts: np.ndarray, rules) -> Lexicon:
    """A plain :class:`Lexicon` of the entries with counts (no score columns): for segmenting."""
    ids = np.nonzero(counts > 0)[0]
    return Lexicon([stats.word(i) for i in ids.tolist()], counts[ids], int(counts.sum()), None,
                   math.log(0.5 / stats.n_chars), rules)


# ============================================================================ public API

@dataclass
class DiscoveryParams:
    """Parameters of :class:`LexiconLearner` (defaults = the ``news`` preset).

    max_len : int, default 4
        Longest word in characters (n-grams are counted up to this length, plus one for entropies).
    min_count : int, default 2
        An n-gram is kept in the statistics (and can become a word) from this many occurrences.
        2 keeps the autonomy standardisation exact (see :func:`count_ngrams`).
    boundary : bool, default True
        Use the boundary lexicon (stage 2).
    mdl : bool, default True
        Use the minimum-description-length lexicon (stage 3).
    mdl_min_count : int, default 3
        Candidates of stage 3: n-grams seen at least this often.
    mdl_min_pmi : float or None, default None
        If set, stage-3 candidates must also have a minimum PMI over their binary splits
        (:func:`min_split_pmi`, nats) of at least this (the n-gram PMI filter of word-discovery).
    mdl_weight : float, default 1.0
        Weight of the lexicon bits in the stage-3 pruning test (1 = plain two-part code).
    mdl_rounds : int, default 12
        Most segment-recount-prune rounds of stage 3 (one pass over the text each).
    mdl_keep_len : int, default 2
        Stage-3 entries of at most this many characters join the lexicon; 0 keeps them all.
    reestimate_passes : int, default 2
        Unigram Viterbi passes of stage 4.
    affix_min_pmi : float or None, default 5.0
        Stage 5 (:func:`affix_counts`): adjacent units word (2 characters) + character of the
        stage-4 segmentation whose unit-level PMI is at least this (nats) become 3-character
        entries, then ``reestimate_passes`` more passes. None turns the stage off.
    affix_min_count : int, default 3
        Stage 5: the pair must occur at least this often.
    affix_prefixes : bool, default False
        Stage 5 also merges character + word (1 + 2); measured to lower F1 (prefixes such as
        副, 第, 各 are separate words in the PKU standard).
    min_gain : float or None, default 3.5
        Stage 6 (:func:`cohesion_prune`): multi-character entries that save less than this many
        nats per use over their best split into other entries are dropped, then
        ``reestimate_passes`` more passes. None turns the stage off.
    min_gain_rounds : int, default 1
        Stage 6 rounds (gains recomputed from the re-estimated counts each round).
    long_min_pmi : float or None, default None
        If set, stage-3 entries longer than ``mdl_keep_len`` also join the lexicon when their
        minimum split PMI is >= this (nats) and both branching entropies >= ``long_min_entropy``;
        measured to lower F1 (they displace two-character words), so off.
    long_min_entropy : float, default 1.5
        See ``long_min_pmi``.
    prune : bool, default False
        After stage 4, one more description-length pruning of the whole lexicon (all lengths).
    maximal : bool, default True
        Candidates of stages 2 and 3 must be free on both sides: an n-gram always preceded, or
        always followed, by the same character is left out (:func:`not_maximal`).
    rules : bool or int, default 2
        Number / letter / date / punctuation rules of :mod:`minent.pretokenize`: 0 / False off,
        1 / True the default rules of :func:`minent.build_lexicon`, 2 (``RULES_DOT``) those plus
        the middle-dot rules (numbers and transliterated names joined across ``·``).
    """
    max_len: int = 4
    min_count: int = 2
    boundary: bool = True
    mdl: bool = True
    mdl_min_count: int = 3
    mdl_min_pmi: float | None = None
    mdl_weight: float = 1.0
    mdl_rounds: int = 12
    mdl_keep_len: int = 2
    affix_min_pmi: float | None = 5.0
    affix_min_count: int = 3
    affix_prefixes: bool = False
    min_gain: float | None = 3.5
    min_gain_rounds: int = 1
    long_min_pmi: float | None = None
    long_min_entropy: float = 1.5
    reestimate_passes: int = 2
    prune: bool = False
    maximal: bool = True
    rules: bool | int = RULES_DOT

    def validate(self) -> None:
        if not 1 <= self.max_len <= 16:
            raise MinentError("max_len must be between 1 and 16")
        if self.min_count < 1 or self.mdl_min_count < 1:
            raise MinentError("min_count and mdl_min_count must be >= 1")
        if not (self.boundary or self.mdl):
            raise MinentError("at least one of boundary / mdl must be on")
        if self.min_gain_rounds < 1:
            raise MinentError("min_gain_rounds must be >= 1")
        if self.affix_min_count < 1:
            raise MinentError("affix_min_count must be >= 1")
        if self.rules not in (0, 1, 2):
            raise MinentError("rules must be 0 / False, 1 / True or 2")
        if self.mdl_weight < 0 or self.mdl_rounds < 0 or self.reestimate_passes < 0:
            raise MinentError("mdl_weight, mdl_rounds and reestimate_passes must be >= 0")


#: Named parameter sets. ``news``: the measured default (bench/bench_discovery.py); ``compact``:
#: the same plus a last pruning round — about a third fewer entries and a shorter two-part code,
#: for about 0.3 point of F1.
PRESETS: dict[str, dict] = {
    "news": {},
    "compact": {"prune": True},
}


def preset_params(preset: str = "news", **overrides) -> DiscoveryParams:
    """The :class:`DiscoveryParams` of ``preset`` with ``overrides`` applied."""
    if preset not in PRESETS:
        raise MinentError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})")
    names = {f.name for f in fields(DiscoveryParams)}
    bad = set(overrides) - names
    if bad:
        raise MinentError(f"unknown parameter(s): {', '.join(sorted(bad))}")
    params = DiscoveryParams(**{**PRESETS[preset], **overrides})
    params.validate()
    return params


class LexiconLearner:
    """Learn a :class:`minent.Lexicon` from raw text (see the module doc for the stages).

    Parameters are those of :class:`DiscoveryParams`, given as a preset name and overrides;
    the constructor only stores them. ``fit`` learns; learned state ends in ``_``:

    lexicon_ : Lexicon — the result (the same type :func:`minent.build_lexicon` returns)
    stats_ : NGramStats — the n-gram statistics of stage 1
    stage_counts_ : dict of int arrays — per n-gram id, uses in the segmentation of each stage
        (``boundary``, ``mdl``, ``final``), for inspection
    report_ : dict — sizes and timings (also in ``lexicon_.report``)
    """

    def __init__(self, preset: str = "news", **params):
        self.preset = preset
        self.params = dict(params)

    def fit(self, texts, progress: Progress | None = None) -> "LexiconLearner":
        """Learn from ``texts`` (a :class:`minent.Corpus`, a str, or a list of lines; read
        several times, so not a one-shot iterator)."""
        p = preset_params(self.preset, **self.params)
        if not isinstance(texts, (str, list, tuple)) and iter(texts) is texts:
            raise MinentError("learn_lexicon needs a re-iterable input (list, Corpus), not an iterator")
        timings = {}
        t0 = time.perf_counter()
        stats = count_ngrams(texts, p.max_len, p.min_count, p.rules, progress)
        timings["ngrams"] = time.perf_counter() - t0
        if stats.n_chars == 0:
            raise MinentError("no Chinese text in the input")
        L = stats.lengths
        stage = {}
        union = np.zeros(len(stats), np.int64)
        if p.boundary:
            t0 = time.perf_counter()
            stage["boundary"] = boundary_counts(texts, stats, p.rules, p.maximal)
            union += stage["boundary"]
            timings["boundary"] = time.perf_counter() - t0
        if p.mdl:
            t0 = time.perf_counter()
            stage["mdl"] = self._mdl_stage(texts, stats, p, progress)
            keep = (L <= p.mdl_keep_len) if p.mdl_keep_len > 0 else np.ones(len(stats), bool)
            if p.boundary:
                keep &= L > 1  # characters: the boundary stage already has every one it needs
            if p.long_min_pmi is not None:
                keep |= self._long_entries(stats, p)
            union += np.where(keep, stage["mdl"], 0)
            timings["mdl"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        final = reestimate(texts, stats, union, p.reestimate_passes, p.rules)
        if p.affix_min_pmi is not None:
            stage["affix"] = affix_counts(texts, stats, final, p.affix_min_pmi, p.affix_min_count,
                                          p.rules, p.affix_prefixes)
            final = reestimate(texts, stats, final + stage["affix"], p.reestimate_passes, p.rules)
        if p.min_gain is not None:
            final = cohesion_prune(texts, stats, final, p.min_gain, p.reestimate_passes, p.rules,
                                   p.min_gain_rounds)
        if p.prune:
            final = mdl_counts(texts, stats, weight=p.mdl_weight, rounds=p.mdl_rounds, rules=p.rules,
                               alive=final > 0, init=final, prunable_len=2)
        stage["final"] = final
        timings["reestimate"] = time.perf_counter() - t0
        self.stats_ = stats
        self.stage_counts_ = stage
        self.lexicon_ = _make_lexicon(stats, final, p.rules)
        self.report_ = self._report(p, stats, stage, timings)
        self.lexicon_.report = self.report_
        return self

    @staticmethod
    def _long_entries(stats: NGramStats, p: DiscoveryParams) -> np.ndarray:
        """MDL entries longer than ``mdl_keep_len`` admitted on higher-order evidence: minimum
        PMI over every binary split >= ``long_min_pmi`` and branching entropy on both sides
        >= ``long_min_entropy``."""
        t = stats.table
        pmi = min_split_pmi(t.slots, t.hashes, stats.starts, t.arena, stats.counts, stats.n_chars)
        with np.errstate(invalid="ignore"):
            return ((stats.lengths > max(p.mdl_keep_len, 1)) & (pmi >= p.long_min_pmi)
                    & (np.minimum(stats.h_left, stats.h_right) >= p.long_min_entropy))

    @staticmethod
    def _mdl_stage(texts, stats: NGramStats, p: DiscoveryParams, progress) -> np.ndarray:
        L = stats.lengths
        alive = (L == 1) | (stats.counts >= p.mdl_min_count)
        if p.maximal:
            alive &= ~not_maximal(stats)
        if p.mdl_min_pmi is not None:
            t = stats.table
            pmi = min_split_pmi(t.slots, t.hashes, stats.starts, t.arena, stats.counts, stats.n_chars)
            alive &= (L == 1) | (pmi >= p.mdl_min_pmi)
        return mdl_counts(texts, stats, p.mdl_min_count, p.mdl_weight, p.mdl_rounds, rules=p.rules,
                          alive=alive, progress=progress)

    def _report(self, p: DiscoveryParams, stats: NGramStats, stage: dict, timings: dict) -> dict:
        L = stats.lengths
        return {
            "preset": self.preset,
            "parameters": asdict(p),
            "han_chars": stats.n_chars,
            "ngram_entries": len(stats),
            "ngram_table_mb": round(stats.nbytes / 2**20, 1),
            **{f"{k}_words": int(((v > 0) & (L > 1)).sum()) for k, v in stage.items()},
            "lexicon_size": len(self.lexicon_),
            "multi_char_words": int(((stage["final"] > 0) & (L > 1)).sum()),
            "timings_s": {k: round(v, 3) for k, v in timings.items()},
        }


def _make_lexicon(stats: NGramStats, counts: np.ndarray, rules: bool) -> Lexicon:
    """A :class:`Lexicon` of the entries with counts, with its score columns (nats):
    pair_pmi (weakest adjacent pair, n-gram counts), pmi (ln p(w) - sum ln p(c)), fstar
    (p(w)(pmi - 1)), sub_pmi (ln p(w) minus the best split of w into other entries)."""
    ids = np.nonzero(counts > 0)[0]
    order = np.array(sorted(ids.tolist(), key=lambda i: (-int(counts[i]), stats.word(i))),  # as save()
                     dtype=np.int64)
    total = int(counts.sum())
    c, L = counts[order], stats.lengths[order]
    logp = np.log(c / total)
    multi = L > 1
    pmi = np.where(multi, logp + stats.spelling_nats()[order], np.nan)
    t = stats.table
    pair = np.full(len(order), np.nan)
    pair_pmi = _pair_pmi(stats)
    owner = np.repeat(np.arange(len(order)), np.maximum(L - 1, 0))
    pos = np.concatenate([np.arange(stats.starts[i], stats.starts[i + 1] - 1) for i in order[multi]]) \
        if multi.any() else np.zeros(0, np.int64)
    if len(pos):
        np.fmin.at(pair, owner, pair_pmi[pos])
    alt = best_split_without_self(t.slots, t.hashes, stats.starts, t.arena, _logp(counts),
                                  stats.max_n, math.log(0.5 / total))
    scores = {"pair_pmi": pair, "pmi": pmi, "fstar": c / total * (pmi - 1),
              "sub_pmi": np.where(multi, logp - alt[order], np.nan)}
    return Lexicon([stats.word(i) for i in order], c, total, scores, math.log(0.5 / total), rules)


def _pair_pmi(stats: NGramStats) -> np.ndarray:
    """PMI (nats) of the character pair starting at each arena position (NaN at an entry's last
    character): ln(c_ab N / (c_a c_b)) from the n-gram counts."""
    arena = stats.arena[: stats.starts[-1]].astype(np.int32)
    pairs_codes = np.empty(2 * max(len(arena) - 1, 0), np.int32)
    pairs_codes[0::2], pairs_codes[1::2] = arena[:-1], arena[1:]
    ab = stats.table.ids(pairs_codes, np.arange(0, len(pairs_codes) + 1, 2, dtype=np.int64))
    ch = stats.char_ids()[arena]
    cnt = stats.counts.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(cnt[np.maximum(ab, 0)] * stats.n_chars / (cnt[ch[:-1]] * cnt[ch[1:]]))
    v = np.where(ab >= 0, v, np.nan)
    return np.append(v, np.nan)


def learn_lexicon(texts, preset: str = "news", progress: Progress | None = None, **params) -> Lexicon:
    """Learn a lexicon from raw text: ``LexiconLearner(preset, **params).fit(texts).lexicon_``.

    Parameters
    ----------
    texts : Corpus, str, or list of str
        Raw text, read several times (about ``max_len + mdl_rounds + 4`` streaming passes).
    preset : str, default "news"
        A key of :data:`PRESETS`.
    progress : callable(stage, n), optional
        Called after each pass: ``("ngrams", n)``, ``("mdl", round)``.
    **params
        Overrides of :class:`DiscoveryParams` fields.
    """
    return LexiconLearner(preset, **params).fit(texts, progress).lexicon_


# ============================================================================ evaluation helpers

@dataclass
class CodeLength:
    """Two-part code of a corpus under a lexicon (bits; per character = divided by ``chars``).

    ``corpus_bits``: every unit of the segmentation coded with its in-sample probability
    (= units x H; ``L_corpus`` equals the in-sample L of :func:`minent.information_per_char`).
    ``lexicon_bits``: each distinct unit written once (:func:`entry_bits`: Elias-gamma length,
    characters under the corpus's character unigram model, Elias-gamma count). The character
    model itself (the same for every lexicon of a corpus) is not counted.
    """
    chars: int
    units: int
    distinct_units: int
    corpus_bits: float
    lexicon_bits: float

    @property
    def L_corpus(self) -> float:
        return self.corpus_bits / self.chars

    @property
    def L_lexicon(self) -> float:
        return self.lexicon_bits / self.chars

    @property
    def L_total(self) -> float:
        return (self.corpus_bits + self.lexicon_bits) / self.chars

    def as_dict(self) -> dict:
        return {**asdict(self), "L_corpus": self.L_corpus, "L_lexicon": self.L_lexicon,
                "L_total": self.L_total}


def _unit_counts(texts, segmenter) -> tuple[SeqCounter, np.ndarray]:
    """Counts of the units of ``segmenter``'s segmentation, and of every non-space character."""
    units = SeqCounter(1 << 16, 1 << 18)
    chars = np.zeros(MAX_CODE, np.int64)
    table = class_table()
    for block in iter_text_blocks(texts):
        cps, s, e = segmenter.token_bounds(block)
        codes, bounds = pack_tokens(cps, s, e)
        units.add(codes, bounds)
        keep = cps[table[cps] != SPACE]
        chars += np.bincount(keep, minlength=MAX_CODE)
    return units, chars


def description_length(texts, lexicon: Lexicon) -> CodeLength:
    """Two-part code of ``texts`` segmented by ``lexicon`` (one streaming pass); see CodeLength."""
    units, chars = _unit_counts(texts, lexicon.segmenter)
    arena, starts, counts = units.entries()
    n_chars = int(chars.sum())
    if n_chars == 0:
        raise MinentError("no text")
    c = counts.astype(np.float64)
    corpus_bits = float(-(c * np.log2(c / c.sum())).sum())
    char_bits = -np.log2(np.maximum(chars, 1) / n_chars)
    lengths = np.diff(starts)
    spell = np.zeros(len(counts))
    np.add.at(spell, np.repeat(np.arange(len(counts)), lengths), char_bits[arena])
    lex_bits = float(entry_bits(spell, lengths, counts).sum())
    return CodeLength(n_chars, int(c.sum()), len(counts), corpus_bits, lex_bits)


def heldout_information(train_texts, test_texts, lexicon: Lexicon, alphabet: int = 1 << 16) -> dict:
    """Bits per character of ``test_texts`` under the unigram model of ``lexicon``, learned on
    ``train_texts`` (which ``lexicon`` must come from).

    The model: the units of ``lexicon``'s segmentation of the training text (Han words and the
    rule spans alike), p(u) = c_u / (N + E) with E distinct units (Witten-Bell escape); an unseen
    unit costs the escape, its length (Elias gamma) and its characters under the training
    character model (add-one over ``alphabet`` code points). Held-out text is segmented by the
    same segmenter; each unit is then charged its cost.
    """
    units, chars = _unit_counts(train_texts, lexicon.segmenter)
    arena, starts, counts = units.entries()
    n, e = float(counts.sum()), float(len(counts))
    unit_bits = -np.log2(counts / (n + e))
    esc = -math.log2(e / (n + e))
    char_bits = -np.log2((chars + 1.0) / (chars.sum() + alphabet))
    test_units, test_chars = _unit_counts(test_texts, lexicon.segmenter)
    t_arena, t_starts, t_counts = test_units.entries()
    ids = units.ids(t_arena, t_starts)
    lengths = np.diff(t_starts)
    spell = np.zeros(len(t_counts))
    np.add.at(spell, np.repeat(np.arange(len(t_counts)), lengths), char_bits[t_arena])
    unseen = esc + elias_gamma_bits(lengths) + spell
    bits = np.where(ids >= 0, unit_bits[np.maximum(ids, 0)], unseen)
    total = float((bits * t_counts).sum())
    n_chars = int(test_chars.sum())
    return {"chars": n_chars, "units": int(t_counts.sum()), "unseen_units": int(t_counts[ids < 0].sum()),
            "bits": total, "L_heldout": total / max(n_chars, 1)}


FUNCTION_CHARS = "的了是在和与及或也都就着过把被将对从"


def fragment_share(lexicon: Lexicon, texts=None, function_chars: str = FUNCTION_CHARS) -> dict:
    """Share of multi-character entries that start or end with a function character, and (given
    ``texts``) the share of entries the segmenter never uses on them.

    A crude fragment detector: it also flags real words (目的, 了解, 现在); read it as an upper
    bound and compare lexicons with it.
    """
    fc = set(function_chars)
    multi = [w for w in lexicon.words if len(w) > 1]
    frag = [w for w in multi if w[0] in fc or w[-1] in fc]
    out = {"multi_char_entries": len(multi), "function_edge": len(frag),
           "function_edge_share": len(frag) / max(len(multi), 1)}
    if texts is not None:
        units, _ = _unit_counts(texts, lexicon.segmenter)
        used_ids = units.ids(to_codes("".join(lexicon.words)),
                             np.concatenate([[0], np.cumsum([len(w) for w in lexicon.words])]))
        unused = [w for w, i in zip(lexicon.words, used_ids.tolist()) if i < 0]
        out.update({"unused": len(unused), "unused_share": len(unused) / max(len(lexicon), 1)})
    return out
