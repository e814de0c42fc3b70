"""Benchmark of sentence templates and template parsing (issue 4); writes outputs/bench/templates.{json,md}.

Runs the real CLI in subprocesses (timings and peak memory per process, from os.wait4) on:

* LCQMC dev questions: templates with jieba and with a minent lexicon built on the same raw
  questions; how many of the author's question frames are in the top 50 non-trivial templates;
* pd1998 (jieba): templates (window 3) and phrases (window 1), collocations throughput (words/s,
  with and without tokenisation), parse throughput (sentences/s) and the information per word
  before / after template parsing;
* UD Chinese GSDSimp dev (gold words): unlabelled span P/R/F1 of ``minent parse`` with the
  right-, left-branching and random baselines of the same ``evaluate-parse`` run;
* bad inputs: empty / foreign-version templates files, over-long sentences, unknown words.

Usage: python bench/bench_templates.py [--data ../shared/data] [--out outputs]
Paths are relative to the repository root.
"""
from __future__ import annotations

import argparse
import json
import logging
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

from minent.lexicon import build_lexicon  # noqa: E402
from minent.parse_eval import read_conllu  # noqa: E402
from minent.templates import Templates, is_punctuation, split_sentences  # noqa: E402

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


def jieba_tokens(lines):
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return [[w for w in jieba.lcut(line) if w.strip()] for line in lines]


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


