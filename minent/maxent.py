"""Maximum-entropy classifier: multinomial logistic regression fitted by penalised likelihood.

Among the conditional models p(y|x) that reproduce the training-set expectations of the feature
functions f_{j,c}(x, y) = x_j [y = c], the one of maximum conditional entropy is

    p(y = c | x) = exp(b_c + sum_j W_cj x_j) / Z(x)

and fitting it by maximum likelihood is the dual of the entropy problem (method.md §6). With a
Gaussian prior N(0, 1/l2) on every weight (not on the intercepts b) the fitted model minimises

    F(W, b) = (1/n) * [ sum_i -ln p(y_i | x_i) + (l2 / 2) * ||W||^2 ]

in nats per training example. This is exactly scikit-learn's ``LogisticRegression`` objective
(``C * sum(loss) + ||W||^2 / 2``) with ``C = 1 / l2``, divided by ``n * C``.

Parametrisation follows scikit-learn too: with two classes the model has one weight vector (for
``classes_[1]``; the other class's weights are fixed at 0, which is an identifiability constraint,
not a loss of generality), with K > 2 classes all K weight vectors are free; the prior makes them
unique (their sum over classes is 0 at the optimum).

Solvers
-------
``lbfgs`` (default): scipy's L-BFGS-B on F and its gradient, computed by numba kernels: X @ W, a
log-sum-exp over classes, X.T @ (P - Y) -- fused in one pass over the rows of X for two classes,
in two passes over the columns of X (a transposed copy) for more classes when there are fewer
texts than features (see ``_Problem``).
``gis``: Generalised Iterative Scaling (Darroch & Ratcliff 1972) for the same objective. With the
constant ``C_gis = max_i sum_j x_ij + 1`` (the "+1" is the intercept feature) every iteration
maximises a lower bound of the penalised likelihood coordinate by coordinate (Chen & Rosenfeld's
Gaussian-prior GIS; no correction feature is needed, since a bound on the feature sum suffices).
It needs non-negative features and is much slower; it is kept for faithfulness and comparison.

Naive-Bayes partner (``nb``)
---------------------------
With ``nb`` on, the classifier's probabilities are the mean of the maximum-entropy model above
and of an NB-LR model (Wang & Manning 2012, "NBSVM", with logistic regression as the linear
model): for each target class c (the second class with two classes, every class otherwise) a
binary logistic model on the features x_j * r_cj, each row then scaled to unit length, where

    r_c = ln((a + p_c) / ||a + p_c||_1) - ln((a + q_c) / ||a + q_c||_1),   a = 1,

p_c (q_c) counting the training rows of class c (of the other classes) in which each feature is
non-zero. With K > 2 classes the K one-vs-rest probabilities are normalised to sum to 1. Each
part has its own prior precision; ``nb="auto"`` (with ``l2="auto"``) keeps the mixture only when
its cross-validated accuracy (both parts at their own chosen l2, on the same folds) beats the
plain model's.

Convergence: both solvers stop when the largest absolute component of the gradient of F is at most
``tol`` (and, from a warm start, at most 1/10 of its starting value; lbfgs also stops,
converged, when F no longer decreases by more than 64 machine epsilons, relative). Reaching
``max_iter`` first, or an L-BFGS line-search failure, emits a :class:`ConvergenceWarning` and
keeps the last iterate.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import numbers
import warnings
import zipfile

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy import optimize

from . import __version__
from .errors import FormatError, InputError, MinentError
from .estimator import (DataError, DataTypeError, Estimator, ParameterError,
                        column_vector_warning)

__all__ = ["MaxEntClassifier", "ConvergenceWarning", "save_model", "load_model"]

MODEL_FORMAT = "minent-maxent"
MODEL_FORMAT_VERSION = 3
# version 1 (minent <= 0.1 before l2="auto"): no l2 / cv fields in "fit"; version 2: no "nb" in
# "fit" and no NB partner arrays. Both still read (as models without an NB partner).
READABLE_VERSIONS = (1, 2, 3)
NB_ALPHA = 1.0  # additive smoothing of the NB log-count ratios


class ConvergenceWarning(UserWarning):
    """A solver stopped (max_iter, line-search failure) before meeting its convergence test."""


# --------------------------------------------------------------------------------------------
# numba kernels: one job each, CSR arrays (indptr int32/int64, indices, float64 or float32 data) in,
# results written into caller-allocated arrays.


@njit(cache=True)
def _loss_grad_binary(indptr, indices, data, y, w, b, grad_w):
    """Binomial negative log-likelihood (nats, summed over rows) and its gradient.

    ``y`` (float64, 0/1) is the indicator of the positive class, ``w`` (d,) the weights, ``b``
    the intercept. Writes X.T @ (sigmoid(z) - y) into ``grad_w`` (overwritten) and returns
    ``(loss, grad_b)``. Stable for any |z|: softplus and sigmoid are evaluated from exp(-|z|).
    """
    grad_w[:] = 0.0
    loss = 0.0
    grad_b = 0.0
    for i in range(indptr.shape[0] - 1):
        z = b
        for p in range(indptr[i], indptr[i + 1]):
            z += data[p] * w[indices[p]]
        if z >= 0.0:
            e = math.exp(-z)
            softplus = z + math.log1p(e)
            prob = 1.0 / (1.0 + e)
        else:
            e = math.exp(z)
            softplus = math.log1p(e)
            prob = e / (1.0 + e)
        loss += softplus - y[i] * z
        r = prob - y[i]
        grad_b += r
        for p in range(indptr[i], indptr[i + 1]):
            grad_w[indices[p]] += data[p] * r
    return loss, grad_b


@njit(cache=True)
def _loss_grad_multinomial(indptr, indices, data, y, W, b, grad_W, grad_b):
    """Multinomial negative log-likelihood (nats, summed over rows) and its gradient.

    ``y`` (int64) holds class indices, ``W`` is (d, K) C-ordered so a feature's K weights are
    adjacent, ``b`` (K,). Writes X.T @ (P - Y) into ``grad_W`` and sum(P - Y) into ``grad_b``
    (both overwritten); returns the loss. Log-sum-exp with the row maximum subtracted.
    """
    K = W.shape[1]
    grad_W[:, :] = 0.0
    grad_b[:] = 0.0
    z = np.empty(K)
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        for k in range(K):
            z[k] = b[k]
        for p in range(indptr[i], indptr[i + 1]):
            x = data[p]
            j = indices[p]
            for k in range(K):
                z[k] += x * W[j, k]
        zmax = z[0]
        for k in range(1, K):
            if z[k] > zmax:
                zmax = z[k]
        z_true = z[y[i]]
        s = 0.0
        for k in range(K):
            z[k] = math.exp(z[k] - zmax)
            s += z[k]
        loss += zmax + math.log(s) - z_true
        for k in range(K):
            z[k] /= s
            grad_b[k] += z[k]
        z[y[i]] -= 1.0
        grad_b[y[i]] -= 1.0
        for p in range(indptr[i], indptr[i + 1]):
            x = data[p]
            j = indices[p]
            for k in range(K):
                grad_W[j, k] += x * z[k]
    return loss


@njit(cache=True)
def _scores_by_column(tptr, tidx, tdata, W, b, Z):
    """Z = X @ W + b, reading X by columns (the CSR arrays of X.T); Z (n, K) is overwritten.

    Column order streams through W once and keeps the random accesses in Z, which is the smaller
    array when there are fewer texts than features (the usual case for text).
    """
    n, K = Z.shape
    for i in range(n):
        for k in range(K):
            Z[i, k] = b[k]
    for j in range(tptr.shape[0] - 1):
        for p in range(tptr[j], tptr[j + 1]):
            x = tdata[p]
            i = tidx[p]
            for k in range(K):
                Z[i, k] += x * W[j, k]


@njit(cache=True)
def _softmax_residual(Z, y):
    """Turn scores Z (n, K) into residuals P - Y in place; return the summed -ln p(y_i|x_i).

    ``y`` (int64) holds class indices. Log-sum-exp with the row maximum subtracted.
    """
    n, K = Z.shape
    loss = 0.0
    for i in range(n):
        zmax = Z[i, 0]
        for k in range(1, K):
            if Z[i, k] > zmax:
                zmax = Z[i, k]
        z_true = Z[i, y[i]]
        s = 0.0
        for k in range(K):
            Z[i, k] = math.exp(Z[i, k] - zmax)
            s += Z[i, k]
        loss += zmax + math.log(s) - z_true
        for k in range(K):
            Z[i, k] /= s
        Z[i, y[i]] -= 1.0
    return loss


@njit(cache=True)
def _gradient_by_column(tptr, tidx, tdata, R, G):
    """G = X.T @ R from the CSR arrays of X.T; R (n, K), G (d, K) overwritten."""
    K = R.shape[1]
    for j in range(tptr.shape[0] - 1):
        for k in range(K):
            G[j, k] = 0.0
        for p in range(tptr[j], tptr[j + 1]):
            x = tdata[p]
            i = tidx[p]
            for k in range(K):
                G[j, k] += x * R[i, k]


@njit(cache=True)
def _gis_deltas(emp, model, w, l2, C, out):
    """GIS step for each coordinate: the delta maximising the Gaussian-prior lower bound.

    Solves ``emp - model * exp(C * delta) - l2 * (w + delta) = 0`` for every element (all 1-D
    float64 arrays, sums over the training set), writing delta into ``out``. The left side is
    concave and decreasing in delta, so Newton's method started to the right of the root converges
    monotonically; the start is either delta = 0 or the point where model * exp(C delta) equals
    emp - l2 * w, both of which keep exp() finite. With ``l2 == 0`` this is the classic
    ``ln(emp / model) / C``; a coordinate with ``emp == 0`` (its optimum is -inf) or ``model == 0``
    is then left unchanged.
    """
    for k in range(emp.shape[0]):
        e_k = emp[k]
        m_k = model[k]
        w_k = w[k]
        if l2 == 0.0:
            if e_k > 0.0 and m_k > 0.0:
                out[k] = math.log(e_k / m_k) / C
            else:
                out[k] = 0.0
            continue
        if m_k <= 0.0:
            out[k] = e_k / l2 - w_k
            continue
        # u = C * delta; g(u) = e_k - m_k exp(u) - l2 (w_k + u / C)
        if e_k - m_k - l2 * w_k <= 0.0:
            u = 0.0
        else:
            u = math.log((e_k - l2 * w_k) / m_k)
        for _ in range(100):
            ex = m_k * math.exp(u)
            g = e_k - ex - l2 * (w_k + u / C)
            step = g / (ex + l2 / C)
            u += step
            if abs(step) <= 1e-12 * (1.0 + abs(u)):
                break
        out[k] = u / C


# --------------------------------------------------------------------------------------------
# validation helpers


def _as_csr(X, name="X") -> sp.csr_matrix:
    """X as a float CSR matrix with sorted indices and finite values; clear errors otherwise."""
    if sp.issparse(X):
        X = X.tocsr()
    else:
        try:
            X = np.asarray(X)
        except ValueError as exc:  # ragged nested lists
            raise DataError(f"{name} must be a 2-D numeric matrix ({exc})") from None
        if X.ndim != 2:
            raise DataError(f"{name} must be a 2-D matrix (n_samples, n_features), got shape "
                            f"{X.shape}. Reshape your data, e.g. x.reshape(-1, 1) for a single "
                            f"feature or x.reshape(1, -1) for a single sample")
    if np.iscomplexobj(X):
        raise DataError(f"Complex data not supported: {name} must hold real numbers")
    # float32 stays float32 (hashed text features on large sets: half the memory; the kernels
    # compute in float64); everything else becomes float64
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    try:
        X = sp.csr_matrix(X, dtype=dtype)
    except TypeError as exc:
        raise DataTypeError(f"{name} must be numeric ({exc})") from None
    except ValueError as exc:
        raise DataError(f"{name} must be numeric ({exc})") from None
    if X.shape[1] == 0:
        raise DataError(f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                        f"required.")
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    if not np.all(np.isfinite(X.data)):
        raise DataError(f"{name} contains NaN or infinite values (inf / NaN are not features)")
    return X


def _as_labels(y, n):
    """y as a 1-D array of n class labels (a column vector is flattened with a warning)."""
    if y is None:
        raise DataError("MaxEntClassifier requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        column_vector_warning()
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n:
        raise DataError(f"y should be a 1d array with one label per row of X ({n}), "
                        f"got shape {y.shape}")
    if y.dtype.kind == "c" or (y.dtype.kind == "f" and not (np.all(np.isfinite(y))
                                                             and np.all(y == np.round(y)))):
        raise DataError("Unknown label type: continuous values in y; a classifier needs class "
                        "labels (integers or strings)")
    return y


def _kernel_arrays(X):
    """CSR arrays for the kernels: indptr and indices viewed as *unsigned* integers.

    Unsigned indices spare numba the negative-index wrap-around test on every ``w[indices[p]]``,
    which halves the time of the gather/scatter loops.
    """
    def unsigned(a):
        a = np.ascontiguousarray(a)
        if a.dtype == np.int32 or (a.dtype == np.int64 and a.size and a.max() < 2**31):
            return a.astype(np.int32, copy=False).view(np.uint32)
        return a.astype(np.int64, copy=False).view(np.uint64)
    data = X.data if X.data.dtype == np.float32 else X.data.astype(np.float64, copy=False)
    return unsigned(X.indptr), unsigned(X.indices), np.ascontiguousarray(data)


def stratified_folds(y_idx, k, seed=0):
    """Fold number (0..k-1) of every example: a fixed-seed shuffle, then each class dealt round
    robin, so every fold holds each class in proportion (deterministic for a given seed)."""
    order = np.random.default_rng(seed).permutation(len(y_idx))
    order = order[np.argsort(y_idx[order], kind="stable")]
    rank = np.empty(len(y_idx), dtype=np.int64)
    starts = np.searchsorted(y_idx[order], y_idx[order], side="left")
    rank[order] = np.arange(len(y_idx)) - starts
    return rank % k


def nb_log_ratios(X, y_idx, n_targets, alpha=NB_ALPHA):
    """NB log-count ratios, shape (T, d): one row per target class (class 1 when ``n_targets``
    is 1, every class otherwise); see the module doc. Counts are of rows where a feature is
    non-zero."""
    n, d = X.shape
    K = int(y_idx.max()) + 1
    presence = sp.csr_matrix((np.ones(X.nnz), X.indices, X.indptr), shape=X.shape)
    presence.data[X.data == 0] = 0.0
    by_class = sp.csr_matrix((np.ones(n), (y_idx, np.arange(n))), shape=(K, n))
    counts = (by_class @ presence).toarray()  # (K, d)
    total = counts.sum(axis=0)
    targets = [1] if n_targets == 1 else range(K)
    out = np.empty((len(targets), d))
    for t, c in enumerate(targets):
        p = alpha + counts[c]
        q = alpha + (total - counts[c])
        out[t] = np.log(p / p.sum()) - np.log(q / q.sum())
    return out


def _nb_scaled(X, r):
    """CSR X with column j scaled by r[j], then every row scaled to unit length (float64)."""
    from .features import _unit_rows
    Z = sp.csr_matrix((X.data.astype(np.float64) * r[X.indices], X.indices.copy(),
                       X.indptr.copy()), shape=X.shape)
    _unit_rows(Z.indptr, Z.data)
    return Z


def _nb_proba(scores):
    """Class probabilities (n, K) from the NB part's scores (n, T): the sigmoid for two classes;
    one-vs-rest sigmoids normalised to sum to 1 otherwise."""
    from scipy.special import expit
    s = expit(scores)
    if s.shape[1] == 1:
        return np.column_stack([1.0 - s[:, 0], s[:, 0]])
    return s / s.sum(axis=1, keepdims=True)


def _softmax_rows(z):
    """Class probabilities (n, K) from maxent scores (n, 1: two classes, or n, K)."""
    if z.shape[1] == 1:
        z = np.column_stack([np.zeros(len(z)), z[:, 0]])
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# Prior precisions tried by l2="auto", as multiples of the mean squared row norm of X (1 for the
# default unit rows), so one grid fits counts and unit rows alike; the warm-started path runs
# from the strongest. Cross-validated optima on the benchmark training sets: 0.003-0.03.
L2_GRID = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001)


@contextlib.contextmanager
def _quiet():
    """Silence ConvergenceWarning (fits whose result is only a warm start or a CV score)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _best_candidate(probas, heldout, grid):
    """(index of the best candidate, {l2: mean accuracy}) over the candidates every fold reached
    (first maximum: the largest l2 among ties)."""
    reached = min(len(p) for p in probas)
    mean = [float(np.mean([np.mean(np.argmax(p[j], axis=1) == y) for p, y in zip(probas, heldout)]))
            for j in range(reached)]
    chosen = int(np.argmax(mean))
    return chosen, {grid[j]: mean[j] for j in range(reached)}


