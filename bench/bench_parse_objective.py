"""Pure template trees against the cost of unexplained sequences, UD Chinese GSDSimp dev only (issue 13);
writes outputs/bench/templates_objective.{json,md}.

Templates are mined in-process with default options from pd1998 (words of its learned lexicon)
plus the UD dev sentences (gold words, no trees), as in bench_templates.py. Each row of the first
table parses the dev sentences with ``TemplateParser(unexplained_logp=U, flat_logp=C)`` — U nats per
unexplained sequence (default: ln(min count / N_templates), the code length of the rarest kept
template; or -1), C nats for each of its blocks — with and without the attach refinement, and
scores the trees with ``evaluate_spans`` (random-tree baseline, seed 0, in the same call). A second
table varies U and the attach refinement's floor (``attach_min_score``: units are grouped while
their boundary score is above it) and, as a reference that uses no template at all, brackets the
flat sentence by the same boundary scores (``attach_by_boundaries`` on a one-level tree): how much
of the refined parse's score the boundary evidence alone gives. Test splits are never read.

Usage: python bench/bench_parse_objective.py [--data ../shared/data] [--out outputs]
"""
from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _common import write_results  # noqa: E402
from minent.parse import TemplateParser, attach_by_boundaries, sentence_core  # noqa: E402
from minent.parse_eval import evaluate_spans, read_conllu  # noqa: E402
from minent.sentences import learned_lexicon  # noqa: E402
from minent.templates import TemplateFinder, split_sentences  # noqa: E402
from minent.textio import Corpus  # noqa: E402
from minent.trees import Tree  # noqa: E402


def boundary_tree(parser: TemplateParser, words: list[str], min_score: float) -> Tree:
    """The sentence as one flat block bracketed by the parser's boundary scores alone (no
    template); sentence-final marks hang from the root as in ``TemplateParser.parse``."""
    toks = tuple(words)
    core = sentence_core(toks)
    tree = Tree(0, core, "unexplained", toks, children=[Tree(k, k + 1, "word", toks) for k in range(core)])
    attach_by_boundaries(tree, parser.boundary_score, min_score)
    tree.children += [Tree(k, k + 1, "word", toks) for k in range(core, len(toks))]
    tree.end = len(toks)
    return tree


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
    sents = [s for line in raw.read_text(encoding="utf-8").splitlines() for s in split_sentences(lex.segment(line))]
    sents += [s for g in gold for s in split_sentences(g.words)]
    tpl = TemplateFinder(n_examples=0).fit(sents).templates_
    rarest = math.log(int(tpl.counts.min()) / tpl.total)
    rows = []
    for unexplained, c, attach in itertools.product([None, -1.0], [0.0, -1.0, -3.0, -6.0, -10.0, round(rarest, 2),
                                                                   -20.0, -30.0, -100.0], (False, True)):
        parser = TemplateParser(tpl, attach=attach, flat_logp=c, unexplained_logp=unexplained)
        ev = evaluate_spans(gold, [parser.parse(g.words) for g in gold])
        sc, base = ev.scores["minent"], ev.scores["random"]
        rows.append({"unexplained_logp": unexplained, "flat_logp": c, "attach": attach,
                     "precision": round(sc.precision, 4),
                     "recall": round(sc.recall, 4), "f1": round(sc.f1, 4), "random_f1": round(base.f1, 4),
                     "ratio_to_random": round(sc.f1 / base.f1, 3)})
        print(rows[-1], flush=True)
    floors = []
    for floor, unexplained in itertools.product([0.0, -1.0, -2.0, -3.0, -math.inf],
                                                [-1.0, -5.0, None, -20.0, "boundaries"]):
        if unexplained == "boundaries":
            name = "boundaries only (no template)"
            parser = TemplateParser(tpl, attach_min_score=floor)
            trees = [boundary_tree(parser, g.words, floor) for g in gold]
        else:
            parser = TemplateParser(tpl, attach_min_score=floor, unexplained_logp=unexplained)
            name = f"template tree (unexplained_logp {unexplained or 'rarest'}) + attach"
            trees = [parser.parse(g.words) for g in gold]
        ev = evaluate_spans(gold, trees)
        sc, base = ev.scores["minent"], ev.scores["random"]
        floors.append({"attach_min_score": str(floor), "trees": name, "precision": round(sc.precision, 4),
                       "recall": round(sc.recall, 4), "f1": round(sc.f1, 4), "random_f1": round(base.f1, 4),
                       "ratio_to_random": round(sc.f1 / base.f1, 3)})
        print(floors[-1], flush=True)
    L = ["## Pure template trees vs the cost of unexplained sequences (UD GSDSimp dev, gold words)\n",
         f"Templates: default options on pd1998 learned-lexicon words + the {len(gold)} dev sentences; "
         f"{len(tpl)} templates, N_templates {tpl.total}; ln(min count / N) = {rarest:.2f}. Random-tree "
         "baseline from the same evaluation (seed 0).\n",
         "unexplained_logp 'rarest' = ln(min count / N) (the parser's default); 'attach' rows use the default "
         "attach floor (0).\n",
         "| unexplained_logp | flat_logp (per block) | trees | precision | recall | F1 | F1 / random |",
         "|---|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        L.append(f"| {r['unexplained_logp'] or 'rarest'} | {r['flat_logp']} | "
                 f"{'attach' if r['attach'] else 'pure (--no-attach)'} | "
                 f"{r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['ratio_to_random']:.2f} |")
    L += ["\n## The unexplained penalty and the attach refinement's floor, and boundary evidence alone\n",
          "Default parser options except `unexplained_logp` and `attach_min_score` (units grouped while "
          "their boundary score is above it; -inf: binary). 'boundaries only' brackets the flat sentence "
          "with the same scores and no template.\n",
          "| attach_min_score | trees | precision | recall | F1 | F1 / random |", "|---:|---|---:|---:|---:|---:|"]
    for r in floors:
        L.append(f"| {r['attach_min_score']} | {r['trees']} | {r['precision']:.4f} | {r['recall']:.4f} | "
                 f"{r['f1']:.4f} | {r['ratio_to_random']:.2f} |")
    md = "\n".join(L) + "\n"
    write_results("templates_objective", {"rows": rows, "floors": floors}, md, out=str(out / "bench"))


if __name__ == "__main__":
    main()