def bench_lcqmc(data: Path, out: Path, tmp: Path) -> dict:
    src = data / "questions" / "lcqmc_dev.questions.txt"
    lines = src.read_text(encoding="utf-8").splitlines()
    res = {}
    r = run_measured(["collocations", str(src), "--tokenizer", "jieba", "-o", str(out / "templates_lcqmc_jieba.tsv"),
                      "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    res["jieba"] = {"run": _brief(r), **frames_table(Templates.load(str(out / "templates_lcqmc_jieba.tsv")))}
    lex = build_lexicon(lines)
    lex_path = out / "templates_lcqmc.minent-lexicon.tsv"
    lex.save(str(lex_path))
    r = run_measured(["collocations", str(src), "--lexicon", str(lex_path), "-o",
                      str(out / "templates_lcqmc_lexicon.tsv"), "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    res["minent_lexicon"] = {"lexicon_size": len(lex), "run": _brief(r),
                             **frames_table(Templates.load(str(out / "templates_lcqmc_lexicon.tsv")))}
    return res


def _brief(r: dict) -> dict:
    return {k: r[k] for k in ("code", "seconds", "peak_rss_mb")}


def bench_pd1998(data: Path, out: Path, tmp: Path) -> tuple[dict, dict]:
    raw = data / "pd1998" / "pd1998.raw.txt"
    lines = raw.read_text(encoding="utf-8").splitlines()
    res = {}
    t0 = time.perf_counter()
    lex = build_lexicon(lines)
    lex_path = out / "templates_pd1998.minent-lexicon.tsv"
    lex.save(str(lex_path))
    res["lexicon"] = {"entries": len(lex), "build_s": round(time.perf_counter() - t0, 1)}
    r = run_measured(["collocations", str(raw), "--lexicon", str(lex_path), "-o", str(out / "templates_pd1998.tsv"),
                      "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    rep = json.loads((out / "templates_pd1998.report.json").read_text(encoding="utf-8"))
    res["collocations_lexicon"] = {"run": _brief(r), "words": rep["words"], "sentences": rep["sentences"],
                                   "words_per_s_wall": round(rep["words"] / r["seconds"])}
    tokens = {"lexicon": [lex.segment(line) for line in lines],
              "jieba": jieba_tokens(lines)}
    tok_paths = {}
    for name, toks in tokens.items():
        tok_paths[name] = tmp / f"pd1998.{name}.txt"
        write_lines(tok_paths[name], toks)
    r = run_measured(["collocations", str(tok_paths["lexicon"]), "--pretokenized", "-o", str(tmp / "pd_pretok.tsv"),
                      "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    rep2 = json.loads((tmp / "pd_pretok.report.json").read_text(encoding="utf-8"))
    res["collocations_pretokenized"] = {"run": _brief(r), "words": rep2["words"],
                                        "words_per_s_wall": round(rep2["words"] / r["seconds"]),
                                        "mining_timings_s": rep2["timings_s"]}
    r = run_measured(["collocations", str(raw), "--lexicon", str(lex_path), "--window", "1", "-o",
                      str(out / "templates_pd1998_w1.tsv"), "-q", "--top", "0"])
    assert r["code"] == 0, r["stderr"]
    tpl = Templates.load(str(out / "templates_pd1998.tsv"))
    w1 = Templates.load(str(out / "templates_pd1998_w1.tsv"))
    res["top_nontrivial"] = records(tpl.top(30, trivial=False))
    res["top_trivial"] = records(tpl.top(10, trivial=True))
    phrases = {}
    for i in range(len(w1)):
        lits = [t for t in w1.patterns[i] if t != "[X]"]
        if len(lits) >= 2:
            key = " ".join(lits)
            phrases[key] = phrases.get(key, 0) + int(w1.counts[i])
    ranked = sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))
    res["phrases_window1"] = [{"phrase": k, "count": v} for k, v in ranked[:30]]
    res["phrases_window1_words_only"] = [{"phrase": k, "count": v} for k, v in ranked
                                         if not any(is_punctuation(w) for w in k.split())][:30]
    # parsing: CLI throughput, and the information per word from its JSON output
    sents = [s for t in tokens["lexicon"] for s in split_sentences(t)]
    sent_path = tmp / "pd1998.sentences.txt"
    write_lines(sent_path, sents)
    r = run_measured(["parse", str(sent_path), "-t", str(out / "templates_pd1998.tsv"), "--pretokenized",
                      "--format", "brackets", "-o", str(tmp / "pd.parse.txt")])
    assert r["code"] == 0, r["stderr"]
    res["parse"] = {"run": _brief(r), "sentences": len(sents),
                    "sentences_per_s_wall": round(len(sents) / r["seconds"], 1)}
    summary = re.search(r"parsed (\d+) sentences, (\d+) words .*information ([\d.]+) bits/word \(unigram\) -> "
                        r"([\d.]+) \(templates\)", r["stderr"])
    chunked = re.search(r"note: (\d+) sentences longer", r["stderr"])
    before, after = float(summary.group(3)), float(summary.group(4))
    res["information"] = {"sentences": int(summary.group(1)), "words": int(summary.group(2)),
                          "bits_per_word_unigram": before, "bits_per_word_templates": after,
                          "gain_bits_per_word": round(before - after, 3), "unexplained_logp": -1.0,
                          "chunked_sentences": int(chunked.group(1)) if chunked else 0,
                          "source": "summary line of `minent parse` on stderr"}
    return res, tok_paths


def bench_ud(data: Path, out: Path, tmp: Path, pd_tokens: dict) -> dict:
    gold = data / "ud" / "zh_gsdsimp-ud-dev.conllu"
    ud_words = tmp / "ud.words.txt"
    write_lines(ud_words, [s.words for s in read_conllu(str(gold))])
    res = {}
    runs = [("lexicon", "attach", []), ("lexicon", "no_attach", ["--no-attach"]),
            ("lexicon", "attach_tie_right", ["--tie-break", "right"]), ("jieba", "attach", []),
            ("jieba", "no_attach", ["--no-attach"])]
    for tok in ("lexicon", "jieba"):
        tpl_path = out / f"templates_ud_{tok}.tsv"
        r = run_measured(["collocations", str(pd_tokens[tok]), str(ud_words), "--pretokenized", "-o", str(tpl_path),
                          "-q", "--top", "0"])
        assert r["code"] == 0, r["stderr"]
        res[f"mining_{tok}"] = {"corpus": f"pd1998 raw text ({tok} words) + the 500 UD dev sentences "
                                          f"(gold words, no trees)", "run": _brief(r)}
    for tok, name, extra in runs:
        pred = out / f"templates_ud_{tok}.{name}.parse.txt"
        r = run_measured(["parse", str(gold), "--conllu", "-t", str(out / f"templates_ud_{tok}.tsv"),
                          "--format", "brackets", "-o", str(pred), "-q", *extra])
        assert r["code"] == 0, r["stderr"]
        e = run_measured(["evaluate-parse", str(gold), str(pred), "--json"])
        assert e["code"] == 0, e["stderr"]
        ev = json.loads(e["stdout"])
        best = ev["best_baseline"]
        res[f"{tok}_{name}"] = {"parse_run": _brief(r), "scores": ev["scores"], "best_baseline": best,
                                "ratio_to_best_baseline": round(ev["scores"]["minent"]["f1"]
                                                                / ev["scores"][best]["f1"], 3),
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
    for key, name in [("minent_lexicon", f"minent lexicon built on the same raw questions "
                                         f"({lc['minent_lexicon']['lexicon_size']} entries)"), ("jieba", "jieba")]:
        r = lc[key]
        missing = ", ".join(f for f in QUESTION_FRAMES if f not in r["frames_joined"]) or "none"
        L.append(f"**{name}**: {len(r['frames_exact'])}/12 of the author's frames in the top 50 non-trivial "
                 f"templates as written, {len(r['frames_joined'])}/12 with adjacent literals joined "
                 f"(segmentation-free). Missing: {missing}.\n")
    L.append("Top 50 non-trivial templates (minent lexicon; window 3, min count 5, min PMI 1 nat):\n")
    L.append("| rank | template | count | | rank | template | count |\n|---:|---|---:|---|---:|---|---:|")
    top = lc["minent_lexicon"]["top50"]
    for k in range(25):
        a, b = top[k], top[k + 25] if k + 25 < len(top) else None
        right = f"{k + 26} | {b['template']} | {b['count']}" if b else " | | "
        L.append(f"| {k + 1} | {a['template']} | {a['count']} | | {right} |")
    pd = res["pd1998"]
    L.append(f"\n## pd1998 (People's Daily; words from a minent lexicon built on the raw text, "
             f"{pd['lexicon']['entries']} entries)\n")
    L.append("Top non-trivial templates (window 3):\n\n| rank | template | count |\n|---:|---|---:|")
    for k, r in enumerate(pd["top_nontrivial"][:20], 1):
        L.append(f"| {k} | {r['template']} | {r['count']} |")
    L.append("\nTop trivial templates: " + ", ".join(f"{r['template']} ({r['count']})" for r in pd["top_trivial"]))
    L.append("\nPhrases (`--window 1`: chains of >= 2 tight adjacent words, counts summed over contexts), "
             "all and without punctuation:\n")
    L.append("| rank | phrase | count | | phrase (no punctuation) | count |\n|---:|---|---:|---|---|---:|")
    for k in range(20):
        a, b = pd["phrases_window1"][k], pd["phrases_window1_words_only"][k]
        L.append(f"| {k + 1} | {a['phrase']} | {a['count']} | | {b['phrase']} | {b['count']} |")
    inf = pd["information"]
    L.append(f"\nInformation per word over the {inf['sentences']} pd1998 sentences ({inf['words']} words), "
             f"in-sample: unigram **{inf['bits_per_word_unigram']} bits/word** -> template parse "
             f"**{inf['bits_per_word_templates']} bits/word** (gain {inf['gain_bits_per_word']} bits/word; "
             f"penalty of an unexplained block {inf['unexplained_logp']} nat; {inf['chunked_sentences']} sentences "
             f"over 200 words parsed in chunks).\n")
    c1, c2, p = pd["collocations_lexicon"], pd["collocations_pretokenized"], pd["parse"]
    L.append("| run | words / sentences | wall s | throughput | peak RSS MB |\n|---|---:|---:|---:|---:|")
    L.append(f"| `collocations --lexicon` (raw text) | {c1['words']} words | {c1['run']['seconds']} | "
             f"{c1['words_per_s_wall']} words/s | {c1['run']['peak_rss_mb']} |")
    L.append(f"| `collocations --pretokenized` | {c2['words']} words | {c2['run']['seconds']} | "
             f"{c2['words_per_s_wall']} words/s | {c2['run']['peak_rss_mb']} |")
    L.append(f"| `parse --pretokenized` | {p['sentences']} sentences | {p['run']['seconds']} | "
             f"{p['sentences_per_s_wall']} sentences/s | {p['run']['peak_rss_mb']} |")
    L.append("\nWall times of whole processes (Python start-up, numba cache loading, file I/O included).\n")
    ud = res["ud"]
    L.append("## Unsupervised parsing, UD Chinese GSDSimp dev (gold words)\n")
    L.append(f"Templates mined from {ud['mining_lexicon']['corpus']}; the same with jieba words for pd1998 "
             f"in the last rows.\n")
    L.append("| system | precision | recall | F1 | F1 / best baseline |\n|---|---:|---:|---:|---:|")
    a = ud["lexicon_attach"]
    best = a["scores"][a["best_baseline"]]["f1"]
    for name, sc in a["scores"].items():
        label = "`minent parse` (default: --attach)" if name == "minent" else name
        L.append(f"| {label} | {sc['precision']:.4f} | {sc['recall']:.4f} | {sc['f1']:.4f} | {sc['f1'] / best:.2f} |")
    for key, label in [("lexicon_no_attach", "`minent parse --no-attach` (pure template trees)"),
                       ("lexicon_attach_tie_right", "`minent parse --tie-break right`"),
                       ("jieba_attach", "`minent parse`, pd1998 words by jieba"),
                       ("jieba_no_attach", "`minent parse --no-attach`, pd1998 words by jieba")]:
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
    L.append(f"\nMachine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}.")
    return "\n".join(L) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data", help="data folder (relative to the repository root)")
    ap.add_argument("--out", default="outputs", help="output folder (relative to the repository root)")
    args = ap.parse_args()
    data = (REPO / args.data).resolve()
    out = (REPO / args.out).resolve()
    (out / "bench").mkdir(parents=True, exist_ok=True)
    res = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}}
    with tempfile.TemporaryDirectory(prefix="minent-bench-") as t:
        tmp = Path(t)
        res["lcqmc"] = bench_lcqmc(data, out, tmp)
        res["pd1998"], pd_tokens = bench_pd1998(data, out, tmp)
        res["ud"] = bench_ud(data, out, tmp, pd_tokens)
        res["bad_inputs"] = bench_bad_inputs(tmp, out / "templates_pd1998.tsv")
    (out / "bench" / "templates.json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
    (out / "bench" / "templates.md").write_text(markdown(res), encoding="utf-8")
    print(markdown(res))


if __name__ == "__main__":
    main()
