"""The report command: one self-contained HTML page with a run's numbers and pictures."""
from __future__ import annotations

import contextlib
import json
import os
import time

import click

from ..errors import MinentError
from ..report import collect_report, render_report
from ..textio import Corpus, atomic_write, output_group, refuse_overwrite
from . import main
from .common import corpus_args, encoding_option, note, progress_bar, quiet_option

DEFAULT_REPORT = os.path.join("outputs", "report.html")


@main.command("report")
@click.argument("corpus", nargs=-1)
@click.option("-o", "--output", default=DEFAULT_REPORT, show_default=True, help="HTML page (- = stdout).")
@click.option("--data", "data_out", default=None, help="Also write the collected numbers as JSON to this file.")
@click.option("--against", default="jieba", show_default=True,
              help="Reference dictionary for new words: 'jieba' or a word-list file.")
@click.option("--min-count", type=click.IntRange(1), default=3, show_default=True,
              help="Lexicon: count cut-off floor for pairs and candidate words.")
@click.option("--min-pmi", type=float, default=2.0, show_default=True,
              help="Lexicon: cut between adjacent characters with PMI (nats) below this.")
@click.option("--max-len", type=click.IntRange(1, 64), default=5, show_default=True,
              help="Lexicon: longest word, in characters.")
@click.option("--window", type=click.IntRange(2, 64), default=3, show_default=True,
              help="Templates: largest distance of a linked word pair (phrases always use 1).")
@click.option("--max-parse-sentences", type=click.IntRange(1), default=20000, show_default=True,
              help="Parse at most this many sentences (every k-th) for the phrase / template levels.")
@click.option("--trees", "n_trees", type=click.IntRange(0, 12), default=4, show_default=True,
              help="Parse trees drawn.")
@encoding_option
@quiet_option
def report_cmd(corpus, output, data_out, against, min_count, min_pmi, max_len, window, max_parse_sentences,
               n_trees, encoding, quiet):
    """Build a lexicon and templates from CORPUS (files, directories, globs, or -) and write one
    self-contained HTML page: PMI vs frequency, information per character (bits/char) from
    characters to templates, new words, templates with examples, parse trees.

    With no CORPUS, uses the bundled sample corpus (package data minent/data/sample.zh.txt).
    """
    t0 = time.perf_counter()
    texts = Corpus(corpus_args(corpus), encoding)
    if data_out == "-" and output == "-":
        raise MinentError("--data - and -o - would both write to stdout")
    refuse_overwrite([output, data_out], texts.paths + ([against] if against != "jieba" else []))
    note("report: lexicon, information, new words, templates, then parsing", quiet)
    stack = contextlib.ExitStack()
    bars = {}

    def progress(stage, n, total):
        if stage not in bars:
            bars[stage] = stack.enter_context(progress_bar(total, "parsing ", quiet))
        bars[stage](n)

    with stack:
        data = collect_report(texts, min_count=min_count, min_pmi=min_pmi, max_len=max_len, reference=against,
                              window=window, max_parse_sentences=max_parse_sentences, n_trees=n_trees,
                              progress=progress)
    page = render_report(data)
    with output_group():
        with atomic_write(output) as fh:
            fh.write(page)
        if data_out:
            with atomic_write(data_out) as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
    levels = {(r["stage"], r["measure"].split()[0]): r["L_bits"] for r in data["information"]}
    note(f"report: {len(page.encode('utf-8')):,} bytes in {time.perf_counter() - t0:.1f}s -> {output}\n"
         f"information: {levels[('char', 'unit')]:.3f} bits/char (characters) -> "
         f"{levels[('word', 'unit')]:.3f} (words) -> {levels[('phrase', 'parse')]:.3f} (phrases) -> "
         f"{levels[('template', 'parse')]:.3f} (templates), in-sample", quiet)
