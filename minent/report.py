"""A one-page HTML report of a whole minent run: lexicon, information per character, new words,
templates and parse trees, with pictures (inline SVG from :mod:`minent.charts`).

Two steps, so the numbers can be checked apart from their presentation:

* :func:`collect_report` runs the pipeline on a corpus and returns a plain, JSON-ready dict;
* :func:`render_report` turns that dict into one self-contained HTML page (inline CSS and SVG, no
  script, no external resource).

What is measured (all logs natural, so PMI and scores are in nats; information is in bits):

* **pairs**: every adjacent Han character pair of the corpus, kept when it survives step 2 of
  method.md §2 (count >= cut-off and PMI >= ``min_pmi``), i.e. not cut;
* **candidates**: the multi-character pieces that survive step 3, kept when step 4 (redundancy)
  leaves them in the lexicon;
* **L curve**: information per character at four levels. Characters and words are the unit
  entropy H / l of method.md §1 over the whole corpus (as ``minent entropy``). Words, phrases and
  templates are also measured as a *code length*: the sentences (split after 。！？; marks dropped,
  as the template miner does) are parsed with templates mined at ``window=1`` (phrases: chains of
  tight adjacent words) and at ``window`` (templates), and the summed -log2 of the parse scores
  (:meth:`minent.TemplateParser.information_bits`) is divided by the characters parsed; the word
  point of this series is the unigram cost of the same sentences. In-sample throughout, and the
  parse score is a minimum-information score, not a normalised probability (method.md §5).
"""
from __future__ import annotations

import math
import time
from html import escape
from typing import Callable, Iterator

import numpy as np

from . import __version__
from .charts import line_chart, scatter_chart, tree_chart
from .counting import count_chars_pairs, count_pieces, split_pair_keys
from .entropy import corpus_information
from .errors import MinentError
from .discovery import learn_lexicon
from .newwords import load_reference_words, rank_new_words
from .parse import DEFAULT_ATTACH_MIN_SCORE, DEFAULT_EDGE_WEIGHT, TemplateParser, join_tokens, sentence_core
from .templates import PLACEHOLDER_TEXT, TemplateFinder, is_punctuation, split_sentences

Progress = Callable[[str, int, int], None]
STAGES = ("char", "word", "phrase", "template")


# ----------------------------------------------------------------------------- input

def _lines(texts) -> Iterator[str]:
    if isinstance(texts, str):
        yield from texts.splitlines()
    elif hasattr(texts, "lines"):
        yield from texts.lines()
    else:
        for t in texts:
            yield from t.splitlines()


class SegmentedSentences:
    """Re-iterable sentences (word lists) of a corpus: each pass segments it again with the
    lexicon and splits after sentence-final marks, so memory does not grow with the corpus."""

    def __init__(self, texts, lexicon):
        self.texts, self.lexicon = texts, lexicon

    def __iter__(self) -> Iterator[list[str]]:
        segment = self.lexicon.segment
        for line in _lines(self.texts):
            yield from split_sentences(segment(line))


# ----------------------------------------------------------------------------- collection

def _sample(n: int, k: int, seed: int = 0) -> np.ndarray:
    """Indices of a uniform random sample of ``min(n, k)`` out of ``n``, sorted (fixed seed)."""
    if n <= k:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def _pair_points(cp, min_count, min_prob, min_pmi, n_points) -> tuple[dict, np.ndarray]:
    keys, counts, pmi = cp.pair_table()
    cut = max(min_count, min_prob * cp.n_chars)
    kept = (counts >= cut) & (pmi >= min_pmi)
    a, b = split_pair_keys(keys)
    points = [[int(counts[i]), round(float(pmi[i]), 4), bool(kept[i]), chr(a[i]) + chr(b[i])]
              for i in _sample(len(keys), n_points).tolist()]
    return {"n": int(len(keys)), "n_kept": int(kept.sum()), "count_cutoff": float(cut),
            "min_pmi": float(min_pmi), "points": points}, keys[kept]


