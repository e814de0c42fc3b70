"""Tests of the maximum-entropy classifier, its text features, model files and CLI.

All data is generated or inlined here (no /work/shared). Kernels are checked against plain numpy
references, the objective's gradient against finite differences, fits against closed forms.
"""
import json
import math
import os
import warnings
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from minent.errors import FormatError, InputError, MinentError
from minent.features import TextFeatures, parse_feature_spec
from minent.maxent import (ConvergenceWarning, MaxEntClassifier, _gis_deltas, _gradient_by_column,
                           _kernel_arrays, _loss_grad_binary, _loss_grad_multinomial, _Problem,
                           _scores_by_column, _softmax_residual, L2_GRID, load_model, save_model)


def random_csr(n, d, density=0.3, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=rng,
                  data_rvs=lambda k: rng.uniform(0.1, 2.0, k))
    return (X * scale).tocsr()


def reference_loss_grad(X, y_idx, W, b, binary):
    """Plain numpy negative log-likelihood and gradient (sums over rows)."""
    Xd = X.toarray()
    if binary:
        z = Xd @ W[:, 0] + b[0]
        y = (y_idx == 1).astype(float)
        loss = np.sum(np.logaddexp(0, z) - y * z)
        r = 1 / (1 + np.exp(-z)) - y
        return loss, (Xd.T @ r)[:, None], np.array([r.sum()])
    Z = Xd @ W + b
    lse = np.log(np.exp(Z - Z.max(1, keepdims=True)).sum(1)) + Z.max(1)
    loss = np.sum(lse - Z[np.arange(len(y_idx)), y_idx])
    P = np.exp(Z - lse[:, None])
    P[np.arange(len(y_idx)), y_idx] -= 1
    return loss, Xd.T @ P, P.sum(0)


# ------------------------------------------------------------------------------ kernels


@pytest.mark.parametrize("K", [2, 4])
def test_kernels_match_numpy_reference(K):
    rng = np.random.default_rng(1)
    X = random_csr(30, 7, seed=2)
    y_idx = rng.integers(0, K, 30)
    n_coef = 1 if K == 2 else K
    W = rng.normal(size=(7, n_coef))
    b = rng.normal(size=n_coef)
    ip, ix, data = _kernel_arrays(X)
    gW = np.full((7, n_coef), 99.0)  # kernels must overwrite, not accumulate
    if K == 2:
        loss, gb = _loss_grad_binary(ip, ix, data, (y_idx == 1).astype(float), W[:, 0], b[0], gW[:, 0])
        gb = np.array([gb])
    else:
        gb = np.full(K, 99.0)
        loss = _loss_grad_multinomial(ip, ix, data, y_idx.astype(np.int64), W, b, gW, gb)
    ref_loss, ref_gW, ref_gb = reference_loss_grad(X, y_idx, W, b, K == 2)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(gW, ref_gW, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb, ref_gb, rtol=1e-10, atol=1e-12)


def test_column_kernels_match_numpy_reference():
    rng = np.random.default_rng(4)
    X = random_csr(9, 20, seed=4)
    y_idx = rng.integers(0, 3, 9)
    W, b = rng.normal(size=(20, 3)), rng.normal(size=3)
    tptr, tidx, tdata = _kernel_arrays(X.T.tocsr())
    Z = np.full((9, 3), 99.0)
    _scores_by_column(tptr, tidx, tdata, W, b, Z)
    np.testing.assert_allclose(Z, X.toarray() @ W + b, rtol=1e-12)
    loss = _softmax_residual(Z, y_idx.astype(np.int64))
    G = np.full((20, 3), 99.0)
    _gradient_by_column(tptr, tidx, tdata, Z, G)
    ref_loss, ref_gW, ref_gb = reference_loss_grad(X, y_idx, W, b, False)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(G, ref_gW, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(Z.sum(axis=0), ref_gb, rtol=1e-10, atol=1e-12)


def test_kernels_are_stable_for_huge_scores():
    X = sp.csr_matrix(np.array([[1e6, 0.0], [0.0, 1e6], [1e6, 1e6]]))
    ip, ix, data = _kernel_arrays(X)
    g = np.zeros(2)
    loss, gb = _loss_grad_binary(ip, ix, data, np.array([0.0, 1.0, 1.0]), np.array([1.0, -1.0]), 0.0, g)
    assert math.isfinite(loss) and np.all(np.isfinite(g))
    assert loss == pytest.approx(2e6 + math.log(2), rel=1e-15)  # rows 0, 1 wrong by 1e6 nats each
    W = np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]])
    gW, gbm = np.zeros((2, 3)), np.zeros(3)
    loss = _loss_grad_multinomial(ip, ix, data, np.array([1, 1, 2]), W, np.zeros(3), gW, gbm)
    assert math.isfinite(loss) and np.all(np.isfinite(gW))
    assert loss == pytest.approx(2e6 + math.log(3), rel=1e-15)  # row 0 wrong by 2e6, row 2 uniform


