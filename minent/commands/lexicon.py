"""Commands around the lexicon: build-lexicon, segment, new-words, entropy."""
from __future__ import annotations

import json
import os
import platform
import resource
import time

import click

from .. import __version__
from ..entropy import corpus_information, information_per_char
from ..errors import MinentError
from ..discovery import learn_lexicon
from ..lexicon import Lexicon, build_lexicon
from ..newwords import load_reference_words, rank_new_words
from ..textio import Corpus, atomic_write, read_blocks, refuse_overwrite
from . import main
from .common import (DEFAULT_LEXICON, SAMPLE_CORPUS, auto_jobs, encoding_option, lexicon_path,
                     note, progress_bar, quiet_option, sibling, table_budget)


def _corpus(specs, encoding) -> Corpus:
    if not specs:
        if not SAMPLE_CORPUS.exists():
            raise MinentError(f"no corpus given and the bundled sample {SAMPLE_CORPUS} is missing")
        specs = [str(SAMPLE_CORPUS)]
    return Corpus(list(specs), encoding)


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024 if platform.system() != "Darwin" else kb / 2**20, 1)


@main.command("build-lexicon")
@click.argument("corpus", nargs=-1)
@click.option("-o", "--output", default=DEFAULT_LEXICON, show_default=True,
              help="Lexicon TSV; OUT.jieba.txt and OUT.report.json are written beside it.")
@click.option("--min-count", type=click.IntRange(1), default=3, show_default=True,
              help="Count cut-off floor for pairs and candidate words.")
@click.option("--min-prob", type=click.FloatRange(0, 1, max_open=True), default=1e-6, show_default=True,
              help="Relative cut-off: effective count cut-off is max(min-count, min-prob x N).")
@click.option("--min-pmi", type=float, default=2.0, show_default=True,
              help="Cut between adjacent characters with PMI (nats) below this.")
@click.option("--max-len", type=click.IntRange(1, 64), default=5, show_default=True,
              help="Longest word, in characters.")
@click.option("--redundancy-threshold", default="len-1", show_default=True,
              help="Keep a word when ln p(w) - sum ln p(sub-words) exceeds this: a number or 'len-1'.")
@click.option("--rules/--no-rules", default=True, show_default=True,
              help="Number / letter / date / punctuation rules (see README); the news / compact "
                   "presets add the middle-dot rules (numbers and names joined across ·).")
@click.option("--preset", type=click.Choice(["faithful", "news", "compact"]), default="faithful",
              show_default=True,
              help="faithful: the four steps of method.md §2 (the options above). news / compact: "
                   "improved discovery (boundary evidence + MDL + re-estimation + affix merge + "
                   "cohesion floor, minent.discovery); "
                   "the four-step options and --jobs/--memory/--engine do not apply to it.")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True,
              help="Counting processes (0 = all cores for inputs of 64 MB or more). Same result.")
@click.option("--memory", default="2G", show_default=True,
              help="Memory budget; candidate counts beyond it spill to disk (exact).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="'dask' runs the counting on dask.distributed (pip install 'minent[dask]').")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (default: start a LocalCluster with --jobs workers).")
