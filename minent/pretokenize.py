"""What is language statistics and what is a rule: splitting text into spans before counting.

Text is turned into an int32 array of code points and scanned once by :func:`scan_spans`, which
returns spans of these kinds:

``HAN`` (1)
    a run of word-script characters: Han (CJK ideographs, 〇, and the iteration marks 々 〆),
    hiragana, katakana (with ー, full and half width) and Hangul, in any mix (see **Scripts**
    below). Only these pieces are counted and segmented by the minimum-entropy statistics; pairs
    never cross a piece boundary.
``NUMBER`` (2)
    half- or full-width digits with internal ``. ． / ／ ∶ :`` between digits (0.5, 1/3, 3∶0), an
    optional leading sign ``- － + ＋`` (only at the start of a piece), a half-width comma grouping
    thousands (16,250: a comma before exactly three digits), then optionally one suffix:
    ``％ % ‰`` or ``日 月 时 万 亿`` (traditional ``時 萬 億`` too), or ``年`` after three or more
    digits (1998年, but 5 年 as in the PKU standard, where a duration keeps 年 apart).
``LETTERS`` (3)
    a run of letters (any other alphabetic script: Latin, Greek, Cyrillic...) and digits,
    with ``. ． - － — _ & '`` allowed between two of them (CD—ROM, H5N1, www.x.com).
``DATE`` (4)
    Chinese numerals that form a date: a run of two or more of 〇零一二三四五六七八九 followed by 年
    (一九九八年), or a month 一..十二 followed by 月, or a day 一..三十一 followed by 日 (十二月,
    三十一日). Cut out of the surrounding Han run.
``PUNCT`` (5)
    any other non-space character; a run of the same character is one span (——, ……, ！！).

White space (including ideographic space, zero-width space and BOM) separates spans and is dropped.
Every gold standard we evaluate on treats a punctuation mark as a word and a number as a unit; this
module is where that policy lives, and ``rules=False`` in the callers turns digits and letters into
plain one-character PUNCT-like units instead (each character its own span) for comparison.

**Scripts.** :func:`script_class` names the class of a character (``han``, ``hiragana``,
``katakana``, ``hangul``, ``digit``, ``letter``, ``space``, ``other``). Han, kana and Hangul are all
units the statistics see, in one run: a change of script is *evidence* the statistics weigh (the
branching entropy after 表 is high, after 表立 low), not a hard cut, since Japanese words cross
kanji and kana (表立っ, 挙げ, 取り扱い). Simplified and traditional Chinese are both Han: nothing
to choose. With only Han in the text (all Chinese input) the spans are exactly those of the
Han-only scanner this replaced; a kana or Hangul run used to be one LETTERS span, never split.

**Katakana rule** (``rules`` ON or DOT). After segmentation (:func:`join_katakana`, called by
:class:`minent.segment.Segmenter`) touching tokens made only of katakana are joined: loanwords
and names are long (ソング, セントラル) and rare, so a small corpus's statistics cut them into
characters, while in the UD Japanese GSD dev gold two adjacent katakana are inside one word
2,031 times out of 2,114 (96%). Learning statistics are unchanged (katakana stays in the runs
the statistics see, and katakana next to kanji or hiragana is still decided by them).

**Ordinal rule** (``rules`` ON or DOT). After segmentation (:func:`join_ordinal`) a token 第 right
before a number is joined to it (第18): every gold standard here writes an ordinal with digits as
one word (pd1998 22 times, never split; UD Chinese GSD likewise), while 第 ends the Han run the
statistics see, so they cannot join it. Not on a line with kana: Japanese short-unit words (UD
Japanese GSD) keep 第 apart, and for the same reason, on a line with kana, a number token with one of
the suffixes 年 月 日 時 万 億 is split after segmentation (:func:`split_counters`: 2009 年, 8 月).
Both look at the token's own line only, so the tokens do not depend on how a text is cut into
pieces at line breaks.

**Measure-word rule** (``rules`` ON or DOT; a convention choice, not statistics). After
segmentation (:func:`split_measure_words`), on a traditional-Chinese line, a token made of Chinese
numerals (or 第 + numerals) and one measure word (``MEASURE_WORDS``: 個 位 種 名 座 條...) is split
into the numeral and the measure word (一個 -> 一 個, 兩種 -> 兩 種, 第一位 -> 第一 位). This is how the segmentation standard of
traditional Chinese, the Academia Sinica / CKIP standard, writes them (numeral ``Neu`` and measure
``Nf`` are separate words: CKIP's own tagger prints 59,000 個 人, 第一 位, 20 年 前), and UD Chinese
GSD follows it (一 個 23 times in its dev gold, never 一個); the simplified standards join them
(PKU 一个 1,854 times out of 2,032, MSR 207 / 242), so simplified lines are left as segmented. A
line is traditional when it has no kana and more characters of the traditional side of
``HANT_HANS_PAIRS`` (64 frequent characters written differently in the two scripts: 個/个,
這/这, 說/说...) than of the simplified side; like the kana rules it looks at the token's own line
only. The statistics are unchanged (learning never sees the rule).

**Middle-dot rules** (``rules=RULES_DOT`` = 2; off by default, on in the ``news`` discovery preset).
A middle dot ``·`` (U+00B7) or ``・`` (U+30FB) between two digits links a number (１３·４亿,
７·５％) and between two letters links a LETTERS span (Ｋ·Ｄ); and after segmentation
(:func:`join_dotted`, called by :class:`minent.segment.Segmenter`) a Han word, a dot and a Han word
that touch are joined into one token, repeatedly, as in transliterated names (乔治·布什,
穆罕默德·拉斐克·塔拉尔). Measured in the three gold standards we use (People's Daily 1998, SIGHAN
PKU and MSR dev): a dot between digits is always inside one word (470 / 69 / 29 times, never
split), a dot between Han characters inside one word 437 / 39 / 41 times against 21 / 2 / 5 split
(titles such as 大展 · 主题). Han statistics are unchanged: the dot stays a PUNCT span while
counting, so learning only sees the number rule change.
"""
from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit

