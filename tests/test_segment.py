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


def test_long_run_is_segmented_in_bounded_chunks():
    lex = lexicon(北京=10, 大学生=5)
    text = "北京大学生" * 40000  # 200k characters, longer than one DP chunk
    words = lex.segment(text)
    assert "".join(words) == text
    assert words[:2] == ["北京", "大学生"]
