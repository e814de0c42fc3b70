"""Word classes from context vectors, and the class-level PMI of a pair of units (issue 15).

The cohesion floor of the learner (:func:`minent.discovery.cohesion_prune`) judges a
two-character entry ab by its gain over the unigram split, ln p(ab) - ln p(a) - ln p(b). A pair
of free words whose *classes* go together (numeral + classifier, demonstrative + numeral, adverb +
verb: 这一, 很大, 都要) saves several nats in that code without being a word, while a lexicalised
pair of two frequent characters whose classes do not (为了: preposition + aspect particle; 等等,
在于) saves little. Under a class-bigram model (Brown et al. 1992) the split a | b costs
ln p(a) + ln p(C(b) | C(a)) + ln p(b | C(b)), so the gain of ab becomes

    gain_class(ab) = gain(ab) - PMI(C(a), C(b)),   PMI(C, D) = ln n(C, D) N / (n(C, .) n(., D))

over the adjacent units of a segmentation (N pairs). The classes come from that segmentation too:
every unit with at least ``min_uses`` uses gets a context vector — the distribution of its left
and of its right neighbour among the ``n_context`` most frequent units (plus "other" and the
clause start), square-rooted (Hellinger) — and a spherical k-means over the ``n_words`` most
frequent units, started from the ``n_classes`` most frequent of them, gives the centroids; every
unit with a vector joins its nearest centroid, the rest share one class.

The pair (a, b) itself is left out of its own class statistic (:func:`class_pair_pmi`): a
lexicalised pair of two small classes would otherwise make its own class pattern look
productive (于是 in the class of 于 and 是).

Everything runs on a pair table (sorted keys u * (V + 2) + w, counts, as
:func:`minent.bigram.bigram_pass` returns) whose size follows the lexicon, not the input, in the
parent process; the products are scipy sparse-by-dense products (no multithreaded BLAS), so the
classes are the same on any machine state and for any number of tasks. The vectors are built in
float64 and kept, with the centroids, in float32 (:data:`VECTOR_DTYPE`): the k-means is bound by
the memory traffic of its products, which this halves (0.19 -> 0.11 s on pd1998's pair table),
and every pd1998 unit got the same class as in float64.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: Class of the units without a context vector (too few uses), relative to ``n_classes``.
RARE = 0
#: Class of the clause start, relative to ``n_classes``.
START = 1
#: Type of the context vectors and centroids.
VECTOR_DTYPE = np.float32


def _hellinger(m: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to sum 1, then square-rooted (empty rows stay empty)."""
    s = np.asarray(m.sum(axis=1)).ravel()
    s[s == 0] = 1.0
    out = (sp.diags(1.0 / s) @ m).tocsr()
    out.data = np.sqrt(out.data)
    return out


def context_vectors(keys: np.ndarray, counts: np.ndarray, uses: np.ndarray, n_context: int,
                    min_uses: int) -> tuple[np.ndarray, sp.csr_matrix]:
    """``(units, X)``: the units (entry ids, ``uses >= min_uses``, ascending) and their context
    vectors, one unit-norm row each: left and right neighbour distributions over the
    ``n_context`` most used units, "other" and the clause start, Hellinger-transformed, halves
    weighted equally. ``keys`` / ``counts``: pair table over V = len(uses) entries (V: an unknown
    character, V + 1: the clause start)."""
    V = len(uses)
    stride = V + 2
    u, w = keys // stride, keys % stride
    order = np.argsort(-uses, kind="stable")
    top = order[:n_context]
    top = top[uses[top] > 0]
    dim = len(top) + 2
    cmap = np.full(stride, len(top), np.int64)  # "other"
    cmap[top] = np.arange(len(top))
    cmap[V + 1] = len(top) + 1  # clause start
    units = np.nonzero(uses >= min_uses)[0]
    row = np.full(stride, -1, np.int64)
    row[units] = np.arange(len(units))
    c = counts.astype(np.float64)
    ok = row[u] >= 0
    right = sp.csr_matrix((c[ok], (row[u[ok]], cmap[w[ok]])), shape=(len(units), dim))
    ok = row[w] >= 0
    left = sp.csr_matrix((c[ok], (row[w[ok]], cmap[u[ok]])), shape=(len(units), dim))
    x = sp.hstack([_hellinger(left), _hellinger(right)]).tocsr()
    norm = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norm[norm == 0] = 1.0
    return units, (sp.diags(1.0 / norm) @ x).tocsr().astype(VECTOR_DTYPE)


