"""Word segmentation scores with the SIGHAN bakeoff definition.

A predicted word is correct when both its boundaries match a gold word (compared as character
offset spans over the line with white space removed). Precision = correct / predicted words,
recall = correct / gold words, F1 their harmonic mean, OOV recall = recall over the gold words
that are not in a given word list (e.g. the training words, or a reference dictionary).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from .errors import InputError


@dataclass
class SegmentationScore:
    precision: float
    recall: float
    f1: float
    oov_recall: float | None
    gold_words: int
    pred_words: int
    correct: int
    oov_words: int
    lines: int

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        oov = "n/a" if self.oov_recall is None else f"{self.oov_recall:.4f}"
        return (f"P {self.precision:.4f}  R {self.recall:.4f}  F1 {self.f1:.4f}  OOV-R {oov}  "
                f"(gold {self.gold_words}, pred {self.pred_words}, correct {self.correct}, "
                f"OOV {self.oov_words}, lines {self.lines})")


def _spans(words: list[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for w in words:
        out.append((pos, pos + len(w)))
        pos += len(w)
    return out


def score_segmentation(gold: Iterable[str], pred: Iterable[str], known_words: set | None = None
                       ) -> SegmentationScore:
    """Score ``pred`` lines against ``gold`` lines (words separated by white space).

    Raises :class:`InputError` when the line counts differ or a line's characters differ
    (naming the 1-based line number).
    """
    n_gold = n_pred = n_ok = n_oov = n_oov_ok = 0
    lines = 0
    gold_it, pred_it = iter(gold), iter(pred)
    while True:
        g = next(gold_it, None)
        p = next(pred_it, None)
        if g is None and p is None:
            break
        lines += 1
        if g is None or p is None:
            which = "prediction" if p is None else "gold"
            raise InputError(f"line {lines}: {which} has fewer lines than the other file")
        gw, pw = g.split(), p.split()
        if "".join(gw) != "".join(pw):
            raise InputError(f"line {lines}: gold and prediction have different characters")
        gs = _spans(gw)
        ps = set(_spans(pw))
        n_gold += len(gs)
        n_pred += len(ps)
        for w, span in zip(gw, gs):
            hit = span in ps
            n_ok += hit
            if known_words is not None and w not in known_words:
                n_oov += 1
                n_oov_ok += hit
    p = n_ok / n_pred if n_pred else 0.0
    r = n_ok / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    oov = (n_oov_ok / n_oov if n_oov else None) if known_words is not None else None
    return SegmentationScore(p, r, f, oov, n_gold, n_pred, n_ok, n_oov, lines)