def _candidate_points(texts, cp, strong_keys, lexicon, params, n_points) -> dict:
    pieces, n_pieces = count_pieces(texts, strong_keys, params["max_len"], params["rules"])
    with pieces:
        cands, _, _ = pieces.frequent(max(params["min_count"], params["min_prob"] * n_pieces))
    log_n = math.log(cp.n_chars)
    rows = []
    for w in sorted(cands):
        if len(w) < 2:
            continue
        pmi = math.log(cands[w] / n_pieces) - sum(math.log(cp.chars[ord(c)]) - log_n for c in w)
        rows.append([cands[w], round(pmi, 4), w in lexicon, w])
    kept = sum(1 for r in rows if r[2])
    return {"n": len(rows), "n_kept": kept, "n_all": len(cands),
            "points": [rows[i] for i in _sample(len(rows), n_points).tolist()]}


def _parse_levels(sentences, n_sent, finders, max_sentences, n_trees, progress) -> tuple[list, list, dict]:
    """Code length of the sentences under the unigram, phrase and template parsers; tree picks."""
    parsers = [TemplateParser(f.templates_) for f in finders]
    step = max(1, math.ceil(n_sent / max_sentences))
    bits = [0.0, 0.0, 0.0]
    chars = n_parsed = 0
    candidates = []  # sentences worth drawing: 6-14 words, two or more template blocks
    for s, tokens in enumerate(sentences):
        if s % step or not tokens:
            continue
        trees = [p.parse(tokens) for p in parsers]
        unigram, _ = parsers[-1].information_bits(tokens, trees[-1])
        bits[0] += unigram
        bits[1] += trees[0].information_bits
        bits[2] += trees[1].information_bits
        chars += sum(len(w) for w in tokens[:sentence_core(tokens)])
        n_parsed += 1
        if 6 <= len(tokens) <= 14 and _template_nodes(trees[1]) >= 2:
            candidates.append(s)
        if progress and n_parsed % 200 == 0:
            progress("parse", 200, math.ceil(n_sent / step))
    levels = [{"stage": stage, "measure": "parse code length", "scope": "parsed sentences",
               "bits": round(b, 3), "chars": chars, "L_bits": b / chars if chars else float("nan")}
              for stage, b in zip(("word", "phrase", "template"), bits)]
    meta = {"parsed_sentences": n_parsed, "parsed_chars": chars, "sentence_step": step}
    return levels, _draw_picks(sentences, candidates, n_trees, parsers[-1]), meta


def _draw_picks(sentences, candidates: list[int], n_trees: int, parser) -> list[dict]:
    """Parse again the ``n_trees`` candidates spread evenly over the corpus, for drawing."""
    if not candidates or n_trees <= 0:
        return []
    chosen = {candidates[int(k)] for k in np.linspace(0, len(candidates) - 1, n_trees).round()}
    out = []
    for s, tokens in enumerate(sentences):
        if s in chosen:
            tree = parser.parse(tokens)
            out.append({"tokens": list(tokens), "tree": tree.to_dict(), "bits": round(tree.information_bits, 3),
                        "sentence": join_tokens(tokens)})
        if s >= max(chosen):
            break
    return out


def _template_nodes(tree) -> int:
    return (tree.kind == "template") + sum(_template_nodes(c) for c in tree.children)


def _word_templates(templates, n: int) -> tuple[list, list]:
    """Top non-trivial templates with a word among their literals, and the punctuation-only ones."""
    words, punct = [], []
    for r in templates.top(None, trivial=False):
        literals = [x for x in r["template"].split() if x != PLACEHOLDER_TEXT]
        (punct if all(is_punctuation(x) for x in literals) else words).append(r)
    clean = lambda r: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}  # noqa: E731
    return [clean(r) for r in words[:n]], [clean(r) for r in punct[:8]]


