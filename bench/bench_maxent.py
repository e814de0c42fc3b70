"""Benchmarks of minent's maximum-entropy classifier, one section (one table set) per run.

``--section identical``: minent, scikit-learn ``LogisticRegression`` and NLTK ``MaxentClassifier``
on *identical* feature matrices (character 1-2 grams, binary, C = 0.3): accuracy, training time
(median of ``--repeat`` round-robin runs), peak memory -> ``maxent.{md,json}``.

``--section defaults``: minent with every option at its default (``TextFeatures()`` +
``MaxEntClassifier()``: lexicon learned from the training texts, l2 chosen by cross-validation
on them) against the three scikit-learn baselines of issue 14 (LR on char 1-2 counts, C=0.3;
LR on tf-idf char 1-3, C=10; LinearSVC on tf-idf char 1-3), with McNemar's exact test and
training wall time in the same run -> ``maxent_defaults.{md,json}``.

``--section ablation``: each feature family and transform on/off from the defaults, l2 chosen
per row by cross-validation on the training texts; CV and test accuracy
-> ``maxent_ablation.{md,json}``.

``--section scale``: 1M noisy resampled THUCNews titles, hashed features: time and peak RSS of
a separate process -> ``maxent_scale.{md,json}``.

Splits (fixed, no randomness): sentiment train.tsv -> test.tsv. THUCNews titles (dev.txt) go to
the held-out set when their 0-based line index % 5 == 4 (2,000 titles), to training otherwise
(8,000). Every choice (defaults, l2) is made on the training part only.

Usage: python bench/bench_maxent.py --section defaults [--data /work/shared/data] [--out outputs/bench]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from datetime import datetime, timezone

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from minent.features import TextFeatures, parse_feature_spec, template_extractor  # noqa: E402
from minent.maxent import ConvergenceWarning, MaxEntClassifier  # noqa: E402
from minent.textio import atomic_write  # noqa: E402

C_REF = 0.3
MAX_ITER = 1000
TOL = 1e-4


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ data


def read_tsv(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line:
                lab, text = line.split("\t", 1)
                labels.append(lab)
                texts.append(text)
    return texts, np.array(labels)


def read_thucnews(folder):
    names = [l.strip() for l in open(os.path.join(folder, "class.txt"), encoding="utf-8") if l.strip()]
    texts, labels = [], []
    with open(os.path.join(folder, "dev.txt"), encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line:
                title, cid = line.rsplit("\t", 1)
                texts.append(title)
                labels.append(names[int(cid)])
    labels = np.array(labels)
    test = np.arange(len(texts)) % 5 == 4
    return ([t for t, s in zip(texts, test) if not s], labels[~test],
            [t for t, s in zip(texts, test) if s], labels[test])


# ------------------------------------------------------------------------------ measuring


def _status_kb(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def measure(fn):
    """Run fn(); return (result, seconds, peak RSS growth in MB or None)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
        base = _status_kb("VmRSS")
    except OSError:
        base = None
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    peak = None
    if base is not None:
        peak = max(_status_kb("VmHWM") - base, 0) / 1024.0
    return result, seconds, peak