class MaxEntClassifier(Estimator):
    """Maximum-entropy (multinomial logistic) classifier on sparse feature matrices.

    Parameters
    ----------
    l2 : float or "auto", default "auto"
        Strength of the Gaussian prior on the weights: precision 1/sigma^2, i.e. the objective adds
        ``l2 / 2 * ||W||^2`` to the summed negative log-likelihood (nats). ``l2 = 1 / C`` for
        scikit-learn's ``LogisticRegression(C=...)``. 0 means plain maximum likelihood.
        ``"auto"`` picks the candidate with the best mean accuracy over ``cv`` stratified folds
        of the training data (ties: the larger l2), see :meth:`fit`.
    nb : bool or "auto", default "auto"
        Average the probabilities with those of a naive-Bayes-scaled logistic model (NB-LR, see
        the module doc). ``"auto"``: decided by the cross-validation of ``l2="auto"`` (kept when
        the mixture's accuracy beats the plain model's; with a given l2 there is no
        cross-validation and no mixing). ``True`` with a given l2 uses it for both parts.
    l2_grid : tuple of float, default L2_GRID
        Candidates for ``l2="auto"``, in units of the mean squared Euclidean length of the rows
        of X (so 1.0 means l2 = 1 for unit rows, l2 = 400 for rows of squared length 400);
        tried from the largest down, each fit warm-started from the previous one.
    cv : int, default 5
        Folds for ``l2="auto"`` (fewer when a class has fewer examples; with fewer than 2 per
        class the largest candidate is used without cross-validation).
    solver : {"lbfgs", "gis"}, default "lbfgs"
        L-BFGS-B (scipy) or Generalised Iterative Scaling (needs non-negative features).
    max_iter : int, default 200
        Maximum number of solver iterations (per fit of the path).
    tol : float, default 1e-4
        Stop when max |gradient| of the per-example objective F (nats per example) is <= tol
        (the same test and scale as scikit-learn's lbfgs ``tol``); see the module doc.
    fit_intercept : bool, default True
        Fit an unpenalised bias per class (an always-on feature).
    lbfgs_memory : int, default 10
        Number of correction pairs kept by L-BFGS.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
        Class labels, sorted.
    coef_ : ndarray of shape (1, d) for two classes, (K, d) otherwise
        Weights (nats per unit of feature value).
    intercept_ : ndarray of shape (1,) or (K,)
    l2_ : float
        The prior precision of the final fit (``l2`` itself, or the one chosen by "auto").
    cv_accuracy_ : dict float -> float or None
        With ``l2="auto"``: mean validation accuracy of every candidate (as an l2 value, scaled)
        evaluated on all folds.
    nb_ratios_, nb_coef_, nb_intercept_ : ndarray of shape (T, d), (T, d), (T,), or None
        The NB partner (T = 1 for two classes, K otherwise): log-count ratios and the weights of
        its binary models; None when no partner is used.
    nb_l2_ : float or None
        Prior precision of the NB partner.
    nb_cv_accuracy_ : dict float -> float or None
        Cross-validated accuracy of the NB partner alone per l2 (``nb`` not False, l2 "auto").
    mix_cv_accuracy_ : float or None
        Cross-validated accuracy of the mixture (both parts at their chosen l2).
    n_features_in_ : int
    n_iter_ : int
        Iterations run by the final fit.
    objective_ : float
        Final value of F (nats per training example, prior included).
    converged_ : bool
        Whether the convergence test was met (otherwise a ConvergenceWarning was emitted).
    """

    _fitted_attr = "coef_"

    def __init__(self, l2="auto", *, nb="auto", l2_grid=L2_GRID, cv=5, solver="lbfgs",
                 max_iter=200, tol=1e-4, fit_intercept=True, lbfgs_memory=10):
        self.l2 = l2
        self.nb = nb
        self.l2_grid = l2_grid
        self.cv = cv
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.lbfgs_memory = lbfgs_memory

    def _tags(self):
        return {"estimator_type": "classifier", "requires_y": True, "input_sparse": True}

    def _check_params(self):
        def positive_real(v, zero_ok):
            return (isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
                    and (v >= 0 if zero_ok else v > 0))
        if not (self.l2 == "auto" if isinstance(self.l2, str) else positive_real(self.l2, True)):
            raise ParameterError(f"l2 must be 'auto' or a finite number >= 0, got {self.l2!r}")
        if not (self.nb == "auto" if isinstance(self.nb, str) else
                isinstance(self.nb, (bool, np.bool_))):
            raise ParameterError(f"nb must be True, False or 'auto', got {self.nb!r}")
        grid = self.l2_grid
        if not (isinstance(grid, (tuple, list)) and grid and all(positive_real(v, True) for v in grid)):
            raise ParameterError(f"l2_grid must be a non-empty tuple of numbers >= 0, got {grid!r}")
        if not (isinstance(self.cv, (int, np.integer)) and not isinstance(self.cv, bool)
                and self.cv >= 2):
            raise ParameterError(f"cv must be an integer >= 2, got {self.cv!r}")
        if self.solver not in ("lbfgs", "gis"):
            raise ParameterError(f"solver must be 'lbfgs' or 'gis', got {self.solver!r}")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ParameterError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")
        if not positive_real(self.tol, False):
            raise ParameterError(f"tol must be a finite number > 0, got {self.tol!r}")
        if not (isinstance(self.lbfgs_memory, (int, np.integer)) and self.lbfgs_memory >= 1):
            raise ParameterError(f"lbfgs_memory must be an integer >= 1, got {self.lbfgs_memory!r}")

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X, y, callback=None):
        """Fit the model to a sparse matrix ``X`` (n, d) and labels ``y`` (n,); returns self.

        With ``l2="auto"`` every fold of a stratified ``cv``-fold split (fixed seed) runs the
        warm-started path over ``l2_grid`` from the strongest prior down, scoring accuracy on
        its held-out part; a fold's path stops early after two candidates in a row without a new
        best accuracy. The candidate with the best mean accuracy over the folds
        that reached it wins; the model is then fitted on all of X along the path down to it.
        With ``nb`` not False the NB-LR partner does the same on the same folds (its own path
        over ``l2_grid``, unscaled: its rows have unit length); ``nb="auto"`` keeps it when the
        mixture of both parts, each at its chosen l2, has the better mean fold accuracy.

        ``callback(iteration, objective)``, if given, is called after every iteration of the
        final fit (objective in nats per example), e.g. to drive a progress bar.
        """
        self._check_params()
        X = _as_csr(X)
        y = _as_labels(y, X.shape[0])
        if X.shape[0] < 2:
            raise DataError(f"need at least 2 examples to train, got {X.shape[0]} sample(s) "
                            f"(n_samples = {X.shape[0]})")
        try:
            classes, y_idx = np.unique(y, return_inverse=True)
        except TypeError:
            raise DataError("y mixes label types that cannot be sorted (e.g. numbers and "
                            "strings)") from None
        if len(classes) < 2:
            raise DataError(f"need at least two classes to train, found only one class "
                            f"({classes[0]!r})")
        if self.solver == "gis" and X.nnz and X.data.min() < 0:
            raise DataError("solver 'gis' needs non-negative feature values; use solver='lbfgs'")
        n_coef = 1 if len(classes) == 2 else len(classes)
        y_idx = y_idx.ravel()
        self.nb_cv_accuracy_ = self.mix_cv_accuracy_ = None
        if self.l2 == "auto":
            path, self.cv_accuracy_, nb_path = self._cross_validate(X, y_idx, n_coef)
        else:
            path, self.cv_accuracy_ = [float(self.l2)], None
            nb_path = path if self.nb is True else None
        problem = _Problem(X, y_idx, n_coef, path[0], bool(self.fit_intercept))
        theta, n_iter, converged = self._fit_path(problem, path, callback)
        self.nb_ratios_ = self.nb_coef_ = self.nb_intercept_ = self.nb_l2_ = None
        if nb_path is not None:
            self._fit_nb(X, y_idx, n_coef, nb_path)
        W, b = problem.unpack(theta)
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = b.copy()
        self.l2_ = path[-1]
        self.n_features_in_ = X.shape[1]
        self.n_iter_ = int(n_iter)
        self.objective_ = float(problem.value_and_grad(theta)[0])
        self.converged_ = bool(converged)
        return self

    def _fit_path(self, problem, path, callback=None, theta=None):
        """Warm-started fits along ``path`` (prior precisions, strongest first); returns the last
        fit's (theta, n_iter, converged). Only the last fit may warn."""
        theta = np.zeros(problem.size) if theta is None else theta
        for l2 in path[:-1]:
            problem.l2 = l2
            with _quiet():
                theta = self._solve(problem, theta, None)[0]
        problem.l2 = path[-1]
        return self._solve(problem, theta, callback)

    def _fit_nb(self, X, y_idx, n_coef, path):
        """The NB partner on all of X along ``path``: sets nb_ratios_, nb_coef_, nb_intercept_."""
        self.nb_ratios_ = nb_log_ratios(X, y_idx, n_coef)
        targets = [1] if n_coef == 1 else range(n_coef)
        coef, intercept = [], []
        for t, c in enumerate(targets):
            problem = _Problem(_nb_scaled(X, self.nb_ratios_[t]), (y_idx == c).astype(np.int64), 1,
                               path[0], bool(self.fit_intercept))
            W, b = problem.unpack(self._fit_path(problem, path)[0])
            coef.append(W[:, 0].copy())
            intercept.append(b[0])
        self.nb_coef_ = np.array(coef)
        self.nb_intercept_ = np.array(intercept, dtype=np.float64)
        self.nb_l2_ = float(path[-1])

    def _solve(self, problem, theta0, callback):
        """One fit from ``theta0``; returns (theta, n_iter, converged), warning if not converged.

        From a warm start (theta0 not all zero, the optimum of a stronger prior) the gradient
        starts near 0, at (l2_before - l2) / n * w, which can already be below ``tol``: the
        fit would stop at once and every l2 of a path would give the same model. So a warm
        start must also shrink max |gradient| to 1/10 of its starting value.
        """
        tol = float(self.tol)
        if theta0.any():
            tol = min(tol, 0.1 * float(np.max(np.abs(problem.value_and_grad(theta0)[1]))))
        fit = _fit_lbfgs if self.solver == "lbfgs" else _fit_gis
        theta, n_iter, converged, message = fit(problem, theta0, self, callback, max(tol, 1e-12))
        if not converged:
            warnings.warn(f"maxent {self.solver} stopped before convergence after {n_iter} "
                          f"iterations at l2 = {problem.l2:g} ({message}); raise max_iter or tol",
                          ConvergenceWarning, stacklevel=3)
        return theta, n_iter, converged

    def _cross_validate(self, X, y_idx, n_coef, patience=2):
        """``(path, {l2: mean accuracy}, nb_path)``: the l2 path to refit along (ending at the
        chosen l2), the plain model's CV accuracies, and the NB partner's path (None: no partner).

        With ``nb`` not False the NB partner's path runs on the same folds; its accuracies and the
        mixture's go to ``nb_cv_accuracy_`` and ``mix_cv_accuracy_``.
        """
        scale = float(X.multiply(X).sum()) / X.shape[0] or 1.0  # mean squared row length
        grid = sorted({float(f"{v * scale:.10g}") for v in self.l2_grid}, reverse=True)
        nb_grid = sorted({float(v) for v in self.l2_grid}, reverse=True)  # NB rows: unit length
        k = min(int(self.cv), int(np.bincount(y_idx).min()))
        if k < 2 or len(grid) == 1:
            return grid[:1], None, (nb_grid[:1] if self.nb is True else None)
        folds = stratified_folds(y_idx, k)
        plain = [[] for _ in range(k)]  # per fold: held-out probabilities per candidate reached
        nb = [[] for _ in range(k)]
        with _quiet():
            for f in range(k):
                train, held = folds != f, folds == f
                Xt, yt, Xh, yh = X[train], y_idx[train], X[held], y_idx[held]
                problem = _Problem(Xt, yt, n_coef, grid[0], bool(self.fit_intercept))
                self._cv_path([problem], [Xh], yh, grid, patience, _softmax_rows, plain[f])
                if self.nb is not False:
                    r = nb_log_ratios(Xt, yt, n_coef)
                    targets = [1] if n_coef == 1 else range(n_coef)
                    problems = [_Problem(_nb_scaled(Xt, r[t]), (yt == c).astype(np.int64), 1,
                                         nb_grid[0], bool(self.fit_intercept))
                                for t, c in enumerate(targets)]
                    self._cv_path(problems, [_nb_scaled(Xh, r[t]) for t in range(len(r))], yh,
                                  nb_grid, patience, _nb_proba, nb[f])
        heldout = [y_idx[folds == f] for f in range(k)]
        chosen, accuracy = _best_candidate(plain, heldout, grid)
        if self.nb is False:
            return grid[: chosen + 1], accuracy, None
        nb_chosen, self.nb_cv_accuracy_ = _best_candidate(nb, heldout, nb_grid)
        self.mix_cv_accuracy_ = float(np.mean([
            np.mean(np.argmax(plain[f][chosen] + nb[f][nb_chosen], axis=1) == heldout[f])
            for f in range(k)]))
        use_nb = self.nb is True or self.mix_cv_accuracy_ > accuracy[grid[chosen]]
        return grid[: chosen + 1], accuracy, (nb_grid[: nb_chosen + 1] if use_nb else None)

    def _cv_path(self, problems, held_X, held_y, grid, patience, to_proba, out):
        """One fold's warm-started path: fit every problem (one column of scores each, or one
        multinomial problem) at each l2 of ``grid``; append held-out probabilities to ``out``;
        stop after ``patience`` candidates in a row without a new best accuracy."""
        thetas = [np.zeros(p.size) for p in problems]
        best, stale = -1.0, 0
        for l2 in grid:
            scores = []
            for t, problem in enumerate(problems):
                problem.l2 = l2
                thetas[t] = self._solve(problem, thetas[t], None)[0]
                W, b = problem.unpack(thetas[t])
                scores.append(np.asarray(held_X[t] @ W) + b)
            out.append(to_proba(np.hstack(scores)))
            acc = float(np.mean(np.argmax(out[-1], axis=1) == held_y))
            best, stale = (acc, 0) if acc > best else (best, stale + 1)
            if stale >= patience:
                break

    # -- prediction ------------------------------------------------------------------------

    def decision_function(self, X):
        """Scores (nats): (n,) for two classes, (n, K) otherwise. Without an NB partner
        z = X @ coef_.T + intercept_; with one, the log of the mixed probabilities (two classes:
        ln p1 - ln p0), so that predictions are the largest scores either way."""
        X = self._checked_X(X)
        if self.nb_coef_ is not None:
            lp = self._log_proba(X)
            return lp[:, 1] - lp[:, 0] if lp.shape[1] == 2 else lp
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        return z[:, 0] if z.shape[1] == 1 else z

    def _checked_X(self, X):
        self._check_fitted()
        X = _as_csr(X)
        if X.shape[1] != self.n_features_in_:
            raise DataError(f"X has {X.shape[1]} features, but MaxEntClassifier is expecting "
                            f"{self.n_features_in_} features as input")
        return X

    def _log_proba(self, X):
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        if z.shape[1] == 1:
            z = np.column_stack([np.zeros(len(z)), z[:, 0]])
        zmax = z.max(axis=1, keepdims=True)
        lp = z - (zmax + np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)))
        if self.nb_coef_ is None:
            return lp
        scores = np.column_stack([np.asarray(_nb_scaled(X, r) @ w) + b for r, w, b in
                                  zip(self.nb_ratios_, self.nb_coef_, self.nb_intercept_)])
        with np.errstate(divide="ignore"):
            return np.log(0.5 * (np.exp(lp) + _nb_proba(scores)))

    def predict_log_proba(self, X):
        """Natural-log class probabilities, shape (n, K), columns in ``classes_`` order."""
        return self._log_proba(self._checked_X(X))

    def predict_proba(self, X):
        """Class probabilities, shape (n, K), each row summing to 1 (renormalised after exp, so
        rounding in the log-sum-exp of very large scores does not show)."""
        P = np.exp(self.predict_log_proba(X))
        return P / P.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class per row (ties go to the first class in ``classes_``)."""
        best = np.argmax(self.predict_log_proba(X), axis=1)
        return self.classes_[best]

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y`` (weighted by ``sample_weight`` if given)."""
        hits = self.predict(X) == _as_labels(y, X.shape[0])
        return float(np.average(hits, weights=sample_weight))

    # -- files -----------------------------------------------------------------------------

    def save(self, path, features=None):
        """Write the model (and optionally its :class:`~minent.features.TextFeatures`) to ``path``."""
        save_model(path, self, features)

    @classmethod
    def load(cls, path):
        """Read a model written by :meth:`save` (its features, if any, are in ``features_``)."""
        clf, features = load_model(path)
        clf.features_ = features
        return clf