def collect_report(texts, *, min_count: int = 3, min_prob: float = 1e-6, min_pmi: float = 2.0,
                   max_len: int = 5, redundancy_threshold: str | float = "len-1", rules: bool = True,
                   reference="jieba", window: int = 3, template_min_count: int = 5,
                   template_min_pmi: float = 1.0, max_parse_sentences: int = 20000, n_points: int = 2000,
                   n_new_words: int = 20, n_templates: int = 12, n_trees: int = 4,
                   progress: Progress | None = None) -> dict:
    """Run lexicon -> information -> new words -> templates -> parsing on ``texts`` and collect
    what the report shows, as a plain dict (module docstring says what each part measures).

    ``texts``: a :class:`minent.Corpus`, a string, or a list of strings (read several times).
    The lexicon options are those of the four steps (preset ``faithful`` of
    :func:`minent.learn_lexicon`), whose cuts the charts show; ``reference`` is the dictionary
    new words are compared with (``"jieba"``, a word-list path, or a set of words);
    ``window`` / ``template_min_count`` / ``template_min_pmi`` configure the
    :class:`minent.TemplateFinder` (phrases use ``window=1``). At most ``max_parse_sentences``
    sentences are parsed (every k-th); scatter plots show at most ``n_points`` points each (uniform
    sample, seed 0). ``progress(stage, n_done, n_total)`` is called while parsing.
    Deterministic apart from ``timings_s``.
    """
    if iter(texts) is texts:
        raise MinentError("collect_report needs a re-iterable input (list, Corpus), not an iterator")
    params = {"min_count": min_count, "min_prob": min_prob, "min_pmi": min_pmi, "max_len": max_len,
              "redundancy_threshold": redundancy_threshold, "rules": rules}
    timings, t0 = {}, time.perf_counter()

    def lap(name):
        nonlocal t0
        timings[name] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()

    lex = learn_lexicon(texts, preset="faithful", jobs=1, **params)  # the charts show its four steps
    lap("lexicon")
    cp = count_chars_pairs(texts, rules)
    pairs, strong = _pair_points(cp, min_count, min_prob, min_pmi, n_points)
    candidates = _candidate_points(texts, cp, strong, lex, params, n_points)
    lap("scatter data")
    info_char, info_word = corpus_information(texts, lex)
    lap("information")
    ref = reference if isinstance(reference, (set, frozenset)) else load_reference_words(reference)
    new_words = rank_new_words(lex, ref, 2)
    lap("new words")
    sentences = SegmentedSentences(texts, lex)
    finders = [TemplateFinder(window=w, min_count=template_min_count, min_pmi=template_min_pmi).fit(sentences)
               for w in (1, window)]
    lap("templates")
    for w, f in zip((1, window), finders):
        if len(f.templates_) == 0:
            raise MinentError(f"no template (window {w}) reached min_count {template_min_count}: "
                              "the corpus is too small for a report")
    parse_levels, trees, parse_meta = _parse_levels(sentences, finders[1].n_sentences_, finders,
                                                    max_parse_sentences, n_trees, progress)
    lap("parsing")
    top_templates, punct_templates = _word_templates(finders[1].templates_, n_templates)
    unit_levels = [{"stage": stage, "measure": "unit entropy H/l", "scope": "whole corpus",
                    "H_bits": info.H_bits, "l_chars": info.l_chars, "L_bits": info.L_bits,
                    "units": info.units, "distinct_units": info.distinct_units, "chars": info.chars}
                   for stage, info in (("char", info_char), ("word", info_word))]
    r = lex.report
    sizes = {"han_chars": r["han_chars"], "corpus_chars": info_char.chars,
             "distinct_chars": r["distinct_chars"], "distinct_pairs": r["distinct_pairs"],
             "strong_pairs": r["strong_pairs"], "candidates": r["candidates"],
             "removed_as_redundant": r["removed_as_redundant"], "lexicon_size": r["lexicon_size"],
             "multi_char_words": r["multi_char_words"], "new_words": len(new_words),
             "sentences": finders[1].n_sentences_, "words": finders[1].n_words_,
             "phrases_kept": len(finders[0].templates_),
             "templates_kept": len(finders[1].templates_),
             "templates_nontrivial": finders[1].report_["kept_nontrivial"], **parse_meta}
    return {
        "minent_version": __version__,
        "inputs": list(getattr(texts, "paths", ["<text>"])),
        "input_bytes": int(getattr(texts, "n_bytes", sum(len(t.encode()) for t in _lines(texts)))),
        "parameters": {"lexicon": params, "reference": reference if isinstance(reference, str) else "<set>",
                       "templates": {"window": window, "min_count": template_min_count,
                                     "min_pmi": template_min_pmi},
                       "phrases": {"window": 1, "min_count": template_min_count, "min_pmi": template_min_pmi},
                       "parser": {"unexplained_logp": "ln(min count / N_templates)", "tie_break": "left",
                                  "attach": True, "attach_min_score": DEFAULT_ATTACH_MIN_SCORE,
                                  "edge_weight": DEFAULT_EDGE_WEIGHT, "open_in_flat": False, "bind": True,
                                  "pieces": True},
                       "max_parse_sentences": max_parse_sentences, "n_points": n_points},
        "sizes": sizes,
        "information": unit_levels + parse_levels,
        "pairs": pairs,
        "candidates": candidates,
        "new_words": [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in w.items()}
                      for w in new_words[:n_new_words]],
        "templates": top_templates,
        "punctuation_templates": punct_templates,
        "trees": trees,
        "timings_s": timings,
    }


