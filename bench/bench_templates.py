"""Benchmark of sentence templates and template parsing (issues 4, 13); writes outputs/bench/templates.{json,md}.

Runs the real CLI in subprocesses (timings and peak memory per process, from os.wait4), with
default options unless a row says otherwise, on:

* LCQMC dev questions: how many of the author's 12 question frames are in the top 50
  non-trivial templates (default: the corpus's own learned lexicon; jieba for reference);
* pd1998: the top 100 non-trivial templates and their share of punctuation-only frames; recall
  of the frame list bench/frames_zh.txt (written from grammar knowledge, not tuned) in the top
  500; the same for other punctuation policies / rankings / the method's source-to-sink paths
  (in-process, same words); mining throughput on one core (words/s of ``TemplateFinder.fit`` on
  the tokenised sentences); parse throughput and information per word before / after parsing
  on a fixed sample of the sentences;
* UD Chinese GSDSimp dev (gold words): unlabelled span P/R/F1 of ``minent parse`` with the
  right-, left-branching and random baselines of the same ``evaluate-parse`` run;
* bad inputs: empty / foreign-version templates files, over-long sentences, unknown words.

Usage: python bench/bench_templates.py [--data ../shared/data] [--out outputs] [--only parse]
Paths are relative to the repository root. ``--only parse`` re-runs the parsing parts alone (the
pd1998 default templates, the parse sample, UD and bad inputs) and merges them into the existing
outputs/bench/templates.json, keeping its LCQMC and pd1998 mining results.
"""
from __future__ import annotations

import argparse
import json
import re
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from minent.parse_eval import read_conllu  # noqa: E402
from minent.sentences import learned_lexicon  # noqa: E402
from minent.templates import TemplateFinder, Templates, is_punctuation, split_sentences  # noqa: E402
from minent.textio import Corpus  # noqa: E402

QUESTION_FRAMES = ["[X] 吗", "[X] 怎么样", "[X] 怎么办", "为什么 [X]", "请问 [X]", "[X] 是什么意思", "[X] 多少钱",
                   "[X] 有哪些", "有没有 [X]", "如何 [X]", "[X] 是什么", "怎么 [X]"]


# A child's peak RSS survives exec, so a command forked from this (large) process would report our
# memory as its own; a small launcher process forks the command and reports the command's rusage.
LAUNCHER = """
import json, os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump({"code": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}, fh)
"""


def run_measured(args: list[str]) -> dict:
    """Run ``minent ARGS`` in a fresh process: exit code, wall seconds, that process's peak RSS,
    stdout and stderr."""
    cmd = [sys.executable, "-c", "from minent.commands import main; main()", *args]
    with tempfile.TemporaryDirectory() as d:
        result = os.path.join(d, "rusage.json")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", LAUNCHER, result, *cmd], cwd=REPO, capture_output=True,
                              text=True)
        secs = time.perf_counter() - t0
        with open(result) as fh:
            usage = json.load(fh)
    return {"code": usage["code"], "seconds": round(secs, 2), "peak_rss_mb": round(usage["maxrss_kb"] / 1024, 1),
            "stdout": proc.stdout, "stderr": proc.stderr.strip()}


def join_literals(template: str) -> str:
    """"[X] 是 什么 意思" -> "[X] 是什么意思": adjacent literals joined (segmentation-free form)."""
    out: list[str] = []
    for tok in template.split():
        if tok != "[X]" and out and out[-1] != "[X]":
            out[-1] += tok
        else:
            out.append(tok)
    return " ".join(out)


def frame_key(pattern) -> str:
    """The matching rule of bench/frames_zh.txt: punctuation literals dropped (become [X]),
    adjacent literals joined, leading / trailing [X] dropped."""
    out: list[str] = []
    for t in (pattern.split() if isinstance(pattern, str) else pattern):
        if t != "[X]" and is_punctuation(t):
            t = "[X]"
        if t == "[X]":
            if not (out and out[-1] == "[X]"):
                out.append(t)
        elif out and out[-1] != "[X]":
            out[-1] += t
        else:
            out.append(t)
    while out and out[0] == "[X]":
        out.pop(0)
    while out and out[-1] == "[X]":
        out.pop()
    return " ".join(out)


