"""Commands around the lexicon: build-lexicon, segment, new-words, entropy."""
from __future__ import annotations

import itertools
import json

import click

from ..background import shipped
from ..discovery import DEFAULT_PRESET, PRESETS, learn_lexicon
from ..entropy import information_per_char
from ..errors import MinentError
from ..lexicon import Lexicon
from ..newwords import load_reference_words, rank_new_words
from ..parallel import CONNECT_TIMEOUT, DEFAULT_MEMORY
from ..textio import Corpus, atomic_write, output_group, read_blocks, refuse_overwrite
from . import main
from .common import (DEFAULT_LEXICON, StageProgress, corpus_args, encoding_option, lexicon_path,
                     note, progress_bar, quiet_dask_logs, quiet_option, sibling)


def _corpus(specs, encoding) -> Corpus:
    return Corpus(corpus_args(specs), encoding)


FOUR_STEP_OPTIONS = ("min_count", "min_prob", "min_pmi", "max_len", "redundancy_threshold")


@main.command("build-lexicon")
@click.argument("corpus", nargs=-1)
@click.option("-o", "--output", default=DEFAULT_LEXICON, show_default=True,
              help="Lexicon TSV; OUT.jieba.txt and OUT.report.json are written beside it.")
@click.option("--preset", type=click.Choice(list(PRESETS)), default=DEFAULT_PRESET, show_default=True,
              help="general: the best learner (boundary entropy + MDL + re-estimation + affix merge + "
                   "cohesion floor + class-bigram test + bigram level; news is its earlier name); compact: plus a "
                   "last pruning round; "
                   "faithful: the four steps of method.md §2 (the --min-* options).")
@click.option("--min-count", type=click.IntRange(1), default=None,
              help="faithful: count cut-off floor for pairs and candidate words [3].")
@click.option("--min-prob", type=click.FloatRange(0, 1, max_open=True), default=None,
              help="faithful: relative cut-off, effective cut-off max(min-count, min-prob x N) [1e-6].")
@click.option("--min-pmi", type=float, default=None,
              help="faithful: cut between adjacent characters with PMI (nats) below this [2.0].")
@click.option("--max-len", type=click.IntRange(1, 64), default=None,
              help="Longest word, in characters [general 4, faithful 5].")
@click.option("--redundancy-threshold", default=None,
              help="faithful: keep a word when ln p(w) - sum ln p(sub-words) exceeds this: a number "
                   "or 'len-1' [len-1].")
@click.option("--rules/--no-rules", default=True, show_default=True,
              help="Number / letter / date / punctuation rules (see README); the general and compact "
                   "presets add the middle-dot rules (numbers and names joined across ·).")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True,
              help="Processes (0 = all cores for inputs of 64 MB or more). Same lexicon.")
@click.option("--memory", default=DEFAULT_MEMORY, show_default=True,
              help="Memory budget: sets the size of the clause sample (general) or when candidate "
                   "counts spill to disk (faithful).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="'dask' runs the tasks on dask.distributed (pip install 'minent[dask]').")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (default: start a LocalCluster with --jobs workers).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=CONNECT_TIMEOUT,
              show_default=True, help="Seconds to wait for the Dask scheduler before giving up.")
@click.option("--background", default=None, metavar="NAME|FILE|none",
              help="Background model merged as a prior when the corpus is small: a shipped name "
                   f"({', '.join(shipped()) or 'none installed'}), a .bg.xz file, or none. "
                   "[default: auto, the shipped model that fits the text; $MINENT_BACKGROUND]")
@encoding_option
@quiet_option
def build_lexicon_cmd(corpus, output, preset, min_count, min_prob, min_pmi, max_len,
                      redundancy_threshold, rules, jobs, memory, engine, scheduler, timeout, background,
                      encoding, quiet):
    """Learn a lexicon from raw text CORPUS (files, directories, globs, or - for stdin).

    With no CORPUS, uses the bundled sample corpus (package data minent/data/sample.zh.txt).
    """
    texts = _corpus(corpus, encoding)
    jieba_out, report_out = sibling(output, ".jieba.txt"), sibling(output, ".report.json")
    refuse_overwrite([output, jieba_out, report_out], texts.paths)
    given = {k: v for k, v in zip(FOUR_STEP_OPTIONS, (min_count, min_prob, min_pmi, max_len,
                                                      redundancy_threshold)) if v is not None}
    if preset != "faithful":
        misplaced = sorted(set(given) - {"max_len"})
        if misplaced:
            raise MinentError(f"--{misplaced[0].replace('_', '-')} applies to --preset faithful only")
    if not rules:
        given["rules"] = 0
    quiet_dask_logs(engine)
    with StageProgress(texts.n_bytes, quiet) as progress:
        lex = learn_lexicon(texts, preset, progress, jobs=jobs, engine=engine, scheduler=scheduler,
                            timeout=timeout, memory=memory, background=background, **given)
    with output_group():  # the three files appear together, or none does
        lex.save(output)
        lex.save_jieba(jieba_out)
        with atomic_write(report_out) as fh:
            json.dump(lex.report, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    info = lex.report["information_bits"]
    top = list(itertools.islice((w for w in lex.words if len(w) > 1), 12))
    multi = lex.report["multi_char_words"]
    summary = (f"lexicon: {len(lex)} entries ({multi} multi-character) "
               f"from {info['char']['chars']} chars in {lex.report['timings_s']['total']:.1f}s -> {output}\n"
               f"information: {info['char']['L_bits']:.3f} bits/char (characters) -> "
               f"{info['lexicon']['L_bits']:.3f} bits/char (lexicon, in-sample)\n"
               f"most frequent words: {' '.join(top)}")
    if output == "-":
        note(summary, quiet)
    elif not quiet:
        click.echo(summary)


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
