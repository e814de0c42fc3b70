import math
from collections import Counter

import numpy as np
from hypothesis import given, settings, strategies as st

from minent.counting import count_chars_pairs, count_pieces, pair_key
from minent.pretokenize import from_codes, spans

from conftest import reference_cut

ALPHABET = "的是了北京天安门一二十年，。 １２ab\n"


def han_pieces(lines):
    return [s for line in lines for s, kind in spans(line) if kind == "han"]


def reference_counts(lines):
    pieces = han_pieces(lines)
    chars = Counter(c for p in pieces for c in p)
    pairs = Counter(p[i:i + 2] for p in pieces for i in range(len(p) - 1))
    return chars, pairs


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=30), max_size=30))
def test_char_pair_counts_match_reference(lines):
    cp = count_chars_pairs(lines)
    chars, pairs = reference_counts(lines)
    assert cp.n_chars == sum(chars.values())
    nz = np.nonzero(cp.chars)[0]
    assert {chr(c): int(cp.chars[c]) for c in nz} == dict(chars)
    keys, counts = cp.pairs.items()
    got = {chr(k >> 21) + chr(k & ((1 << 21) - 1)): int(v) for k, v in zip(keys.tolist(), counts.tolist())}
    assert got == dict(pairs)
    assert (counts > 0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=30), max_size=30), st.integers(1, 4))
def test_pieces_match_reference(lines, max_len):
    strong_pairs = {"北京", "天安", "安门", "的是"}
    strong = np.array([pair_key(ord(p[0]), ord(p[1])) for p in strong_pairs])
    pieces, total = count_pieces(lines, strong, max_len)
    ref, ref_total = reference_cut(han_pieces(lines), strong_pairs, max_len)
    with pieces:
        got, kept_total, distinct = pieces.frequent(1)
    assert got == dict(ref)
    assert kept_total == sum(ref.values()) and distinct == len(ref)
    assert total == ref_total


def test_pmi_in_nats():
    cp = count_chars_pairs(["北京北京", "北京"])
    # N = 6 chars, n(北京) = 3, n(北) = n(京) = 3: PMI = ln(3 * 6 / 9)
    assert math.isclose(cp.pmi("北", "京"), math.log(2.0))
    assert cp.pmi("京", "北") == math.log(1 * 6 / 9)
    assert cp.pmi("北", "北") == -math.inf


def test_blocks_merge_like_one_pass():
    lines = ["北京天安门", "我爱北京"] * 50
    whole = count_chars_pairs(lines)
    a, b = count_chars_pairs(lines[:37]), count_chars_pairs(lines[37:])
    a.update(b)
    assert a.n_chars == whole.n_chars
    assert (a.chars == whole.chars).all()
    for x, y in zip(a.pairs.items(), whole.pairs.items()):
        assert (x == y).all()


def test_spilling_counter_is_exact(tmp_path):
    from minent.spill import SpillingCounter
    raw = ["北京天安门", "我爱北京", "天安门广场", "北京大学生"] * 30 + ["独一无二"]
    strong = np.array([pair_key(ord(a), ord(b)) for a, b in ["北京", "天安", "安门", "广场", "大学"]])
    unbounded, n1 = count_pieces(raw, strong, 4)
    small, n2 = count_pieces(raw, strong, 4, memory=1)  # spill after every block
    with unbounded, small:
        a = unbounded.frequent(2)
        b = small.frequent(2)
        assert small.spills >= 1 and small._dir is not None
        spill_dir = small._dir
    assert a == b and n1 == n2
    import os
    assert not os.path.exists(spill_dir)


def test_ranges_cover_every_line_once(tmp_path):
    from minent.parallel import plan_ranges, read_range
    lines = [("第%d行" % i) * (1 + i % 7) for i in range(20000)]
    p = tmp_path / "c.txt"
    p.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")  # BOM, no final newline
    ranges = plan_ranges([str(p)], range_bytes=1 << 16)
    assert len(ranges) > 3
    text = "".join(t for r in ranges for t in read_range(*r))
    assert text.split("\n") == lines


def test_range_blocks_end_at_line_ends(tmp_path):
    from minent.parallel import read_range
    lines = ["北京天安门广场" * (1 + i % 5) for i in range(3000)]
    p = tmp_path / "c.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    blocks = list(read_range(str(p), 0, p.stat().st_size, block_bytes=1000))
    assert len(blocks) > 10
    assert all(b.endswith("\n") for b in blocks)
    assert "".join(blocks).split("\n")[:-1] == lines