def spherical_kmeans(x: sp.csr_matrix, n_classes: int, iters: int) -> np.ndarray:
    """Centroids (unit rows) of a spherical k-means of the rows of ``x``, started from its first
    ``n_classes`` rows; an emptied class keeps its centroid. Ties go to the lower class."""
    k = min(n_classes, x.shape[0])
    cent = x[:k].toarray()
    for _ in range(iters):
        assign = np.asarray(x @ cent.T).argmax(axis=1)
        onehot = sp.csr_matrix((np.ones(len(assign), x.dtype), (assign, np.arange(len(assign)))),
                               shape=(k, x.shape[0]))
        new = np.asarray((onehot @ x).todense())
        norm = np.sqrt((new * new).sum(axis=1))
        filled = norm > 0
        new[filled] /= norm[filled, None]
        new[~filled] = cent[~filled]
        if np.array_equal(new, cent):
            break
        cent = new
    return cent


def word_classes(keys: np.ndarray, counts: np.ndarray, uses: np.ndarray, n_classes: int, n_words: int,
                 n_context: int, min_uses: int, iters: int) -> tuple[np.ndarray, int]:
    """``(cls, k)``: the class of every id 0 .. V + 1 (V = len(uses); see the module doc) — the
    nearest of the k centroids learned on the ``n_words`` most used units with a vector, class
    ``k + RARE`` for units without a vector (and the unknown character V), ``k + START`` for the
    clause start."""
    V = len(uses)
    units, x = context_vectors(keys, counts, uses, n_context, min_uses)
    cls = np.empty(V + 2, np.int64)
    if len(units) == 0:
        cls[:] = RARE
        cls[V + 1] = START
        return cls, 0
    by_use = np.argsort(-uses[units], kind="stable")[:n_words]
    cent = spherical_kmeans(x[by_use], n_classes, iters)
    k = cent.shape[0]
    cls[:] = k + RARE
    cls[units] = np.asarray(x @ cent.T).argmax(axis=1)
    cls[V + 1] = k + START
    return cls, k


def class_pair_pmi(keys: np.ndarray, counts: np.ndarray, cls: np.ndarray, n_cls: int,
                   a: np.ndarray, b: np.ndarray, floor: float = -5.0) -> np.ndarray:
    """PMI(C(a), C(b)) (nats) over the adjacent units of the pair table ``keys`` / ``counts``
    (V + 2 ids, ``cls`` their classes in 0 .. ``n_cls`` - 1), each pair (a[i], b[i]) left out of
    its own statistic: ln (n(C, D) - n(a, b)) N / ((n(C, .) - n(a, b)) (n(., D) - n(a, b))).
    ``floor`` where the class pair is never seen otherwise."""
    stride = len(cls)
    u, w = keys // stride, keys % stride
    c = counts.astype(np.float64)
    table = np.bincount(cls[u] * n_cls + cls[w], weights=c, minlength=n_cls * n_cls).reshape(n_cls, n_cls)
    total = table.sum()
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    key = np.asarray(a, np.int64) * stride + np.asarray(b, np.int64)
    at = np.minimum(np.searchsorted(keys, key), max(len(keys) - 1, 0))
    own = np.where((len(keys) > 0) & (keys[at] == key), c[at] if len(keys) else 0.0, 0.0)
    ca, cb = cls[a], cls[b]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log((table[ca, cb] - own) * total / ((rows[ca] - own) * (cols[cb] - own)))
    return np.where(np.isfinite(out), out, floor)


def class_unit_pmi(keys: np.ndarray, counts: np.ndarray, cls: np.ndarray, a: np.ndarray, v: np.ndarray,
                   floor: float = -5.0) -> np.ndarray:
    """PMI(C(a), v) (nats) over the adjacent units of the pair table ``keys`` / ``counts`` (V + 2
    ids, ``cls`` their classes): ln n(C(a), v) N / (n(C(a), .) n(., v)) — how much more often the
    unit v follows the class of a than it follows units at large (市 after the class of 北京 上海,
    人 after that of 领导 负责). ``floor`` where C(a) is never followed by v."""
    stride = len(cls)
    u, w = keys // stride, keys % stride
    c = counts.astype(np.float64)
    joint = cls[u] * stride + w
    order = np.argsort(joint, kind="stable")
    uniq, first = np.unique(joint[order], return_index=True)
    sums = np.add.reduceat(c[order], first) if len(first) else np.zeros(0)
    rows = np.bincount(cls[u], weights=c, minlength=int(cls.max()) + 1 if len(cls) else 1)
    cols = np.bincount(w, weights=c, minlength=stride)
    total = c.sum()
    a, v = np.asarray(a, np.int64), np.asarray(v, np.int64)
    q = cls[a] * stride + v
    at = np.minimum(np.searchsorted(uniq, q), max(len(uniq) - 1, 0))
    n = np.where((len(uniq) > 0) & (uniq[at] == q), sums[at] if len(uniq) else 0.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(n * total / (rows[cls[a]] * cols[v]))
    return np.where(np.isfinite(out), out, floor)
