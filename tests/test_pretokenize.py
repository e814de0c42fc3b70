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


def test_middle_dot_rules_link_numbers_and_letters_only_when_on():
    text = "增长１３·４亿，Ｋ·Ｄ，乔治·布什，7・5%"
    assert spans(text, rules=2) == [("增长", "han"), ("１３·４亿", "number"), ("，", "punct"),
                                    ("Ｋ·Ｄ", "letters"), ("，", "punct"), ("乔治", "han"), ("·", "punct"),
                                    ("布什", "han"), ("，", "punct"), ("7・5%", "number")]
    # default rules unchanged: the dot is its own span
    assert spans("１３·４亿Ｋ·Ｄ", rules=True) == [("１３", "number"), ("·", "punct"), ("４亿", "number"),
                                                ("Ｋ", "letters"), ("·", "punct"), ("Ｄ", "letters")]
    # a dot at an edge or between a digit and a Han character links nothing
    assert spans("·１３· 好·", rules=2) == [("·", "punct"), ("１３", "number"), ("·", "punct"),
                                          ("好", "han"), ("·", "punct")]


def test_join_dotted_joins_touching_han_words_across_a_dot():
    from minent import Lexicon
    words = ["美国", "总统", "乔治", "布什", "二世", "说", "好"]
    dot = Lexicon(words, [5] * len(words), rules=2)
    assert dot.segment("美国总统乔治·布什·二世说") == ["美国", "总统", "乔治·布什·二世", "说"]
    # not across white space, not next to non-Han tokens, not a dot run
    assert dot.segment("乔治 · 布什") == ["乔治", "·", "布什"]
    assert dot.segment("好·12·说") == ["好", "·", "12", "·", "说"]
    assert dot.segment("好··说") == ["好", "··", "说"]
    assert dot.segmenter.segment_text("乔治·布什说\n好") == "乔治·布什 说\n好"
    plain = Lexicon(words, [5] * len(words), rules=True)
    assert plain.segment("乔治·布什") == ["乔治", "·", "布什"]


def test_dot_rules_survive_a_lexicon_file(tmp_path):
    from minent import Lexicon
    lex = Lexicon(["乔治", "布什"], [3, 2], rules=2)
    path = str(tmp_path / "lex.tsv")
    lex.save(path)
    back = Lexicon.load(path)
    assert back.rules == 2 and back.segment("乔治·布什") == ["乔治·布什"]
    Lexicon(["乔治"], [3], rules=True).save(path)
    assert Lexicon.load(path).rules is True


@pytest.mark.parametrize("text, expected", [
    # Han, hiragana and katakana are one run the statistics see: a script change is not a cut
    ("表立った動きを挙げる。", [("表立った動きを挙げる", "han"), ("。", "punct")]),
    ("ジョージ・ブッシュは人々と３つの", [("ジョージ", "han"), ("・", "punct"), ("ブッシュは人々と", "han"),
                                  ("３", "number"), ("つの", "han")]),
    ("ｿﾆｰとソニーのCD", [("ｿﾆｰとソニーの", "han"), ("CD", "letters")]),
    ("한국어 단어와漢字", [("한국어", "han"), ("단어와漢字", "han")]),
    ("國語和国语", [("國語和国语", "han")]),
])
def test_word_scripts_form_one_run(text, expected):
    assert spans(text) == expected


def test_script_classes():
    from minent.pretokenize import script_class
    got = [script_class(c) for c in "表々あゞアーｶ한ᄀ1１aΩ 。・"]
    assert got == ["han", "han", "hiragana", "hiragana", "katakana", "katakana", "katakana", "hangul",
                   "hangul", "digit", "digit", "letter", "letter", "space", "other", "other"]


def test_katakana_rule_joins_touching_katakana_tokens_only():
    import numpy as np

    from minent.pretokenize import class_table, join_katakana, to_codes
    text = "ソングにソンアは"
    cps = to_codes(text)
    cuts = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 6), (6, 7), (7, 8)]  # ソ ン グ に ソン ア は
    s, e = (np.array(x, np.int64) for x in zip(*cuts))
    s2, e2, ids = join_katakana(cps, class_table(), s, e, np.arange(len(s), dtype=np.int64))
    assert [text[a:b] for a, b in zip(s2, e2)] == ["ソング", "に", "ソンア", "は"]
    assert ids.tolist() == [-1, 3, -1, 6]


def test_chinese_spans_unchanged_by_word_scripts():
    """Han-only text: the scanner gives exactly the Han-only spans (kana, Hangul absent)."""
    text = "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）乔治·布什"
    assert all(k in ("han", "punct", "date", "number") for _, k in spans(text))
    assert "".join(s for s, k in spans(text) if k == "han") == "迈向充满希望的新世纪新年讲话附图片张乔治布什"


