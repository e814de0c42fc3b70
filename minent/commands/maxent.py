"""``minent maxent``: train, apply, evaluate and explain maximum-entropy text classifiers.

Labelled data is ``label TAB text`` per line (blank lines skipped); text to classify is one text a
line. Models are single ``.npz`` files (see :func:`minent.maxent.save_model`).
"""
from __future__ import annotations

import contextlib
import sys
import time
import warnings

import click
import numpy as np

from . import main
from ..errors import FormatError, InputError, MinentError
from ..features import TextFeatures, parse_feature_spec
from ..maxent import ConvergenceWarning, MaxEntClassifier, load_model, save_model
from ..textio import Corpus, atomic_write, refuse_overwrite

_BATCH = 20000


def read_labelled(path, encoding="utf-8"):
    """``(labels, texts)`` from a ``label TAB text`` file; FormatError/InputError on bad input."""
    labels, texts = [], []
    for n, line in enumerate(Corpus(path, encoding).lines(), start=1):
        if not line.strip():
            continue
        label, tab, text = line.partition("\t")
        if not tab:
            raise FormatError(f"{path}:{n}: no TAB between label and text (expected 'label<TAB>text')")
        label = label.strip()
        if not label:
            raise FormatError(f"{path}:{n}: empty label")
        labels.append(label)
        texts.append(text)
    if not labels:
        raise InputError(f"{path}: no examples (empty file?)")
    return labels, texts


def _progress(items, label, quiet, length=None):
    if quiet:
        return contextlib.nullcontext(items)
    return click.progressbar(items, length=length, label=label, file=sys.stderr)


def _echo_warnings(caught):
    for w in caught:
        click.echo(f"minent: warning: {w.message}", err=True)


def _load_text_model(path):
    clf, features = load_model(path)
    if features is None:
        raise InputError(f"{path}: the model was saved without its text features; "
                         f"use it from Python with a matrix")
    return clf, features


@main.group("maxent")
def maxent():
    """Maximum-entropy (multinomial logistic) text classifiers."""


@maxent.command("train")
@click.argument("data")
@click.option("-o", "--output", "output", required=True, help="Model file to write (.npz).")
@click.option("--features", "spec", default="char12", show_default=True,
              help="Feature families: char<orders>, words<orders>, jieba<orders>, comma-separated.")
@click.option("--lexicon", "lexicon_path", default=None,
              help="Lexicon file for 'words' (default: learn one from the training texts).")
@click.option("--values", type=click.Choice(["count", "binary", "log"]), default="count",
              show_default=True, help="Feature values: count c, presence 1, or 1 + ln c.")
@click.option("--idf/--no-idf", default=False, show_default=True,
              help="Multiply by inverse document frequency ln((1+n)/(1+df)) + 1.")
@click.option("--norm", type=click.Choice(["none", "l2"]), default="none", show_default=True,
              help="Scale each text's feature vector to unit length.")
@click.option("--min-count", default=1, show_default=True, type=click.IntRange(min=1),
              help="Drop features seen fewer times in the training texts.")
@click.option("--max-features", default=None, type=click.IntRange(min=1),
              help="Keep only this many most frequent features.")
@click.option("--normalize/--no-normalize", default=False, show_default=True,
              help="NFKC-normalise and lower-case texts first.")
