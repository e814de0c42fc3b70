"""Parallel and distributed counting give exactly the single-process lexicon."""
import importlib.util

import pytest

from minent import Corpus, build_lexicon
from minent.entropy import corpus_information
from minent.parallel import LocalEngine, make_engine, plan_ranges

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
    engine = make_engine("dask", 2)
    try:
        dask = build_lexicon(Corpus(corpus_file), min_pmi=1.0, engine=engine)
        info = corpus_information(Corpus(corpus_file), dask, engine=engine)
        assert engine.worker_peak_rss_mb > 0
    finally:
        engine.close()
    _same(one, dask)
    assert info == corpus_information(Corpus(corpus_file), one)


def test_information_pass_identical_on_two_jobs(corpus_file):
    corpus = Corpus(corpus_file)
    assert len(plan_ranges(corpus.real_paths(), min_parts=8)) > 2
    lex = build_lexicon(corpus, min_pmi=1.0)
    engine = LocalEngine(2)
    char1, lex1 = corpus_information(corpus, lex)
    char2, lex2 = corpus_information(corpus, lex, engine=engine)
    assert (char1, lex1) == (char2, lex2)  # bit-identical floats, whatever the merge order
    assert engine.worker_peak_rss_mb > 0
    assert char1.units == char1.chars and lex1.chars == char1.chars
    assert 0 < lex1.L_bits < char1.L_bits
    # the one-pass helper agrees with the per-inventory function
    from minent import information_per_char
    assert information_per_char(corpus, lex) == lex1 and information_per_char(corpus) == char1
