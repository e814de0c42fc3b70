"""Small corpora, traditional Chinese, Japanese: each dev set learned from its own raw text alone.

For each set the lexicon is learned from the set's raw text only (no other corpus given) with the
default options — background model on (``background="auto"``, :mod:`minent.background`) — and
again with ``background="none"``; the raw lines are segmented and scored against the gold words
(word P/R/F1, OOV recall against jieba's dictionary, as bench_discovery.py). jieba's default
dictionary segmentation of the same lines is scored beside them (a supervised peer, Chinese only).

Also measured: each shipped background's size, its build time (``corpora/build_background.py``,
rebuilt into a temporary folder and compared byte for byte with the shipped file when the source
is available), the learning time on a 100,000-character corpus with and without the background,
and, with ``--protocols``, that the simplified protocols of bench_discovery.py (pd1998, PKU-dev and
MSR-dev with their extra corpora, general learner) learn the same lexicon with the background on.

Sets: ``pku-dev``, ``msr-dev`` (SIGHAN 2005 dev samples, simplified), ``ud-zh`` (UD Chinese GSD
dev, traditional), ``ud-ja`` (UD Japanese GSD dev, short-unit words). Dev files only (data.md).

    python bench/bench_small.py [--sets ...] [--protocols] [--debs DIR]

``--debs``: the folder of the .deb files the ja and zh-hant models are built from (rebuild check;
with it, ud-zh is also learned with a zh-hant model built without the Taiwan-usage Debian text,
to show that part's effect).
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, SHARED, emit, peak_rss_mb, run_job, write_results  # noqa: E402

SETS = {"pku-dev": ("sighan", "sighan-dev/pku_dev"), "msr-dev": ("sighan", "sighan-dev/msr_dev"),
        "ud-zh": ("conllu", "ud/zh_gsd-ud-dev.conllu"), "ud-ja": ("conllu", "ud/ja_gsd-ud-dev.conllu")}
VARIANTS = {"default": {}, "none": {"background": "none"}}
PROTOCOL_SETS = {"pd1998": ("pd1998/pd1998", ["pd1998/pd1998.raw.txt"]),
                 "pd1998-alone": ("pd1998/pd1998", []),  # general-noextra: pd1998 raw text alone
                 "pku-dev": ("sighan-dev/pku_dev", ["pd1998/pd1998.raw.txt"]),
                 "msr-dev": ("sighan-dev/msr_dev", ["pd1998/pd1998.raw.txt"])}
#: Published / peer numbers for the same kind of data (conditions in the notes of the table).
PEERS = {
    "pku-dev": "SIGHAN 2005 PKU test, unsupervised: about 0.77-0.81 F1 (data.md)",
    "msr-dev": "PKU-test figure above is the closest quoted here; MSR's long-word standard scores lower "
               "(bench_discovery: 0.81 vs 0.83 on PKU-dev with 8 MB of text)",
    "ud-zh": "no published unsupervised number on UD GSD found in this session; jieba (supervised "
             "dictionary, simplified) in the jieba column",
    "ud-ja": "NPYLM (Mochihashi et al. 2009) reports unsupervised F1 on the Kyoto newspaper corpus; "
             "the figure could not be checked in this session",
}


def read_set(data: str, name: str) -> tuple[list[str], list[str]]:
    """Raw lines and gold lines (words separated by two spaces) of a dev set."""
    kind, base = SETS[name]
    if kind == "sighan":
        with open(os.path.join(data, base + ".raw.txt"), encoding="utf-8") as fh:
            raw = fh.read().splitlines()
        with open(os.path.join(data, base + ".gold.txt"), encoding="utf-8") as fh:
            gold = fh.read().splitlines()
        return raw, gold
    raw, gold, words = [], [], []
    with open(os.path.join(data, base), encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("# text = "):
                raw.append(line[len("# text = "):])
            elif not line:
                if words:
                    gold.append("  ".join(words))
                words = []
            elif not line.startswith("#"):
                cols = line.split("\t")
                if cols[0].isdigit():  # not a multiword range or an empty node
                    words.append(cols[1].replace(" ", ""))
    if words:
        gold.append("  ".join(words))
    return raw, gold


def job(data: str, name: str, variant: str) -> None:
    from minent import LexiconLearner, score_segmentation
    from minent.newwords import load_reference_words
    raw, gold = read_set(data, name)
    t0 = time.perf_counter()
    opts = VARIANTS[variant] if variant in VARIANTS else json.loads(variant)  # a dict of options
    lex = LexiconLearner(**opts).fit(raw).lexicon_
    t_build = time.perf_counter() - t0
    seg = lex.segmenter
    pred = [seg.segment_text(line) for line in raw]
    score = score_segmentation(gold, pred, load_reference_words("jieba"))
    # analysis only: the number rule joins digits + 年/月/日 (PKU, MSR, data.md); UD GSD splits them
    dates = [re.sub(r"(?<!\S)([0-9０-９]+)([年月日])(?!\S)", r"\1 \2", line) for line in pred]
    split_dates = score_segmentation(gold, dates).f1
    measure_off = score_segmentation(gold, _without_measure_rule(seg, raw)).f1
    emit({"set": name, "variant": variant, **score.as_dict(), "f1_dates_split": split_dates,
          "f1_measure_rule_off": measure_off, "chars": sum(len(l) for l in raw),
          "lines": len(raw), "lexicon_size": len(lex), "build_s": t_build,
          "background": lex.report.get("background"), "peak_build_mb": peak_rss_mb(),
          "sample": [p for p in pred[:3]]})


def _without_measure_rule(seg, raw: list[str]) -> list[str]:
    """The segmentation of ``raw`` with the token rules except the measure-word rule (traditional
    Chinese numeral + measure word split): the other three rules are no-ops where their gates in
    ``after_segmentation`` would skip them, so this is the segmenter with that one rule off."""
    import minent.segment as segment_module
    from minent.pretokenize import join_katakana, join_ordinal, split_counters

    def rules(cps, cls, s, e, ids):
        for rule in (join_katakana, join_ordinal, split_counters):
            s, e, ids = rule(cps, cls, s, e, ids)
        return s, e, ids
    kept = segment_module.after_segmentation
    segment_module.after_segmentation = rules
    try:
        return [seg.segment_text(line) for line in raw]
    finally:
        segment_module.after_segmentation = kept


def jieba_job(data: str, name: str) -> None:
    import logging

    import jieba
    from minent import score_segmentation
    from minent.newwords import load_reference_words
    jieba.setLogLevel(logging.WARNING)
    raw, gold = read_set(data, name)
    pred = ["  ".join(w for w in jieba.cut(line) if w.strip()) for line in raw]
    score = score_segmentation(gold, pred, load_reference_words("jieba"))
    emit({"set": name, "variant": "jieba", **score.as_dict()})


def time_job(data: str, variant: str) -> None:
    """Learning time on the first 100,000 characters of MSR-dev's raw text."""
    from minent import LexiconLearner
    raw, _ = read_set(data, "msr-dev")
    lines, n = [], 0
    for line in raw:
        if n >= 100_000:
            break
        lines.append(line)
        n += len(line)
    LexiconLearner(background=VARIANTS[variant].get("background", "auto"), mdl_rounds=1).fit(lines[:50])
    t0 = time.perf_counter()
    lex = LexiconLearner(**VARIANTS[variant]).fit(lines).lexicon_
    emit({"variant": variant, "chars": n, "learn_s": time.perf_counter() - t0, "load_1min": os.getloadavg()[0],
          "timings_s": lex.report["timings_s"], "background": lex.report.get("background")})


