"""Labelled text: read ``label TAB text`` files, train a text classifier, evaluate and report.

The library side of ``minent maxent`` (the command only parses arguments and calls these):

read_labelled(path) -> (labels, texts)        one ``label<TAB>text`` per line, blank lines skipped
train_text_classifier(texts, labels) -> (features, classifier)
                                              TextFeatures + MaxEntClassifier with the library
                                              defaults; ``unlabelled`` texts join the lexicon
evaluate(features, classifier, texts, labels) -> Evaluation
format_report(truth, pred, classes) -> str    accuracy, per-class P/R/F1, confusion matrix
mcnemar_exact(truth, pred_a, pred_b)          exact two-sided McNemar test of two classifiers

Example::

    from minent.labelled import read_labelled, train_text_classifier, evaluate
    labels, texts = read_labelled("train.tsv")
    features, clf = train_text_classifier(texts, labels)
    print(evaluate(features, clf, *read_labelled("test.tsv")[::-1]).report())
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .discovery import learn_lexicon
from .errors import FormatError, InputError
from .features import TextFeatures
from .maxent import MaxEntClassifier
from .textio import Corpus

__all__ = ["read_labelled", "train_text_classifier", "evaluate", "Evaluation", "format_report",
           "mcnemar_exact"]


def read_labelled(path, encoding="utf-8"):
    """``(labels, texts)`` from a ``label TAB text`` file (``-`` for stdin).

    Blank lines are skipped; the label is stripped, the text kept as is (after the first TAB).
    Raises FormatError (with the line number) or InputError (missing, empty or binary file).
    """
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


def train_text_classifier(texts, labels, features=None, classifier=None, unlabelled=None,
                          callback=None):
    """Fit ``features`` (default ``TextFeatures()``) and ``classifier`` (default
    ``MaxEntClassifier()``) on labelled texts; returns both, fitted.

    ``unlabelled``: more raw texts for the lexicon behind ``words`` features, when the features
    have no lexicon of their own (the lexicon is then learned from texts + unlabelled).
    ``callback`` is passed to :meth:`MaxEntClassifier.fit`.
    """
    features = TextFeatures() if features is None else features
    classifier = MaxEntClassifier() if classifier is None else classifier
    labels = np.asarray(labels)
    if len(set(labels.tolist())) < 2:
        raise InputError(f"need at least two classes to train, found only {labels[0]!r}")
    if unlabelled is not None and features.lexicon is None and features.tokenizer is None \
            and "words" in {name for name, _ in features._families()}:
        features.set_params(lexicon=learn_lexicon(list(texts) + list(unlabelled)))
    X = features.fit_transform(texts)
    if X.shape[1] == 0:
        raise InputError("no features left (lower min_count?)")
    classifier.fit(X, labels, callback=callback)
    return features, classifier


@dataclass
class Evaluation:
    """Predictions of a classifier on labelled texts."""
    classes: list
    truth: np.ndarray  # class index per text
    pred: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.truth == self.pred)) if len(self.truth) else 0.0

    def report(self) -> str:
        return format_report(self.truth, self.pred, self.classes)


def evaluate(features, classifier, texts, labels):
    """Evaluate a fitted classifier on labelled texts; labels the model does not know are an
    InputError (they could never be predicted)."""
    classes = [str(c) for c in classifier.classes_]
    index = {c: k for k, c in enumerate(classes)}
    unseen = sorted({str(lab) for lab in labels} - set(index))
    if unseen:
        shown = ", ".join(repr(u) for u in unseen[:5]) + (" ..." if len(unseen) > 5 else "")
        raise InputError(f"labels not in the model: {shown} (the model knows {', '.join(classes)})")
    truth = np.array([index[str(lab)] for lab in labels], dtype=np.int64)
    pred = np.argmax(classifier.predict_proba(features.transform(texts)), axis=1)
    return Evaluation(classes, truth, pred)


def format_report(truth, pred, classes):
    """Plain-text report: accuracy, per-class P/R/F1/support, macro average, confusion matrix.

    ``truth`` and ``pred`` are class indices into ``classes``.
    """
    K = len(classes)
    cm = np.zeros((K, K), dtype=np.int64)
    np.add.at(cm, (np.asarray(truth), np.asarray(pred)), 1)
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


def mcnemar_exact(truth, pred_a, pred_b):
    """Exact two-sided McNemar test: ``(a_only, b_only, p)``.

    ``a_only``: texts A gets right and B wrong; ``b_only`` the reverse. Under the null hypothesis
    (equal error rates) a_only ~ Binomial(a_only + b_only, 1/2); p is twice the smaller tail,
    capped at 1.
    """
    truth, pred_a, pred_b = map(np.asarray, (truth, pred_a, pred_b))
    right_a, right_b = pred_a == truth, pred_b == truth
    a_only = int(np.sum(right_a & ~right_b))
    b_only = int(np.sum(right_b & ~right_a))
    n = a_only + b_only
    if n == 0:
        return a_only, b_only, 1.0
    k = min(a_only, b_only)
    # log-space binomial tail: exact for any n
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2)
            for i in range(k + 1)]
    top = max(logs)
    tail = math.exp(top) * sum(math.exp(v - top) for v in logs)
    return a_only, b_only, min(1.0, 2.0 * tail)
