import pytest

from minent import score_segmentation
from minent.errors import InputError


def test_scores_by_hand():
    gold = ["北京  大学生  来了", "我  爱  你"]
    pred = ["北京大学 生 来了", "我 爱 你"]
    s = score_segmentation(gold, pred, known_words={"北京", "我", "爱", "你"})
    # line 1: only 来了 matches (both boundaries); line 2: all three
    assert (s.gold_words, s.pred_words, s.correct) == (6, 6, 4)
    assert s.precision == pytest.approx(4 / 6) and s.recall == pytest.approx(4 / 6)
    assert s.f1 == pytest.approx(4 / 6)
    assert s.oov_words == 2 and s.oov_recall == pytest.approx(0.5)  # 大学生 missed, 来了 found


def test_precision_and_recall_differ():
    s = score_segmentation(["ab  c"], ["a b c"])
    assert s.precision == pytest.approx(1 / 3) and s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert s.oov_recall is None


def test_refuses_different_characters_with_line_number():
    with pytest.raises(InputError, match="line 2"):
        score_segmentation(["a b", "c d"], ["a b", "c e"])
    with pytest.raises(InputError, match="fewer lines"):
        score_segmentation(["a b", "c d"], ["a b"])
