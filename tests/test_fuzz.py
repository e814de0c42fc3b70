"""Fuzzing the command line: whatever the input, a command ends cleanly.

Every command gets random bytes, random Unicode (lone surrogates, combining marks, emoji, RTL text,
NUL, odd line breaks), huge lines, empty lines only, CRLF and BOM files, GBK / GB18030 / Big5
files, and inputs that vanish between listing and reading. For each run: no traceback (exit 0, or 2
with one ``minent: error: ...`` line), no hang (an alarm), and either a complete, loadable output
file or none at all, with no temporary file left beside it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from minent import textio
from minent.commands import main
from minent.lexicon import Lexicon
from minent.maxent import load_model
from minent.parse_eval import read_predictions
from minent.templates import Templates

from conftest import word_corpus

HANG_S = 60


@contextlib.contextmanager
def no_hang(seconds=HANG_S):
    def alarm(signum, frame):
        raise TimeoutError(f"command still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A lexicon, a templates file, a model, CoNLL-U gold and parse output to run commands against."""
    d = tmp_path_factory.mktemp("fuzz")
    raw, gold = word_corpus(300, seed=1)
    (d / "raw.txt").write_text("\n".join(raw) + "\n", encoding="utf-8")
    (d / "gold.txt").write_text("\n".join(gold) + "\n", encoding="utf-8")
    (d / "labelled.txt").write_text("".join(f"{'ab'[i % 2]}\t{t}\n" for i, t in enumerate(raw)), encoding="utf-8")
    conllu = "".join(f"# sent_id = {i}\n" + "".join(f"{k + 1}\t{w}\t_\t_\t_\t_\t{0 if k == 0 else 1}\t_\t_\t_\n"
                                                    for k, w in enumerate(g.split())) + "\n"
                     for i, g in enumerate(gold[:30]))
    (d / "gold.conllu").write_text(conllu, encoding="utf-8")
    runner = CliRunner()
    P = lambda name: str(d / name)  # noqa: E731
    for args in (["build-lexicon", P("raw.txt"), "-o", P("lex.tsv"), "-q"],
                 ["collocations", P("gold.txt"), "--pretokenized", "-o", P("tpl.tsv"), "-q", "--min-count", "2"],
                 ["maxent", "train", P("labelled.txt"), "-o", P("model.npz"), "-q"],
                 ["parse", P("gold.txt"), "-t", P("tpl.tsv"), "--pretokenized", "--format", "brackets",
                  "-o", P("pred.txt"), "-q"]):
        r = runner.invoke(main, args)
        assert r.exit_code == 0, r.output
    return d


def _p(work, name):
    return str(work / name)


# name -> (arguments given the fuzzed file F and output O, kind of output written to O or None,
#          whether --encoding applies)
COMMANDS = {
    "build-lexicon": (lambda w, f, o: ["build-lexicon", f, "-o", o, "-q"], "lexicon", True),
    "build-lexicon --preset news": (lambda w, f, o: ["build-lexicon", "--preset", "news", f, "-o", o, "-q"],
                                    "lexicon", True),
    "segment": (lambda w, f, o: ["segment", "-l", _p(w, "lex.tsv"), f, "-o", o], "text", True),
    "segment (lexicon file)": (lambda w, f, o: ["segment", "-l", f, _p(w, "raw.txt"), "-o", o], "text", False),
    "new-words": (lambda w, f, o: ["new-words", "-l", f, "--against", f], None, False),
    "entropy": (lambda w, f, o: ["entropy", f, "-l", _p(w, "lex.tsv"), "-q"], None, True),
    "evaluate": (lambda w, f, o: ["evaluate", _p(w, "gold.txt"), f, "--words", f], None, True),
    "collocations": (lambda w, f, o: ["collocations", f, "--pretokenized", "-o", o, "-q", "--min-count", "1"],
                     "templates", True),
    "collocations --lexicon": (lambda w, f, o: ["collocations", f, "-l", _p(w, "lex.tsv"), "-o", o, "-q",
                                                "--min-count", "1"], "templates", True),
    "parse": (lambda w, f, o: ["parse", f, "-t", _p(w, "tpl.tsv"), "--pretokenized", "--format", "json",
                               "-o", o, "-q"], "parse", True),
    "parse (templates file)": (lambda w, f, o: ["parse", _p(w, "gold.txt"), "-t", f, "--pretokenized",
                                                "-o", o, "-q"], "text", False),
    "parse --conllu": (lambda w, f, o: ["parse", f, "--conllu", "-t", _p(w, "tpl.tsv"), "--format", "brackets",
                                        "-o", o, "-q"], "parse", True),
    "evaluate-parse": (lambda w, f, o: ["evaluate-parse", _p(w, "gold.conllu"), f], None, True),
    "evaluate-parse (gold)": (lambda w, f, o: ["evaluate-parse", f, _p(w, "pred.txt")], None, True),
    "maxent train": (lambda w, f, o: ["maxent", "train", f, "-o", o, "-q", "--max-iter", "20"], "model", True),
    "maxent predict": (lambda w, f, o: ["maxent", "predict", _p(w, "model.npz"), f, "-o", o], "text", True),
    "maxent predict (model file)": (lambda w, f, o: ["maxent", "predict", f, _p(w, "raw.txt"), "-o", o],
                                    "text", False),
    "maxent evaluate": (lambda w, f, o: ["maxent", "evaluate", _p(w, "model.npz"), f], None, True),
    "maxent explain": (lambda w, f, o: ["maxent", "explain", f], None, False),
}


