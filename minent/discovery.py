"""The lexicon learner: the best lexicon minent can learn from raw text, at any input size.

:class:`LexiconLearner` (or :func:`learn_lexicon`) builds a :class:`minent.Lexicon` in seven stages (the
sixth in two steps). Only two passes read the input: the first collects its distinct Han clauses with their counts
(:mod:`minent.clauses`; a content-hash sample of a documented size on large inputs), the last
segments it with the learned lexicon to count every word's uses and measure the information per
character (the run report). Every stage in between runs over the clause table in memory, each
pass as tasks on the engine (local processes or Dask), with the same result for any number of
tasks:

1. **n-gram statistics** (:func:`minent.ngrams.count_ngrams`): character n-grams up to
   ``max_len`` with exact branching entropies.
2. **Boundary lexicon** (:func:`boundary_counts`). Branching entropy rises where a word ends
   (Harris; Tanaka-Ishii). For an n-gram w, VBE_r(w) = H_r(w) - H_r(w[:-1]) and
   VBE_l(w) = H_l(w) - H_l(w[1:]); both are standardised over all n-gram types of the same length
   and summed into the *autonomy* a(w). Every clause is cut to maximise sum len(w) a(w); the units
   it uses form the boundary lexicon (after Magistry & Sagot 2012, "nVBE"). Candidates must be
   *maximal* (:func:`minent.ngrams.not_maximal`).
3. **Minimum-description-length lexicon** (:func:`mdl_counts`). Unigram Viterbi re-estimation
   from every n-gram with count >= ``mdl_min_count`` (method.md §1-3): segment, recount, and drop
   the entries whose removal shortens the two-part code, the worst half per round, as
   SentencePiece's unigram trainer prunes by loss. Its two-character entries are reliable words
   that boundary entropy misses (以上, 大会, 个人).
4. **Union and re-estimation** (:func:`reestimate`): boundary units plus the MDL entries of at most
   ``mdl_keep_len`` characters; a few unigram Viterbi passes.
5. **Affix merge** (:func:`affix_counts`): adjacent units word (2 characters) + character whose
   unit-level PMI ln(n_uv U / (n_u n_v)) is at least ``affix_min_pmi`` (5 nats) become entries
   (北京市, 积极性, 消费者), then stage 4 again.
6. **Cohesion floor** (:func:`cohesion_prune`): entries saving less than ``min_gain`` (3.5) nats
   per use over their best split into other entries (新的, 中的, 他的) are dropped, then stage 4
   again.
   6b. **Class-bigram test of the two-character entries** (:func:`class_cohesion`): word classes
   from the context vectors of the floor's segmentation (:mod:`minent.wordclass`, a spherical
   k-means of ``class_count`` classes); every two-character entry ab of the lexicon before the
   floor stays when its gain minus the PMI of its characters' classes is at least
   ``class_min_gain`` (3.25) nats per use: pairs of productive classes go (这一, 都要), pairs
   their classes do not predict come back (为了, 在于, 等等); entries of four characters must
   save ``class_long_gain`` (10) nats per use, less the class PMI of their best split into two
   entries (有关部门, 国有企业 go), unless a part lives mostly inside them (``class_long_piece``:
   社会主义, 人民日报 stay); no re-estimation pass follows (``late_passes``): the next stage
   decodes under these counts.
   Then the **bound suffixes** (:func:`bound_suffixes`): Han characters that, used on their
   own, nearly always follow a word of two or more characters and mostly live inside longer
   words (性 者 化 员 局 界 队); word (2 characters) + such a suffix at unit PMI >= ``suffix_min_pmi``
   (2 nats) becomes an entry (积极性 工作者 管理局) — and so does word + any Han character that
   follows the word's class (stage 6b's classes: PMI(C(u), v) >= ``suffix_class_pmi``, 4 nats;
   北京市 上海市 负责人 代理人), then one re-estimation pass.
   Then the **spelled units** (:func:`spelled_counts`): stage-3 entries of three or more
   characters that the lexicon can only spell character by character (no word inside them:
   斯大林 日内瓦 拉巴特 地中海 鲜为人知) join when their minimum split PMI is at least
   ``spelled_min_pmi`` (5 nats); stage 7 decodes with them (stage 4 again when stage 7 is off).
7. **Bigram level** (:func:`bigram_reestimate`): one decoding pass under a word-bigram model
   (:mod:`minent.bigram`) whose word pairs come from the level below the phrases — the
   segmentation by the lexicon pruned at a cohesion floor of ``bigram_floor`` (6.5) nats — so a
   phrase-like entry (这是, 这一, 就是) competes with its two words given the first; entries the
   bigram decoding no longer uses are dropped.

Two options, off by default (measured flat or lower, issue 15: ``outputs/bench/discovery_ii.md``):
``soft_passes`` runs forward-backward passes (expected counts over every segmentation,
:func:`minent.viterbi.expected_uses`) before the Viterbi passes of each re-estimation, and
``long_len`` adds, after stage 7, entries longer than ``max_len`` where the lexicon holds a
fragment of them (:func:`long_counts`).

On a small corpus a **background model** (:mod:`minent.background`: the clause table of public raw
text, shipped for simplified and traditional Chinese and Japanese) is merged into the clause table
before stage 1, and the lexicon-bits weight of stage 3 scales with the corpus size
(``scale_chars``).

The final counts are the uses of each entry in the lexicon's own segmentation of the whole input
(the last pass); entries it never uses are dropped. Every Viterbi pass is
:func:`minent.viterbi.best_path`, the decoder the segmenter uses.

All logs are natural (nats) unless a name says bits. Presets (:data:`PRESETS`) fix every
parameter: ``general`` (the default, measured on news, questions and reviews in
``bench/bench_discovery.py``), ``compact`` (plus a last pruning round) and ``faithful`` (the four
steps of method.md §2, :func:`minent.lexicon.four_steps`).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, fields, replace
from typing import Callable

import numpy as np
from numba import njit

from . import __version__
from .bigram import bigram_model, bigram_pass
from .background import merge_background, select_background
from .clauses import ClauseTable, collect_clauses
from .codelength import entry_bits
from .entropy import corpus_unit_counts
from .errors import MinentError
from .lexicon import Lexicon, LexiconParams, count_order, four_steps
from .ngrams import NGramStats, autonomy, candidates_of, count_ngrams, min_split_pmi, not_maximal, pair_pmi
from .parallel import (auto_jobs, forks_workers, make_engine, peak_rss_mb, resolve, shared_array, table_budget,
                       DEFAULT_MEMORY)
from .pretokenize import HAN_C, Rules, class_table
from .textio import Corpus
from .viterbi import (best_path, best_splits, candidates, count_uses, entry_candidates, entry_splits, expected_uses,
                      longest_clause, make_scratch)
from .wordclass import class_pair_pmi, class_unit_pmi, word_classes

Progress = Callable[[str, int], None]

#: Most characters of distinct clauses the stages learn from, by default (2^23 = 8.4M: the
#: distinct clauses of about 25 MB of news text; every learning text of bench_discovery.py fits).
SAMPLE_CHARS = 1 << 23
#: Bytes of learner memory per character of the clause table (n-gram tables, candidates, counts),
#: measured on synth text (bench/bench_scale.py); a smaller memory budget shrinks the sample.
BYTES_PER_CLAUSE_CHAR = 96
#: Longest entry split by the redundancy and cohesion tests.
MAX_SPLIT = 64
#: Stage 6b (:func:`class_cohesion`): context units of the class vectors, fewest uses of a unit
#: with a vector, k-means iterations (:mod:`minent.wordclass`).
CLASS_CONTEXT = 500
CLASS_MIN_USES = 10
CLASS_ITERS = 20
#: Resolution of the expected (soft) counts: integers in units of 1 / SOFT_UNIT of a use.
SOFT_UNIT = 1 << 20
#: the scores a decoding pass reads (natural-log probabilities of the n-gram entries) are sent as
#: float32: the passes are bound by their random reads of this vector, and half its size halves
#: that traffic (paths are still summed in float64).
SCORE_DTYPE = np.float32


# ============================================================================ passes on the engine

def candidates_task(chunks_ref, table_ref, width, group):
    """Task: the decoder's candidates (:func:`minent.viterbi.candidates`) of chunks ``group``."""
    chunks, table = resolve(chunks_ref), resolve(table_ref)
    out = []
    for i in group:
        codes = chunks[i][0]
        cand = np.empty((len(codes), width), np.int32)
        candidates(table, codes, 0, len(codes), True, cand, 0)
        out.append(cand)
    return out


def entry_candidates_task(table_ref, width, first, last, out_ref=None):
    """Task: :func:`minent.viterbi.entry_candidates` of entries ``first .. last - 1``: returned,
    or written into ``out_ref``'s array for ``first`` (a shared dict of arrays)."""
    cand = entry_candidates(resolve(table_ref), first, last, width, True)
    if out_ref is None:
        return cand
    resolve(out_ref)[first][:] = cand
    return None


def _output(slot, shape, dtype):
    """A task's zeroed output of ``shape``: ``shared[slot[1:]]`` of the shared array behind
    ``slot[0]`` (written in place, nothing returned), or a new array when ``slot`` is None."""
    if slot is None:
        return np.zeros(shape, dtype)
    out = resolve(slot[0])[slot[1:]]
    assert out.shape == (shape if isinstance(shape, tuple) else (shape,))
    out[...] = 0
    return out


def uses_task(chunks_ref, cands_ref, logp, unk, group, slot=None):
    """Task: uses of every entry in the segmentation of chunks ``group`` (int64 per entry)."""
    chunks, cands, logp = resolve(chunks_ref), resolve(cands_ref), resolve(logp)
    counts = _output(slot, len(logp), np.int64)
    for i in group:
        count_uses(chunks[i], cands[i], logp, unk, counts)
    return counts if slot is None else None


