"""Benchmark of minent's maximum-entropy classifier against scikit-learn and NLTK.

One run measures, for each data set, on *identical* feature matrices (character 1-2 grams, binary,
learned on the training part) and identical regularisation (C = 0.3, i.e. l2 = 1/0.3):

* minent ``MaxEntClassifier`` with L-BFGS and with GIS,
* scikit-learn ``LogisticRegression`` (lbfgs; default threading, and with BLAS limited to one
  thread as minent does),
* NLTK ``MaxentClassifier`` (GIS, no prior; the same features as ``{name: True}`` dicts),

reporting test accuracy, training time (median of ``--repeat`` runs for the fast ones, a single
run for GIS/NLTK) and peak memory (tracemalloc's peak during one extra, untimed fit).

Then, on sentiment, a best-configuration search for minent (feature families including words of a
minent lexicon learned on the training text alone, value weighting, l2) and for scikit-learn (its
own vectorizers: character n-grams, jieba words, tf-idf options, C) with the same feature budget:
both choose on a validation split of the training file, refit on the whole training file, and are
scored once on the test file; McNemar's exact test compares the two final classifiers.

Splits (fixed, no randomness): sentiment uses train.tsv -> test.tsv, and for model selection the
training lines with index % 5 == 4 (0-based) as validation. THUCNews titles (dev.txt) go to test
when their 0-based line index % 5 == 4 (2,000 titles), to train otherwise (8,000).

Usage: python bench/bench_maxent.py [--data /work/shared/data] [--out outputs/bench]
Writes ``maxent.json`` (every number) and ``maxent.md`` (tables) under --out.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
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

from minent.features import TextFeatures  # noqa: E402
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


def mcnemar_exact(a_right, b_right):
    """Two-sided exact McNemar p-value for paired correctness vectors."""
    b = int(np.sum(a_right & ~b_right))
    c = int(np.sum(~a_right & b_right))
    n = b + c
    if n == 0:
        return 1.0, b, c
    k = min(b, c)
    p = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n
    return min(1.0, 2 * p), b, c


# ------------------------------------------------------------------------------ part 1


def nltk_featuresets(X, names):
    out = []
    for i in range(X.shape[0]):
        cols = X.indices[X.indptr[i]:X.indptr[i + 1]]
        out.append({names[j]: True for j in cols})
    return out


def identical_features(name, tr, ytr, te, yte, args):
    log(f"[{name}] features: char 1-2 grams, binary")
    feats = TextFeatures("char12", binary=True)
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
        MaxEntClassifier(max_iter=3).fit(X[:200], ytr[:200])

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
            f"max |grad| test not met" if not gis.converged_ else "converged")

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


# ------------------------------------------------------------------------------ part 2


def minent_search(tr, ytr, val, yval, trf, ytrf, te, yte, args):
    """Grid over minent feature settings and l2 on the validation split; refit the best."""
    from minent import build_lexicon

    lex_params = dict(min_count=3, min_pmi=2.0)
    log("[best/minent] lexicon from the training part")
    lex_sub, t_lex_sub, _ = measure(lambda: build_lexicon(tr, **lex_params))
    # char-only rows are for reference; the chosen configuration must use lexicon words
    specs = ["char12", "char123", "words12", "char12,words", "char12,words12", "char123,words",
             "char123,words12"]
    weightings = {"binary,idf,l2": dict(binary=True, idf=True, norm="l2"),
                  "log,idf,l2": dict(sublinear=True, idf=True, norm="l2"),
                  "binary": dict(binary=True)}
    l2_grid = {"binary,idf,l2": [0.02, 0.05, 0.1, 0.2], "log,idf,l2": [0.02, 0.05, 0.1, 0.2],
               "binary": [1.0, 3.0, 10.0, 30.0]}
    grid = []
    for spec in specs:
        for wname, wkw in weightings.items():
            f = TextFeatures(spec, lexicon=lex_sub, max_features=args.budget, **wkw)
            X = f.fit_transform(tr)
            Xv = f.transform(val)
            for l2 in l2_grid[wname]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    clf = MaxEntClassifier(l2=l2, max_iter=MAX_ITER, tol=TOL).fit(X, ytr)
                grid.append({"features": spec, "values": wname, "l2": l2, "n_features": X.shape[1],
                             "val_accuracy": clf.score(Xv, yval)})
            best_here = max((g for g in grid if g["features"] == spec and g["values"] == wname),
                            key=lambda g: g["val_accuracy"])
            log(f"[best/minent] {spec:18s} {wname:14s} val {best_here['val_accuracy']:.4f} "
                f"(l2 {best_here['l2']})")
    eligible = [g for g in grid if "words" in g["features"]]
    best = max(eligible, key=lambda g: (g["val_accuracy"], -g["n_features"]))  # ties: fewer features
    log(f"[best/minent] chosen {best}")
    lex_full, t_lex, _ = measure(lambda: build_lexicon(trf, **lex_params))
    f = TextFeatures(best["features"], lexicon=lex_full, max_features=args.budget,
                     **weightings[best["values"]])

    def fit_final():
        X = f.fit_transform(trf)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return MaxEntClassifier(l2=best["l2"], max_iter=MAX_ITER, tol=TOL).fit(X, ytrf), X.shape[1]
    (clf, d), t_fit, mem = measure(fit_final)
    pred = clf.predict(f.transform(te))
    final = {"features": best["features"], "values": best["values"], "l2": best["l2"],
             "n_features": d, "val_accuracy": best["val_accuracy"],
             "test_accuracy": float(np.mean(pred == yte)),
             "lexicon": {"params": lex_params, "words": len(lex_full), "seconds": round(t_lex, 2)},
             "features_and_fit_s": round(t_fit, 2), "rss_growth_mb": mem}
    log(f"[best/minent] test {final['test_accuracy']:.4f}")
    return {"grid": grid, "final": final}, pred


def sklearn_search(tr, ytr, val, yval, trf, ytrf, te, yte, args):
    """scikit-learn's own vectorizers (char n-grams, jieba words, tf-idf options) and C."""
    import jieba
    import logging
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    jieba.setLogLevel(logging.WARNING)

    def jieba_tok(s):
        return [w for w in jieba.lcut(s) if w.strip()]

    def vectorizers(char_range, word_range, wkw):
        if word_range:  # a union is normalised as a whole below, as minent does
            wkw = dict(wkw, norm=None)
        parts = [TfidfVectorizer(analyzer="char", ngram_range=char_range, lowercase=False, **wkw)]
        if word_range:
            parts.append(TfidfVectorizer(tokenizer=jieba_tok, token_pattern=None, lowercase=False,
                                         ngram_range=word_range, **wkw))
        return parts

    def fit_transform(parts, a, b, norm):
        """Fit the parts on a; the char part gets whatever budget the word part leaves."""
        mats_a, mats_b = [], []
        for k, v in reversed(list(enumerate(parts))):
            if k == 0 and args.budget:
                v.set_params(max_features=args.budget - sum(m.shape[1] for m in mats_a))
            mats_a.append(v.fit_transform(a))
            mats_b.append(v.transform(b))
        A = sp.hstack(mats_a[::-1]).tocsr()
        B = sp.hstack(mats_b[::-1]).tocsr()
        if len(parts) > 1 and norm:  # unit rows over the union, as minent does
            from sklearn.preprocessing import normalize
            A, B = normalize(A), normalize(B)
        return A, B

    weightings = {"binary,idf,l2": dict(binary=True, use_idf=True, norm="l2"),
                  "sublinear,idf,l2": dict(sublinear_tf=True, use_idf=True, norm="l2"),
                  "binary": dict(binary=True, use_idf=False, norm=None)}
    C_grid = {"binary,idf,l2": [5.0, 10.0, 20.0, 50.0], "sublinear,idf,l2": [5.0, 10.0, 20.0, 50.0],
              "binary": [0.03, 0.1, 0.3, 1.0]}
    configs = [((1, 2), None), ((1, 3), None), ((1, 2), (1, 2)), ((1, 3), (1, 2)), ((1, 4), None)]
    grid = []
    for char_range, word_range in configs:
        for wname, wkw in weightings.items():
            A, B = fit_transform(vectorizers(char_range, word_range, wkw), tr, val, wkw["norm"])
            for C in C_grid[wname]:
                clf = LogisticRegression(C=C, max_iter=MAX_ITER, tol=TOL).fit(A, ytr)
                grid.append({"char_ngrams": list(char_range),
                             "jieba_ngrams": list(word_range) if word_range else None,
                             "values": wname, "C": C, "n_features": A.shape[1],
                             "val_accuracy": float(np.mean(clf.predict(B) == yval))})
            best_here = max((g for g in grid if g["char_ngrams"] == list(char_range)
                             and g["jieba_ngrams"] == (list(word_range) if word_range else None)
                             and g["values"] == wname), key=lambda g: g["val_accuracy"])
            log(f"[best/sklearn] char{char_range} jieba{word_range} {wname:16s} "
                f"val {best_here['val_accuracy']:.4f} (C {best_here['C']})")
    best = max(grid, key=lambda g: (g["val_accuracy"], -g["n_features"]))
    log(f"[best/sklearn] chosen {best}")
    parts = vectorizers(tuple(best["char_ngrams"]),
                        tuple(best["jieba_ngrams"]) if best["jieba_ngrams"] else None,
                        weightings[best["values"]])

    def fit_final():
        A, B = fit_transform(parts, trf, te, weightings[best["values"]]["norm"])
        return LogisticRegression(C=best["C"], max_iter=MAX_ITER, tol=TOL).fit(A, ytrf), A.shape[1], B
    (clf, d, B), t_fit, mem = measure(fit_final)
    pred = clf.predict(B)
    final = {k: best[k] for k in ("char_ngrams", "jieba_ngrams", "values", "C")}
    final.update({"n_features": d, "val_accuracy": best["val_accuracy"],
                  "test_accuracy": float(np.mean(pred == yte)),
                  "features_and_fit_s": round(t_fit, 2), "rss_growth_mb": mem})
    log(f"[best/sklearn] test {final['test_accuracy']:.4f}")
    return {"grid": grid, "final": final}, pred


