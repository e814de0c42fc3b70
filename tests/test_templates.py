"""Template mining: kernels against plain-Python references, TemplateFinder, file format, CLI."""
import json
from collections import Counter
import os
import random
import tempfile

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from minent.commands import main
from minent.errors import FormatError, MinentError
from minent.hashtable import KeyCounter, seq_hash, with_filter
from minent.templates import (CLOSING_MARKS, PLACEHOLDER, PatternStore, SENTENCE_END, TemplateFinder, Templates, Vocabulary,
                              _pack, block_templates, is_punctuation, is_trivial, parse_template, piece_boundaries,
                              sketch_keep, skipgram_keys, split_sentences)


# ----------------------------------------------------------------------------- references

def ref_skipgrams(sentences, window):
    out = []
    for s in sentences:
        for i, a in enumerate(s):
            for j in range(i + 1, min(len(s), i + window + 1)):
                if a > 0 and s[j] > 0:
                    out.append((a << 32) | s[j])
    return out


def ref_templates(sent, window, strong, max_paths, subpath_literals=0, inner=False, links=None):
    """Templates of one sentence (ids), same order and cap as the kernel, duplicates merged:
    per source position its source-to-sink paths (DFS, capped), then its paths of
    2..subpath_literals nodes (DFS preorder), then (``inner``) its inner paths src -> m -> v
    through each known word m inside each edge src -> v that src -> m -> v is not already;
    then the first and last word alone. ``links`` (a Counter) gets, per edge over two or more
    positions, ``(a, b, 0)``: its known words inside, and ``(a, b, c)``: 1 per inner path."""
    n = len(sent)
    succ = {i: [j for j in range(i + 1, min(n, i + window + 1))
                if sent[i] > 0 and sent[j] > 0 and (sent[i], sent[j]) in strong] for i in range(n)}
    indeg = {j: sum(j in v for v in succ.values()) for j in range(n)}
    out, capped = [], False

    def emit(p):
        t = ([PLACEHOLDER] if p[0] > 0 else [])
        for k, pos in enumerate(p):
            if k and pos - p[k - 1] > 1:
                t.append(PLACEHOLDER)
            t.append(sent[pos])
        if p[-1] < n - 1:
            t.append(PLACEHOLDER)
        if t not in out:
            out.append(t)

    def short(path):
        if len(path) >= 2:
            emit(path)
        if len(path) < subpath_literals:
            for v in succ[path[-1]]:
                short(path + [v])

    for src in range(n):
        if sent[src] <= 0:
            continue
        if not indeg[src]:
            paths = []

            def dfs(path):
                if len(paths) >= max_paths:
                    return
                u = path[-1]
                if not succ[u]:
                    paths.append(list(path))
                    return
                for v in succ[u]:
                    if len(paths) >= max_paths:
                        return
                    dfs(path + [v])

            dfs([src])
            capped |= count_paths(src, succ) > max_paths
            for p in paths:
                emit(p)
        if subpath_literals >= 2 and succ[src]:
            short([src])
        if inner:
            for v in succ[src]:
                if v - src < 2:
                    continue
                links[(sent[src], sent[v], 0)] += sum(x > 0 for x in sent[src + 1:v])
                for m in range(src + 1, v):
                    if sent[m] > 0 and not (m in succ[src] and v in succ[m]):
                        links[(sent[src], sent[v], sent[m])] += 1
                        emit([src, m, v])
    if subpath_literals >= 2 and n > 1:
        for pos in (0, n - 1):
            if sent[pos] > 0:
                emit([pos])
    return out, capped


def count_paths(u, succ):
    return 1 if not succ[u] else sum(count_paths(v, succ) for v in succ[u])


def run_block(sentences, window, strong_pairs, max_paths, buf=1 << 12, subpath_literals=0, inner=False):
    ids, bounds = _pack(sentences)
    strong = KeyCounter(64)
    if strong_pairs:
        strong.add(np.array([(a << 32) | b for a, b in strong_pairs], np.int64))
    codes = np.empty(buf, np.int32)
    tb = np.empty(buf + 1, np.int64)
    th = np.empty(buf, np.int64)
    ts = np.empty(buf, np.int64)
    links = (np.empty(buf, np.int64), np.empty(buf, np.int64))
    capped = np.zeros(len(sentences), np.bool_)
    per_sent = [[] for _ in sentences]
    got_links = Counter()
    s = total_occ = 0
    walk = (window, max_paths, subpath_literals, int(inner))
    while s < len(sentences):
        nxt, n_t, n_c, n_l, n_occ = block_templates(ids, bounds, s, walk, with_filter(strong.frozen()),
                                                    (codes, tb, th, ts), capped, np.zeros(0, np.uint16), 0.0, links,
                                                    np.zeros(0, np.uint16))
        assert nxt > s, "buffer too small for one sentence"
        total_occ += n_occ
        for t in range(n_t):
            per_sent[ts[t]].append(codes[tb[t]:tb[t + 1]].tolist())
        for key, n in zip(links[0][:n_l].tolist(), links[1][:n_l].tolist()):
            pair = int(strong.keys[key >> 32])  # the slot of the pair in the strong table
            got_links[(pair >> 32, pair & 0xFFFFFFFF, key & 0xFFFFFFFF)] += n
        s = nxt
    if not inner:  # one occurrence per template and sentence, a sentence walked again included once
        assert total_occ == sum(map(len, per_sent))
    return (per_sent, capped, got_links) if inner else (per_sent, capped)


# ----------------------------------------------------------------------------- kernels