def soft_uses_task(chunks_ref, cands_ref, logp, unk, unit, group, slot=None):
    """Task: expected uses (:func:`minent.viterbi.expected_uses`, units of 1 / ``unit``) of
    every entry over the lattices of chunks ``group``."""
    chunks, cands, logp = resolve(chunks_ref), resolve(cands_ref), resolve(logp)
    counts = _output(slot, len(logp), np.int64)
    for i in group:
        expected_uses(chunks[i], cands[i], logp, unk, unit, counts)
    return counts if slot is None else None


@njit(cache=True)
def adjacent_units(clauses, cand, logp, unk, max_len, out):
    """Count adjacent units (u, v) of the segmentation of ``clauses`` whose concatenation uv is
    an entry of at most ``max_len`` codes: ``out[len(u) - 1, id(uv)] += weight``. The id of uv is
    the candidate of its first position (``cand``: every entry of the table starting there), so
    ``max_len`` is at most ``cand.shape[1]``."""
    codes, bounds, weights = clauses
    longest = longest_clause(bounds)
    scratch = make_scratch(longest)
    back = scratch[1]
    cuts = np.empty(longest + 1, np.int64)
    for c in range(bounds.shape[0] - 1):
        lo, hi, w = bounds[c], bounds[c + 1], weights[c]
        best_path(cand, lo, hi - lo, logp, unk, scratch, True)
        m = 0
        j = hi - lo
        while j > 0:  # word boundaries, right to left
            cuts[m] = j
            m += 1
            j = back[j]
        cuts[m] = 0
        for t in range(m - 1, 0, -1):  # units (cuts[t+1], cuts[t]) and (cuts[t], cuts[t-1])
            a, mid, b = cuts[t + 1], cuts[t], cuts[t - 1]
            if b - a > max_len:
                continue
            e = cand[lo + a, b - a - 1]
            if e >= 0:
                out[mid - a - 1, e] += w


@njit(cache=True)
def after_long_uses(clauses, cand, logp, unk, out):
    """Decode every clause and add its weight to ``out[0, id]`` for each word used and to
    ``out[1, id]`` when the word follows a word of two or more characters in its clause."""
    bounds, weights = clauses[1], clauses[2]
    scratch = make_scratch(longest_clause(bounds))
    back, bid = scratch[1], scratch[2]
    for c in range(bounds.shape[0] - 1):
        lo, hi, w = bounds[c], bounds[c + 1], weights[c]
        best_path(cand, lo, hi - lo, logp, unk, scratch, True)
        j = hi - lo
        while j > 0:
            i = back[j]
            e = bid[j]
            if e >= 0:
                out[0, e] += w
                if i > 0 and i - back[i] >= 2:
                    out[1, e] += w
            j = i


def after_long_task(chunks_ref, cands_ref, logp, unk, group, slot=None):
    """Task: :func:`after_long_uses` of chunks ``group`` (two int64 rows per entry)."""
    chunks, cands, logp = resolve(chunks_ref), resolve(cands_ref), resolve(logp)
    out = _output(slot, (2, len(logp)), np.int64)
    for i in group:
        after_long_uses(chunks[i], cands[i], logp, unk, out)
    return out if slot is None else None


def pairs_task(chunks_ref, cands_ref, logp, unk, group, pair_len, slot=None):
    chunks, cands, logp = resolve(chunks_ref), resolve(cands_ref), resolve(logp)
    out = _output(slot, (2, len(logp)), np.int64)
    for i in group:
        adjacent_units(chunks[i], cands[i], logp, unk, pair_len, out)
    return out if slot is None else None


def splits_task(table_ref, ecands_ref, logp, unk, first, last, out_ref=None):
    """Task: :func:`minent.viterbi.best_splits` of entries ``first .. last - 1`` (returned, or
    written to ``[first, last)`` of the shared array ``out_ref``)."""
    scores = best_splits(resolve(table_ref)[2], resolve(ecands_ref)[first], resolve(logp), unk, MAX_SPLIT,
                         first, last)
    if out_ref is None:
        return scores
    resolve(out_ref)[first:last] = scores
    return None


class ClausePasses:
    """Decoding passes over a clause table shared on an engine (see the module doc).

    After :meth:`attach` the decoder's candidates of every clause position (and of every n-gram
    entry, for the split scores) are computed once, as tasks, and shared: each later pass only
    looks up scores (``engine.jobs`` tasks, each a share of the chunks; counts are integer sums,
    so the result does not depend on the split). On a local engine the per-pass vectors (the
    scores sent, the counts and split scores returned) are shared memory written in place: a pass
    pickles nothing and the worker pool lives through every pass."""

    def __init__(self, clauses: ClauseTable, engine):
        self.engine = engine
        chunks = clauses.chunks()
        self.chunks = chunks
        self.chunks_ref = engine.share(chunks)
        self.tasks = max(1, getattr(engine, "jobs", 1))
        self.groups = [g for g in (list(range(t, len(chunks), self.tasks)) for t in range(self.tasks)) if g]
        self.n_chunks = len(chunks)
        self.refs = [self.chunks_ref]
        self.table_ref = self.cands_ref = self.ecands_ref = None
        self.shared = None
        self._last_splits = None

    def _share(self, obj):
        ref = self.engine.share(obj)
        self.refs.append(ref)
        return ref

    def attach(self, stats: NGramStats, positions=None) -> None:
        """Share the n-gram table and the candidates of every clause position and entry: the
        clause candidates are the n-gram passes' position ids when given (``(positions,
        offsets)`` from :func:`minent.ngrams.count_ngrams`), else found by tasks; on a local
        engine the tasks write the entries' candidates straight into shared memory."""
        self.stats = stats
        self._last_splits = None
        self.table_ref = self._share(stats.frozen)
        width = stats.max_n
        n = len(stats)
        starts = stats.starts
        # entry ranges of about equal work: a split scores an entry in time ~ its length squared
        work = np.cumsum(np.diff(starts).astype(np.float64) ** 2)
        cuts = [0, *np.searchsorted(work, work[-1] * np.arange(1, self.tasks) / self.tasks).tolist(), n]
        self.ranges = [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:]) if b > a] or [(0, n)]
        bufs = [shared_array(self.engine, shape, dtype) for shape, dtype in
                (((n,), SCORE_DTYPE), ((self.tasks, 2, n), np.int64), ((n,), np.float64),
                 ((int(starts[-1]), width), np.int32))]
        shared = all(b is not None for b in bufs)
        if shared:
            self.refs += [b[0] for b in bufs]
            self.shared = bufs[:3]  # scores in, counts out (a row per task), split scores out
        if positions is not None:
            self.cands_ref = self._share([candidates_of(*positions, c) for c in range(self.n_chunks)])
        if shared:
            self.ecands_ref = self._share({a: bufs[3][1][starts[a]:starts[b]] for a, b in self.ranges})
            list(self.engine.map(entry_candidates_task, [(self.table_ref, width, a, b, self.ecands_ref)
                                                         for a, b in self.ranges]))
        else:
            ecands = list(self.engine.map(entry_candidates_task,
                                          [(self.table_ref, width, a, b) for a, b in self.ranges], ordered=True))
            self.ecands_ref = self._share({a: c for (a, _), c in zip(self.ranges, ecands)})
        if positions is None:
            cands = [None] * self.n_chunks
            for group, part in zip(self.groups, self.engine.map(
                    candidates_task, [(self.chunks_ref, self.table_ref, width, g) for g in self.groups],
                    ordered=True)):
                for i, c in zip(group, part):
                    cands[i] = c
            self.cands_ref = self._share(cands)

    def task_scores(self, logp: np.ndarray):
        """What a task gets as the scores (:data:`SCORE_DTYPE`): the shared copy, or the array."""
        logp = np.ascontiguousarray(logp, dtype=SCORE_DTYPE)
        if self.shared is None:
            return logp
        self.shared[0][1][:] = logp
        return self.shared[0][0]

    def _summed(self, results, row=None) -> np.ndarray:
        if self.shared is None:
            return sum(results)
        for _ in results:
            pass
        out = self.shared[1][1][: len(self.groups)]
        return out[:, row].sum(axis=0) if row is not None else out.sum(axis=0)

    def _slot(self, *index):
        return None if self.shared is None else (self.shared[1][0], *index)

    def uses(self, logp: np.ndarray, unk: float) -> np.ndarray:
        """Uses of every entry in the best segmentation under scores ``logp``."""
        scores = self.task_scores(logp)
        return self._summed(self.engine.map(uses_task, [(self.chunks_ref, self.cands_ref, scores, float(unk), g,
                                                         self._slot(t, 0)) for t, g in enumerate(self.groups)]), 0)

    def soft_uses(self, logp: np.ndarray, unk: float, unit: int = SOFT_UNIT) -> np.ndarray:
        """Expected uses of every entry over all segmentations under scores ``logp``
        (forward-backward), as integers in units of 1 / ``unit``."""
        scores = self.task_scores(logp)
        return self._summed(self.engine.map(soft_uses_task, [(self.chunks_ref, self.cands_ref, scores, float(unk),
                                                              int(unit), g, self._slot(t, 0))
                                                             for t, g in enumerate(self.groups)]), 0)

    def unit_pairs(self, logp: np.ndarray, unk: float, pair_len: int) -> np.ndarray:
        """:func:`adjacent_units` of the best segmentation, summed over the table."""
        scores = self.task_scores(logp)
        return self._summed(self.engine.map(pairs_task, [(self.chunks_ref, self.cands_ref, scores,
                                                          float(unk), g, pair_len, self._slot(t))
                                                         for t, g in enumerate(self.groups)]))

    def after_long(self, logp: np.ndarray, unk: float) -> np.ndarray:
        """Uses of every entry in the best segmentation under ``logp`` (row 0) and those that
        follow a word of two or more characters (row 1; :func:`after_long_uses`)."""
        scores = self.task_scores(logp)
        return self._summed(self.engine.map(after_long_task, [(self.chunks_ref, self.cands_ref, scores, float(unk), g,
                                                               self._slot(t))
                                                              for t, g in enumerate(self.groups)]))

    def split_scores(self, logp: np.ndarray, unk: float) -> np.ndarray:
        """Best score of every entry split into two or more other entries (NaN for characters).
        The last result is kept: asked again for the same scores (stage 6b asks for the cohesion
        floor's), it is returned without a pass."""
        key = np.array(logp, dtype=SCORE_DTYPE)
        last = self._last_splits
        if last is not None and last[1] == float(unk) and np.array_equal(last[0], key):
            return last[2].copy()
        scores = self.task_scores(logp)
        out_ref = None if self.shared is None else self.shared[2][0]
        parts = list(self.engine.map(splits_task, [(self.table_ref, self.ecands_ref, scores, float(unk), a, b, out_ref)
                                                   for a, b in self.ranges], ordered=True))
        out = np.concatenate(parts) if self.shared is None else self.shared[2][1].copy()
        self._last_splits = (key, float(unk), out.copy())
        return out

    def close(self) -> None:
        for ref in self.refs:
            self.engine.release(ref)
        self.refs = []
        self.shared = None


