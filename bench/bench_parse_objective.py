"""Pure template trees against the cost of unexplained sequences, UD Chinese GSDSimp dev only (issue 13);
writes outputs/bench/templates_objective.{json,md}.

Templates are mined in-process with default options from pd1998 (words of its learned lexicon)
plus the UD dev sentences (gold words, no trees), as in bench_templates.py. Each row parses the
dev sentences with ``TemplateParser(flat_logp=C)`` — C nats for each block of an unexplained
sequence, on top of the -1 per sequence — with and without the attach refinement, and scores the
trees with ``evaluate_spans`` (random-tree baseline, seed 0, in the same call). C = ln(min count /
N_templates) is the code length of the rarest kept template. Test splits are never read.

Usage: python bench/bench_parse_objective.py [--data ../shared/data] [--out outputs]
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _common import write_results  # noqa: E402
from minent.parse import TemplateParser  # noqa: E402
from minent.parse_eval import evaluate_spans, read_conllu  # noqa: E402
from minent.sentences import learned_lexicon  # noqa: E402
from minent.templates import TemplateFinder, split_sentences  # noqa: E402
from minent.textio import Corpus  # noqa: E402


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
    for c in [0.0, -1.0, -3.0, -6.0, -10.0, round(rarest, 2), -20.0, -30.0, -100.0]:
        for attach in (False, True):
            parser = TemplateParser(tpl, attach=attach, flat_logp=c)
            ev = evaluate_spans(gold, [parser.parse(g.words) for g in gold])
            sc, base = ev.scores["minent"], ev.scores["random"]
            rows.append({"flat_logp": c, "attach": attach, "precision": round(sc.precision, 4),
                         "recall": round(sc.recall, 4), "f1": round(sc.f1, 4), "random_f1": round(base.f1, 4),
                         "ratio_to_random": round(sc.f1 / base.f1, 3)})
            print(rows[-1], flush=True)
    L = ["## Pure template trees vs the cost of unexplained sequences (UD GSDSimp dev, gold words)\n",
         f"Templates: default options on pd1998 learned-lexicon words + the {len(gold)} dev sentences; "
         f"{len(tpl)} templates, N_templates {tpl.total}; ln(min count / N) = {rarest:.2f}. Random-tree "
         "baseline from the same evaluation (seed 0).\n",
         "| flat_logp (per block) | trees | precision | recall | F1 | F1 / random |", "|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        L.append(f"| {r['flat_logp']} | {'attach (default)' if r['attach'] else 'pure (--no-attach)'} | "
                 f"{r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['ratio_to_random']:.2f} |")
    md = "\n".join(L) + "\n"
    write_results("templates_objective", {"rows": rows}, md, out=str(out / "bench"))


if __name__ == "__main__":
    main()