SPACE, HAN_C, DIGIT_C, LETTER_C, OTHER_C = 1, 2, 3, 4, 0
HIRA_C, KATA_C, HANGUL_C = 5, 6, 7  # word scripts besides Han: every class >= HIRA_C
CLASS_NAMES = {SPACE: "space", HAN_C: "han", DIGIT_C: "digit", LETTER_C: "letter", OTHER_C: "other",
               HIRA_C: "hiragana", KATA_C: "katakana", HANGUL_C: "hangul"}
HAN, NUMBER, LETTERS, DATE, PUNCT = 1, 2, 3, 4, 5


class Rules(IntEnum):
    """Which rules apply (``rules`` everywhere in minent; False / True / 0 / 1 / 2 are accepted):
    OFF: none, every digit and letter its own unit; ON: numbers, letter runs, Chinese-numeral
    dates, punctuation runs; DOT: those plus the middle-dot rules (see the module doc)."""
    OFF = 0
    ON = 1
    DOT = 2


RULES_OFF, RULES_ON, RULES_DOT = Rules.OFF, Rules.ON, Rules.DOT
KIND_NAMES = {HAN: "han", NUMBER: "number", LETTERS: "letters", DATE: "date", PUNCT: "punct"}

MAX_CODE = 0x110000
_HAN_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F),
               (0x30000, 0x323AF), (0x3005, 0x3007)]  # 々 〆 〇
_HIRA_RANGES = [(0x3041, 0x3096), (0x3099, 0x309F)]
_KATA_RANGES = [(0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)]  # not ・
_HANGUL_RANGES = [(0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3131, 0x318E), (0xA960, 0xA97F),
                  (0xD7B0, 0xD7FF)]
_EXTRA_SPACE = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]

_class_table: np.ndarray | None = None


def class_table() -> np.ndarray:
    """uint8 array over all code points: SPACE, HAN_C, DIGIT_C, LETTER_C, OTHER_C, HIRA_C, KATA_C
    or HANGUL_C (built once)."""
    global _class_table
    if _class_table is None:
        t = np.zeros(MAX_CODE, np.uint8)
        for cp in range(0x3400):  # letters and spaces outside the Han blocks
            ch = chr(cp)
            if ch.isspace():
                t[cp] = SPACE
            elif ch.isalpha():
                t[cp] = LETTER_C
        for cp in range(0xA000, 0x10000):
            if 0xD800 <= cp < 0xE000:
                continue
            ch = chr(cp)
            if ch.isspace():
                t[cp] = SPACE
            elif ch.isalpha():
                t[cp] = LETTER_C
        for ranges, k in ((_HAN_RANGES, HAN_C), (_HIRA_RANGES, HIRA_C), (_KATA_RANGES, KATA_C),
                          (_HANGUL_RANGES, HANGUL_C)):
            for lo, hi in ranges:
                t[lo:hi + 1] = k
        t[0x30:0x3A] = DIGIT_C
        t[0xFF10:0xFF1A] = DIGIT_C
        t[_EXTRA_SPACE] = SPACE
        _class_table = t
    return _class_table