# ============================================================================ stages 2-7

def _logp(counts: np.ndarray) -> np.ndarray:
    """ln(count / total) of every entry with a count, -inf elsewhere (the logs of those entries
    only: most n-grams have none)."""
    out = np.full(len(counts), -np.inf)
    used = np.nonzero(counts > 0)[0]
    out[used] = np.log(counts[used] / max(counts.sum(), 1))
    return out


def _unk(stats: NGramStats) -> float:
    return math.log(0.5 / stats.n_chars)


def boundary_counts(passes: ClausePasses, stats: NGramStats, maximal: bool = False,
                    max_len: int | None = None) -> np.ndarray:
    """Stage 2: word counts of the segmentation maximising sum len(w) a(w) (see module doc);
    with ``maximal``, entries flagged by :func:`not_maximal` are not candidates; entries longer
    than ``max_len`` (default: any length of the table) are not candidates."""
    a = autonomy(stats)
    score = np.where(np.isfinite(a), a * stats.lengths, -np.inf)
    if max_len is not None:
        score[stats.lengths > max_len] = -np.inf
    if maximal:
        score[not_maximal(stats)] = -np.inf
    return passes.uses(score, -1e9)


def mdl_counts(passes: ClausePasses, stats: NGramStats, min_count: int = 3, weight: float = 1.0,
               rounds: int = 12, prune_fraction: float = 0.5, alive: np.ndarray | None = None,
               init: np.ndarray | None = None, prunable_len: int = 2,
               progress: Progress | None = None) -> np.ndarray:
    """Stage 3: unigram Viterbi re-estimation with description-length pruning.

    Starts from every entry with count >= ``min_count`` (or the mask ``alive``, with initial
    counts ``init``; default the n-gram counts). Each round segments the clauses (one pass), sets
    p(w) = uses / all uses, and computes for every entry of at least ``prunable_len`` characters
    the change in the two-part code if it were removed: corpus nats lost = uses(w) (ln p(w) -
    best ln p of w split into other entries), lexicon nats saved = ``weight`` x
    :func:`minent.codelength.entry_bits` x ln 2. Among entries that do not pay for themselves,
    the ``prune_fraction`` worst are removed (ties by id). Stops after ``rounds`` rounds or when
    every entry pays. Returns the counts of a last segmentation pass.
    """
    L = stats.lengths
    spell_bits = stats.spelling_nats() / math.log(2)
    if alive is None:
        alive = (L == 1) | (stats.counts >= min_count)
    alive = alive.copy()
    init = stats.counts if init is None else init
    logp = _logp(np.where(alive, init, 0))
    unk = _unk(stats)
    prunable = (L >= prunable_len) & (L > 1)
    for r in range(rounds):
        counts = passes.uses(logp, unk)
        alive &= (counts > 0) | (L == 1)
        logp = _logp(np.where(alive, counts, 0))
        if progress:
            progress("mdl", r + 1)
        alt = passes.split_scores(logp, unk)
        test = np.nonzero(alive & prunable)[0]  # the gains of these entries only
        c = counts[test]
        cost = weight * math.log(2) * entry_bits(spell_bits[test], L[test], np.maximum(c, 1))
        with np.errstate(invalid="ignore"):
            gain = c * (logp[test] - alt[test]) - cost
        losing = gain < 0
        bad = test[losing]
        if len(bad) == 0:
            break
        worst = bad[np.argsort(gain[losing], kind="stable")][: max(1, int(prune_fraction * len(bad)))]
        alive[worst] = False
        logp[worst] = -np.inf
    return passes.uses(logp, unk)


def reestimate(passes: ClausePasses, stats: NGramStats, counts: np.ndarray, rounds: int = 2,
               soft: int = 0) -> np.ndarray:
    """Stage 4: ``soft`` forward-backward (expected-count EM) passes, then ``rounds`` unigram
    Viterbi re-estimation passes, over the entries with counts."""
    if soft and rounds:
        logp = _logp(counts)
        for _ in range(soft):
            logp = _logp(passes.soft_uses(logp, _unk(stats)))
        counts = passes.uses(logp, _unk(stats))
        rounds -= 1
    for _ in range(rounds):
        counts = passes.uses(_logp(counts), _unk(stats))
    return counts


def bound_suffixes(passes: ClausePasses, stats: NGramStats, counts: np.ndarray, after_share: float,
                   max_free: float, min_uses: int) -> np.ndarray:
    """The Han characters that behave as bound suffixes in the segmentation under ``counts`` (a
    boolean mask over entries): used on their own at least ``min_uses`` times, at least
    ``after_share`` of those uses right after a word of two or more characters (a stem: 性 in
    积极 性, 者 in 工作 者), and at most ``max_free`` of the character's occurrences on its own
    rather than inside a longer word (the free function words 的 和 与 stand alone; a suffix mostly lives in
    words: 记者 读者 作者)."""
    rows = passes.after_long(_logp(counts), _unk(stats))
    uses, after = rows[0], rows[1]
    L = stats.lengths
    multi = np.nonzero((uses > 0) & (L >= 2))[0]
    lengths = L[multi]
    first = np.repeat(stats.starts[multi], lengths) + (np.arange(int(lengths.sum()))
                                                      - np.repeat(np.cumsum(lengths) - lengths, lengths))
    chars = stats.char_ids()[stats.arena[first]]
    inside = np.bincount(chars, weights=np.repeat(uses[multi], lengths), minlength=len(stats))
    single = uses.astype(np.float64)
    return ((L == 1) & (single >= min_uses) & (after >= after_share * single)
            & (single <= max_free * (single + inside)) & all_han(stats))


def all_han(stats: NGramStats) -> np.ndarray:
    """Entries whose characters are all Han ideographs (not kana: a Japanese particle or
    inflection follows its word as a bound suffix does, but is a word of its own)."""
    han = class_table()[stats.arena[: stats.starts[-1]]] == HAN_C
    owner = np.repeat(np.arange(len(stats)), stats.lengths)
    return np.bincount(owner, weights=han, minlength=len(stats)) == stats.lengths


def affix_counts(passes: ClausePasses, stats: NGramStats, counts: np.ndarray, min_pmi: float,
                 min_count: int = 3, prefixes: bool = False, suffixes: np.ndarray | None = None,
                 classes: dict | None = None, class_pmi: float | None = None) -> np.ndarray:
    """Stage 5, one level of the hierarchy char -> word -> phrase (method.md §2), restricted to
    a word and one character: segment with ``counts`` (one pass) and count adjacent units u v
    with len(u) = 2 and len(v) = 1 (with ``prefixes`` also 1 + 2). A pair seen at least
    ``min_count`` times whose unit-level PMI ln(n_uv U / (n_u n_v)) (U = units of the
    segmentation) is >= ``min_pmi`` nats becomes an entry with count n_uv: words with a bound
    affix (北京市, 积极性, 消费者, 现代化), which branching entropy cuts because the stem is
    itself free. With ``suffixes`` (a mask of bound suffixes), only pairs whose character v is
    one join — or, with ``classes`` (the pair table and word classes of stage 6b, see
    :func:`class_cohesion`) and ``class_pmi``, whose character follows the class of u:
    PMI(C(u), v) >= ``class_pmi`` nats (:func:`minent.wordclass.class_unit_pmi`; 北京市 上海市,
    负责人 代理人). Returns the counts of the new entries (zero elsewhere)."""
    pairs = passes.unit_pairs(_logp(counts), _unk(stats), 3)
    three = np.nonzero(stats.lengths == 3)[0]

    pre, suf = stats.prefix, stats.suffix
    units = float(counts.sum())
    out = np.zeros(len(stats), np.int64)
    han = all_han(stats) if suffixes is not None else None
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
        if suffixes is not None:
            bound = suffixes[np.maximum(v, 0)]
            if classes and class_pmi is not None:
                bound = bound | (class_unit_pmi(classes["keys"], classes["counts"], classes["cls"],
                                                np.maximum(u, 0), np.maximum(v, 0)) >= class_pmi)
            ok &= bound & han[three]
        out[three[ok]] = np.maximum(out[three[ok]], n[ok])
    return out


