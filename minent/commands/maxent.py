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
from ..errors import InputError, MinentError
from ..features import TextFeatures, parse_feature_spec
from ..labelled import evaluate, read_labelled, train_text_classifier
from ..maxent import ConvergenceWarning, MaxEntClassifier, l2_selection, load_model, save_model
from ..textio import Corpus, atomic_write, refuse_overwrite

_BATCH = 20000
_FEATURES = TextFeatures()  # the library's defaults, shown by --help
_CLASSIFIER = MaxEntClassifier()
_VALUES = "binary" if _FEATURES.binary else "log" if _FEATURES.sublinear else "count"
_NB = {"auto": "auto", True: "on", False: "off"}


class _L2(click.ParamType):
    """'auto' or a number >= 0."""
    name = "auto|FLOAT"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) or value == "auto":
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is neither 'auto' nor a number", param, ctx)
        if not number >= 0 or number == float("inf"):
            self.fail(f"{value!r} must be a finite number >= 0", param, ctx)
        return number


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
@click.option("--features", "spec", default=_FEATURES.features, show_default=True,
              help="Feature families: char<orders>, words<orders>, jieba<orders>, comma-separated.")
@click.option("--lexicon", "lexicon_path", default=None,
              help="Lexicon file for 'words' (default: learn one from the training texts).")
@click.option("--unlabelled", "unlabelled_path", default=None,
              help="More raw texts (one a line) to learn the 'words' lexicon from, with the "
                   "training texts.")
@click.option("--values", type=click.Choice(["count", "binary", "log"]), default=_VALUES,
              show_default=True, help="Feature values: count c, presence 1, or 1 + ln c.")
@click.option("--idf/--no-idf", default=_FEATURES.idf, show_default=True,
              help="Multiply by inverse document frequency ln((1+n)/(1+df)) + 1.")
@click.option("--norm", type=click.Choice(["none", "l2"]), default=_FEATURES.norm or "none",
              show_default=True, help="Scale each text's feature vector to unit length.")
@click.option("--min-count", default=_FEATURES.min_count, show_default=True,
              type=click.IntRange(min=1), help="Drop features seen fewer times in the training texts.")
@click.option("--max-features", default=None, type=click.IntRange(min=1),
              help="Keep only this many most frequent features.")
@click.option("--hash-size", default=None, type=click.IntRange(min=1, max=2**31 - 1),
              help="Hash features into this many columns (no vocabulary; bounded memory).")
@click.option("--normalize/--no-normalize", default=_FEATURES.normalize, show_default=True,
              help="NFKC-normalise and lower-case texts first.")
@click.option("--l2", default=_CLASSIFIER.l2, show_default=True, type=_L2(),
              help="Gaussian prior precision on the weights (1/C of scikit-learn), or 'auto': "
                   "chosen by cross-validation on the training data.")
@click.option("--nb", type=click.Choice(["auto", "on", "off"]), default=_NB[_CLASSIFIER.nb],
              show_default=True,
              help="Average with a naive-Bayes-scaled logistic model (NB-LR); auto: when that "
                   "wins the cross-validation of --l2 auto.")
@click.option("--cv", default=_CLASSIFIER.cv, show_default=True, type=click.IntRange(min=2),
              help="Folds for --l2 auto.")
@click.option("--solver", type=click.Choice(["lbfgs", "gis"]), default=_CLASSIFIER.solver,
              show_default=True)
@click.option("--max-iter", default=_CLASSIFIER.max_iter, show_default=True,
              type=click.IntRange(min=1))
