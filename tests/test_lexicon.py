import math
from collections import Counter

import pytest

from functools import partial

from minent import Lexicon, learn_lexicon
from minent.errors import FormatError, MinentError
from minent.lexicon import LexiconParams, count_order, remove_redundancy
from minent.pretokenize import spans

from conftest import VOCAB, reference_cut, word_corpus

build_lexicon = partial(learn_lexicon, preset="faithful")  # the four steps of method.md §2


def reference_lexicon(lines, min_count=3, min_prob=1e-6, min_pmi=2.0, max_len=5, thr="len-1"):
    """The four steps of method.md §2, written plainly on Python strings."""
    pieces = [s for line in lines for s, kind in spans(line) if kind == "han"]
    chars = Counter(c for p in pieces for c in p)
    pairs = Counter(p[i:i + 2] for p in pieces for i in range(len(p) - 1))
    n = sum(chars.values())
    cut = max(min_count, min_prob * n)
    strong = {ab for ab, c in pairs.items()
              if c >= cut and math.log(c * n / (chars[ab[0]] * chars[ab[1]])) >= min_pmi}
    cands, total = reference_cut(pieces, strong, max_len)
    words = {w: c for w, c in cands.items() if c >= max(min_count, min_prob * total)}
    for w in sorted(words, key=lambda w: (-len(w), -words[w], w)):
        if len(w) < 2:
            continue
        c = words.pop(w)
        # best split by brute force over all compositions
        best, best_split = -math.inf, None
        for mask in range(1 << (len(w) - 1)):
            parts, s = [], 0
            for i in range(1, len(w) + 1):
                if i == len(w) or mask >> (i - 1) & 1:
                    parts.append(w[s:i])
                    s = i
            if any(len(x) > 1 and x not in words for x in parts):
                continue
            lp = sum(math.log(words[x] / total) if x in words else math.log(0.5 / total) for x in parts)
            if lp > best + 1e-12:
                best, best_split = lp, parts
        score = math.log(c / total) - best
        if score > (len(w) - 1 if thr == "len-1" else thr):
            words[w] = c
        else:
            for x in best_split:
                words[x] = words.get(x, 0) + c
    return words


def test_toy_corpus_gives_exactly_the_vocabulary(toy):
    raw, _ = toy
    lex = build_lexicon(raw)
    multi = {w for w in lex.words if len(w) > 1}
    assert multi == set(VOCAB)
    occurrences = Counter(w for line in toy[1] for w in line.split())
    assert all(lex.count(w) == occurrences[w] for w in VOCAB)
    assert lex.total == sum(occurrences.values())


@pytest.mark.parametrize("seed, kw", [(1, {}), (2, {"min_pmi": 1.0}), (3, {"max_len": 2}),
                                      (4, {"min_pmi": 0.5, "redundancy_threshold": 1.0})])
def test_build_matches_reference(seed, kw):
    vocab = VOCAB + ["的", "了", "是", "北京大学", "大学生", "学生", "天安"]
    raw, _ = word_corpus(400, seed, vocab)
    raw = [line + "的" + line[:3] for line in raw]
    lex = build_lexicon(raw, **kw)
    ref = reference_lexicon(raw, min_pmi=kw.get("min_pmi", 2.0), max_len=kw.get("max_len", 5),
                            thr=kw.get("redundancy_threshold", "len-1"))
    assert dict(lex.items()) == ref


def test_redundancy_removes_fragment_and_hands_down_counts():
    cands = {"的主要": 40, "主要": 60, "的": 1000, "主": 5, "要": 5, "北京": 50, "北": 1, "京": 1}
    kept, sub = remove_redundancy(cands, 2000, LexiconParams())
    assert "的主要" not in kept
    assert kept["主要"] == 100 and kept["的"] == 1040
    assert "北京" in kept and sub["北京"] > 1


def test_save_load_roundtrip(tmp_path, toy):
    lex = build_lexicon(toy[0])
    path = tmp_path / "lex.tsv"
    lex.save(str(path))
    again = Lexicon.load(str(path))
    assert dict(again.items()) == dict(lex.items())
    assert again.total == lex.total and again.unknown_logp == lex.unknown_logp
    text = "".join(toy[0][:20])
    assert again.segment(text) == lex.segment(text)
    for k in lex.scores:
        a, b = lex.scores[k], again.scores[k]
        assert ((abs(a - b) < 1e-3) | (a != a) & (b != b)).all()


def test_load_rejects_other_format_version(tmp_path):
    p = tmp_path / "lex.tsv"
    p.write_text("# minent-lexicon format=99 total=3 unknown_logp=-1 rules=1\nword\tcount\n", encoding="utf-8")
    with pytest.raises(FormatError, match="format 99"):
        Lexicon.load(str(p))


