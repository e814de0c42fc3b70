"""Template parsing: golden examples, exactness against brute force, trees, evaluation, CLI."""
import functools
import json
import math
import time

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from minent.commands import main
from minent.errors import FormatError, InputError, MinentError
from minent.parse import (Tree, TemplateParser, attach_by_boundaries, bind_literals, group_pieces, parse_chart,
                          sentence_core,
                          tree_from_brackets, tree_from_dict)
from minent.parse_eval import (evaluate_spans, gold_spans, left_branching, random_tree, read_conllu,
                               read_predictions, right_branching, DependencySentence)
from minent.templates import Templates

GOLDEN = ["[X] 可以 [X] 吗", "[X] 的 [X] 是 [X] 呢", "[X] 和 [X]", "[X] 的 [X]", "[X] 呢", "我 [X]"]
WORDS = "鸡蛋 可以 吃 吗 雪梨 和 苹果 香蕉 的 颜色 是 什么 呢 我 牛肉".split()


def golden_templates():
    return Templates(GOLDEN, [50, 30, 100, 200, 60, 80], word_counts={w: 10 for w in WORDS}, n_words=1000)


# ----------------------------------------------------------------------------- golden examples

@pytest.mark.parametrize("tie", ["left", "right"])
def test_golden_egg(tie):
    t = TemplateParser(golden_templates(), tie_break=tie).parse("鸡蛋 可以 吃 吗".split())
    assert t.render().splitlines()[0] == "+---> (鸡蛋)可以(吃)吗"
    assert t.template == "[X] 可以 [X] 吗"


def test_golden_fruit_nesting_follows_tie_break():
    sent = "雪梨 和 苹果 和 香蕉 的 颜色 是 什么 呢".split()
    left = TemplateParser(golden_templates(), tie_break="left").parse(sent)
    right = TemplateParser(golden_templates(), tie_break="right").parse(sent)
    for t in (left, right):
        assert t.template == "[X] 的 [X] 是 [X] 呢"
        assert t.label() == "(雪梨和苹果和香蕉)的(颜色)是(什么)呢"
    assert left.children[0].label() == "(雪梨和苹果)和(香蕉)"
    assert left.children[0].children[0].label() == "(雪梨)和(苹果)"
    assert right.children[0].label() == "(雪梨)和(苹果和香蕉)"
    assert left.brackets() == "(((雪梨 和 苹果) 和 香蕉) 的 颜色 是 什么 呢)"
    assert right.brackets() == "((雪梨 和 (苹果 和 香蕉)) 的 颜色 是 什么 呢)"


def test_tie_between_different_templates():
    tpl = Templates(["[X] a [X]", "[X] b [X]"], [10, 10], word_counts={w: 1 for w in "xaybz"}, n_words=5)
    words = "x a y b z".split()
    assert TemplateParser(tpl, tie_break="left", attach=False).parse(words).template == "[X] b [X]"
    assert TemplateParser(tpl, tie_break="right", attach=False).parse(words).template == "[X] a [X]"


def test_unexplained_block_and_unknown_words():
    t = TemplateParser(golden_templates()).parse("牛肉 鸡蛋 可以 吃 吗".split())
    assert t.label() == "(牛肉鸡蛋)可以(吃)吗"
    assert t.children[0].kind == "unexplained"
    u = TemplateParser(golden_templates()).parse("火星 人 可以 吃 吗".split())  # unknown words
    assert u.template == "[X] 可以 [X] 吗"


def test_sentence_marks_hang_from_root_and_empty_input():
    p = TemplateParser(golden_templates())
    t = p.parse("鸡蛋 可以 吃 吗 ？".split())
    assert t.label() == "(鸡蛋)可以(吃)吗？" and t.end == 5 and t.spans() == set()
    assert p.parse([]).kind == "empty" and p.parse(["。"]).kind == "word"
    assert [sentence_core(s.split()) for s in ["a b 。 ”", "a “ b ”", "a ” 。", "。 ！"]] == [2, 4, 2, 0]
    assert p.information_bits("鸡蛋 可以 吃 吗 ？".split())[0] == pytest.approx(
        -4 * math.log2(10 / 1000))


# ----------------------------------------------------------------------------- exactness