class _Problem:
    """The objective F of a fit: data in kernel form, and theta <-> (W (d, n_coef), b) packing."""

    def __init__(self, X, y_idx, n_coef, l2, fit_intercept):
        self.X = X
        self.indptr, self.indices, self.data = _kernel_arrays(X)
        self.n, self.d = X.shape
        # K > 2: column-order kernels when the (n, K) scores are the smaller array to scatter
        # into (measured 3.5x faster on THUCNews titles); the fused row kernel otherwise
        self.by_column = n_coef > 1 and self.n <= self.d
        if self.by_column:
            self.t_arrays = _kernel_arrays(X.T.tocsr())
            self.scores = np.empty((self.n, n_coef))
        self.n_coef = n_coef
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.size = self.d * n_coef + (n_coef if fit_intercept else 0)
        if n_coef == 1:
            self.y = (y_idx == 1).astype(np.float64)
        else:
            self.y = y_idx.astype(np.int64)
        self.zero_b = np.zeros(n_coef)

    def unpack(self, theta):
        W = theta[: self.d * self.n_coef].reshape(self.d, self.n_coef)
        b = theta[self.d * self.n_coef:] if self.fit_intercept else self.zero_b
        return W, b

    def loss_and_raw_grad(self, theta):
        """Summed loss (nats) and X.T @ (P - Y), sum(P - Y) packed like theta (no prior).

        The gradient is a new array (scipy's L-BFGS keeps references to earlier ones).
        """
        W, b = self.unpack(theta)
        grad = np.empty(self.size)
        gW = grad[: self.d * self.n_coef].reshape(self.d, self.n_coef)
        if self.n_coef == 1:
            loss, gb = _loss_grad_binary(self.indptr, self.indices, self.data, self.y,
                                         W[:, 0], b[0], gW[:, 0])
            gb = np.array([gb])
        elif self.by_column:
            tptr, tidx, tdata = self.t_arrays
            _scores_by_column(tptr, tidx, tdata, W, b, self.scores)
            loss = _softmax_residual(self.scores, self.y)
            _gradient_by_column(tptr, tidx, tdata, self.scores, gW)
            gb = self.scores.sum(axis=0)
        else:
            gb = np.empty(self.n_coef)
            loss = _loss_grad_multinomial(self.indptr, self.indices, self.data, self.y, W, b,
                                          gW, gb)
        if self.fit_intercept:
            grad[self.d * self.n_coef:] = gb
        return loss, grad

    def value_and_grad(self, theta):
        """F(theta) in nats per example and its gradient (a new array)."""
        loss, raw = self.loss_and_raw_grad(theta)
        m = self.d * self.n_coef
        w = theta[:m]
        g = raw
        g *= 1.0 / self.n
        if self.l2:
            g[:m] += (self.l2 / self.n) * w
        return (loss + 0.5 * self.l2 * float(w @ w)) / self.n, g


