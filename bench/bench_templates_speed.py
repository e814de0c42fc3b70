"""Mining and parsing speed of this checkout against a base revision, in one run (issue 13);
writes outputs/bench/templates_speed.{json,md}.

Both code versions run on the same words in fresh subprocesses, one after the other, each timed
by its own process CPU time (``time.process_time``; the machine is shared, so wall time would
measure the neighbours): ``TemplateFinder.fit`` with default options on pd1998 (words of its
learned lexicon, one core), and ``TemplateParser.parse`` (default options) over every 5th sentence
with templates mined by the same version. The outputs are compared (md5 of the templates with
their counts, and of the bracketed trees), so a speed-up that changed a result shows.

``--also JSON``: both versions run once more under these options (e.g. the inner paths off), and
those two runs are compared with each other too. ``--head-params JSON``: an extra run of this
checkout only, compared with the base's default run (a base without the option's feature).

Usage: python bench/bench_templates_speed.py [--base 402cb84] [--repeats 3] [--also JSON] [--head-params JSON]
[--data ../shared/data] [--out outputs]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WORKER = r"""
import hashlib, json, sys, time
sys.path.insert(0, sys.argv[1])
from minent.templates import TemplateFinder
from minent.parse import TemplateParser
sents = [line.split() for line in open(sys.argv[2], encoding="utf-8")]
params = json.loads(sys.argv[4])
n_words = sum(map(len, sents))
TemplateFinder(n_examples=0, **params).fit(sents[:2000])  # compile (numba cache) outside the timing
fits = []
for _ in range(int(sys.argv[3])):  # the least CPU time of a few fits: the machine is shared
    t0 = time.process_time()
    f = TemplateFinder(n_examples=0, **params).fit(sents)
    fits.append(time.process_time() - t0)
fit_s = min(fits)
tpl = f.templates_
h_tpl = hashlib.md5("\n".join(" ".join(p) + "\t" + str(c)
                              for p, c in zip(tpl.patterns, tpl.counts.tolist())).encode()).hexdigest()
parser = TemplateParser(tpl)
sample = sents[::5]
for s in sample[:20]:
    parser.parse(s)
t0 = time.process_time()
trees = [parser.parse(s).brackets() for s in sample]
parse_s = time.process_time() - t0
h_parse = hashlib.md5("\n".join(trees).encode()).hexdigest()
print(json.dumps({"words": n_words, "sentences": len(sents), "fit_cpu_s": round(fit_s, 3),
                  "fit_cpu_s_all": [round(x, 3) for x in fits],
                  "table_templates": f.report_.get("counted_templates", f.report_.get("distinct_templates")),
                  "words_per_cpu_s": round(n_words / fit_s), "timings_s": f.report_["timings_s"],
                  "templates": len(tpl), "templates_md5": h_tpl, "parse_sentences": len(sample),
                  "parse_cpu_s": round(parse_s, 3), "sentences_per_cpu_s": round(len(sample) / parse_s, 1),
                  "trees_md5": h_parse}))
