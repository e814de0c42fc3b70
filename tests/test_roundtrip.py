"""Every file minent writes reads back to what was written, and files of another format version
(or another kind of file) are refused with one clear line: a FormatError from the library, and
``minent: error:`` with exit code 2 from the command line."""
from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from minent.commands import main
from minent.errors import FormatError
from minent.features import TextFeatures
from minent.lexicon import Lexicon
from minent.maxent import MaxEntClassifier, load_model, save_model
from minent.parse import TemplateParser
from minent.parse_eval import read_predictions
from minent.templates import TemplateFinder, Templates

from conftest import word_corpus

pytestmark = pytest.mark.filterwarnings("ignore:maxent lbfgs stopped before convergence")
SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Characters a word may hold: any code point but surrogates (not encodable), TAB and the line breaks
# of the TSV files; words of word lists and templates also exclude white space (their separator).
tsv_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\n\r")
word_char = st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="\ufeff\x85")
odd_words = st.one_of(st.text(alphabet=st.sampled_from("北京天安门喜欢音乐\u0301\U0001F600א"), min_size=1, max_size=6),
                      st.text(word_char, min_size=1, max_size=6))
score = st.one_of(st.just(math.nan), st.floats(-40, 40, allow_nan=False))


# ----------------------------------------------------------------------------- lexicon

@st.composite
def lexicons(draw, words=st.text(tsv_char, min_size=1, max_size=8)):
    ws = draw(st.lists(words, min_size=1, max_size=25, unique=True))
    counts = draw(st.lists(st.integers(1, 2**40), min_size=len(ws), max_size=len(ws)))
    total = sum(counts) + draw(st.integers(0, 1000))
    scores = {k: draw(st.lists(score, min_size=len(ws), max_size=len(ws)))
              for k in ("pair_pmi", "pmi", "fstar", "sub_pmi")}
    unknown = draw(st.floats(-60, -1e-6))
    return Lexicon(ws, counts, total, scores, unknown, draw(st.booleans()))


def _four_places(a):
    return np.array([float(f"{v:.4f}") if not math.isnan(v) else math.nan for v in a])


@settings(max_examples=60, **SETTINGS)
@given(lex=lexicons())
def test_lexicon_tsv_round_trips(tmp_path, lex):
    path = str(tmp_path / "lex.tsv")
    lex.save(path)
    back = Lexicon.load(path)
    assert dict(back.items()) == dict(lex.items())
    assert (back.total, back.unknown_logp, back.rules) == (lex.total, lex.unknown_logp, lex.rules)
    order = [back.words.index(w) for w in lex.words]  # the file lists words by count
    for k, v in lex.scores.items():  # the file keeps scores to 4 decimal places
        np.testing.assert_array_equal(back.scores[k][order], _four_places(v))
    again = str(tmp_path / "again.tsv")
    back.save(again)
    assert open(again, "rb").read() == open(path, "rb").read()


@settings(max_examples=40, **SETTINGS)
@given(lex=lexicons(words=odd_words))
def test_jieba_dict_round_trips_words_and_counts(tmp_path, lex):
    path = str(tmp_path / "lex.jieba.txt")
    lex.save_jieba(path)
    assert dict(Lexicon.load(path).items()) == dict(lex.items())


