"""Scoring unsupervised parses against Universal Dependencies trees (protocol of data.md).

Gold spans: each word's span is the yield of its subtree in the dependency tree (the word and all
its descendants). Only contiguous yields are spans (a non-projective subtree has none; they are
counted in ``non_contiguous``); spans of length >= 2 are used and the whole sentence is left out.
Predicted spans: every block of a predicted tree with >= 2 words, the whole sentence left out.
Precision, recall and F1 are corpus-level (micro): matched spans summed over sentences, divided by
predicted / gold spans summed over sentences.

Baselines on the same sentences: right-branching (every suffix), left-branching (every prefix)
and a random binary tree per sentence (each block split at a uniformly chosen point; NumPy
generator seeded with ``seed``). CoNLL-U multiword-token lines (``1-2``) and empty nodes (``8.1``)
are skipped: words are the integer-id lines.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator, Sequence

import numpy as np

from .errors import FormatError, InputError
from .trees import Tree, tree_from_brackets, tree_from_dict
from .textio import read_blocks


@dataclass
class DependencySentence:
    """Words and 1-based heads (0 = root) of one CoNLL-U sentence."""
    words: list[str]
    heads: list[int]
    sent_id: str = ""


def read_conllu(path: str, encoding: str = "utf-8") -> Iterator[DependencySentence]:
    """Sentences of a CoNLL-U file. Raises :class:`FormatError` naming the line on malformed input."""
    words: list[str] = []
    heads: list[int] = []
    sent_id = ""
    line_no = 0

    def flush():
        if words:
            n = len(words)
            for k, h in enumerate(heads):
                if not 0 <= h <= n or h == k + 1:
                    raise FormatError(f"{path}: sentence {sent_id or '?'}: bad head {h} for word {k + 1}")
        return DependencySentence(list(words), list(heads), sent_id)

    tail = ""
    for text, _ in read_blocks(path, encoding):
        text = tail + text
        parts = text.split("\n")
        tail = parts.pop()
        for raw in parts:
            line_no += 1
            line = raw.rstrip("\r")
            if not line.strip():
                if words:
                    yield flush()
                words, heads, sent_id = [], [], ""
                continue
            if line.startswith("#"):
                if line.startswith("# sent_id"):
                    sent_id = line.split("=", 1)[-1].strip()
                continue
            cells = line.split("\t")
            if len(cells) != 10:
                raise FormatError(f"{path}:{line_no}: expected 10 TAB-separated CoNLL-U columns, got {len(cells)}")
            if "-" in cells[0] or "." in cells[0]:
                continue
            try:
                idx, head = int(cells[0]), int(cells[6])
            except ValueError:
                raise FormatError(f"{path}:{line_no}: bad ID or HEAD") from None
            if idx != len(words) + 1:
                raise FormatError(f"{path}:{line_no}: word ids out of order (expected {len(words) + 1})")
            words.append(cells[1])
            heads.append(head)
    if tail.strip():
        raise FormatError(f"{path}: last line is not terminated")
    if words:
        yield flush()


def gold_spans(heads: Sequence[int]) -> tuple[set[tuple[int, int]], int]:
    """``(spans, n_non_contiguous)``: 0-based half-open yields of every word's subtree that are
    contiguous, of length >= 2, not the whole sentence."""
    n = len(heads)
    lo = list(range(n))
    hi = list(range(1, n + 1))
    size = [1] * n
    # children before parents: order words by depth, deepest first
    depth = [0] * n
    for k in range(n):
        d, h, seen = 0, heads[k], 0
        while h != 0 and seen <= n:
            d += 1
            h = heads[h - 1]
            seen += 1
        if seen > n:
            raise FormatError("dependency heads form a cycle")
        depth[k] = d
    for k in sorted(range(n), key=lambda x: -depth[x]):
        h = heads[k]
        if h:
            p = h - 1
            lo[p] = min(lo[p], lo[k])
            hi[p] = max(hi[p], hi[k])
            size[p] += size[k]
    spans, broken = set(), 0
    for k in range(n):
        if hi[k] - lo[k] != size[k]:
            broken += 1
            continue
        if size[k] >= 2 and not (lo[k] == 0 and hi[k] == n):
            spans.add((lo[k], hi[k]))
    return spans, broken


def right_branching(n: int) -> set[tuple[int, int]]:
    return {(i, n) for i in range(1, n - 1)}


def left_branching(n: int) -> set[tuple[int, int]]:
    return {(0, j) for j in range(2, n)}


def random_tree(n: int, rng: np.random.Generator) -> set[tuple[int, int]]:
    """Spans of a random binary tree: each block [a, b) split at a uniform point in (a, b)."""
    out: set[tuple[int, int]] = set()
    stack = [(0, n)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        if not (a == 0 and b == n):
            out.add((a, b))
        k = int(rng.integers(a + 1, b))
        stack.append((k, b))
        stack.append((a, k))
    return out


def tree_spans(tree: Tree) -> set[tuple[int, int]]:
    n = len(tree.tokens)
    return {s for s in tree.spans(min_len=2, include_root=True) if not (s[0] == 0 and s[1] == n)}


@dataclass
class SpanScore:
    precision: float
    recall: float
    f1: float
    matched: int
    predicted: int
    gold: int

    @classmethod
    def from_counts(cls, matched: int, predicted: int, gold: int) -> "SpanScore":
        p = matched / predicted if predicted else 0.0
        r = matched / gold if gold else 0.0
        return cls(p, r, 2 * p * r / (p + r) if p + r else 0.0, matched, predicted, gold)


@dataclass
class ParseEvaluation:
    """Scores of the prediction and of the baselines, computed over the same sentences."""
    scores: dict[str, SpanScore]
    sentences: int
    words: int
    non_contiguous: int
    seed: int
    best_baseline: str = field(init=False)

    def __post_init__(self):
        base = {k: v for k, v in self.scores.items() if k != "minent"}
        self.best_baseline = max(sorted(base), key=lambda k: base[k].f1) if base else ""

    def as_dict(self) -> dict:
        d = asdict(self)
        d["scores"] = {k: asdict(v) for k, v in self.scores.items()}
        return d

    def table(self) -> str:
        rows = ["system\tprecision\trecall\tF1\tmatched\tpredicted\tgold"]
        for k, v in self.scores.items():
            rows.append(f"{k}\t{v.precision:.4f}\t{v.recall:.4f}\t{v.f1:.4f}\t{v.matched}\t{v.predicted}\t{v.gold}")
        return "\n".join(rows)


def evaluate_spans(gold: Iterable[DependencySentence], predicted: Iterable[Tree] | None,
                   seed: int = 0) -> ParseEvaluation:
    """Span P/R/F1 of ``predicted`` trees (one per gold sentence, same words) and of the baselines.

    Raises :class:`InputError` when the counts or the words of a sentence differ.
    """
    rng = np.random.default_rng(seed)
    systems = ["right-branching", "left-branching", "random"]
    if predicted is not None:
        systems = ["minent"] + systems
    counts = {k: [0, 0, 0] for k in systems}
    n_sent = n_words = broken_total = 0
    pred_it = iter(predicted) if predicted is not None else None
    for g in gold:
        n_sent += 1
        n = len(g.words)
        n_words += n
        spans, broken = gold_spans(g.heads)
        broken_total += broken
        cand = {"right-branching": right_branching(n), "left-branching": left_branching(n),
                "random": random_tree(n, rng)}
        if pred_it is not None:
            t = next(pred_it, None)
            if t is None:
                raise InputError(f"prediction has fewer sentences than the gold ({n_sent - 1})")
            if list(t.tokens) != g.words:
                raise InputError(f"sentence {n_sent} ({g.sent_id or 'no id'}): predicted words differ from the "
                                 f"gold words")
            cand["minent"] = tree_spans(t)
        for k in systems:
            c = counts[k]
            c[0] += len(cand[k] & spans)
            c[1] += len(cand[k])
            c[2] += len(spans)
    if pred_it is not None and next(pred_it, None) is not None:
        raise InputError(f"prediction has more sentences than the gold ({n_sent})")
    if n_sent == 0:
        raise InputError("gold file has no sentences")
    scores = {k: SpanScore.from_counts(*counts[k]) for k in systems}
    return ParseEvaluation(scores, n_sent, n_words, broken_total, seed)


def read_predictions(path: str, encoding: str = "utf-8") -> Iterator[Tree]:
    """Trees of a ``minent parse`` output: bracket lines or JSON lines (detected per line; an empty
    line is an empty sentence). Raises :class:`FormatError` naming the line."""
    tail = ""
    line_no = 0

    def one(line: str) -> Tree:
        s = line.strip()
        if not s:
            return Tree(0, 0, "empty", ())
        if s.startswith("+--->") or s.startswith("|"):
            raise FormatError(f"{path}:{line_no}: looks like `minent parse --format tree` output; "
                              f"evaluate --format brackets or json")
        if s.startswith("{"):
            try:
                d = json.loads(s)
                tokens = tuple(d["tokens"])
                return tree_from_dict(d["tree"], tokens) if tokens else Tree(0, 0, "empty", ())
            except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
                raise FormatError(f"{path}:{line_no}: not a minent parse JSON line") from None
        try:
            tokens, tree = tree_from_brackets(s)
        except ValueError as exc:
            raise FormatError(f"{path}:{line_no}: {exc}") from None
        tree.tokens = tuple(tokens)
        _retoken(tree, tree.tokens)
        return tree

    for text, _ in read_blocks(path, encoding):
        text = tail + text
        parts = text.split("\n")
        tail = parts.pop()
        for raw in parts:
            line_no += 1
            yield one(raw.rstrip("\r"))
    if tail:
        line_no += 1
        yield one(tail)


def _retoken(tree: Tree, tokens: tuple) -> None:
    stack = [tree]
    while stack:
        t = stack.pop()
        t.tokens = tokens
        stack.extend(t.children)