@encoding_option
@quiet_option
def build_lexicon_cmd(corpus, output, min_count, min_prob, min_pmi, max_len, redundancy_threshold,
                      rules, preset, jobs, memory, engine, scheduler, encoding, quiet):
    """Build a lexicon from raw text CORPUS (files, directories, globs, or - for stdin).

    With no CORPUS, uses the bundled sample corpora/sample.zh.txt.
    """
    t_start = time.perf_counter()
    texts = _corpus(corpus, encoding)
    jieba_out, report_out = sibling(output, ".jieba.txt"), sibling(output, ".report.json")
    refuse_overwrite([output, jieba_out, report_out], texts.paths)
    n_bytes = texts.n_bytes
    n_jobs = auto_jobs(jobs, n_bytes) if engine == "local" else (jobs or 2)
    eng = None
    if n_jobs > 1 or engine != "local":
        from ..parallel import make_engine
        eng = make_engine(engine, n_jobs, scheduler)
    try:
        if preset != "faithful":
            note(f"learning with preset {preset} (several passes over the input)", quiet)
            # the presets' own rules (news / compact: with the middle-dot rules) unless --no-rules
            lex = learn_lexicon(texts, preset=preset, **({} if rules else {"rules": False}))
        else:
            lex = _four_steps(texts, n_bytes, quiet, min_count=min_count, min_prob=min_prob,
                              min_pmi=min_pmi, max_len=max_len,
                              redundancy_threshold=redundancy_threshold, rules=rules,
                              engine=eng if eng is not None else "local",
                              memory=table_budget(memory))
        lex.report.setdefault("timings_s", {})
        lex.report["preset"] = preset
        t0 = time.perf_counter()
        with progress_bar(n_bytes, "entropy ", quiet) as bar:
            info_char, info_lex = corpus_information(texts, lex, progress=bar, engine=eng)
        lex.report["timings_s"]["entropy"] = round(time.perf_counter() - t0, 3)
        lex.report["engine"] = {"name": engine, "jobs": n_jobs,
                                "worker_peak_rss_mb": round(getattr(eng, "worker_peak_rss_mb", 0.0), 1)}
    finally:
        if eng is not None:
            eng.close()
    report = {
        "minent_version": __version__,
        "inputs": texts.paths,
        "input_bytes": n_bytes,
        "corpus_chars": info_char.chars,
        **lex.report,
        "information_bits": {"char": info_char.as_dict(), "lexicon": info_lex.as_dict(),
                             "note": "in-sample: measured on the text the lexicon was learned from"},
    }
    report["timings_s"]["total"] = round(time.perf_counter() - t_start, 3)
    report["peak_rss_mb"] = _peak_rss_mb()
    lex.save(output)
    lex.save_jieba(jieba_out)
    with atomic_write(report_out) as fh:
        json.dump(report, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    top = [w for w in lex.words if len(w) > 1][:12]
    multi = sum(1 for w in lex.words if len(w) > 1)
    summary = (f"lexicon: {len(lex)} entries ({multi} multi-character) "
               f"from {info_char.chars} chars in {report['timings_s']['total']:.1f}s -> {output}\n"
               f"information: {info_char.L_bits:.3f} bits/char (characters) -> "
               f"{info_lex.L_bits:.3f} bits/char (lexicon, in-sample)\n"
               f"most frequent words: {' '.join(top)}")
    if output == "-":
        note(summary, quiet)
    elif not quiet:
        click.echo(summary)


def _four_steps(texts, n_bytes, quiet, **params):
    bars = {}
    with progress_bar(n_bytes, "counting", quiet) as count_bar:
        bars["count"] = count_bar
        with progress_bar(n_bytes, "cutting ", quiet) as cut_bar:
            bars["cut"] = cut_bar
            return build_lexicon(texts, progress=lambda stage, n: bars[stage](n), **params)


@main.command("segment")
@click.argument("input", default="-")
@click.option("--lexicon", "-l", "lexicon", default=None,
              help=f"Lexicon TSV (or a word list / jieba dict). [default: {DEFAULT_LEXICON}]")
@click.option("-o", "--output", default="-", show_default=True, help="Output file (- = stdout).")
@encoding_option
def segment_cmd(input, lexicon, output, encoding):
    """Segment INPUT (a file or - for stdin) into words separated by spaces, one line per line."""
    lex = Lexicon.load(lexicon_path(lexicon))
    refuse_overwrite([output], [input, lexicon_path(lexicon)])
    seg = lex.segmenter
    with atomic_write(output) as out:
        glue = False
        for text, _ in read_blocks(input, encoding):
            if not text:
                continue
            piece = seg.segment_text(text)
            if glue and piece and not piece.startswith("\n"):
                out.write(" ")
            out.write(piece)
            glue = not text.endswith("\n")
        if glue:
            out.write("\n")


@main.command("new-words")
@click.option("--lexicon", "-l", "lexicon", default=None,
              help=f"Lexicon TSV. [default: {DEFAULT_LEXICON}]")
@click.option("--against", default="jieba", show_default=True,
              help="Reference dictionary: 'jieba' (its bundled dict) or a word-list file.")
@click.option("--top", type=click.IntRange(0), default=0, help="Print at most N words (0 = all).")
@click.option("--min-len", type=click.IntRange(1), default=2, show_default=True)
def new_words_cmd(lexicon, against, top, min_len):
    """List lexicon words absent from a reference dictionary, best first.

    Score: F* = p (PMI - 1) in nats, the information per piece the word saves (method.md §1);
    ties by count, then the word. Output TSV: word, count, fstar, pmi, pair_pmi.
    """
    lex = Lexicon.load(lexicon_path(lexicon))
    reference = load_reference_words(against)
    rows = rank_new_words(lex, reference, min_len)
    if top:
        rows = rows[:top]
    click.echo("word\tcount\tfstar\tpmi\tpair_pmi")
    for r in rows:
        click.echo(f"{r['word']}\t{r['count']}\t{r['fstar']:.6g}\t{r['pmi']:.4f}\t{r['pair_pmi']:.4f}")


@main.command("entropy")
@click.argument("corpus", nargs=-1)
@click.option("--lexicon", "-l", "lexicon", default=None, help="Also measure with this lexicon.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@encoding_option
@quiet_option
def entropy_cmd(corpus, lexicon, as_json, encoding, quiet):
    """Report H (bits/unit), l (chars/unit) and L = H/l (bits/char) for CORPUS.

    At the character level, and with --lexicon for its unigram segmentation.
    """
    texts = _corpus(corpus, encoding)
    results = {}
    with progress_bar(texts.n_bytes, "characters", quiet) as bar:
        results["char"] = information_per_char(texts, progress=bar)
    if lexicon:
        lex = Lexicon.load(lexicon_path(lexicon))
        with progress_bar(texts.n_bytes, "lexicon   ", quiet) as bar:
            results["lexicon"] = information_per_char(texts, lex, progress=bar)
    if as_json:
        click.echo(json.dumps({k: v.as_dict() for k, v in results.items()}, indent=1))
        return
    click.echo("units\tH_bits_per_unit\tl_chars_per_unit\tL_bits_per_char\tunits_total\tdistinct")
    for k, v in results.items():
        click.echo(f"{k}\t{v.H_bits:.4f}\t{v.l_chars:.4f}\t{v.L_bits:.4f}\t{v.units}\t{v.distinct_units}")
