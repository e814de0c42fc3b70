"""Where the parse's brackets come from, UD Chinese GSDSimp dev only (issue 13); writes
outputs/bench/templates_objective.{json,md}.

Templates are mined in-process with default options from pd1998 (words of its learned lexicon)
plus the UD dev sentences (gold words, no trees), as in bench_templates.py. Every row parses the
500 dev sentences with one ``TemplateParser`` setting and scores the trees with ``evaluate_spans``
(random-tree baseline, seed 0, in the same call), on all sentences and on two halves: A (even
positions: the half the punctuation pieces and their defaults were chosen on) and B (odd
positions: the confirmation half), each against its own random baseline. Tables:

1. punctuation pieces (``pieces``) x block-edge evidence in the chart (``edge_weight``) x
   templates with an edge placeholder inside unexplained sequences (``open_in_flat``) x pure /
   refined trees (``attach``), and the default without binding (``bind``); what the edge term
   costs: information per word of every 5th pd1998 sentence under the same templates;
2. the unexplained penalty U and the per-block cost C of unexplained sequences (``flat_logp``),
   with the default edges, binding and pieces;
3. the refinement's floor (``attach_min_score``) for the default parser, the default before
   pieces, the parser without edges, binding and pieces, and as references that use no template
   at all, the flat sentence bracketed by the same boundary scores, with and without pieces.

Test splits are never read.

Usage: python bench/bench_parse_objective.py [--data ../shared/data] [--out outputs]
"""
from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _common import write_results  # noqa: E402
from minent.parse import (BRACKET_PAIRS, DEFAULT_ATTACH_MIN_SCORE, DEFAULT_EDGE_WEIGHT, PIECE_MARKS,  # noqa: E402
                          TemplateParser, attach_by_boundaries, group_pieces, sentence_core)
from minent.parse_eval import evaluate_spans, gold_spans, read_conllu, tree_spans  # noqa: E402
from minent.sentences import learned_lexicon  # noqa: E402
from minent.templates import TemplateFinder, split_sentences  # noqa: E402
from minent.textio import Corpus  # noqa: E402
from minent.trees import Tree  # noqa: E402


