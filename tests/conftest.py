import os
import random
from collections import Counter

import pytest

try:  # property tests draw the same examples on every run: CI is deterministic
    from hypothesis import settings
    settings.register_profile("minent", derandomize=True, deadline=None)
    settings.load_profile("minent")
except ImportError:  # pragma: no cover
    pass

# The suite tests the learner without a background model unless a test asks for one (the shipped
# models are tested in test_background.py): today's results, and fast.
os.environ["MINENT_BACKGROUND"] = "none"
# models built on this machine (corpora/build_background.py) are not seen by the tests
os.environ["MINENT_BACKGROUND_DIR"] = os.path.join(os.path.dirname(__file__), "no-such-folder")

VOCAB = ["天安门", "北京", "喜欢", "我们", "学校", "老师", "电脑", "苹果", "香蕉", "跑步", "音乐",
         "图书馆", "飞机", "火车站", "公园"]


def word_corpus(n_lines=1500, seed=0, vocab=VOCAB):
    """Lines of random words (each word's characters unique to it) and the gold segmentation."""
    rng = random.Random(seed)
    raw, gold = [], []
    for _ in range(n_lines):
        words = [rng.choice(vocab) for _ in range(rng.randint(3, 8))]
        raw.append("".join(words))
        gold.append("  ".join(words))
    return raw, gold


@pytest.fixture(scope="session")
def toy():
    return word_corpus()


def reference_cut(pieces, strong_pairs, max_len):
    """Plain-Python step 3: cut each piece at pairs not in ``strong_pairs``; count the parts of
    at most ``max_len`` characters. Returns (Counter of parts, number of parts of any length)."""
    parts, total = Counter(), 0
    for p in pieces:
        start = 0
        for i in range(1, len(p) + 1):
            if i < len(p) and p[i - 1:i + 1] in strong_pairs:
                continue
            total += 1
            if i - start <= max_len:
                parts[p[start:i]] += 1
            start = i
    return parts, total