def traced_peak_mb(fn):
    """Peak bytes allocated through Python/numpy during fn() (tracemalloc), in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def timed(fn, repeat):
    """Median time over ``repeat`` untraced runs, then one more run for the memory peak.

    Memory is tracemalloc's peak (numpy, scipy's L-BFGS work arrays, Python objects; not the
    few scratch bytes numba kernels allocate), measured in a separate run so tracing does not
    slow the timed ones.
    """
    result, t, _ = measure(fn)
    times = [t]
    for _ in range(repeat - 1):
        times.append(measure(fn)[1])
    return result, statistics.median(times), times, traced_peak_mb(fn)


# ------------------------------------------------------------------------------ part 1


def nltk_featuresets(X, names):
    out = []
    for i in range(X.shape[0]):
        cols = X.indices[X.indptr[i]:X.indptr[i + 1]]
        out.append({names[j]: True for j in cols})
    return out


def identical_features(name, tr, ytr, te, yte, args):
    log(f"[{name}] features: char 1-2 grams, binary")
    feats = TextFeatures("char12", binary=True, idf=False, norm=None)
    (X, Xt), t_feat, _ = measure(lambda: (feats.fit_transform(tr), feats.transform(te)))
    info = {"dataset": name, "n_train": X.shape[0], "n_test": Xt.shape[0], "n_features": X.shape[1],
            "nnz_train": int(X.nnz), "classes": sorted(set(ytr.tolist())), "features": "char12 binary",
            "C": C_REF, "l2": 1 / C_REF, "max_iter": MAX_ITER, "tol": TOL,
            "feature_seconds": round(t_feat, 2)}
    rows = []

    def add(method, clf_or_pred, seconds, times, mem, n_iter, note=""):
        pred = clf_or_pred
        rows.append({"method": method, "accuracy": float(np.mean(pred == yte)), "train_s": seconds,
                     "train_s_runs": times, "peak_mb": mem, "n_iter": n_iter, "note": note})
        log(f"[{name}] {method}: acc {rows[-1]['accuracy']:.4f}  {seconds:.2f} s  "
            f"peak {mem if mem is None else round(mem, 1)} MB  iter {n_iter}")
        return pred

    # warm-up (numba kernels are cached on disk; this loads them) -- not timed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MaxEntClassifier(l2=1.0, max_iter=3).fit(X[:200], ytr[:200])

    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    def fit_minent():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return MaxEntClassifier(l2=1 / C_REF, max_iter=MAX_ITER, tol=TOL).fit(X, ytr)

    def fit_sklearn():
        return LogisticRegression(C=C_REF, max_iter=MAX_ITER, tol=TOL).fit(X, ytr)

    def fit_sklearn_one_thread():
        with threadpool_limits(limits=1, user_api="blas"):
            return fit_sklearn()

    fast = {"minent lbfgs": fit_minent, "scikit-learn lbfgs": fit_sklearn,
            "scikit-learn lbfgs, 1 BLAS thread": fit_sklearn_one_thread}
    fitted, times = {}, {method: [] for method in fast}
    for _ in range(args.repeat):  # round robin, so that load from other processes hits all alike
        for method, fn in fast.items():
            fitted[method], t, _ = measure(fn)
            times[method].append(t)
    preds = {}
    for method, fn in fast.items():
        clf = fitted[method]
        n_iter = clf.n_iter_ if isinstance(clf, MaxEntClassifier) else int(np.max(clf.n_iter_))
        preds[method] = add(method, clf.predict(Xt), statistics.median(times[method]), times[method],
                            traced_peak_mb(fn), n_iter)
    ours, sk = fitted["minent lbfgs"], fitted["scikit-learn lbfgs"]
    p_ours, p_sk = preds["minent lbfgs"], preds["scikit-learn lbfgs"]

    for iters in (args.nltk_iter, 200):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gis, t, times, mem = timed(
                lambda: MaxEntClassifier(l2=1 / C_REF, solver="gis", max_iter=iters, tol=TOL).fit(X, ytr), 1)
        add(f"minent gis, {iters} iterations", gis.predict(Xt), t, times, mem, gis.n_iter_,
            "max |grad| test not met" if not gis.converged_ else "converged")

    if not args.skip_nltk:
        from nltk.classify import MaxentClassifier as NltkMaxent
        names = feats.feature_names_
        toks = list(zip(nltk_featuresets(X, names), ytr.tolist()))
        test_sets = nltk_featuresets(Xt, names)
        log(f"[{name}] NLTK GIS {args.nltk_iter} iterations (slow)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nl, t, times, mem = timed(
                lambda: NltkMaxent.train(toks, algorithm="gis", max_iter=args.nltk_iter, trace=0), 1)
        add(f"NLTK MaxentClassifier gis, {args.nltk_iter} iterations",
            np.array(nl.classify_many(test_sets)), t, times, mem, args.nltk_iter, "no prior")

    by = {r["method"]: r for r in rows}
    lb, sk_r, sk1_r = by["minent lbfgs"], by["scikit-learn lbfgs"], by["scikit-learn lbfgs, 1 BLAS thread"]
    info["agreement"] = {
        "accuracy_diff_points": round(100 * (lb["accuracy"] - sk_r["accuracy"]), 3),
        "same_prediction_fraction": float(np.mean(p_ours == p_sk)),
        "max_abs_coef_diff": float(np.max(np.abs(ours.coef_ - sk.coef_))),
        "time_ratio_vs_sklearn": lb["train_s"] / sk_r["train_s"],
        "time_ratio_vs_sklearn_1thread": lb["train_s"] / sk1_r["train_s"],
    }
    nl_rows = [r for r in rows if r["method"].startswith("NLTK")]
    if nl_rows:
        info["agreement"]["nltk_time_over_minent"] = nl_rows[0]["train_s"] / lb["train_s"]
    info["rows"] = rows
    return info


# ------------------------------------------------------------------------------ part 2: defaults


def sklearn_baselines():
    """The three scikit-learn baselines named in issue 14 (vectorizer + model, fitted together)."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    def tfidf13():
        return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    return {
        "scikit-learn LR, char 1-2 counts, C=0.3": lambda: make_pipeline(
            CountVectorizer(analyzer="char", ngram_range=(1, 2)),
            LogisticRegression(C=0.3, max_iter=MAX_ITER)),
        "scikit-learn LR, tf-idf char 1-3, C=10": lambda: make_pipeline(
            tfidf13(), LogisticRegression(C=10.0, max_iter=MAX_ITER)),
        "scikit-learn LinearSVC, tf-idf char 1-3": lambda: make_pipeline(tfidf13(), LinearSVC()),
    }