def test_load_word_list_and_jieba_dict(tmp_path):
    p = tmp_path / "words.txt"
    p.write_text("北京 30 ns\n天安门 10\n北京 5\n", encoding="utf-8")
    lex = Lexicon.load(str(p))
    assert dict(lex.items()) == {"北京": 30, "天安门": 10}
    assert lex.segment("北京天安门") == ["北京", "天安门"]


def test_bad_parameters_and_inputs():
    with pytest.raises(MinentError):
        build_lexicon(["北京"], max_len=0)
    with pytest.raises(MinentError, match="re-iterable"):
        build_lexicon(x for x in ["北京"])
    with pytest.raises(MinentError, match="no Chinese text"):
        build_lexicon(["hello world", ""])


def test_deterministic(toy):
    a = build_lexicon(toy[0][:500], min_pmi=1.0)
    b = build_lexicon(list(toy[0][:500]), min_pmi=1.0)
    assert a.words == b.words and (a.counts == b.counts).all()


def test_count_order_is_the_python_sort():
    """The saved order (count descending, ties by code points) by numpy equals Python's sort,
    with ties among words of different lengths, characters beyond the BMP and a NUL (fallback)."""
    import random
    rng = random.Random(3)
    alphabet = ["的", "一", "是", "a", "Z", "𠀋", "𪚥", "·", "中国"]
    words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(400)})
    rng.shuffle(words)
    counts = [rng.randint(1, 5) for _ in words]
    want = sorted(range(len(words)), key=lambda i: (-counts[i], words[i]))
    assert count_order(words, counts).tolist() == want
    words[0] = "a\x00"
    want = sorted(range(len(words)), key=lambda i: (-counts[i], words[i]))
    assert count_order(words, counts).tolist() == want
    assert count_order([], []).tolist() == []
    ordered = [words[i] for i in want]  # already in order: checked, not sorted (same answer)
    assert count_order(ordered, [counts[i] for i in want]).tolist() == list(range(len(words)))
    swapped, c = ordered[:], [counts[i] for i in want]  # a tie out of order: sorted
    t = next(i for i in range(len(c) - 1) if c[i] == c[i + 1])
    swapped[t], swapped[t + 1] = swapped[t + 1], swapped[t]
    assert count_order(swapped, c).tolist() == sorted(range(len(c)), key=lambda i: (-c[i], swapped[i]))


def test_saved_files_are_the_plain_python_rows(tmp_path):
    """save / save_jieba write what a row-by-row Python formatting gives, in count order (more
    rows than one written chunk), and name the first bad word."""
    import numpy as np
    from minent import lexicon as lx
    rng = np.random.default_rng(0)
    words = [chr(0x4E00 + i // 7) + chr(0x4E00 + i % 97) for i in range(300)]
    counts = rng.integers(1, 6, len(words))
    scores = {"pair_pmi": rng.normal(size=300), "pmi": np.where(rng.random(300) < 0.3, np.nan, rng.normal(size=300)),
              "fstar": rng.normal(size=300) * 1e-5, "sub_pmi": -np.abs(rng.normal(size=300))}
    lex = Lexicon(words, counts, 1000, scores, -7.0, 2)
    old_chunk = lx._write_columns.__defaults__
    lx._write_columns.__defaults__ = (64,)
    try:
        lex.save(str(tmp_path / "a.tsv"))
        lex.save_jieba(str(tmp_path / "a.jieba"))
    finally:
        lx._write_columns.__defaults__ = old_chunk
    order = sorted(range(300), key=lambda i: (-counts[i], words[i]))
    rows = ["\t".join([words[i], str(counts[i]), f"{counts[i] / 1000:.6g}",
                       *("" if v != v else f"{v:.4f}" for v in (scores[k][i] for k in lx.COLUMNS[3:]))])
            for i in order]
    lines = (tmp_path / "a.tsv").read_text(encoding="utf-8").split("\n")
    assert lines[2:] == rows + [""]
    assert (tmp_path / "a.jieba").read_text(encoding="utf-8") == "".join(f"{words[i]} {counts[i]}\n" for i in order)
    with pytest.raises(FormatError, match="'b c'"):
        Lexicon(["a", "b c", "d e"], [3, 2, 1]).save_jieba(str(tmp_path / "b.jieba"))
    with pytest.raises(FormatError, match="'b\\\\tc'"):
        Lexicon(["a", "b\tc", "d\te"], [3, 2, 1]).save(str(tmp_path / "b.tsv"))