def inner_entries(stats: NGramStats, ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each entry of ``ids``, whether one of its proper substrings of two or more characters
    has a count in ``counts`` (the lexicon can spell it with a word, not only character by
    character). Walks the prefix / suffix links one character shorter per step."""
    L = stats.lengths
    has = np.zeros(len(ids), bool)
    level = np.asarray(ids)[:, None]
    for _ in range(int(L[ids].max(initial=2)) - 2):
        level = np.concatenate([np.where(level >= 0, stats.prefix[np.maximum(level, 0)], -1),
                                np.where(level[:, -1:] >= 0, stats.suffix[np.maximum(level[:, -1:], 0)], -1)],
                               axis=1)
        sub = np.maximum(level, 0)
        has |= ((level >= 0) & (L[sub] >= 2) & (counts[sub] > 0)).any(axis=1)
    return has


def spelled_counts(stats: NGramStats, counts: np.ndarray, mdl: np.ndarray, min_pmi: float,
                   min_entropy: float) -> np.ndarray:
    """Stage 6c: units the lexicon can only spell character by character. A stage-3 entry w of
    three or more characters (kept by the description-length test, so it recurs and shortens the
    code) that is not in ``counts`` and has no word of ``counts`` inside it is segmented as a run
    of single characters: 斯大林 日内瓦 拉巴特 地中海 鲜为人知. It becomes an entry (count from
    stage 3) when its minimum split PMI is >= ``min_pmi`` nats (its characters are rarely seen
    together outside it, unlike a phrase of frequent function characters: 是不是 就好了) and both
    its branching entropies are >= ``min_entropy`` (free at both edges). Unlike the 3-4
    character MDL entries in general (``long_min_pmi``), these cannot take over a two-character
    word, since none is inside them. Returns the counts of the new entries (zero elsewhere)."""
    L = stats.lengths
    out = np.zeros(len(stats), np.int64)
    ids = np.nonzero((mdl > 0) & (L >= 3) & (counts == 0))[0]
    if len(ids) == 0:
        return out
    with np.errstate(invalid="ignore"):
        ok = ((min_split_pmi(stats, ids) >= min_pmi)
              & (np.minimum(stats.h_left[ids], stats.h_right[ids]) >= min_entropy))
    ids = ids[ok]
    ids = ids[~inner_entries(stats, ids, counts)]
    out[ids] = mdl[ids]
    return out


def cohesion_prune(passes: ClausePasses, stats: NGramStats, counts: np.ndarray, min_gain: float,
                   rounds_reestimate: int = 2, rounds: int = 1, soft: int = 0) -> np.ndarray:
    """Stage 6: drop the multi-character entries that save less than ``min_gain`` nats per use.

    For an entry w with probability p(w) (from ``counts``), its per-use gain is
    ln p(w) - ln p(best split of w into two or more other entries) — the ``sub_pmi`` score
    column. The description-length test of stage 3 keeps w whenever uses x gain exceeds the cost
    of spelling w once, so a frequent pair of free words with a small gain per use (新的, 中的,
    他的, 这一: about 1-2 nats) pays for itself many times over; a floor on the gain per use
    removes these phrases and keeps words, whose parts rarely occur apart (经济 13 nats). Each
    round recomputes the gains, drops the entries under the floor, and runs
    ``rounds_reestimate`` re-estimation passes. Returns the new counts."""
    L = stats.lengths
    for _ in range(rounds):
        logp = _logp(counts)
        alt = passes.split_scores(logp, math.log(0.5 / max(int(counts.sum()), 1)))
        with np.errstate(invalid="ignore"):
            drop = (counts > 0) & (L >= 2) & (logp - alt < min_gain)
        if not drop.any():
            break
        counts = reestimate(passes, stats, np.where(drop, 0, counts), rounds_reestimate, soft)
    return counts


def best_binary_split(stats: NGramStats, ids: np.ndarray, logp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: for every entry of ``ids``, the two entries x + y = w (x = w[:i], y = w[i:])
    with the largest logp[x] + logp[y] (the shortest x on ties), or (-1, -1) when no such pair
    has both scores finite."""
    ids = np.asarray(ids, np.int64)
    bx = np.full(len(ids), -1, np.int64)
    by = np.full(len(ids), -1, np.int64)
    best = np.full(len(ids), -np.inf)
    L = stats.lengths[ids]
    for n in np.unique(L[L >= 2]):
        rows = np.nonzero(L == n)[0]
        for i in range(1, int(n)):
            x = ids[rows]
            for _ in range(int(n) - i):
                x = stats.prefix[x]
            y = ids[rows]
            for _ in range(i):
                y = stats.suffix[y]
            score = logp[x] + logp[y]
            better = score > best[rows]
            best[rows[better]] = score[better]
            bx[rows[better]] = x[better]
            by[rows[better]] = y[better]
    return bx, by


def class_cohesion(passes: ClausePasses, stats: NGramStats, before: np.ndarray, counts: np.ndarray,
                   min_gain: float, n_classes: int, n_words: int, long_gain: float | None = None,
                   rounds_reestimate: int = 2, soft: int = 0, long_piece: float | None = None,
                   classes: dict | None = None) -> np.ndarray:
    """Stage 6b: decide the two-character entries again, by their gain under a class-bigram split,
    and hold the entries of four characters or more to a higher floor.

    ``before``: the counts before the cohesion floor (every candidate pair ab still an entry);
    ``counts``: after it. The word classes come from the unigram segmentation under ``counts``
    (one pass: its adjacent units, :func:`minent.wordclass.word_classes` with ``n_classes``
    classes learned on the ``n_words`` most used units). A two-character entry ab of ``before``
    is kept when ln p(ab) - ln p(best split of ab) - PMI(C(a), C(b)) >= ``min_gain`` nats
    (:func:`minent.wordclass.class_pair_pmi`, ab left out), with the larger of its two counts,
    and dropped otherwise: 这一 很大 都要 (productive class pairs) go, 为了 在于 等等 (pairs their
    classes do not predict) come back. With ``long_gain``, an entry w of ``counts`` with four
    characters or more is dropped when ln p(w) - ln p(best split of w) - PMI(C(x), C(y)) <
    ``long_gain``, x + y its best split into two entries (:func:`best_binary_split`; entries
    without one stay): compounds of two words (有关部门, 国有企业, 金融危机) that save less than
    ``long_gain`` nats per use — unless, with ``long_piece``, x or y is bound to w
    (:func:`bound_part`: 社会主义, 人民日报 stay). Then ``rounds_reestimate`` re-estimation passes.
    Returns the new counts; a ``classes`` dict receives the pair table and the classes (keys
    ``keys``, ``counts``, ``cls``) for the suffix merge (:func:`affix_counts`)."""
    L = stats.lengths
    uses, keys, pc = bigram_pass(passes, _logp(counts), _unk(stats))
    cls, k = word_classes(keys, pc, uses, n_classes, n_words, CLASS_CONTEXT, CLASS_MIN_USES, CLASS_ITERS)
    if k == 0:
        return counts
    if classes is not None:
        classes.update(keys=keys, counts=pc, cls=cls)
    out = counts.copy()
    two = np.nonzero((L == 2) & (before > 0))[0]
    if len(two):
        logp = _logp(before)
        alt = passes.split_scores(logp, math.log(0.5 / max(int(before.sum()), 1)))
        gain = logp[two] - alt[two] - class_pair_pmi(keys, pc, cls, k + 2, stats.prefix[two], stats.suffix[two])
        out[two] = np.where(gain >= min_gain, np.maximum(counts[two], before[two]), 0)
    long = np.nonzero((L >= 4) & (counts > 0))[0]
    if long_gain is not None and len(long):
        logp = _logp(counts)
        alt = passes.split_scores(logp, math.log(0.5 / max(int(counts.sum()), 1)))
        x, y = best_binary_split(stats, long, logp)
        split = x >= 0
        pmi = class_pair_pmi(keys, pc, cls, k + 2, np.maximum(x, 0), np.maximum(y, 0))
        gain = logp[long] - alt[long] - pmi
        if long_piece is not None:  # a part living mostly inside w is bound: w is a word, not two
            split &= ~bound_part(stats, long, x, y, long_piece)
        out[long[split & (gain < long_gain)]] = 0
    return reestimate(passes, stats, out, rounds_reestimate, soft)


def bound_part(stats: NGramStats, ids: np.ndarray, x: np.ndarray, y: np.ndarray, ratio: float) -> np.ndarray:
    """Which entries ``ids`` (split into the entries ``x`` + ``y``; -1: no split) have a part that
    lives mostly inside them: c(w) >= ``ratio`` x c(part), character n-gram counts. Such a part
    is bound (主义 in 社会主义, 日报 in 人民日报), so w is one word rather than a compound of two free
    words (有关 部门: 部门 is used everywhere)."""
    cw = stats.counts[ids].astype(np.float64)
    bound = np.zeros(len(ids), bool)
    for part in (x, y):
        ok = part >= 0
        bound |= ok & (cw >= ratio * stats.counts[np.maximum(part, 0)])
    return bound


def long_counts(stats: NGramStats, counts: np.ndarray, max_len: int, long_len: int, min_count: int = 3,
                ratio: float = 0.5) -> np.ndarray:
    """Long entries (``max_len`` < length <= ``long_len``) where the lexicon holds a fragment of
    them: a maximal n-gram w seen at least ``min_count`` times becomes an entry (count c(w))
    when some multi-character entry e of ``counts`` inside w has c(w) >= ``ratio`` x c(e) —
    most uses of e are inside w, so e is a piece of w (尼亚胡 of 内塔尼亚胡, 发展中 of 发展中国家)
    rather than a free word that w merely contains (新华社 in 新华社北京). Returns the counts of
    the new entries (zero elsewhere)."""
    L = stats.lengths
    out = np.zeros(len(stats), np.int64)
    ids = np.nonzero((L > max_len) & (L <= long_len) & (stats.counts >= min_count) & ~not_maximal(stats))[0]
    if len(ids) == 0:
        return out
    cw = stats.counts[ids].astype(np.float64)
    best = np.zeros(len(ids))
    level = ids[:, None]  # column i: w[i : i + len(w) - t] after t steps
    for _ in range(long_len - 2):  # substrings one character shorter per step, down to 2
        level = np.concatenate([np.where(level >= 0, stats.prefix[np.maximum(level, 0)], -1),
                                np.where(level[:, -1:] >= 0, stats.suffix[np.maximum(level[:, -1:], 0)], -1)],
                               axis=1)
        ok = (level >= 0) & (L[np.maximum(level, 0)] >= 2) & (counts[np.maximum(level, 0)] > 0)
        share = np.where(ok, cw[:, None] / np.maximum(stats.counts[np.maximum(level, 0)], 1), 0.0)
        best = np.maximum(best, share.max(axis=1))
    keep = best >= ratio
    out[ids[keep]] = stats.counts[ids[keep]]
    return out


def bigram_reestimate(passes: ClausePasses, stats: NGramStats, counts: np.ndarray, beta: float,
                      rounds: int, pair_counts: np.ndarray | None = None, min_pair: int = 2,
                      unseen_free: bool = False) -> np.ndarray:
    """Stage 7: hard-EM re-estimation under the smoothed word-bigram model of
    :mod:`minent.bigram`.

    The pairs come from the unigram segmentation under ``pair_counts`` (default ``counts``):
    the counts of a sparser lexicon (a higher cohesion floor) give the level below the phrases,
    whose pairs (这 是) compete with the phrase entries (这是) of ``counts``. Each round builds the
    model from the pairs seen at least ``min_pair`` times and the unigram probabilities of the
    current counts, decodes the clause table (tasks on the engine) and recounts.

    With ``unseen_free``, an entry the lower level never uses (a phrase such as 但是 or 这是 when
    the pairs come from ``pair_counts``) is scored by its unigram probability in every context:
    the pair statistics could not observe it, so the back-off penalty ln(beta / (c(u) + beta)) of
    an unseen pair — up to 7 nats after the clause start — would be a verdict without evidence.
    The phrase then competes with its words given the context (ln p(ab) against ln p(a | u) +
    ln p(b | a)). Returns the entry counts of the last pass."""
    unk = _unk(stats)
    low = counts if pair_counts is None else pair_counts
    _, keys, pc = bigram_pass(passes, _logp(low), unk)
    known = (low > 0).astype(np.float64) if unseen_free else None
    for r in range(rounds):
        keep = pc >= min_pair
        logp = _logp(counts)
        counts, keys, pc = bigram_pass(passes, logp, unk,
                                       bigram_model(keys[keep], pc[keep], logp, unk, beta, known),
                                       pairs=r < rounds - 1)  # the last round's pairs are not used
    return counts


# ============================================================================ parameters

@dataclass
class DiscoveryParams:
    """Parameters of the ``general`` / ``compact`` learner (defaults = ``general``).

    max_len : int, default 4
        Longest word in characters (n-grams are counted up to this length, plus one for entropies).
    min_count : int, default 2
        An n-gram is kept in the statistics (and can become a word) from this many occurrences.
        2 keeps the autonomy standardisation exact.
    boundary : bool, default True
        Use the boundary lexicon (stage 2).
    mdl : bool, default True
        Use the minimum-description-length lexicon (stage 3).
    mdl_min_count : int, default 3
        Candidates of stage 3: n-grams seen at least this often.
    mdl_min_pmi : float or None, default None
        If set, stage-3 candidates must also have a minimum PMI over their binary splits
        (:func:`minent.ngrams.min_split_pmi`, nats) of at least this.
    mdl_weight : float, default 0.7
        Weight of the lexicon bits in the stage-3 pruning test (1 = plain two-part code). 0.7 was
        chosen on the dev sets (pd1998 with and without the extra text, PKU and MSR dev): 1.0 /
        0.7 / 0.5 gave F1 0.8329 / 0.8353 / 0.8355 (pd1998), 0.8341 / 0.8355 / 0.8348 (PKU),
        0.8121 / 0.8149 / 0.8144 (MSR), 0.8229 / 0.8254 / 0.8261 (pd1998 alone): the plain code
        overprices the spelling of two-character words in these few-million-character corpora.
    mdl_rounds : int, default 12
        Most segment-recount-prune rounds of stage 3 (one pass over the clause table each).
    mdl_keep_len : int, default 2
        Stage-3 entries of at most this many characters join the lexicon; 0 keeps them all.
    reestimate_passes : int, default 2
        Unigram Viterbi passes of stage 4.
    late_passes : int, default 0
        Re-estimation passes after the class test (stage 6b) and after the lower level of stage 7
        is pruned: each is followed by a stage that decodes the clause table under the counts it
        gets. The bound-suffix merge is followed by one pass (none with ``reestimate_passes`` 0).
        F1 pd1998 / PKU-dev / MSR-dev 0.8513 / 0.8517 / 0.8219 with 0 (and one pass after the
        suffix merge) against 0.8513 / 0.8517 / 0.8218 with 2 after each: five passes fewer.
    affix_min_pmi : float or None, default 5.0
        Stage 5: unit-level PMI (nats) from which word (2 characters) + character becomes an
        entry; None turns the stage off.
    affix_min_count : int, default 3
        Stage 5: the pair must occur at least this often.
    affix_prefixes : bool, default False
        Stage 5 also merges character + word (1 + 2); measured to lower F1.
    suffix_min_pmi : float or None, default 2.0
        Stage 6b (after the cohesion floor): Han word (2 characters) + *bound suffix* pairs
        (:func:`bound_suffixes`: 性 者 化 员 局 界 队 ...) seen at least ``affix_min_count`` times
        with a unit-level PMI of at least this many nats become entries (积极性 工作者 管理局,
        whose suffix is too frequent for the 5 nats of stage 5); None turns the stage off.
        pd1998 / PKU-dev / MSR-dev F1 0.8365 / 0.8374 / 0.8159 without, 0.8393 / 0.8403 / 0.8178
        with; 1 / 2 / 3 nats measured flat (issue 15, seventh round of discovery_notes.md).
    suffix_share : float, default 0.7
        A bound suffix is used on its own right after a word of two or more characters in at
        least this share of its own uses (0.65 / 0.7 / 0.75 / 0.8: pd1998 F1 0.8381 / 0.8391 /
        0.8389 / 0.8379 at 3 nats).
    suffix_max_free : float, default 0.8
        ... and stands on its own in at most this share of all its occurrences (the others are
        inside longer words): the free function words 的 和 与 stand alone.
    suffix_min_uses : int, default 20
        ... and is used on its own at least this often.
    suffix_class_pmi : float or None, default 4.0
        The suffix merge also joins word (2 characters) + Han character pairs whose character
        follows the word's *class* (stage 6b's classes and pair table): PMI(C(u), v) >= this many
        nats (:func:`minent.wordclass.class_unit_pmi`; 北京市 上海市 负责人 代理人, whose 市 人 are
        free words too, so not bound suffixes), same unit-PMI and count rule; None (or
        ``class_count`` 0) turns it off. Issue 15, eighth round (scratch runs of the full
        learner): off 0.8513 / 0.8517 / 0.8218 (pd1998 / PKU-dev / MSR-dev); 3 / 3.5 / 3.75 / 4 /
        4.25 / 4.5 / 5 gave 0.8494 / 0.8497 / 0.8516 / 0.8520 / 0.8515 / 0.8518 / 0.8513 (pd1998),
        0.8501 / 0.8499 / 0.8519 / 0.8520 / 0.8518 / 0.8519 / 0.8516 (PKU-dev), 0.8222 / 0.8219 /
        0.8228 / 0.8230 / 0.8224 / 0.8224 / 0.8219 (MSR-dev). Off when the user's own Han text is
        under ``scale_chars``: the classes then come mostly from the merged background model, and
        the merge lowered F1 on the small sets of ``bench/bench_small.py`` (with the background:
        PKU-dev 0.8397 -> 0.8382, UD zh 0.7599 -> 0.7574; MSR-dev 0.8131 -> 0.8132).
    spelled_min_pmi : float or None, default 5.0
        Stage 6c (after the bound suffixes): stage-3 entries of 3 to ``max_len`` characters with
        no word of the lexicon inside them (:func:`spelled_counts`: 斯大林 日内瓦 地中海) and a
        minimum split PMI of at least this many nats become entries; None turns the stage off.
        pd1998 / PKU-dev / MSR-dev F1 0.8393 / 0.8403 / 0.8178 without; 4 / 5 / 6 nats (min
        entropy 0.5): 0.8398 / 0.8403 / 0.8186, 0.8398 / 0.8404 / 0.8184, 0.8397 / 0.8408 / 0.8182;
        5 nats with min entropy 0: 0.8399 / 0.8406 / 0.8185 (issue 15 notes, seventh round).
    spelled_min_entropy : float, default 0.0
        ... and both branching entropies of at least this many nats (0.5 / 1 at 5 nats: sum of the
        three F1 0.0004 / 0.0010 lower than 0; stage-3 candidates are already maximal).
    min_gain : float or None, default 3.5
        Stage 6: multi-character entries saving less than this many nats per use over their best
        split are dropped; None turns the stage off.
    min_gain_rounds : int, default 1
        Stage 6 rounds.
    class_count : int, default 200
        Stage 6b (:func:`class_cohesion`, after the cohesion floor): word classes learned from
        the context vectors of the floor's segmentation; every two-character entry is kept or
        dropped again by its gain over the class-bigram split (the unigram gain minus the PMI of
        its characters' classes), and the entries of four characters or more are held to
        ``class_long_gain``. 0 turns the stage off. Measured in issue 15 (seventh round,
        ``outputs/bench/discovery_notes.md``; figures of this and the next two parameters without
        ``class_long_gain``): F1 pd1998 / PKU-dev / MSR-dev 0.8365 / 0.8374 / 0.8159 without the
        stage, 0.8403 / 0.8413 / 0.8180 with 200 classes (150: 0.8401 / 0.8397 / 0.8171, 250:
        0.8392 / 0.8399 / 0.8188).
    class_words : int, default 4000
        Stage 6b: the k-means learns its centroids on this many most used units (2000 / 3000 /
        6000: pd1998 0.8384 / 0.8397 / 0.8383 with 150 classes).
    class_min_gain : float, default 3.25
        Stage 6b: nats per use a two-character entry must save over its class-bigram split
        (3.5: pd1998 / PKU-dev / MSR-dev 0.8401 / 0.8394 / 0.8162 with 150 classes).
    class_long_gain : float or None, default 10.0
        Stage 6b: nats per use an entry of four characters or more must save over its best split,
        less the class PMI of its best split into two entries; None: no such test. 8 / 10 / 12 /
        15: F1 0.8444 / 0.8457 / 0.8456 / 0.8452 on pd1998, 0.8191 / 0.8202 / 0.8199 / 0.8195 on
        MSR-dev; 10 without the class PMI: 0.8453 / 0.8463 / 0.8201 (pd1998 / PKU-dev / MSR-dev).
    class_long_piece : float or None, default 0.5
        Stage 6b: an entry of four characters or more is spared that test when one of its two
        parts has at least this share of its occurrences inside it (:func:`bound_part`: 主义 in
        社会主义, 日报 in 人民日报); None: no exemption. With the bound-suffix merge on: none / 0.3 /
        0.4 / 0.5 / 0.6 / 0.7 gave F1 0.8484 / 0.8477 / 0.8483 / 0.8494 / 0.8488 / 0.8490 on
        pd1998, 0.8493 / 0.8481 / 0.8491 / 0.8503 / 0.8507 / 0.8499 on PKU-dev, 0.8206 / 0.8210 /
        0.8212 / 0.8211 / 0.8210 / 0.8208 on MSR-dev (scratch runs of the full learner).
    bigram_rounds : int, default 1
        Stage 7: decoding rounds under a smoothed word-bigram model (:func:`bigram_reestimate`);
        0 turns it off. 1 / 2 rounds: pd1998 F1 0.8376 / 0.8291 (scratch runs, issue 15 notes).
    bigram_beta : float, default 1000.0
        Strength of the unigram prior of each bigram context (100 / 1000 / 10000: pd1998 0.8367 /
        0.8376 / 0.8365, MSR-dev 0.8147 (300) / 0.8147 / 0.8148 (3000), scratch runs).
    bigram_floor : float or None, default 6.5
        The bigram pairs come from the segmentation of the lexicon pruned at this cohesion floor
        (the word level below the phrases). With the seventh round's stages (6b, bound suffixes,
        spelled units) on, 4.5 / 5 / 5.5 / 6 / 6.5 / 7 / 8 gave F1 0.8491 / 0.8500 / 0.8502 /
        0.8505 / 0.8513 / 0.8512 / 0.8500 on pd1998, 0.8495 / 0.8504 / 0.8508 / 0.8510 / 0.8517 /
        0.8515 / 0.8504 on PKU-dev, 0.8222 / 0.8218 / 0.8218 / 0.8220 / 0.8218 / 0.8218 / 0.8218
        on MSR-dev (scratch runs of the full learner, two re-estimation passes after 6b, the
        suffix merge and the lower level: ``late_passes`` 2); before them 4.5 / 5 / 6 gave pd1998
        0.8373 / 0.8376 / 0.8369, so 5 was the default until then;
        None: from the lexicon itself, which only reproduces its own segmentation (measured flat:
        row general+bigram-own of bench_discovery.py).
    bigram_unseen_free : bool, default True
        Stage 7: entries the lower level never uses are scored by their unigram probability in
        every context instead of paying the unseen-pair back-off (:func:`bigram_reestimate`).
    long_min_pmi : float or None, default None
        If set, stage-3 entries longer than ``mdl_keep_len`` also join when their minimum split
        PMI is >= this (nats) and both branching entropies >= ``long_min_entropy``; measured to
        lower F1, so off.
    long_min_entropy : float, default 1.5
        See ``long_min_pmi``.
    long_len : int, default 0
        After stage 7, entries longer than ``max_len`` and up to this length where the lexicon
        holds a fragment of them (:func:`long_counts`); n-grams are then counted up to this
        length, but only this last step uses the longer ones. 0 turns it off (off by default:
        ``long_len=6`` gave F1 0.8353 / 0.8366 / 0.8159 on pd1998 / PKU-dev / MSR-dev against
        0.8365 / 0.8374 / 0.8159, ``outputs/bench/discovery_ii.md``).
    long_min_count : int, default 3
        Long entries must occur at least this often.
    long_ratio : float, default 0.8
        Share of a fragment's occurrences that must lie inside the long entry.
    soft_passes : int, default 0
        Forward-backward (expected-count EM) passes before the Viterbi passes of every
        re-estimation (stages 4-7): the probabilities then come from all segmentations of each
        clause, weighted by their probability, rather than from the best one only. Off by default:
        2 passes gave F1 0.8366 / 0.8372 / 0.8158 (``outputs/bench/discovery_ii.md``).
    prune : bool, default False
        After stage 6, one more description-length pruning of the whole lexicon (``compact``).
    maximal : bool, default True
        Candidates of stages 2 and 3 must be free on both sides (:func:`not_maximal`).
    rules : Rules, default Rules.DOT
        Rules of :mod:`minent.pretokenize`: OFF, ON (numbers, letters, dates, punctuation) or DOT
        (those plus the middle-dot rules).
    scale_chars : int or None, default 2^20
        Small-corpus scaling: when the clause table (the user's Han-run characters plus the
        merged background's) stands for N < ``scale_chars`` characters, the lexicon-bits weight
        of stage 3 becomes ``mdl_weight`` x sqrt(N / ``scale_chars``): the spelling of an entry
        costs the same however small the corpus, while the uses that pay for it shrink with N,
        so an unscaled test drops most words of a small corpus. Measured in
        ``bench/bench_small.py`` (background off). None: no scaling.
    sample_chars : int or None, default None
        Most characters of distinct clauses the stages learn from (:mod:`minent.clauses`); None:
        :data:`SAMPLE_CHARS` (8.4M), or less when the memory budget is small (the table budget
        divided by :data:`BYTES_PER_CLAUSE_CHAR`).
    """
    max_len: int = 4
    min_count: int = 2
    boundary: bool = True
    mdl: bool = True
    mdl_min_count: int = 3
    mdl_min_pmi: float | None = None
    mdl_weight: float = 0.7
    mdl_rounds: int = 12
    mdl_keep_len: int = 2
    affix_min_pmi: float | None = 5.0
    affix_min_count: int = 3
    affix_prefixes: bool = False
    suffix_min_pmi: float | None = 2.0
    suffix_share: float = 0.7
    suffix_max_free: float = 0.8
    suffix_min_uses: int = 20
    suffix_class_pmi: float | None = 4.0
    min_gain: float | None = 3.5
    min_gain_rounds: int = 1
    class_count: int = 200
    class_words: int = 4000
    class_min_gain: float = 3.25
    class_long_gain: float | None = 10.0
    class_long_piece: float | None = 0.5
    spelled_min_pmi: float | None = 5.0
    spelled_min_entropy: float = 0.0
    long_min_pmi: float | None = None
    long_min_entropy: float = 1.5
    long_len: int = 0
    long_min_count: int = 3
    long_ratio: float = 0.8
    bigram_rounds: int = 1
    bigram_beta: float = 1000.0
    bigram_floor: float | None = 6.5
    bigram_unseen_free: bool = True
    reestimate_passes: int = 2
    late_passes: int = 0
    soft_passes: int = 0
    prune: bool = False
    maximal: bool = True
    rules: Rules = Rules.DOT
    scale_chars: int | None = 1 << 20
    sample_chars: int | None = None

    def validate(self) -> None:
        if not 1 <= self.max_len <= 16:
            raise MinentError("max_len must be between 1 and 16")
        if self.min_count < 1 or self.mdl_min_count < 1:
            raise MinentError("min_count and mdl_min_count must be >= 1")
        if not (self.boundary or self.mdl):
            raise MinentError("at least one of boundary / mdl must be on")
        if self.min_gain_rounds < 1:
            raise MinentError("min_gain_rounds must be >= 1")
        if self.class_count < 0 or self.class_words < 1:
            raise MinentError("class_count must be >= 0 and class_words >= 1")
        if self.class_long_piece is not None and not 0 < self.class_long_piece <= 1:
            raise MinentError("class_long_piece must be None or in (0, 1]")
        if self.bigram_rounds < 0 or self.bigram_beta <= 0:
            raise MinentError("bigram_rounds must be >= 0 and bigram_beta > 0")
        if self.affix_min_count < 1:
            raise MinentError("affix_min_count must be >= 1")
        if not (0 <= self.suffix_share <= 1 and 0 < self.suffix_max_free <= 1) or self.suffix_min_uses < 1:
            raise MinentError("suffix_share must be in [0, 1], suffix_max_free in (0, 1] and suffix_min_uses >= 1")
        if self.spelled_min_entropy < 0:
            raise MinentError("spelled_min_entropy must be >= 0")
        if self.long_len and not self.max_len < self.long_len <= 16:
            raise MinentError("long_len must be 0 (off) or between max_len + 1 and 16")
        if self.long_min_count < 1 or not 0 < self.long_ratio <= 1:
            raise MinentError("long_min_count must be >= 1 and long_ratio in (0, 1]")
        if (self.mdl_weight < 0 or self.mdl_rounds < 0 or self.reestimate_passes < 0 or self.late_passes < 0
                or self.soft_passes < 0):
            raise MinentError("mdl_weight, mdl_rounds, reestimate_passes, late_passes and soft_passes must be >= 0")
        if self.scale_chars is not None and self.scale_chars < 1:
            raise MinentError("scale_chars must be >= 1")
        if self.sample_chars is not None and self.sample_chars < 1:
            raise MinentError("sample_chars must be >= 1")
        self.rules = _rules(self.rules)


def _rules(value) -> Rules:
    try:
        return Rules(int(value))
    except (ValueError, TypeError):
        raise MinentError("rules must be one of Rules.OFF / ON / DOT (0, 1, 2; False, True)") from None


DEFAULT_PRESET = "general"
#: Named parameter sets. ``general``: the default, measured on news, questions and reviews;
#: ``news``: the same (its earlier name); ``compact``: plus a last pruning round — about a third
#: fewer entries and a shorter two-part code for about 0.3 point of F1; ``faithful``: the four
#: steps of method.md §2 (:class:`minent.LexiconParams`).
PRESETS: dict[str, dict] = {
    "general": {},
    "news": {},
    "compact": {"prune": True},
    "faithful": {},
}


def preset_params(preset: str = DEFAULT_PRESET, **overrides):
    """The parameters of ``preset`` with ``overrides`` applied: a :class:`DiscoveryParams`, or
    for ``faithful`` a :class:`minent.LexiconParams`."""
    if preset not in PRESETS:
        raise MinentError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})")
    cls = LexiconParams if preset == "faithful" else DiscoveryParams
    names = {f.name for f in fields(cls)}
    bad = set(overrides) - names
    if bad:
        raise MinentError(f"unknown parameter(s) for preset {preset}: {', '.join(sorted(bad))}")
    params = cls(**{**PRESETS[preset], **overrides})
    params.validate()
    return params