def one_blas_thread():
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


def minent_defaults(tr, ytr):
    """minent with default options, step by step (the same work as train_text_classifier)."""
    import minent
    steps = {}
    feats = TextFeatures()
    t0 = time.perf_counter()
    if any(name == "words" for name, _ in parse_feature_spec(feats.features)):
        feats.set_params(lexicon=minent.learn_lexicon(tr))
    steps["lexicon_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    X = feats.fit_transform(tr)
    steps["features_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MaxEntClassifier().fit(X, ytr)
    steps["cv_and_fit_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MaxEntClassifier(l2=clf.l2_, nb=False).fit(X, ytr)
    steps["fit_at_chosen_l2_s"] = time.perf_counter() - t3
    steps = {k: round(v, 2) for k, v in steps.items()}
    steps.update(features=feats.features, n_features=X.shape[1], l2=clf.l2_,
                 cv_accuracy={str(k): round(v, 4) for k, v in clf.cv_accuracy_.items()},
                 nb_used=clf.nb_coef_ is not None, nb_l2=clf.nb_l2_,
                 nb_cv_accuracy=None if clf.nb_cv_accuracy_ is None else
                 {str(k): round(v, 4) for k, v in clf.nb_cv_accuracy_.items()},
                 mix_cv_accuracy=clf.mix_cv_accuracy_)
    return (feats, clf, plain), steps


def defaults_vs_sklearn(name, tr, ytr, te, yte):
    from minent.labelled import mcnemar_exact
    rows = []
    log(f"[defaults/{name}] minent defaults")
    ((feats, clf, plain), steps), seconds, peak = measure(lambda: minent_defaults(tr, ytr))
    pred = clf.predict(feats.transform(te))
    steps["plain_part_test_accuracy"] = float(np.mean(plain.predict(feats.transform(te)) == yte))
    rows.append({"method": "minent maxent, default options", "accuracy": float(np.mean(pred == yte)),
                 "train_s": round(seconds, 2), "rss_growth_mb": peak, "steps": steps})
    log(f"[defaults/{name}] {rows[-1]}")
    preds = {}
    with one_blas_thread():
        for method, make in sklearn_baselines().items():
            model, t, mem = measure(lambda: make().fit(tr, ytr))
            preds[method] = model.predict(te)
            a_only, b_only, p = mcnemar_exact(yte, pred, preds[method])
            rows.append({"method": method, "accuracy": float(np.mean(preds[method] == yte)),
                         "train_s": round(t, 2), "rss_growth_mb": mem,
                         "mcnemar": {"minent_only_right": a_only, "baseline_only_right": b_only,
                                     "p_value": p}})
            log(f"[defaults/{name}] {rows[-1]}")
    best = max(rows[1:], key=lambda r: r["accuracy"])
    return {"dataset": name, "n_train": len(tr), "n_test": len(te), "rows": rows,
            "margin_over_best_baseline_points": round(100 * (rows[0]["accuracy"] - best["accuracy"]), 2),
            "best_baseline": best["method"]}


# ------------------------------------------------------------------------------ part 3: ablation


def nb_ratios(X, y, positive, alpha=1.0):
    """Log-count ratio r of Wang & Manning (2012) from feature presence: one value per column."""
    B = X.copy()
    B.data[:] = 1.0
    p = alpha + np.asarray(B[y == positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(B[y != positive].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def unit_rows(X):
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ X)


def nb_scores(Xa, ya, Xb, l2):
    """NBSVM-style scoring with logistic regression: one-vs-rest (one model for two classes),
    each target's features scaled by its r (from Xa, ya only), rows re-normalised."""
    classes = np.unique(ya)
    targets = classes[1:] if len(classes) == 2 else classes
    cols = []
    for c in targets:
        r = nb_ratios(Xa, ya, c)
        clf = MaxEntClassifier(l2=l2, max_iter=MAX_ITER).fit(unit_rows(Xa @ sp.diags(r)), ya == c)
        cols.append(clf.decision_function(unit_rows(Xb @ sp.diags(r))))
    S = np.column_stack(cols)
    return classes[(S[:, 0] > 0).astype(int)] if len(classes) == 2 else classes[S.argmax(axis=1)]


def nb_row(X, ytr, Xt, grid, k=5):
    """Cross-validate l2 for NB scaling honestly (r from each fold's training part), refit, predict."""
    from minent.maxent import stratified_folds
    folds = stratified_folds(np.unique(ytr, return_inverse=True)[1], k)
    acc = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for l2 in grid:
            acc[l2] = float(np.mean([np.mean(nb_scores(X[folds != f], ytr[folds != f], X[folds == f], l2)
                                             == ytr[folds == f]) for f in range(k)]))
        best = max(grid, key=lambda v: (acc[v], v))
        return nb_scores(X, ytr, Xt, best), best, acc


# The reference configuration the rows change one thing of (the defaults when the table was
# measured; its jieba row scored best and became DEFAULT_FEATURES).
ABLATION_REFERENCE = {"features": "char123,words12"}
ABLATION = [  # (row name, TextFeatures settings changed from the reference, classifier settings)
    ("reference: char123 + lexicon words12 (min count 2), binary, idf, unit rows, l2 auto", {}, {}),
    ("- lexicon words (char123)", {"features": "char123"}, {}),
    ("- word bigrams (char123,words1)", {"features": "char123,words"}, {}),
    ("- char trigrams (char12,words12)", {"features": "char12,words12"}, {}),
    ("+ char 4-grams (char1234,words12)", {"features": "char1234,words12"}, {}),
    ("jieba words instead of lexicon words (char123,jieba12)", {"features": "char123,jieba12"}, {}),
    ("values: counts instead of binary", {"binary": False}, {}),
    ("values: 1 + ln count instead of binary", {"binary": False, "sublinear": True}, {}),
    ("- idf", {"idf": False}, {}),
    ("- unit rows", {"norm": None}, {}),
    ("min_count 1 (keep features seen once)", {"min_count": 1}, {}),
    ("hashed, 2^18 columns", {"hash_size": 1 << 18}, {}),
    ("+ NB log-count-ratio scaling (one-vs-rest)", {}, {"nb_ovr": True}),
    ("+ templates (minent collocations on the training texts)", {"templates": True}, {}),
    ("l2 = 1 fixed instead of auto", {}, {"l2": 1.0}),
    ("old defaults: char12 counts, l2 = 1", {"features": "char12", "binary": False, "idf": False,
                                             "norm": None}, {"l2": 1.0}),
]


# The same idea from the current defaults (``--reference defaults``): the NB-LR partner and a few
# feature changes, each row one change (fewer rows: every row now cross-validates two models).
ABLATION_DEFAULTS = [  # measured when the default features were char123,jieba12
    ("reference: the defaults (char123 + jieba words12, min count 2, binary, idf, unit rows, "
     "l2 auto, NB-LR partner auto)", {}, {}),
    ("- NB-LR partner (nb=False)", {}, {"nb": False}),
    ("- jieba words (char123)", {"features": "char123"}, {}),
    ("lexicon words instead of jieba words (char123,words12)", {"features": "char123,words12"}, {}),
    ("+ char 4-grams (char1234,jieba12)", {"features": "char1234,jieba12"}, {}),
    ("values: 1 + ln count instead of binary", {"binary": False, "sublinear": True}, {}),
]


def mine_templates(texts, lexicon):
    """Templates mined from the training texts as ``minent collocations`` does (lexicon words,
    sentences cut at sentence-final marks, default TemplateFinder settings)."""
    from minent.templates import TemplateFinder, split_sentences
    sentences = [s for t in texts for s in split_sentences(lexicon.segment(t))]
    return TemplateFinder().fit(sentences).templates_


def ablation(name, tr, ytr, te, yte, rows_wanted, rows_skipped=(), reference="lexicon"):
    import minent
    log(f"[ablation/{name}] lexicon")
    lexicon = minent.learn_lexicon(tr)
    out = []
    rows, base = ((ABLATION, ABLATION_REFERENCE) if reference == "lexicon" else
                  (ABLATION_DEFAULTS, {"features": "char123,jieba12"}))
    for row, fkw, ckw in rows:
        if (rows_wanted and not any(w in row for w in rows_wanted)) or any(
                w in row for w in rows_skipped):
            continue
        t0 = time.perf_counter()
        if fkw.get("templates"):
            fkw = {"features": ABLATION_REFERENCE["features"] + ",templates",
                   "extractors": {"templates": template_extractor(mine_templates(tr, lexicon),
                                                                   lexicon.segment)}}
        feats = TextFeatures(**{"lexicon": lexicon, **base, **fkw})
        X = feats.fit_transform(tr)
        Xt = feats.transform(te)
        if ckw.get("nb_ovr"):
            pred, l2, acc = nb_row(X, ytr, Xt, MaxEntClassifier().l2_grid)
            cv_acc = acc[l2]
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf = MaxEntClassifier(**ckw).fit(X, ytr)
            pred, l2 = clf.predict(Xt), clf.l2_
            cv_acc = None if clf.cv_accuracy_ is None else clf.cv_accuracy_[l2]
            if getattr(clf, "nb_coef_", None) is not None and clf.mix_cv_accuracy_ is not None:
                cv_acc = clf.mix_cv_accuracy_  # the model kept is the mixture
        out.append({"row": row, "n_features": X.shape[1], "l2": l2, "cv_accuracy": cv_acc,
                    "nb_partner": None if ckw.get("nb_ovr") else clf.nb_coef_ is not None,
                    "nb_l2": None if ckw.get("nb_ovr") else clf.nb_l2_,
                    "test_accuracy": float(np.mean(pred == yte)),
                    "seconds": round(time.perf_counter() - t0, 1)})
        log(f"[ablation/{name}] {out[-1]}")
    return {"dataset": name, "lexicon_words": len(lexicon), "rows": out}


# ------------------------------------------------------------------------------ part 4: 1M texts


def noisy_resample(texts, labels, n, seed=0, p_drop=0.1, p_sub=0.05):
    """n texts drawn with replacement from ``texts``, each character dropped with p_drop or
    replaced by a random character of the corpus with p_sub (fixed seed)."""
    rng = np.random.default_rng(seed)
    alphabet = np.array(sorted(set("".join(texts))))
    pick = rng.integers(0, len(texts), n)
    out = []
    for i in pick:
        t = texts[i]
        u = rng.random(len(t))
        subs = alphabet[rng.integers(0, len(alphabet), len(t))]
        out.append("".join(s if x < p_sub else c for c, x, s in zip(t, u, subs)
                           if not p_sub <= x < p_sub + p_drop))
    return out, labels[pick]


def scale_child(args):
    """Runs in a fresh process (so its peak RSS is its own): 1M noisy titles, hashed features."""
    import resource
    ttr, tytr, tte, tyte = read_thucnews(os.path.join(args.data, "thucnews-titles"))
    t0 = time.perf_counter()
    texts, y = noisy_resample(ttr, tytr, args.scale_n)
    t_gen = time.perf_counter() - t0
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import minent
    t0 = time.perf_counter()
    lexicon = minent.learn_lexicon(texts[:100_000])
    t_lex = time.perf_counter() - t0
    t0 = time.perf_counter()
    feats = TextFeatures("char123,words12", lexicon=lexicon, hash_size=args.scale_hash)
    X = feats.fit_transform(texts)
    t_feat = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MaxEntClassifier(l2=args.scale_l2).fit(X, y)
    t_fit = time.perf_counter() - t0
    acc = clf.score(feats.transform(tte), tyte)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n_texts": len(texts), "chars": int(sum(map(len, texts))),
                      "hash_size": args.scale_hash, "nnz": int(X.nnz), "classes": len(clf.classes_),
                      "l2": args.scale_l2, "n_iter": clf.n_iter_, "converged": clf.converged_,
                      "generate_s": round(t_gen, 1), "lexicon_s": round(t_lex, 1),
                      "lexicon_words": len(lexicon), "features_s": round(t_feat, 1),
                      "fit_s": round(t_fit, 1), "peak_rss_mb": round(peak_mb),
                      "rss_before_training_mb": round(base_mb),
                      "heldout_accuracy": round(acc, 4)}))


def scale(args):
    import subprocess
    cmd = [sys.executable, os.path.abspath(__file__), "--section", "scale-child", "--data", args.data,
           "--scale-n", str(args.scale_n), "--scale-hash", str(args.scale_hash),
           "--scale-l2", str(args.scale_l2)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    return res

# ------------------------------------------------------------------------------ report


def fmt_mb(v):
    return "n/a" if v is None else f"{v:.0f}"


def header(result, title, *intro):
    """Title, machine line, then the intro paragraphs."""
    m = result["machine"]
    return [f"# {title}", "",
            f"Measured {result['date']} on {m['cpus']} CPUs ({m['platform']}), Python {m['python']}; "
            f"numpy {result['versions']['numpy']}, scipy {result['versions']['scipy']}, "
            f"scikit-learn {result['versions']['sklearn']}, nltk {result['versions']['nltk']}. "
            f"Generated by `bench/bench_maxent.py --section {result['section']}"
            + (" --reference defaults" if result["settings"].get("reference") == "defaults" else "")
            + f"` in one run. Load "
            f"average (1/5/15 min) at start {m['load_average_at_start']}, at end "
            f"{m.get('load_average_at_end')} (the machine is shared: timings are noisy; compare "
            f"times within a table).", ""] + [line for p in intro for line in (p, "")]


SPLITS = ("Sentiment: train on `sentiment/train.tsv` (13,890), test on `sentiment/test.tsv` "
          "(3,473). THUCNews titles: `thucnews-titles/dev.txt` lines with 0-based index % 5 == 4 "
          "are the held-out set (2,000 titles), the others the training set (8,000). Model "
          "choices (l2) are made by cross-validation inside the training set only.")


DEFAULTS_INTRO = (
    "minent: `TextFeatures()` + `MaxEntClassifier()` with every option at its default (l2 of the "
    "maxent model and of its NB-LR partner chosen by 5-fold cross-validation on the training "
    "texts, the partner kept when the mixture wins that cross-validation); its training "
    "time includes the features, the cross-validation and the final fits. "
    "scikit-learn: vectorizer + model fitted on the raw texts, BLAS limited to one thread. "
    "McNemar: exact two-sided test on the test texts, minent vs that baseline.")

ABLATION_INTRO = (
    "Each row changes one thing from the reference row (the defaults when this was measured; "
    "the jieba row scored best in CV over both sets and is now the default); l2 is chosen per "
    "row by 5-fold cross-validation "
    "on the training texts (except the fixed-l2 rows). CV accuracy is the mean held-out-fold "
    "accuracy at the chosen l2: the number the defaults were chosen by. Test accuracy is reported, "
    "never used for a choice. NB scaling: each fold's log-count ratios come from that fold's "
    "training part only.")


ABLATION_DEFAULTS_INTRO = (
    "Each row changes one thing from the current defaults; both l2 values (the maxent model's "
    "and its NB-LR partner's) are chosen per row by 5-fold cross-validation on the training "
    "texts, and the partner is kept when the mixture wins that cross-validation (l2 column: "
    "\"(NB partner l2)\" when it was kept). CV accuracy is that of the model kept (the mixture "
    "when the partner is used): the number the defaults are chosen by. Test accuracy is reported, "
    "never used for a choice; the NB log-count ratios of each fold come from its training part.")


def markdown_identical(result):
    out = header(result, "minent maxent benchmark: identical features")
    for info in result["identical_features"]:
        a = info["agreement"]
        out += [f"## {info['dataset']}: identical features", "",
                f"{info['n_train']} training / {info['n_test']} test texts, {len(info['classes'])} classes; "
                f"features: character 1-2 grams, binary, {info['n_features']} columns "
                f"({info['nnz_train']} non-zeros); C = {C_REF} (minent l2 = {1 / C_REF:.4g}), "
                f"tol {TOL}, max_iter {MAX_ITER}. Time: median of the runs listed (fit only, features "
                f"precomputed); peak memory: tracemalloc peak during a separate fit.", "",
                "| method | accuracy | train time (s) | peak memory (MB) | iterations | note |",
                "|---|---:|---:|---:|---:|---|"]
        for r in info["rows"]:
            runs = "/".join(f"{t:.2f}" for t in r["train_s_runs"])
            out.append(f"| {r['method']} | {r['accuracy']:.4f} | {r['train_s']:.2f} ({runs}) | "
                       f"{fmt_mb(r['peak_mb'])} | {r['n_iter']} | {r['note']} |")
        out += ["", f"minent vs scikit-learn: accuracy difference {a['accuracy_diff_points']:+.2f} points, "
                f"same prediction on {100 * a['same_prediction_fraction']:.2f}% of test texts, "
                f"max |coef difference| {a['max_abs_coef_diff']:.2g}; time ratio minent/scikit-learn "
                f"{a['time_ratio_vs_sklearn']:.2f} (vs the 1-BLAS-thread run: "
                f"{a['time_ratio_vs_sklearn_1thread']:.2f})"
                + (f"; NLTK GIS / minent lbfgs time {a['nltk_time_over_minent']:.0f}x" if
                   "nltk_time_over_minent" in a else "") + ".", ""]
    return "\n".join(out) + "\n"


def markdown_defaults(result):
    out = header(result, "minent maxent with default options vs scikit-learn baselines", SPLITS,
                 DEFAULTS_INTRO)
    for info in result["defaults"]:
        out += [f"## {info['dataset']}", "",
                "| method | accuracy | train time (s) | RSS growth (MB) | minent right / baseline right "
                "(where they differ) | McNemar p |", "|---|---:|---:|---:|---:|---:|"]
        for r in info["rows"]:
            mc = r.get("mcnemar")
            cmp_ = f"{mc['minent_only_right']} / {mc['baseline_only_right']}" if mc else ""
            p = f"{mc['p_value']:.3g}" if mc else ""
            out.append(f"| {r['method']} | {r['accuracy']:.4f} | {r['train_s']:.2f} | "
                       f"{fmt_mb(r['rss_growth_mb'])} | {cmp_} | {p} |")
        s = info["rows"][0]["steps"]
        out += ["", f"Margin over the best baseline ({info['best_baseline']}): "
                f"{info['margin_over_best_baseline_points']:+.2f} points. minent steps (features "
                f"{s['features']}): lexicon {s['lexicon_s']} s, features {s['features_s']} s "
                f"({s['n_features']} columns), cross-validation + fit {s['cv_and_fit_s']} s "
                f"(a single fit of the maxent part at the chosen l2 = {s['l2']:g}: "
                f"{s['fit_at_chosen_l2_s']} s). CV accuracy per l2: "
                + ", ".join(f"{k}: {v}" for k, v in s["cv_accuracy"].items()) + ". "
                + (f"NB-LR partner alone, CV accuracy per l2: "
                   + ", ".join(f"{k}: {v}" for k, v in s["nb_cv_accuracy"].items())
                   + f"; mixture (each part at its chosen l2) CV accuracy {s['mix_cv_accuracy']:.4f}"
                   f" -> partner {'used' if s['nb_used'] else 'not used'}"
                   + (f" (l2 {s['nb_l2']:g})" if s["nb_used"] else "") + ". "
                   if s.get("nb_cv_accuracy") else "")
                + f"Test accuracy of the maxent part alone (not used for any choice): "
                f"{s['plain_part_test_accuracy']:.4f}.", ""]
    return "\n".join(out) + "\n"


def markdown_ablation(result):
    defaults = result["settings"].get("reference") == "defaults"
    out = header(result, "minent maxent feature ablation" + (" from the defaults" if defaults
                                                              else ""),
                 SPLITS, ABLATION_DEFAULTS_INTRO if defaults else ABLATION_INTRO)
    names = [info["dataset"] for info in result["ablation"]]
    by = [{r["row"]: r for r in info["rows"]} for info in result["ablation"]]

    def table(columns, cells):
        """One line per ablation row measured on some data set; ``cells(r)`` per data set."""
        lines = ["| row | " + " | ".join(f"{n} {c}" for n in names for c in columns) + " |",
                 "|---|" + "---:|" * (len(columns) * len(names))]
        for row, _, _ in (ABLATION_DEFAULTS if defaults else ABLATION):
            if any(row in b for b in by):
                values = [v for b in by for v in (cells(b[row]) if row in b else [""] * len(columns))]
                lines.append(f"| {row} | " + " | ".join(values) + " |")
        return lines

    out += table(["CV acc.", "test acc.", "l2"], lambda r: [
        "" if r["cv_accuracy"] is None else f"{r['cv_accuracy']:.4f}",
        f"{r['test_accuracy']:.4f}", f"{r['l2']:g}"
        + (f" (NB partner {r['nb_l2']:g})" if r.get("nb_partner") else "")])
    out += ["", "Columns and time per row:", ""]
    out += table(["columns", "s"], lambda r: [str(r["n_features"]), str(r["seconds"])])
    return "\n".join(out) + "\n"


def markdown_scale(result):
    r = result["scale"]
    out = header(result, "minent maxent on 1M texts")
    out += [f"{r['n_texts']:,} texts ({r['chars']:,} characters): THUCNews training titles "
            f"(dev.txt lines with index % 5 != 4) drawn with replacement, each character dropped "
            f"with probability 0.1 or replaced by a random character with probability 0.05 "
            f"(seed 0); {r['classes']} classes. Char 1-3 grams + lexicon words 1-2 (min count 2, "
            f"binary, idf, unit rows) hashed into {r['hash_size']:,} "
            f"columns ({r['nnz']:,} non-zeros); lexicon learned from the first 100,000 texts; "
            f"l2 = {r['l2']:g} given (cross-validating l2 on 1M texts would repeat the fit for "
            f"every fold and grid value). Run in a separate process; peak memory is that "
            f"process's maximum resident set size.", "",
            "| step | value |", "|---|---:|",
            f"| lexicon (s) | {r['lexicon_s']} ({r['lexicon_words']} words) |",
            f"| features (s) | {r['features_s']} |",
            f"| fit (s) | {r['fit_s']} ({r['n_iter']} iterations, converged: {r['converged']}) |",
            f"| whole run incl. data generation (s) | {r['wall_s']} |",
            f"| peak RSS (MB) | {r['peak_rss_mb']} |",
            f"| RSS after generating the texts, before training (MB) | {r['rss_before_training_mb']} |",
            f"| accuracy on the 2,000 held-out real titles | {r['heldout_accuracy']} |", ""]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--section", required=True,
                    choices=["identical", "defaults", "ablation", "scale", "scale-child"])
    ap.add_argument("--data", default="/work/shared/data", help="folder with sentiment/ and thucnews-titles/")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "outputs", "bench"))
    ap.add_argument("--repeat", type=int, default=5, help="timing runs for the fast methods")
    ap.add_argument("--nltk-iter", type=int, default=20)
    ap.add_argument("--skip-nltk", action="store_true")
    ap.add_argument("--datasets", default="sentiment,thucnews-titles")
    ap.add_argument("--rows", default="", help="ablation: only rows containing one of these "
                    "comma-separated strings")
    ap.add_argument("--skip-rows", default="", help="ablation: leave out rows containing one of "
                    "these comma-separated strings")
    ap.add_argument("--reference", choices=["lexicon", "defaults"], default="lexicon",
                    help="ablation: rows from the lexicon-words reference (the first table) or "
                    "from the current defaults with the NB-LR partner (maxent_ablation_defaults*)")
    ap.add_argument("--scale-n", type=int, default=1_000_000)
    ap.add_argument("--scale-hash", type=int, default=1 << 17)
    ap.add_argument("--scale-l2", type=float, default=0.03)
    ap.add_argument("--quick", type=int, default=0, help="use only this many training texts (smoke test)")
    args = ap.parse_args()
    if args.section == "scale-child":
        return scale_child(args)

    import scipy
    import sklearn
    try:  # only the identical-features section runs NLTK
        import nltk
        nltk_version = nltk.__version__
    except ImportError:
        nltk_version = "not installed"

    result = {"section": args.section,
              "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
              "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                           "sklearn": sklearn.__version__, "nltk": nltk_version},
              "settings": vars(args)}
    data = {}
    wanted = args.datasets.split(",")
    if "sentiment" in wanted:
        tr, ytr = read_tsv(os.path.join(args.data, "sentiment", "train.tsv"))
        te, yte = read_tsv(os.path.join(args.data, "sentiment", "test.tsv"))
        data["sentiment"] = (tr, ytr, te, yte)
    if "thucnews-titles" in wanted:
        data["thucnews-titles"] = read_thucnews(os.path.join(args.data, "thucnews-titles"))
    if args.quick:
        data = {k: (a[:args.quick], b[:args.quick], c, d) for k, (a, b, c, d) in data.items()}
    if args.section == "identical":
        result["identical_features"] = [identical_features(k, *v, args) for k, v in data.items()]
        stem, md_fn = "maxent", markdown_identical
    elif args.section == "defaults":
        result["defaults"] = [defaults_vs_sklearn(k, *v) for k, v in data.items()]
        stem, md_fn = "maxent_defaults", markdown_defaults
    elif args.section == "ablation":
        rows = [r for r in args.rows.split(",") if r]
        skipped = [r for r in args.skip_rows.split(",") if r]
        result["ablation"] = [ablation(k, *v, rows, skipped, args.reference)
                              for k, v in data.items()]
        # one file per data set run alone; a run of chosen rows (--rows) gets its own file
        stem = "maxent_ablation" + ("_defaults" if args.reference == "defaults" else "") + \
            ("_" + wanted[0] if len(wanted) == 1 else "") + ("_rows" if rows else "")
        md_fn = markdown_ablation
    else:
        result["scale"] = scale(args)
        stem, md_fn = "maxent_scale", markdown_scale
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    md = md_fn(result)
    with atomic_write(os.path.join(args.out, stem + ".json")) as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    with atomic_write(os.path.join(args.out, stem + ".md")) as fh:
        fh.write(md)
    print(md)


if __name__ == "__main__":
    main()