"""


def write_words(raw: Path, path: Path) -> None:
    """``path``: the sentences of ``raw`` (split at sentence-final marks), one a line, in the words
    of the lexicon learned from ``raw`` itself (the default of ``minent collocations``)."""
    from minent.sentences import learned_lexicon
    from minent.templates import split_sentences
    from minent.textio import Corpus

    lex = learned_lexicon(Corpus([str(raw)]))
    with open(path, "w", encoding="utf-8") as fh:
        for line in raw.read_text(encoding="utf-8").splitlines():
            for s in split_sentences(lex.segment(line)):
                fh.write(" ".join(s) + "\n")


def run_version(src: Path, words: Path, repeats: int, params: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", WORKER, str(src), str(words), str(repeats), json.dumps(params or {})],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="402cb84", help="git revision to compare with")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="outputs")
    ap.add_argument("--repeats", type=int, default=3, help="fits per version (the least CPU time is reported)")
    ap.add_argument("--head-params", default=None,
                    help='JSON TemplateFinder options of an extra run of this checkout whose outputs are compared '
                         'with the base\'s (e.g. \'{"inner_min_pmi": null}\': the base\'s mining)')
    ap.add_argument("--also", default=None,
                    help='JSON TemplateFinder options of an extra run of both versions, compared with each other')
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "bench"))
    from _common import write_results

    data = (REPO / args.data).resolve()
    out = (REPO / args.out).resolve()
    (out / "bench").mkdir(parents=True, exist_ok=True)
    raw = data / "pd1998" / "pd1998.raw.txt"
    with tempfile.TemporaryDirectory(prefix="minent-speed-") as t:
        tmp = Path(t)
        words = tmp / "pd1998.words.txt"
        write_words(raw, words)
        base_dir = tmp / "base"
        base_dir.mkdir()
        archive = subprocess.run(["git", "archive", args.base, "minent"], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(base_dir)], input=archive.stdout, check=True)
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "minent"], cwd=REPO, capture_output=True, text=True)
        res = {"base": args.base, "head": rev.stdout.strip() + (" (+ uncommitted)" if dirty.stdout.strip() else ""),
               "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()}}
        res["base_run"] = run_version(base_dir, words, args.repeats)
        if args.also:
            res["also_params"] = json.loads(args.also)
            res["base_also_run"] = run_version(base_dir, words, args.repeats, res["also_params"])
            res["head_also_run"] = run_version(REPO, words, args.repeats, res["also_params"])
        if args.head_params:
            res["head_params"] = json.loads(args.head_params)
            res["head_same_params_run"] = run_version(REPO, words, args.repeats, res["head_params"])
        res["head_run"] = run_version(REPO, words, args.repeats)
    b, h = res["base_run"], res["head_run"]
    # outputs are compared with the base's under the same mining (the head with --head-params when given)
    same = res.get("head_same_params_run", h)
    res["mining_speedup"] = round(b["fit_cpu_s"] / h["fit_cpu_s"], 2)
    res["parse_speedup"] = round(b["parse_cpu_s"] / h["parse_cpu_s"], 2)
    res["same_templates"] = b["templates_md5"] == same["templates_md5"]
    res["same_trees"] = b["trees_md5"] == same["trees_md5"]
    L = ["## Template mining and parsing speed: this checkout vs a base revision (one run)\n",
         f"pd1998, words of its learned lexicon: {h['words']} words, {h['sentences']} sentences; default "
         f"options; process CPU seconds (shared machine); fit: the least of {args.repeats} fits per version. "
         f"Parse: every 5th sentence ({h['parse_sentences']}), templates mined by the same version.\n",
         "| version | fit CPU s | words / CPU s | count / paths / select, wall s inside fit "
         "| templates in the count table | parse CPU s | sentences / CPU s |",
         "|---|---:|---:|---|---:|---:|---:|"]
    rows = [(f"base {res['base']}, default options", b)]
    if args.also:
        rows += [(f"base {res['base']}, {args.also}", res["base_also_run"]),
                 (f"this checkout {res['head']}, {args.also}", res["head_also_run"])]
    if "head_same_params_run" in res:
        rows.append((f"this checkout {res['head']}, {args.head_params}", res["head_same_params_run"]))
    rows.append((f"this checkout {res['head']}, default options", h))
    for name, r in rows:
        tm = r["timings_s"]
        L.append(f"| {name} | {r['fit_cpu_s']} | {r['words_per_cpu_s']:,} | {tm['count']} / {tm['paths']} / "
                 f"{tm['select']} | {r['table_templates']:,} | {r['parse_cpu_s']} | {r['sentences_per_cpu_s']} |")
    if "head_same_params_run" in res:
        s = res["head_same_params_run"]
        res["mining_speedup_same_params"] = round(b["fit_cpu_s"] / s["fit_cpu_s"], 2)
        L.append(f"\nWith {args.head_params} (the base's mining): mining {res['mining_speedup_same_params']}x, "
                 f"parsing {round(b['parse_cpu_s'] / s['parse_cpu_s'], 2)}x; same templates and counts as the base: "
                 f"**{res['same_templates']}**; same trees: **{res['same_trees']}**. Default options: mining "
                 f"{res['mining_speedup']}x, parsing {res['parse_speedup']}x.")
    else:
        L.append(f"\nMining {res['mining_speedup']}x, parsing {res['parse_speedup']}x. Same templates and counts: "
                 f"**{res['same_templates']}**; same trees: **{res['same_trees']}**.")
    if args.also:
        ba, ha = res["base_also_run"], res["head_also_run"]
        res["also_mining_speedup"] = round(ba["fit_cpu_s"] / ha["fit_cpu_s"], 2)
        res["also_parse_speedup"] = round(ba["parse_cpu_s"] / ha["parse_cpu_s"], 2)
        res["also_same_templates"] = ba["templates_md5"] == ha["templates_md5"]
        res["also_same_trees"] = ba["trees_md5"] == ha["trees_md5"]
        L.append(f"\nWith {args.also} in both: mining {res['also_mining_speedup']}x, parsing "
                 f"{res['also_parse_speedup']}x; same templates and counts: **{res['also_same_templates']}**; "
                 f"same trees: **{res['also_same_trees']}**.")
    m = res["machine"]
    L.append(f"\nMachine: {m['cpus']} CPUs (shared), Python {m['python']}, {m['platform']}.")
    md = "\n".join(L) + "\n"
    write_results("templates_speed", res, md, out=str(out / "bench"))


if __name__ == "__main__":
    main()