def test_built_lexicon_round_trips_through_every_reader(tmp_path):
    raw, _ = word_corpus(400, seed=2)
    corpus = tmp_path / "raw.txt"
    corpus.write_text("\n".join(raw) + "\n", encoding="utf-8")
    out = tmp_path / "lex.tsv"
    r = CliRunner().invoke(main, ["build-lexicon", str(corpus), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    lex = Lexicon.load(str(out))
    jieba_dict = Lexicon.load(str(tmp_path / "lex.jieba.txt"))
    assert dict(jieba_dict.items()) == dict(lex.items())
    text = "".join(raw[:30])
    assert jieba_dict.segment(text) == lex.segment(text)
    report = json.loads((tmp_path / "lex.report.json").read_text(encoding="utf-8"))
    assert report["lexicon_size"] == len(lex)
    # the lexicon as the reference word list of new-words / evaluate --words
    from minent.newwords import load_reference_words
    assert load_reference_words(str(out)) == set(lex.words)
    assert load_reference_words(str(tmp_path / "lex.jieba.txt")) == set(lex.words)


def test_lexicon_words_that_would_break_the_file_are_refused(tmp_path):
    for bad in ("a\tb", "a\nb", "a\rb"):
        with pytest.raises(FormatError, match="TAB or a line break"):
            Lexicon([bad, "x"], [2, 1]).save(str(tmp_path / "l.tsv"))
    with pytest.raises(FormatError, match="white space"):
        Lexicon(["a b", "x"], [2, 1]).save_jieba(str(tmp_path / "l.jieba.txt"))
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------- templates

template_word = st.text(word_char, min_size=1, max_size=5).filter(lambda w: w != "[X]" and not w.startswith("#"))


@st.composite
def templates(draw):
    vocab = draw(st.lists(template_word, min_size=1, max_size=12, unique=True))
    patterns = draw(st.lists(
        st.lists(st.one_of(st.just("[X]"), st.sampled_from(vocab)), min_size=1, max_size=5)
        .filter(lambda p: any(t != "[X]" for t in p)  # canonical: no two placeholders side by side
                and not any(a == b == "[X]" for a, b in zip(p, p[1:]))).map(tuple),
        min_size=1, max_size=10, unique=True))
    counts = draw(st.lists(st.integers(1, 10**9), min_size=len(patterns), max_size=len(patterns)))
    word_counts = {w: draw(st.integers(1, 10**6)) for w in vocab}
    boundaries = {w: (draw(st.integers(1, 99)), draw(st.integers(0, 99))) for w in vocab[::2]}
    example = st.lists(st.sampled_from(vocab), min_size=1, max_size=6).map(" ".join)
    examples = [draw(st.lists(example, max_size=3)) for _ in patterns]
    meta = {"window": draw(st.integers(1, 64)), "tokenizer": "pretokenized"}
    return Templates(patterns, counts, sum(counts) + draw(st.integers(0, 50)), word_counts,
                     sum(word_counts.values()), examples, meta, boundaries)


@settings(max_examples=60, **SETTINGS)
@given(tpl=templates())
def test_templates_tsv_round_trips(tmp_path, tpl):
    path = str(tmp_path / "t.tsv")
    tpl.save(path)
    back = Templates.load(path)
    assert back.patterns == tpl.patterns and back.counts.tolist() == tpl.counts.tolist()
    assert (back.total, back.n_words, back.word_counts) == (tpl.total, tpl.n_words, tpl.word_counts)
    assert back.examples == tpl.examples and back.boundaries == tpl.boundaries
    assert back.meta == {k: str(v) for k, v in tpl.meta.items()}
    words = [w for p in tpl.patterns for w in p][:12]
    assert TemplateParser(back).parse(words).brackets() == TemplateParser(tpl).parse(words).brackets()


def test_mined_templates_round_trip_and_parse_the_same(tmp_path):
    _, gold = word_corpus(300, seed=3)
    sentences = [g.split() for g in gold]
    tpl = TemplateFinder(min_count=3).fit(sentences).templates_
    path = str(tmp_path / "t.tsv")
    tpl.save(path)
    back = Templates.load(path)
    assert back.patterns == tpl.patterns and back.examples == tpl.examples
    a, b = TemplateParser(tpl), TemplateParser(back)
    for s in sentences[:50]:
        assert a.parse(s).brackets() == b.parse(s).brackets()


# ----------------------------------------------------------------------------- parse output

@pytest.mark.parametrize("fmt", ["json", "brackets"])
def test_parse_output_reads_back_as_the_same_trees(tmp_path, fmt):
    _, gold = word_corpus(200, seed=4)
    odd = ["(", "北京", ")", "\U0001F600", "e\u0301"] + (["-LRB-"] if fmt == "json" else [])  # brackets escape ( as -LRB-
    sentences = [g.split() for g in gold] + [odd, []]
    tpl_path = tmp_path / "t.tsv"
    TemplateFinder(min_count=3).fit(sentences[:-2]).templates_.save(str(tpl_path))
    data = tmp_path / "s.txt"
    data.write_text("".join(" ".join(s) + "\n" for s in sentences), encoding="utf-8")
    out = tmp_path / f"parsed.{fmt}"
    r = CliRunner().invoke(main, ["parse", str(data), "-t", str(tpl_path), "--pretokenized", "--format", fmt,
                                  "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    parser = TemplateParser(Templates.load(str(tpl_path)))
    back = list(read_predictions(str(out)))
    assert len(back) == len(sentences)
    for s, t in zip(sentences, back):
        assert list(t.tokens) == s
        if s:
            assert t.spans() == parser.parse(s).spans()


# ----------------------------------------------------------------------------- models

def _texts():
    raw, _ = word_corpus(120, seed=6)
    return raw, np.array(["正面", "负面", "中性 \U0001F600"] * 40)


@pytest.mark.parametrize("spec, kw, labels", [
    ("char12", dict(), "str"),
    ("char1,words12", dict(binary=True, idf=True), "str"),
    ("char123", dict(sublinear=True, norm="l2", normalize=True, max_features=50), "int"),
    ("char1", dict(), "binary"),
])
def test_model_round_trips_with_identical_predictions(tmp_path, spec, kw, labels):
    texts, y = _texts()
    if labels == "int":
        y = np.arange(len(texts)) % 3
    elif labels == "binary":
        y = y[:len(texts)] == "正面"
        y = np.where(y, "yes", "no")
    lexicon = Lexicon(["北京", "天安门", "音乐", "喜欢"], [5, 4, 3, 2]) if "words" in spec else None
    feats = TextFeatures(spec, lexicon=lexicon, **kw)
    clf = MaxEntClassifier(l2=0.5, max_iter=50).fit(feats.fit_transform(texts), y)
    path = str(tmp_path / "m.npz")
    save_model(path, clf, feats)
    clf2, feats2 = load_model(path)
    new = texts[:10] + ["完全没见过的字", "", "\U0001F600 abc"]
    assert np.array_equal(clf2.predict_proba(feats2.transform(new)), clf.predict_proba(feats.transform(new)))
    assert np.array_equal(clf2.classes_, clf.classes_) and clf2.classes_.dtype.kind == clf.classes_.dtype.kind
    assert feats2.feature_names_ == feats.feature_names_
    assert np.array_equal(clf2.coef_, clf.coef_) and np.array_equal(clf2.intercept_, clf.intercept_)
    # a model without its features (a matrix model) round-trips too
    save_model(path, clf)
    clf3, none = load_model(path)
    assert none is None and np.array_equal(clf3.coef_, clf.coef_)


# ----------------------------------------------------------------------------- other versions

def _model_file(tmp_path, **meta_changes):
    texts, y = _texts()
    feats = TextFeatures("char1")
    clf = MaxEntClassifier(max_iter=20).fit(feats.fit_transform(texts), y)
    path = tmp_path / "model.npz"
    save_model(str(path), clf, feats)
    if meta_changes:
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        meta = json.loads(members["meta.json"])
        meta.update(meta_changes)
        members["meta.json"] = json.dumps(meta).encode()
        with zipfile.ZipFile(path, "w") as zf:
            for n, b in members.items():
                zf.writestr(n, b)
    return path


LEX_BODY = "word\tcount\n北京\t3\n"
TPL_BODY = "## templates\ntemplate\tcount\n[X] 的 [X]\t3\n"


def _foreign_zip(tmp_path):
    path = tmp_path / "other.npz"
    buf = io.BytesIO()
    np.save(buf, np.arange(3))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("weights.npy", buf.getvalue())
    return path


CASES = {
    # kind: [(how the file is made, message expected)]
    "lexicon": [
        (lambda d: f"# minent-lexicon format=3 total=3 unknown_logp=-3 rules=1\n{LEX_BODY}", "lexicon format 3 is not supported"),
        (lambda d: f"# minent-lexicon format=0 total=3 unknown_logp=-3 rules=1\n{LEX_BODY}", "lexicon format 0 is not supported"),
        (lambda d: f"# minent-lexicon total=3\n{LEX_BODY}", "lexicon format None is not supported"),
        (lambda d: "# minent-templates format=1 total=3 n_words=3\n" + TPL_BODY, "a minent-templates file, not a lexicon"),
        (lambda d: f"# minent-lexicon format=1 total=zero unknown_logp=-3\n{LEX_BODY}", "bad lexicon header line"),
        (lambda d: b"PK\x03\x04\xff\xfe garbage", "not a UTF-8 lexicon file"),
    ],
    "templates": [
        (lambda d: "# minent-templates format=3 total=3 n_words=3\n" + TPL_BODY, "templates format 3 is not supported"),
        (lambda d: "# minent-templates format=0 total=3 n_words=3\n" + TPL_BODY, "templates format 0 is not supported"),
        (lambda d: f"# minent-lexicon format=1 total=3 unknown_logp=-3 rules=1\n{LEX_BODY}", "not a templates file"),
        (lambda d: "# minent-templates format=1 total=3 n_words=0\n" + TPL_BODY, "must be positive"),
        (lambda d: b"\x89PNG\r\n\x1a\n\xff\xfe", "not a UTF-8 templates file"),
    ],
    "model": [
        (lambda d: _model_file(d, format_version=4), "unsupported model format version 4"),
        (lambda d: _model_file(d, format_version=0), "unsupported model format version 0"),
        (lambda d: _model_file(d, format="other-tool"), "no minent-maxent format tag"),
        (lambda d: _foreign_zip(d), "not a minent maxent model"),
        (lambda d: "# minent-lexicon format=1 total=3 unknown_logp=-3 rules=1\n", "not a minent maxent model"),
        (lambda d: open(_model_file(d), "rb").read()[:200], "not a minent maxent model"),
    ],
}
LOAD = {"lexicon": Lexicon.load, "templates": Templates.load, "model": load_model}
CLI = {"lexicon": lambda f: ["segment", "-l", f],
       "templates": lambda f: ["parse", "-t", f, "--pretokenized"],
       "model": lambda f: ["maxent", "predict", f]}


@pytest.mark.parametrize("kind, k", [(kind, k) for kind, cases in CASES.items() for k in range(len(cases))])
def test_other_versions_and_foreign_files_are_refused(tmp_path, kind, k):
    make, message = CASES[kind][k]
    made = make(tmp_path)
    if isinstance(made, (str, bytes)):
        path = tmp_path / "file"
        path.write_bytes(made.encode() if isinstance(made, str) else made)
    else:
        path = made
    with pytest.raises(FormatError, match=message):
        LOAD[kind](str(path))
    r = CliRunner().invoke(main, CLI[kind](str(path)), input="北京 的 天安门\n")
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("minent: error: ") and message in lines[0], r.stderr
    if kind == "model":
        r = CliRunner().invoke(main, ["maxent", "explain", str(path)])
        assert r.exit_code == 2 and r.stderr.startswith("minent: error: ") and message in r.stderr