def protocol_job(data: str, name: str) -> None:
    """bench_discovery.py's protocol rows (set + pd1998 raw + the modern extras): auto vs none."""
    from bench_discovery import MODERN
    from minent import Corpus, LexiconLearner, score_segmentation
    base, extra = PROTOCOL_SETS[name]
    modern = [] if name.endswith("-alone") else MODERN
    paths = [os.path.join(data, base + ".raw.txt")] + [os.path.join(data, e) for e in extra + modern
                                                       if e != base + ".raw.txt"]
    gold = list(Corpus(os.path.join(data, base + ".gold.txt")).lines())
    raw = list(Corpus(paths[0]).lines())
    row = {"set": name, "learn_texts": [os.path.relpath(p, data) for p in paths]}
    lexes = {}
    for variant in ("default", "none"):
        lex = LexiconLearner(**VARIANTS[variant]).fit(Corpus(paths)).lexicon_
        seg = lex.segmenter
        row[variant] = score_segmentation(gold, [seg.segment_text(l) for l in raw]).as_dict()
        row[variant + "_background"] = lex.report.get("background")
        lexes[variant] = (lex.words, list(map(int, lex.counts)))
    row["same_lexicon"] = lexes["default"] == lexes["none"]
    emit(row)


def build_rows(data: str, debs: str | None) -> list[dict]:
    """Size of each installed background; rebuild time (and byte identity) when its source is here
    (``debs``: the folder of the Debian packages of ja and zh-hant)."""
    from minent.background import Background, shipped
    rows = []
    script = os.path.join(REPO, "corpora", "build_background.py")
    for name, path in shipped().items():
        bg = Background.load(path)
        row = {"name": name, "bytes": os.path.getsize(path), "clauses": len(bg),
               "han_chars": bg.han_chars, "source": bg.meta.get("source"), "licence": bg.meta.get("licence")}
        pd1998 = ["--text", os.path.join(data, "pd1998", "pd1998.raw.txt")]
        if name == "ja":
            args = ["--deb-dir", debs] if debs else None
        elif name == "zh-hant" and "Debian packages" in (bg.meta.get("source") or ""):
            args = pd1998 + ["--deb-dir", debs] if debs else None
        else:
            args = pd1998
        if args is not None:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, name + ".bg.xz")
                t0 = time.perf_counter()
                p = subprocess.run([sys.executable, script, name, *args, "--out", out],
                                   capture_output=True, text=True)
                row["build_s"] = time.perf_counter() - t0
                row["rebuilt_identical"] = p.returncode == 0 and filecmp.cmp(out, path, shallow=False)
                if p.returncode:
                    row["build_error"] = p.stderr.strip().splitlines()[-1:]
        rows.append(row)
    return rows


