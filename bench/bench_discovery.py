"""Word discovery ablation: the faithful four steps vs each stage of minent.discovery.

Protocol (shared/docs/data.md): learn from raw text only, segment the evaluation lines, score
with the SIGHAN definition; OOV recall over gold words absent from jieba's dictionary. pd1998 is
learned from its own raw text; the SIGHAN dev sets from their raw text plus pd1998's
(``+pd``; rows ``alone`` use the dev raw text only). Every job runs in a fresh process, so its
wall time and peak memory are its own; numba's cache is warmed first.

L columns, bits per character of the learning corpus (minent.codelength.CodeLength): ``L2`` the
two-part code (lexicon + corpus given the lexicon), ``Lc`` its corpus part (= in-sample L),
``Llex`` its lexicon part. ``Lho`` (with --heldout): learn on 9 lines in 10 of the evaluation
text (plus the extra corpus), code the 10th line under the learned unigram model.

    python bench/bench_discovery.py [--data ../shared/data] [--variants a,b] [--heldout]
Writes outputs/bench/discovery.{json,md}; with --new-words, outputs/new_words_pd1998.tsv; with --ceiling
(an oracle analysis: perfect lexicons of each standard, errors under both standards vs conventions),
outputs/bench/discovery_ceiling.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import OUT, REPO, SHARED, emit, peak_rss_mb, run_job, write_results  # noqa: E402

#: Other modern raw text added to every set's learning text (never gold): news titles, questions,
#: product reviews (the sentiment *training* file only). Not the novels: classical register, measured
#: to lower F1 (discovery_notes.md).
MODERN = ["thucnews-titles/dev.txt", "questions/lcqmc_dev.questions.txt",
          "questions/kbqa_train.questions.txt", "sentiment/train.tsv"]
SETS = {"pd1998": ("pd1998/pd1998", MODERN),
        "pku-dev": ("sighan-dev/pku_dev", ["pd1998/pd1998.raw.txt", *MODERN]),
        "msr-dev": ("sighan-dev/msr_dev", ["pd1998/pd1998.raw.txt", *MODERN]),
        "pku-dev-alone": ("sighan-dev/pku_dev", []),
        "msr-dev-alone": ("sighan-dev/msr_dev", [])}

# name -> (what it is, kind, parameters); "general" is what `minent build-lexicon` does with no option
VARIANTS = {
    "faithful": ("four steps of method.md §2, defaults (preset faithful)", "faithful", {}),
    "mdl": ("MDL unigram re-estimation alone, from all n-grams (stage 3, every length kept)",
            "learner", {"boundary": False, "mdl_keep_len": 0, "affix_min_pmi": None, "min_gain": None,
                        "bigram_rounds": 0}),
    "boundary": ("boundary lexicon alone (stage 2, nVBE) + unigram re-estimation", "learner",
                 {"mdl": False, "affix_min_pmi": None, "min_gain": None, "bigram_rounds": 0}),
    "stages1-4": ("boundary + MDL 2-char entries + re-estimation (stages 1-4), middle-dot rules",
                  "learner", {"affix_min_pmi": None, "min_gain": None, "bigram_rounds": 0}),
    "stages1-5": ("stages1-4 + affix merge: word (2 chars) + char with unit PMI >= 5 nats", "learner",
                  {"min_gain": None, "bigram_rounds": 0}),
    "general": ("the default learner with default options (all stages: stages1-5 + cohesion floor 3.5 nats "
                "per use + two-character entries decided again by their gain over a class-bigram split and "
                "four-character entries held to 10 nats per use unless a part is bound to them (stage 6b) + "
                "bound-suffix merge at unit PMI >= 2 nats, also of characters that follow the word's class at "
                "class PMI >= 4 nats + spelled units at min split PMI >= 5 nats + bigram "
                "level, phrase entries unseen by the lower level scored by their unigram probability); what "
                "`minent build-lexicon` runs", "learner", {}),
    "general-noclass": ("general without stage 6b (class_count=0: the entries are the cohesion floor's)",
                        "learner", {"class_count": 0}),
    "general-nolong": ("general with stage 6b testing the two-character entries only (class_long_gain=None: "
                       "no 10-nat floor for entries of four characters)", "learner", {"class_long_gain": None}),
    "general-nopiece": ("general with the four-character floor of stage 6b sparing no entry (class_long_piece=None; "
                        "by default an entry with a part living mostly inside it stays: 社会主义, 人民日报)",
                        "learner", {"class_long_piece": None}),
    "general-nosuffix": ("general without the bound-suffix merge after stage 6b (suffix_min_pmi=None)",
                         "learner", {"suffix_min_pmi": None}),
    "general-noclasssuffix": ("general with the suffix merge of bound suffixes only (suffix_class_pmi=None: no word + "
                              "character pair joined because the character follows the word's class, 北京市 负责人)",
                              "learner", {"suffix_class_pmi": None}),
    "general-nospelled": ("general without the spelled-unit stage (spelled_min_pmi=None: stage-3 entries of 3-4 "
                          "characters with no word inside them, min split PMI >= 5 nats)", "learner",
                          {"spelled_min_pmi": None}),
    "general-floor5": ("general with the level below the phrases of stage 7 at a 5-nat floor (bigram_floor=5.0, the "
                       "default before the seventh round; 6.5 now)", "learner", {"bigram_floor": 5.0}),
    "general-late2": ("general with two re-estimation passes after stage 6b and after stage 7's lower level is "
                      "pruned (late_passes=2; the seventh round's default also ran two, not one, after the "
                      "bound-suffix merge)", "learner", {"late_passes": 2}),
    "general-vi": ("general without the seventh round's stages and settings (no stage 6b, bound-suffix merge or "
                   "spelled units; stage 7 at a 5-nat floor, two re-estimation passes after its lower level): the "
                   "default before this round", "learner",
                   {"class_count": 0, "suffix_min_pmi": None, "spelled_min_pmi": None, "bigram_floor": 5.0,
                    "late_passes": 2}),
    "general-issue12": ("the learner of issue 12 (one learner) on today's code: general-vi without stage 7", "learner",
                        {"class_count": 0, "suffix_min_pmi": None, "spelled_min_pmi": None, "bigram_rounds": 0}),
    "general-nobigram": ("general without stage 7 (the bigram level): the default learner of issue 12",
                         "learner", {"bigram_rounds": 0}),
    "general-charged": ("general with stage 7 charging the unseen-pair back-off to the entries the lower "
                        "level never uses (bigram_unseen_free=False: the default before this round)",
                        "learner", {"bigram_unseen_free": False}),
    "general-budget": ("the default learner under --memory 600M (table budget 200 MB: the clause "
                       "table is a 2.2M-character sample)", "learner", {"_memory": "600M"}),
    "general-noaffix": ("general without the affix merge (stage 5)", "learner", {"affix_min_pmi": None}),
    "general-nodot": ("general without the middle-dot rules (rules=1, as faithful)", "learner", {"rules": 1}),
    "general-noextra": ("general learned without the modern extra corpora (on pd1998: its raw text alone)",
                        "learner", {"_no_extra": True}),
    "compact": ("general + final MDL pruning (preset compact)", "learner", {"prune": True}),
    "general+long": ("general + MDL 3-4-char entries with min split PMI >= 4 and both branching "
                     "entropies >= 1.5 nats (rejected)", "learner", {"long_min_pmi": 4.0}),
    "general+bigram-own": ("general with stage 7 taking its pairs from the lexicon's own segmentation "
                           "(no lower level; 2 rounds, beta 100; rejected: flat)", "learner",
                           {"bigram_rounds": 2, "bigram_beta": 100.0, "bigram_floor": None}),
    "general+soft": ("general with 2 forward-backward (expected-count EM) passes before the Viterbi passes of "
                     "every re-estimation of stages 4-7 (soft_passes=2; rejected: flat)", "learner",
                     {"soft_passes": 2}),
    "general+long6": ("general + entries of 5-6 characters where the lexicon holds a fragment of them (an "
                      "entry with >= 80% of its n-gram occurrences inside the longer n-gram; long_len=6; "
                      "rejected)", "learner", {"long_len": 6}),
    "general+prefix": ("general + affix merge of char + word (1 + 2) too (rejected)", "learner",
                       {"affix_prefixes": True}),
}


def _corpus_paths(data: str, name: str, modern: bool = True) -> tuple[str, list[str]]:
    base, extra = SETS[name]
    return os.path.join(data, base), [os.path.join(data, e) for e in extra if modern or e not in MODERN]


def _learn(kind: str, params: dict, texts):
    from minent import LexiconLearner
    params = dict(params)
    memory = params.pop("_memory", "2G")
    preset = "faithful" if kind == "faithful" else "general"
    return LexiconLearner(preset, memory=memory, **params).fit(texts).lexicon_


def job(data: str, name: str, variant: str, heldout: bool) -> None:
    import resource

    from minent import Corpus, score_segmentation
    from minent.codelength import description_length, fragment_share, heldout_information
    from minent.newwords import load_reference_words
    _, kind, params = VARIANTS[variant]
    params = dict(params)
    base, extra = _corpus_paths(data, name, not params.pop("_no_extra", False))
    learn = Corpus([base + ".raw.txt", *extra])
    t0 = time.perf_counter()
    lex = _learn(kind, params, learn)
    t_build = time.perf_counter() - t0
    peak_build = peak_rss_mb()
    raw = Corpus(base + ".raw.txt")
    seg = lex.segmenter
    t0 = time.perf_counter()
    pred = [seg.segment_text(line) for line in raw.lines()]
    t_seg = time.perf_counter() - t0
    gold = list(Corpus(base + ".gold.txt").lines())
    score = score_segmentation(gold, pred, load_reference_words("jieba"))
    load_after_build = os.getloadavg()[0]
    code = description_length(learn, lex)
    frag = fragment_share(lex, learn)
    row = {"set": name, "variant": variant, **score.as_dict(), "lexicon_size": len(lex),
           "multi_char_words": sum(len(w) > 1 for w in lex.words), **code.as_dict(),
           "fragments": frag, "build_s": t_build, "segment_s": t_seg, "peak_build_mb": peak_build,
           "load_1min": load_after_build,
           "report": {k: v for k, v in lex.report.items() if k != "parameters"},
           "params": lex.report.get("parameters")}
    row["learn_texts"] = [os.path.relpath(p, data) for p in [base + ".raw.txt", *extra]]
    if heldout:
        lines = list(raw.lines())
        train = [l for i, l in enumerate(lines) if i % 10] + [l for p in extra for l in Corpus(p).lines()]
        test = [l for i, l in enumerate(lines) if i % 10 == 0]
        lex_h = _learn(kind, params, train)
        row["heldout"] = heldout_information(train, test, lex_h)
    emit(row)


def warm() -> None:
    """Compile (or load from cache) every numba kernel once, so jobs time the work only."""
    from minent import LexiconLearner, learn_lexicon
    from minent.codelength import description_length
    text = ["今天天气很好，我们去公园散步。", "公园里的人很多，天气很好。"] * 20
    learn_lexicon(text, preset="faithful")
    lex = LexiconLearner(mdl_rounds=2).fit(text).lexicon_
    description_length(text, lex)


def _table(rows: list[dict], heldout: bool) -> str:
    cols = ("| set | variant | P | R | F1 | OOV-R | L2 | Lc | Llex |" + (" Lho |" if heldout else "")
            + " lexicon | fragments | build s | peak MB |\n")
    sep = "|" + "---|" * (cols.count("|") - 1) + "\n"
    out = cols + sep
    for r in rows:
        ho = f" {r['heldout']['L_heldout']:.3f} |" if heldout and "heldout" in r else (" |" if heldout else "")
        out += (f"| {r['set']} | {r['variant']} | {r['precision']:.4f} | {r['recall']:.4f} | "
                f"**{r['f1']:.4f}** | {r['oov_recall']:.4f} | {r['L_total']:.3f} | {r['L_corpus']:.3f} | "
                f"{r['L_lexicon']:.3f} |{ho} {r['lexicon_size']} | "
                f"{100 * r['fragments']['function_edge_share']:.1f}% | {r['build_s']:.1f} | "
                f"{r['peak_build_mb']:.0f} |\n")
    return out


def new_words(data: str, top: int = 200) -> None:
    """Top new words of the default learner on pd1998 versus jieba's dictionary (and the faithful
    lexicon), written to outputs/new_words_pd1998.tsv."""
    import math

    from minent import Corpus, LexiconLearner, learn_lexicon
    from minent.codelength import fragment_share
    from minent.ngrams import autonomy
    from minent.newwords import load_reference_words, rank_new_words
    from minent.textio import atomic_write
    base, _ = _corpus_paths(data, "pd1998")
    corpus = Corpus(base + ".raw.txt")
    lrn = LexiconLearner().fit(corpus)
    lex, st = lrn.lexicon_, lrn.stats_
    faithful = learn_lexicon(corpus, preset="faithful")
    jieba = load_reference_words("jieba")
    a = autonomy(st)
    rows = rank_new_words(lex, jieba)
    src = lrn.stage_counts_
    path = os.path.join(REPO, "outputs", "new_words_pd1998.tsv")
    with atomic_write(path) as fh:
        fh.write("# new words of minent's default learner (preset general) on pd1998.raw.txt that jieba's dictionary "
                 f"lacks: {len(rows)} of {sum(len(w) > 1 for w in lex.words)} multi-character entries; "
                 "ranked by fstar = p(w)(pmi - 1) (nats). stage: which learning stage proposed the word "
                 "(boundary = branching entropy, mdl = description length, affix = word + character merge). "
                 "Learned from pd1998.raw.txt alone (no extra corpora). faithful: also in the "
                 "lexicon of the four steps.\n")
        fh.write("rank\tword\tcount\tfstar\tpmi\tpair_pmi\tautonomy\tstage\tfaithful\n")
        for k, r in enumerate(rows[:top], 1):
            i = st.id(r["word"])
            stage = "+".join(s for s in ("boundary", "mdl", "affix") if s in src and src[s][i] > 0) or "-"
            fh.write(f"{k}\t{r['word']}\t{r['count']}\t{r['fstar']:.6f}\t{r['pmi']:.3f}\t"
                     f"{r['pair_pmi']:.3f}\t{a[i]:.2f}\t{stage}\t{int(r['word'] in faithful)}\n")
    frag = fragment_share(lex, corpus)
    print(f"wrote {path}: {len(rows)} new words, top {top} listed; fragment share "
          f"{100 * frag['function_edge_share']:.1f}% of multi-character entries")
    f_rows = rank_new_words(faithful, jieba)
    print("general top 30:", " ".join(r["word"] for r in rows[:30]))
    print("faithful top 30:", " ".join(r["word"] for r in f_rows[:30]))


def _gold_lexicon(path: str):
    """Oracle reference (analysis only, never a learner): the gold words of ``path`` with their gold counts."""
    from collections import Counter

    from minent import Corpus, Lexicon
    c = Counter(w for line in Corpus(path).lines() for w in line.split())
    words = sorted(c, key=lambda w: (-c[w], w))
    return Lexicon(words, [c[w] for w in words])


def error_regions(gold: list[str], pred: list[str], proxy: list[str]) -> dict:
    """Split the regions where ``pred`` and ``gold`` cut differently (maximal stretches between shared
    boundaries) into *common* errors — the other standard's proxy segmentation (``proxy``) cuts the region
    as the gold does, so the prediction is wrong under both standards — and *convention* regions. Returns
    counts and the F1 an oracle would reach by fixing only the common errors."""
    from collections import Counter

    from minent.evaluate import _spans
    n_gold = n_pred = n_ok = 0
    fix_ok = fix_pred = 0
    n_common = n_conv = 0
    common, conv = Counter(), Counter()
    for g, p, o in zip(gold, pred, proxy):
        gw, pw, ow = g.split(), p.split(), o.split()
        gs, ps, os_ = _spans(gw), _spans(pw), set(_spans(ow))
        n_gold, n_pred = n_gold + len(gs), n_pred + len(ps)
        n_ok += len(set(gs) & set(ps))
        text, prev = "".join(gw), 0
        for end in sorted({b for _, b in gs} & {b for _, b in ps}):
            gr = [s for s in gs if s[0] >= prev and s[1] <= end]
            pr = [s for s in ps if s[0] >= prev and s[1] <= end]
            if gr != pr:
                key = " ".join(text[a:b] for a, b in gr) + " | " + " ".join(text[a:b] for a, b in pr)
                if all(s in os_ for s in gr):
                    n_common += 1
                    common[key] += 1
                    fix_ok += len(gr) - len(set(gr) & set(pr))
                    fix_pred += len(gr) - len(pr)
                else:
                    n_conv += 1
                    conv[key] += 1
            prev = end
    return {"f1": 2 * n_ok / (n_gold + n_pred), "regions": n_common + n_conv, "common": n_common,
            "convention": n_conv, "f1_common_fixed": 2 * (n_ok + fix_ok) / (n_gold + n_pred + fix_pred),
            "top_common": common.most_common(20), "top_convention": conv.most_common(20)}


def _md_table(header: list[str], rows: list[list]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ceiling(data: str) -> None:
    """How far one unsupervised lexicon can go on standards that disagree (analysis; the gold is read to score
    and as an oracle reference only): (1) the segmenter with a *perfect* lexicon of one standard (its gold words
    and counts) scored on every set; (2) the default learner's error regions split into errors under both
    standards and convention regions. Writes outputs/bench/discovery_ceiling.{md,json}."""
    from minent import Corpus, LexiconLearner, score_segmentation
    paths = {name: os.path.join(data, SETS[name][0]) for name in ("pd1998", "pku-dev", "msr-dev")}
    oracle = {name: _gold_lexicon(paths[name] + ".gold.txt") for name in ("pd1998", "msr-dev")}
    raw = {n: list(Corpus(p + ".raw.txt").lines()) for n, p in paths.items()}
    gold = {n: list(Corpus(p + ".gold.txt").lines()) for n, p in paths.items()}
    seg = {(src, n): [oracle[src].segmenter.segment_text(line) for line in raw[n]] for src in oracle for n in paths}
    rows = []
    for (src, n), pred in seg.items():
        s = score_segmentation(gold[n], pred)
        rows.append({"lexicon": f"gold words of {src}", "set": n, "precision": s.precision, "recall": s.recall,
                     "f1": s.f1})
        print(f"gold lexicon of {src:8s} on {n:8s} F1 {s.f1:.4f}", file=sys.stderr, flush=True)
    other = {"pd1998": "msr-dev", "pku-dev": "msr-dev", "msr-dev": "pd1998"}
    regions = []
    for n in paths:
        base, extra = _corpus_paths(data, n)
        lex = LexiconLearner().fit(Corpus([base + ".raw.txt", *extra])).lexicon_
        pred = [lex.segmenter.segment_text(line) for line in raw[n]]
        r = error_regions(gold[n], pred, seg[(other[n], n)])
        regions.append({"set": n, "proxy": f"gold words of {other[n]}", **r})
        print(f"{n:8s} default F1 {r['f1']:.4f}: {r['common']} common / {r['convention']} convention regions; "
              f"common fixed {r['f1_common_fixed']:.4f}", file=sys.stderr, flush=True)
    oracle_table = _md_table(["lexicon (oracle)", "set", "P", "R", "F1"], [
        [r["lexicon"], r["set"], f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"**{r['f1']:.4f}**"] for r in rows])
    region_table = _md_table(["set", "default F1", "error regions", "wrong under both standards", "convention",
                              "F1 with every error of both standards fixed"], [
        [r["set"], f"{r['f1']:.4f}", r["regions"], r["common"], r["convention"], f"{r['f1_common_fixed']:.4f}"]
        for r in regions])
    text = ("## A perfect lexicon of one standard on every set\n\n" + oracle_table
            + "\nThe segmenter (unigram Viterbi, default rules) with the gold words and gold counts of pd1998 "
            "(PKU standard) or MSR-dev as its lexicon. A learner that reproduced the PKU standard exactly would "
            "score the pd1998 row on MSR-dev; one that reproduced MSR's, the msr-dev row on pd1998.\n\n"
            "## Errors of the default learner: both standards or a convention\n\n" + region_table
            + "\nAn error region is a maximal stretch between boundaries that the prediction and the gold share, "
            "where they cut differently. It counts as wrong under both standards when the other standard's "
            "proxy (the segmenter with the other set's gold words, as in the first table) cuts it as the gold "
            "does; otherwise it is a convention region. The proxy lacks words its small gold sample never saw, "
            "so the common count is a lower bound. Most frequent regions (gold | predicted):\n\n")
    for r in regions:
        text += (f"- {r['set']}, both standards: " + "; ".join(f"{k} {v}" for k, v in r["top_common"]) + "\n"
                 f"- {r['set']}, convention: " + "; ".join(f"{k} {v}" for k, v in r["top_convention"]) + "\n")
    write_results("discovery_ceiling", {"oracle": rows, "regions": regions}, text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=SHARED)
    ap.add_argument("--sets", default="pd1998,pku-dev,msr-dev")
    ap.add_argument("--variants", default="general,general-noextra,general-budget,faithful")
    ap.add_argument("--heldout", action="store_true", help="also learn on 90%% and code the other 10%%")
    ap.add_argument("--name", default="discovery", help="result file name under outputs/bench/")
    ap.add_argument("--new-words", action="store_true", help="write outputs/new_words_pd1998.tsv")
    ap.add_argument("--ceiling", action="store_true",
                    help="oracle analysis: perfect lexicons of each standard, common vs convention errors")
    ap.add_argument("--job", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job is not None:
        if a.job[0] == "warm":
            warm()
            print(json.dumps({}))
            return
        job(a.data, a.job[0], a.job[1], a.heldout)
        return
    if a.new_words:
        new_words(a.data)
        return
    if a.ceiling:
        ceiling(a.data)
        return
    run_job(__file__, "warm")
    rows = []
    for s in a.sets.split(","):
        for v in a.variants.split(","):
            rows.append(run_job(__file__, s, v, "--data", a.data, *(["--heldout"] if a.heldout else [])))
            r = rows[-1]
            print(f"{s:14s} {v:14s} F1 {r['f1']:.4f}  L2 {r['L_total']:.3f}  {r['build_s']:.1f}s",
                  file=sys.stderr, flush=True)
    notes = "\n".join(f"- **{k}**: {VARIANTS[k][0]}" for k in a.variants.split(","))
    text = (_table(rows, a.heldout)
            + "\nVariants:\n" + notes + "\n\nSets: pd1998 learned from its raw text plus the modern "
            "extra corpora (" + ", ".join(MODERN) + "; raw text only, never gold); pku-dev / msr-dev "
            "from their raw text plus pd1998.raw.txt plus the same extra corpora (99% of pku-dev's "
            "lines occur in pd1998.raw.txt: PKU's training text is People's Daily 1998); "
            "*-alone from the dev raw text only; general-noextra drops the extra corpora. "
            "Rules (numbers, dates, Latin, punctuation) on everywhere; the middle-dot rules "
            "(minent.pretokenize, rules=2) in every learner row but general-nodot, not in faithful. OOV-R: recall of gold words "
            "absent from jieba's dictionary. L2 = Lc + Llex, bits per character of the learning "
            "corpus (two-part code: see minent.codelength.CodeLength); Lho: held-out bits per "
            "character (learn on 9 lines in 10). fragments: multi-character entries that start or "
            "end with one of 的了是在和与及或也都就着过把被将对从 (an upper bound: it counts 目的, "
            "现在 too). build s: learning only; peak MB: the job's peak resident memory after "
            "learning (a fresh process; numba cache warm). The machine (2 cores) was shared with other "
            "jobs: 1-minute load average after each build from " + f"{min(r['load_1min'] for r in rows):.1f} "
            f"to {max(r['load_1min'] for r in rows):.1f}" + ", so times are noisy.\n")
    write_results(a.name, {"rows": rows}, text)


if __name__ == "__main__":
    main()