def load_frames() -> list[str]:
    lines = (REPO / "bench" / "frames_zh.txt").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def frame_recall(tpl: Templates, frames: list[str], top: int = 500) -> dict:
    keys = {frame_key(r["template"]) for r in tpl.top(top, trivial=False)}
    found = [f for f in frames if frame_key(f) in keys]
    halves = [sum(frame_key(f) in keys for f in frames[k::2]) for k in (0, 1)]
    return {"frames": len(frames), "found": len(found), "recall": round(len(found) / len(frames), 4),
            "found_odd_lines": halves[0], "found_even_lines": halves[1],
            "found_list": found, "missing": [f for f in frames if f not in found]}


def literal_starts(tokens: list[str], literal: str) -> list[tuple[int, int]]:
    """``(first, last)`` word positions of each run of consecutive words that spells ``literal``."""
    out = []
    for k in range(len(tokens)):
        text = ""
        for m in range(k, len(tokens)):
            text += tokens[m]
            if not literal.startswith(text):
                break
            if text == literal:
                out.append((k, m))
                break
    return out


def frame_occurrences(sents: list[list[str]], frame: str, window: int) -> tuple[int, int]:
    """``(sentences holding the frame's literals in order with a word or more between them,
    those where each literal starts within ``window`` words of the previous one's last word)``:
    how often the frame occurs at all, and how often the miner's pair window can see it."""
    lits = [t for t in frame.split() if t != "[X]"]
    anywhere = seen = 0
    for tokens in sents:
        if not all(lit in "".join(tokens) for lit in lits):
            continue
        far = near = None  # last-word positions where the literals so far can end (None: none matched yet)
        for lit in lits:
            runs = literal_starts(tokens, lit)
            far = [b for a, b in runs if far is None or any(a - e >= 2 for e in far)]
            near = [b for a, b in runs if near is None or any(2 <= a - e <= window for e in near)]
        anywhere += bool(far)
        seen += bool(near)
    return anywhere, seen


def frame_detail(tpl: Templates, frames: list[str], sents: list[list[str]], window: int) -> list[dict]:
    """Per frame: rank and count of its best-ranked template (non-trivial, stored order) and how
    many sentences hold it (:func:`frame_occurrences`)."""
    best: dict[str, tuple[int, int]] = {}
    rank = 0
    for i in range(len(tpl)):
        if tpl.is_trivial(i):
            continue
        rank += 1
        best.setdefault(frame_key(tpl.patterns[i]), (rank, int(tpl.counts[i])))
    rows = []
    for f in frames:
        r, c = best.get(frame_key(f), (None, 0))
        anywhere, seen = frame_occurrences(sents, f, window)
        rows.append({"frame": f, "best_rank": r, "count": c, "sentences": anywhere, "within_window": seen})
    return rows


def punct_share(tpl: Templates, top: int = 100) -> dict:
    rows = tpl.top(top, trivial=False)
    only = [r["template"] for r in rows if all(t == "[X]" or is_punctuation(t) for t in r["template"].split())]
    return {"top": len(rows), "punctuation_only": len(only), "share": round(len(only) / max(len(rows), 1), 4),
            "examples": only[:10]}


