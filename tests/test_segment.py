import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from minent import Lexicon, Segmenter


def lexicon(**counts):
    return Lexicon(list(counts), list(counts.values()), total=100)


@pytest.mark.parametrize("big, expected", [
    (2, ["北京", "大学生"]),   # ln .10 + ln .05 = -5.30 beats ln .02 + ln .01 = -8.52
    (40, ["北京", "大学生"]),  # ln .40 + ln .01 = -5.52 still loses to -5.30
    (60, ["北京大学", "生"]),  # ln .60 + ln .01 = -5.12 wins
])
def test_viterbi_picks_max_log_probability(big, expected):
    lex = Lexicon(["北京", "北京大学", "大学生", "生", "大学", "学生"], [10, big, 5, 1, 5, 5], total=100)
    assert lex.segment("北京大学生") == expected


def test_unknown_characters_and_rules():
    lex = lexicon(北京=10, 大学生=5)
    assert lex.segment("１９９８年北京X大学生们！！") == ["１９９８年", "北京", "X", "大学生", "们", "！！"]
    assert lex.segment("") == []


def test_tie_goes_to_first_found():
    # 北京|京 vs 北|京京 with equal scores: the split found first (shorter first word) wins
    seg = Segmenter(["北", "京", "北京", "京京"], np.log([0.1, 0.1, 0.1, 0.1]), math.log(1e-3))
    assert seg.segment("北京京") == ["北", "京京"]


def test_segment_text_keeps_lines():
    lex = lexicon(北京=10, 大学生=5)
    assert lex.segmenter.segment_text("北京大学生\n\n大学生 北京\n") == "北京 大学生\n\n大学生 北京\n"
    assert list(lex.segmenter.segment_lines(["北京大学生", ""])) == ["北京 大学生", ""]


WORDS = ["北京", "大学", "大学生", "生活", "的", "北", "京京", "天安门"]


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="北京大学生活的天安门，12 ab\n", max_size=60))
def test_segmentation_concatenates_back_to_input(text):
    lex = Lexicon(WORDS, [5, 4, 3, 2, 9, 1, 1, 2])
    words = lex.segment(text)
    assert "".join(words) == "".join(text.split())
    assert all(words)
    assert lex.segment(text) == words  # deterministic
    assert lex.segmenter.segment_text(text).split() == words


@pytest.mark.parametrize("rules", [0, 1, 2])
@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(alphabet="北京大学生活的天安门，。12３年 ab·カナ第\n\t😀", max_size=30), max_size=8))
def test_segment_many_equals_line_by_line(rules, lines):
    seg = Segmenter(WORDS, np.log([5, 4, 3, 2, 9, 1, 1, 2]) - np.log(27.0), math.log(1e-3), rules)
    assert seg.segment_many(lines) == [seg.segment(line) for line in lines]


def test_long_run_is_segmented_in_bounded_chunks():
    lex = lexicon(北京=10, 大学生=5)
    text = "北京大学生" * 40000  # 200k characters, longer than one DP chunk
    words = lex.segment(text)
    assert "".join(words) == text
    assert words[:2] == ["北京", "大学生"]