def brute_force(parser, words, pen, wl, fl=0.0, edge=None):
    """Best score by exhaustive enumeration of every analysis (tiny inputs only), over the
    parser's patterns (the templates, and their frames) and their ln p; ``edge``: the chart's
    per-position edge terms (a block [i, j) of 2+ words adds ``edge[i] + edge[j]``)."""
    pats = [(p, lp) for p, lp in zip(parser.patterns, parser.pattern_logp.tolist()) if len(p) > 1]

    def bonus(i, j):
        return 0.0 if edge is None or j - i < 2 else edge[i] + edge[j]

    @functools.lru_cache(None)
    def S(i, j):
        return max(E(i, j, False), U(i, j))

    @functools.lru_cache(None)
    def E(i, j, in_flat):
        if j - i == 1:
            return wl[i]
        best = -math.inf
        for p, lp in pats:
            if in_flat and not parser.open_in_flat and (p[0] == "[X]" or p[-1] == "[X]"):
                continue
            best = max(best, lp + align(p, 0, i, j))
        return best + bonus(i, j)

    def align(p, k, i, j):
        if k == len(p):
            return 0.0 if i == j else -math.inf
        if i >= j:
            return -math.inf
        if p[k] != "[X]":
            return align(p, k + 1, i + 1, j) if words[i] == p[k] else -math.inf
        last = j - (len(p) - k - 1)  # every later element needs a word
        return max([S(i, q) + align(p, k + 1, q, j) for q in range(i + 1, last + 1)], default=-math.inf)

    @functools.lru_cache(None)
    def G(i, j):  # at least one in-flat block, each costing fl
        best = E(i, j, True) + fl
        for k in range(i + 1, j):
            best = max(best, G(i, k) + E(k, j, True) + fl)
        return best

    def U(i, j):
        return pen + bonus(i, j) + max([G(i, k) + E(k, j, True) + fl for k in range(i + 1, j)], default=-math.inf)

    return S(0, len(words))


def tree_score(t: Tree, parser, pen, wl, fl=0.0) -> float:
    """Score of a tree recomputed from its parts."""
    if t.kind == "word":
        return 0.0 if t.literal else wl[t.start]
    s = sum(tree_score(c, parser, pen, wl, fl) for c in t.children)
    if t.kind == "template":
        s += float(parser.pattern_logp[parser.patterns.index(tuple(t.template.split()))])
    elif t.kind == "unexplained":
        s += pen + fl * len(t.children)
    return s


ALPHABET = ["a", "b", "c", "d"]
PATTERNS = ["[X] a [X]", "[X] b", "c [X]", "a [X] b", "[X] a [X] b [X]", "c d", "[X] c [X] d", "d [X] a"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=7),
       st.lists(st.integers(1, 50), min_size=len(PATTERNS), max_size=len(PATTERNS)),
       st.sampled_from([0.0, -1.0, -4.0]), st.booleans(), st.sampled_from([0.0, -2.0]), st.booleans())
def test_parser_is_exact(words, counts, pen, frames, fl, open_in_flat):
    tpl = Templates(PATTERNS, counts, word_counts={"a": 5, "b": 3, "c": 2}, n_words=40)
    parser = TemplateParser(tpl, unexplained_logp=pen, attach=False, frames=frames, flat_logp=fl,
                            open_in_flat=open_in_flat)
    wl = [tpl.word_logp(w) for w in words]
    tree = parser.parse(words)
    assert tree.logp == pytest.approx(brute_force(parser, tuple(words), pen, wl, fl), abs=1e-9)
    assert tree_score(tree, parser, pen, wl, fl) == pytest.approx(tree.logp, abs=1e-9)
    assert [w for w in _leaves(tree)] == words


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=7),
       st.lists(st.integers(1, 50), min_size=len(PATTERNS), max_size=len(PATTERNS)),
       st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=4, max_size=4),
       st.sampled_from([0.5, 2.0]), st.sampled_from([0.0, -2.0]))
