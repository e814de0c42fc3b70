import random

import pytest

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