def _one_blas_thread():
    """Limit BLAS to one thread while L-BFGS runs, when threadpoolctl is installed.

    scipy's L-BFGS-B does level-1 BLAS on vectors of size d*K; threading them costs more than it
    saves (measured: 2.5x slower on 2 cores), and one thread also makes results independent of
    the core count. Without threadpoolctl this is a no-op.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _fit_lbfgs(problem, theta0, params, callback, tol):
    state = {"it": 0}

    def on_iter(intermediate_result):
        state["it"] += 1
        if callback is not None:
            callback(state["it"], float(intermediate_result.fun))

    with _one_blas_thread():
        res = optimize.minimize(
            problem.value_and_grad, theta0, jac=True, method="L-BFGS-B", callback=on_iter,
            options={"maxiter": int(params.max_iter), "gtol": tol,
                     "ftol": 64 * np.finfo(float).eps, "maxls": 50,
                     "maxcor": int(params.lbfgs_memory)})
    converged = res.status == 0
    msg = res.message if isinstance(res.message, str) else str(res.message)
    return res.x, res.nit, converged, msg.lower()


def _fit_gis(problem, theta, params, callback, tol):
    """Gaussian-prior GIS; the gradient of F is a by-product, so the test matches lbfgs's."""
    C = float(problem.X.sum(axis=1).max()) + (1.0 if problem.fit_intercept else 0.0)
    if C <= 0:
        raise InputError("solver 'gis' needs at least one non-zero feature value")
    m = problem.d * problem.n_coef
    emp = _empirical_sums(problem)
    delta = np.empty(problem.size)
    n_iter = 0
    while True:
        loss, raw = problem.loss_and_raw_grad(theta)
        if n_iter and callback is not None:
            callback(n_iter, (loss + 0.5 * problem.l2 * float(theta[:m] @ theta[:m])) / problem.n)
        g = raw / problem.n
        g[:m] += (problem.l2 / problem.n) * theta[:m]
        gmax = float(np.max(np.abs(g)))
        if gmax <= tol:
            return theta, n_iter, True, "converged"
        if n_iter >= params.max_iter:
            return theta, n_iter, False, f"max |gradient| {gmax:.3g} > tol"
        model = raw + emp  # X.T @ P and sum(P): the model's feature expectations (sums)
        _gis_deltas(emp[:m], model[:m], theta[:m], problem.l2, C, delta[:m])
        if problem.fit_intercept:
            _gis_deltas(emp[m:], model[m:], theta[m:], 0.0, C, delta[m:])
        theta = theta + delta
        n_iter += 1