def _load_output(kind, path):
    if kind == "lexicon":
        Lexicon.load(path)
        for suffix in (".jieba.txt", ".report.json"):
            assert os.path.exists(path[:-4] + suffix)
    elif kind == "templates":
        Templates.load(path)
    elif kind == "model":
        load_model(path)
    elif kind == "parse":
        list(read_predictions(path))
    else:
        with open(path, encoding="utf-8") as fh:
            fh.read()


def run_clean(work, name, data: bytes, encoding=None, tmp=None):
    """Run command ``name`` on ``data``; assert it ends cleanly. Returns the click Result."""
    args_of, kind, takes_encoding = COMMANDS[name]
    tmp = tmp or work / "runs"
    tmp.mkdir(exist_ok=True)
    f = tmp / "input.txt"
    f.write_bytes(data)
    out_dir = tmp / "out"
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.iterdir():
        old.unlink()
    out = str(out_dir / "o.tsv")
    args = args_of(work, str(f), out)
    if encoding and takes_encoding:
        args += ["--encoding", encoding]
    with no_hang():
        r = CliRunner().invoke(main, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), (name, r.exc_info)
    assert r.exit_code in (0, 2), (name, r.output)
    assert "Traceback" not in r.stderr
    if r.exit_code == 2:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and (lines[0].startswith("minent: error: ") or "Error:" in lines[0]), \
            (name, r.stderr)
    left = sorted(os.listdir(out_dir))
    assert not [x for x in left if x.endswith(".tmp")], (name, left)
    if kind is not None:
        if r.exit_code == 0:
            _load_output(kind, out)
        else:
            assert left == [], (name, left)
    return r


# ----------------------------------------------------------------------------- random input

ODD = ("北京天安门喜欢音乐我们学校 \t\n\r\x00\u0301\u0308\u05d0\u05e9\u0645\u202e\u200f\u200d"
       "\U0001F600\U0001F468[X]()-LRB-{}\":,\\\ufeff#=\x85\u2028\x0b\x0c\x1c\ud800\udfff")
random_text = st.text(alphabet=st.sampled_from(ODD), max_size=300).map(
    lambda s: s.encode("utf-8", "surrogatepass"))
random_bytes = st.binary(max_size=600)
labelled_text = st.lists(st.tuples(st.sampled_from(["a", "b", "", " ", "\U0001F600"]),
                                   st.text(alphabet=st.sampled_from(ODD), max_size=20)), max_size=10).map(
    lambda rows: "".join(f"{a}\t{b}\n" for a, b in rows).encode("utf-8", "surrogatepass"))
valid_text = st.text(alphabet=st.sampled_from([c for c in ODD if c not in "\x00\ud800\udfff"]),
                     max_size=300).map(str.encode)
fuzz_input = st.one_of(random_bytes, random_text, valid_text, labelled_text)


@pytest.mark.parametrize("name", list(COMMANDS))
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=fuzz_input)
def test_random_input_ends_cleanly(work, name, data):
    run_clean(work, name, data)


# ----------------------------------------------------------------------------- awkward files