def test_one_decoder_one_tie_rule():
    """Equal paths: the one found first wins (left to right, shorter words first; a later path
    must be strictly better) — in the segmenter, the learner's counting pass and the redundancy
    split alike, since all three are minent.viterbi.best_path."""
    import math
    import numpy as np
    from minent import Segmenter
    from minent.hashtable import SeqCounter
    from minent.pretokenize import to_codes
    from minent.viterbi import best_path, candidates, count_uses, make_scratch
    words = ["甲乙", "甲", "乙", "乙丙", "丙"]
    lp = math.log(0.25)
    logp = np.array([2 * lp, lp, lp, 2 * lp, lp])  # every split of 甲乙丙 scores 3 lp
    seg = Segmenter(words, logp, -20.0)
    # end 2 is reached first by 甲乙 (from 0), then 甲+乙 ties and loses; end 3 is reached first
    # by 甲+乙丙 (its last word starts at 1), then 甲乙+丙 (from 2) ties and loses
    assert seg.segment("甲乙丙") == ["甲", "乙丙"]
    assert seg.segment("甲乙") == ["甲乙"]
    table = SeqCounter(16, 64)
    table.add(to_codes("".join(words)), np.array([0, 2, 3, 4, 6, 7]))
    codes = to_codes("甲乙丙")
    cand = np.empty((3, 2), np.int32)
    candidates(table.frozen(), codes, 0, 3, False, cand, 0)
    assert cand.tolist() == [[1, 0], [2, 3], [4, -1]]
    counts = np.zeros(5, np.int64)
    count_uses((codes, np.array([0, 3]), np.array([2])), cand, logp, -20.0, counts)
    assert counts.tolist() == [0, 2, 0, 2, 0]
    scratch = make_scratch(3)
    assert best_path(cand, 0, 3, logp, -20.0, scratch, True) == pytest.approx(3 * lp)
    # an unknown character, or one scored -inf, costs unknown_logp; a longer non-word is no path
    logp2 = logp.copy()
    logp2[1] = -np.inf
    assert Segmenter(words, logp2, -20.0).segment("甲丁") == ["甲", "丁"]
    candidates(table.frozen(), to_codes("甲丁"), 0, 2, False, cand, 0)
    assert best_path(cand, 0, 2, logp2, -20.0, scratch, True) == -40.0


def test_prefix_closed_lookup_and_overlong_entries():
    """The segmenter indexes every prefix of its words (score -inf) so the lattice search stops at
    the first miss; results equal a plain dictionary DP. An entry longer than MAX_WORD characters
    stays in the vocabulary but is never matched (no memory blow-up on a sentence given as a word)."""
    import numpy as np
    from minent import Segmenter
    from minent.segment import MAX_WORD
    words = ["北京大学", "北京", "大学", "大学生", "生活", "学"]
    logp = np.log(np.array([3, 5, 4, 2, 3, 1]) / 18.0)
    seg = Segmenter(words, logp, -12.0)
    assert seg.size == len(words) and len(seg.table) > len(words)  # 北京大 added as a prefix
    assert seg.segment("北京大学生活") == ["北京大学", "生活"]
    assert seg.segment("北京大") == ["北京", "大"]  # a prefix is not a word
    long_word = "天地" * (MAX_WORD + 10)
    seg2 = Segmenter(words + [long_word], np.append(logp, -1.0), -12.0)
    assert seg2.max_len == MAX_WORD
    assert seg2.segment("北京" + long_word[:4]) == ["北京", "天", "地", "天", "地"]


@given(st.lists(st.text(alphabet="中华人民共和国长", min_size=1, max_size=8), min_size=1, max_size=12),
       st.integers(1, 9))
@settings(max_examples=60, deadline=None)
def test_proper_prefixes_match_a_plain_python_reference(words, max_word):
    from minent.pretokenize import to_codes
    from minent.segment import proper_prefixes
    codes = to_codes("".join(words))
    bounds = np.concatenate([[0], np.cumsum([len(w) for w in words])]).astype(np.int64)
    pc, pb = proper_prefixes(codes, bounds, max_word)
    got = ["".join(map(chr, pc[pb[i]:pb[i + 1]])) for i in range(len(pb) - 1)]
    assert got == [w[:k] for k in range(1, max_word) for w in words if len(w) > k]


def test_segmenter_from_its_state_segments_the_same():
    """A task's segmenter rebuilt from :meth:`Segmenter.state` (plain arrays) gives the same tokens."""
    from minent.segment import Segmenter
    from minent.pretokenize import Rules
    words = ["北京", "大学", "北京大学", "学生", "大学生", "的", "我", "是", "·"]
    seg = Segmenter(words, np.log(np.arange(1, len(words) + 1) / 50.0), -9.0, Rules.DOT)
    copy = Segmenter.from_state(seg.state())
    text = "我是北京大学的学生，2024年 乔治·布什 北京大学生abc"
    a, b = seg.tokens(text), copy.tokens(text)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert copy.size == seg.size and np.array_equal(copy.lengths, seg.lengths)
    assert copy.segment(text) == seg.segment(text)
