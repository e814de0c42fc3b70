"""Parallel and distributed counting give exactly the single-process lexicon."""
import importlib.util
import os

import pytest

from functools import partial

from minent import Corpus, learn_lexicon
from minent.entropy import corpus_information
from minent.lexicon import LexiconParams, four_steps
from minent.parallel import LocalEngine, make_engine, plan_ranges

from conftest import VOCAB, word_corpus

build_lexicon = partial(learn_lexicon, preset="faithful")  # the four steps of method.md §2


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
    spilled = four_steps(Corpus(corpus_file), LexiconParams(min_pmi=1.0), memory=1 << 10)
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


# ----------------------------------------------------------------------------- the default learner

def _file_bytes(lex, tmp_path, name):
    path = tmp_path / name
    lex.save(str(path))
    return path.read_bytes()


def test_default_learner_same_lexicon_on_every_engine(corpus_file, tmp_path):
    """1 process, 2 processes and a Dask LocalCluster write byte-identical lexicon files; so do a
    run whose clause table is a sample (a small budget), on 1 and on 2 processes."""
    kw = {"mdl_rounds": 3}
    one = learn_lexicon(Corpus(corpus_file), jobs=1, **kw)
    two = learn_lexicon(Corpus(corpus_file), jobs=2, **kw)
    assert _file_bytes(one, tmp_path, "1.tsv") == _file_bytes(two, tmp_path, "2.tsv")
    assert one.report["information_bits"] == two.report["information_bits"]
    assert one.report["clauses"]["sample_level"] == 0
    if importlib.util.find_spec("distributed") is not None:
        engine = make_engine("dask", 2)
        try:
            dask = learn_lexicon(Corpus(corpus_file), engine=engine, **kw)
        finally:
            engine.close()
        assert _file_bytes(dask, tmp_path, "d.tsv") == _file_bytes(one, tmp_path, "1.tsv")
    chars = one.report["clauses"]["chars"]
    s1 = learn_lexicon(Corpus(corpus_file), jobs=1, sample_chars=chars // 3, **kw)
    s2 = learn_lexicon(Corpus(corpus_file), jobs=2, sample_chars=chars // 3, **kw)
    assert s1.report["clauses"]["sample_level"] >= 2
    assert s1.report["clauses"]["chars"] <= chars // 3
    assert _file_bytes(s1, tmp_path, "s1.tsv") == _file_bytes(s2, tmp_path, "s2.tsv")
    # counts are the uses in the whole input (words of at most 4 characters), not in the sample
    assert s1.report["clauses"]["weighted_chars"] < one.report["han_chars"] / 2
    assert sum(s1.counts) >= one.report["han_chars"] / 4


def test_clause_table_sample_is_independent_of_the_split(corpus_file):
    from minent.clauses import collect_clauses
    full = collect_clauses(Corpus(corpus_file), 1, None, LocalEngine(1))
    budget = full.chars // 5
    a = collect_clauses(Corpus(corpus_file), 1, budget, LocalEngine(1))
    b = collect_clauses(Corpus(corpus_file), 1, budget, LocalEngine(2))
    def content(t):
        arena, starts, counts = t.table.entries()
        return sorted((tuple(arena[starts[i]:starts[i + 1]].tolist()), int(counts[i])) for i in range(len(t)))
    assert a.level == b.level >= 1 and content(a) == content(b)
    assert a.chars <= budget < full.chars
    # every kept clause keeps its exact count
    exact = dict(content(full))
    assert all(exact[k] == c for k, c in content(a))
    assert full.han_chars == a.han_chars == full.weighted_chars


def test_cli_and_library_write_the_same_lexicon(corpus_file, tmp_path):
    from click.testing import CliRunner
    from minent.commands import main
    out = tmp_path / "cli.tsv"
    r = CliRunner().invoke(main, ["build-lexicon", corpus_file, "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    lib = learn_lexicon(Corpus(corpus_file))
    assert out.read_bytes() == _file_bytes(lib, tmp_path, "lib.tsv")


def test_ramped_ranges_cover_the_files_once_small_ones_first(tmp_path):
    paths = []
    for i, size in enumerate((3_000_000, 0, 700_000)):
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(b"x" * size)
        paths.append(str(p))
    for ramp, taper in ((False, 0), (True, 0), (False, 2), (True, 3)):
        ranges = plan_ranges(paths, range_bytes=1 << 20, ramp=ramp, taper=taper)
        if taper:  # the last ranges are cut smaller, largest first
            sizes = [e - s for _, s, e in ranges]
            assert sizes[-1] < 1 << 20 and sizes[-taper - 2:] == sorted(sizes[-taper - 2:], reverse=True)
        for path in paths:  # each file covered by contiguous ranges
            mine = sorted((s, e) for p, s, e in ranges if p == path)
            n = os.path.getsize(path)
            assert [s for s, _ in mine] == ([0] + [e for _, e in mine][:-1] if n else [])
            assert (mine[-1][1] if mine else 0) == n
        sizes = [e - s for _, s, e in ranges]
        if ramp and not taper:
            assert sizes[:4] == [1 << 17, 1 << 18, 1 << 19, 1 << 20]
        elif not taper:
            assert max(sizes) == 1 << 20 and sizes[0] == 1 << 20


def _shared_sum(handle):
    from minent.parallel import resolve
    arrays, extra = resolve(handle)
    return float(arrays[0].sum() + arrays[1]["a"].sum()), extra


def test_arena_shares_with_the_running_pool(monkeypatch):
    """Arrays shared while workers run reach them without a new pool; when the arena cannot take
    them, sharing falls back to a new pool (same results)."""
    import numpy as np
    from minent import parallel as par
    e = LocalEngine(2)
    try:
        before = set(e.map(os.getpid, [()] * 4))
        obj = ((np.arange(10.0), {"a": np.ones(3)}), "x")
        h = e.share(obj)
        assert isinstance(h, par.ArenaRef)
        assert list(e.map(_shared_sum, [(h,)] * 4)) == [(48.0, "x")] * 4
        assert set(e.map(os.getpid, [()] * 4)) <= before  # the same workers
        ref, arr = e.shared_array((5,), np.int64)
        assert list(e.map(_shared_sum, [(h,)] * 2)) == [(48.0, "x")] * 2 and not arr.any()
        e.release(h)
        e.release(ref)
        monkeypatch.setattr(par, "_ARENA", par._Arena(1 << 16))  # full at once
        h = e.share(((np.arange(1 << 14, dtype=np.float64), {"a": np.ones(3)}), "x"))
        assert isinstance(h, par.LocalRef)
        assert list(e.map(_shared_sum, [(h,)] * 2)) == [(float(sum(range(1 << 14)) + 3), "x")] * 2
        assert e.shared_array((1 << 14,), np.int64) is None
    finally:
        e.close()


def test_stop_workers_ends_the_pool_and_the_next_map_forks_a_new_one():
    e = LocalEngine(2)
    try:
        before = set(e.map(os.getpid, [()] * 4))
        e.stop_workers()
        assert e._pool is None
        after = set(e.map(os.getpid, [()] * 4))
        assert after and not after & before and os.getpid() not in after
    finally:
        e.close()


def _mark(ref, i):
    from minent.parallel import resolve
    resolve(ref)[i] = 1
    return i


def test_map_hands_out_tasks_when_called_and_a_dropped_map_stops_the_pool():
    """The caller can work while a map's first tasks run (they start at the call, before the
    results are asked for); a map dropped unread stops the pool, and the next map is right."""
    import time
    import numpy as np
    e = LocalEngine(2)
    try:
        ref, flags = e.shared_array((2,), np.int64)
        list(e.map(os.getpid, [()] * 2))  # the pool is up
        running = e.map(_mark, [(ref, 0), (ref, 1)])
        deadline = time.time() + 30
        while flags.sum() < 2 and time.time() < deadline:
            time.sleep(0.01)
        assert flags.tolist() == [1, 1]  # both ran before anything was read
        assert sorted(running) == [0, 1]
        flags[:] = 0
        dropped = e.map(_mark, [(ref, 0), (ref, 1)])
        del dropped
        assert e._pool is None
        assert sorted(e.map(_mark, [(ref, i) for i in (0, 1, 0, 1)])) == [0, 0, 1, 1]
    finally:
        e.close()


def test_a_map_that_cannot_start_raises_where_it_is_read():
    e = LocalEngine(2)
    try:
        failed = e.map(len, [(lambda: 1,), (lambda: 2,)])  # a lambda cannot be sent to a worker
        with pytest.raises(Exception):
            list(failed)
        assert sorted(e.map(len, [("ab",), ("c",)])) == [1, 2]
    finally:
        e.close()