SENTENCES = "北京天安门 我们喜欢音乐\n学校的老师喜欢跑步\n火车站 公园 图书馆\n" * 40
AWKWARD = {
    "empty file": b"",
    "empty lines only": b"\n" * 500,
    "blank lines with spaces": b" \n\t\n \r\n" * 50,
    "CRLF": SENTENCES.replace("\n", "\r\n").encode(),
    "BOM": "\ufeff".encode() + SENTENCES.encode(),
    "NUL": SENTENCES.encode() + b"\x00",
    "lone surrogate": SENTENCES.encode() + "\ud800".encode("utf-8", "surrogatepass"),
    "huge line": ("北京天安门喜欢音乐" * 40000).encode(),
    "huge non-Han line": ("abc def " * 40000).encode(),
    "combining, emoji, RTL": ("e\u0301\u0301\u0301 北京\u0308 \U0001F600\U0001F468\u200d\U0001F469 "
                              "שלום עולם \u202eabc\u202c مرحبا\n" * 30).encode(),
    "GBK": SENTENCES.encode("gbk"),
    "GB18030": (SENTENCES + "\U0001F600€\n").encode("gb18030"),
    "Big5": ("北京天安門 我們喜歡音樂\n學校的老師喜歡跑步\n火車站 公園 圖書館\n" * 40).encode("big5"),
}


@pytest.mark.parametrize("case", list(AWKWARD))
def test_awkward_files_end_cleanly(work, case):
    encodings = [None] + (["gb18030"] if case in ("GBK", "GB18030") else ["big5"] if case == "Big5" else [])
    for name in COMMANDS:
        for enc in encodings:
            run_clean(work, name, AWKWARD[case], enc)


@pytest.mark.parametrize("case, encoding", [("GBK", None), ("GB18030", None), ("Big5", None),
                                            ("GBK", "gb18030"), ("GB18030", "gb18030"), ("Big5", "big5")])
def test_legacy_encodings_need_and_accept_encoding(work, case, encoding):
    r = run_clean(work, "build-lexicon", AWKWARD[case], encoding)
    if encoding is None:
        assert r.exit_code == 2 and "--encoding" in r.stderr
    else:
        assert r.exit_code == 0, r.output
        words = Lexicon.load(str(work / "runs" / "out" / "o.tsv")).words
        source = AWKWARD[case].decode(encoding)
        assert len(words) >= 3 and all(w in source for w in words)  # decoded, not mojibake


def test_crlf_and_bom_read_like_plain_utf8(work):
    outs = []
    for case in ("CRLF", "BOM"):
        r = run_clean(work, "segment", AWKWARD[case])
        assert r.exit_code == 0
        outs.append((work / "runs" / "out" / "o.tsv").read_text(encoding="utf-8").replace("\r", ""))
    run_clean(work, "segment", SENTENCES.encode())
    plain = (work / "runs" / "out" / "o.tsv").read_text(encoding="utf-8")
    assert outs == [plain, plain]


# ----------------------------------------------------------------------------- vanishing files