@pytest.mark.parametrize("K,fit_intercept,scale,shape", [
    (2, True, 1.0, (25, 6)), (3, True, 1.0, (25, 6)), (3, False, 1.0, (25, 6)),
    (2, True, 1e3, (25, 6)), (4, True, 1e-3, (25, 6)),
    (3, True, 1.0, (8, 30)), (4, False, 1e3, (8, 30))])  # fewer rows than columns: column kernels
def test_gradient_matches_finite_differences(K, fit_intercept, scale, shape):
    rng = np.random.default_rng(K)
    n, d = shape
    X = random_csr(n, d, seed=K, scale=scale)
    y_idx = rng.integers(0, K, n)
    y_idx[:K] = np.arange(K)
    prob = _Problem(X, y_idx, 1 if K == 2 else K, 0.7, fit_intercept)
    assert prob.by_column == (K > 2 and n <= d)
    theta = rng.normal(size=prob.size) / scale
    f0, g = prob.value_and_grad(theta)
    eps = 1e-6 / scale
    fd = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = eps
        fd[j] = (prob.value_and_grad(theta + e)[0] - prob.value_and_grad(theta - e)[0]) / (2 * eps)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7 * max(1.0, abs(f0)))


def test_gis_deltas_solve_the_prior_equation():
    rng = np.random.default_rng(3)
    emp = np.concatenate([rng.uniform(0, 50, 40), [0.0, 0.0, 30.0, 1e-9]])
    model = np.concatenate([rng.uniform(1e-6, 50, 40), [5.0, 1e-12, 1e-12, 80.0]])
    w = np.concatenate([rng.normal(0, 3, 40), [-5.0, 2.0, -40.0, 0.5]])
    C, l2 = 7.0, 0.3
    out = np.empty_like(emp)
    _gis_deltas(emp, model, w, l2, C, out)
    for k in range(emp.size):
        g = lambda d: emp[k] - model[k] * np.exp(min(C * d, 700.0)) - l2 * (w[k] + d)  # noqa: E731
        root = optimize.brentq(g, -1e3, (emp[k] / l2 - w[k]) + 1e-9, xtol=1e-14)
        assert out[k] == pytest.approx(root, rel=1e-8, abs=1e-10)
    # no prior: the classic ln(emp / model) / C; unattested coordinates are left alone
    _gis_deltas(np.array([2.0, 0.0]), np.array([1.0, 3.0]), np.zeros(2), 0.0, 4.0, out[:2])
    np.testing.assert_allclose(out[:2], [math.log(2.0) / 4.0, 0.0])


# ------------------------------------------------------------------------------ fitting


def one_feature_data():
    """x in {0, 1}; P(y=1 | x=0) = 1/4, P(y=1 | x=1) = 2/3."""
    x = np.array([0] * 8 + [1] * 6, dtype=float)
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0])
    return sp.csr_matrix(x[:, None]), y


