"""Bad input end to end: every case runs the real `minent` command in a fresh process.

Cases: empty file, binary file, GBK file (without and with --encoding), invalid UTF-8, missing
file, output over its own input, and a single 100 MB line with no punctuation (build-lexicon and
segment; the segmentation must concatenate back to the input). For each: exit code, the one-line
message, wall time, peak memory, and whether any output or temp file was left behind.

    python bench/bench_bad_input.py [--mb 100]
Writes outputs/bench/bad_input.{json,md}.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, write_results  # noqa: E402
from minent.data import sample_corpus  # noqa: E402

MINENT = [sys.executable, os.path.join(REPO, "cli.py")]


def run(args, stdout=subprocess.PIPE):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run(MINENT + args, stdout=stdout, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    err = p.stderr.strip().splitlines()
    return {"args": " ".join(a if len(a) < 40 else "…" + a[-30:] for a in args), "exit": p.returncode,
            "stderr_lines": len(err), "message": err[-1] if err else "",
            "traceback": "Traceback" in p.stderr, "wall_s": round(wall, 2),
            "peak_rss_mb_max_so_far": round(max(peak, before) / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=100.0)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        def path(name):
            return os.path.join(tmp, name)
        open(path("empty.txt"), "wb").close()
        with open(path("binary.bin"), "wb") as fh:
            fh.write(bytes(range(256)) * 64)
        with open(path("gbk.txt"), "wb") as fh:
            fh.write(("中华人民共和国成立了，人民当家作主。\n" * 2000).encode("gbk"))
        with open(path("bad-utf8.txt"), "wb") as fh:
            fh.write("正常的文本\n".encode() * 100 + b"\xff\xfe broken\n")
        sample = sample_corpus().read_text(encoding="utf-8")
        han = "".join(re.findall("[\u4e00-\u9fff]+", sample))
        reps = int(a.mb * 2**20 / len(han.encode()) + 1)
        with open(path("huge-line.txt"), "w", encoding="utf-8") as fh:
            for _ in range(reps):
                fh.write(han)
        huge_mb = os.path.getsize(path("huge-line.txt")) / 2**20
        out = path("out/lex.tsv")
        cases = [
            ("empty file", ["build-lexicon", path("empty.txt"), "-o", out, "-q"]),
            ("binary file", ["build-lexicon", path("binary.bin"), "-o", out, "-q"]),
            ("GBK file", ["build-lexicon", path("gbk.txt"), "-o", out, "-q"]),
            ("invalid UTF-8 late in file", ["build-lexicon", path("bad-utf8.txt"), "-o", out, "-q"]),
            ("missing file", ["build-lexicon", path("missing.txt"), "-o", out, "-q"]),
            ("output = input", ["build-lexicon", path("gbk.txt"), "-o", path("gbk.txt"), "--encoding", "gb18030", "-q"]),
            ("GBK file with --encoding gb18030", ["build-lexicon", path("gbk.txt"), "-o", out, "--encoding", "gb18030", "-q"]),
            (f"one {huge_mb:.0f} MB line, no punctuation: build-lexicon",
             ["build-lexicon", path("huge-line.txt"), "-o", path("huge/lex.tsv"), "-q"]),
        ]
        for name, args in cases:
            r = run(args)
            r["case"] = name
            r["output_written"] = os.path.exists(out) if "huge" not in name else os.path.exists(path("huge/lex.tsv"))
            r["temp_files_left"] = [f for d, _, fs in os.walk(tmp) for f in fs if f.endswith(".tmp")]
            rows.append(r)
            if os.path.exists(out) and "encoding gb18030" not in name:
                os.unlink(out)
        seg_out = path("huge.seg.txt")
        r = run(["segment", "-l", path("huge/lex.tsv"), path("huge-line.txt"), "-o", seg_out])
        r["case"] = f"one {huge_mb:.0f} MB line: segment"
        h_in, h_out = hashlib.sha256(), hashlib.sha256()
        with open(path("huge-line.txt"), encoding="utf-8") as fh:
            while chunk := fh.read(1 << 22):
                h_in.update(chunk.encode())
        n_lines = 0
        with open(seg_out, encoding="utf-8") as fh:
            while chunk := fh.read(1 << 22):
                n_lines += chunk.count("\n")
                h_out.update(chunk.replace(" ", "").replace("\n", "").encode())
        r["output_written"] = True
        r["concatenates_back"] = h_in.hexdigest() == h_out.hexdigest()
        r["output_lines"] = n_lines
        r["temp_files_left"] = [f for d, _, fs in os.walk(tmp) for f in fs if f.endswith(".tmp")]
        rows.append(r)
    table = "| case | exit | message | traceback | output written | temp left | wall s |\n|---|---|---|---|---|---|---|\n"
    for r in rows:
        msg = r["message"].replace("|", "\\|").replace(tmp, "…")[:110]
        extra = f" (concatenates back: {r['concatenates_back']}, lines: {r['output_lines']})" if "concatenates_back" in r else ""
        table += (f"| {r['case']} | {r['exit']} | {msg}{extra} | {r['traceback']} | {r['output_written']} | "
                  f"{len(r['temp_files_left'])} | {r['wall_s']} |\n")
    table += ("\nPeak memory of the largest child (the 100 MB line runs): "
              f"{max(r['peak_rss_mb_max_so_far'] for r in rows)} MB.\n")
    write_results("bad_input", {"rows": rows}, table)


if __name__ == "__main__":
    main()