def _taiwan_text_part(script: str, data: str, debs: str | None) -> list[dict]:
    """ud-zh learned with a zh-hant model of the converted People's Daily text alone (no Debian
    text), built into a temporary folder: the effect of the Taiwan-usage text."""
    from minent.background import Background, shipped
    path = shipped().get("zh-hant")
    if not debs or not path or "Debian packages" not in (Background.load(path).meta.get("source") or ""):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "zh-hant.bg.xz")
        subprocess.run([sys.executable, os.path.join(REPO, "corpora", "build_background.py"), "zh-hant",
                        "--text", os.path.join(data, "pd1998", "pd1998.raw.txt"), "--packages", "",
                        "--out", out], check=True, capture_output=True)
        row = run_job(script, "--data", data, "--job", "set", "ud-zh", json.dumps({"background": out}))
    row["variant"] = "zh-hant without the Debian text"
    print(f"ud-zh, zh-hant without the Debian text: F1 {row['f1']:.4f}", flush=True)
    return [row]


def _table(rows, jieba_rows, builds, times, protocols, parts=()) -> str:
    out = ["| set | chars | background | bg used | P | R | F1 | OOV-R | F1 bg off | jieba F1 | "
           "learn s (bg) | learn s (off) | published / peer |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    by = {(r["set"], r["variant"]): r for r in rows}
    jb = {r["set"]: r for r in jieba_rows}
    for name in SETS:
        d, o = by.get((name, "default")), by.get((name, "none"))
        if not d:
            continue
        bg = d["background"] or {}
        out.append(f"| {name} | {d['chars']} | {bg.get('name')} | {bg.get('used')} | {d['precision']:.4f} | "
                   f"{d['recall']:.4f} | **{d['f1']:.4f}** | {d['oov_recall']:.4f} | "
                   f"{o['f1']:.4f} | {jb[name]['f1']:.4f} | {d['build_s']:.1f} | {o['build_s']:.1f} | "
                   f"{PEERS[name]} |" if name in jb else
                   f"| {name} | {d['chars']} | {bg.get('name')} | {bg.get('used')} | {d['precision']:.4f} | "
                   f"{d['recall']:.4f} | **{d['f1']:.4f}** | {d['oov_recall']:.4f} | "
                   f"{o['f1']:.4f} | - | {d['build_s']:.1f} | {o['build_s']:.1f} | {PEERS[name]} |")
    out += ["", "Analysis (not a default): the number rule writes digits + 年 / 月 / 日 as one word, as PKU, MSR "
            "and data.md do; with those tokens split after segmentation, as UD GSD writes them, F1 (bg on) "
            "would be " + ", ".join(f"{r['set']} {r['f1_dates_split']:.4f}" for r in rows
                                     if r["variant"] == "default") + "."]
    default = [r for r in rows if r["variant"] == "default"]
    out += ["", "Effect of each part (F1, background on): measure-word rule (traditional-Chinese lines: Chinese "
            "numeral + measure word split, 一個 -> 一 個, the Academia Sinica / CKIP convention) on / off: "
            + ", ".join(f"{r['set']} {r['f1']:.4f} / {r['f1_measure_rule_off']:.4f}" for r in default) + "."]
    for p in parts:
        d = next((r for r in default if r["set"] == p["set"]), None)
        if d:
            out[-1] += (f" Taiwan-usage Debian text in the zh-hant model, with / without: {p['set']} {d['f1']:.4f} / "
                        f"{p['f1']:.4f} (without both: {p['f1_measure_rule_off']:.4f}).")
    out += ["", "| background | file bytes | clauses | Han-run chars | build s | rebuilt identical | source | licence |",
            "|---|---|---|---|---|---|---|---|"]
    for b in builds:
        bs = f"{b['build_s']:.1f}" if "build_s" in b else "-"
        out.append(f"| {b['name']} | {b['bytes']} | {b['clauses']} | {b['han_chars']} | {bs} | "
                   f"{b.get('rebuilt_identical', '-')} | {b['source']} | {b['licence']} |")
    if times:
        out += ["", "| learning on 100k chars (MSR-dev raw) | chars | learn s | stages s (clauses / ngrams / "
                    "boundary / mdl / reestimate / report) | background | load 1 min |", "|---|---|---|---|---|---|"]
        for t in times:
            ts = t["timings_s"]
            stages = " / ".join(f"{ts.get(k, 0):.1f}" for k in ("clauses", "ngrams", "boundary", "mdl",
                                                               "reestimate", "report"))
            out.append(f"| {t['variant']} | {t['chars']} | {t['learn_s']:.1f} | {stages} | "
                       f"{(t['background'] or {}).get('name')} used={(t['background'] or {}).get('used')} | "
                       f"{t['load_1min']:.1f} |")
    if protocols:
        out += ["", "| protocol (bench_discovery general) | F1 bg auto | F1 bg none | background used | same lexicon |",
                "|---|---|---|---|---|"]
        for p in protocols:
            out.append(f"| {p['set']} + {', '.join(p['learn_texts'][1:]) or 'nothing'} | {p['default']['f1']:.4f} | "
                       f"{p['none']['f1']:.4f} | {p['default_background'].get('used')} | {p['same_lexicon']} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=SHARED)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--protocols", action="store_true", help="also check bench_discovery's protocols")
    ap.add_argument("--debs", "--ja-debs", default=None, help="folder with the .deb files of the ja and zh-hant models")
    ap.add_argument("--job", nargs="*")
    args = ap.parse_args()
    if args.job is not None:
        kind, *rest = args.job
        {"set": job, "jieba": jieba_job, "time": time_job, "protocol": protocol_job}[kind](args.data, *rest)
        return
    script = os.path.abspath(__file__)
    sets = [s for s in args.sets.split(",") if s]
    rows, jieba_rows = [], []
    for name in sets:
        for variant in VARIANTS:
            rows.append(run_job(script, "--data", args.data, "--job", "set", name, variant))
            r = rows[-1]
            print(f"{name} {variant}: F1 {r['f1']:.4f} in {r['build_s']:.1f}s {r['background']}", flush=True)
        if name != "ud-ja":
            jieba_rows.append(run_job(script, "--data", args.data, "--job", "jieba", name))
    times = [run_job(script, "--data", args.data, "--job", "time", v) for v in VARIANTS]
    builds = build_rows(args.data, args.debs)
    parts = _taiwan_text_part(script, args.data, args.debs) if "ud-zh" in sets else []
    protocols = [run_job(script, "--data", args.data, "--job", "protocol", s)
                 for s in PROTOCOL_SETS] if args.protocols else []
    table = _table(rows, jieba_rows, builds, times, protocols, parts)
    notes = ("\nEach set learned from its own raw lines alone (no corpus added by the user), default "
             "options: background `auto` (picks the shipped model whose characters fit the text best; "
             "merged because the set is smaller than the model) vs `none`. Scores: word P/R/F1 over "
             "word spans, OOV recall against jieba's dictionary. jieba: its default dictionary "
             "(supervised, simplified-Chinese), same lines. Published / peer numbers are on other "
             "data (test sets of SIGHAN 2005, the Kyoto corpus) under their own conditions, quoted "
             "for scale only; nothing here is scored on a test split.\n")
    write_results("small", {"rows": rows, "jieba": jieba_rows, "backgrounds": builds, "parts": parts,
                            "learn_100k": times, "protocols": protocols}, table + notes)


if __name__ == "__main__":
    main()