def write_lines(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write((" ".join(r) if isinstance(r, list) else r) + "\n")


def records(rows: list[dict]) -> list[dict]:
    """Template records without their example sentences (the corpora are not ours to publish)."""
    return [{k: v for k, v in r.items() if k != "examples"} for r in rows]


def frames_table(tpl: Templates) -> dict:
    top = [r["template"] for r in tpl.top(50, trivial=False)]
    joined = [join_literals(t) for t in top]
    return {"top50": records(tpl.top(50, trivial=False)),
            "frames_exact": [f for f in QUESTION_FRAMES if f in top],
            "frames_joined": [f for f in QUESTION_FRAMES if f in joined]}


def _brief(r: dict) -> dict:
    return {k: r[k] for k in ("code", "seconds", "peak_rss_mb")}


def bench_lcqmc(data: Path, out: Path, tmp: Path) -> dict:
    src = data / "questions" / "lcqmc_dev.questions.txt"
    res = {}
    for name, extra in [("default", []), ("jieba", ["--tokenizer", "jieba"])]:
        path = tmp / f"templates_lcqmc_{name}.tsv"
        r = run_measured(["collocations", str(src), *extra, "-o", str(path), "-q", "--top", "0"])
        assert r["code"] == 0, r["stderr"]
        rep = json.loads(path.with_suffix(".report.json").read_text(encoding="utf-8"))
        res[name] = {"run": _brief(r), "tokenizer": rep["tokenizer"], **frames_table(Templates.load(str(path)))}
    return res


VARIANTS = [  # (name, TemplateFinder overrides), all on the same words
    ("default", {}),
    ("ranking count (the default before the frames ranking)", {"ranking": "count"}),
    ("ranking saving", {"ranking": "saving"}),
    ("punctuation boundary", {"punctuation": "boundary"}),
    ("punctuation literal", {"punctuation": "literal"}),
    ("window 3", {"window": 3}),
    ("no redundancy filter", {"redundancy": 0.0}),
    ("inner paths, inner_min_pmi 0.75 (chosen on this list; off by default)", {"inner_min_pmi": 0.75}),
    ("inner_min_pmi 1.0 (= min_pmi)", {"inner_min_pmi": 1.0}),
    ("inner_min_pmi 0.5", {"inner_min_pmi": 0.5}),
    ("method.md §4 paths only (window 3, punctuation literal, no filter)",
     {"window": 3, "subpath_literals": 0, "punctuation": "literal", "redundancy": 0.0}),
]


def bench_pd1998(data: Path, out: Path, tmp: Path, mining: bool = True) -> tuple[dict, Path]:
    raw = data / "pd1998" / "pd1998.raw.txt"
    frames = load_frames()
    res = {}
    path = tmp / "templates_pd1998.tsv"
    r = run_measured(["collocations", str(raw), "-o", str(path), "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    rep = json.loads(path.with_suffix(".report.json").read_text(encoding="utf-8"))
    tpl = Templates.load(str(path))
    res["cli_default"] = {"run": _brief(r), "tokenizer": rep["tokenizer"], "words": rep["words"],
                          "sentences": rep["sentences"], "timings_s": rep["timings_s"],
                          "top100": records(tpl.top(100, trivial=False)),
                          "punctuation": punct_share(tpl), "frames": frame_recall(tpl, frames)}
    # the same words in-process: variants and one-core mining throughput
    lex = learned_lexicon(Corpus([str(raw)]))
    sents = [s for line in raw.read_text(encoding="utf-8").splitlines() for s in split_sentences(lex.segment(line))]
    n_words = sum(map(len, sents))
    res["variants"] = []
    if mining:
        res["cli_default"]["frame_detail"] = frame_detail(tpl, frames, sents, int(tpl.meta.get("window", 10)))
    for name, kw in VARIANTS if mining else []:
        t0 = time.perf_counter()
        f = TemplateFinder(n_examples=0, **kw).fit(sents)
        secs = time.perf_counter() - t0
        res["variants"].append({"name": name, "params": kw, "fit_s": round(secs, 2),
                                "words_per_s": round(n_words / secs), "kept": len(f.templates_),
                                "inner_kept": f.report_.get("inner_templates", 0),
                                "punctuation": punct_share(f.templates_),
                                "frames": frame_recall(f.templates_, frames),
                                "timings_s": f.report_["timings_s"]})
    # parsing: a fixed sample (every 5th sentence), CLI, pretokenized
    sample = sents[::5]
    sent_path = tmp / "pd1998.sample.txt"
    write_lines(sent_path, sample)
    r = run_measured(["parse", str(sent_path), "-t", str(path), "--pretokenized", "--format", "brackets",
                      "-o", str(tmp / "pd.parse.txt")])
    assert r["code"] == 0, r["stderr"]
    summary = re.search(r"parsed (\d+) sentences, (\d+) words in ([\d.]+)s .*information ([\d.]+) bits/word "
                        r"\(unigram\) -> ([\d.]+) \(templates\)", r["stderr"])
    chunked = re.search(r"note: (\d+) sentences longer", r["stderr"])
    before, after = float(summary.group(4)), float(summary.group(5))
    res["parse"] = {"run": _brief(r), "sentences": int(summary.group(1)), "words": int(summary.group(2)),
                    "parse_loop_s": float(summary.group(3)),
                    "sentences_per_s": round(int(summary.group(1)) / float(summary.group(3)), 1),
                    "bits_per_word_unigram": before, "bits_per_word_templates": after,
                    "gain_bits_per_word": round(before - after, 3),
                    "chunked_sentences": int(chunked.group(1)) if chunked else 0,
                    "sample": "every 5th sentence of pd1998 (learned-lexicon words)"}
    tok_path = tmp / "pd1998.words.txt"
    write_lines(tok_path, sents)
    return res, tok_path


def bench_ud(data: Path, out: Path, tmp: Path, pd_words: Path) -> dict:
    gold = data / "ud" / "zh_gsdsimp-ud-dev.conllu"
    ud_words = tmp / "ud.words.txt"
    write_lines(ud_words, [s.words for s in read_conllu(str(gold))])
    tpl_path = tmp / "templates_ud.tsv"
    r = run_measured(["collocations", str(pd_words), str(ud_words), "--pretokenized", "-o", str(tpl_path),
                      "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    res = {"mining": {"corpus": "pd1998 raw text (words of its learned lexicon) + the 500 UD dev sentences "
                                "(gold words, no trees)", "run": _brief(r)}}
    runs = [("default", []), ("no_attach", ["--no-attach"]), ("no_pieces", ["--no-pieces"]),
            ("no_pieces_no_attach", ["--no-pieces", "--no-attach"]),
            ("previous", ["--no-pieces", "--open-in-flat"]),
            ("previous_no_attach", ["--no-pieces", "--open-in-flat", "--no-attach"]),
            ("no_bind", ["--no-bind"]), ("no_edge", ["--edge-weight", "0"]),
            ("no_edge_no_attach", ["--edge-weight", "0", "--no-attach"]), ("open_in_flat", ["--open-in-flat"]),
            ("before", ["--no-pieces", "--no-bind", "--edge-weight", "0", "--closed-in-flat"]),
            ("before_no_attach", ["--no-pieces", "--no-attach", "--no-bind", "--edge-weight", "0",
                                  "--closed-in-flat"]),
            ("tie_right", ["--tie-break", "right"]),
            ("no_attach_flat", ["--no-attach", "--flat-logp", "-30"]), ("flat", ["--flat-logp", "-30"]),
            ("penalty_1", ["--unexplained-logp", "-1"]),
            ("penalty_1_no_attach", ["--unexplained-logp", "-1", "--no-attach"])]
    for name, extra in runs:
        pred = tmp / f"ud.{name}.parse.txt"
        r = run_measured(["parse", str(gold), "--conllu", "-t", str(tpl_path), "--format", "brackets",
                          "-o", str(pred), "-q", *extra])
        assert r["code"] == 0, r["stderr"]
        e = run_measured(["evaluate-parse", str(gold), str(pred), "--json"])
        assert e["code"] == 0, e["stderr"]
        ev = json.loads(e["stdout"])
        best = ev["best_baseline"]
        res[name] = {"parse_run": _brief(r), "scores": ev["scores"], "best_baseline": best,
                     "ratio_to_best_baseline": round(ev["scores"]["minent"]["f1"] / ev["scores"][best]["f1"], 3),
                     "sentences": ev["sentences"], "non_contiguous": ev["non_contiguous"]}
    return res


def bench_bad_inputs(tmp: Path, tpl_path: Path) -> list[dict]:
    sent = tmp / "one.txt"
    sent.write_text("鸡蛋 可以 吃 吗\n", encoding="utf-8")
    cases = []
    empty = tmp / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    future = tmp / "future.tsv"
    future.write_text("# minent-templates format=99 total=1 n_words=1\n## templates\n", encoding="utf-8")
    long_line = tmp / "long.txt"
    long_line.write_text(" ".join(["苹果", "的", "颜色", "是", "什么"] * 150) + "\n", encoding="utf-8")
    unknown = tmp / "unknown.txt"
    unknown.write_text("zzq 火星文 qqx 吗\n", encoding="utf-8")
    for name, args in [("empty templates file", ["parse", str(sent), "-t", str(empty), "--pretokenized"]),
                       ("templates file of another format version", ["parse", str(sent), "-t", str(future),
                                                                     "--pretokenized"]),
                       ("750-word sentence (limit 200)", ["parse", str(long_line), "-t", str(tpl_path),
                                                          "--pretokenized", "--format", "brackets"]),
                       ("unknown words", ["parse", str(unknown), "-t", str(tpl_path), "--pretokenized",
                                          "--format", "brackets"])]:
        r = run_measured(args)
        cases.append({"case": name, "exit_code": r["code"], "seconds": r["seconds"],
                      "stderr_last_line": r["stderr"].splitlines()[-1] if r["stderr"] else "",
                      "stdout_head": r["stdout"][:120]})
    return cases


def markdown(res: dict) -> str:
    L = []
    lc = res["lcqmc"]
    L.append("## Templates on LCQMC dev questions\n")
    for key in ("default", "jieba"):
        r = lc[key]
        missing = ", ".join(f for f in QUESTION_FRAMES if f not in r["frames_joined"]) or "none"
        L.append(f"**{key}** ({r['tokenizer']}): {len(r['frames_joined'])}/12 of the author's frames in the top 50 "
                 f"non-trivial templates (adjacent literals joined; {len(r['frames_exact'])}/12 as written). "
                 f"Missing: {missing}.\n")
    L.append("Top 50 non-trivial templates, default options:\n")
    L.append("| rank | template | count | | rank | template | count |\n|---:|---|---:|---|---:|---|---:|")
    top = lc["default"]["top50"]
    for k in range(25):
        a, b = top[k], top[k + 25] if k + 25 < len(top) else None
        right = f"{k + 26} | {b['template']} | {b['count']}" if b else " | | "
        L.append(f"| {k + 1} | {a['template']} | {a['count']} | | {right} |")
    pd = res["pd1998"]
    c = pd["cli_default"]
    L.append(f"\n## pd1998, default options\n\n`minent collocations pd1998.raw.txt`: words from {c['tokenizer']}; "
             f"{c['words']} words, {c['sentences']} sentences; {c['run']['seconds']} s wall (lexicon learning "
             f"included), peak RSS {c['run']['peak_rss_mb']} MB.\n")
    fr, pu = c["frames"], c["punctuation"]
    L.append(f"- Frame list (bench/frames_zh.txt, {fr['frames']} frames written from grammar knowledge): "
             f"**{fr['found']}/{fr['frames']} = {fr['recall']:.0%}** in the top 500 non-trivial templates "
             f"({fr['found_odd_lines']}/{(fr['frames'] + 1) // 2} of the frames on odd lines of the list, on which "
             f"the frames ranking's constants were chosen; {fr['found_even_lines']}/{fr['frames'] // 2} of the "
             f"even lines, held out). Found: {', '.join(fr['found_list'])}.")
    L.append(f"- Punctuation-only frames in the top 100 non-trivial templates: **{pu['punctuation_only']}/"
             f"{pu['top']}**.\n")
    fd = c["frame_detail"]
    kept = sum(r["best_rank"] is not None for r in fd)
    L.append(f"Per frame (default options): the rank and count of its best-ranked template (non-trivial; "
             f"{kept}/{len(fd)} frames have a kept template at all), and the pd1998 sentences holding its "
             f"literals in order with at least one word between them — anywhere, and with each literal "
             f"within the pair window (10 words) of the previous one, the most a template count can see.\n")
    L.append("| frame | best rank | count | sentences | within window | | frame | best rank | count | sentences "
             "| within window |\n|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|")
    half = (len(fd) + 1) // 2

    def cells(r):
        return f"{r['frame']} | {r['best_rank'] or '—'} | {r['count']} | {r['sentences']} | {r['within_window']}"
    for k in range(half):
        right = cells(fd[k + half]) if k + half < len(fd) else " | | | | "
        L.append(f"| {cells(fd[k])} | | {right} |")
    L.append("")
    L.append("Top 100 non-trivial templates:\n")
    L.append("| rank | template | count | | rank | template | count |\n|---:|---|---:|---|---:|---|---:|")
    t100 = c["top100"]
    for k in range(50):
        a, b = t100[k], t100[k + 50] if k + 50 < len(t100) else None
        right = f"{k + 51} | {b['template']} | {b['count']}" if b else " | | "
        L.append(f"| {k + 1} | {a['template']} | {a['count']} | | {right} |")
    L.append("\nVariants on the same words (in-process `TemplateFinder.fit`, one core; words/s of the mining "
             "alone, tokenisation excluded):\n")
    L.append("| variant | frames in top 500 | punctuation-only in top 100 | kept templates | of which inner paths "
             "| fit s | words/s |\n|---|---:|---:|---:|---:|---:|---:|")
    for v in pd["variants"]:
        L.append(f"| {v['name']} | {v['frames']['found']}/{v['frames']['frames']} | "
                 f"{v['punctuation']['punctuation_only']}/{v['punctuation']['top']} | {v['kept']} | "
                 f"{v.get('inner_kept', 0)} | {v['fit_s']} | "
                 f"{v['words_per_s']:,} |")
    p = pd["parse"]
    L.append(f"\nParsing {p['sample']}: {p['sentences']} sentences, {p['words']} words, "
             f"**{p['sentences_per_s']} sentences/s** (parse loop of `minent parse`, one core; "
             f"{p['run']['seconds']} s wall for the process). Information per word, in-sample: unigram "
             f"**{p['bits_per_word_unigram']} bits/word** -> template parse **{p['bits_per_word_templates']} "
             f"bits/word** (gain {p['gain_bits_per_word']}; {p['chunked_sentences']} sentences over 200 words "
             f"parsed in chunks).\n")
    ud = res["ud"]
    L.append("## Unsupervised parsing, UD Chinese GSDSimp dev (gold words)\n")
    L.append(f"Templates mined (default options, --pretokenized) from {ud['mining']['corpus']}.\n")
    L.append("| system | precision | recall | F1 | F1 / best baseline |\n|---|---:|---:|---:|---:|")
    a = ud["default"]
    best = a["scores"][a["best_baseline"]]["f1"]
    for name, sc in a["scores"].items():
        label = ("`minent parse` (default: edge weight 0.25, --closed-in-flat, --bind, --pieces, --attach, "
                 "unexplained penalty ln(min count / N))" if name == "minent"
                 else name)
        L.append(f"| {label} | {sc['precision']:.4f} | {sc['recall']:.4f} | {sc['f1']:.4f} | {sc['f1'] / best:.2f} |")
    for key, label in [("no_attach", "`minent parse --no-attach` (pure template trees; bind and pieces on)"),
                       ("no_pieces", "`minent parse --no-pieces`"),
                       ("no_pieces_no_attach", "`minent parse --no-pieces --no-attach` (pure template trees, "
                                               "punctuation left to the boundary evidence)"),
                       ("previous", "`minent parse --no-pieces --open-in-flat` (the default before pieces)"),
                       ("previous_no_attach", "`minent parse --no-pieces --open-in-flat --no-attach` (pure trees "
                                              "before pieces)"),
                       ("no_bind", "`minent parse --no-bind`"),
                       ("no_edge", "`minent parse --edge-weight 0` (no edge term in the chart)"),
                       ("no_edge_no_attach", "`minent parse --edge-weight 0 --no-attach`"),
                       ("open_in_flat", "`minent parse --open-in-flat`"),
                       ("before", "`minent parse --no-pieces --no-bind --edge-weight 0 --closed-in-flat` (the "
                                  "method's objective alone + attach)"),
                       ("before_no_attach", "`minent parse --no-pieces --no-attach --no-bind --edge-weight 0 "
                                            "--closed-in-flat` (the method's objective alone)"),
                       ("tie_right", "`minent parse --tie-break right`"),
                       ("no_attach_flat", "`minent parse --no-attach --flat-logp -30` (pure trees, unexplained "
                                          "sequences a last resort)"),
                       ("flat", "`minent parse --flat-logp -30`"),
                       ("penalty_1", "`minent parse --unexplained-logp -1` (the penalty of rounds before the last)"),
                       ("penalty_1_no_attach", "`minent parse --unexplained-logp -1 --no-attach`")]:
        sc = ud[key]["scores"]["minent"]
        L.append(f"| {label} | {sc['precision']:.4f} | {sc['recall']:.4f} | {sc['f1']:.4f} | {sc['f1'] / best:.2f} |")
    L.append(f"\nBest baseline: {a['best_baseline']} (seed 0), from the same `evaluate-parse` runs. "
             f"{a['sentences']} sentences; {a['non_contiguous']} non-contiguous gold subtrees skipped.\n")
    L.append("## Bad input\n\n| case | exit | seconds | message / output |\n|---|---:|---:|---|")
    for c in res["bad_inputs"]:
        msg = c["stderr_last_line"]
        if not c["exit_code"]:
            msg = (c["stdout_head"].splitlines() or [""])[0][:60] + " … / " + msg
        L.append(f"| {c['case']} | {c['exit_code']} | {c['seconds']} | {msg.replace('|', '/')} |")
    m = res["machine"]
    L.append(f"\nMachine: {m['cpus']} CPUs (shared), Python {m['python']}, {m['platform']}.")
    return "\n".join(L) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data", help="data folder (relative to the repository root)")
    ap.add_argument("--out", default="outputs", help="output folder (relative to the repository root)")
    ap.add_argument("--only", choices=["parse"], default=None,
                    help="re-run the parsing parts alone and merge them into the existing templates.json")
    args = ap.parse_args()
    data = (REPO / args.data).resolve()
    out = (REPO / args.out).resolve()
    (out / "bench").mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    res = {"machine": machine}
    with tempfile.TemporaryDirectory(prefix="minent-bench-") as t:
        tmp = Path(t)
        if args.only == "parse":
            res = json.loads((out / "bench" / "templates.json").read_text(encoding="utf-8"))
            res["machine"] = machine
            pd, pd_words = bench_pd1998(data, out, tmp, mining=False)
            res["pd1998"]["parse"] = pd["parse"]
        else:
            res["lcqmc"] = bench_lcqmc(data, out, tmp)
            res["pd1998"], pd_words = bench_pd1998(data, out, tmp)
        res["ud"] = bench_ud(data, out, tmp, pd_words)
        res["bad_inputs"] = bench_bad_inputs(tmp, tmp / "templates_pd1998.tsv")
    (out / "bench" / "templates.json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
    (out / "bench" / "templates.md").write_text(markdown(res), encoding="utf-8")
    print(markdown(res))


if __name__ == "__main__":
    main()
