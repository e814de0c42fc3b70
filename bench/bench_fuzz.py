"""Random input against every command, each run a real `minent` process with a time limit.

Inputs rotate between random bytes, random Unicode text (lone surrogates written with
'surrogatepass', combining marks, emoji, RTL text, NUL, odd line breaks) and valid UTF-8 text of the
same characters without NUL or surrogates (half of it as label TAB text lines),
of random length up to --max-bytes. A run fails when it prints a traceback, exits with a code other
than 0 or 2, gives exit 2 without a one-line `minent: error:` message, is still running after
--timeout seconds (a hang), leaves a temporary file, or leaves an output that does not load.

    python bench/bench_fuzz.py [--per-command 10] [--timeout 60] [--seed 0] [--workers 2]
Writes outputs/bench/fuzz.{json,md}.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, write_results  # noqa: E402

MINENT = [sys.executable, os.path.join(REPO, "cli.py")]
ODD = ("北京天安门喜欢音乐我们学校 \t\n\r\x00\u0301\u0308\u05d0\u05e9\u0645\u202e\u200f\u200d"
       "\U0001F600\U0001F468[X]()-LRB-{}\":,\\\ufeff#=\x85\u2028\x0b\x0c\x1c\ud800\udfff")
VALID = "".join(c for c in ODD if c not in "\x00\ud800\udfff")

# name -> (arguments given the work dir W, the input F and the output O; what O should hold)
COMMANDS = {
    "build-lexicon": (lambda W, F, O: ["build-lexicon", F, "-o", O, "-q"], "lexicon"),
    "build-lexicon --preset news": (lambda W, F, O: ["build-lexicon", "--preset", "news", F, "-o", O, "-q"],
                                    "lexicon"),
    "segment": (lambda W, F, O: ["segment", "-l", W("lex.tsv"), F, "-o", O], "text"),
    "segment (lexicon file)": (lambda W, F, O: ["segment", "-l", F, W("raw.txt"), "-o", O], "text"),
    "new-words": (lambda W, F, O: ["new-words", "-l", F, "--against", F], None),
    "entropy": (lambda W, F, O: ["entropy", F, "-l", W("lex.tsv"), "-q"], None),
    "evaluate": (lambda W, F, O: ["evaluate", W("gold.txt"), F, "--words", F], None),
    "collocations": (lambda W, F, O: ["collocations", F, "--pretokenized", "-o", O, "-q", "--min-count", "1"],
                     "templates"),
    "parse": (lambda W, F, O: ["parse", F, "-t", W("tpl.tsv"), "--pretokenized", "--format", "json", "-o", O,
                               "-q"], "parse"),
    "parse (templates file)": (lambda W, F, O: ["parse", W("gold.txt"), "-t", F, "--pretokenized", "-o", O,
                                                "-q"], "text"),
    "parse --conllu": (lambda W, F, O: ["parse", F, "--conllu", "-t", W("tpl.tsv"), "--format", "brackets",
                                        "-o", O, "-q"], "parse"),
    "evaluate-parse": (lambda W, F, O: ["evaluate-parse", W("gold.conllu"), F], None),
    "evaluate-parse (gold)": (lambda W, F, O: ["evaluate-parse", F, W("pred.txt")], None),
    "maxent train": (lambda W, F, O: ["maxent", "train", F, "-o", O, "-q", "--max-iter", "20"], "model"),
    "maxent predict": (lambda W, F, O: ["maxent", "predict", W("model.npz"), F, "-o", O], "text"),
    "maxent predict (model file)": (lambda W, F, O: ["maxent", "predict", F, W("raw.txt"), "-o", O], "text"),
    "maxent evaluate": (lambda W, F, O: ["maxent", "evaluate", W("model.npz"), F], None),
    "maxent explain": (lambda W, F, O: ["maxent", "explain", F], None),
}

LOADERS = {
    "lexicon": "from minent.lexicon import Lexicon; Lexicon.load(p)",
    "templates": "from minent.templates import Templates; Templates.load(p)",
    "model": "from minent.maxent import load_model; load_model(p)",
    "parse": "from minent.parse_eval import read_predictions; list(read_predictions(p))",
    "text": "open(p, encoding='utf-8').read()",
}


def random_input(rng: random.Random, k: int, max_bytes: int) -> bytes:
    n = rng.choice([0, 1, 8, 64, 512, max_bytes])
    if k % 3 == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, n)))
    alphabet = ODD if k % 3 == 1 else VALID  # valid UTF-8 text gets past decoding, deeper in
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n // 2)))
    if k % 6 == 5:  # label TAB text lines, the shape of labelled data
        text = "".join(f"{rng.choice('ab')}\t{line}\n" for line in text.split("\n"))
    return text.encode("utf-8", "surrogatepass")


def make_fixtures(work: str) -> None:
    sys.path.insert(0, os.path.join(REPO, "tests"))
    from conftest import word_corpus
    W = lambda name: os.path.join(work, name)  # noqa: E731
    raw, gold = word_corpus(300, seed=1)
    with open(W("raw.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(raw) + "\n")
    with open(W("gold.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(gold) + "\n")
    with open(W("labelled.txt"), "w", encoding="utf-8") as fh:
        fh.write("".join(f"{'ab'[i % 2]}\t{t}\n" for i, t in enumerate(raw)))
    with open(W("gold.conllu"), "w", encoding="utf-8") as fh:
        for i, g in enumerate(gold[:30]):
            fh.write(f"# sent_id = {i}\n")
            for k, w in enumerate(g.split()):
                fh.write(f"{k + 1}\t{w}\t_\t_\t_\t_\t{0 if k == 0 else 1}\t_\t_\t_\n")
            fh.write("\n")
    for args in (["build-lexicon", W("raw.txt"), "-o", W("lex.tsv"), "-q"],
                 ["collocations", W("gold.txt"), "--pretokenized", "-o", W("tpl.tsv"), "-q", "--min-count", "2"],
                 ["maxent", "train", W("labelled.txt"), "-o", W("model.npz"), "-q"],
                 ["parse", W("gold.txt"), "-t", W("tpl.tsv"), "--pretokenized", "--format", "brackets",
                  "-o", W("pred.txt"), "-q"]):
        subprocess.run(MINENT + args, check=True, capture_output=True)


def run_one(work: str, name: str, k: int, data: bytes, timeout: float) -> dict:
    args_of, kind = COMMANDS[name]
    run_dir = tempfile.mkdtemp(prefix=f"run{k}-", dir=work)
    f, out_dir = os.path.join(run_dir, "input.txt"), os.path.join(run_dir, "out")
    os.mkdir(out_dir)
    with open(f, "wb") as fh:
        fh.write(data)
    out = os.path.join(out_dir, "o.tsv")
    args = args_of(lambda n: os.path.join(work, n), f, out)
    t0 = time.perf_counter()
    problems = []
    try:
        p = subprocess.run(MINENT + args, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        code, err = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        code, err = None, (exc.stderr or b"").decode("utf-8", "replace")
        problems.append("hang")
    wall = time.perf_counter() - t0
    if "Traceback" in err:
        problems.append("traceback")
    elif code not in (0, 2, None):
        problems.append(f"exit {code}")
    elif code == 2:
        lines = err.strip().splitlines()
        if len(lines) != 1 or not (lines[0].startswith("minent: error: ") or "Error:" in lines[0]):
            problems.append("message")
    left = os.listdir(out_dir)
    if any(x.endswith(".tmp") for x in left):
        problems.append("temp file left")
    if kind and code == 0:
        check = subprocess.run([sys.executable, "-c", f"p = {out!r}\n{LOADERS[kind]}"], capture_output=True)
        if check.returncode != 0:
            problems.append("output does not load")
    elif kind and left:
        problems.append("partial output")
    return {"command": name, "input": k, "bytes": len(data), "exit": code, "wall_s": round(wall, 2),
            "problems": problems, "message": err.strip().splitlines()[-1][:200] if err.strip() else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-command", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--max-bytes", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="minent-fuzz-") as work:
        make_fixtures(work)
        jobs = [(name, k, random_input(rng, k, a.max_bytes)) for name in COMMANDS for k in range(a.per_command)]
        with ThreadPoolExecutor(a.workers) as pool:
            runs = list(pool.map(lambda j: run_one(work, *j, a.timeout), jobs))
    total_s = time.perf_counter() - t0
    rows = []
    for name in COMMANDS:
        mine = [r for r in runs if r["command"] == name]
        bad = [r for r in mine if r["problems"]]
        rows.append({"command": name, "tried": len(mine), "exit_0": sum(r["exit"] == 0 for r in mine),
                     "exit_2": sum(r["exit"] == 2 for r in mine), "failed": len(bad),
                     "tracebacks": sum("traceback" in r["problems"] for r in mine),
                     "hangs": sum("hang" in r["problems"] for r in mine),
                     "partial_outputs": sum(any(p in r["problems"] for p in
                                                ("partial output", "output does not load", "temp file left"))
                                            for r in mine),
                     "max_wall_s": max(r["wall_s"] for r in mine),
                     "failures": [{k: r[k] for k in ("input", "bytes", "exit", "problems", "message")} for r in bad]})
    table = (f"Random input, every command in its own process (timeout {a.timeout:.0f} s per run, seed {a.seed}, "
             f"inputs up to {a.max_bytes} bytes; a third random bytes, a third random Unicode with surrogates / NUL, a third valid UTF-8 text).\n\n"
             "| command | inputs tried | exit 0 | exit 2 | failed | tracebacks | hangs | partial output | max wall s |\n"
             "|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        table += (f"| {r['command']} | {r['tried']} | {r['exit_0']} | {r['exit_2']} | {r['failed']} | "
                  f"{r['tracebacks']} | {r['hangs']} | {r['partial_outputs']} | {r['max_wall_s']} |\n")
    table += (f"\n{len(runs)} runs, {sum(r['failed'] for r in rows)} failed, in {total_s:.0f} s.\n")
    for r in rows:
        for f in r["failures"]:
            table += f"- {r['command']} input {f['input']} ({f['bytes']} bytes): {', '.join(f['problems'])}: {f['message']}\n"
    write_results("fuzz", {"parameters": vars(a), "total_s": round(total_s, 1), "commands": rows}, table)


if __name__ == "__main__":
    main()