# ----------------------------------------------------------------------------- rendering

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
              '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans", "Helvetica Neue", Arial, sans-serif')

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --bg: #f6f8fa; --kept: #1b7837; --cut: #b2182b; }
* { box-sizing: border-box; }
body { font-family: %(font)s; color: var(--ink); margin: 0; background: #fff; line-height: 1.5; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; } h2 { font-size: 21px; margin: 36px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p.note, figcaption, .muted { color: var(--muted); font-size: 14px; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; font-size: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; background: var(--bg); min-width: 170px; }
.card .v { font-size: 24px; font-weight: 600; } .card .k { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg); } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.tables { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
.figs { display: flex; flex-wrap: wrap; gap: 18px; }
figure { margin: 8px 0; } figure.tree { overflow-x: auto; max-width: 100%%; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
svg.chart { font-family: %(font)s; background: #fff; }
.chart-title { font-size: 15px; font-weight: 600; fill: var(--ink); }
.tick { font-size: 12px; fill: var(--muted); } .axis-label { font-size: 13px; fill: var(--ink); }
.axis { stroke: #444; stroke-width: 1; } .grid { stroke: #eceff2; stroke-width: 1; }
.plot-area { fill: #fff; } .threshold { stroke: #333; stroke-width: 1.2; stroke-dasharray: 4 3; }
.points circle { fill-opacity: 0.55; } .legend-box { fill: #fff; fill-opacity: 0.88; stroke: var(--line); } .legend-text { font-size: 12px; fill: var(--ink); }
.series { fill: none; stroke-width: 2.5; } .value { font-size: 12px; font-weight: 600; }
.edge { stroke: #8c959f; stroke-width: 1.2; }
.node rect { fill: #ddf4ff; stroke: #54aeff; } .node.group rect { fill: #f6f8fa; stroke: #afb8c1; }
.node.unexplained rect, .node.chunks rect { fill: #fff8c5; stroke: #d4a72c; }
.node text { font-size: 12px; fill: var(--ink); }
.leaf { font-size: 15px; fill: var(--ink); } .leaf.literal { fill: #0550ae; font-weight: 700; }
mark { background: #ddf4ff; color: #0550ae; font-weight: 600; padding: 0 1px; }
ol.examples { margin: 0; padding-left: 18px; } code { font-size: 14px; }
""" % {"font": FONT_STACK}


def fmt(v) -> str:
    """Numbers as shown on the page: ints with thousands separators, floats with 3 decimals
    (or 3 significant digits below 0.01)."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, float):
        if v != v or math.isinf(v):
            return "n/a"
        return f"{v:.3g}" if v != 0 and abs(v) < 0.01 else f"{v:.3f}"
    return str(v)


def _table(head: list[str], rows: list[list], numeric: set[int] = frozenset(), cls: str = "") -> str:
    out = [f'<table class="{cls}"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            html = v if isinstance(v, _Html) else escape(fmt(v))
            cells.append(f'<td class="n">{html}</td>' if k in numeric else f"<td>{html}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(out) + "</tbody></table>"


class _Html(str):
    """Markup already escaped (table cells that hold links, marks or attributes)."""


def _keyed(key: str, value) -> _Html:
    return _Html(f'<span data-key="{escape(key)}">{escape(fmt(value))}</span>')


def _level(data: dict, stage: str, measure: str) -> dict | None:
    return next((r for r in data["information"] if r["stage"] == stage and r["measure"].startswith(measure)), None)


def _header(data: dict) -> str:
    char, word = _level(data, "char", "unit"), _level(data, "word", "unit")
    tpl = _level(data, "template", "parse")
    s = data["sizes"]
    cards = [("characters → words", f'{char["L_bits"]:.3f} → {word["L_bits"]:.3f}', "bits/char, whole corpus"),
             ("templates (parse)", f'{tpl["L_bits"]:.3f}', "bits/char, parsed sentences"),
             ("lexicon", f'{s["lexicon_size"]:,}', f'words, {s["multi_char_words"]:,} multi-character'),
             ("templates kept", f'{s["templates_kept"]:,}', f'{s["templates_nontrivial"]:,} non-trivial'),
             ("run time", f'{sum(data["timings_s"].values()):.1f} s', f'{data["input_bytes"]:,} bytes in')]
    inputs = ", ".join(data["inputs"])
    return ("<header><h1>minent report</h1>"
            f'<p class="muted">{escape(inputs)} · {data["sizes"]["corpus_chars"]:,} characters · '
            f'minent {escape(data["minent_version"])} · all measurements in-sample (on the text learned from)</p>'
            '<nav><a href="#numbers">numbers</a><a href="#lexicon">PMI vs frequency</a>'
            '<a href="#information">information per character</a><a href="#new-words">new words</a>'
            '<a href="#templates">templates</a><a href="#trees">parse trees</a></nav>'
            '<div class="cards">' + "".join(
                f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div>'
                f'<div class="k">{escape(u)}</div></div>' for k, v, u in cards) + "</div></header>")


SIZE_LABELS = {
    "corpus_chars": "characters (non-space)", "han_chars": "Han characters", "distinct_chars": "distinct Han characters",
    "distinct_pairs": "distinct adjacent pairs", "strong_pairs": "pairs kept (not cut, step 2)",
    "candidates": "candidate words (step 3)", "removed_as_redundant": "removed as redundant (step 4)",
    "lexicon_size": "lexicon entries", "multi_char_words": "multi-character words",
    "new_words": "new words (not in the reference)", "sentences": "sentences", "words": "words (segmented)",
    "phrases_kept": "phrase templates kept (window 1)", "templates_kept": "templates kept",
    "templates_nontrivial": "non-trivial templates", "parsed_sentences": "sentences parsed",
    "parsed_chars": "characters parsed", "sentence_step": "parsed every k-th sentence, k =",
}


def _flat(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += _flat(v, f"{prefix}{k}.")
        else:
            out.append((prefix + k, v))
    return out


def _numbers(data: dict) -> str:
    sizes = _table(["quantity", "value"], [[SIZE_LABELS.get(k, k), _keyed(k, v)] for k, v in data["sizes"].items()],
                   {1}, "sizes")
    times = _table(["stage", "seconds"], [[k, _keyed("time." + k, v)] for k, v in data["timings_s"].items()]
                   + [["total", _keyed("time.total", sum(data["timings_s"].values()))]], {1}, "timings")
    params = _table(["parameter", "value"], [[k, _Html(f"<code>{escape(str(v))}</code>")]
                                            for k, v in _flat(data["parameters"])], set(), "parameters")
    return ('<section id="numbers"><h2>The run in numbers</h2><div class="tables">'
            f"<div><h3>Sizes</h3>{sizes}</div><div><h3>Timings</h3>{times}</div>"
            f"<div><h3>Parameters</h3>{params}</div></div></section>")


def _lexicon(data: dict) -> str:
    p, c = data["pairs"], data["candidates"]
    lp = data["parameters"]["lexicon"]
    pair_pts = [(x, y, k, f"{w}  n={x}  PMI={y:.2f} nats  {'kept' if k else 'cut'}") for x, y, k, w in p["points"]]
    cand_pts = [(x, y, k, f"{w}  n={x}  PMI={y:.2f} nats  {'in lexicon' if k else 'removed'}")
                for x, y, k, w in c["points"]]
    pairs_svg = scatter_chart(
        pair_pts, title="Adjacent character pairs: PMI vs count", x_label="pair count (log scale)",
        y_label="PMI ln(p_ab / p_a p_b) (nats)", kept_label=f"kept: {p['n_kept']:,} pairs",
        cut_label=f"cut: {p['n'] - p['n_kept']:,} pairs", x_line=p["count_cutoff"],
        x_line_label=f"count cut-off {p['count_cutoff']:g}", y_line=p["min_pmi"],
        y_line_label=f"min_pmi {p['min_pmi']:g} nats", jitter=0.3)
    cand_svg = scatter_chart(
        cand_pts, title="Candidate words: PMI vs count", x_label="candidate count after cutting (log scale)",
        y_label="PMI ln(p_w / ∏ p_c) (nats)", kept_label=f"in the lexicon: {c['n_kept']:,}",
        cut_label=f"removed as redundant: {c['n'] - c['n_kept']:,}", jitter=0.3)
    return (
        '<section id="lexicon"><h2>Lexicon: PMI vs frequency</h2>'
        f'<p class="note">Left: each point is one distinct pair of adjacent Han characters (ab) in the corpus. '
        f'Step 2 cuts between a and b when the pair is rarer than the count cut-off '
        f'(max(min_count {lp["min_count"]}, min_prob {lp["min_prob"]:g} × N)) or its PMI is below '
        f'min_pmi = {lp["min_pmi"]:g} nats; green pairs survive. Showing {len(p["points"]):,} of {p["n"]:,} pairs '
        f'(uniform random sample, seed 0); counts are jittered sideways by up to ±0.3 so that equal counts do not '
        f'hide each other. Right: each point is one multi-character candidate word '
        f'(a piece between cuts, frequent enough, step 3; x = its count then); green ones stay in the final lexicon, '
        f'red ones were removed by the redundancy step 4. Showing {len(c["points"]):,} of {c["n"]:,}. '
        f'Hover a point for its text.</p><div class="figs"><figure>{pairs_svg}</figure>'
        f"<figure>{cand_svg}</figure></div></section>")


def _information(data: dict) -> str:
    unit = [(_level(data, s, "unit") or {}).get("L_bits") for s in STAGES]
    parse = [(_level(data, s, "parse") or {}).get("L_bits") for s in STAGES]
    n = data["sizes"]["parsed_sentences"]
    series = [("unit entropy H/l, whole corpus", unit), (f"parse code length, {n:,} sentences", parse)]
    svg = line_chart(STAGES, series, title="Information per character over the stages (in-sample)",
                     y_label="L (bits/char)", x_label="characters → words (lexicon) → phrases → templates",
                     width=580)
    zoom = line_chart(STAGES[1:], [(name, vs[1:]) for name, vs in series], y_label="L (bits/char)",
                      title="Zoom on the word levels (other y scale)",
                      x_label="words → phrases (window 1) → templates", width=530)
    rows = []
    for r in data["information"]:
        rows.append([r["stage"], r["measure"], r["scope"], _keyed(f"L.{r['stage']}.{r['measure'].split()[0]}", r["L_bits"]),
                     r.get("H_bits", ""), r.get("l_chars", ""), r["chars"]])
    table = _table(["stage", "measure", "scope", "L (bits/char)", "H (bits/unit)", "l (chars/unit)", "characters"],
                   rows, {3, 4, 5, 6}, "information")
    return (
        '<section id="information"><h2>Information per character</h2>'
        '<p class="note">The toolkit\'s common currency, L in bits per character (method.md §1). Blue: unit '
        'entropy H/l with characters, then the lexicon\'s words, as units (whole corpus). Orange: the sentences '
        '(split after 。！？, marks left out) coded three ways — each word by its unigram probability, then the '
        'minimum-information parse with phrase templates (window 1), then with templates (window '
        f'{data["parameters"]["templates"]["window"]}); bits = −log₂ of the parse score, divided by the characters '
        'parsed. Everything is measured on the text it was learned from (in-sample), which flatters bigger models, '
        'and a parse score is not a normalised probability: read the orange drop as "templates explain part of the '
        f'word sequence", not as a compression ratio.</p><div class="figs"><figure>{svg}</figure>'
        f'<figure>{zoom}</figure></div>{table}</section>')


def _new_words(data: dict) -> str:
    rows = [[k + 1, _Html(f"<b>{escape(w['word'])}</b>"), w["count"], w["fstar"], w["pmi"], w["pair_pmi"]]
            for k, w in enumerate(data["new_words"])]
    table = _table(["#", "word", "count", "score F* = p (PMI − 1) (nats)", "PMI (nats)", "weakest pair PMI (nats)"],
                   rows, {0, 2, 3, 4, 5}, "new-words")
    ref = data["parameters"]["reference"]
    return ('<section id="new-words"><h2>Top new words</h2>'
            f'<p class="note">Lexicon words of two or more characters that the reference dictionary ({escape(ref)}) '
            f'does not list ({data["sizes"]["new_words"]:,} in all), ranked by F*, the information per piece the '
            f'word saves as a unit (method.md §1): frequent and tight words first.</p>{table}</section>')


def literal_positions(tokens: list[str], pattern: list[str]) -> list[int] | None:
    """Positions of the template's literals in a sentence where it occurs: placeholders cover one
    or more tokens, adjacent literals are adjacent, and the sentence's ends are respected."""
    lits, gaps, gap = [], [], pattern[0] == PLACEHOLDER_TEXT
    for x in pattern:
        if x == PLACEHOLDER_TEXT:
            gap = True
        else:
            lits.append(x)
            gaps.append(gap)
            gap = False
    tail_gap = pattern[-1] == PLACEHOLDER_TEXT

    def search(k: int, pos: int) -> list[int] | None:
        if k == len(lits):
            return [] if (pos < len(tokens)) == tail_gap else None
        starts = range(pos + 1, len(tokens)) if gaps[k] else [pos]
        for j in starts:
            if j < len(tokens) and tokens[j] == lits[k]:
                rest = search(k + 1, j + 1)
                if rest is not None:
                    return [j] + rest
        return None

    return search(0, 0) if lits else None


def _example_html(example: str, template: str) -> str:
    tokens = example.split(" ")
    marked = set(literal_positions(tokens, template.split()) or [])
    out = []
    for k, t in enumerate(tokens):
        if k and join_tokens([tokens[k - 1], t]) != tokens[k - 1] + t:
            out.append(" ")
        out.append(f"<mark>{escape(t)}</mark>" if k in marked else escape(t))
    return "".join(out)


def _templates(data: dict) -> str:
    rows = []
    for k, t in enumerate(data["templates"]):
        ex = "".join(f"<li>{_example_html(e, t['template'])}</li>" for e in t["examples"][:3])
        rows.append([k + 1, _Html(f"<code>{escape(t['template'])}</code>"), t["count"], t["pmi"],
                     _Html(f'<ol class="examples">{ex}</ol>')])
    table = _table(["#", "template", "sentences", "PMI (nats)", "example sentences (literals marked)"],
                   rows, {0, 2, 3}, "templates")
    punct = ", ".join(f"<code>{escape(t['template'])}</code> ({t['count']:,})" for t in data["punctuation_templates"])
    tp = data["parameters"]["templates"]
    return ('<section id="templates"><h2>Top templates</h2>'
            f'<p class="note">Sentence templates mined from the segmented sentences (window {tp["window"]}, '
            f'min_count {tp["min_count"]}, pair PMI &gt; {tp["min_pmi"]:g} nats; method.md §4): literal words with '
            'placeholders X between them, ranked by the number of sentences they occur in. Shown: non-trivial '
            'templates with at least one word among their literals. PMI = ln p(t) − Σ ln p(literal). '
            f'Frames made only of punctuation, most frequent first, are left out of the table: {punct or "none"}.</p>'
            f"{table}</section>")


def _trees(data: dict) -> str:
    figs = []
    for k, t in enumerate(data["trees"]):
        svg = tree_chart(t["tree"], t["tokens"], title=f"Parse {k + 1}: {t['bits']:.1f} bits")
        figs.append(f'<figure class="tree">{svg}<figcaption>{escape(t["sentence"])}</figcaption></figure>')
    return ('<section id="trees"><h2>Parse trees</h2>'
            '<p class="note">Sentences of 6–14 words parsed into nested templates by minimum information '
            '(method.md §5), picked evenly through the corpus among those with two or more template blocks. '
            'Blue boxes: templates (X = a placeholder, filled by the subtree below it); grey dots: brackets added '
            'by the boundary refinement (attach); yellow: a block no template explains. Bold blue words are '
            'template literals.</p>' + ("".join(figs) or "<p>No sentence qualified.</p>") + "</section>")


def render_report(data: dict) -> str:
    """One self-contained HTML page (inline CSS and SVG, no script) from :func:`collect_report`."""
    title = "minent report — " + ", ".join(p.rsplit("/", 1)[-1] for p in data["inputs"])
    body = "".join(f(data) for f in (_header, _numbers, _lexicon, _information, _new_words, _templates, _trees))
    return ("<!DOCTYPE html>\n<html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>{body}"
            f'<footer><p class="muted">Generated by minent {escape(data["minent_version"])}. Same corpus and '
            "parameters give the same page except the timings.</p></footer></main></body></html>\n")