sentences_strategy = st.lists(st.lists(st.integers(-1, 5), min_size=0, max_size=9), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(sentences_strategy, st.integers(1, 4))
def test_skipgram_keys_match_reference(sentences, window):
    ids, bounds = _pack(sentences)
    assert sorted(skipgram_keys(ids, bounds, window).tolist()) == sorted(ref_skipgrams(sentences, window))


@settings(max_examples=80, deadline=None)
@given(sentences_strategy, st.integers(1, 3), st.sets(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=12),
       st.integers(1, 4), st.sampled_from([0, 2, 3]))
def test_block_templates_match_reference(sentences, window, strong, max_paths, sub):
    got, capped = run_block(sentences, window, strong, max_paths, subpath_literals=sub)
    for s, sent in enumerate(sentences):
        want, want_capped = ref_templates(sent, window, strong, max_paths, sub)
        assert got[s] == want
        assert bool(capped[s]) == want_capped


@settings(max_examples=80, deadline=None)
@given(sentences_strategy, st.integers(1, 4), st.sets(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=12),
       st.integers(1, 4))
def test_block_templates_inner_paths_match_reference(sentences, window, strong, max_paths):
    got, capped, got_links = run_block(sentences, window, strong, max_paths, subpath_literals=3, inner=True)
    want_links = Counter()
    for s, sent in enumerate(sentences):
        want, want_capped = ref_templates(sent, window, strong, max_paths, 3, inner=True, links=want_links)
        assert got[s] == want
        assert bool(capped[s]) == want_capped
    assert got_links == +want_links


@settings(max_examples=80, deadline=None)
@given(sentences_strategy, st.integers(1, 3), st.sets(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=12),
       st.integers(1, 4), st.sampled_from([0, 2, 3]))
def test_sketch_walk_adds_each_distinct_template_once_per_sentence(sentences, window, strong, max_paths, sub):
    """The sketch walk tells a sentence's templates apart by their paths (not their codes): it
    counts the reference's distinct templates per sentence (the words repeat, so many paths give
    the same template) and adds each one to both sketch rows once."""
    ids, bounds = _pack(sentences)
    table = KeyCounter(64)
    if strong:
        table.add(np.array([(a << 32) | b for a, b in strong], np.int64))
    want = Counter()
    for sent in sentences:
        want.update(tuple(t) for t in ref_templates(sent, window, strong, max_paths, sub)[0])
    buf = 1 << 12
    out = (np.empty(buf, np.int32), np.empty(buf + 1, np.int64), np.empty(buf, np.int64), np.empty(buf, np.int64))
    links = (np.empty(buf, np.int64), np.empty(buf, np.int64))
    sketch = np.zeros(2 << 16, np.uint16)
    nxt, n_t, _, _, n_occ = block_templates(ids, bounds, 0, (window, max_paths, sub, 0), with_filter(table.frozen()),
                                            out, np.zeros(len(sentences), np.bool_), sketch, 0.0, links,
                                            np.zeros(0, np.uint16))
    assert (nxt, n_t, n_occ) == (len(sentences), 0, sum(want.values()))
    assert int(sketch.sum()) == 2 * n_occ
    hashes = np.array([seq_hash(np.array(t, np.int32), 0, len(t)) for t in want], np.int64)
    keep = np.zeros(len(hashes), np.bool_)
    for cut in (1, 2, 3):  # the estimates are never below the counts
        sketch_keep(sketch, hashes, float(cut), keep)
        assert all(k for k, n in zip(keep, want.values()) if n >= cut)


def test_block_templates_sketch_walks_keep_what_reaches_the_cut():
    """The sketch walk counts each template once per sentence and each inner triple per
    occurrence, writing nothing out; the counting walk writes out the templates and the inner
    paths whose estimate reaches the cut: with a sketch too large to collide here, exactly the
    templates of two or more sentences and the inner paths of triples seen twice or more."""
    sentences = [[1, 2, 3, 4], [1, 5, 3, 4], [1, 2, 3], [2, 4, 4, 1, 6, 3], [1, 6, 3, 2]]
    pairs = {(1, 3), (3, 4), (2, 4)}
    ids, bounds = _pack(sentences)
    strong = KeyCounter(64)
    strong.add(np.array([(a << 32) | b for a, b in pairs], np.int64))
    walk = (3, 8, 3, 1)
    buf = 1 << 10
    out = (np.empty(buf, np.int32), np.empty(buf + 1, np.int64), np.empty(buf, np.int64), np.empty(buf, np.int64))
    links = (np.empty(buf, np.int64), np.empty(buf, np.int64))
    capped = np.zeros(len(sentences), np.bool_)
    paths, triples, inner = Counter(), Counter(), Counter()
    for sent in sentences:
        only = ref_templates(sent, 3, pairs, 8, 3)[0]
        c = Counter()
        every = ref_templates(sent, 3, pairs, 8, 3, inner=True, links=c)[0]
        paths.update(tuple(t) for t in only)
        inner.update(tuple(t) for t in every if t not in only)
        triples.update({k: v for k, v in c.items() if k[2]})

    def triple(t):
        a, c, b = [x for x in t if x]
        return a, b, c
    want = Counter({t: n for t, n in paths.items() if n >= 2})
    want.update({t: n for t, n in inner.items() if triples[triple(t)] >= 2})
    table = with_filter(strong.frozen())
    results = []
    for dag in (np.zeros(0, np.uint16), np.zeros(len(ids), np.uint16)):  # without and with the kept DAG
        sketch = np.zeros(2 << 16, np.uint16)
        nxt, n_t, _, n_l, n_occ = block_templates(ids, bounds, 0, walk, table, out, capped, sketch, 0.0, links, dag)
        assert (nxt, n_t, n_l, n_occ) == (len(sentences), 0, 0, sum(paths.values()))
        nxt, n_t, _, n_l, n_occ = block_templates(ids, bounds, 0, walk, table, out, capped, sketch, 2.0, links, dag)
        assert n_occ == sum(paths.values())  # the counting walk counts every occurrence, passed or not
        got = Counter(tuple(out[0][out[1][t]:out[1][t + 1]].tolist()) for t in range(n_t))
        assert got == want
        assert (1, 6, 3, 0) in got and (1, 2, 3) in got and (1, 5, 3, 0) not in got
        results.append((got, sorted(zip(links[0][:n_l].tolist(), links[1][:n_l].tolist()))))
    assert results[0] == results[1] and results[0][1]  # the same link records (pair slots) too
    assert dag.any()  # the sketch walk kept the edges: bit 1 of position 0 is the edge 1 -> 3
    assert dag[0] & 2 and not dag[0] & 1


def test_block_templates_many_templates_in_one_sentence():
    """A sentence with hundreds of distinct templates gives the reference's templates; the same
    words twice in one sentence add no new ones."""
    sent = list(range(1, 21))
    strong = {(a, b) for a in sent for b in sent if 0 < b - a <= 3}
    for sentences in ([sent], [sent + sent]):
        got, capped, _ = run_block(sentences, 3, strong, 8, buf=1 << 14, subpath_literals=3, inner=True)
        want, want_capped = ref_templates(sentences[0], 3, strong, 8, 3, inner=True, links=Counter())
        assert got[0] == want and bool(capped[0]) == want_capped
    assert len(want) > 200


def test_block_templates_resumes_when_buffer_is_small():
    sentences = [[1, 2, 3, 4, 5, 6]] * 20
    full, _ = run_block(sentences, 2, {(1, 2), (2, 4), (3, 5)}, 8)
    small, _ = run_block(sentences, 2, {(1, 2), (2, 4), (3, 5)}, 8, buf=40)
    assert small == full


def test_piece_boundaries_counts_sentence_and_punctuation_edges():
    vocab = Vocabulary()
    sents = [vocab.encode(s.split(), grow=True) for s in ["在 北京 ， 我 的", "（ 北京 ）"]]
    ids, bounds = _pack(sents)
    starts = np.zeros(len(vocab), np.int64)
    ends = np.zeros(len(vocab), np.int64)
    piece_boundaries(ids, bounds, np.array(vocab.punctuation, np.bool_), starts, ends)
    got = {w: (int(starts[i]), int(ends[i])) for i, w in enumerate(vocab.words) if starts[i] or ends[i]}
    assert got == {"在": (1, 0), "北京": (1, 2), "我": (1, 0), "的": (0, 1), "（": (1, 0), "）": (0, 1)}


def test_split_sentences_drops_final_marks():
    assert split_sentences("你好 吗 ？ 我 很 好 。 。 谢谢".split()) == [["你好", "吗"], ["我", "很", "好"], ["谢谢"]]
    assert split_sentences(["，", "好"]) == [["，", "好"]]
    assert split_sentences("说 “ 好 。 ” 走 。".split()) == [["说", "“", "好", "”"], ["走"]]


def _split_reference(tokens):
    """split_sentences token by token (the plain definition)."""
    only = lambda t, marks: bool(t) and all(c in marks for c in t)  # noqa: E731
    out, cur, after_end = [], [], False
    for t in tokens:
        if only(t, SENTENCE_END):
            if cur:
                out.append(cur)
            cur, after_end = [], True
        elif after_end and only(t, CLOSING_MARKS) and out:
            out[-1].append(t)
        else:
            cur.append(t)
            after_end = False
    if cur:
        out.append(cur)
    return out


def test_split_sentences_matches_reference_on_random_marks():
    rng = random.Random(5)
    pool = ["。", "！", "？!", "；", "”", "）", "”。", "。”", "好", "说", "", "“", "，", "”）"]
    for _ in range(3000):
        tokens = [rng.choice(pool) for _ in range(rng.randint(0, 12))]
        assert split_sentences(tokens) == _split_reference(tokens), tokens


def test_line_sentences_drops_empty_and_spaced_tokens():
    from minent.sentences import line_sentences
    assert line_sentences(lambda line: ["a", "", "b c", "d", "。", "e"], True, "x") == [["a", "d"], ["e"]]
    assert line_sentences(lambda line: ["a", "\u3000", "d"], False, "x") == [["a", "d"]]
    assert line_sentences(str.split, True, "a b 。 ” c") == [["a", "b", "”"], ["c"]]


def test_parse_template_and_trivial():
    assert parse_template("[X] [X] 的 [X]") == ("[X]", "的", "[X]")
    assert is_trivial(parse_template("[X] 的 [X]")) and not is_trivial(parse_template("[X] 吗"))
    with pytest.raises(FormatError):
        parse_template("[X]")


def test_is_punctuation_means_no_alphanumeric_character():
    tokens = ["，", "（", "——", "_", "__", "a", "Ｘ", "１９", "中", "ー", "。”", "2_", "½", "Ⅻ", "", " ", "\u0300"]
    tokens += [chr(c) for c in range(0, 0x30000, 7)]
    assert [is_punctuation(t) for t in tokens] == [not any(ch.isalnum() for ch in t) for t in tokens]


def test_vocabulary_reserves_placeholder():
    v = Vocabulary()
    assert v.encode(["a", "[X]", "b", "a"], grow=True) == [1, -1, 2, 1]
    assert v.encode(["b", "zzz"]) == [2, -1]
    for tokens, grow in ((["b", "a"], False), (["b", "zzz"], False), (["a", "[X]"], False), (["c", "a"], True), ([], False)):
        want = v.encode(list(tokens), grow) if not grow else None
        got = v.encode_array(tokens, grow)
        assert got.dtype == np.int32 and got.tolist() == (want if want is not None else [3, 1])
    # new words of an array encode get ids in order of first sight, punctuation flags included;
    # lookups without grow add nothing
    assert v.encode_array(["，", "d", "[X]", "d", "a", "，"], grow=True).tolist() == [4, 5, -1, 5, 1, 4]
    assert v.encode_array(["e", "d"]).tolist() == [-1, 5] and v.index.get("e") is None
    assert v.words == ["[X]", "a", "b", "c", "，", "d"] and v.punctuation == [False] * 4 + [True, False]
    assert len(v) == 6 and "[X]" not in v.index and v.add("d") == 5 and v.add("[X]") == -1


# ----------------------------------------------------------------------------- mining

FRAMES = ["请问 {}", "{} 怎么样", "{} 吗", "为什么 {}", "{} 多少 钱"]
FILLERS = ["苹果", "手机 屏幕", "北京 天气", "这个 游戏", "红色 汽车", "电脑", "小狗", "周末 计划", "老师", "火车"]


def question_corpus(n=600, seed=0):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        frame = rng.choice(FRAMES)
        out.append(frame.format(rng.choice(FILLERS)).split())
    return out


def test_finder_recovers_question_frames():
    f = TemplateFinder(min_count=5).fit(question_corpus())
    top = [r["template"] for r in f.templates_.top(10)]
    for frame in ["请问 [X]", "[X] 怎么样", "[X] 吗", "为什么 [X]", "[X] 多少 钱"]:
        assert frame in top
    assert f.report_["sentences"] == 600
    assert f.templates_.examples[0] and all(isinstance(e, str) for e in f.templates_.examples[0])


def test_finder_window_one_gives_phrases():
    rng = random.Random(1)
    words = "甲 乙 丙 丁 戊 己 庚 辛".split()
    sents = []
    for _ in range(400):
        s = rng.sample(words, 4)
        s.insert(rng.randint(0, 4), "人民 日报")
        sents.append(" ".join(s).split())
    f = TemplateFinder(window=1, min_count=5).fit(sents)
    phrases = [p for p in f.templates_.patterns if "人民" in p]
    assert phrases and all("日报" in p and p.index("日报") == p.index("人民") + 1 for p in phrases)


def test_finder_english_pretokenized():
    rng = random.Random(2)
    nouns = "cats dogs apples rivers kings songs trains books".split()
    sents = [f"not only {rng.choice(nouns)} but also {rng.choice(nouns)}".split() for _ in range(200)]
    sents += [rng.sample(nouns, 5) for _ in range(200)]
    f = TemplateFinder(min_count=5).fit(sents)
    assert "not only [X] but also [X]" in [r["template"] for r in f.templates_.top(5)]


def test_finder_caps_paths_on_dense_graphs():
    sent = ["a", "b"] * 150  # every pair strong: exponentially many paths without the cap
    f = TemplateFinder(window=3, min_count=1, min_pmi=-100, max_paths=16).fit([sent] * 3)
    assert f.report_["sentences_path_capped"] == 3


def test_finder_is_deterministic_and_roundtrips(tmp_path):
    data = question_corpus(300, seed=3)
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    TemplateFinder().fit(data).save(str(a))
    TemplateFinder().fit(data).save(str(b))
    assert a.read_bytes() == b.read_bytes()
    t = Templates.load(str(a))
    t.save(str(b))
    assert a.read_bytes() == b.read_bytes()
    assert t.word_counts["请问"] > 0 and t.boundaries["请问"][0] > 0


def test_finder_under_memory_budget_is_exact(tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # spill files go here
    rng = random.Random(5)
    data = question_corpus(800, seed=5) + [rng.sample(FILLERS, 4) for _ in range(300)] + inner_frame_corpus(300)
    free = TemplateFinder(min_count=2, block_sentences=40, inner_min_pmi=0.75).fit(data)
    assert free.report_["inner_templates"] > 0
    tight = TemplateFinder(min_count=2, block_sentences=40, memory=1, inner_min_pmi=0.75).fit(data)  # spills
    assert free.report_["spills"] == {"pairs": 0, "templates": 0}
    assert tight.report_["spills"]["pairs"] > 5 and tight.report_["spills"]["templates"] > 5
    a, b = free.templates_, tight.templates_
    assert a.patterns == b.patterns and a.counts.tolist() == b.counts.tolist()
    assert a.examples == b.examples  # the first examples survive the merge of runs
    for key in ("distinct_pairs", "strong_pairs", "template_occurrences"):
        assert free.report_[key] == tight.report_[key]
    # the sketch is smaller under the tight budget, so more rare templates pass it (and are
    # counted, then cut): same kept templates, more counted
    assert tight.report_["counted_templates"] >= free.report_["counted_templates"] >= len(a)
    assert not list(tmp_path.glob("minent-spill-*"))


def test_finder_needs_reiterable_and_words():
    with pytest.raises(MinentError):
        TemplateFinder().fit(iter([["a"]]))
    with pytest.raises(MinentError):
        TemplateFinder().fit([[], []])
    with pytest.raises(MinentError):
        TemplateFinder(window=0).fit([["a"]])


# ----------------------------------------------------------------------------- files

def test_load_plain_list_and_errors(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("[X] 的 [X]\t20\n# comment\n为什么 [X]\n", encoding="utf-8")
    t = Templates.load(str(p))
    assert t.patterns == [("[X]", "的", "[X]"), ("为什么", "[X]")] and t.counts.tolist() == [20, 1]
    for text, msg in [("", "empty"), ("\n\n", "empty"),
                      ("# minent-templates format=9 total=1 n_words=1\n## templates\n", "format 9"),
                      ("# minent-lexicon format=1 total=3\n", "not a templates file"),
                      ("[X] 的 [X]\tmany\n", ":1: bad count"),
                      ("[X]\t3\n", "no literal")]:
        p.write_text(text, encoding="utf-8")
        with pytest.raises(FormatError, match=msg):
            Templates.load(str(p))


# ----------------------------------------------------------------------------- CLI

def test_cli_collocations(tmp_path):
    corpus = tmp_path / "q.txt"
    corpus.write_text("\n".join(" ".join(s) for s in question_corpus(300)) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "tpl.tsv"
    r = CliRunner().invoke(main, ["collocations", str(corpus), "--pretokenized", "-o", str(out), "--top", "5", "-q"])
    assert r.exit_code == 0, r.output
    assert "# top non-trivial templates" in r.output and "请问 [X]" in r.output
    assert out.read_text(encoding="utf-8").startswith("# minent-templates format=2")
    report = json.loads((tmp_path / "out" / "tpl.report.json").read_text(encoding="utf-8"))
    assert report["sentences"] == 300 and report["tokenizer"].startswith("pretokenized")


def test_cli_collocations_errors(tmp_path):
    corpus = tmp_path / "q.txt"
    corpus.write_text("a b\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["collocations", str(corpus), "--pretokenized", "-o", str(corpus)])
    assert r.exit_code == 2 and "refusing to write" in r.output
    r = runner.invoke(main, ["collocations", str(corpus), "--pretokenized", "--tokenizer", "jieba"])
    assert r.exit_code == 2 and "choose one of" in r.output
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    out = tmp_path / "never.tsv"
    r = runner.invoke(main, ["collocations", str(empty), "--pretokenized", "-o", str(out), "-q"])
    assert r.exit_code == 2 and "no words" in r.output and not out.exists()
    assert len(r.output.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- frames inside sentences

FILL = "工厂 城市 学校 农村 市场 企业 医院 工人 学生 干部 经济 文化".split()
VERBS = "发展 建设 改革 提高 增加 完成".split()


def frame_corpus(n=500, seed=5):
    """Frames of two and three literals inside longer sentences, with clause punctuation."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a, b, c = rng.sample(FILL, 3)
        v = rng.choice(VERBS)
        kind = rng.randrange(3)
        if kind == 0:
            s = f"{a} {v} 在 {b} {c} 中 ， {c} {a}"
        elif kind == 1:
            s = f"{a} 从 {b} 到 {c} {rng.choice(['都', '也', '还'])} {v}"
        else:
            s = f"{a} 不但 {b} {v} ， 而且 {c} {rng.choice(VERBS)}"
        out.append(s.split())
    return out


def literals_of(pattern):
    return tuple(t for t in pattern if t != "[X]")


def test_finder_finds_two_and_three_literal_frames_inside_sentences():
    f = TemplateFinder(min_count=5).fit(frame_corpus())
    found = {literals_of(p) for p in f.templates_.patterns}
    assert ("在", "中") in found                      # two literals, in mid-sentence
    assert ("从", "到") in found and ("从", "到", "都") in found   # two and three literals
    assert ("不但", "而且") in found                  # across a comma: punctuation is no literal
    assert not any(t in ("，",) for p in f.templates_.patterns for t in p)
    top10 = [literals_of(p) for p in f.templates_.patterns[:10]]
    assert ("在", "中") in top10 and ("从", "到") in top10


def inner_frame_corpus(n=600, seed=7):
    """在 [X] 的 [X] 下 inside longer sentences; 的 also stands elsewhere, so neither 在 … 的 nor
    的 … 下 is a linked pair (在 … 下 is)."""
    rng = random.Random(seed)
    frames = ["{a} {v} 在 {b} 的 {c} 下 {d} {v2}"] * 4 + ["{a} 在 {c} {b} {v} 下 {d} {v2}"] + \
        ["{a} {v} {b} 的 {c} {v2} {d}"] * 5
    return [rng.choice(frames).format(**dict(zip("abcd", rng.sample(FILL, 4))),
                                      **dict(zip(["v", "v2"], rng.sample(VERBS, 2)))).split() for _ in range(n)]


def test_finder_finds_three_literal_frames_through_a_word_inside_a_linked_pair():
    data = inner_frame_corpus()
    f = TemplateFinder(min_count=5, inner_min_pmi=0.75).fit(data)
    found = {literals_of(p) for p in f.templates_.patterns}
    assert ("在", "的", "下") in found and f.report_["inner_templates"] >= 1
    assert ("在", "下") in found  # the inner word fills the frame's slot: 在 … 下 is no fragment of it
    assert ("在", "的") not in found and ("的", "下") not in found  # not linked pairs
    # the method's paths alone cannot reach it; nor can a word less tied to the pair
    assert ("在", "的", "下") not in {literals_of(p) for p in TemplateFinder(min_count=5, inner_min_pmi=None)
                                                                  .fit(data).templates_.patterns}
    assert ("在", "的", "下") not in {literals_of(p) for p in TemplateFinder(min_count=5, inner_min_pmi=3.0)
                                                                  .fit(data).templates_.patterns}


def test_inner_templates_link_test():
    from minent.hashtable import key_slot
    from minent.templates import inner_templates
    strong = KeyCounter(64)
    strong.add(np.array([(1 << 32) | 3, (3 << 32) | 5, (5 << 32) | 6], np.int64))
    slot = key_slot(strong.keys, (1 << 32) | 3)
    links = KeyCounter(64)  # inside 1 … 3: 10 known words, word 2 five times, word 4 once
    links.add(np.array([slot << 32, (slot << 32) | 2, (slot << 32) | 4], np.int64), np.array([10, 5, 1]))
    pats = [(1, 2, 3), (0, 1, 0, 4, 0, 3, 0), (1, 0, 3), (3, 5, 6), (0, 1, 2, 0, 3)]
    lens = np.array([len(p) for p in pats], np.int64)
    starts = np.zeros(len(pats) + 1, np.int64)
    np.cumsum(lens, out=starts[1:])
    arena = np.array([c for p in pats for c in p], np.int32)
    word_counts = np.array([0, 30, 10, 30, 10, 20, 20], np.int64)  # 100 words: p(2) = 0.1
    inner = np.zeros(len(pats), np.int8)
    # word 2: ln(5 / (10 x 0.1)) = 1.61 nats; word 4: ln(1 / (10 x 0.1)) = 0, and below the cut
    inner_templates(arena, starts, strong.frozen(), links.frozen(), word_counts, 100, 5.0, 1.5, inner)
    assert inner.tolist() == [1, 2, 0, 0, 1]
    inner_templates(arena, starts, strong.frozen(), links.frozen(), word_counts, 100, 5.0, 1.7, inner)
    assert inner.tolist() == [2, 2, 0, 0, 2]
    inner_templates(arena, starts, strong.frozen(), links.frozen(), word_counts, 100, 6.0, 0.0, inner)
    assert inner.tolist() == [2, 2, 0, 0, 2]


def test_method_only_paths_miss_embedded_frames():
    # with source-to-sink paths only (the 2018 rule), 在 … 中 is not a template of its own
    f = TemplateFinder(min_count=5, subpath_literals=0, window=3).fit(frame_corpus())
    assert ("在", "中") not in {literals_of(p) for p in f.templates_.patterns}


def test_punctuation_policies():
    data = frame_corpus(300)
    lit = TemplateFinder(min_count=5, punctuation="literal").fit(data).templates_
    exc = TemplateFinder(min_count=5, punctuation="excluded").fit(data).templates_
    bnd = TemplateFinder(min_count=5, punctuation="boundary").fit(data).templates_
    assert any("，" in p for p in lit.patterns)
    assert not any("，" in p for p in exc.patterns + bnd.patterns)
    # boundary: no template crosses the comma, so 不但 … 而且 is gone; excluded keeps it
    assert ("不但", "而且") not in {literals_of(p) for p in bnd.patterns}
    assert ("不但", "而且") in {literals_of(p) for p in exc.patterns}
    assert exc.word_counts["，"] == bnd.word_counts["，"] == lit.word_counts["，"] > 0


def test_literal_view_boundary_pieces():
    from minent.templates import literal_view
    ids = np.array([1, 2, 9, 3, 9, 9, 4, 5], np.int32)  # 9 is punctuation
    bounds = np.array([0, 5, 8], np.int64)
    punct = np.zeros(10, np.bool_)
    punct[9] = True
    lit, lb, ps = literal_view(ids, bounds, punct, "boundary")
    assert lit.tolist() == [1, 2, 3, 4, 5] and lb.tolist() == [0, 2, 3, 5] and ps.tolist() == [0, 0, 1]
    lit, lb, ps = literal_view(ids, bounds, punct, "excluded")
    assert lit.tolist() == [1, 2, -1, 3, -1, -1, 4, 5] and lb.tolist() == [0, 5, 8]


def test_closed_templates_drop_fragments():
    from minent.templates import closed_templates, drop_literal
    assert drop_literal(("[X]", "在", "[X]", "中", "[X]"), 1) == ("[X]", "中", "[X]")
    assert drop_literal(("在", "[X]"), 0) == ()
    pats = [("新华社", "[X]", "电", "[X]"), ("新华社", "[X]"), ("[X]", "电", "[X]"), ("在", "[X]", "中")]
    keep = closed_templates(pats, [90, 100, 400, 50], 0.5)
    assert keep == [True, False, True, True]  # 新华社 [X] is a fragment; [X] 电 [X] is not (90 < 200)
    assert closed_templates(pats, [90, 100, 400, 50], 0) == [True] * 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(["[X]", "a", "b", "c"]), min_size=1, max_size=6),
                          st.integers(1, 60)), min_size=1, max_size=30),
       st.sampled_from([0.3, 0.5, 1.0]))
def test_closed_codes_matches_closed_templates(rows, redundancy):
    """The id-level kernel of the fit agrees with the plain-Python redundancy filter."""
    from minent.hashtable import SeqCounter
    from minent.templates import closed_codes, closed_templates
    pats, counts, seen = [], [], set()
    for toks, c in rows:
        p = []
        for t in toks:  # placeholders collapsed, at least one literal, as mined
            if not (t == "[X]" and p and p[-1] == "[X]"):
                p.append(t)
        if any(t != "[X]" for t in p) and tuple(p) not in seen:
            seen.add(tuple(p))
            pats.append(tuple(p))
            counts.append(c)
    if not pats:
        return
    code = {"[X]": 0, "a": 1, "b": 2, "c": 3}
    lens = np.array([len(p) for p in pats], np.int64)
    starts = np.zeros(len(pats) + 1, np.int64)
    np.cumsum(lens, out=starts[1:])
    arena = np.array([code[t] for p in pats for t in p], np.int32)
    table = SeqCounter()
    table.add(arena, starts)
    keep = np.ones(len(pats), np.bool_)
    closed_codes(table.frozen(), arena, starts, np.array(counts, np.int64), redundancy, keep,
                 np.zeros(len(pats), np.int8))
    assert keep.tolist() == closed_templates(pats, counts, redundancy)


def test_fit_keeps_results_with_and_without_block_cache(monkeypatch):
    """Encoded blocks kept between the passes give the same templates as encoding twice."""
    import minent.templates as tm
    rng = random.Random(3)
    words = ["在", "中", "北京", "的", "我们", "发展", "，", "从", "到", "经济"]
    sents = [[rng.choice(words) for _ in range(rng.randint(2, 12))] for _ in range(400)]
    a = TemplateFinder(min_count=2, block_sentences=50).fit(sents).templates_
    monkeypatch.setattr(tm, "_BLOCK_CACHE_BYTES", 0)
    b = TemplateFinder(min_count=2, block_sentences=50).fit(sents).templates_
    assert a.patterns == b.patterns and a.counts.tolist() == b.counts.tolist() and a.examples == b.examples


def test_sketch_size_does_not_change_the_templates(monkeypatch):
    """The count-min sketch only filters: with 2 x 2^10 counters (saturated, colliding) or with
    2 x 2^20, the same templates, counts and examples; the sketch never underestimates a count."""
    rng = random.Random(11)
    data = question_corpus(600, seed=11) + [rng.sample(FILLERS, 5) for _ in range(200)]
    runs = []
    for bits in (10, 20):
        monkeypatch.setattr(TemplateFinder, "_sketch_bits", lambda self, n_words, b=bits: b)
        f = TemplateFinder(min_count=2, block_sentences=60).fit(data)
        runs.append(f)
    a, b = runs[0].templates_, runs[1].templates_
    assert a.patterns == b.patterns and a.counts.tolist() == b.counts.tolist() and a.examples == b.examples
    assert runs[0].report_["counted_templates"] >= runs[1].report_["counted_templates"] >= len(b)
    from minent.templates import sketch_add, sketch_keep, sketch_merge
    hashes = np.array([rng.randrange(-2**63, 2**63) for _ in range(50)] * 3 + [7] * 70000, np.int64)
    sk = np.zeros(2 << 4, np.uint16)
    sketch_add(sk, hashes)
    keep = np.empty(hashes.shape[0], np.bool_)
    sketch_keep(sk, hashes, 3, keep)
    assert keep.all()  # every hash occurs >= 3 times; 70000 saturates its counters and still passes
    sketch_keep(sk, hashes, 70000, keep)
    assert keep[-1]
    halves = np.zeros_like(sk), np.zeros_like(sk)  # merged halves: the sketch of the whole
    sketch_add(halves[0], hashes[::2])
    sketch_add(halves[1], hashes[1::2])
    sketch_merge(halves[0], halves[1])
    assert halves[0].tolist() == sk.tolist()


def test_fit_restores_the_garbage_collector():
    import gc
    sents = [["在", "北京", "中"], ["在", "上海", "中"]] * 5
    assert gc.isenabled()
    TemplateFinder(min_count=2).fit(sents)
    assert gc.isenabled()
    gc.disable()
    try:
        TemplateFinder(min_count=2).fit(sents)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_ranking_by_saving():
    t = Templates(["在 [X] 中", "[X] 的 [X] 的"], [10, 30], 100, {"在": 10, "中": 10, "的": 500}, 1000)
    assert t.order("count") == [1, 0]
    # 在…中: 10 x (ln .1 - 2 ln .01) = 69; 的…的: 30 x (ln .3 - 2 ln .5) = 5.5
    assert t.order("saving") == [0, 1]
    assert t.saving(0) == pytest.approx(10 * (np.log(0.1) - 2 * np.log(0.01)))
    with pytest.raises(MinentError):
        t.order("size")


def test_jobs_two_equals_one_on_a_spool(tmp_path, monkeypatch):
    from minent.parallel import LocalEngine
    from minent.sentences import SentenceSpool
    from minent.textio import Corpus
    text = tmp_path / "c.txt"
    sents = frame_corpus(4000, seed=9) + inner_frame_corpus(1000)
    text.write_text("\n".join(" ".join(s) + " 。" for s in sents) + "\n", encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # spool and spill files (workers inherit it)
    out = []
    # with a budget, the range tasks hand their counts over as spill runs (files, not arrays)
    # and a spool tokenised by range tasks knows its words: the count pass runs as range tasks too
    in_tasks, count_in_tasks = [], TemplateFinder._count_in_tasks
    monkeypatch.setattr(TemplateFinder, "_count_in_tasks",
                        lambda self, *a: in_tasks.append(1) or count_in_tasks(self, *a))
    for jobs, memory in ((1, None), (2, None), (2, 1 << 20)):
        with SentenceSpool(Corpus([str(text)]), str.split) as spool:
            engine = LocalEngine(jobs)
            if memory:
                spool.prepare(engine)
                assert spool.words[:3] == list(dict.fromkeys(sents[0]))[:3]
            f = TemplateFinder(min_count=3, memory=memory, inner_min_pmi=0.75).fit(spool, engine=engine)
            engine.close()
            assert os.path.getsize(spool.path) > 2 * (1 << 16)  # several range tasks
            path = tmp_path / f"t{jobs}-{memory}.tsv"
            f.save(str(path))
            out.append(path.read_text(encoding="utf-8"))
        assert (f.report_["spills"]["templates"] > 0) == (memory is not None)
    assert out[0] == out[1] == out[2] and "从 [X] 到" in out[0] and "在 [X] 的 [X] 下" in out[0] and in_tasks == [1]
    assert os.listdir(scratch) == []  # the workers' run folders were taken over, then removed


def test_cli_collocations_jobs_and_policies(tmp_path):
    text = tmp_path / "c.txt"
    text.write_text("\n".join(" ".join(s) + " 。" for s in frame_corpus(4000, seed=4)) + "\n", encoding="utf-8")
    runner = CliRunner()
    outs = []
    for jobs in ("1", "2"):
        o = tmp_path / f"t{jobs}.tsv"
        r = runner.invoke(main, ["collocations", str(text), "--pretokenized", "-o", str(o), "-q", "--jobs", jobs,
                                 "--top", "0"])
        assert r.exit_code == 0, r.output
        outs.append(o.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    report = json.loads((tmp_path / "t2.report.json").read_text(encoding="utf-8"))
    assert report["engine"]["jobs"] == 2 and report["parameters"]["punctuation"] == "excluded"
    r = runner.invoke(main, ["collocations", str(text), "--pretokenized", "-o", str(tmp_path / "x.tsv"),
                             "--punctuation", "commas"])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_cli_collocations_learns_its_lexicon_and_keeps_numbers(tmp_path):
    rng = random.Random(3)
    lines = []
    for _ in range(300):
        y = rng.choice(["１９９８年", "1997年", "２０００年"])
        a, b = rng.sample(["经济", "工业", "农业", "科技", "教育", "文化"], 2)
        lines.append(f"在{y}中，{a}和{b}都有发展。")
    text = tmp_path / "raw.txt"
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["collocations", str(text), "-o", str(tmp_path / "t.tsv"), "-q", "--top", "0"])
    assert r.exit_code == 0, r.output
    tpl = Templates.load(str(tmp_path / "t.tsv"))
    assert tpl.meta["tokenizer"] == "learn"
    assert {"１９９８年", "1997年"} <= set(tpl.word_counts)  # numbers with their unit are single tokens
    assert not any(w in tpl.word_counts for w in ("１", "９", "19"))


def test_example_sentences_read_as_lists_of_str():
    from minent.templates import ExampleSentences
    rows = np.array([[4, 9, -1], [9, -1, -1], [-1, -1, -1]], np.int64)
    ex = ExampleSentences(rows, np.array([4, 9]), ["在 北京 中".encode(), "你好 😀".encode()])
    assert list(ex) == [["在 北京 中", "你好 😀"], ["你好 😀"], []] and ex.width == 2 and len(ex) == 3
    assert ex == [["在 北京 中", "你好 😀"], ["你好 😀"], []] and list(ex.take([2, 0])) == [[], ["在 北京 中", "你好 😀"]]
    t = Templates(["[X] 中", "你好 [X]", "在 [X]"], [1, 3, 2], examples=ex)
    assert t.ranked().examples == [["你好 😀"], [], ["在 北京 中", "你好 😀"]]


# ----------------------------------------------------------------------------- array-backed templates

def _ref_order(t, by):
    """The ranking spelled out: (-score, text) over Python tuples."""
    scores = t.counts.tolist() if by == "count" else [t.saving(i) for i in range(len(t))]
    return sorted(range(len(t)), key=lambda i: (-scores[i], " ".join(t.patterns[i])))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(["[X]", "的", "在", "中", "a", "ab", "b!", "c"]),
                                   min_size=1, max_size=5), st.integers(1, 4)), min_size=1, max_size=40))
def test_pattern_store_matches_tuples(entries):
    pats, counts, seen = [], [], set()
    for p, c in entries:
        p = tuple(p)
        well_formed = not any(x == y == "[X]" for x, y in zip(p, p[1:]))
        if p not in seen and well_formed and any(x != "[X]" for x in p):
            seen.add(p)
            pats.append(p)
            counts.append(c)
    if not pats:
        return
    words = {"的": 9, "在": 4, "中": 4, "a": 2, "ab": 1, "c": 3}  # "b!" has no count: pmi nan, saving -inf
    listed = Templates(pats, counts, 50, words, 40)
    store = PatternStore.from_tuples(pats)
    arrayed = Templates(store, counts, 50, words, 40)
    assert store == pats and list(store) == pats and store[:3] == pats[:3] and store + [] == pats
    assert [store[i] for i in range(len(pats))] == pats
    assert store.n_literals().tolist() == [listed.n_literals(i) for i in range(len(pats))]
    assert store.trivial().tolist() == [listed.is_trivial(i) for i in range(len(pats))]
    ref = [listed.pmi(i) for i in range(len(pats))]
    got = arrayed.pmis().tolist()
    assert all((np.isnan(a) and np.isnan(b)) or a == b for a, b in zip(ref, got))  # the same floats
    for by in ("count", "saving"):
        assert listed.order(by) == arrayed.order(by) == _ref_order(listed, by)
        r = arrayed.ranked(by)
        assert isinstance(r.patterns, PatternStore) and r.patterns == listed.ranked(by).patterns
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a.tsv"), os.path.join(d, "b.tsv")
        listed.save(a)
        arrayed.save(b)
        assert open(a, "rb").read() == open(b, "rb").read()
        assert Templates.load(b).patterns == pats


def test_fit_keeps_templates_as_arrays():
    data = [["在", "家", "中", "休息"], ["在", "学校", "中", "读书"], ["我", "在", "家", "中"]] * 4
    f = TemplateFinder(min_count=2, ranking="saving").fit(data)
    t = f.templates_
    assert isinstance(t.patterns, PatternStore)
    assert f.report_["kept_nontrivial"] == sum(1 for i in range(len(t)) if not t.is_trivial(i))
    assert t.order("saving") == list(range(len(t)))  # stored in ranked order
    assert ("在", "[X]") in t.patterns and t.patterns == list(t.patterns)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(["[X]", "a", "ab", "a!", "b", "的", "在", "𝕏", "a\x7f"]),
                                   min_size=1, max_size=5), st.integers(0, 3)), min_size=1, max_size=60),
       st.booleans())
def test_ties_sorted_by_text_without_decoding(entries, control):
    """Runs of tied scores sorted by template text: by word ranks (no text decoded) equals a sort
    of the decoded texts; a word with a character below the space ("a\\x01": text order is then
    not word order) takes the decoded path, with the same result."""
    from minent.templates import _ties_by_decoded_text, _ties_by_text
    pats, groups = [], []
    for p, g in entries:
        p = tuple("a\x01" if control and t == "a!" else t for t in p)
        if p not in pats:
            pats.append(p)
            groups.append(g)
    store = PatternStore.from_tuples(pats)
    order = np.argsort(np.array(groups), kind="stable")
    group = np.array(groups, np.int64)[order]
    group = np.cumsum(np.r_[0, group[1:] != group[:-1]])
    want = sorted(range(len(pats)), key=lambda i: (groups[i], " ".join(pats[i])))
    assert _ties_by_text(store, order, group).tolist() == want
    assert _ties_by_decoded_text(store, order, group).tolist() == want


def test_example_cells_as_saved():
    """The example columns written from the sentence buffer are what the lists give: examples in
    order, empty cells to the width, tabs and line breaks inside a sentence turned into spaces."""
    from minent.templates import ExampleSentences
    rows = np.array([[4, 9, -1], [9, -1, -1], [-1, -1, -1], [7, 4, 9]], np.int64)
    sents = ["在 北京 中".encode(), "a\tb\nc".encode(), "你好 😀".encode()]
    ex = ExampleSentences(rows, np.array([4, 7, 9]), sents)
    assert ex.cells(0, 4, 3) == ["在 北京 中\t你好 😀\t", "你好 😀\t\t", "\t\t", "a b c\t在 北京 中\t你好 😀"]
    assert ex.cells(1, 3, 4) == ["你好 😀\t\t\t", "\t\t\t"] and ex.take([3]).cells(0, 1, 1) == ["a b c"]
    t = Templates(["[X] 中", "你好 [X]", "在 [X]", "a [X]"], [1, 3, 2, 5], examples=ex)
    listed = Templates(["[X] 中", "你好 [X]", "在 [X]", "a [X]"], [1, 3, 2, 5], examples=list(ex))
    with tempfile.TemporaryDirectory() as d:
        t.save(os.path.join(d, "a.tsv"))
        listed.save(os.path.join(d, "b.tsv"))
        assert open(os.path.join(d, "a.tsv"), "rb").read() == open(os.path.join(d, "b.tsv"), "rb").read()
        assert Templates.load(os.path.join(d, "a.tsv")).examples[3] == ["a b c", "在 北京 中", "你好 😀"]


def test_spool_examples_equal_the_line_reader(tmp_path, monkeypatch):
    """Example lines found in blocks (blocks smaller than a line, a last line without a break)
    are the lines a line-by-line reader finds."""
    import minent.templates as T
    rng = random.Random(5)
    lines = [" ".join(rng.choice(["在", "家", "中", "😀", "ab"]) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    path = tmp_path / "s.txt"
    for last in ("\n", ""):
        path.write_bytes(("\n".join(lines) + last).encode("utf-8"))
        for wanted in ([0, 1, 2], [399], sorted(rng.sample(range(400), 50)), []):
            wanted = np.array(wanted, np.int64)
            with open(path, "rb") as fh:
                ref = TemplateFinder._find_examples(fh, lambda line: line.rstrip(b"\r\n"), wanted, None, 0)
            for size in (7, 100, 1 << 20):
                monkeypatch.setattr(T, "_EXAMPLE_READ_BYTES", size)
                got = TemplateFinder._spool_examples(str(path), wanted, None, 0)
                assert got == ref


def test_spool_examples_kept_on_disk_read_as_in_memory(tmp_path, monkeypatch):
    """Example lines written to a SentenceFile (a block at a time, no name on disk) read back,
    by single slices and by merged reads of neighbours, as the in-memory buffer holds them; the
    templates' examples and saved cells are the same either way."""
    import minent.templates as T
    rng = random.Random(7)
    lines = [" ".join(rng.choice(["在", "家", "中", "😀", "ab"]) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    path = tmp_path / "s.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    wanted = np.array(sorted(rng.sample(range(300), 60)), np.int64)
    monkeypatch.setattr(T, "_EXAMPLE_READ_BYTES", 100)
    blob, ends = TemplateFinder._spool_examples(str(path), wanted, None, 0)
    out = T.SentenceFile(str(tmp_path))
    got, got_ends = TemplateFinder._spool_examples(str(path), wanted, None, 0, out)
    assert got is out and got_ends == ends and len(out) == len(blob) and out[0:len(blob)] == bytes(blob)
    assert sorted(os.listdir(tmp_path)) == ["s.txt"]  # the examples file has no name
    off = [0] + list(ends)
    for gap, most in ((0, 1), (1 << 12, 1 << 22), (50, 200)):
        monkeypatch.setattr(T, "_GAP_BYTES", gap)
        monkeypatch.setattr(T, "_READ_BYTES", most)
        sel = sorted(rng.sample(range(60), 25))
        assert out.pieces([off[i] for i in sel], [off[i + 1] for i in sel]) == [bytes(blob[off[i]:off[i + 1]]) for i in sel]
    rows = np.array([[wanted[rng.randrange(60)] if rng.random() < 0.8 else -1 for _ in range(3)] for _ in range(40)])
    on_disk, in_memory = T.ExampleSentences(rows, wanted, out, ends), T.ExampleSentences(rows, wanted, blob, ends)
    assert list(on_disk) == list(in_memory) and on_disk.cells(0, 40, 3) == in_memory.cells(0, 40, 3)
    assert on_disk.take([5, 1]).cells(0, 2, 4) == in_memory.take([5, 1]).cells(0, 2, 4)
    assert list(on_disk)[3] == [lines[j] for j in rows[3].tolist() if j >= 0]
    tabbed = T.SentenceFile()
    tabbed.append(b"a\tb")
    assert T.ExampleSentences(np.array([[0, -1]]), np.array([0]), tabbed, [3]).cells(0, 1, 2) == ["a b\t"]


def test_spool_line_blocks_equal_the_token_lists(tmp_path):
    """Blocks of spool lines split in one call (and a block with a double space, split line by
    line) hold the ids, bounds and first sentences that blocks of the lines' token lists hold."""
    from minent.templates import _Lines
    rng = random.Random(2)
    words = ["在", "家", "中", "，", "[X]", "ab", "😀"]
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(700)]
    lines[650] = "在  家"
    path = tmp_path / "s.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    f = TemplateFinder(block_sentences=128)
    for grow in (True, False):
        v1, v2 = Vocabulary(words[:3]), Vocabulary(words[:3])
        ref = list(f._blocks([line.split() for line in lines], v1, grow))
        reader = _Lines(str(path), 0, path.stat().st_size)
        got = list(reader.blocks(f, v2, grow))
        assert reader.n == 700 and v1.words == v2.words and len(got) == len(ref) == 6
        for a, b in zip(ref, got):
            assert a.first_sentence == b.first_sentence
            assert a.ids.tolist() == b.ids.tolist() and a.bounds.tolist() == b.bounds.tolist()
            assert a.lit_ids.tolist() == b.lit_ids.tolist() and a.piece_sent.tolist() == b.piece_sent.tolist()
