"""Background models (minent.background): file round trip, choice, merge, and the learner hook."""
import lzma
import re

import numpy as np
import pytest
from click.testing import CliRunner

from minent import LexiconLearner
from minent.background import Background, select_background, shipped
from minent.clauses import collect_clauses
from minent.commands import main
from minent.errors import MinentError

from conftest import word_corpus

BG_TEXT = ["天安门广场很大。北京的学校有老师！", "我们喜欢北京，喜欢天安门。", "老师喜欢音乐"] * 3


def test_round_trip_is_exact_plain_and_deterministic(tmp_path):
    bg = Background.from_texts(BG_TEXT, name="tiny", source="test", licence="none")
    assert sorted(bg.clauses()) == bg.clauses()  # sorted by code point
    got = dict(zip(bg.clauses(), bg.counts.tolist()))
    assert got == {"天安门广场很大": 3, "北京的学校有老师": 3, "我们喜欢北京": 3, "喜欢天安门": 3, "老师喜欢音乐": 3}
    assert bg.han_chars == 3 * sum(map(len, got))
    a, b = tmp_path / "a.bg.xz", tmp_path / "b.bg.xz"
    bg.save(str(a))
    Background.from_texts(list(reversed(BG_TEXT)), name="tiny", source="test", licence="none").save(str(b))
    assert a.read_bytes() == b.read_bytes()  # same clauses, same file, whatever the input order
    lines = lzma.decompress(a.read_bytes()).decode("utf-8").splitlines()  # plain text, no pickle
    assert lines[0].startswith('{"format": "minent-background", "version": 1, "rules": 2, "name": "tiny"')
    assert lines[1:] == [f"3\t{c}" for c in sorted(got)]
    back = Background.load(str(a))
    assert back.clauses() == bg.clauses() and back.counts.tolist() == bg.counts.tolist()
    assert back.meta == bg.meta and back.han_chars == bg.han_chars


@pytest.mark.parametrize("content, message", [
    (b"not xz at all", "not a background model (LZMAError)"),
    (lzma.compress(b"[1, 2]\n3\tab\n"), "no minent-background header"),
    (lzma.compress(b'{"format": "minent-background", "version": 9}\n'), "version 9 not supported"),
    (lzma.compress(b'{"format": "minent-background", "version": 1}\nx\tab\n'), "bad background line 2"),
])
def test_bad_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.bg.xz"
    path.write_bytes(content)
    with pytest.raises(MinentError, match=re.escape(message)):
        Background.load(str(path))


def test_learner_with_background_learns_as_from_the_concatenated_text(tmp_path):
    """Merging a background is learning from the user's text plus the background's text: the
    same clause table, so the same words (counts: uses in the user's own text)."""
    user, _ = word_corpus(60, seed=1)
    extra, _ = word_corpus(400, seed=2)
    path = tmp_path / "extra.bg.xz"
    Background.from_texts(extra, name="extra").save(str(path))
    with_bg = LexiconLearner(background=str(path), mdl_rounds=3).fit(user)
    joined = LexiconLearner(background="none", mdl_rounds=3).fit(user + extra)
    assert with_bg.report_["background"]["used"] is True
    final_bg = {with_bg.stats_.word(i) for i in np.nonzero(with_bg.stage_counts_["final"])[0]}
    final_joined = {joined.stats_.word(i) for i in np.nonzero(joined.stage_counts_["final"])[0]}
    assert final_bg == final_joined
    assert set(with_bg.lexicon_.words) <= final_bg
    assert with_bg.lexicon_.report["corpus_chars"] == sum(map(len, user))  # counts from user text
    assert "天安门" in with_bg.lexicon_.words and "天安门" in final_bg


def test_background_none_and_large_corpus_leave_the_learner_unchanged(tmp_path):
    user, _ = word_corpus(300, seed=3)
    small = tmp_path / "small.bg.xz"
    Background.from_texts(user[:20], name="small").save(str(small))
    plain = LexiconLearner(background="none", mdl_rounds=3).fit(user)
    big_user = LexiconLearner(background=str(small), mdl_rounds=3).fit(user)  # corpus >= background
    assert plain.report_["background"] == {"name": "none", "used": False}
    assert big_user.report_["background"]["used"] is False
    for a in (big_user,):
        assert a.lexicon_.words == plain.lexicon_.words
        assert a.lexicon_.counts.tolist() == plain.lexicon_.counts.tolist()


def test_a_corpus_larger_than_every_model_loads_none(tmp_path, monkeypatch):
    """The size rule is decided from the models' header lines: a large corpus pays nothing."""
    from minent import background
    user, _ = word_corpus(300, seed=3)
    Background.from_texts(user[:20], name="tiny").save(str(tmp_path / "tiny.bg.xz"))
    monkeypatch.setenv("MINENT_BACKGROUND_DIR", str(tmp_path))
    monkeypatch.setattr(background, "DATA_DIR", str(tmp_path / "none"))  # only the tiny model
    monkeypatch.setattr(background, "_cache", {})
    clauses = collect_clauses(user, 2)
    assert background.model_han_chars("tiny") == Background.load(str(tmp_path / "tiny.bg.xz")).han_chars
    assert clauses.han_chars > background.model_han_chars("tiny") > 0
    for spec in ("auto", "tiny"):
        bg, info = select_background(spec, clauses)
        assert bg is None and info["used"] is False and "not smaller" in info["reason"]
        assert background._cache == {}
    bg, info = select_background("tiny", clauses, force=True)
    assert bg is not None and info["used"] is True


