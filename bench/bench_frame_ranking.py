"""Ablations of the frames ranking (minent/framerank.py, issue 13); writes
outputs/bench/frame_ranking.{json,md}.

Mines once per variant, in-process, on the words of each corpus's default tokenizer (the learned
lexicon, as ``minent collocations`` does), and reports:

* pd1998 raw: recall of the frame list bench/frames_zh.txt in the top 500 non-trivial templates,
  on its odd lines (where the ranking's constants were chosen), its even lines (held out) and
  all of it;
* LCQMC dev questions: the author's 12 question frames in the top 50 non-trivial templates
  (adjacent literals joined, as bench_templates.py counts them).

Variants switch one part off or move one constant (module constants of minent.framerank patched
in this process; the sentence-end lift switched off by patching ``end_lift`` to return zeros,
which makes every gap-free template's order ratio 1).

Usage: python bench/bench_frame_ranking.py [--data ../shared/data] [--out outputs]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import minent.framerank as fr  # noqa: E402
from minent.sentences import make_tokenizer  # noqa: E402
from minent.templates import TemplateFinder, split_sentences  # noqa: E402
from minent.textio import Corpus  # noqa: E402
from _common import write_results  # noqa: E402
from bench_templates import QUESTION_FRAMES, frame_recall, join_literals, load_frames  # noqa: E402

VARIANTS = [  # (name, TemplateFinder overrides, framerank patches)
    ("default (frames ranking)", {}, {}),
    ("ranking count", {"ranking": "count"}, {}),
    ("ranking saving", {"ranking": "saving"}, {}),
    ("no order ratio (ORDER_POWER 0)", {}, {"ORDER_POWER": 0.0}),
    ("no openness (OPEN_POWER 0)", {}, {"OPEN_POWER": 0.0}),
    ("no sentence-end lift", {}, {"end_lift": "off"}),
    ("ORDER_POWER 0.75", {}, {"ORDER_POWER": 0.75}),
    ("ORDER_POWER 1", {}, {"ORDER_POWER": 1.0}),
    ("OPEN_POWER 3", {}, {"OPEN_POWER": 3.0}),
    ("OPEN_POWER 5", {}, {"OPEN_POWER": 5.0}),
    ("ORDER_CAP 10", {}, {"ORDER_CAP": 10.0}),
    ("ORDER_CAP 50", {}, {"ORDER_CAP": 50.0}),
    ("min_pmi 0.75", {"min_pmi": 0.75}, {}),
    ("min_pmi 0.5", {"min_pmi": 0.5}, {}),
]


def sentences_of(path: Path) -> list[list[str]]:
    tokenize, _ = make_tokenizer(None, None, False, corpus=Corpus([str(path)]))
    return [s for line in Corpus([str(path)]).lines() for s in split_sentences(tokenize(line))]


def question_frames(tpl) -> int:
    joined = [join_literals(r["template"]) for r in tpl.top(50, trivial=False)]
    return sum(f in joined for f in QUESTION_FRAMES)


def run_variant(kw: dict, patches: dict, corpora: dict, frames: list[str]) -> dict:
    saved = {k: getattr(fr, k) for k in patches}
    try:
        for k, v in patches.items():
            setattr(fr, k, (lambda ids, bounds, n: (np.zeros(n), np.zeros(n))) if v == "off" else v)
        out = {}
        t0 = time.process_time()
        pd = TemplateFinder(n_examples=0, **kw).fit(corpora["pd1998"]).templates_
        out["pd1998_cpu_s"] = round(time.process_time() - t0, 2)
        rec = frame_recall(pd, frames)
        out.update({"frames": rec["found"], "odd": rec["found_odd_lines"], "even": rec["found_even_lines"],
                    "kept": len(pd)})
        out["lcqmc"] = question_frames(TemplateFinder(n_examples=0, **kw).fit(corpora["lcqmc"]).templates_)
        return out
    finally:
        for k, v in saved.items():
            setattr(fr, k, v)


def markdown(res: dict) -> str:
    n = res["n_frames"]
    L = ["## Frames ranking: ablations (pd1998 frame list, LCQMC question frames)\n",
         f"Mined in-process with default options except the row's change; words of each corpus's learned "
         f"lexicon (pd1998: {res['words']['pd1998']} words; LCQMC dev questions: {res['words']['lcqmc']} "
         f"words; MINENT_BACKGROUND_DIR {res['background_dir'] or 'unset: the shipped background model'}). Frame list: "
         f"bench/frames_zh.txt, {n} frames; constants chosen on its odd lines ({(n + 1) // 2}), even lines "
         f"({n // 2}) held out.\n",
         "| variant | frames in top 500 (odd / even lines) | LCQMC frames in top 50 | kept templates | pd1998 fit CPU s |",
         "|---|---:|---:|---:|---:|"]
    for r in res["variants"]:
        L.append(f"| {r['name']} | {r['frames']}/{n} ({r['odd']} / {r['even']}) | {r['lcqmc']}/12 | {r['kept']} "
                 f"| {r['pd1998_cpu_s']} |")
    m = res["machine"]
    L.append(f"\nMachine: {m['cpus']} CPUs (shared), Python {m['python']}, {m['platform']}.\n")
    return "\n".join(L)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data", help="data folder (relative to the repository root)")
    ap.add_argument("--out", default="outputs", help="output folder (relative to the repository root)")
    args = ap.parse_args()
    data = (REPO / args.data).resolve()
    out = (REPO / args.out).resolve()
    (out / "bench").mkdir(parents=True, exist_ok=True)
    corpora = {"pd1998": sentences_of(data / "pd1998" / "pd1998.raw.txt"),
               "lcqmc": sentences_of(data / "questions" / "lcqmc_dev.questions.txt")}
    frames = load_frames()
    res = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
           "n_frames": len(frames), "background_dir": os.environ.get("MINENT_BACKGROUND_DIR", ""),
           "words": {k: sum(map(len, v)) for k, v in corpora.items()}, "variants": []}
    for name, kw, patches in VARIANTS:
        r = run_variant(kw, patches, corpora, frames)
        res["variants"].append({"name": name, "params": kw, "patches": {k: str(v) for k, v in patches.items()}, **r})
        print(res["variants"][-1], flush=True)
    write_results("frame_ranking", res, markdown(res), str(out / "bench"))


if __name__ == "__main__":
    main()
