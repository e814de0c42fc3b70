"""Parse trees of nested templates and their formats (method.md §5).

A :class:`Tree` is a block of a sentence: one word, a template with its literals and placeholder
blocks, an unexplained flat sequence, a bracket added by a refinement, or the root of a sentence
parsed in chunks. Formats: an indented rendering (:meth:`Tree.render`), one line of brackets
(:meth:`Tree.brackets`, read back by :func:`tree_from_brackets`; the tokens ``(`` / ``)`` are
escaped as ``-LRB-`` / ``-RRB-``), and a JSON-ready dict (:meth:`Tree.to_dict`,
:func:`tree_from_dict`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence


def _needs_space(left: str, right: str) -> bool:
    return bool(left) and bool(right) and left[-1].isascii() and left[-1].isalnum() \
        and right[0].isascii() and right[0].isalnum()


def join_tokens(tokens: Sequence[str], sep: str | None = None) -> str:
    """Join tokens with ``sep``; ``None``: no separator, except a space between two ASCII letters
    or digits (so Chinese reads naturally and English words stay apart)."""
    if sep is not None:
        return sep.join(tokens)
    out = []
    for t in tokens:
        if out and _needs_space(out[-1], t):
            out.append(" ")
        out.append(t)
    return "".join(out)


_ESCAPES = {"(": "-LRB-", ")": "-RRB-"}
_UNESCAPES = {v: k for k, v in _ESCAPES.items()}


def escape_token(token: str) -> str:
    """Bracket-format escaping: the tokens ``(`` and ``)`` become ``-LRB-`` / ``-RRB-``."""
    return _ESCAPES.get(token, token)


def unescape_token(token: str) -> str:
    return _UNESCAPES.get(token, token)


@dataclass
class Tree:
    """A block of a parse: words ``tokens[start:end]``.

    ``kind``: ``"word"`` (one word: a template literal when ``literal`` is true, else a one-word
    block), ``"template"`` (``template`` is its text; ``elements`` the ``(start, end, is_literal)``
    of its literals and placeholders; children are its literals and placeholder blocks, in order,
    possibly regrouped by the ``attach`` refinement), ``"unexplained"`` (a flat sequence of blocks
    no template explains), ``"group"`` (a bracket added by ``attach``), ``"chunks"`` (root of a
    sentence longer than the parser's ``max_len``) or ``"empty"``. ``logp`` is the block's score in
    nats (sum of ln p over the templates and words inside, plus penalties); ``information_bits =
    -logp / ln 2``. The sentence-final run (:func:`sentence_core`) hangs from the root as extra
    children and is not scored (mining drops it).
    """
    start: int
    end: int
    kind: str
    tokens: Sequence[str] = field(repr=False, default=())
    template: str | None = None
    logp: float = 0.0
    children: list["Tree"] = field(default_factory=list)
    literal: bool = False
    elements: list[tuple[int, int, bool]] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return self.end - self.start

    @property
    def words(self) -> list[str]:
        return list(self.tokens[self.start:self.end])

    @property
    def information_bits(self) -> float:
        return -self.logp / math.log(2)

    def spans(self, min_len: int = 2, include_root: bool = False) -> set[tuple[int, int]]:
        """``(start, end)`` of every block of at least ``min_len`` words (the root only if asked)."""
        out: set[tuple[int, int]] = set()
        stack = [self]
        while stack:
            t = stack.pop()
            if t.kind != "word" and len(t) >= min_len and (include_root or t is not self):
                out.add((t.start, t.end))
            stack.extend(t.children)
        return out

    def text(self, sep: str | None = None) -> str:
        return join_tokens(self.words, sep)

    def label(self, sep: str | None = None) -> str:
        """``(苹果)的(颜色)是(什么)呢`` for a template block; the words for any other block."""
        if self.kind != "template" or not self.elements:
            return self.text(sep)
        pieces: list[tuple[str, str, str]] = []
        for a, b, is_literal in self.elements:
            body = join_tokens(self.tokens[a:b], sep)
            shown = body if is_literal else f"({body})"
            pieces.append((shown, self.tokens[a], self.tokens[b - 1]))
        out = []
        for k, (shown, first, last) in enumerate(pieces):
            if k and (sep is not None and sep or (sep is None and _needs_space(pieces[k - 1][2], first))):
                out.append(" " if sep is None else sep)
            out.append(shown)
        return "".join(out)

    def render(self, sep: str | None = None) -> str:
        """Indented tree, one block a line: ``+---> (鸡蛋)可以(吃)吗`` then its children."""
        lines: list[str] = []

        def walk(t: Tree, prefix: str):
            lines.append(f"{prefix}+---> {t.label(sep)}")
            for c in t.children:
                walk(c, prefix + "|     ")

        if self.kind == "empty":
            return ""
        walk(self, "")
        return "\n".join(lines)

    def brackets(self) -> str:
        """One line: every block of two or more words in parentheses, words separated by spaces
        (``(`` and ``)`` tokens escaped as ``-LRB-`` / ``-RRB-``)."""
        if self.kind == "empty":
            return ""
        if self.kind == "word":
            return escape_token(self.tokens[self.start])
        if not self.children:
            return "(" + " ".join(escape_token(w) for w in self.words) + ")"
        return "(" + " ".join(c.brackets() for c in self.children) + ")"

    def to_dict(self) -> dict:
        d = {"start": self.start, "end": self.end, "kind": self.kind}
        if self.kind == "word":
            d["word"] = self.tokens[self.start]
            d["literal"] = self.literal
        if self.template is not None:
            d["template"] = self.template
        d["logp"] = round(self.logp, 6)
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        return d


def tree_from_brackets(line: str) -> tuple[list[str], Tree]:
    """Read a :meth:`Tree.brackets` line back: ``(tokens, tree)`` (kinds are ``"block"`` / ``"word"``).

    Raises ValueError on unbalanced parentheses.
    """
    tokens: list[str] = []
    stack: list[list] = [[]]
    starts: list[int] = []
    for raw in line.replace("(", " ( ").replace(")", " ) ").split():
        if raw == "(":
            starts.append(len(tokens))
            stack.append([])
        elif raw == ")":
            if not starts:
                raise ValueError("unbalanced ')'")
            kids = stack.pop()
            node = Tree(starts.pop(), len(tokens), "block", tokens, children=kids)
            stack[-1].append(node)
        else:
            tokens.append(unescape_token(raw))
            stack[-1].append(Tree(len(tokens) - 1, len(tokens), "word", tokens))
    if starts:
        raise ValueError("unbalanced '('")
    top = stack[0]
    if len(top) == 1 and top[0].kind == "block" and len(top[0]) == len(tokens):
        return tokens, top[0]
    return tokens, Tree(0, len(tokens), "block", tokens, children=top)


def tree_from_dict(d: dict, tokens: Sequence[str]) -> Tree:
    """Inverse of :meth:`Tree.to_dict` (``tokens``: the sentence)."""
    kids = [tree_from_dict(c, tokens) for c in d.get("children", [])]
    return Tree(int(d["start"]), int(d["end"]), d.get("kind", "block"), tokens, d.get("template"),
                float(d.get("logp", 0.0)), kids, bool(d.get("literal", False)))