@click.option("--tol", default=_CLASSIFIER.tol, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Stop when max |gradient| (nats per example) is below this.")
@click.option("--encoding", default="utf-8", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summary on stderr.")
def train_cmd(data, output, spec, lexicon_path, unlabelled_path, values, idf, norm, min_count,
              max_features, hash_size, normalize, l2, nb, cv, solver, max_iter, tol, encoding, quiet):
    """Train a classifier on DATA (label TAB text per line; - for stdin) and write MODEL."""
    refuse_overwrite([output], [data, lexicon_path, unlabelled_path])
    families = {name for name, _ in parse_feature_spec(spec)}
    if (lexicon_path or unlabelled_path) and "words" not in families:
        raise MinentError("--lexicon and --unlabelled are only used with the 'words' feature family")
    if lexicon_path and unlabelled_path:
        raise MinentError("give either --lexicon or --unlabelled, not both")
    lexicon = None
    if lexicon_path:
        from ..lexicon import Lexicon
        lexicon = Lexicon.load(lexicon_path)
    unlabelled = list(Corpus(unlabelled_path, encoding).lines()) if unlabelled_path else None
    features = TextFeatures(spec, lexicon=lexicon, binary=values == "binary",
                            sublinear=values == "log", idf=idf,
                            norm=None if norm == "none" else norm, min_count=min_count,
                            max_features=max_features, normalize=normalize, hash_size=hash_size)
    nb = {v: k for k, v in _NB.items()}[nb]
    clf = MaxEntClassifier(l2=l2, nb=nb, cv=cv, solver=solver, max_iter=max_iter, tol=tol)
    labels, texts = read_labelled(data, encoding)
    if "words" in families and lexicon is None and not quiet:
        click.echo("learning a lexicon from the training texts (pass --lexicon to reuse one)",
                   err=True)
    if l2 == "auto" and not quiet:
        click.echo(f"choosing l2 by {cv}-fold cross-validation on the training texts", err=True)
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        with _progress(None, f"training ({solver})", quiet, length=max_iter) as bar:
            def tick(it, objective):
                if bar is not None:
                    bar.update(1)
            features, clf = train_text_classifier(texts, labels, features, clf, unlabelled, tick)
    _echo_warnings(caught)
    save_model(output, clf, features)
    if not quiet:
        acc = clf.score(features.transform(texts), np.array(labels))
        chosen = l2_selection(clf)
        if clf.nb_coef_ is not None:
            chosen += f"; NB partner l2 {clf.nb_l2_:g}"
        if clf.mix_cv_accuracy_ is not None:
            chosen += (f"; CV accuracy {clf.cv_accuracy_[clf.l2_]:.4f}, with NB partner "
                       f"{clf.mix_cv_accuracy_:.4f}")
        click.echo(f"{len(labels)} examples, {len(clf.classes_)} classes, "
                   f"{features.n_features_out_} features; l2 {clf.l2_:g} ({chosen}), "
                   f"{clf.n_iter_} iterations, objective {clf.objective_:.4f} nats/example, "
                   f"training accuracy {acc:.4f}, {time.perf_counter() - started:.1f} s -> {output}",
                   err=True)


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
    try:
        result = evaluate(features, clf, texts, labels)
    except InputError as exc:
        raise InputError(f"{data}: {exc}") from None
    click.echo(result.report())


@maxent.command("explain")
@click.argument("model")
@click.option("-n", "--top", default=20, show_default=True, type=click.IntRange(min=1),
              help="Features to list per class.")
def explain_cmd(model, top):
    """List the top-weighted features of each class of MODEL (weights in nats)."""
    clf, features = load_model(model)
    names = (features.get_feature_names_out() if features is not None
             else [f"x{j}" for j in range(clf.n_features_in_)])
    classes = [str(c) for c in clf.classes_]
    if clf.coef_.shape[0] == 1:  # binary: one weight vector, positive = evidence for classes_[1]
        rows = [(classes[0], -clf.coef_[0]), (classes[1], clf.coef_[0])]
    else:
        rows = list(zip(classes, clf.coef_))
    out = []
    if clf.nb_coef_ is not None:
        out += ["(weights of the maxent part; the model also averages in an NB-LR partner, "
                "not listed)", ""]
    for c, w in rows:
        order = np.lexsort((np.arange(len(w)), -w))[:top]  # by weight, ties by column
        out.append(f"class {c}: top {len(order)} features (weight in nats)")
        out += [f"  {w[j]:+.4f}  {names[j]}" for j in order]
        out.append("")
    click.echo("\n".join(out).rstrip("\n"))