def best_configuration(tr_all, y_all, te, yte, args):
    val_mask = np.arange(len(tr_all)) % 5 == 4
    tr = [t for t, v in zip(tr_all, val_mask) if not v]
    val = [t for t, v in zip(tr_all, val_mask) if v]
    split = (tr, y_all[~val_mask], val, y_all[val_mask], tr_all, y_all, te, yte)
    ours, p_ours = minent_search(*split, args)
    theirs, p_sk = sklearn_search(*split, args)
    p, b, c = mcnemar_exact(p_ours == yte, p_sk == yte)
    return {"budget_features": args.budget, "validation": "train.tsv lines with index % 5 == 4",
            "minent": ours, "sklearn": theirs,
            "mcnemar": {"p_value": p, "minent_right_sklearn_wrong": b, "minent_wrong_sklearn_right": c}}


# ------------------------------------------------------------------------------ report


def fmt_mb(v):
    return "n/a" if v is None else f"{v:.0f}"


def markdown(result):
    out = ["# minent maxent benchmark", "",
           f"Measured {result['date']} on {result['machine']['cpus']} CPUs "
           f"({result['machine']['platform']}), Python {result['machine']['python']}; "
           f"numpy {result['versions']['numpy']}, scipy {result['versions']['scipy']}, "
           f"scikit-learn {result['versions']['sklearn']}, nltk {result['versions']['nltk']}. "
           f"Generated by `bench/bench_maxent.py` in one run. Load average (1/5/15 min) at start "
           f"{result['machine']['load_average_at_start']}, at end "
           f"{result['machine'].get('load_average_at_end')} (the machine is shared: timings are "
           f"noisy, the fast fits are repeated round robin and the median is reported).", ""]
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
    best = result.get("best_configuration")
    if best:
        m, s = best["minent"]["final"], best["sklearn"]["final"]
        mc = best["mcnemar"]
        out += ["## sentiment: best configurations", "",
                f"Chosen on validation ({best['validation']}), refitted on all of train.tsv, scored once "
                f"on test.tsv. Feature budget: at most {best['budget_features']} columns for both.", "",
                "| system | configuration | features | validation acc. | test acc. | features + fit (s) |",
                "|---|---|---:|---:|---:|---:|",
                f"| minent | {m['features']} ({m['values']}), l2 = {m['l2']}; lexicon "
                f"{m['lexicon']['words']} words learned from train.tsv in {m['lexicon']['seconds']} s | "
                f"{m['n_features']} | {m['val_accuracy']:.4f} | {m['test_accuracy']:.4f} | "
                f"{m['features_and_fit_s']} |",
                f"| scikit-learn | char {tuple(s['char_ngrams'])}"
                + (f" + jieba words {tuple(s['jieba_ngrams'])}" if s["jieba_ngrams"] else "")
                + f" ({s['values']}), C = {s['C']} | {s['n_features']} | {s['val_accuracy']:.4f} | "
                f"{s['test_accuracy']:.4f} | {s['features_and_fit_s']} |", "",
                f"McNemar exact test on the test set: minent right where scikit-learn is wrong on "
                f"{mc['minent_right_sklearn_wrong']} texts, the reverse on "
                f"{mc['minent_wrong_sklearn_right']}; p = {mc['p_value']:.3f}.", "",
                "minent validation grid (best l2 per row):", "",
                "| features | values | best l2 | columns | validation acc. |", "|---|---|---:|---:|---:|"]
        rows = {}
        for g in best["minent"]["grid"]:
            key = (g["features"], g["values"])
            if key not in rows or g["val_accuracy"] > rows[key]["val_accuracy"]:
                rows[key] = g
        for (f, v), g in rows.items():
            out.append(f"| {f} | {v} | {g['l2']} | {g['n_features']} | {g['val_accuracy']:.4f} |")
        out += ["", "scikit-learn validation grid (best C per row):", "",
                "| char n-grams | jieba n-grams | values | best C | columns | validation acc. |",
                "|---|---|---|---:|---:|---:|"]
        rows = {}
        for g in best["sklearn"]["grid"]:
            key = (tuple(g["char_ngrams"]), tuple(g["jieba_ngrams"] or ()), g["values"])
            if key not in rows or g["val_accuracy"] > rows[key]["val_accuracy"]:
                rows[key] = g
        for (c, j, v), g in rows.items():
            out.append(f"| {c} | {j or '-'} | {v} | {g['C']} | {g['n_features']} | {g['val_accuracy']:.4f} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/work/shared/data", help="folder with sentiment/ and thucnews-titles/")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "outputs", "bench"))
    ap.add_argument("--repeat", type=int, default=5, help="timing runs for the fast methods")
    ap.add_argument("--nltk-iter", type=int, default=20)
    ap.add_argument("--budget", type=int, default=1_000_000, help="max feature columns in the search")
    ap.add_argument("--skip-nltk", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    ap.add_argument("--quick", type=int, default=0, help="use only this many training texts (smoke test)")
    args = ap.parse_args()

    import nltk
    import scipy
    import sklearn

    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
              "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                           "sklearn": sklearn.__version__, "nltk": nltk.__version__},
              "settings": vars(args), "identical_features": []}
    tr, ytr = read_tsv(os.path.join(args.data, "sentiment", "train.tsv"))
    te, yte = read_tsv(os.path.join(args.data, "sentiment", "test.tsv"))
    ttr, tytr, tte, tyte = read_thucnews(os.path.join(args.data, "thucnews-titles"))
    if args.quick:
        tr, ytr, ttr, tytr = tr[:args.quick], ytr[:args.quick], ttr[:args.quick], tytr[:args.quick]
    result["identical_features"].append(identical_features("sentiment", tr, ytr, te, yte, args))
    result["identical_features"].append(identical_features("thucnews-titles", ttr, tytr, tte, tyte, args))
    if not args.skip_search:
        result["best_configuration"] = best_configuration(tr, ytr, te, yte, args)
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    md = markdown(result)
    with atomic_write(os.path.join(args.out, "maxent.json")) as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    with atomic_write(os.path.join(args.out, "maxent.md")) as fh:
        fh.write(md)
    print(md)


if __name__ == "__main__":
    main()