# ============================================================================ the learner

class LexiconLearner:
    """Learn a :class:`minent.Lexicon` from raw text (see the module doc for the stages).

    Parameters (stored by the constructor; ``fit`` learns)
    ----------
    preset : str, default "general"
        A key of :data:`PRESETS`.
    jobs : int, default 0
        Worker processes; 0 = every core for inputs of 64 MB or more, one process below. The
        lexicon is identical for any number.
    engine : "local", "dask", or an engine object, default "local"
        Where the tasks run: local processes, or ``dask.distributed`` (the scheduler at
        ``scheduler``, or a LocalCluster of ``jobs`` workers, 2 when ``jobs`` is 0). An object from
        :func:`minent.parallel.make_engine` is used as is and left open.
    scheduler : str, optional
        Dask scheduler address.
    timeout : float, optional
        Seconds to wait for the Dask scheduler before a one-line error (default
        :data:`minent.parallel.CONNECT_TIMEOUT`).
    background : str or None, default None
        Background model merged into the clause table when the corpus is small
        (:mod:`minent.background`): ``"auto"`` picks the shipped model that fits the text's
        characters, a name or a ``.bg.xz`` file forces one, ``"none"`` turns it off. None: the
        default, ``"auto"`` (or ``$MINENT_BACKGROUND``). The ``faithful`` preset never uses one.
    background_weight : int, default 1
        Each background clause counts this many times.
    memory : str or int, default "2G"
        Memory budget of the run: 400 MB for the runtime, the rest for tables. It sets the size of
        the clause sample (``sample_chars``) and, for ``faithful``, when candidate counts spill.
    **params
        Overrides of the preset's fields (:class:`DiscoveryParams`, or :class:`LexiconParams` for
        ``faithful``).

    Learned state: ``lexicon_`` (the frozen applier, with ``report``), ``report_`` (sizes,
    sample, timings, engine, information per character in bits), and for the general learner
    ``stats_`` (:class:`minent.ngrams.NGramStats` of the clause table), ``clauses_``
    (:class:`minent.clauses.ClauseTable`), ``stage_counts_`` (uses per n-gram id after each
    stage).
    """

    def __init__(self, preset: str = DEFAULT_PRESET, *, jobs: int = 0, engine="local",
                 scheduler: str | None = None, memory=DEFAULT_MEMORY, timeout: float | None = None,
                 background=None, background_weight: int = 1, **params):
        self.preset = preset
        self.background = background
        self.background_weight = background_weight
        self.jobs = jobs
        self.engine = engine
        self.scheduler = scheduler
        self.timeout = timeout
        self.memory = memory
        self.params = dict(params)

    def get_params(self, deep: bool = True) -> dict:
        return {"preset": self.preset, "jobs": self.jobs, "engine": self.engine,
                "scheduler": self.scheduler, "memory": self.memory, "timeout": self.timeout,
                "background": self.background, "background_weight": self.background_weight,
                **self.params}

    def fit(self, texts, progress: Progress | None = None) -> "LexiconLearner":
        """Learn from ``texts`` (a :class:`minent.Corpus`, a str, or a list of lines; read twice,
        so not a one-shot iterator). ``progress(stage, n)`` is called as work is done: stages
        ``clauses`` and ``report`` with bytes (characters for lists) read, ``ngrams`` / ``mdl``
        / ``stage`` with pass numbers."""
        p = preset_params(self.preset, **self.params)
        if not isinstance(texts, (str, list, tuple)) and iter(texts) is texts:
            raise MinentError("learn_lexicon needs a re-iterable input (list, Corpus), not an iterator")
        t_start = time.perf_counter()
        n_bytes = texts.n_bytes if isinstance(texts, Corpus) else _text_size(texts)
        budget = table_budget(self.memory)
        own = isinstance(self.engine, str)
        if own:
            jobs = auto_jobs(self.jobs, n_bytes) if self.engine == "local" else (self.jobs or 2)
            eng = make_engine(self.engine, jobs, self.scheduler, self.timeout)
        else:
            eng = self.engine
        if forks_workers(eng) and not isinstance(p, LexiconParams):
            load_kernels(self.preset, self.params)
        try:
            timings: dict = {}
            if isinstance(p, LexiconParams):
                lex = four_steps(texts, p, progress, eng, budget)
                timings.update(lex.report.pop("timings_s", {}))
                details = lex.report
                t0 = time.perf_counter()
                units = corpus_unit_counts(texts, lex, _stage(progress, "report"), eng)
                timings["report"] = time.perf_counter() - t0
            else:
                lex, units, details = self._learn(texts, p, eng, budget, progress, timings)
        finally:
            if own:
                eng.close()
        info_char, info_lex = units.information()
        timings["total"] = time.perf_counter() - t_start
        self.report_ = {
            "minent_version": __version__,
            "preset": self.preset,
            "parameters": _jsonable(asdict(p)),
            "inputs": list(texts.paths) if isinstance(texts, Corpus) else None,
            "input_bytes": n_bytes,
            "corpus_chars": info_char.chars,
            **details,
            "lexicon_size": len(lex),
            "multi_char_words": int(np.count_nonzero(np.fromiter(map(len, lex.words), np.int64, len(lex)) > 1)),
            "table_budget_bytes": budget,
            "engine": {"name": eng.__class__.__name__, "jobs": getattr(eng, "jobs", 1),
                       "worker_peak_rss_mb": round(getattr(eng, "worker_peak_rss_mb", 0.0), 1),
                       "worker_deaths": getattr(eng, "worker_deaths", 0),
                       "tasks_retried": getattr(eng, "tasks_retried", 0)},
            "information_bits": {"char": info_char.as_dict(), "lexicon": info_lex.as_dict(),
                                 "note": "in-sample: measured on the text the lexicon was learned from"},
            "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
        lex.report = self.report_
        self.lexicon_ = lex
        return self

    def _learn(self, texts, p: DiscoveryParams, eng, budget: int, progress, timings: dict):
        t0 = time.perf_counter()
        max_chars = (p.sample_chars if p.sample_chars is not None
                     else min(SAMPLE_CHARS, budget // BYTES_PER_CLAUSE_CHAR))
        clauses = collect_clauses(texts, p.rules, max_chars, eng, _stage(progress, "clauses"))
        timings["clauses"] = time.perf_counter() - t0
        if len(clauses) == 0:
            raise MinentError("no Chinese text in the input")
        bg, bg_info = select_background(self.background, clauses)
        n_chars = clauses.han_chars
        if p.scale_chars is not None and n_chars < p.scale_chars:
            # a small text's classes come mostly from the background: no suffix merge by class
            p = replace(p, suffix_class_pmi=None)
        if bg is not None:
            merge_background(clauses, bg, self.background_weight)
            n_chars += bg.han_chars * self.background_weight
        scale = 1.0 if p.scale_chars is None else min(1.0, math.sqrt(n_chars / p.scale_chars))
        p = replace(p, mdl_weight=p.mdl_weight * scale)
        passes = ClausePasses(clauses, eng)
        try:
            t0 = time.perf_counter()
            stats, *positions = count_ngrams(passes.chunks, max(p.max_len, p.long_len), p.min_count, progress,
                                             eng, passes.chunks_ref, positions=True)
            timings["ngrams"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            passes.attach(stats, positions)
            timings["candidates"] = time.perf_counter() - t0
            stage = self._stages(passes, stats, p, progress, timings)
        finally:
            passes.close()
        # the last pass reads the whole input: uses of each entry, information per character
        t0 = time.perf_counter()
        ids = np.nonzero(stage["final"] > 0)[0]
        learned = _plain_lexicon(stats, ids, stage["final"][ids], p.rules)
        units = corpus_unit_counts(texts, learned, _stage(progress, "report"), eng)
        uses = np.zeros(len(stats), np.int64)
        uses[ids] = units.uses
        if uses.sum() == 0:  # nothing of the sample was used (cannot happen unless the input changed)
            uses[ids] = stage["final"][ids]
        lex = make_lexicon(stats, uses, p.rules)
        timings["report"] = time.perf_counter() - t0
        L = stats.lengths
        details = {
            "han_chars": clauses.han_chars,
            "background": bg_info,
            "small_corpus_scale": {"chars": int(n_chars), "factor": round(scale, 4),
                                   "mdl_weight": round(p.mdl_weight, 4)},
            "clauses": {"distinct": len(clauses), "chars": clauses.chars,
                        "weighted_chars": clauses.weighted_chars, "max_chars": max_chars,
                        "sample_level": clauses.level, "sample_rate": clauses.rate},
            "ngram_entries": len(stats),
            "ngram_table_mb": round(stats.nbytes / 2**20, 1),
            **{f"{k}_words": int(((v > 0) & (L > 1)).sum()) for k, v in stage.items()},
            "unused_dropped": int(len(ids) - np.count_nonzero(uses)),
        }
        self.stats_, self.clauses_, self.stage_counts_ = stats, clauses, stage
        return lex, units, details

    @staticmethod
    def _stages(passes: ClausePasses, stats: NGramStats, p: DiscoveryParams, progress,
                timings: dict) -> dict:
        L = stats.lengths
        stage: dict = {}
        union = np.zeros(len(stats), np.int64)
        classes: dict = {}
        t0 = time.perf_counter()
        if p.boundary:
            stage["boundary"] = boundary_counts(passes, stats, p.maximal, p.max_len)
            union += stage["boundary"]
            _tick(progress)
        timings["boundary"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if p.mdl:
            alive = (L == 1) | ((stats.counts >= p.mdl_min_count) & (L <= p.max_len))
            if p.maximal:
                alive &= ~not_maximal(stats)
            if p.mdl_min_pmi is not None:
                alive &= (L == 1) | (min_split_pmi(stats) >= p.mdl_min_pmi)
            stage["mdl"] = mdl_counts(passes, stats, p.mdl_min_count, p.mdl_weight, p.mdl_rounds,
                                      alive=alive, progress=progress)
            keep = (L <= p.mdl_keep_len) if p.mdl_keep_len > 0 else np.ones(len(stats), bool)
            if p.boundary:
                keep &= L > 1  # characters: the boundary stage already has every one it needs
            if p.long_min_pmi is not None:
                with np.errstate(invalid="ignore"):
                    keep |= ((L > max(p.mdl_keep_len, 1)) & (min_split_pmi(stats) >= p.long_min_pmi)
                             & (np.minimum(stats.h_left, stats.h_right) >= p.long_min_entropy))
            union += np.where(keep, stage["mdl"], 0)
        timings["mdl"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        final = reestimate(passes, stats, union, p.reestimate_passes, p.soft_passes)
        _tick(progress)
        if p.affix_min_pmi is not None:
            stage["affix"] = affix_counts(passes, stats, final, p.affix_min_pmi, p.affix_min_count,
                                          p.affix_prefixes)
            final = reestimate(passes, stats, final + stage["affix"], p.reestimate_passes, p.soft_passes)
            _tick(progress)
        if p.min_gain is not None:
            before = final
            final = cohesion_prune(passes, stats, final, p.min_gain, p.reestimate_passes,
                                   p.min_gain_rounds, p.soft_passes)
            _tick(progress)
            if p.class_count > 0:
                t6 = time.perf_counter()
                final = class_cohesion(passes, stats, before, final, p.class_min_gain, p.class_count,
                                       p.class_words, p.class_long_gain, p.late_passes, p.soft_passes,
                                       p.class_long_piece, classes)
                timings["classes"] = time.perf_counter() - t6
                _tick(progress)
        if p.suffix_min_pmi is not None:
            bound = bound_suffixes(passes, stats, final, p.suffix_share, p.suffix_max_free, p.suffix_min_uses)
            stage["suffix"] = affix_counts(passes, stats, final, p.suffix_min_pmi, p.affix_min_count,
                                           suffixes=bound, classes=classes, class_pmi=p.suffix_class_pmi)
            # one pass: the stems give their uses inside the new entries back before the spelled-unit
            # test and stage 7 read the counts
            final = reestimate(passes, stats, final + stage["suffix"], min(1, p.reestimate_passes), p.soft_passes)
            _tick(progress)
        if p.spelled_min_pmi is not None and "mdl" in stage:
            stage["spelled"] = spelled_counts(stats, final, stage["mdl"], p.spelled_min_pmi,
                                              p.spelled_min_entropy)
            # stage 7 starts with passes over these counts; without it, stage 4 again
            final = reestimate(passes, stats, final + stage["spelled"],
                               p.reestimate_passes if p.bigram_rounds == 0 else 0, p.soft_passes)
            _tick(progress)
        t7 = time.perf_counter()
        if p.bigram_rounds > 0:
            low = (None if p.bigram_floor is None else
                   cohesion_prune(passes, stats, final, p.bigram_floor, p.late_passes,
                                  soft=p.soft_passes))
            final = bigram_reestimate(passes, stats, final, p.bigram_beta, p.bigram_rounds, low,
                                      unseen_free=p.bigram_unseen_free)
            _tick(progress)
        timings["bigram"] = time.perf_counter() - t7
        if p.long_len > p.max_len:
            stage["long"] = long_counts(stats, final, p.max_len, p.long_len, p.long_min_count, p.long_ratio)
            final = reestimate(passes, stats, final + stage["long"], p.reestimate_passes)
            _tick(progress)
        if p.prune:
            final = mdl_counts(passes, stats, weight=p.mdl_weight, rounds=p.mdl_rounds,
                               alive=final > 0, init=final, prunable_len=2)
        stage["final"] = final
        timings["reestimate"] = time.perf_counter() - t0 - timings["bigram"]
        return stage


#: Characters of the bundled sample corpus :func:`load_kernels` learns from.
WARM_CHARS = 4000
_kernels_loaded: set = set()


def load_kernels(preset: str = DEFAULT_PRESET, params: dict | None = None) -> None:
    """Learn once, in this process, from the first :data:`WARM_CHARS` characters of the bundled
    sample corpus: every numba kernel the learner's tasks call is then loaded (from numba's cache)
    here, and worker processes forked afterwards inherit it, instead of every worker of every pool
    loading it again (about a second of CPU per worker per run, measured on 1 GB). Once per
    process and preset; skipped when the sample corpus is not installed."""
    key = (preset, tuple(sorted((params or {}).items())))
    if key in _kernels_loaded:
        return
    _kernels_loaded.add(key)
    from .data import sample_corpus
    try:
        with open(sample_corpus(), encoding="utf-8") as fh:
            text = fh.read(WARM_CHARS)
    except (MinentError, OSError):
        return
    try:
        LexiconLearner(preset, jobs=1, background="none", **(params or {})).fit(text.splitlines())
    except MinentError:  # parameters the few sentences cannot satisfy: the run itself will say
        pass


def _tick(progress) -> None:
    if progress:
        progress("stage", 1)


def _stage(progress, name):
    return (lambda n: progress(name, n)) if progress else None


def _text_size(texts) -> int:
    if isinstance(texts, str):
        return len(texts.encode("utf-8", "surrogatepass"))
    return sum(len(t) for t in texts) * 3


def _jsonable(d: dict) -> dict:
    return {k: (int(v) if isinstance(v, Rules) else v) for k, v in d.items()}


def _plain_lexicon(stats: NGramStats, ids: np.ndarray, counts: np.ndarray, rules) -> Lexicon:
    """A :class:`Lexicon` of entries ``ids`` with ``counts`` (no score columns): to segment with."""
    total = int(counts.sum())
    return Lexicon(stats.words(ids), counts, total, None,
                   math.log(0.5 / total), rules)


def make_lexicon(stats: NGramStats, counts: np.ndarray, rules) -> Lexicon:
    """A :class:`Lexicon` of the entries with counts, with its score columns (nats):
    pair_pmi (weakest adjacent pair, n-gram counts), pmi (ln p(w) - sum ln p(c)), fstar
    (p(w)(pmi - 1)), sub_pmi (ln p(w) minus the best split of w into other entries)."""
    ids = np.nonzero(counts > 0)[0]
    order = ids[stats.count_order(ids, counts[ids])]  # as save()
    total = int(counts.sum())
    c, L = counts[order], stats.lengths[order]
    logp = np.log(c / total)
    multi = L > 1
    pmi = np.where(multi, logp + stats.spelling_nats(order), np.nan)
    pair = np.full(len(order), np.nan)
    gaps = np.maximum(L - 1, 0)  # the pairs of adjacent characters inside each entry
    owner = np.repeat(np.arange(len(order)), gaps)
    pos = (np.repeat(stats.starts[order], gaps)
           + np.arange(len(owner)) - np.repeat(np.cumsum(gaps) - gaps, gaps)).astype(np.int64)
    if len(pos):
        np.fmin.at(pair, owner, pair_pmi(stats, pos))
    alt = entry_splits(stats.frozen, order, _logp(counts), math.log(0.5 / total), stats.max_n, MAX_SPLIT)
    scores = {"pair_pmi": pair, "pmi": pmi, "fstar": c / total * (pmi - 1),
              "sub_pmi": np.where(multi, logp - alt, np.nan)}
    return Lexicon(stats.words(order), c, total, scores, math.log(0.5 / total), rules)


def learn_lexicon(texts, preset: str = DEFAULT_PRESET, progress: Progress | None = None, *,
                  jobs: int = 0, engine="local", scheduler: str | None = None,
                  memory=DEFAULT_MEMORY, timeout: float | None = None, background=None, **params) -> Lexicon:
    """Learn a lexicon from raw text — the best minent has, by default:
    ``LexiconLearner(preset, jobs=..., engine=..., memory=..., **params).fit(texts, progress).lexicon_``.

    ``texts``: a :class:`minent.Corpus` (files are then read as byte-range tasks on every core), a
    str, or a list of lines; read twice. ``preset``: ``general`` (default), ``compact`` or
    ``faithful`` (the four steps of method.md §2). The returned lexicon's ``report`` holds the run
    report (sizes, sample, timings, information per character in bits). See
    :class:`LexiconLearner` for the other arguments; :func:`minent.build_lexicon` is the same
    function.
    """
    return LexiconLearner(preset, jobs=jobs, engine=engine, scheduler=scheduler, memory=memory,
                          timeout=timeout, background=background, **params).fit(texts, progress).lexicon_


build_lexicon = learn_lexicon
