import pytest

from minent.pretokenize import spans


@pytest.mark.parametrize("text, expected", [
    ("１２月３１日，江泽民", [("１２月", "number"), ("３１日", "number"), ("，", "punct"), ("江泽民", "han")]),
    ("１９９８年和5年", [("１９９８年", "number"), ("和", "han"), ("5", "number"), ("年", "han")]),
    ("增长２０％约１．５万人", [("增长", "han"), ("２０％", "number"), ("约", "han"), ("１．５万", "number"),
                        ("人", "han")]),
    ("比分３∶０ －０．４", [("比分", "han"), ("３∶０", "number"), ("－０．４", "number")]),
    ("ＣＤ—ＲＯＭ和Ｈ５Ｎ１、5G", [("ＣＤ—ＲＯＭ", "letters"), ("和", "han"), ("Ｈ５Ｎ１", "letters"),
                             ("、", "punct"), ("5G", "letters")]),
    ("（一九九七年十二月三十一日）", [("（", "punct"), ("一九九七年", "date"), ("十二月", "date"),
                           ("三十一日", "date"), ("）", "punct")]),
    ("十分好，三十二日，一年", [("十分好", "han"), ("，", "punct"), ("三十二日", "han"), ("，", "punct"),
                        ("一年", "han")]),
    ("好！！！\u3000hello world——", [("好", "han"), ("！！！", "punct"), ("hello", "letters"),
                                  ("world", "letters"), ("——", "punct")]),
    ("", []),
    (" \t\n\ufeff", []),
])
def test_spans(text, expected):
    assert spans(text) == expected


def test_rules_off_makes_every_digit_and_letter_a_unit():
    assert spans("１２月ab", rules=False) == [("１", "punct"), ("２", "punct"), ("月", "han"),
                                              ("a", "punct"), ("b", "punct")]
    assert spans("一九九八年", rules=False) == [("一九九八年", "han")]


def test_spans_cover_every_non_space_character():
    text = "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）\nabc 12.5% 😀\u0301"
    got = "".join(s for s, _ in spans(text))
    assert got == "".join(ch for ch in text if not ch.isspace())
