"""MaxEntClassifier / TextFeatures in the scikit-learn ecosystem, l2="auto", hashed features,
model files with every feature family, and old model files.

The scikit-learn tests are skipped when it is not installed (it is in the ``test`` extra). All
data is generated here.
"""
import json
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

from minent.errors import FormatError, MinentError
from minent.estimator import DataError, NotFittedError
from minent.features import (DEFAULT_FEATURES, TextFeatures, _char_ngram_columns, hash_columns)
from minent.labelled import (evaluate, format_report, mcnemar_exact, read_labelled,
                             train_text_classifier)
from minent.maxent import MaxEntClassifier, load_model, save_model, stratified_folds

CUES = {"pos": "好赞妙棒", "neg": "差烂糟坏", "mid": "一般凑合"}
FILLER = "的了是我在有这个那们酒店服务房间"


def cue_texts(n=90, seed=0, classes=("pos", "neg", "mid")):
    """Texts whose class shows in one cue character among filler characters."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = classes[i % len(classes)]
        texts.append("".join(rng.choice(list(FILLER), 5)) + rng.choice(list(CUES[label]))
                     + "".join(rng.choice(list(FILLER), 4)))
        labels.append(label)
    return texts, np.array(labels)


# ------------------------------------------------------------------------------ scikit-learn


def test_maxent_classifier_passes_sklearn_estimator_checks():
    pytest.importorskip("sklearn")
    from sklearn.utils.estimator_checks import check_estimator
    with pytest.warns(UserWarning, match="does not inherit"):  # by design: no sklearn dependency
        # l2="auto" on a short grid: the checks exercise the cross-validated path, quickly
        results = check_estimator(MaxEntClassifier(l2_grid=(1.0, 0.1), cv=3), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
              if r["status"] == "failed"]
    assert failed == []
    assert sum(r["status"] == "passed" for r in results) >= 50


def test_text_features_protocol_and_tags():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.utils import get_tags
    f = TextFeatures("char12", min_count=2)
    g = clone(f)
    assert g is not f and g.get_params() == f.get_params()
    assert g.set_params(features="char1", binary=False) is g and g.features == "char1"
    with pytest.raises(ValueError, match="unknown parameter"):
        g.set_params(ngram_range=(1, 2))
    tags = get_tags(f)
    assert tags.input_tags.string and not tags.input_tags.two_d_array and not tags.requires_fit \
        is False
    assert get_tags(MaxEntClassifier()).estimator_type == "classifier"
    with pytest.raises(NotFittedError):
        f.transform(["好"])
    assert isinstance(NotFittedError("x"), sklearn.exceptions.NotFittedError)


def test_pipeline_and_grid_search_round_trip():
    pytest.importorskip("sklearn")
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    texts, y = cue_texts(90)
    pipe = Pipeline([("f", TextFeatures("char12")), ("m", MaxEntClassifier(l2=1.0))])
    assert pipe.fit(texts, y) is pipe
    test_texts, test_y = cue_texts(30, seed=1)
    assert pipe.score(test_texts, test_y) >= 0.9
    grid = GridSearchCV(pipe, {"f__features": ["char1", "char12"], "f__binary": [True, False],
                               "m__l2": [0.1, 1.0]}, cv=3)
    grid.fit(texts, y)
    assert set(grid.best_params_) == {"f__features", "f__binary", "m__l2"}
    assert grid.best_score_ >= 0.9
    # the refitted best pipeline predicts exactly what its own steps predict
    best = grid.best_estimator_
    direct = best.named_steps["m"].predict(best.named_steps["f"].transform(test_texts))
    assert np.array_equal(best.predict(test_texts), direct)


# ------------------------------------------------------------------------------ l2 = "auto"


def test_stratified_folds_are_balanced_and_deterministic():
    y = np.array([0] * 10 + [1] * 5 + [2] * 3)
    folds = stratified_folds(y, 3)
    assert np.array_equal(folds, stratified_folds(y, 3))
    for c, n in ((0, 10), (1, 5), (2, 3)):
        sizes = np.bincount(folds[y == c], minlength=3)
        assert sizes.max() - sizes.min() <= 1 and sizes.sum() == n


def test_auto_l2_picks_the_best_cross_validated_value():
    texts, y = cue_texts(120, classes=("pos", "neg"))
    flip = np.random.default_rng(3).random(120) < 0.2  # label noise: the l2 values disagree
    y = np.where(flip, np.where(y == "pos", "neg", "pos"), y)
    X = TextFeatures("char12").fit_transform(texts)
    grid = (30.0, 1.0, 0.03, 0.001)
    clf = MaxEntClassifier(l2="auto", l2_grid=grid, cv=4, tol=1e-8, max_iter=1000).fit(X, y)
    acc = clf.cv_accuracy_
    assert set(acc) <= set(grid) and clf.l2_ in acc
    best = max(acc.values())
    assert clf.l2_ == max(l2 for l2, a in acc.items() if a == best)  # ties: the larger l2
    # the reported CV accuracy is that of plain fits on the folds (first grid value: cold start)
    folds = stratified_folds(np.unique(y, return_inverse=True)[1], 4)
    fold_acc = []
    for f in range(4):
        m = MaxEntClassifier(l2=grid[0], tol=1e-8, max_iter=1000).fit(X[folds != f], y[folds != f])
        fold_acc.append(np.mean(m.predict(X[folds == f]) == y[folds == f]))
    assert acc[grid[0]] == pytest.approx(np.mean(fold_acc), rel=1e-12)
    # the chosen model is the plain fit at that l2 (the warm-started path reaches the same optimum)
    plain = MaxEntClassifier(l2=clf.l2_, tol=1e-8, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(clf.coef_, plain.coef_, atol=1e-5)
    fixed = MaxEntClassifier(l2=0.5).fit(X, y)
    assert fixed.l2_ == 0.5 and fixed.cv_accuracy_ is None


def test_auto_l2_with_too_few_examples_per_class_uses_the_strongest_prior():
    X = sp.csr_matrix(np.eye(3))
    clf = MaxEntClassifier(l2_grid=(1.0, 5.0)).fit(X, ["a", "b", "b"])
    assert clf.l2_ == 5.0 and clf.cv_accuracy_ is None
    from minent.maxent import l2_selection
    assert l2_selection(clf) == "strongest candidate"
    assert l2_selection(MaxEntClassifier(l2=2.0).fit(X, ["a", "b", "b"])) == "given"


# ------------------------------------------------------------------------------ hashed features


def test_hash_kernel_matches_string_hash_and_is_stable():
    cols, ptr = _char_ngram_columns(["好评如潮", "差"], (1, 2), 1 << 20)
    names = ["c:" + g for g in ["好", "评", "如", "潮", "好评", "评如", "如潮", "差"]]
    assert np.array_equal(cols, hash_columns(names, 1 << 20)) and list(ptr) == [0, 7, 8]
    # fixed function of the name: same columns in every process and run
    assert list(hash_columns(["c:好", "w:服务 态度"], 1000)) == \
        list(hash_columns(["c:好", "w:服务 态度"], 1000))
    assert hash_columns(["c:好"], 1 << 30)[0] != hash_columns(["w:好"], 1 << 30)[0]


def test_hashed_features_equal_vocabulary_features_up_to_column_order():
    texts, _ = cue_texts(30)
    tok = list  # characters as words: a tokenizer, so words are hashed from strings
    kw = dict(features="char12,words12", tokenizer=tok, binary=False, idf=True, norm="l2",
              min_count=2)  # in hashed mode min_count drops columns, not names
    vocab = TextFeatures(**kw)
    V = vocab.fit_transform(texts).toarray()
    hashed = TextFeatures(**kw, hash_size=1 << 20)
    H = hashed.fit_transform(texts)
    assert H.shape == (30, 1 << 20)
    cols = hash_columns(vocab.feature_names_, 1 << 20)
    assert len(set(cols.tolist())) == len(cols)  # no collision at this size
    assert H.dtype == np.float32  # hashed values are float32 (half the memory)
    np.testing.assert_allclose(H[:, cols].toarray(), V, rtol=1e-6)
    assert H.nnz == np.count_nonzero(V)
    assert hashed.kept_columns_.sum() == len(cols)
    with pytest.raises(MinentError, match="hash_size"):
        TextFeatures(hash_size=8, max_features=2).fit(texts)


def test_hashed_text_model_round_trip(tmp_path):
    texts, y = cue_texts(60)
    feats = TextFeatures("char12", hash_size=4096)  # min_count 2: a kept-columns array is saved
    clf = MaxEntClassifier(l2=1.0).fit(feats.fit_transform(texts), y)
    save_model(tmp_path / "h.npz", clf, feats)
    clf2, feats2 = load_model(tmp_path / "h.npz")
    new, _ = cue_texts(20, seed=5)
    np.testing.assert_array_equal(clf2.predict_proba(feats2.transform(new)),
                                  clf.predict_proba(feats.transform(new)))
    assert feats2.get_feature_names_out()[7] == "h7"


# ------------------------------------------------------------------------------ model files


@pytest.mark.parametrize("spec,kw", [
    (DEFAULT_FEATURES, {}),                       # char 1-4 + jieba words 1-2
    ("char12,words12", {}),                       # lexicon learned from the fit texts
    ("char1,jieba12", {"binary": False, "sublinear": True}),
    ("char123", {"normalize": True, "idf": False, "norm": None}),
])
def test_save_load_identical_predictions_every_family(tmp_path, spec, kw):
    texts, y = cue_texts(90)
    feats, clf = train_text_classifier(texts, y, TextFeatures(spec, **kw),
                                       MaxEntClassifier(l2_grid=(1.0, 0.1), cv=3))
    path = tmp_path / "m.npz"
    save_model(path, clf, feats)
    clf2, feats2 = load_model(path)
    new, _ = cue_texts(30, seed=7)
    np.testing.assert_array_equal(clf2.predict_proba(feats2.transform(new)),
                                  clf.predict_proba(feats.transform(new)))
    assert clf2.l2_ == clf.l2_ and clf2.cv_accuracy_ == clf.cv_accuracy_
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
    assert meta["fit"]["l2_selection"] == "cross-validation" and meta["fit"]["l2"] == clf.l2_


def test_version_1_model_files_still_load(tmp_path):
    texts, y = cue_texts(60)
    feats = TextFeatures("char12", binary=False, idf=False, norm=None)
    clf = MaxEntClassifier(l2=0.5).fit(feats.fit_transform(texts), y)
    new = tmp_path / "new.npz"
    save_model(new, clf, feats)
    old = tmp_path / "old.npz"
    with zipfile.ZipFile(new) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "meta.json":  # what minent wrote before l2="auto" existed
                meta = json.loads(data)
                meta["format_version"] = 1
                meta["params"] = {k: meta["params"][k] for k in
                                  ("l2", "solver", "max_iter", "tol", "fit_intercept", "lbfgs_memory")}
                meta["fit"] = {k: meta["fit"][k] for k in ("n_iter", "objective_nats", "converged")}
                for key in ("hash_size",):
                    del meta["features"][key]
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    clf1, feats1 = load_model(old)
    assert clf1.l2_ == 0.5 and clf1.cv_accuracy_ is None and feats1.hash_size is None
    np.testing.assert_array_equal(clf1.predict(feats1.transform(texts)),
                                  clf.predict(feats.transform(texts)))
    meta["format_version"] = 99  # a future version is refused with a clear message
    bad = tmp_path / "future.npz"
    with zipfile.ZipFile(new) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, json.dumps(meta).encode() if item == "meta.json" else src.read(item))
    with pytest.raises(FormatError, match="unsupported model format version 99"):
        load_model(bad)


# ------------------------------------------------------------------------------ labelled data


def test_read_labelled_train_evaluate_report(tmp_path):
    texts, y = cue_texts(60)
    path = tmp_path / "d.tsv"
    path.write_text("".join(f"{lab}\t{t}\n" for lab, t in zip(y, texts)) + "\n", encoding="utf-8")
    labels, read = read_labelled(str(path))
    assert read == texts and labels == list(y)
    feats, clf = train_text_classifier(read, labels, TextFeatures("char1"))
    result = evaluate(feats, clf, read, labels)
    assert result.accuracy == clf.score(feats.transform(read), labels)
    report = result.report()
    assert report.startswith(f"examples 60  accuracy {result.accuracy:.4f}")
    with pytest.raises(MinentError, match="labels not in the model: 'zzz'"):
        evaluate(feats, clf, read[:1], ["zzz"])


def test_format_report_counts():
    out = format_report(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), ["a", "b"])
    assert "accuracy 0.7500" in out
    a_row = next(line for line in out.splitlines() if line.startswith("a "))
    assert a_row.split()[1:4] == ["1.0000", "0.5000", "0.6667"]


def test_mcnemar_exact_matches_the_binomial_tail():
    truth = np.zeros(20, dtype=int)
    a = np.zeros(20, dtype=int)
    b = np.zeros(20, dtype=int)
    b[:6] = 1  # B wrong on 6 texts A gets right
    a[6:7] = 1  # A wrong on 1 text B gets right
    a_only, b_only, p = mcnemar_exact(truth, a, b)
    assert (a_only, b_only) == (6, 1)
    assert p == pytest.approx(2 * (1 + 7) / 2 ** 7)  # P(X <= 1), X ~ Bin(7, 1/2), two-sided
    assert mcnemar_exact(truth, a, a)[2] == 1.0


def test_bad_data_errors_are_user_errors_and_value_errors():
    for bad in ("一个字符串", [1, 2], np.array([["a"]])):
        with pytest.raises(DataError):
            TextFeatures("char1").fit(bad)
    with pytest.raises(MinentError) as exc:
        MaxEntClassifier().fit(np.ones((5, 2)), [0.5, 1.5, 2.5, 0.1, 0.2])
    assert isinstance(exc.value, ValueError) and "Unknown label type" in str(exc.value)
    with pytest.raises(MinentError, match="l2"):
        MaxEntClassifier(l2="best").fit(np.ones((4, 1)), [0, 1, 0, 1])
    with pytest.raises(MinentError, match="cv"):
        MaxEntClassifier(cv=1).fit(np.ones((4, 1)), [0, 1, 0, 1])


# ------------------------------------------------------------------------------ command line


@pytest.fixture(scope="module")
def cli():
    from click.testing import CliRunner
    from minent.commands import main
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), **kw)


def write_tsv(path, texts, labels):
    path.write_text("".join(f"{lab}\t{t}\n" for lab, t in zip(labels, texts)), encoding="utf-8")
    return str(path)


def test_cli_defaults_come_from_the_library(cli):
    r = cli("maxent", "train", "--help")
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    assert f"[default: {DEFAULT_FEATURES}]" in text and "[default: auto]" in text
    assert "[default: binary]" in text and "[default: l2]" in text


def test_cli_unlabelled_hash_size_and_auto_l2_recorded(tmp_path, cli):
    texts, y = cue_texts(90)
    data = write_tsv(tmp_path / "train.tsv", texts, y)
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(cue_texts(60, seed=9)[0]) + "\n", encoding="utf-8")
    model = tmp_path / "m.npz"
    r = cli("maxent", "train", data, "-o", str(model), "--features", "char12,words12",
            "--unlabelled", str(raw),
            "--hash-size", "4096", "--cv", "3", "--quiet")
    assert r.exit_code == 0, r.output
    clf, feats = load_model(str(model))
    assert feats.hash_size == 4096 and feats.lexicon_ is not None and clf.cv_accuracy_
    with zipfile.ZipFile(model) as zf:
        meta = json.loads(zf.read("meta.json"))
    assert meta["params"]["l2"] == "auto" and meta["fit"]["l2_selection"] == "cross-validation"
    r = cli("maxent", "evaluate", str(model), data)
    assert r.exit_code == 0 and "accuracy" in r.output
    # --nb on / off reach the classifier and the model file
    for flag, used in (("on", True), ("off", False)):
        r = cli("maxent", "train", data, "-o", str(model), "--features", "char12", "--cv", "3",
                "--nb", flag, "--quiet")
        assert r.exit_code == 0, r.output
        clf, _ = load_model(str(model))
        assert (clf.nb_coef_ is not None) is used and clf.nb is used
        r = cli("maxent", "explain", str(model), "-n", "2")
        assert r.exit_code == 0 and ("NB-LR partner" in r.output) is used


@pytest.mark.parametrize("args,message", [
    (["--l2", "best"], "neither 'auto' nor a number"),
    (["--l2", "-1"], "must be a finite number >= 0"),
    (["--features", "char1", "--unlabelled", "x.txt"], "only used with the 'words'"),
    (["--hash-size", "64", "--max-features", "5"], "max_features needs a vocabulary"),
    (["--nb", "maybe"], "'maybe' is not one of"),
])
def test_cli_train_bad_options_one_line(tmp_path, cli, args, message):
    texts, y = cue_texts(30)
    data = write_tsv(tmp_path / "train.tsv", texts, y)
    r = cli("maxent", "train", data, "-o", str(tmp_path / "m.npz"), "--quiet", *args)
    assert r.exit_code == 2 and message in r.stderr
    assert "Traceback" not in r.output and not (tmp_path / "m.npz").exists()


def test_template_extractor_matches_literals_in_order_with_gaps():
    from minent.features import template_extractor
    from minent.templates import Templates
    templates = Templates(["[X] 可以 [X] 吗", "为什么 [X]", "[X] 的 [X]", "房间 很 [X]"], [5, 4, 3, 2])
    extract = template_extractor(templates, lambda s: s.split("/"))
    assert extract("鸡蛋/可以/吃/吗") == ["[X] 可以 [X] 吗"]
    assert extract("鸡蛋/可以/吗") == []                 # the placeholder needs a word
    assert extract("房间/很/干净") == ["房间 很 [X]"]
    assert extract("房间/不/很/干净") == []              # adjacent literals must be adjacent
    assert extract("我/的/书") == []                     # trivial "[X] w [X]" is not a feature
    feats = TextFeatures("char1,templates", min_count=1, extractors={"templates": extract})
    feats.fit(["为什么/不/行", "鸡蛋/可以/吃/吗"])
    assert "templates:为什么 [X]" in feats.vocabulary_


# ------------------------------------------------------------------------------ NB partner


def test_nb_log_ratios_match_a_plain_python_count():
    from minent.maxent import nb_log_ratios
    X = sp.csr_matrix(np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0],
                                [0.0, 0.0, 3.0]]))
    y = np.array([0, 1, 1, 2])
    got = nb_log_ratios(X, y, 3)
    dense = X.toarray() != 0
    for c in range(3):
        p = [1.0 + sum(dense[i, j] for i in range(4) if y[i] == c) for j in range(3)]
        q = [1.0 + sum(dense[i, j] for i in range(4) if y[i] != c) for j in range(3)]
        want = [np.log(p[j] / sum(p)) - np.log(q[j] / sum(q)) for j in range(3)]
        np.testing.assert_allclose(got[c], want, rtol=1e-12)
    # two classes: one row, for the second class; explicit zeros are not "present"
    X2 = sp.csr_matrix((np.array([1.0, 0.0]), np.array([0, 1]), np.array([0, 1, 2])), shape=(2, 2))
    r = nb_log_ratios(X2, np.array([0, 1]), 1)
    np.testing.assert_allclose(r, [[np.log((1 / 2) / (2 / 3)), np.log((1 / 2) / (1 / 3))]])


@pytest.mark.parametrize("classes", [("pos", "neg"), ("pos", "neg", "mid")])
def test_nb_partner_probabilities_are_the_mean_of_both_models(classes):
    from scipy.special import expit
    from minent.maxent import nb_log_ratios
    texts, y = cue_texts(90, classes=classes)
    X = TextFeatures("char12").fit_transform(texts)
    mixed = MaxEntClassifier(l2=0.3, nb=True, tol=1e-8).fit(X, y)
    plain = MaxEntClassifier(l2=0.3, nb=False, tol=1e-8).fit(X, y)
    assert mixed.nb_l2_ == 0.3 and plain.nb_coef_ is None
    np.testing.assert_allclose(mixed.coef_, plain.coef_)
    # the NB part by hand: scaled features, unit rows, one binary maxent model per target class
    y_idx = np.unique(y, return_inverse=True)[1]
    targets = [1] if len(classes) == 2 else list(range(len(classes)))
    r = nb_log_ratios(X, y_idx, 1 if len(classes) == 2 else len(classes))
    cols = []
    for t, c in enumerate(targets):
        Z = X.multiply(r[t]).tocsr()
        Z = sp.diags(1 / np.sqrt(Z.multiply(Z).sum(axis=1).A1)) @ Z
        part = MaxEntClassifier(l2=0.3, nb=False, tol=1e-8).fit(Z, y_idx == c)
        cols.append(expit(part.decision_function(Z)))
    S = np.column_stack(cols)
    P_nb = np.column_stack([1 - S[:, 0], S[:, 0]]) if len(classes) == 2 else S / S.sum(axis=1,
                                                                                         keepdims=True)
    want = 0.5 * (plain.predict_proba(X) + P_nb)
    np.testing.assert_allclose(mixed.predict_proba(X), want, atol=1e-6)
    assert np.array_equal(mixed.predict(X), mixed.classes_[np.argmax(want, axis=1)])
    d = mixed.decision_function(X)
    assert np.array_equal(mixed.predict(X), mixed.classes_[(d > 0).astype(int)] if d.ndim == 1
                          else mixed.classes_[np.argmax(d, axis=1)])


def test_nb_auto_keeps_the_partner_only_when_the_mixture_wins_cv():
    texts, y = cue_texts(120, classes=("pos", "neg"))
    flip = np.random.default_rng(3).random(120) < 0.2
    y = np.where(flip, np.where(y == "pos", "neg", "pos"), y)
    X = TextFeatures("char12").fit_transform(texts)
    grid = (1.0, 0.1, 0.01)
    auto = MaxEntClassifier(l2_grid=grid, cv=4).fit(X, y)
    assert auto.nb_cv_accuracy_ is not None and auto.mix_cv_accuracy_ is not None
    assert (auto.nb_coef_ is not None) == (auto.mix_cv_accuracy_ > auto.cv_accuracy_[auto.l2_])
    off = MaxEntClassifier(l2_grid=grid, cv=4, nb=False).fit(X, y)
    on = MaxEntClassifier(l2_grid=grid, cv=4, nb=True).fit(X, y)
    # the plain part and its CV figures do not depend on the nb setting
    assert off.cv_accuracy_ == on.cv_accuracy_ == auto.cv_accuracy_ and off.l2_ == on.l2_
    assert off.nb_coef_ is None and off.nb_cv_accuracy_ is None and on.nb_coef_ is not None
    assert on.nb_l2_ == max(l for l, a in on.nb_cv_accuracy_.items()
                            if a == max(on.nb_cv_accuracy_.values()))
    # a given l2 with nb="auto": no cross-validation, no partner
    assert MaxEntClassifier(l2=0.5).fit(X, y).nb_coef_ is None
    with pytest.raises(ValueError, match="nb must be"):
        MaxEntClassifier(nb="yes").fit(X, y)


@pytest.mark.parametrize("classes", [("pos", "neg"), ("pos", "neg", "mid")])
def test_nb_partner_model_file_round_trip_and_version_2_files(tmp_path, classes):
    texts, y = cue_texts(90, classes=classes)
    feats, clf = train_text_classifier(texts, y, TextFeatures("char12,jieba"),
                                       MaxEntClassifier(l2_grid=(1.0, 0.1), cv=3, nb=True))
    path = tmp_path / "m.npz"
    save_model(path, clf, feats)
    clf2, feats2 = load_model(path)
    new, _ = cue_texts(30, seed=7, classes=classes)
    np.testing.assert_array_equal(clf2.predict_proba(feats2.transform(new)),
                                  clf.predict_proba(feats.transform(new)))
    assert clf2.nb_l2_ == clf.nb_l2_ and clf2.nb_cv_accuracy_ == clf.nb_cv_accuracy_
    assert clf2.mix_cv_accuracy_ == clf.mix_cv_accuracy_ and clf2.nb is True
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
        assert {"nb_ratios.npy", "nb_coef.npy", "nb_intercept.npy"} <= set(zf.namelist())
    assert meta["format_version"] == 3 and meta["fit"]["nb"]["used"] is True
    # a version-2 file (no NB partner, no "nb" anywhere) still loads, as a plain model
    plain = MaxEntClassifier(l2=0.5).fit(feats.transform(texts), y)
    save_model(path, plain, feats)
    old = tmp_path / "v2.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "meta.json":
                meta = json.loads(data)
                meta["format_version"] = 2
                del meta["params"]["nb"], meta["fit"]["nb"]
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    clf3, feats3 = load_model(old)
    assert clf3.nb is False and clf3.nb_coef_ is None
    np.testing.assert_array_equal(clf3.predict_proba(feats3.transform(new)),
                                  plain.predict_proba(feats.transform(new)))
    # a file that says it uses the partner but lacks its arrays is refused in one line
    broken = tmp_path / "broken.npz"
    save_model(path, clf, feats)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.namelist():
            if item != "nb_coef.npy":
                dst.writestr(item, src.read(item))
    with pytest.raises(FormatError, match="do not match"):
        load_model(broken)