def test_environment_sets_the_default(monkeypatch, tmp_path):
    user, _ = word_corpus(30, seed=4)
    path = tmp_path / "e.bg.xz"
    Background.from_texts(word_corpus(200, seed=5)[0], name="env").save(str(path))
    monkeypatch.setenv("MINENT_BACKGROUND", str(path))
    assert LexiconLearner(mdl_rounds=2).fit(user).report_["background"]["name"] == "env"


HANS = ["这个国家的经济发展与学术研究都很重要。", "我们说这个问题的时候，他们都来了。"] * 3
HANT = ["這個國家的經濟發展與學術研究都很重要。", "我們說這個問題的時候，他們都來了。"] * 3
JA = ["表立った動きを挙げることは、日本語の文章ではよくあります。", "私は初めてだったんだけど思っていたよりも魚は新鮮でした。"]


@pytest.fixture
def built_models(tmp_path, monkeypatch):
    """A built-models folder with tiny simplified and traditional models (the ja model is shipped)."""
    for name, text in (("zh-hans", HANS), ("zh-hant", HANT)):
        Background.from_texts(text * 20, name=name).save(str(tmp_path / f"{name}.bg.xz"))
    monkeypatch.setenv("MINENT_BACKGROUND_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("lines, name", [(JA, "ja"), (HANT[:1], "zh-hant"), (HANS[:1], "zh-hans")])
def test_auto_picks_the_installed_model_of_the_script(built_models, lines, name):
    assert set(shipped()) == {"ja", "zh-hans", "zh-hant"}
    bg, info = select_background("auto", collect_clauses(lines, 2))
    assert bg is not None and bg.name == name and info["used"] is True
    assert info["coverage"][name] >= 0.85


def test_auto_uses_no_model_of_another_script():
    assert set(shipped()) == {"ja"}  # the package ships the Japanese model only
    bg, info = select_background("auto", collect_clauses(HANS, 2))
    assert bg is None and info["used"] is False and "no installed model fits" in info["reason"]
    assert info["coverage"]["ja"] < 0.85


@pytest.mark.parametrize("lines, name", [
    (["私は初めてだったんだけど思っていたよりも魚は新鮮でした。", "ソングに変更後は、ＥＤも歌つきのものが使われた。"] * 3,
     "ja"),
    (["同樣，施力的大小不同，引起的加速度不同。", "大多數的加長型禮車則是租車公司的財產。"] * 3, "zh-hant"),
])
def test_japanese_and_traditional_round_trip(built_models, lines, name):
    lex = LexiconLearner(background=name).fit(lines).lexicon_
    assert lex.report["background"]["name"] == name and lex.report["background"]["used"]
    seg = lex.segmenter
    for line in lines:
        words = seg.segment(line)
        assert "".join(words) == line
        assert len(words) > len(line) / 4  # cut into words, not left whole


def test_cli_background_option(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(word_corpus(200, seed=6)[0]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build-lexicon", str(raw), "-o", str(tmp_path / "lex.tsv"), "-q",
                                  "--background", "none"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["build-lexicon", str(raw), "-o", str(tmp_path / "lex2.tsv"), "-q",
                                  "--background", "no-such-model"])
    assert r.exit_code != 0 and "unknown background 'no-such-model'" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "lex2.tsv").exists()


# The lexicon the learner of commit 402cb84 (before background models and script-aware runs)
# learns from word_corpus(300, seed=3) with mdl_rounds=4: background none and no small-corpus
# scaling give exactly it.
HEAD_LEXICON = [("天安门", 121), ("老师", 120), ("苹果", 115), ("火车站", 114), ("香蕉", 114), ("学校", 111),
                ("跑步", 109), ("飞机", 105), ("电脑", 104), ("北京", 103), ("喜欢", 102), ("音乐", 102),
                ("公园", 100), ("图书馆", 98), ("我们", 86)]


def test_background_none_without_scaling_is_the_previous_learner():
    raw, _ = word_corpus(300, seed=3)
    lex = LexiconLearner(mdl_rounds=4, background="none", scale_chars=None).fit(raw).lexicon_
    assert list(zip(lex.words, map(int, lex.counts))) == HEAD_LEXICON
    assert lex.report["small_corpus_scale"]["factor"] == 1.0
    scaled = LexiconLearner(mdl_rounds=4, background="none").fit(raw).lexicon_.report["small_corpus_scale"]
    n = sum(map(len, raw))
    assert scaled["chars"] == n and scaled["factor"] == round((n / 2**20) ** 0.5, 4)
    assert scaled["mdl_weight"] == round(0.7 * (n / 2**20) ** 0.5, 4)


def test_build_script_news_text_and_debian_packages(tmp_path, capsys):
    """corpora/build_background.py: a Chinese model from a text file alone; Debian text needs its
    .deb files (one-line error, no output file); ja needs a package."""
    import importlib.util
    from pathlib import Path

    from minent.background import Background
    spec = importlib.util.spec_from_file_location(
        "build_background", Path(__file__).resolve().parents[1] / "corpora" / "build_background.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    text = tmp_path / "news.txt"
    text.write_text("新年讲话。新年好\n新年讲话\n", encoding="utf-8")
    out = tmp_path / "zh-hans.bg.xz"
    assert build.main(["zh-hans", "--text", str(text), "--out", str(out)]) == 0
    bg = Background.load(str(out))
    assert sorted(zip(bg.clauses(), bg.counts.tolist())) == [("新年好", 1), ("新年讲话", 2)]
    missing = tmp_path / "other.bg.xz"
    assert build.main(["zh-hans", "--text", str(text), "--packages", "no-such-package",
                       "--deb-dir", str(tmp_path), "--out", str(missing)]) == 1
    assert build.main(["ja", "--packages", "", "--out", str(missing)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err) and not missing.exists()