def test_parser_is_exact_with_edge_evidence(words, counts, bounds, weight, fl):
    # the chart maximises the code-length score plus the edge term of every block; the tree's logp
    # is the code length alone
    tpl = Templates(PATTERNS, counts, word_counts={"a": 5, "b": 3, "c": 2}, n_words=40,
                    boundaries=dict(zip(ALPHABET, bounds)))
    parser = TemplateParser(tpl, unexplained_logp=-1.0, attach=False, bind=False, flat_logp=fl, edge_weight=weight)
    wl = [tpl.word_logp(w) for w in words]
    edge = parser.edges(words)
    tree = parser.parse(words)
    blocks = []
    stack = [tree]
    while stack:
        t = stack.pop()
        stack.extend(t.children)
        if t.kind in ("template", "unexplained") and len(t) >= 2:
            blocks.append(edge[t.start] + edge[t.end])
    assert tree.logp + sum(blocks) == pytest.approx(brute_force(parser, tuple(words), -1.0, wl, fl, edge), abs=1e-9)
    assert tree_score(tree, parser, -1.0, wl, fl) == pytest.approx(tree.logp, abs=1e-9)
    assert [w for w in _leaves(tree)] == words
    for k in range(1, len(words)):
        assert edge[k] == pytest.approx(-weight * parser.boundary_score(words[k - 1], words[k]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), min_size=20, max_size=60),
       st.lists(st.integers(1, 50), min_size=len(PATTERNS), max_size=len(PATTERNS)), st.booleans())
def test_chart_same_whatever_first_room(words, counts, left):
    # a start position whose work arrays run out runs again with them doubled: room=1 forces that
    # at nearly every step, and the tables must equal those of the default room
    tpl = Templates(PATTERNS, counts, word_counts={"a": 5, "b": 3, "c": 2}, n_words=40)
    parser = TemplateParser(tpl, attach=False, flat_logp=-1.0)
    ids = np.array([parser.index.get(w, -1) for w in words], np.int64)
    wl = np.where(ids >= 0, parser.word_logp[np.maximum(ids, 0)], parser.unknown_logp)
    args = (ids, wl, parser.tables, parser.unexplained_logp, left, True, -1.0)
    for a, b in zip(parse_chart(*args), parse_chart(*args, 1)):
        np.testing.assert_array_equal(a, b)


def _leaves(t):
    if t.kind == "word":
        return [t.tokens[t.start]]
    return [w for c in t.children for w in _leaves(c)]


def test_long_sentence_is_polynomial_and_chunked():
    words = [WORDS[k % len(WORDS)] for k in range(150)]
    p = TemplateParser(golden_templates(), max_len=100)
    t0 = time.perf_counter()
    t = p.parse(words)
    assert time.perf_counter() - t0 < 20
    assert t.kind == "chunks" and [len(c) for c in t.children] == [100, 50] and p.n_chunked == 1
    with pytest.raises(MinentError):
        TemplateParser(golden_templates(), max_len=10_000)


def test_frames_of_templates():
    tpl = Templates(["[X] 在 [X] 中 [X]", "在 [X] 中 [X]", "[X] 在 [X] 中 呢", "[X] 吗"], [6, 3, 1, 9], n_words=100,
                    word_counts={"在": 10, "中": 10, "吗": 9, "呢": 1})
    p = TemplateParser(tpl)
    extra = dict(zip(p.patterns[4:], p.pattern_logp[4:].tolist()))
    # the frame of the first two templates, scored by their summed counts; "[X] 吗" has no frame
    assert extra == {("在", "[X]", "中"): pytest.approx(math.log(9 / tpl.total)),
                     ("在", "[X]", "中", "呢"): pytest.approx(math.log(1 / tpl.total))}
    assert TemplateParser(tpl, frames=False).patterns == tpl.patterns
    # with a cheap unexplained sequence, the frame stands as a closed block inside it
    t = TemplateParser(tpl, attach=False, unexplained_logp=-1.0).parse("我们 在 会议 中 吗".split())
    assert "(在 会议 中)" in t.brackets()


# ----------------------------------------------------------------------------- trees