@pytest.mark.parametrize("text, expected", [
    ("人口16,250人", [("人口", "han"), ("16,250", "number"), ("人", "han")]),
    ("價格1,234,567元", [("價格", "han"), ("1,234,567", "number"), ("元", "han")]),
    ("1,2,3", [("1", "number"), (",", "punct"), ("2", "number"), (",", "punct"), ("3", "number")]),
    ("1,0000", [("1", "number"), (",", "punct"), ("0000", "number")]),
    ("１，２５０", [("１", "number"), ("，", "punct"), ("２５０", "number")]),  # full width: a list
    ("約20萬人", [("約", "han"), ("20萬", "number"), ("人", "han")]),
    ("4.5億元10時", [("4.5億", "number"), ("元", "han"), ("10時", "number")]),
])
def test_group_comma_and_traditional_suffixes(text, expected):
    assert spans(text) == expected


def test_ordinal_rule_joins_di_and_a_number_except_in_kana_text():
    from minent import Lexicon
    lex = Lexicon(["第", "届", "回"], [3, 2, 1], 6)
    seg = lex.segmenter
    assert seg.segment("第18届") == ["第18", "届"]
    assert seg.segment("第 18 届") == ["第", "18", "届"]  # not touching
    assert seg.segment("第18回の") == ["第", "18", "回", "の"]  # Japanese: 第 stays apart
    assert Lexicon(["第"], [1], 1, rules=0).segmenter.segment("第18") == ["第", "1", "8"]


def test_number_suffixes_split_in_kana_text_only():
    from minent import Lexicon
    seg = Lexicon(["年", "に", "は"], [2, 1, 1], 4).segmenter
    assert seg.segment("2009年に8月は10時") == ["2009", "年", "に", "8", "月", "は", "10", "時"]
    assert seg.segment("2009年8月10萬人") == ["2009年", "8月", "10萬", "人"]  # Chinese: the number rule
    assert seg.segment("5.5万に") == ["5.5", "万", "に"]


def test_kana_rules_look_at_the_token_line_only():
    """A text gives the same tokens whole or line by line (the learner reads pieces of whole lines)."""
    from minent import Lexicon
    seg = Lexicon(["第", "届", "年", "に"], [3, 2, 2, 1], 8).segmenter
    lines = ["第18届2009年", "2009年に第3", "第５届１９９８年"]
    whole = seg.segment("\n".join(lines))
    assert whole == [w for line in lines for w in seg.segment(line)]
    assert whole == ["第18", "届", "2009年", "2009", "年", "に", "第", "3", "第５", "届", "１９９８年"]


def test_measure_word_rule_splits_numerals_on_traditional_lines_only():
    """Traditional Chinese (the Academia Sinica / CKIP convention): Chinese numeral + measure word
    are two words; simplified and Japanese lines keep the learned token (PKU and MSR join 一个)."""
    from minent import Lexicon
    seg = Lexicon(["一個", "兩種", "三百名", "一般", "一个", "一位", "這", "是", "人", "の"],
                  [5, 3, 1, 2, 4, 2, 3, 2, 3, 1], 26).segmenter
    assert seg.segment("這是一個人") == ["這", "是", "一", "個", "人"]
    assert seg.segment("兩種一般三百名") == ["兩", "種", "一般", "三百", "名"]  # 一般 is no numeral + measure
    assert Lexicon(["第一位", "第一", "說"], [1, 1, 1], 3).segmenter.segment("說第一位第一") == ["說", "第一", "位", "第一"]
    assert seg.segment("这是一个人") == ["这", "是", "一个", "人"]  # simplified: unchanged
    assert seg.segment("一位是人") == ["一位", "是", "人"]  # no traditional-only character: unchanged
    assert seg.segment("這の一個") == ["這", "の", "一個"]  # kana: Japanese, unchanged
    lines = ["這是一位", "这是一位", "一個人"]
    whole = seg.segment("\n".join(lines))
    assert whole == [w for line in lines for w in seg.segment(line)]  # each line decides for itself
    assert whole == ["這", "是", "一", "位", "这", "是", "一位", "一", "個", "人"]
    assert Lexicon(["一個", "這"], [2, 1], 3, rules=0).segmenter.segment("這一個") == ["這", "一個"]


def test_measure_word_rule_tables():
    from minent.pretokenize import HANT_HANS_PAIRS, MEASURE_WORDS, NUMERALS_INNER, NUMERALS_START
    hant, hans = HANT_HANS_PAIRS[0::2], HANT_HANS_PAIRS[1::2]
    assert len(HANT_HANS_PAIRS) % 2 == 0 and len(set(hant)) == len(hant) and len(set(hans)) == len(hans)
    assert not set(hant) & set(hans)
    assert all(ord(c) < 0xA000 for c in HANT_HANS_PAIRS + MEASURE_WORDS + NUMERALS_START + NUMERALS_INNER)
    assert not set(MEASURE_WORDS) & set("年月日时時樣般起切次")  # dates, and words that only look like it
