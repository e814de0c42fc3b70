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

Convergence: both solvers stop when the largest absolute component of the gradient of F is at most
``tol`` (lbfgs also stops, converged, when F no longer decreases by more than 64 machine epsilons,
relative). Reaching ``max_iter`` first, or an L-BFGS line-search failure, emits a
:class:`ConvergenceWarning` and keeps the last iterate.
"""
from __future__ import annotations

import contextlib
import inspect
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

__all__ = ["MaxEntClassifier", "ConvergenceWarning", "save_model", "load_model"]

MODEL_FORMAT = "minent-maxent"
MODEL_FORMAT_VERSION = 1


class ConvergenceWarning(UserWarning):
    """A solver stopped (max_iter, line-search failure) before meeting its convergence test."""


# --------------------------------------------------------------------------------------------
# numba kernels: one job each, CSR arrays (indptr int32/int64, indices, float64 data) in,
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
    """X as a float64 CSR matrix with sorted indices and finite values; clear errors otherwise."""
    if not sp.issparse(X):
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise InputError(f"{name} must be a 2-D matrix, got shape {arr.shape}")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be numeric") from None
        X = sp.csr_matrix(arr)
    X = sp.csr_matrix(X, dtype=np.float64)
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    if not np.all(np.isfinite(X.data)):
        raise InputError(f"{name} contains NaN or infinite values")
    return X


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
    return unsigned(X.indptr), unsigned(X.indices), np.ascontiguousarray(X.data, dtype=np.float64)


class MaxEntClassifier:
    """Maximum-entropy (multinomial logistic) classifier on sparse feature matrices.

    Parameters
    ----------
    l2 : float, default 1.0
        Strength of the Gaussian prior on the weights: precision 1/sigma^2, i.e. the objective adds
        ``l2 / 2 * ||W||^2`` to the summed negative log-likelihood (nats). ``l2 = 1 / C`` for
        scikit-learn's ``LogisticRegression(C=...)``. 0 means plain maximum likelihood.
    solver : {"lbfgs", "gis"}, default "lbfgs"
        L-BFGS-B (scipy) or Generalised Iterative Scaling (needs non-negative features).
    max_iter : int, default 200
        Maximum number of solver iterations.
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
    n_features_in_ : int
    n_iter_ : int
        Iterations run.
    objective_ : float
        Final value of F (nats per training example, prior included).
    converged_ : bool
        Whether the convergence test was met (otherwise a ConvergenceWarning was emitted).
    """

    def __init__(self, l2=1.0, *, solver="lbfgs", max_iter=200, tol=1e-4, fit_intercept=True,
                 lbfgs_memory=10):
        self.l2 = l2
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.lbfgs_memory = lbfgs_memory

    # -- sklearn-style parameter handling -------------------------------------------------

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep=True):
        """Constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor parameters; returns self."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise MinentError(f"unknown parameter {name!r} for MaxEntClassifier")
            setattr(self, name, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"MaxEntClassifier({args})"

    def _check_params(self):
        if not (isinstance(self.l2, numbers.Real) and not isinstance(self.l2, bool)
                and math.isfinite(self.l2) and self.l2 >= 0):
            raise MinentError(f"l2 must be a finite number >= 0, got {self.l2!r}")
        if self.solver not in ("lbfgs", "gis"):
            raise MinentError(f"solver must be 'lbfgs' or 'gis', got {self.solver!r}")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise MinentError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")
        if not (isinstance(self.tol, numbers.Real) and self.tol > 0):
            raise MinentError(f"tol must be > 0, got {self.tol!r}")

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X, y, callback=None):
        """Fit the model to a sparse matrix ``X`` (n, d) and labels ``y`` (n,); returns self.

        ``callback(iteration, objective)``, if given, is called after every solver iteration
        (objective in nats per example), e.g. to drive a progress bar.
        """
        self._check_params()
        X = _as_csr(X)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise InputError(f"y must have one label per row of X ({X.shape[0]}), got shape {y.shape}")
        if X.shape[0] == 0:
            raise InputError("no training examples")
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise InputError(f"need at least two classes to train, found only '{classes[0]}'")
        if self.solver == "gis" and X.nnz and X.data.min() < 0:
            raise InputError("solver 'gis' needs non-negative feature values; use solver='lbfgs'")
        n, d = X.shape
        K = len(classes)
        n_coef = 1 if K == 2 else K
        problem = _Problem(X, y_idx, n_coef, float(self.l2), bool(self.fit_intercept))
        theta0 = np.zeros(problem.size)
        if self.solver == "lbfgs":
            theta, n_iter, converged, message = _fit_lbfgs(problem, theta0, self, callback)
        else:
            theta, n_iter, converged, message = _fit_gis(problem, theta0, self, callback)
        if not converged:
            warnings.warn(f"maxent {self.solver} stopped before convergence after {n_iter} "
                          f"iterations ({message}); raise max_iter or tol", ConvergenceWarning,
                          stacklevel=2)
        W, b = problem.unpack(theta)
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = b.copy()
        self.n_features_in_ = d
        self.n_iter_ = int(n_iter)
        self.objective_ = float(problem.value_and_grad(theta)[0])
        self.converged_ = bool(converged)
        return self

    # -- prediction ------------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise MinentError("this MaxEntClassifier is not fitted yet; call fit() first")

    def decision_function(self, X):
        """Scores z = X @ coef_.T + intercept_ (nats): (n,) for two classes, (n, K) otherwise."""
        self._check_fitted()
        X = _as_csr(X)
        if X.shape[1] != self.n_features_in_:
            raise InputError(f"X has {X.shape[1]} features, the model expects {self.n_features_in_}")
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        return z[:, 0] if z.shape[1] == 1 else z

    def predict_log_proba(self, X):
        """Natural-log class probabilities, shape (n, K), columns in ``classes_`` order."""
        z = self.decision_function(X)
        if z.ndim == 1:
            z = np.column_stack([np.zeros_like(z), z])
        zmax = z.max(axis=1, keepdims=True)
        return z - (zmax + np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)))

    def predict_proba(self, X):
        """Class probabilities, shape (n, K), each row summing to 1 (renormalised after exp, so
        rounding in the log-sum-exp of very large scores does not show)."""
        P = np.exp(self.predict_log_proba(X))
        return P / P.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class per row (ties go to the first class in ``classes_``)."""
        best = np.argmax(self.predict_log_proba(X), axis=1)
        return self.classes_[best]

    def score(self, X, y):
        """Accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

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


