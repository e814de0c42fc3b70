"""Commands around sentence templates: collocations (mining), parse, evaluate-parse."""
from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import time

import click

from ..errors import InputError, MinentError
from ..parse import DEFAULT_ATTACH_MIN_SCORE, DEFAULT_EDGE_WEIGHT, TemplateParser
from ..parse_eval import evaluate_spans, read_conllu, read_predictions
from ..sentences import TOKENIZERS, SentenceSpool, counts_tokenizer, make_tokenizer
from ..templates import PUNCTUATION_POLICIES, RANKINGS, TemplateFinder, Templates
from ..textio import Corpus, atomic_write, output_group, refuse_overwrite
from . import main
from ..parallel import CONNECT_TIMEOUT, make_engine
from .common import (auto_jobs, corpus_args, encoding_option, note, progress_bar, quiet_option, sibling,
                     quiet_dask_logs, table_budget)

DEFAULT_TEMPLATES = os.path.join("outputs", "templates.tsv")
_FINDER = TemplateFinder()  # the library's defaults, shown by --help


# ----------------------------------------------------------------------------- tokenisation

tokenizer_options = [
    click.option("--lexicon", "-l", "lexicon", default=None,
                 help="Segment with this minent lexicon (or word list)."),
    click.option("--tokenizer", type=click.Choice(list(TOKENIZERS)), default=None,
                 help="learn: the corpus's own lexicon, default learner (the default); jieba: jieba "
                      "on Han runs. Numbers, dates, Latin runs stay single tokens in both."),
    click.option("--pretokenized", is_flag=True,
                 help="Input words are already separated by white space (any language)."),
]


def _with_options(options):
    def deco(f):
        for opt in reversed(options):
            f = opt(f)
        return f
    return deco


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024 if platform.system() != "Darwin" else kb / 2**20, 1)


# ----------------------------------------------------------------------------- collocations

def _print_table(rows: list[dict], title: str, out) -> None:
    out(title)
    out("rank\ttemplate\tcount\tprobability")
    for k, r in enumerate(rows, start=1):
        out(f"{k}\t{r['template']}\t{r['count']}\t{r['probability']:.4g}")


@main.command("collocations")
@click.argument("corpus", nargs=-1)
@_with_options(tokenizer_options)
@click.option("-o", "--output", default=DEFAULT_TEMPLATES, show_default=True,
              help="Templates TSV (- for stdout); OUT.report.json is written beside a file.")
@click.option("--window", type=click.IntRange(1, 64), default=_FINDER.window, show_default=True,
              help="Largest distance of a linked word pair; 1 mines phrases.")
@click.option("--min-count", type=click.IntRange(1), default=_FINDER.min_count, show_default=True,
              help="Count floor for linked pairs and kept templates.")
@click.option("--min-prob", type=click.FloatRange(0, 1, max_open=True), default=_FINDER.min_prob,
              show_default=True, help="Relative floor: cut-off is max(min-count, min-prob x N).")
@click.option("--min-pmi", type=float, default=_FINDER.min_pmi, show_default=True,
              help="Link a word pair when its PMI (nats) exceeds this.")
@click.option("--max-paths", type=click.IntRange(1), default=_FINDER.max_paths, show_default=True,
              help="Most paths enumerated from one source word of a sentence graph.")
@click.option("--subpath-literals", type=click.IntRange(0, 8), default=_FINDER.subpath_literals,
              show_default=True, help="Also count every path of 2..N linked words as a template "
                                      "(0: source-to-sink paths only, as in method.md §4).")
@click.option("--inner-min-pmi", type=float, default=_FINDER.inner_min_pmi, show_default=True,
              help="Also template a linked pair with one word inside it (在 [X] 的 [X] 下) when that word's "
                   "PMI with the pair (nats) exceeds this (0.75 chosen on pd1998 frames; off by default: "
                   "its link counts grow to GBs on a GB of text).")
@click.option("--no-inner", is_flag=True, help="No templates through a word inside a linked pair.")
@click.option("--punctuation", type=click.Choice(list(PUNCTUATION_POLICIES)), default=_FINDER.punctuation,
              show_default=True, help="Punctuation tokens: never literals (excluded), cut sentences "
                                      "into pieces (boundary), or words like others (literal).")
@click.option("--ranking", type=click.Choice(list(RANKINGS)), default=_FINDER.ranking, show_default=True,
              help="Order of the templates: frames (count x fixed literal order x open slots), count, "
                   "or information saved (count x pmi).")