@pytest.mark.parametrize("solver", ["lbfgs", "gis"])
def test_closed_form_one_binary_feature(solver):
    # Maximum likelihood = maximum entropy under the constraints E[f] = empirical E[f]:
    # the fitted p(y|x) is the empirical conditional frequency, i.e. logits in closed form.
    X, y = one_feature_data()
    clf = MaxEntClassifier(l2=0.0, solver=solver, tol=1e-9, max_iter=5000).fit(X, y)
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    assert clf.intercept_[0] == pytest.approx(logit(0.25), abs=1e-5)
    assert clf.coef_[0, 0] == pytest.approx(logit(2 / 3) - logit(0.25), abs=1e-5)
    np.testing.assert_allclose(clf.predict_proba(sp.csr_matrix([[0.0], [1.0]]))[:, 1], [0.25, 2 / 3],
                               atol=1e-6)
    assert clf.converged_


def test_closed_form_with_gaussian_prior():
    # one always-on feature, no intercept: n*sigmoid(w) - m + l2*w = 0, solved by brentq
    n, m, l2 = 20, 15, 4.0
    X = sp.csr_matrix(np.ones((n, 1)))
    y = np.array([1] * m + [0] * (n - m))
    clf = MaxEntClassifier(l2=l2, fit_intercept=False, tol=1e-10).fit(X, y)
    w = optimize.brentq(lambda w: n / (1 + math.exp(-w)) - m + l2 * w, -10, 10, xtol=1e-14)
    assert clf.coef_[0, 0] == pytest.approx(w, abs=1e-7)
    assert clf.objective_ == pytest.approx(
        (n * math.log1p(math.exp(w)) - m * w + 0.5 * l2 * w * w) / n, abs=1e-10)


def test_multiclass_reproduces_empirical_expectations():
    # one-hot categories, several labels each, no prior: p(y|x=j) = empirical frequency, and the
    # model's feature expectations equal the empirical ones (the maxent constraints)
    cat = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 0, 2, 0, 1, 2, 2, 2])
    X = sp.csr_matrix((np.ones(12), (np.arange(12), cat)), shape=(12, 3))
    clf = MaxEntClassifier(l2=0.0, fit_intercept=False, tol=1e-10, max_iter=1000).fit(X, y)
    P = clf.predict_proba(X)
    for j in range(3):
        freq = np.bincount(y[cat == j], minlength=3) / np.sum(cat == j)
        np.testing.assert_allclose(P[cat == j][0], freq, atol=1e-6)
    Y = np.eye(3)[y]
    np.testing.assert_allclose(X.T @ P, X.T @ Y, atol=1e-5)


def test_gis_and_lbfgs_reach_the_same_optimum():
    rng = np.random.default_rng(5)
    X = random_csr(60, 8, density=0.4, seed=5)
    y = rng.integers(0, 3, 60)
    a = MaxEntClassifier(l2=1.0, tol=1e-9, max_iter=1000).fit(X, y)
    b = MaxEntClassifier(l2=1.0, solver="gis", tol=1e-7, max_iter=20000).fit(X, y)
    assert b.converged_
    np.testing.assert_allclose(b.coef_, a.coef_, atol=1e-5)
    assert b.objective_ == pytest.approx(a.objective_, abs=1e-9)


def test_gis_objective_never_increases():
    rng = np.random.default_rng(6)
    X = random_csr(50, 10, seed=6)
    y = rng.integers(0, 2, 50)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MaxEntClassifier(l2=0.5, solver="gis", max_iter=40).fit(X, y, callback=lambda i, f: seen.append(f))
    assert len(seen) == 40
    assert all(b <= a + 1e-12 for a, b in zip(seen, seen[1:]))