def _empirical_sums(problem):
    """X.T @ Y and the class counts, packed like theta (the constraint targets of GIS)."""
    X = problem.X
    if problem.n_coef == 1:
        Y = problem.y[:, None]
    else:
        Y = np.zeros((problem.n, problem.n_coef))
        Y[np.arange(problem.n), problem.y] = 1.0
    out = np.zeros(problem.size)
    out[: problem.d * problem.n_coef] = np.asarray(X.T @ Y).ravel()
    if problem.fit_intercept:
        out[problem.d * problem.n_coef:] = Y.sum(axis=0)
    return out


# --------------------------------------------------------------------------------------------
# model files: a zip (.npz) of .npy arrays plus a plain JSON member; loading runs no code.


def l2_selection(classifier):
    """How a fitted classifier's ``l2_`` was set: "given", "cross-validation", or "strongest
    candidate" (l2="auto" with too few examples per class to cross-validate)."""
    if classifier.cv_accuracy_ is not None:
        return "cross-validation"
    return "strongest candidate" if classifier.l2 == "auto" else "given"


def save_model(path, classifier, features=None):
    """Write a fitted classifier (and optionally the text features it was trained on) to ``path``.

    The file is a zip readable by ``numpy.load(path, allow_pickle=False)``: ``coef.npy``,
    ``intercept.npy``, ``meta.json`` (format, version, labels, parameters, fit summary, feature
    settings) and the members of :meth:`minent.features.TextFeatures.export` (vocabulary, idf,
    the lexicon file behind lexicon-word features).
    Written atomically (a partial file never replaces an existing one).
    """
    from .textio import atomic_write

    classifier._check_fitted()
    labels = [str(c) for c in classifier.classes_]
    meta = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "minent_version": __version__,
        "labels": labels,
        "label_type": "int" if np.issubdtype(classifier.classes_.dtype, np.integer) else "str",
        "params": {k: (v.item() if isinstance(v, np.generic) else v)
                   for k, v in classifier.get_params().items()},
        "fit": {"n_iter": classifier.n_iter_, "objective_nats": classifier.objective_,
                "converged": classifier.converged_, "l2": classifier.l2_,
                "l2_selection": l2_selection(classifier),
                "cv_accuracy": None if classifier.cv_accuracy_ is None else
                [[l2, acc] for l2, acc in classifier.cv_accuracy_.items()],
                "nb": _nb_meta(classifier)},
        "n_features": int(classifier.n_features_in_),
        "features": None,
    }
    members = {}
    if features is not None:
        fmeta, members = features.export()
        if fmeta["n_features"] != classifier.n_features_in_:
            raise MinentError("the features' vocabulary does not match the classifier's width")
        meta["features"] = fmeta
    arrays = [("coef", classifier.coef_), ("intercept", classifier.intercept_)]
    if classifier.nb_coef_ is not None:
        arrays += [("nb_ratios", classifier.nb_ratios_), ("nb_coef", classifier.nb_coef_),
                   ("nb_intercept", classifier.nb_intercept_)]
    with atomic_write(path, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays:
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float64),
                                          allow_pickle=False)
                zf.writestr(name + ".npy", buf.getvalue())
            zf.writestr("meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
            for name, data in members.items():
                zf.writestr(name, data)


def _nb_meta(classifier):
    """The "nb" entry of a model file's "fit": the setting's outcome (used or not, and the CV
    figures behind it)."""
    def pairs(acc):
        return None if acc is None else [[l2, a] for l2, a in acc.items()]
    if classifier.nb_coef_ is None and classifier.nb_cv_accuracy_ is None:
        return {"used": False}
    return {"used": classifier.nb_coef_ is not None, "l2": classifier.nb_l2_,
            "cv_accuracy": pairs(classifier.nb_cv_accuracy_),
            "mix_cv_accuracy": classifier.mix_cv_accuracy_}


def load_model(path):
    """Read a model file; returns ``(classifier, features_or_None)``. Raises FormatError."""
    try:
        npz = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise FormatError(f"{path}: not a minent maxent model ({exc})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise FormatError(f"{path}: not a minent maxent model (a bare .npy array)")
    with npz:
        names = set(npz.files)
        if not {"coef", "intercept", "meta.json"} <= names:
            raise FormatError(f"{path}: not a minent maxent model (missing members)")
        try:
            meta = json.loads(bytes(npz["meta.json"]).decode("utf-8"))
            coef = npz["coef"]
            intercept = npz["intercept"]
            nb_arrays = {name: npz[name] for name in ("nb_ratios", "nb_coef", "nb_intercept")
                         if name in names}
            members = {name: npz[name] for name in names if name.startswith("features_")}
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise FormatError(f"{path}: corrupt model file ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise FormatError(f"{path}: not a minent maxent model (no minent-maxent format tag)")
    if meta.get("format_version") not in READABLE_VERSIONS:
        raise FormatError(f"{path}: unsupported model format version {meta.get('format_version')!r} "
                          f"(this minent reads versions "
                          f"{', '.join(map(str, READABLE_VERSIONS))}; upgrade minent?)")
    try:
        clf = _classifier_from(meta, coef, intercept, nb_arrays)
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{path}: bad model metadata ({exc!r})") from None
    if clf is None:
        raise FormatError(f"{path}: arrays do not match the labels and feature count")
    features = None
    if meta.get("features") is not None:
        from .features import TextFeatures
        try:
            features = TextFeatures.from_export(meta["features"], members)
        except FormatError as exc:
            raise FormatError(f"{path}: {exc}") from None
        except (KeyError, TypeError, ValueError, MinentError) as exc:
            raise FormatError(f"{path}: bad feature settings ({exc})") from None
        if features.n_features_out_ != clf.n_features_in_:
            raise FormatError(f"{path}: feature vocabulary does not match the weights")
    return clf, features


def _classifier_from(meta, coef, intercept, nb_arrays=None):
    """A fitted MaxEntClassifier from model-file metadata and arrays (None if shapes disagree)."""
    labels = [str(c) for c in meta["labels"]]
    K = len(labels)
    n_coef = 1 if K == 2 else K
    d = int(meta["n_features"])
    if K < 2 or len(set(labels)) != K or coef.shape != (n_coef, d) or intercept.shape != (n_coef,):
        return None
    params = {k: v for k, v in meta["params"].items() if k in MaxEntClassifier._param_names()}
    if isinstance(params.get("l2_grid"), list):
        params["l2_grid"] = tuple(params["l2_grid"])
    if meta["format_version"] < 3:  # written before the NB partner existed: never mixed
        params["nb"] = False
    clf = MaxEntClassifier(**params)
    fit = meta["fit"]
    clf.l2_ = float(fit["l2"] if "l2" in fit else params["l2"])  # version 1: l2 was always given
    cv = fit.get("cv_accuracy")
    clf.cv_accuracy_ = None if cv is None else {float(a): float(b) for a, b in cv}
    clf.classes_ = np.array([int(c) for c in labels] if meta.get("label_type") == "int" else labels)
    clf.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
    clf.intercept_ = np.ascontiguousarray(intercept, dtype=np.float64)
    clf.n_features_in_ = d
    clf.n_iter_ = int(meta["fit"]["n_iter"])
    clf.objective_ = float(meta["fit"]["objective_nats"])
    clf.converged_ = bool(meta["fit"]["converged"])
    nb = fit.get("nb") or {"used": False}
    clf.nb_ratios_ = clf.nb_coef_ = clf.nb_intercept_ = clf.nb_l2_ = None
    clf.nb_cv_accuracy_ = None if nb.get("cv_accuracy") is None else \
        {float(a): float(b) for a, b in nb["cv_accuracy"]}
    clf.mix_cv_accuracy_ = None if nb.get("mix_cv_accuracy") is None else float(nb["mix_cv_accuracy"])
    if nb["used"]:
        arrays = nb_arrays or {}
        if not {"nb_ratios", "nb_coef", "nb_intercept"} <= set(arrays):
            return None
        if arrays["nb_ratios"].shape != (n_coef, d) or arrays["nb_coef"].shape != (n_coef, d) \
                or arrays["nb_intercept"].shape != (n_coef,):
            return None
        clf.nb_ratios_, clf.nb_coef_, clf.nb_intercept_ = (
            np.ascontiguousarray(arrays[k], dtype=np.float64)
            for k in ("nb_ratios", "nb_coef", "nb_intercept"))
        clf.nb_l2_ = float(nb["l2"])
    return clf