def script_class(ch: str) -> str:
    """Name of the class of character ``ch`` (see **Scripts** in the module doc)."""
    return CLASS_NAMES[int(class_table()[ord(ch)])]


@njit(cache=True, inline="always")
def _is_word(k):
    """True for the classes of the word scripts (Han, hiragana, katakana, Hangul)."""
    return k == HAN_C or k >= HIRA_C


def to_codes(text: str) -> np.ndarray:
    """Code points of ``text`` as int32 (string index i is array index i)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int32)


def from_codes(codes: np.ndarray) -> str:
    return np.ascontiguousarray(codes, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


_NUMERALS = {0x3007: 0, 0x96F6: 0, 0x4E00: 1, 0x4E8C: 2, 0x4E09: 3, 0x56DB: 4, 0x4E94: 5,
             0x516D: 6, 0x4E03: 7, 0x516B: 8, 0x4E5D: 9, 0x5341: 10}  # 〇零一二三四五六七八九十
_NUMERAL_LIMIT = 0xA000
_NUMERAL_VALUE = np.full(_NUMERAL_LIMIT, -1, np.int8)  # a constant table, frozen into the kernels
for _cp, _v in _NUMERALS.items():
    _NUMERAL_VALUE[_cp] = _v


@njit(cache=True)
def _numeral(c):
    """Value 0..10 of a Chinese numeral character, or -1."""
    if c >= _NUMERAL_LIMIT or c < 0:
        return -1
    return _NUMERAL_VALUE[c]


#: Frequent characters written differently in traditional and simplified Chinese, as pairs
#: (traditional, simplified): a line with more of the first than of the second (and no kana) is
#: traditional Chinese for the measure-word rule (see the module doc).
HANT_HANS_PAIRS = ("個个們们這这來来時时說说國国會会為为對对學学過过發发經经與与從从進进開开問问"
                   "關关點点長长現现當当體体應应種种將将實实無无間间兩两樣样還还變变區区員员機机業业"
                   "東东車车門门電电書书麼么聯联議议灣湾讓让認认識识產产處处動动見见頭头話话師师場场"
                   "級级總总義义權权傳传")
#: Chinese numerals that start a numeral + measure word token, those only inside one (三百個), and
#: the measure words (classifiers) of the rule: a closed class, nominal measures only (一次 and
#: 一樣, 一般, 一起, 一切 are not numeral + measure; 年 月 日 belong to the number and date rules).
NUMERALS_START, NUMERALS_INNER = "一二三四五六七八九十兩幾", "百千"
MEASURE_WORDS = "個位種名座支條件隻張所批層套幅塊顆場段本部家間輛架艘棵匹頭枚篇首份封則筆句門道片股群雙副項類級屆歲處對組根粒"
_HANT, _HANS, _NUM_START, _NUM_INNER, _MEASURE = 1, 2, 4, 8, 16
_ZH_FLAGS = np.zeros(_NUMERAL_LIMIT, np.uint8)  # the flags of each character (constant, frozen)
for _chars, _flag in ((HANT_HANS_PAIRS[0::2], _HANT), (HANT_HANS_PAIRS[1::2], _HANS),
                      (NUMERALS_START, _NUM_START), (NUMERALS_INNER, _NUM_INNER), (MEASURE_WORDS, _MEASURE)):
    for _ch in _chars:
        _ZH_FLAGS[ord(_ch)] |= _flag


@njit(cache=True)
def _zh_flags(c):
    """The flags (_HANT, _HANS, _NUM_START, _NUM_INNER, _MEASURE) of a character."""
    if c >= _NUMERAL_LIMIT or c < 0:
        return 0
    return _ZH_FLAGS[c]


@njit(cache=True)
def _small_number(cps, lo, hi):
    """Value of 一..九十九 written with 十 (十二, 二十, 三十一), or -1."""
    n = hi - lo
    if n == 1:
        v = _numeral(cps[lo])
        return v if v >= 1 else -1
    if n == 2:
        a, b = _numeral(cps[lo]), _numeral(cps[lo + 1])
        if a == 10 and 1 <= b <= 9:
            return 10 + b
        if 2 <= a <= 9 and b == 10:
            return 10 * a
        return -1
    if n == 3:
        a, b, c = _numeral(cps[lo]), _numeral(cps[lo + 1]), _numeral(cps[lo + 2])
        if 2 <= a <= 9 and b == 10 and 1 <= c <= 9:
            return 10 * a + c
    return -1


@njit(cache=True)
def _date_end(cps, lo, hi, end):
    """End of a Chinese-numeral date token for the numeral run cps[lo:hi] (hi < end), else -1."""
    suffix = cps[hi]
    if suffix == 0x5E74:  # 年: digit-by-digit year
        if hi - lo < 2:
            return -1
        for j in range(lo, hi):
            if _numeral(cps[j]) > 9:
                return -1
        return hi + 1
    v = _small_number(cps, lo, hi)
    if suffix == 0x6708 and 1 <= v <= 12:  # 月
        return hi + 1
    if suffix == 0x65E5 and 1 <= v <= 31:  # 日
        return hi + 1
    return -1


@njit(cache=True)
def _is_number_link(c):
    return c == 0x2E or c == 0xFF0E or c == 0x2F or c == 0xFF0F or c == 0x2236 or c == 0x3A


@njit(cache=True)
def _is_group_comma(cps, cls, j, n):
    """A half-width comma grouping thousands: after a digit, before exactly three digits (16,250)."""
    if cps[j] != 0x2C or j == 0 or cls[cps[j - 1]] != DIGIT_C:
        return False
    for t in range(j + 1, j + 4):
        if t >= n or cls[cps[t]] != DIGIT_C:
            return False
    return j + 4 >= n or cls[cps[j + 4]] != DIGIT_C


DOTS = (0xB7, 0x30FB)  # · ・ (the middle dots of the DOT rules)


@njit(cache=True)
def _is_dot(c):
    return c == 0xB7 or c == 0x30FB  # · ・


@njit(cache=True)
def _is_letter_link(c):
    return (c == 0x2E or c == 0xFF0E or c == 0x2D or c == 0xFF0D or c == 0x2014 or c == 0x5F
            or c == 0x26 or c == 0x27)


@njit(cache=True)
def _scan_letters(cps, cls, i, n, dots):
    j = i
    while j < n:
        k = cls[cps[j]]
        if k == LETTER_C or k == DIGIT_C:
            j += 1
        elif j + 1 < n and j > i and (_is_letter_link(cps[j]) or (dots and _is_dot(cps[j]))) and (
                cls[cps[j + 1]] == LETTER_C or cls[cps[j + 1]] == DIGIT_C):
            j += 1
        else:
            break
    return j


@njit(cache=True)
def _emit(out, m, a, b, kind):
    out[m, 0] = a
    out[m, 1] = b
    out[m, 2] = kind
    return m + 1


@njit(cache=True)
def han_length(spans):
    """Characters in the Han spans of ``spans`` (an array of ``(start, end, kind)`` rows)."""
    n = 0
    for s in range(spans.shape[0]):
        if spans[s, 2] == HAN:
            n += spans[s, 1] - spans[s, 0]
    return n


def scan_spans(cps, cls, rules) -> np.ndarray:
    """Spans ``(start, end, kind)`` of ``cps`` as an int64 array of shape (m, 3). See module doc.

    With ``rules`` OFF, digits and letters are not grouped: each is its own PUNCT span; with
    DOT a middle dot links digits and letters too.
    """
    return _scan_spans(cps, cls, int(rules))


@njit(cache=True)
def _scan_spans(cps, cls, rules):
    dots = rules >= 2
    n = cps.shape[0]
    out = np.empty((n, 3), np.int64)
    m = 0
    i = 0
    while i < n:
        c = cps[i]
        k = cls[c]
        if k == SPACE:
            i += 1
            continue
        if not rules and (k == DIGIT_C or k == LETTER_C):
            k = OTHER_C
        signed = (rules and (c == 0x2D or c == 0xFF0D or c == 0x2B or c == 0xFF0B) and i + 1 < n
                  and cls[cps[i + 1]] == DIGIT_C and (i == 0 or cls[cps[i - 1]] == SPACE))
        if k == DIGIT_C or signed:
            j = i + 1
            while j < n and cls[cps[j]] == DIGIT_C:
                j += 1
            while j + 1 < n and ((_is_number_link(cps[j]) or (dots and _is_dot(cps[j])))
                                 and cls[cps[j + 1]] == DIGIT_C or _is_group_comma(cps, cls, j, n)):
                j += 2
                while j < n and cls[cps[j]] == DIGIT_C:
                    j += 1
            kind = NUMBER
            if j < n and cls[cps[j]] == LETTER_C and not signed:
                j = _scan_letters(cps, cls, j, n, dots)
                kind = LETTERS
            elif j < n:
                s = cps[j]
                if s == 0xFF05 or s == 0x25 or s == 0x2030:  # ％ % ‰
                    j += 1
                elif (s == 0x65E5 or s == 0x6708 or s == 0x65F6 or s == 0x4E07 or s == 0x4EBF  # 日月时万亿
                      or s == 0x6642 or s == 0x842C or s == 0x5104):  # 時萬億 (traditional)
                    j += 1
                elif s == 0x5E74 and j - i >= 3:  # 年 after a year-like number
                    j += 1
            m = _emit(out, m, i, j, kind)
            i = j
        elif k == LETTER_C:
            j = _scan_letters(cps, cls, i, n, dots)
            m = _emit(out, m, i, j, LETTERS)
            i = j
        elif _is_word(k):
            j = i
            numerals = False
            while j < n and _is_word(cls[cps[j]]):
                numerals = numerals or _numeral(cps[j]) >= 0
                j += 1
            start = i
            p = i if numerals else j  # no numeral in the run: no date to cut out
            while p < j:
                if rules and _numeral(cps[p]) >= 0 and (p == i or _numeral(cps[p - 1]) < 0):
                    q = p
                    while q < j and _numeral(cps[q]) >= 0:
                        q += 1
                    e = _date_end(cps, p, q, j) if q < j else -1
                    if e > 0:
                        if p > start:
                            m = _emit(out, m, start, p, HAN)
                        m = _emit(out, m, p, e, DATE)
                        start = e
                        p = e
                    else:
                        p = q
                else:
                    p += 1
            if j > start:
                m = _emit(out, m, start, j, HAN)
            i = j
        else:
            j = i + 1
            while j < n and cps[j] == c:
                j += 1
            m = _emit(out, m, i, j, PUNCT)
            i = j
    return out[:m]


@njit(cache=True)
def join_dotted(cps, cls, tok_s, tok_e, tok_id):
    """Tokens ``(starts, ends, ids)`` with every touching Han-word, dot, Han-word run joined (the
    middle-dot rule of the module doc): a one-character ``·`` / ``・`` token whose neighbours
    end and start at its edges with a Han character. Chains join left to right; a joined token
    has id -1. Without a dot token the inputs are returned as they are."""
    n = tok_s.shape[0]
    for t in range(n):
        if tok_e[t] - tok_s[t] == 1 and _is_dot(cps[tok_s[t]]):
            break
    else:
        return tok_s, tok_e, tok_id
    out_s = np.empty(n, np.int64)
    out_e = np.empty(n, np.int64)
    out_id = np.empty(n, np.int64)
    m = 0
    t = 0
    while t < n:
        a, b = tok_s[t], tok_e[t]
        if (m > 0 and b - a == 1 and _is_dot(cps[a]) and t + 1 < n and out_e[m - 1] == a
                and tok_s[t + 1] == b and cls[cps[a - 1]] == HAN_C and cls[cps[b]] == HAN_C):
            out_e[m - 1] = tok_e[t + 1]
            out_id[m - 1] = -1
            t += 2
            continue
        out_s[m] = a
        out_e[m] = b
        out_id[m] = tok_id[t]
        m += 1
        t += 1
    return out_s[:m], out_e[:m], out_id[:m]


@njit(cache=True)
def _join_touching(cps, cls, tok_s, tok_e, tok_id, rule):
    """Tokens with each token joined to the one before it when they touch and ``rule`` says so
    (the joined token gets id -1), left to right: 0, katakana (both tokens are only katakana);
    1, ordinal (a token 第 and one that starts with a digit, on a line without kana)."""
    n = tok_s.shape[0]
    out_s = np.empty(n, np.int64)
    out_e = np.empty(n, np.int64)
    out_id = np.empty(n, np.int64)
    m = 0
    for t in range(n):
        a, b = tok_s[t], tok_e[t]
        join = m > 0 and out_e[m - 1] == a
        # the tests written out (a call per token would pay numba's reference counting of the
        # array arguments); the line scan of the ordinal rule only after its cheap tests pass
        if join and rule == 0:
            for j in range(out_s[m - 1], b):
                if cls[cps[j]] != KATA_C:
                    join = False
                    break
        elif join:
            join = (out_e[m - 1] - out_s[m - 1] == 1 and cps[out_s[m - 1]] == 0x7B2C and cls[cps[a]] == DIGIT_C
                    and not _line_has_kana(cps, cls, out_s[m - 1]))
        if join:
            out_e[m - 1] = b
            out_id[m - 1] = -1
            continue
        out_s[m] = a
        out_e[m] = b
        out_id[m] = tok_id[t]
        m += 1
    return out_s[:m], out_e[:m], out_id[:m]


@njit(cache=True)
def join_katakana(cps, cls, tok_s, tok_e, tok_id):
    """Tokens ``(starts, ends, ids)`` with touching tokens made only of katakana joined into one
    (id -1), left to right: the katakana rule of the module doc (``rules`` ON or DOT)."""
    return _join_touching(cps, cls, tok_s, tok_e, tok_id, 0)


@njit(cache=True)
def _line_has_kana(cps, cls, i):
    """Whether the line of position ``i`` (the text between line breaks) has kana. The kana rules
    look at a token's own line only, so a text gives the same tokens whole or cut at line breaks
    (the learner's passes read byte ranges of whole lines)."""
    a = i
    while a > 0 and cps[a - 1] != 0x0A and cps[a - 1] != 0x0D:
        a -= 1
    n = cps.shape[0]
    while a < n and cps[a] != 0x0A and cps[a] != 0x0D:
        if cls[cps[a]] == HIRA_C or cls[cps[a]] == KATA_C:
            return True
        a += 1
    return False


@njit(cache=True)
def _is_counter(c):
    return (c == 0x5E74 or c == 0x6708 or c == 0x65E5 or c == 0x65F6 or c == 0x6642 or c == 0x4E07
            or c == 0x842C or c == 0x4EBF or c == 0x5104)  # 年月日 时時 万萬 亿億


@njit(cache=True)
def _line_is_traditional(cps, cls, i):
    """Whether the line of position ``i`` is traditional Chinese: no kana, and more characters of
    the traditional side of ``HANT_HANS_PAIRS`` than of the simplified side."""
    a = i
    while a > 0 and cps[a - 1] != 0x0A and cps[a - 1] != 0x0D:
        a -= 1
    n = cps.shape[0]
    score = 0
    while a < n and cps[a] != 0x0A and cps[a] != 0x0D:
        k = cls[cps[a]]
        if k == HIRA_C or k == KATA_C:
            return False
        f = _zh_flags(cps[a])
        if f & _HANT:
            score += 1
        elif f & _HANS:
            score -= 1
        a += 1
    return score > 0


@njit(cache=True)
def _is_numeral_measure(cps, a, b):
    """Whether ``cps[a:b]`` is Chinese numerals, or an ordinal 第 + numerals, + one measure word
    (一個, 兩種, 二十個, 三百名, 第一個)."""
    if b - a >= 3 and cps[a] == 0x7B2C:  # 第
        a += 1
    if b - a < 2 or not (_zh_flags(cps[b - 1]) & _MEASURE) or not (_zh_flags(cps[a]) & _NUM_START):
        return False
    for j in range(a + 1, b - 1):
        if not (_zh_flags(cps[j]) & (_NUM_START | _NUM_INNER)):
            return False
    return True


@njit(cache=True)
def _split_last(cps, cls, tok_s, tok_e, tok_id, rule):
    """Tokens with the last character of each candidate token split off (both parts id -1) when
    its line qualifies: rule 0, digits + a number suffix on a line with kana; rule 1, Chinese
    numerals + a measure word on a traditional-Chinese line."""
    n = tok_s.shape[0]
    out_s = np.empty(2 * n, np.int64)
    out_e = np.empty(2 * n, np.int64)
    out_id = np.empty(2 * n, np.int64)
    m = 0
    line_end, line_ok = -1, False  # the line of the last token checked (tokens are in order)
    for t in range(n):
        a, b = tok_s[t], tok_e[t]
        if rule == 0:
            candidate = (b - a >= 2 and cls[cps[a]] == DIGIT_C and cls[cps[b - 2]] == DIGIT_C
                         and _is_counter(cps[b - 1]))
        else:
            candidate = _is_numeral_measure(cps, a, b)
        if candidate and a > line_end:  # a new line: scanned once, however many candidates it has
            line_ok = _line_has_kana(cps, cls, a) if rule == 0 else _line_is_traditional(cps, cls, a)
            line_end = a
            while line_end < cps.shape[0] and cps[line_end] != 0x0A and cps[line_end] != 0x0D:
                line_end += 1
        if candidate and line_ok:
            out_s[m], out_e[m], out_id[m] = a, b - 1, -1
            out_s[m + 1], out_e[m + 1], out_id[m + 1] = b - 1, b, -1
            m += 2
            continue
        out_s[m], out_e[m], out_id[m] = a, b, tok_id[t]
        m += 1
    return out_s[:m], out_e[:m], out_id[:m]


@njit(cache=True)
def split_counters(cps, cls, tok_s, tok_e, tok_id):
    """On lines with kana, tokens digits + 年 / 月 / 日 / 時 / 万 / 億 (the number rule's suffixes)
    split into the number and the suffix (ids -1): Japanese short-unit words write 2009 年, 8 月
    (UD Japanese GSD), where the Chinese standards write 2009年."""
    return _split_last(cps, cls, tok_s, tok_e, tok_id, 0)


@njit(cache=True)
def split_measure_words(cps, cls, tok_s, tok_e, tok_id):
    """On traditional-Chinese lines (:func:`_line_is_traditional`), tokens of Chinese numerals (or
    第 + numerals) + a measure word (``MEASURE_WORDS``) split into the numeral and the measure word
    (ids -1): the measure-word rule of the module doc (一個 -> 一 個, 第一位 -> 第一 位)."""
    return _split_last(cps, cls, tok_s, tok_e, tok_id, 1)


@njit(cache=True)
def join_ordinal(cps, cls, tok_s, tok_e, tok_id):
    """Tokens ``(starts, ends, ids)`` with a token 第 joined to a touching token that starts with a
    digit (第18, 第３; id -1): the ordinal rule of the module doc (``rules`` ON or DOT). Text with
    kana is left as it is, line by line (Japanese short-unit words keep the prefix 第 apart)."""
    return _join_touching(cps, cls, tok_s, tok_e, tok_id, 1)


@njit(cache=True)
def after_segmentation(cps, cls, tok_s, tok_e, tok_id):
    """The token rules of ``rules`` ON or DOT in one call: :func:`join_katakana` when the text has
    katakana, :func:`join_ordinal` when it has a 第 before a digit, :func:`split_counters` when it
    has kana and a digit before one of their suffixes, :func:`split_measure_words` when it has a
    traditional-only character and a Chinese numeral before a measure word (one scan; no copy
    when none applies)."""
    katakana = hiragana = ordinal = counter = traditional = measure = False
    n = cps.shape[0]
    for j in range(n):
        k = cls[cps[j]]
        if k == KATA_C:
            katakana = True
        elif k == HIRA_C:
            hiragana = True
        elif k == HAN_C:
            f = _zh_flags(cps[j])
            if f & _HANT:
                traditional = True
            if f & (_NUM_START | _NUM_INNER) and j + 1 < n and _zh_flags(cps[j + 1]) & _MEASURE:
                measure = True
            if cps[j] == 0x7B2C and j + 1 < n and cls[cps[j + 1]] == DIGIT_C:
                ordinal = True
        elif k == DIGIT_C and j + 1 < n and _is_counter(cps[j + 1]):
            counter = True
    if katakana:
        tok_s, tok_e, tok_id = join_katakana(cps, cls, tok_s, tok_e, tok_id)
    if ordinal:
        tok_s, tok_e, tok_id = join_ordinal(cps, cls, tok_s, tok_e, tok_id)
    if counter and (katakana or hiragana):  # only lines with kana split
        tok_s, tok_e, tok_id = split_counters(cps, cls, tok_s, tok_e, tok_id)
    if measure and traditional:  # only traditional lines split
        tok_s, tok_e, tok_id = split_measure_words(cps, cls, tok_s, tok_e, tok_id)
    return tok_s, tok_e, tok_id


def spans(text: str, rules: bool = True) -> list[tuple[str, str]]:
    """``(span_text, kind_name)`` for each span of ``text`` — a readable view for tests and users."""
    cps = to_codes(text)
    out = scan_spans(cps, class_table(), rules)
    return [(text[a:b], KIND_NAMES[int(k)]) for a, b, k in out]