def test_matches_scikit_learn_when_installed():
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(7)
    for K, (n, d) in ((2, (80, 12)), (3, (80, 12)), (3, (20, 40))):
        X = random_csr(n, d, seed=7)
        y = rng.integers(0, K, n)
        ours = MaxEntClassifier(l2=2.0, tol=1e-8, max_iter=1000).fit(X, y)
        ref = linear_model.LogisticRegression(C=0.5, tol=1e-8, max_iter=1000).fit(X, y)
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1e-3, 1.0, 1e4]), st.integers(2, 4))
def test_probabilities_sum_to_one(seed, scale, K):
    rng = np.random.default_rng(seed)
    X = random_csr(12, 5, seed=seed, scale=scale)
    y = rng.integers(0, K, 12)
    y[:K] = np.arange(K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MaxEntClassifier(l2=0.01, max_iter=30).fit(X, y)
    P = clf.predict_proba(X * 1e3)  # far outside the training scale: still finite
    assert P.shape == (12, K) and np.all(np.isfinite(P)) and np.all(P >= 0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(clf.predict(X), clf.classes_[np.argmax(clf.predict_proba(X), axis=1)])


def test_sklearn_style_api():
    clf = MaxEntClassifier(l2=0.5, solver="gis")
    assert clf.get_params() == {"l2": 0.5, "solver": "gis", "max_iter": 200, "tol": 1e-4,
                                "fit_intercept": True, "lbfgs_memory": 10, "cv": 5,
                                "l2_grid": L2_GRID, "nb": "auto"}
    assert not hasattr(clf, "coef_")
    X, y = one_feature_data()
    y = np.where(y == 1, "pos", "neg")
    assert clf.set_params(solver="lbfgs").fit(X, y) is clf
    assert list(clf.classes_) == ["neg", "pos"] and clf.coef_.shape == (1, 1)
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))
    assert "l2=0.5" in repr(clf)
    with pytest.raises(MinentError, match="unknown parameter"):
        clf.set_params(C=1.0)


def test_fit_warns_when_stopped_early():
    X = random_csr(40, 6, seed=8)
    y = np.random.default_rng(8).integers(0, 3, 40)
    for solver in ("lbfgs", "gis"):
        with pytest.warns(ConvergenceWarning, match="before convergence"):
            clf = MaxEntClassifier(l2=0.1, solver=solver, max_iter=1, tol=1e-12).fit(X, y)
        assert not clf.converged_ and clf.n_iter_ == 1


def test_fit_rejects_bad_input():
    X, y = one_feature_data()
    with pytest.raises(InputError, match="at least two classes"):
        MaxEntClassifier().fit(X, np.zeros(14))
    with pytest.raises(InputError, match="one label per row"):
        MaxEntClassifier().fit(X, y[:-1])
    with pytest.raises(InputError, match="NaN"):
        MaxEntClassifier().fit(sp.csr_matrix([[np.nan], [1.0]]), [0, 1])
    with pytest.raises(InputError, match="non-negative"):
        MaxEntClassifier(solver="gis").fit(sp.csr_matrix([[-1.0], [1.0]]), [0, 1])
    with pytest.raises(MinentError, match="l2"):
        MaxEntClassifier(l2=-1).fit(X, y)
    with pytest.raises(MinentError, match="solver"):
        MaxEntClassifier(solver="newton").fit(X, y)
    with pytest.raises(MinentError, match="not fitted"):
        MaxEntClassifier().predict(X)
    clf = MaxEntClassifier().fit(X, y)
    with pytest.raises(InputError, match="features"):
        clf.predict(sp.csr_matrix(np.ones((2, 3))))


# ------------------------------------------------------------------------------ features


def test_parse_feature_spec():
    assert parse_feature_spec("char12,words") == [("char", (1, 2)), ("words", (1,))]
    assert parse_feature_spec("jieba21, char3") == [("jieba", (1, 2)), ("char", (3,))]
    assert parse_feature_spec("tpl", {"tpl": str.split}) == [("tpl", (1,))]
    for bad in ("", "char12,,words", "chars", "char0", "char1,char2", "tpl12"):
        with pytest.raises(MinentError):
            parse_feature_spec(bad, {"tpl": str.split})