def test_attach_groups_by_score():
    toks = tuple("x 的 y z".split())
    t = Tree(0, 4, "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(4)])
    attach_by_boundaries(t, lambda a, b: 2.0 if b == "的" else (1.0 if a == "y" else -1.0))
    assert t.brackets() == "((x 的) (y z))"
    flat = Tree(0, 4, "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(4)])
    attach_by_boundaries(flat, lambda a, b: 0.0)
    assert flat.brackets() == "(x 的 y z)"
    # a lower floor keeps grouping: -inf brackets every block into a binary tree, ties leftmost
    full = Tree(0, 4, "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(4)])
    attach_by_boundaries(full, lambda a, b: 0.0, min_score=-math.inf)
    assert full.brackets() == "(((x 的) y) z)"
    some = Tree(0, 4, "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(4)])
    attach_by_boundaries(some, lambda a, b: -1.0 if a == "的" else -3.0, min_score=-2.0)
    assert some.brackets() == "(x (的 y) z)"


def _flat(text: str) -> Tree:
    toks = tuple(text.split())
    return Tree(0, len(toks), "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(len(toks))])


def test_group_pieces():
    # a comma closes the piece before it; the last piece, closed by no comma, stays as it is
    assert group_pieces(_flat("a b ， c d ， e f")).brackets() == "((a b ，) (c d ，) e f)"
    assert group_pieces(_flat("a ， b c")).brackets() == "((a ，) b c)"
    assert group_pieces(_flat("a ， ， b")).brackets() == "((a ，) ， b)"  # an empty piece: the comma stays alone
    # an enumeration comma opens the conjunct after it, up to the next one or the end of the piece
    assert group_pieces(_flat("x a 、 b c 、 d ， e")).brackets() == "((x a (、 b c) (、 d) ，) e)"
    assert group_pieces(_flat("a 、 b")).brackets() == "(a (、 b))"
    # one group covering the block is the block itself; blocks of < 3 children and no marks: unchanged
    assert group_pieces(_flat("a b ，")).brackets() == "(a b ，)"
    assert group_pieces(_flat("a ，")).brackets() == "(a ，)"
    assert group_pieces(_flat("a b c")).brackets() == "(a b c)"
    # nested blocks are bracketed too, and marks inside a word-level child are not looked at
    t = _flat("a b ， c")
    toks = t.tokens
    outer = Tree(0, 5, "unexplained", toks + ("d",), children=[
        Tree(0, 4, "unexplained", toks + ("d",), children=t.children), Tree(4, 5, "word", toks + ("d",))])
    assert group_pieces(outer).brackets() == "(((a b ，) c) d)"
    # brackets and quotes enclose a unit, inside which the pieces are found again
    assert group_pieces(_flat("a （ b c ） d")).brackets() == "(a (（ b c ）) d)"
    assert group_pieces(_flat("“ a ， b c ” d")).brackets() == "((“ (a ，) b c ”) d)"
    assert group_pieces(_flat("（ a （ b ） c ） d")).brackets() == "((（ a (（ b ）) c ）) d)"
    assert group_pieces(_flat("a （ b c d")).brackets() == "(a （ b c d)"  # unmatched: left alone
    # other marks: the caller's choice
    assert group_pieces(_flat("a b ： c d"), closing=("：",), opening=()).brackets() == "((a b ：) c d)"
    # the refinement never groups the marks the pieces placed
    t = group_pieces(_flat("a b c ， d"))
    attach_by_boundaries(t, lambda a, b: 5.0 if b == "，" else (1.0 if a == "a" else -1.0), marks=frozenset("，"))
    assert t.brackets() == "(((a b) c ，) d)"
    # marks at a block's edges are set aside: the units between them are grouped while more than two remain
    v = _flat("（ a b c ）")
    attach_by_boundaries(v, lambda a, b: 1.0, marks=frozenset("（）"))
    assert v.brackets() == "(（ (a b) c ）)"
    u = _flat("a b ， d")
    attach_by_boundaries(u, lambda a, b: 5.0 if b == "，" else -1.0)
    assert u.brackets() == "(a (b ，) d)"  # without marks, the comma joins the word before it


def test_parser_pieces_switch():
    tpl = Templates(["在 [X] 中"], [10], word_counts={"a": 5, "b": 5, "c": 5, "d": 5, "e": 5, "，": 5}, n_words=30,
                    boundaries={"b": (0, 9)})
    words = "c a b ， c d ， e".split()
    on = TemplateParser(tpl).parse(words)
    off = TemplateParser(tpl, pieces=False).parse(words)
    # each comma closes its piece; inside a piece the refinement still groups by the evidence
    assert on.brackets() == "((c (a b) ，) (c d ，) e)"
    assert off.brackets() == "(c (a b) ， c d ， e)"
    assert TemplateParser(tpl, attach=False).parse(words).brackets() == "((c a b ，) (c d ，) e)"
    # scores and words are unchanged by the brackets
    assert on.logp == pytest.approx(off.logp) and on.words == off.words


def test_bind_literals():
    toks = tuple("在 会议 室 中 施力 的 大小".split())
    closing = {"在": -2.0, "中": 2.0, "的": 3.0}

    def score(a, b):
        return closing.get(b, 0.0) - closing.get(a, 0.0)

    def w(k, lit=False):
        return Tree(k, k + 1, "word", toks, literal=lit)

    frame = Tree(0, 4, "template", toks, "在 [X] 中", children=[
        w(0, True), Tree(1, 3, "unexplained", toks, children=[w(1), w(2)]), w(3, True)])
    assert frame.spans(include_root=True) == {(0, 4), (1, 3)}
    # 在 and 中 join the placeholder block, whose own bracket dissolves: one span, 在 会议 室 中
    assert bind_literals(frame, score).brackets() == "(在 会议 室 中)"
    assert frame.spans(include_root=True) == {(0, 4)} and frame.kind == "template"
    de = Tree(4, 7, "template", toks, "[X] 的 [X]", children=[w(4), w(5, True), w(6)])
    assert bind_literals(de, score).brackets() == "((施力 的) 大小)"
    # no positive evidence: the template block stays as parsed
    flat = Tree(4, 7, "template", toks, "[X] 的 [X]", children=[w(4), w(5, True), w(6)])
    assert bind_literals(flat, lambda a, b: 0.0).brackets() == "(施力 的 大小)" and len(flat.children) == 3
    # a placeholder block analysed by a template keeps its template's name on the group it dissolves into
    t2 = tuple("在 会议 室 中 的 大小".split())
    inner = Tree(0, 4, "template", t2, "在 [X] 中", children=[
        Tree(0, 1, "word", t2, literal=True), Tree(1, 3, "unexplained", t2, children=[
            Tree(1, 2, "word", t2), Tree(2, 3, "word", t2)]), Tree(3, 4, "word", t2, literal=True)])
    outer = Tree(0, 6, "template", t2, "[X] 的 [X]", children=[
        inner, Tree(4, 5, "word", t2, literal=True), Tree(5, 6, "word", t2)])
    bind_literals(outer, score)
    assert outer.brackets() == "((在 会议 室 中 的) 大小)"
    assert outer.children[0].kind == "group" and outer.children[0].template == "在 [X] 中"


def test_default_penalty_is_the_rarest_template():
    tpl = golden_templates()
    assert TemplateParser(tpl).unexplained_logp == pytest.approx(math.log(30 / 520))
    assert TemplateParser(tpl, unexplained_logp=-1.0).unexplained_logp == -1.0
    # unexplained spans are the last resort: a sequence no template covers still parses
    t = TemplateParser(tpl).parse("牛肉 鸡蛋 我".split())
    assert t.kind == "unexplained" and t.logp == pytest.approx(math.log(30 / 520) + 3 * math.log(10 / 1000))


def test_cli_attach_floor(tmp_path):
    tpl = tmp_path / "tpl.tsv"
    Templates(["[X] 的 [X]"], [10], word_counts={"x": 5, "的": 5, "y": 5, "z": 5, "w": 5}, n_words=25,
              boundaries={"的": (0, 9), "x": (5, 0)}).save(str(tpl))
    inp = tmp_path / "in.txt"
    inp.write_text("x 的 y z w\n", encoding="utf-8")
    out = {}
    for floor in ["0", "-inf"]:
        r = CliRunner().invoke(main, ["parse", str(inp), "-t", str(tpl), "--pretokenized", "--format", "brackets",
                                      "-q", "--attach-min-score", floor])
        assert r.exit_code == 0, r.output
        out[floor] = r.output.strip()
    assert out == {"0": "((x 的) (y z w))", "-inf": "((x 的) ((y z) w))"}
    r = CliRunner().invoke(main, ["parse", str(inp), "-t", str(tpl), "--pretokenized", "--unexplained-logp", "1"])
    assert r.exit_code == 2 and "must be <= 0" in r.output


def test_cli_bind_and_edge_weight(tmp_path):
    tpl = tmp_path / "tpl.tsv"
    Templates(["[X] 的 [X]"], [10], word_counts={"x": 5, "的": 5, "y": 5, "z": 5}, n_words=20,
              boundaries={"的": (0, 9), "x": (5, 0)}).save(str(tpl))
    inp = tmp_path / "in.txt"
    inp.write_text("x 的 y z\n", encoding="utf-8")
    base = ["parse", str(inp), "-t", str(tpl), "--pretokenized", "--format", "brackets", "-q", "--no-attach"]
    out = {}
    for extra in ([], ["--no-bind"], ["--edge-weight", "0", "--no-bind"], ["--closed-in-flat"]):
        r = CliRunner().invoke(main, base + extra)
        assert r.exit_code == 0, r.output
        out[" ".join(extra)] = r.output.strip()
    assert out == {"": "((x 的) (y z))", "--no-bind": "(x 的 (y z))", "--edge-weight 0 --no-bind": "(x 的 (y z))",
                   "--closed-in-flat": "((x 的) (y z))"}
    inp.write_text("x y ， z\n", encoding="utf-8")
    r = CliRunner().invoke(main, base + ["--no-pieces"])
    assert r.exit_code == 0 and r.output.strip() == "(x y ， z)"
    r = CliRunner().invoke(main, base)
    assert r.exit_code == 0 and r.output.strip() == "((x y ，) z)"
    r = CliRunner().invoke(main, base + ["--edge-weight", "-1"])
    assert r.exit_code != 0 and "edge_weight must be >= 0" in r.output and "Traceback" not in r.output


def test_mined_parser_attaches_by_boundaries():
    tpl = Templates(["[X] 的 [X]"], [10], word_counts={"x": 5, "的": 5, "y": 5, "z": 5}, n_words=20,
                    boundaries={"的": (0, 9), "x": (5, 0)})
    assert TemplateParser(tpl).parse("x 的 y z".split()).spans() == {(0, 2), (2, 4)}
    # the pure tree binds 的 to the block before it (bind_literals); bind=False keeps the template flat
    assert TemplateParser(tpl, attach=False).parse("x 的 y z".split()).spans() == {(0, 2), (2, 4)}
    assert TemplateParser(tpl, attach=False, bind=False).parse("x 的 y z".split()).spans() == {(2, 4)}


def test_brackets_and_json_roundtrip():
    t = TemplateParser(golden_templates()).parse("雪梨 和 苹果 和 香蕉 的 颜色 是 什么 呢".split())
    toks, back = tree_from_brackets(t.brackets())
    assert toks == list(t.tokens) and back.spans(include_root=True) == t.spans(include_root=True)
    again = tree_from_dict(json.loads(json.dumps(t.to_dict())), t.tokens)
    assert again.spans(include_root=True) == t.spans(include_root=True)
    assert tree_from_brackets("(-LRB- a -RRB-)")[0] == ["(", "a", ")"]
    with pytest.raises(ValueError):
        tree_from_brackets("((a b)")


# ----------------------------------------------------------------------------- evaluation

CONLLU = """# sent_id = s1
# text = 苹果的颜色是什么呢
1\t苹果\t_\tNOUN\t_\t_\t3\tnmod\t_\t_
2\t的\t_\tPART\t_\t_\t1\tcase\t_\t_
3\t颜色\t_\tNOUN\t_\t_\t5\tnsubj\t_\t_
4\t是\t_\tAUX\t_\t_\t5\tcop\t_\t_
4.1\t是\t_\tAUX\t_\t_\t_\t_\t_\t_
5\t什么\t_\tPRON\t_\t_\t0\troot\t_\t_
6\t呢\t_\tPART\t_\t_\t5\tdiscourse\t_\t_

1-2\t鸡蛋\t_\t_\t_\t_\t_\t_\t_\t_
1\t鸡\t_\tNOUN\t_\t_\t2\tnmod\t_\t_
2\t蛋\t_\tNOUN\t_\t_\t0\troot\t_\t_

"""


def test_read_conllu_and_gold_spans(tmp_path):
    p = tmp_path / "g.conllu"
    p.write_text(CONLLU, encoding="utf-8")
    sents = list(read_conllu(str(p)))
    assert [s.words for s in sents] == [["苹果", "的", "颜色", "是", "什么", "呢"], ["鸡", "蛋"]]
    assert gold_spans(sents[0].heads) == ({(0, 2), (0, 3)}, 0)
    assert gold_spans([3, 4, 0, 3]) == (set(), 1)  # word 4 has yield {2, 4}: not contiguous
    assert gold_spans([2, 0, 2, 3]) == ({(2, 4)}, 0)
    p.write_text("1\ta\n\n", encoding="utf-8")
    with pytest.raises(FormatError, match=":1: expected 10"):
        list(read_conllu(str(p)))


def test_baselines_and_scores():
    assert right_branching(4) == {(1, 4), (2, 4)} and left_branching(4) == {(0, 2), (0, 3)}
    r = random_tree(10, np.random.default_rng(0))
    assert len(r) == 8 and all(b - a >= 2 for a, b in r)
    gold = [DependencySentence(["a", "b", "c", "d"], [2, 0, 4, 2])]  # a<-b, c<-d, d<-b: gold span (2, 4)
    toks = ("a", "b", "c", "d")
    pred = Tree(0, 4, "unexplained", toks, children=[
        Tree(0, 2, "group", toks, children=[Tree(0, 1, "word", toks), Tree(1, 2, "word", toks)]),
        Tree(2, 4, "group", toks, children=[Tree(2, 3, "word", toks), Tree(3, 4, "word", toks)])])
    ev = evaluate_spans(gold, [pred])
    assert ev.scores["minent"].matched == 1 and ev.scores["minent"].predicted == 2
    assert ev.scores["minent"].gold == 1 and ev.scores["minent"].f1 == pytest.approx(2 / 3)
    with pytest.raises(InputError):
        evaluate_spans(gold, [])
    with pytest.raises(InputError):
        evaluate_spans(gold, [Tree(0, 4, "unexplained", ("a", "b", "x", "d"))])


# ----------------------------------------------------------------------------- CLI

def write_templates(tmp_path):
    p = tmp_path / "tpl.txt"
    p.write_text("\n".join(f"{t}\t{c}" for t, c in zip(GOLDEN, [50, 30, 100, 200, 60, 80])) + "\n",
                 encoding="utf-8")
    return p


def test_cli_parse_formats(tmp_path):
    tpl = write_templates(tmp_path)
    inp = tmp_path / "in.txt"
    inp.write_text("鸡蛋 可以 吃 吗\n\n苹果 的 颜色 是 什么 呢\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["parse", str(inp), "-t", str(tpl), "--pretokenized", "-q"])
    assert r.exit_code == 0, r.output
    assert "+---> (鸡蛋)可以(吃)吗" in r.output and "+---> (苹果)的(颜色)是(什么)呢" in r.output
    r = runner.invoke(main, ["parse", str(inp), "-t", str(tpl), "--pretokenized", "--format", "brackets", "-q"])
    assert r.output.splitlines() == ["(鸡蛋 可以 吃 吗)", "", "(苹果 的 颜色 是 什么 呢)"]
    out = tmp_path / "p.jsonl"
    r = runner.invoke(main, ["parse", str(inp), "-t", str(tpl), "--pretokenized", "--format", "json", "-o",
                             str(out), "-q"])
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["tree"]["template"] == "[X] 可以 [X] 吗" and rows[1]["tree"] is None
    assert [t.tokens for t in read_predictions(str(out))][0] == ("鸡蛋", "可以", "吃", "吗")


def test_cli_parse_bad_templates(tmp_path):
    inp = tmp_path / "in.txt"
    inp.write_text("鸡蛋 可以 吃 吗\n", encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    runner = CliRunner()
    for text, msg in [("", "empty templates file"),
                      ("# minent-templates format=3 total=3 n_words=3\n## templates\n", "format 3 is not supported")]:
        bad.write_text(text, encoding="utf-8")
        r = runner.invoke(main, ["parse", str(inp), "-t", str(bad), "--pretokenized"])
        assert r.exit_code == 2 and msg in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(main, ["parse", str(inp), "-t", str(write_templates(tmp_path)), "--pretokenized",
                             "-o", str(inp)])
    assert r.exit_code == 2 and "refusing to write" in r.output


def test_cli_evaluate_parse(tmp_path):
    gold = tmp_path / "g.conllu"
    gold.write_text(CONLLU, encoding="utf-8")
    tpl = write_templates(tmp_path)
    pred = tmp_path / "pred.txt"
    runner = CliRunner()
    r = runner.invoke(main, ["parse", str(gold), "--conllu", "-t", str(tpl), "--format", "brackets", "-o",
                             str(pred), "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["evaluate-parse", str(gold), str(pred)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].startswith("system\tprecision") and "right-branching" in r.output
    pred.write_text("(a b)\n", encoding="utf-8")
    r = runner.invoke(main, ["evaluate-parse", str(gold), str(pred)])
    assert r.exit_code == 2 and "differ" in r.output
    pred.write_text("+---> (苹果)的(颜色)是(什么)呢\n", encoding="utf-8")
    r = runner.invoke(main, ["evaluate-parse", str(gold), str(pred)])
    assert r.exit_code == 2 and "--format tree" in r.output