def _corpus_dir(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for k in range(2):
        (d / f"part{k}.txt").write_text(SENTENCES, encoding="utf-8")
    return d


@pytest.mark.parametrize("name", ["build-lexicon", "entropy", "collocations"])
def test_file_deleted_after_listing(work, tmp_path, monkeypatch, name):
    d = _corpus_dir(tmp_path)
    listed = textio.expand_inputs

    def list_then_delete(specs):
        paths = listed(specs)
        os.unlink(paths[-1])
        return paths
    monkeypatch.setattr(textio, "expand_inputs", list_then_delete)
    out = tmp_path / "out" / "o.tsv"
    with no_hang():
        r = CliRunner().invoke(main, COMMANDS[name][0](work, str(d), str(out)))
    assert r.exit_code == 2 and "part1.txt: no such file" in r.stderr, r.output
    assert not out.parent.exists() or not os.listdir(out.parent)


@pytest.mark.parametrize("name", ["build-lexicon", "entropy", "collocations"])
def test_file_deleted_after_checks(work, tmp_path, monkeypatch, name):
    d = _corpus_dir(tmp_path)
    checked = textio.Corpus._check_readable

    def check_then_delete(self):
        checked(self)
        os.unlink(self.paths[-1])
    monkeypatch.setattr(textio.Corpus, "_check_readable", check_then_delete)
    out = tmp_path / "out" / "o.tsv"
    with no_hang():
        r = CliRunner().invoke(main, COMMANDS[name][0](work, str(d), str(out)))
    assert r.exit_code == 2 and "part1.txt" in r.stderr and "Traceback" not in r.stderr, r.output
    assert not out.parent.exists() or not os.listdir(out.parent)


def test_file_truncated_mid_read(work, tmp_path, monkeypatch):
    """The file shrinks (cut inside a character) between two blocks of the read."""
    p = tmp_path / "in.txt"
    data = SENTENCES.encode() * 20
    p.write_bytes(data)
    cut = next(i for i in range(4096 * 2, len(data)) if data[i] >= 0xE0) + 1  # after a lead byte
    real = textio.read_blocks

    def shrinking(path, encoding="utf-8", block_bytes=textio.BLOCK_BYTES, name=None):
        for k, block in enumerate(real(path, encoding, 4096, name)):
            if k == 1 and path == str(p):
                with open(path, "r+b") as fh:
                    fh.truncate(cut)  # inside a three-byte character
            yield block
    monkeypatch.setattr(textio, "read_blocks", shrinking)
    out = tmp_path / "o.tsv"
    with no_hang():
        r = CliRunner().invoke(main, ["build-lexicon", str(p), "-o", str(out), "-q"])
    assert r.exit_code == 2 and "not valid utf-8" in r.stderr, r.output
    assert not out.exists() and not [x for x in os.listdir(tmp_path) if x.endswith(".tmp")]


# ----------------------------------------------------------------------------- real processes

@pytest.mark.parametrize("args", [["segment", "-l", "{lex}"], ["parse", "-t", "{tpl}", "--pretokenized"],
                                  ["maxent", "predict", "{model}"]])
def test_random_stdin_in_a_real_process(work, args):
    import random
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(3000)) + "北京\ud800\n".encode("utf-8", "surrogatepass")
    args = [a.format(lex=work / "lex.tsv", tpl=work / "tpl.tsv", model=work / "model.npz") for a in args]
    p = subprocess.run([sys.executable, "-m", "minent", *args], input=data, capture_output=True, timeout=HANG_S)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 2 and "Traceback" not in err and err.startswith("minent: error: <stdin>"), err
    assert len(err.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- regressions

HEADER = "# minent-lexicon format=1 {} rules=1\nword\tcount\n北京\t{}\n天安门\t3\n"


@pytest.mark.parametrize("meta, count", [("total=10 unknown_logp=nan", 1), ("total=10 unknown_logp=nan", -1),
                                         ("total=0 unknown_logp=-5", 1), ("total=10 unknown_logp=-5", -1),
                                         ("total=10 unknown_logp=-5", 10**30)])
def test_corrupt_lexicon_numbers_are_refused_not_crashed_on(tmp_path, meta, count):
    """A NaN unknown_logp with a negative count made the segmenter crash the process (SIGSEGV)."""
    lex = tmp_path / "lex.tsv"
    lex.write_text(HEADER.format(meta, count), encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "minent", "segment", "-l", str(lex)], input="北京天安门\n".encode(),
                       capture_output=True, timeout=HANG_S)
    err = p.stderr.decode()
    assert p.returncode == 2 and err.startswith("minent: error: "), err
    assert "bad lexicon header" in err or "out of range" in err, err


def test_segmenter_refuses_a_nan_unknown_score():
    with pytest.raises(ValueError, match="finite"):
        Lexicon(["北京"], [3], unknown_logp=float("nan")).segment("北京")


def test_word_list_with_odd_counts_and_cells(tmp_path, work):
    words = tmp_path / "words.txt"
    words.write_text("北京 inf\n天安门 1e40\n音乐 nan\n\t学校\n \n", encoding="utf-8")
    assert Lexicon.load(str(words)).count("音乐") == 1
    r = CliRunner().invoke(main, ["evaluate", str(work / "gold.txt"), str(work / "gold.txt"), "--words", str(words)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["new-words", "-l", str(work / "lex.tsv"), "--against", str(words)])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("line", ['{"tokens": ["a", "b"], "tree": {"start": 0, "end": 2, "children": [5]}}',
                                  '{"tokens": ["a"], "tree": ' + '{"start": 0, "end": 1, "children": [' * 3000
                                  + '{}' + ']}' * 3000 + '}'])
def test_malformed_parse_json_is_a_format_error(tmp_path, work, line):
    pred = tmp_path / "pred.jsonl"
    pred.write_text(line + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["evaluate-parse", str(work / "gold.conllu"), str(pred)])
    assert r.exit_code == 2 and "not a minent parse JSON line" in r.stderr, r.output
