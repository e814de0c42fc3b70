"""Parallel and distributed counting give exactly the single-process lexicon."""
import importlib.util

import pytest

from minent import Corpus, build_lexicon

from conftest import VOCAB, word_corpus


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    raw, _ = word_corpus(12000, seed=11, vocab=VOCAB + ["的", "了", "北京大学", "大学生"])
    p = tmp_path_factory.mktemp("par") / "corpus.txt"
    p.write_text("\n".join(raw) + "\n", encoding="utf-8")
    return str(p)


def _same(a, b):
    assert a.words == b.words
    assert a.counts.tolist() == b.counts.tolist()
    assert a.total == b.total


def test_two_jobs_equal_one_job(corpus_file):
    one = build_lexicon(Corpus(corpus_file), min_pmi=1.0)
    two = build_lexicon(Corpus(corpus_file), min_pmi=1.0, jobs=2)
    _same(one, two)
    spilled = build_lexicon(Corpus(corpus_file), min_pmi=1.0, memory=1 << 10)
    _same(one, spilled)
    assert spilled.report["spills"] >= 1


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed not installed")
def test_dask_local_cluster_equals_local(corpus_file):
    one = build_lexicon(Corpus(corpus_file), min_pmi=1.0)
    dask = build_lexicon(Corpus(corpus_file), min_pmi=1.0, engine="dask", jobs=2)
    _same(one, dask)