def boundary_tree(parser: TemplateParser, words: list[str], min_score: float, pieces: bool = False) -> Tree:
    """The sentence as one flat block bracketed by the parser's boundary scores alone (no
    template; ``pieces``: after the punctuation pieces); sentence-final marks hang from the root as
    in ``TemplateParser.parse``."""
    toks = tuple(words)
    core = sentence_core(toks)
    tree = Tree(0, core, "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(core)])
    if pieces:
        group_pieces(tree)
    attach_by_boundaries(tree, parser.boundary_score, min_score, PIECE_MARKS if pieces else frozenset())
    tree.children += [Tree(k, k + 1, "word", toks) for k in range(core, len(toks))]
    tree.end = len(toks)
    return tree


def score_row(gold, parsed, **fields) -> dict:
    ev = evaluate_spans(gold, parsed)
    sc, base = ev.scores["minent"], ev.scores["random"]
    row = dict(fields, precision=round(sc.precision, 4), recall=round(sc.recall, 4), f1=round(sc.f1, 4),
               random_f1=round(base.f1, 4), ratio_to_random=round(sc.f1 / base.f1, 3))
    for half, first in (("A", 0), ("B", 1)):  # even / odd positions, each against its own random baseline
        h = evaluate_spans(gold[first::2], parsed[first::2])
        row[f"f1_{half}"] = round(h.scores["minent"].f1, 4)
        row[f"ratio_{half}"] = round(h.scores["minent"].f1 / h.scores["random"].f1, 3)
    print(row, flush=True)
    return row


def row_md(r: dict, keys: list[str]) -> str:
    cells = [str(r[k]) for k in keys] + [f"{r[k]:.4f}" for k in ("precision", "recall", "f1")]
    return ("| " + " | ".join(cells) + f" | {r['ratio_to_random']:.2f} | {r['f1_A']:.4f} ({r['ratio_A']:.2f}) | "
            f"{r['f1_B']:.4f} ({r['ratio_B']:.2f}) |")


SCORE_HEAD = "precision | recall | F1 | F1 / random | half A: F1 (/ random) | half B: F1 (/ random) |"
SCORE_RULE = "---:|---:|---:|---:|---:|---:|"


def span_kinds(gold, trees) -> dict:
    """Predicted / matched spans of ``trees``: all, those ending with a comma, those with a
    bracket or quote mark at one edge only (a bracket that cuts a pair)."""
    marks = set("".join(BRACKET_PAIRS))
    out = {k: [0, 0] for k in ("all", "ending with a comma", "a bracket or quote at one edge only")}
    for g, t in zip(gold, trees):
        ref, w = gold_spans(g.heads)[0], g.words
        for a, b in tree_spans(t):
            hit = (a, b) in ref
            kinds = ["all"]
            if w[b - 1] in ("，", ","):
                kinds.append("ending with a comma")
            if (w[a] in marks) != (w[b - 1] in marks):
                kinds.append("a bracket or quote at one edge only")
            for k in kinds:
                out[k][0] += 1
                out[k][1] += hit
    return out


def node_kinds(gold, trees) -> dict:
    """Predicted / matched spans per kind of node of ``trees`` (template blocks split into closed
    ones, which start and end with a literal, and open ones)."""
    out: dict[str, list[int]] = {}
    for g, t in zip(gold, trees):
        ref, n = gold_spans(g.heads)[0], len(g.words)
        stack = list(t.children)
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if len(node) < 2 or (node.start, node.end) == (0, n):
                continue
            kind = node.kind
            if kind == "template":
                ends = node.template.split()
                kind += " (open)" if "[X]" in (ends[0], ends[-1]) else " (closed)"
            c = out.setdefault(kind, [0, 0])
            c[0] += 1
            c[1] += (node.start, node.end) in ref
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="outputs")
    args = ap.parse_args()
    data = (REPO / args.data).resolve()
    out = (REPO / args.out).resolve()
    (out / "bench").mkdir(parents=True, exist_ok=True)
    raw = data / "pd1998" / "pd1998.raw.txt"
    gold = list(read_conllu(str(data / "ud" / "zh_gsdsimp-ud-dev.conllu")))
    lex = learned_lexicon(Corpus([str(raw)]))
    pd_sents = [s for line in raw.read_text(encoding="utf-8").splitlines() for s in split_sentences(lex.segment(line))]
    sents = pd_sents + [s for g in gold for s in split_sentences(g.words)]
    tpl = TemplateFinder(n_examples=0).fit(sents).templates_
    rarest = math.log(int(tpl.counts.min()) / tpl.total)

    def run(**kw) -> list:
        parser = TemplateParser(tpl, **kw)
        return [parser.parse(g.words) for g in gold]

    def trees_name(attach: bool) -> str:
        return "refined (attach)" if attach else "pure (--no-attach)"

    edges = []
    weights = sorted({0.0, 0.1, 0.25, 0.5, DEFAULT_EDGE_WEIGHT, 1.0})
    for pieces, w, oif, attach in itertools.product((True, False), weights, (False, True), (True, False)):
        edges.append(score_row(gold, run(pieces=pieces, edge_weight=w, open_in_flat=oif, attach=attach),
                               pieces=pieces, edge_weight=w, open_in_flat=oif, bind=True, trees=trees_name(attach)))
    for attach in (True, False):
        edges.append(score_row(gold, run(bind=False, attach=attach), pieces=True, edge_weight=DEFAULT_EDGE_WEIGHT,
                               open_in_flat=False, bind=False, trees=trees_name(attach)))
    rows = []
    for unexplained, c, attach in itertools.product([None, -1.0], [0.0, -1.0, -5.0, -30.0], (True, False)):
        rows.append(score_row(gold, run(unexplained_logp=unexplained, flat_logp=c, attach=attach),
                              unexplained_logp=unexplained or "rarest", flat_logp=c, trees=trees_name(attach)))
    info = []
    sample = pd_sents[::5]
    n_sample = sum(map(len, sample))
    for w, oif in itertools.product(weights, (False, True)):
        parser = TemplateParser(tpl, edge_weight=w, open_in_flat=oif)
        bits = [parser.information_bits(s) for s in sample]
        info.append({"edge_weight": w, "open_in_flat": oif, "sentences": len(sample), "words": n_sample,
                     "unigram_bits_per_word": round(sum(u for u, _ in bits) / n_sample, 3),
                     "parse_bits_per_word": round(sum(p for _, p in bits) / n_sample, 3)})
        print(info[-1], flush=True)
    speed = []
    configs = [("default", {}), ("the default before pieces (--no-pieces --open-in-flat)",
                                 {"pieces": False, "open_in_flat": True})]
    parsers = [(name, TemplateParser(tpl, **kw)) for name, kw in configs]
    cpu = {name: [] for name, _ in configs}
    for _ in range(3):  # interleaved repeats, least CPU time kept: the ratio is within one run
        for name, parser in parsers:
            t0 = time.process_time()
            for s in sample:
                parser.parse(s)
            cpu[name].append(time.process_time() - t0)
    for name, _ in configs:
        speed.append({"parser": name, "sentences": len(sample), "cpu_s": round(min(cpu[name]), 3),
                      "sentences_per_cpu_s": round(len(sample) / min(cpu[name]), 1)})
        print(speed[-1], flush=True)
    default_trees, previous_trees = run(), run(pieces=False, open_in_flat=True)
    scorer = TemplateParser(tpl)
    reference = [boundary_tree(scorer, g.words, DEFAULT_ATTACH_MIN_SCORE, True) for g in gold]
    diagnostics = {"spans": {name: span_kinds(gold, trees) for name, trees in
                             [("default", default_trees), ("the default before pieces", previous_trees),
                              ("boundaries only, after the pieces", reference)]},
                   "pure_nodes": node_kinds(gold, run(attach=False))}
    only = {"default only": [0, 0], "reference only": [0, 0]}
    for g, d, r in zip(gold, default_trees, reference):
        ref, sd, sr = gold_spans(g.heads)[0], tree_spans(d), tree_spans(r)
        only["default only"][0] += len(sd - sr)
        only["default only"][1] += len((sd - sr) & ref)
        only["reference only"][0] += len(sr - sd)
        only["reference only"][1] += len((sr - sd) & ref)
    diagnostics["only"] = only
    print(diagnostics, flush=True)
    floors = []
    kinds = {"default": "default parser (edges, bind, pieces) + attach",
             "previous": "the default before pieces (--no-pieces --open-in-flat) + attach",
             "before": "edge_weight 0, no bind, no pieces (the method's objective alone) + attach",
             "boundaries": "boundaries only (no template)",
             "boundaries_pieces": "boundaries only (no template), after the punctuation pieces"}
    for floor, kind in itertools.product([0.0, -1.0, -2.0, -3.0, -math.inf], list(kinds)):
        if kind.startswith("boundaries"):
            parser = TemplateParser(tpl, attach_min_score=floor)
            trees = [boundary_tree(parser, g.words, floor, kind == "boundaries_pieces") for g in gold]
        elif kind == "default":
            trees = run(attach_min_score=floor)
        elif kind == "previous":
            trees = run(attach_min_score=floor, pieces=False, open_in_flat=True)
        else:
            trees = run(attach_min_score=floor, edge_weight=0.0, bind=False, pieces=False)
        floors.append(score_row(gold, trees, attach_min_score=str(floor), trees=kinds[kind]))
    L = ["## Where the parse's brackets come from (UD GSDSimp dev, gold words)\n",
         f"Templates: default options on pd1998 learned-lexicon words + the {len(gold)} dev sentences; "
         f"{len(tpl)} templates, N_templates {tpl.total}; ln(min count / N) = {rarest:.2f} (the default "
         "unexplained penalty). Random-tree baseline from the same evaluation (seed 0). Defaults: edge_weight "
         f"{DEFAULT_EDGE_WEIGHT}, closed in flat, bind, pieces, attach floor {DEFAULT_ATTACH_MIN_SCORE}. Halves: A = "
         "even positions (where the pieces and the new defaults were chosen), B = odd positions (confirmation).\n",
         "### Punctuation pieces, block-edge evidence in the chart, binding of literals\n",
         "| pieces | edge_weight | open_in_flat | bind | trees | " + SCORE_HEAD,
         "|---|---:|---|---|---|" + SCORE_RULE]
    L += [row_md(r, ["pieces", "edge_weight", "open_in_flat", "bind", "trees"]) for r in edges]
    L += ["\n### What the edge term costs in code length (pd1998, in-sample)\n",
          f"Information per word of every 5th pd1998 sentence ({info[0]['sentences']} sentences, "
          f"{info[0]['words']} words, learned-lexicon words) under the same templates: the unigram code and the "
          "code length of the returned parse (the edge term is not part of it; 0 is the minimum-information "
          "parse).\n",
          "| edge_weight | open_in_flat | unigram bits/word | parse bits/word |", "|---:|---|---:|---:|"]
    L += [f"| {r['edge_weight']} | {r['open_in_flat']} | {r['unigram_bits_per_word']:.3f} | "
          f"{r['parse_bits_per_word']:.3f} |" for r in info]
    L += ["\n### Unexplained penalty U and per-block cost C of unexplained sequences (default edges, bind, pieces)\n",
          "| unexplained_logp | flat_logp (per block) | trees | " + SCORE_HEAD, "|---|---:|---|" + SCORE_RULE]
    L += [row_md(r, ["unexplained_logp", "flat_logp", "trees"]) for r in rows]
    L += ["\n### The refinement's floor, and boundary evidence alone\n",
          "Units are grouped while their boundary score is above the floor (-inf: binary). 'boundaries only' "
          "brackets the flat sentence with the same scores and no template.\n",
          "| attach_min_score | trees | " + SCORE_HEAD, "|---:|---|" + SCORE_RULE]
    L += [row_md(r, ["attach_min_score", "trees"]) for r in floors]
    L += ["\n### Which predicted spans are right (all 500 sentences)\n",
          "Predicted spans and how many of them are gold spans, by kind: the default parser, the default before "
          "pieces, and the boundaries-only reference after the pieces (floor 0).\n",
          "| trees | spans | predicted | right | share right |", "|---|---|---:|---:|---:|"]
    for name, kinds in diagnostics["spans"].items():
        L += [f"| {name} | {k} | {p} | {m} | {m / max(p, 1):.3f} |" for k, (p, m) in kinds.items()]
    L += ["\nNodes of the default pure trees (`--no-attach`) by kind, and the spans that only one of the "
          "default parse and the reference has:\n", "| nodes / spans | predicted | right | share right |",
          "|---|---:|---:|---:|"]
    L += [f"| {k} | {p} | {m} | {m / max(p, 1):.3f} |" for k, (p, m) in sorted(diagnostics["pure_nodes"].items())]
    L += [f"| {k} | {p} | {m} | {m / max(p, 1):.3f} |" for k, (p, m) in diagnostics["only"].items()]
    L += ["\n### Parse speed (pd1998 sample above, in-process, one core)\n",
          "`TemplateParser.parse` (chart, binding, pieces, refinement) over the same sentences; three interleaved "
          "repeats, least CPU time. Compare the rows with each other (same run), not with other runs.\n",
          "| parser | sentences | CPU s | sentences / CPU s |", "|---|---:|---:|---:|"]
    L += [f"| {r['parser']} | {r['sentences']} | {r['cpu_s']} | {r['sentences_per_cpu_s']} |" for r in speed]
    md = "\n".join(L) + "\n"
    write_results("templates_objective",
                  {"edges": edges, "information": info, "rows": rows, "floors": floors, "speed": speed,
                   "diagnostics": diagnostics}, md,
                  out=str(out / "bench"))


if __name__ == "__main__":
    main()