@click.option("--l2", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Gaussian prior precision on the weights (1/C of scikit-learn).")
@click.option("--solver", type=click.Choice(["lbfgs", "gis"]), default="lbfgs", show_default=True)
@click.option("--max-iter", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--tol", default=1e-4, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Stop when max |gradient| (nats per example) is below this.")
@click.option("--encoding", default="utf-8", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summary on stderr.")
def train_cmd(data, output, spec, lexicon_path, values, idf, norm, min_count, max_features, normalize, l2,
              solver, max_iter, tol, encoding, quiet):
    """Train a classifier on DATA (label TAB text per line; - for stdin) and write MODEL."""
    refuse_overwrite([output], [data, lexicon_path])
    families = {name for name, _ in parse_feature_spec(spec)}
    clf = MaxEntClassifier(l2=l2, solver=solver, max_iter=max_iter, tol=tol)
    clf._check_params()
    labels, texts = read_labelled(data, encoding)
    if len(set(labels)) < 2:
        raise InputError(f"{data}: need at least two classes to train, found only {labels[0]!r}")
    lexicon = None
    if "words" in families:
        lexicon = _get_lexicon(lexicon_path, texts, quiet)
    elif lexicon_path:
        raise MinentError("--lexicon is only used with the 'words' feature family")
    started = time.perf_counter()
    features = TextFeatures(spec, lexicon=lexicon, binary=values == "binary",
                            sublinear=values == "log", idf=idf,
                            norm=None if norm == "none" else norm, min_count=min_count,
                            max_features=max_features, normalize=normalize)
    with _progress(texts, "features", quiet) as items:
        X = features.fit_transform(items)
    if X.shape[1] == 0:
        raise InputError(f"{data}: no features left (lower --min-count?)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        with _progress(None, f"training ({solver})", quiet, length=max_iter) as bar:
            def tick(it, objective):
                if bar is not None:
                    bar.update(1)
            clf.fit(X, np.array(labels), callback=tick)
    _echo_warnings(caught)
    save_model(output, clf, features)
    if not quiet:
        acc = clf.score(X, np.array(labels))
        click.echo(f"{len(labels)} examples, {len(clf.classes_)} classes, {X.shape[1]} features; "
                   f"{clf.n_iter_} iterations, objective {clf.objective_:.4f} nats/example, "
                   f"training accuracy {acc:.4f}, {time.perf_counter() - started:.1f} s -> {output}",
                   err=True)


def _get_lexicon(lexicon_path, texts, quiet):
    if lexicon_path:
        from ..lexicon import Lexicon
        return Lexicon.load(lexicon_path)
    from ..discovery import learn_lexicon
    if not quiet:
        click.echo("learning a lexicon from the training texts (pass --lexicon to reuse one)",
                   err=True)
    return learn_lexicon(texts)


@maxent.command("predict")
@click.argument("model")
@click.argument("input", default="-")
@click.option("-o", "--output", default="-", show_default=True, help="Output file (- for stdout).")
@click.option("--encoding", default="utf-8", show_default=True)
def predict_cmd(model, input, output, encoding):
    """Classify each line of INPUT (default stdin): print label TAB probability per line."""
    refuse_overwrite([output], [model, input])
    clf, features = _load_text_model(model)
    lines = Corpus(input, encoding).lines()
    with atomic_write(output) as out:
        while True:
            batch = [line for _, line in zip(range(_BATCH), lines)]
            if not batch:
                break
            proba = clf.predict_proba(features.transform(batch))
            best = np.argmax(proba, axis=1)
            out.write("".join(f"{clf.classes_[k]}\t{proba[i, k]:.4f}\n" for i, k in enumerate(best)))


@maxent.command("evaluate")
@click.argument("model")
@click.argument("data")
@click.option("--encoding", default="utf-8", show_default=True)
def evaluate_cmd(model, data, encoding):
    """Accuracy, per-class precision/recall/F1 and confusion matrix of MODEL on DATA (label TAB text)."""
    clf, features = _load_text_model(model)
    labels, texts = read_labelled(data, encoding)
    known = {str(c) for c in clf.classes_}
    unseen = sorted(set(labels) - known)
    if unseen:
        shown = ", ".join(repr(u) for u in unseen[:5]) + (" ..." if len(unseen) > 5 else "")
        raise InputError(f"{data}: labels not in the model: {shown} "
                         f"(the model knows {', '.join(sorted(known))})")
    classes = [str(c) for c in clf.classes_]
    index = {c: k for k, c in enumerate(classes)}
    truth = np.array([index[lab] for lab in labels])
    pred = np.argmax(clf.predict_proba(features.transform(texts)), axis=1)
    click.echo(format_report(truth, pred, classes))


def format_report(truth, pred, classes):
    """Plain-text report: accuracy, per-class P/R/F1/support, macro average, confusion matrix."""
    K = len(classes)
    cm = np.zeros((K, K), dtype=np.int64)
    np.add.at(cm, (truth, pred), 1)
    width = max(8, *(len(c) for c in classes))
    lines = [f"examples {len(truth)}  accuracy {np.trace(cm) / max(len(truth), 1):.4f}", "",
             f"{'class':<{width}}  precision  recall      f1  support"]
    ps, rs, fs = [], [], []
    for k, c in enumerate(classes):
        tp = cm[k, k]
        p = tp / cm[:, k].sum() if cm[:, k].sum() else 0.0
        r = tp / cm[k, :].sum() if cm[k, :].sum() else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        ps.append(p), rs.append(r), fs.append(f)
        lines.append(f"{c:<{width}}  {p:9.4f}  {r:6.4f}  {f:6.4f}  {cm[k, :].sum():7d}")
    lines.append(f"{'macro':<{width}}  {np.mean(ps):9.4f}  {np.mean(rs):6.4f}  {np.mean(fs):6.4f}  "
                 f"{len(truth):7d}")
    lines += ["", "confusion matrix (rows: true class, columns: predicted)"]
    cw = max(6, *(len(c) for c in classes), len(str(cm.max())) + 1)
    lines.append(" " * width + "".join(f"{c:>{cw}}" for c in classes))
    for k, c in enumerate(classes):
        lines.append(f"{c:<{width}}" + "".join(f"{v:>{cw}d}" for v in cm[k]))
    return "\n".join(lines)


@maxent.command("explain")
@click.argument("model")
@click.option("-n", "--top", default=20, show_default=True, type=click.IntRange(min=1),
              help="Features to list per class.")
def explain_cmd(model, top):
    """List the top-weighted features of each class of MODEL (weights in nats)."""
    clf, features = load_model(model)
    names = (features.feature_names_ if features is not None
             else [f"x{j}" for j in range(clf.n_features_in_)])
    classes = [str(c) for c in clf.classes_]
    if clf.coef_.shape[0] == 1:  # binary: one weight vector, positive = evidence for classes_[1]
        rows = [(classes[0], -clf.coef_[0]), (classes[1], clf.coef_[0])]
    else:
        rows = list(zip(classes, clf.coef_))
    out = []
    for c, w in rows:
        order = np.lexsort((np.arange(len(w)), -w))[:top]  # by weight, ties by column
        out.append(f"class {c}: top {len(order)} features (weight in nats)")
        out += [f"  {w[j]:+.4f}  {names[j]}" for j in order]
        out.append("")
    click.echo("\n".join(out).rstrip("\n"))