def test_character_ngrams_and_counts():
    f = TextFeatures("char12", binary=False, idf=False, norm=None, min_count=1)  # raw counts
    X = f.fit_transform(["好好吃", "难吃"])
    assert f.feature_names_ == sorted(["c:好", "c:吃", "c:难", "c:好好", "c:好吃", "c:难吃"])
    row = dict(zip(f.feature_names_, X.toarray()[0]))
    assert row == {"c:吃": 1, "c:好": 2, "c:好吃": 1, "c:好好": 1, "c:难": 0, "c:难吃": 0}
    T = f.transform(["吃吃喝", ""])  # unseen n-grams are dropped, an empty text is an empty row
    assert T.shape == (2, 6) and T[0, f.vocabulary_["c:吃"]] == 2 and T[1].nnz == 0 and T.nnz == 1


def test_feature_values_binary_sublinear_idf_norm():
    texts = ["aab", "ab", "c"]
    plain = dict(binary=False, idf=False, norm=None, min_count=1)
    counts = TextFeatures("char1", **plain).fit_transform(texts).toarray()  # columns a, b, c
    np.testing.assert_array_equal(counts, [[2, 1, 0], [1, 1, 0], [0, 0, 1]])
    binary = TextFeatures("char1", **{**plain, "binary": True}).fit_transform(texts).toarray()
    np.testing.assert_array_equal(binary, counts > 0)
    log = TextFeatures("char1", **{**plain, "sublinear": True}).fit_transform(texts).toarray()
    np.testing.assert_allclose(log, np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0))
    f = TextFeatures("char1", binary=False, idf=True, norm="l2", min_count=1)
    X = f.fit_transform(texts).toarray()
    idf = np.log(4 / (1 + np.array([2, 2, 1]))) + 1
    np.testing.assert_allclose(f.idf_, idf)
    raw = counts * idf
    np.testing.assert_allclose(X, raw / np.linalg.norm(raw, axis=1, keepdims=True))
    assert f.transform(["zz"]).nnz == 0  # an all-unseen row stays empty, no division by zero


def test_min_count_max_features_and_order_are_deterministic():
    texts = ["abcab", "bcd", "dd"]
    f = TextFeatures("char1", min_count=3).fit(texts)
    assert f.feature_names_ == ["c:b", "c:d"]
    g = TextFeatures("char1", max_features=2, min_count=1).fit(texts)  # a:2 b:3 c:2 d:3 -> b, d
    assert g.feature_names_ == ["c:b", "c:d"]
    h = TextFeatures("char1", max_features=3, min_count=1).fit(list(reversed(texts)))  # tie a/c: by name
    assert h.feature_names_ == ["c:a", "c:b", "c:d"]


def test_words_from_tokenizer_jieba_and_extractors():
    tok = lambda s: s.split("/")  # noqa: E731
    f = TextFeatures("words12,char1", tokenizer=tok, min_count=1).fit(["服务/很/好", "服务/ /差"])
    assert "w:服务 很" in f.vocabulary_ and "w:服务 差" in f.vocabulary_  # blank token dropped
    assert "w: " not in f.vocabulary_ and "c:服" in f.vocabulary_
    with pytest.raises(MinentError, match="lexicon"):  # none given, none learnable from "x"
        TextFeatures("words").fit(["x"])
    j = TextFeatures("jieba", min_count=1).fit(["我爱北京天安门"])
    assert "j:北京" in j.vocabulary_ or "j:天安门" in j.vocabulary_
    e = TextFeatures("char1,tpl", min_count=1, extractors={"tpl": lambda s: ["X 吗"] if s.endswith("吗") else []})
    e.fit(["好吗", "好"])
    assert "tpl:X 吗" in e.vocabulary_
    n = TextFeatures("char1", normalize=True, min_count=1).fit(["ＡＢ"])
    assert n.feature_names_ == ["c:a", "c:b"]


# ------------------------------------------------------------------------------ model files