def _fit_lbfgs(problem, theta0, params, callback):
    state = {"it": 0}

    def on_iter(intermediate_result):
        state["it"] += 1
        if callback is not None:
            callback(state["it"], float(intermediate_result.fun))

    with _one_blas_thread():
        res = optimize.minimize(
            problem.value_and_grad, theta0, jac=True, method="L-BFGS-B", callback=on_iter,
            options={"maxiter": int(params.max_iter), "gtol": float(params.tol),
                     "ftol": 64 * np.finfo(float).eps, "maxls": 50,
                     "maxcor": int(params.lbfgs_memory)})
    converged = res.status == 0
    msg = res.message if isinstance(res.message, str) else str(res.message)
    return res.x, res.nit, converged, msg.lower()


def _fit_gis(problem, theta, params, callback):
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
        if gmax <= params.tol:
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
                "converged": classifier.converged_},
        "n_features": int(classifier.n_features_in_),
        "features": None,
    }
    members = {}
    if features is not None:
        fmeta, members = features.export()
        if fmeta["n_features"] != classifier.n_features_in_:
            raise MinentError("the features' vocabulary does not match the classifier's width")
        meta["features"] = fmeta
    with atomic_write(path, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in (("coef", classifier.coef_), ("intercept", classifier.intercept_)):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float64),
                                          allow_pickle=False)
                zf.writestr(name + ".npy", buf.getvalue())
            zf.writestr("meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
            for name, data in members.items():
                zf.writestr(name, data)


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
            members = {name: npz[name] for name in names if name.startswith("features_")}
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise FormatError(f"{path}: corrupt model file ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise FormatError(f"{path}: not a minent maxent model (no minent-maxent format tag)")
    if meta.get("format_version") != MODEL_FORMAT_VERSION:
        raise FormatError(f"{path}: unsupported model format version {meta.get('format_version')!r} "
                          f"(this minent reads version {MODEL_FORMAT_VERSION})")
    try:
        clf = _classifier_from(meta, coef, intercept)
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
        if len(features.feature_names_) != clf.n_features_in_:
            raise FormatError(f"{path}: feature vocabulary does not match the weights")
    return clf, features


def _classifier_from(meta, coef, intercept):
    """A fitted MaxEntClassifier from model-file metadata and arrays (None if shapes disagree)."""
    labels = [str(c) for c in meta["labels"]]
    K = len(labels)
    n_coef = 1 if K == 2 else K
    d = int(meta["n_features"])
    if K < 2 or len(set(labels)) != K or coef.shape != (n_coef, d) or intercept.shape != (n_coef,):
        return None
    params = {k: v for k, v in meta["params"].items() if k in MaxEntClassifier._param_names()}
    clf = MaxEntClassifier(**params)
    clf.classes_ = np.array([int(c) for c in labels] if meta.get("label_type") == "int" else labels)
    clf.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
    clf.intercept_ = np.ascontiguousarray(intercept, dtype=np.float64)
    clf.n_features_in_ = d
    clf.n_iter_ = int(meta["fit"]["n_iter"])
    clf.objective_ = float(meta["fit"]["objective_nats"])
    clf.converged_ = bool(meta["fit"]["converged"])
    return clf
