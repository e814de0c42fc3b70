"""Template mining: kernels against plain-Python references, TemplateFinder, file format, CLI."""
import json
import random

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from minent.commands import main
from minent.errors import FormatError, MinentError
from minent.hashtable import KeyCounter
from minent.templates import (PLACEHOLDER, TemplateFinder, Templates, Vocabulary, _pack, block_templates,
                              is_trivial, parse_template, piece_boundaries, record_examples, skipgram_keys,
                              split_sentences)


# ----------------------------------------------------------------------------- references

def ref_skipgrams(sentences, window):
    out = []
    for s in sentences:
        for i, a in enumerate(s):
            for j in range(i + 1, min(len(s), i + window + 1)):
                if a > 0 and s[j] > 0:
                    out.append((a << 32) | s[j])
    return out


def ref_templates(sent, window, strong, max_paths):
    """Templates of one sentence (ids), same DFS order and cap as the kernel, duplicates merged."""
    n = len(sent)
    succ = {i: [j for j in range(i + 1, min(n, i + window + 1))
                if sent[i] > 0 and sent[j] > 0 and (sent[i], sent[j]) in strong] for i in range(n)}
    indeg = {j: sum(j in v for v in succ.values()) for j in range(n)}
    out, capped = [], False
    for src in range(n):
        if sent[src] <= 0 or indeg[src]:
            continue
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
        total = count_paths(src, succ)
        capped |= total > max_paths
        for p in paths:
            t = ([PLACEHOLDER] if p[0] > 0 else [])
            for k, pos in enumerate(p):
                if k and pos - p[k - 1] > 1:
                    t.append(PLACEHOLDER)
                t.append(sent[pos])
            if p[-1] < n - 1:
                t.append(PLACEHOLDER)
            if t not in out:
                out.append(t)
    return out, capped


def count_paths(u, succ):
    return 1 if not succ[u] else sum(count_paths(v, succ) for v in succ[u])


def run_block(sentences, window, strong_pairs, max_paths, buf=1 << 12):
    ids, bounds = _pack(sentences)
    strong = KeyCounter(64)
    if strong_pairs:
        strong.add(np.array([(a << 32) | b for a, b in strong_pairs], np.int64))
    codes = np.empty(buf, np.int32)
    tb = np.empty(buf + 1, np.int64)
    th = np.empty(buf, np.int64)
    ts = np.empty(buf, np.int64)
    capped = np.zeros(len(sentences), np.bool_)
    per_sent = [[] for _ in sentences]
    s = 0
    while s < len(sentences):
        nxt, n_t, n_c = block_templates(ids, bounds, s, window, strong.keys, strong.vals, max_paths,
                                        codes, tb, th, ts, capped)
        assert nxt > s, "buffer too small for one sentence"
        for t in range(n_t):
            per_sent[ts[t]].append(codes[tb[t]:tb[t + 1]].tolist())
        s = nxt
    return per_sent, capped


# ----------------------------------------------------------------------------- kernels

sentences_strategy = st.lists(st.lists(st.integers(-1, 5), min_size=0, max_size=9), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(sentences_strategy, st.integers(1, 4))
def test_skipgram_keys_match_reference(sentences, window):
    ids, bounds = _pack(sentences)
    assert sorted(skipgram_keys(ids, bounds, window).tolist()) == sorted(ref_skipgrams(sentences, window))


@settings(max_examples=80, deadline=None)
@given(sentences_strategy, st.integers(1, 3), st.sets(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=12),
       st.integers(1, 4))
def test_block_templates_match_reference(sentences, window, strong, max_paths):
    got, capped = run_block(sentences, window, strong, max_paths)
    for s, sent in enumerate(sentences):
        want, want_capped = ref_templates(sent, window, strong, max_paths)
        assert got[s] == want
        assert bool(capped[s]) == want_capped


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


def test_record_examples_keeps_first_k():
    n_ex = np.zeros(3, np.int64)
    ex = np.full((3, 2), -1, np.int64)
    record_examples(np.array([0, 1, 0, 0, 2]), np.array([5, 6, 7, 8, 9]), n_ex, ex)
    assert ex.tolist() == [[5, 7], [6, -1], [9, -1]]


# ----------------------------------------------------------------------------- small pieces

def test_split_sentences_drops_final_marks():
    assert split_sentences("你好 吗 ？ 我 很 好 。 。 谢谢".split()) == [["你好", "吗"], ["我", "很", "好"], ["谢谢"]]
    assert split_sentences(["，", "好"]) == [["，", "好"]]
    assert split_sentences("说 “ 好 。 ” 走 。".split()) == [["说", "“", "好", "”"], ["走"]]


def test_parse_template_and_trivial():
    assert parse_template("[X] [X] 的 [X]") == ("[X]", "的", "[X]")
    assert is_trivial(parse_template("[X] 的 [X]")) and not is_trivial(parse_template("[X] 吗"))
    with pytest.raises(FormatError):
        parse_template("[X]")


def test_vocabulary_reserves_placeholder():
    v = Vocabulary()
    assert v.encode(["a", "[X]", "b", "a"], grow=True) == [1, -1, 2, 1]
    assert v.encode(["b", "zzz"]) == [2, -1]


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
    data = question_corpus(800, seed=5) + [rng.sample(FILLERS, 4) for _ in range(300)]
    free = TemplateFinder(min_count=2, block_sentences=40).fit(data)
    tight = TemplateFinder(min_count=2, block_sentences=40, memory=1).fit(data)  # spill at every block
    assert free.report_["spills"] == {"pairs": 0, "templates": 0}
    assert tight.report_["spills"]["pairs"] > 5 and tight.report_["spills"]["templates"] > 5
    a, b = free.templates_, tight.templates_
    assert a.patterns == b.patterns and a.counts.tolist() == b.counts.tolist()
    assert a.examples == b.examples  # the first examples survive the merge of runs
    for key in ("distinct_pairs", "strong_pairs", "distinct_templates", "template_occurrences"):
        assert free.report_[key] == tight.report_[key]
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
    assert out.read_text(encoding="utf-8").startswith("# minent-templates format=1")
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