@click.option("--redundancy", type=click.FloatRange(0, 1), default=_FINDER.redundancy, show_default=True,
              help="Drop a template when a longer one containing it has this share of its count (0: keep all).")
@click.option("--examples", "n_examples", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Example sentences kept per template.")
@click.option("--top", type=click.IntRange(0), default=20, show_default=True,
              help="Print this many non-trivial (and trivial) templates.")
@click.option("--split/--no-split", default=True, show_default=True,
              help="Cut lines into sentences after 。！？!?；; (marks dropped).")
@click.option("--memory", default="2G", show_default=True,
              help="Memory budget; pair and template counts beyond it spill to disk (exact).")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, show_default=True,
              help="Processes for tokenising, counting and the paths pass (0 = all cores for inputs of "
                   "64 MB or more). Same result.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="'dask' runs the range tasks on dask.distributed (pip install 'minent[dask]').")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (default: start a LocalCluster with --jobs workers).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=CONNECT_TIMEOUT,
              show_default=True, help="Seconds to wait for the Dask scheduler before giving up.")
@encoding_option
@quiet_option
def collocations_cmd(corpus, lexicon, tokenizer, pretokenized, output, window, min_count, min_prob, min_pmi,
                     max_paths, subpath_literals, inner_min_pmi, no_inner, punctuation, ranking, redundancy, n_examples, top, split,
                     memory, jobs, engine, scheduler, timeout, encoding, quiet):
    """Mine sentence templates ("在 [X] 中", "为什么 [X]") from CORPUS (files, dirs, globs, -;
    the bundled sample corpus when none).

    Words come from the corpus's own learned lexicon unless --lexicon, --tokenizer jieba or
    --pretokenized is given. Writes the templates, ranked, to OUTPUT (TSV: template, count, probability, literals, trivial,
    pmi, examples; then the word counts the parser needs) and prints the top ones.
    """
    t_start = time.perf_counter()
    texts = Corpus(corpus_args(corpus), encoding)
    report_out = sibling(output, ".report.json") if output != "-" else None
    refuse_overwrite([output, report_out], texts.paths + ([lexicon] if lexicon else []))
    if not (tokenizer or lexicon or pretokenized):
        note("learning the corpus's lexicon (default learner; --lexicon / --tokenizer jieba / "
             "--pretokenized to skip)", quiet)
    t_lex = time.perf_counter()
    tokenize, described = make_tokenizer(tokenizer, lexicon, pretokenized, corpus=texts)
    stage_s = {"lexicon": time.perf_counter() - t_lex}
    finder = TemplateFinder(window=window, min_count=min_count, min_prob=min_prob, min_pmi=min_pmi,
                            max_paths=max_paths, subpath_literals=subpath_literals,
                            inner_min_pmi=None if no_inner else inner_min_pmi, punctuation=punctuation,
                            ranking=ranking, redundancy=redundancy, n_examples=n_examples,
                            memory=table_budget(memory))
    quiet_dask_logs(engine)
    n_jobs = auto_jobs(jobs, texts.n_bytes) if engine == "local" else (jobs or 2)
    eng = make_engine(engine, n_jobs, scheduler, timeout) if n_jobs > 1 or engine != "local" else None
    try:
        with progress_bar(texts.n_bytes, "reading ", quiet) as read_bar, \
                SentenceSpool(texts, tokenize, split, read_bar) as spool, contextlib.ExitStack() as stack:
            bars: dict[str, object] = {}

            def progress(stage, n, total):
                if stage == "count" or quiet:
                    return
                if stage not in bars:
                    label = {"sketch": "sketch  ", "paths": "paths   ", "examples": "examples"}[stage]
                    bars[stage] = stack.enter_context(progress_bar(total, label, quiet))
                bars[stage](n)

            t_spool = time.perf_counter()
            if eng is not None:  # one job: the spool is written by the count pass, as it reads
                spool.prepare(eng)
                stage_s["spool"] = time.perf_counter() - t_spool
            finder.fit(spool, progress=progress, engine=eng)
    finally:
        if eng is not None:
            eng.close()
    tpl = finder.templates_
    tpl.meta["tokenizer"] = tokenizer or ("lexicon" if lexicon else "pretokenized" if pretokenized else "learn")
    report = {"inputs": texts.paths, "input_bytes": texts.n_bytes, "tokenizer": described,
              "engine": {"name": engine, "jobs": n_jobs,
                         "worker_peak_rss_mb": round(getattr(eng, "worker_peak_rss_mb", 0.0), 1)},
              "split_sentences": split, "parameters": {k: v for k, v in tpl.meta.items()},
              **finder.report_}
    report["timings_s"] = {**{k: round(v, 3) for k, v in stage_s.items()}, **report["timings_s"]}
    report["timings_s"]["total"] = round(time.perf_counter() - t_start, 3)
    report["words_per_s"] = round(finder.n_words_ / max(report["timings_s"]["total"], 1e-9))
    report["peak_rss_mb"] = _peak_rss_mb()
    report["top_nontrivial"] = tpl.top(50, trivial=False)
    report["top_trivial"] = tpl.top(20, trivial=True)
    with output_group():  # the templates and the report appear together, or neither does
        tpl.save(output)
        if report_out:
            with atomic_write(report_out) as fh:
                json.dump(report, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
    summary = (f"templates: {len(tpl)} kept ({finder.report_['kept_nontrivial']} non-trivial) from "
               f"{finder.n_sentences_} sentences, {finder.n_words_} words ({described}) in "
               f"{report['timings_s']['total']:.1f}s -> {output}")
    if finder.report_["sentences_path_capped"]:
        summary += f"\nnote: {finder.report_['sentences_path_capped']} sentences hit --max-paths {max_paths}"
    note(summary, quiet)
    if top and output != "-":
        _print_table(tpl.top(top, trivial=False), "# top non-trivial templates", click.echo)
        _print_table(tpl.top(top, trivial=True), "# top trivial templates ([X] w [X])", click.echo)


# ----------------------------------------------------------------------------- parse

def _sentences_for_parse(input_path: str, conllu: bool, tokenize, encoding: str, progress):
    if conllu:
        for sent in read_conllu(input_path, encoding):
            progress(1)
            yield sent.words
        return
    for line in Corpus([input_path], encoding).lines():
        progress(len(line.encode("utf-8")) + 1)
        yield tokenize(line)


@main.command("parse")
@click.argument("input", default="-")
@click.option("--templates", "-t", "templates_path", default=DEFAULT_TEMPLATES, show_default=True,
              help="Templates file from `minent collocations` (or a plain list: template TAB count).")
@_with_options(tokenizer_options)
@click.option("--conllu", is_flag=True, help="INPUT is CoNLL-U: parse its sentences' words.")
@click.option("--format", "fmt", type=click.Choice(["tree", "brackets", "json"]), default="tree",
              show_default=True, help="tree: indented; brackets: one line per sentence; json: JSON lines.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file (- = stdout).")
@click.option("--max-len", type=click.IntRange(2, 500), default=200, show_default=True,
              help="Longest sentence (words) parsed in one piece; longer ones are parsed in chunks.")
@click.option("--unexplained-logp", type=float, default=None,
              help="Penalty (nats, <= 0) of a block no template explains. Default: ln(min count / N_templates), "
                   "the code length of the rarest template.")
@click.option("--flat-logp", type=float, default=0.0, show_default=True,
              help="Cost (nats, <= 0) of each block of an unexplained sequence (0: one penalty per sequence).")
@click.option("--tie-break", type=click.Choice(["left", "right"]), default="left", show_default=True,
              help="Among equal parses: earlier blocks longest (left) or shortest (right).")
@click.option("--attach/--no-attach", default=True, show_default=True,
              help="Refine trees by piece-boundary evidence (see README); --no-attach keeps pure template trees.")
@click.option("--attach-min-score", type=float, default=DEFAULT_ATTACH_MIN_SCORE, show_default=True,
              help="The refinement groups adjacent units while their boundary score is above this.")
@click.option("--edge-weight", type=float, default=DEFAULT_EDGE_WEIGHT,
              show_default=True, help="Weight of piece-boundary evidence at block edges in the chart (0: the "
                                      "template objective alone; see README).")
@click.option("--open-in-flat/--closed-in-flat", default=False, show_default=True,
              help="Templates with an edge placeholder may be blocks of an unexplained sequence, their extent set by "
                   "the edge evidence (--closed-in-flat: only templates that start and end with a literal).")
@click.option("--bind/--no-bind", default=True, show_default=True,
              help="Template literals join the placeholder block they bind to (one bracket, as in dependency "
                   "trees); --no-bind keeps a bracket per placeholder block.")
@click.option("--pieces/--no-pieces", default=True, show_default=True,
              help="Bracket blocks by their punctuation: a bracket or quote pair encloses one unit, a comma closes "
                   "the piece before it, an enumeration comma opens the conjunct after it; --no-pieces leaves "
                   "punctuation to the boundary evidence.")
@encoding_option
@quiet_option
def parse_cmd(input, templates_path, lexicon, tokenizer, pretokenized, conllu, fmt, output, max_len,
              unexplained_logp, flat_logp, tie_break, attach, attach_min_score, edge_weight, open_in_flat, bind,
              pieces, encoding, quiet):
    """Parse each sentence of INPUT (one per line, or - for stdin) into nested templates.

    Raw lines are segmented with the words of the templates file (its unigram counts) unless
    --lexicon, --tokenizer jieba or --pretokenized is given."""
    if unexplained_logp is not None and unexplained_logp > 0:
        raise MinentError("--unexplained-logp must be <= 0 (a log-probability)")
    if flat_logp > 0:
        raise MinentError("--flat-logp must be <= 0 (a log-probability)")
    refuse_overwrite([output], [input, templates_path] + ([lexicon] if lexicon else []))
    tpl = Templates.load(templates_path)
    parser = TemplateParser(tpl, unexplained_logp=unexplained_logp, max_len=max_len, tie_break=tie_break,
                            attach=attach, flat_logp=flat_logp, attach_min_score=attach_min_score,
                            edge_weight=edge_weight, open_in_flat=open_in_flat, bind=bind, pieces=pieces)
    tokenize = None
    if conllu:
        if lexicon or tokenizer or pretokenized:
            raise MinentError("--conllu takes the words from the CoNLL-U file: drop --lexicon/--tokenizer/--pretokenized")
    elif lexicon or pretokenized or tokenizer == "jieba":
        tokenize, _ = make_tokenizer(tokenizer, lexicon, pretokenized)
    else:  # the words the templates were mined on
        tokenize = counts_tokenizer(tpl.word_counts)
    if input != "-" and not os.path.exists(input):
        raise InputError(f"{input}: no such file")
    size = 0 if input == "-" or conllu else os.path.getsize(input)
    t0 = time.perf_counter()
    n_sent = n_words = n_unknown = 0
    bits_unigram = bits_parse = 0.0
    with progress_bar(size, "parsing ", quiet) as bar, atomic_write(output) as out:
        for tokens in _sentences_for_parse(input, conllu, tokenize, encoding, bar):
            tree = parser.parse(tokens)
            n_sent += 1
            n_words += len(tokens)
            n_unknown += sum(1 for w in tokens if w not in parser.index)
            if len(tokens):
                u, _ = parser.information_bits(tokens, tree)
                bits_unigram += u
                bits_parse += tree.information_bits
            if fmt == "tree":
                out.write(tree.render() + "\n\n")
            elif fmt == "brackets":
                out.write(tree.brackets() + "\n")
            else:
                out.write(json.dumps({"tokens": list(tokens), "logp": round(tree.logp, 6),
                                      "tree": tree.to_dict() if len(tokens) else None},
                                     ensure_ascii=False) + "\n")
    secs = time.perf_counter() - t0
    msg = (f"parsed {n_sent} sentences, {n_words} words in {secs:.1f}s "
           f"({n_sent / max(secs, 1e-9):.0f} sentences/s); unknown words {n_unknown}")
    if n_words:
        msg += (f"; information {bits_unigram / n_words:.3f} bits/word (unigram) -> "
                f"{bits_parse / n_words:.3f} (templates)")
    if parser.n_chunked:
        msg += f"\nnote: {parser.n_chunked} sentences longer than --max-len {max_len} were parsed in chunks"
    note(msg, quiet)


# ----------------------------------------------------------------------------- evaluate-parse

@main.command("evaluate-parse")
@click.argument("gold")
@click.argument("pred")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random-tree baseline.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@encoding_option
def evaluate_parse_cmd(gold, pred, seed, as_json, encoding):
    """Unlabelled span P/R/F1 of PRED (minent parse brackets or json output) against the
    Universal Dependencies trees of GOLD (CoNLL-U), with right-, left-branching and random baselines."""
    for p in (gold, pred):
        if not os.path.exists(p):
            raise InputError(f"{p}: no such file")
    ev = evaluate_spans(read_conllu(gold, encoding), read_predictions(pred, encoding), seed=seed)
    if as_json:
        click.echo(json.dumps(ev.as_dict(), indent=1))
        return
    click.echo(ev.table())
    best = ev.scores[ev.best_baseline].f1
    ratio = ev.scores["minent"].f1 / best if best else float("inf")
    click.echo(f"# {ev.sentences} sentences, {ev.words} words; {ev.non_contiguous} non-contiguous gold "
               f"subtrees skipped; minent F1 / best baseline ({ev.best_baseline}) = {ratio:.2f}")