def fitted_text_model(**feature_kw):
    texts = ["很好 满意", "不错 很好", "太差 失望", "差 退货", "满意 推荐", "失望 太差"] * 3
    labels = np.array(["pos", "pos", "neg", "neg", "pos", "neg"] * 3)
    feats = TextFeatures("char12", **feature_kw)
    clf = MaxEntClassifier(l2=0.5).fit(feats.fit_transform(texts), labels)
    return clf, feats, texts


def test_save_load_round_trip_gives_identical_predictions(tmp_path):
    from minent.lexicon import Lexicon
    lex = Lexicon(["很好", "满意", "不错", "太差", "失望", "退货", "推荐"], [5, 4, 3, 5, 4, 2, 2])
    clf, feats, texts = fitted_text_model(idf=True, norm="l2", sublinear=True)
    feats2 = TextFeatures("char1,words12", lexicon=lex, binary=True)
    clf2 = MaxEntClassifier().fit(feats2.fit_transform(texts), np.arange(len(texts)) % 3)
    for c, f in ((clf, feats), (clf2, feats2)):
        path = str(tmp_path / "m.npz")
        save_model(path, c, f)
        c_back, f_back = load_model(path)
        new = ["很好 推荐", "太差", "完全没见过的字"]
        assert np.array_equal(c_back.predict_proba(f_back.transform(new)), c.predict_proba(f.transform(new)))
        assert np.array_equal(c_back.classes_, c.classes_) and c_back.classes_.dtype.kind == c.classes_.dtype.kind
        assert c_back.get_params() == c.get_params()
    with zipfile.ZipFile(path) as zf:  # plain members: JSON and .npy, no pickle
        meta = json.loads(zf.read("meta.json"))
        assert meta["labels"] == ["0", "1", "2"] and meta["features"]["words_source"] == "lexicon"
        assert "features_lexicon.tsv" in zf.namelist()
    np.load(path, allow_pickle=False)["coef"]


def test_model_file_errors(tmp_path):
    clf, feats, _ = fitted_text_model()
    path = str(tmp_path / "m.npz")
    save_model(path, clf, feats)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}

    def rewrite(name, **changes):
        meta = json.loads(members["meta.json"])
        meta.update(changes)
        out = str(tmp_path / name)
        with zipfile.ZipFile(out, "w") as zf:
            for n, data in members.items():
                zf.writestr(n, json.dumps(meta) if n == "meta.json" else data)
        return out

    with pytest.raises(FormatError, match="version"):
        load_model(rewrite("v.npz", format_version=99))
    with pytest.raises(FormatError, match="not a minent maxent model"):
        load_model(rewrite("f.npz", format="something"))
    with pytest.raises(FormatError, match="do not match"):
        load_model(rewrite("n.npz", n_features=3))
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(FormatError):
        load_model(str(tmp_path / "junk.npz"))
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(FormatError):
        load_model(str(tmp_path / "empty.npz"))
    with pytest.raises(InputError, match="no such file"):
        load_model(str(tmp_path / "missing.npz"))
    custom = TextFeatures("words", tokenizer=str.split, min_count=1)
    c = MaxEntClassifier().fit(custom.fit_transform(["a b", "c d"]), [0, 1])
    with pytest.raises(MinentError, match="custom tokenizer"):
        save_model(str(tmp_path / "c.npz"), c, custom)
    assert not os.path.exists(tmp_path / "c.npz")


# ------------------------------------------------------------------------------ CLI


def make_tsv(path, n=60, seed=0, classes=("pos", "neg")):
    rng = np.random.default_rng(seed)
    cue = {"pos": "好赞妙", "neg": "差烂糟", "mid": "一般般"}
    filler = "的了是我在有这个那们"
    lines = []
    for i in range(n):
        label = classes[i % len(classes)]
        text = "".join(rng.choice(list(filler), 4)) + rng.choice(list(cue[label])) + \
            "".join(rng.choice(list(filler), 3))
        lines.append(f"{label}\t{text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def cli():
    from minent.commands import main
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), **kw)


def test_cli_train_predict_evaluate_explain(tmp_path, cli):
    data = make_tsv(tmp_path / "train.tsv")
    model = str(tmp_path / "m.npz")
    r = cli("maxent", "train", data, "-o", model, "--quiet", "--features", "char12")
    assert r.exit_code == 0, r.output
    assert r.stderr == "" and os.path.exists(model)
    r = cli("maxent", "predict", model, input="好的了\n差的了\n\n")
    assert r.exit_code == 0, r.output
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert [lab for lab, _ in rows[:2]] == ["pos", "neg"] and len(rows) == 3
    assert all(0.5 <= float(p) <= 1.0 for _, p in rows)
    r = cli("maxent", "evaluate", model, make_tsv(tmp_path / "test.tsv", seed=1))
    assert r.exit_code == 0, r.output
    accuracy = float(r.stdout.split("accuracy ")[1].split()[0])
    assert accuracy >= 0.95 and "confusion matrix" in r.stdout
    r = cli("maxent", "explain", model, "-n", "3")
    assert r.exit_code == 0 and "class pos" in r.stdout and "class neg" in r.stdout
    pos_block = r.stdout.split("class pos")[1]
    assert any(c in pos_block for c in "好赞妙")


def test_cli_multiclass_with_options(tmp_path, cli):
    data = make_tsv(tmp_path / "train.tsv", n=90, classes=("pos", "neg", "mid"))
    model = str(tmp_path / "m.npz")
    r = cli("maxent", "train", data, "-o", model, "--features", "char1,jieba", "--values", "log",
            "--idf", "--norm", "l2", "--solver", "gis", "--max-iter", "5", "--quiet")
    assert r.exit_code == 0, r.output
    assert "warning" in r.stderr and "before convergence" in r.stderr
    out = tmp_path / "pred.txt"
    inp = tmp_path / "in.txt"
    inp.write_text("好\n一般般\n", encoding="utf-8")
    r = cli("maxent", "predict", model, str(inp), "-o", str(out))
    assert r.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_cli_words_learns_a_lexicon_when_none_given(tmp_path, cli):
    data = make_tsv(tmp_path / "train.tsv")
    model = str(tmp_path / "m.npz")
    r = cli("maxent", "train", data, "-o", model, "--features", "char1,words", "--quiet")
    assert r.exit_code == 0, r.output
    clf, feats = load_model(model)
    assert feats.lexicon_ is not None and any(f.startswith("w:") for f in feats.feature_names_)


@pytest.mark.parametrize("content,message", [
    ("", "no examples"),
    ("\n\n", "no examples"),
    ("pos\tgood\nthis line has no tab\n", "train.tsv:2: no TAB"),
    ("pos\ta\npos\tb\n", "at least two classes"),
    ("\tno label\n", "empty label"),
])
def test_cli_train_bad_input(tmp_path, cli, content, message):
    path = tmp_path / "train.tsv"
    path.write_text(content, encoding="utf-8")
    model = tmp_path / "m.npz"
    r = cli("maxent", "train", str(path), "-o", str(model), "--quiet")
    assert r.exit_code == 2
    assert r.stderr.startswith("minent: error:") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not model.exists()


def test_cli_evaluate_unseen_labels_and_overwrite(tmp_path, cli):
    data = make_tsv(tmp_path / "train.tsv")
    model = str(tmp_path / "m.npz")
    assert cli("maxent", "train", data, "-o", model, "--quiet").exit_code == 0
    other = make_tsv(tmp_path / "other.tsv", classes=("pos", "mid"))
    r = cli("maxent", "evaluate", model, other)
    assert r.exit_code == 2 and "labels not in the model: 'mid'" in r.stderr
    r = cli("maxent", "train", data, "-o", data, "--quiet")
    assert r.exit_code == 2 and "refusing to write" in r.stderr
    r = cli("maxent", "predict", data)  # a TSV is not a model
    assert r.exit_code == 2 and "not a minent maxent model" in r.stderr
