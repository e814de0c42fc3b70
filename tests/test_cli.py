import json
import os

import pytest
from click.testing import CliRunner

from minent.commands import main
import minent.data
from minent.data import sample_corpus

from conftest import word_corpus


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def corpus(tmp_path):
    raw, gold = word_corpus(800, seed=5)
    p = tmp_path / "raw.txt"
    p.write_text("\n".join(raw) + "\n", encoding="utf-8")
    g = tmp_path / "gold.txt"
    g.write_text("\n".join(gold) + "\n", encoding="utf-8")
    return p, g


def test_build_segment_evaluate_roundtrip(runner, corpus, tmp_path):
    raw, gold = corpus
    out = tmp_path / "out" / "lex.tsv"
    r = runner.invoke(main, ["build-lexicon", str(raw), "-o", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").splitlines()[1] == "word\tcount\tprobability\tpair_pmi\tpmi\tfstar\tsub_pmi"
    report = json.loads((tmp_path / "out" / "lex.report.json").read_text(encoding="utf-8"))
    assert report["lexicon_size"] > 0 and report["information_bits"]["lexicon"]["L_bits"] < \
        report["information_bits"]["char"]["L_bits"]
    assert "天安门 " in (tmp_path / "out" / "lex.jieba.txt").read_text(encoding="utf-8")
    pred = tmp_path / "pred.txt"
    r = runner.invoke(main, ["segment", "-l", str(out), str(raw), "-o", str(pred)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["evaluate", str(gold), str(pred), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["f1"] == 1.0


def test_segment_stdin_to_stdout(runner, corpus, tmp_path):
    out = tmp_path / "lex.tsv"
    runner.invoke(main, ["build-lexicon", str(corpus[0]), "-o", str(out), "-q"])
    r = runner.invoke(main, ["segment", "-l", str(out)], input="北京天安门\n\n喜欢音乐１２月")
    assert r.exit_code == 0, r.output
    assert r.output == "北京 天安门\n\n喜欢 音乐 １２月\n"


def test_default_corpus_writes_outputs(runner, tmp_path, monkeypatch):
    assert sample_corpus().is_file()
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(main, ["build-lexicon", "-q"])
    assert r.exit_code == 0, r.output
    assert os.path.exists("outputs/lexicon.tsv") and os.path.exists("outputs/lexicon.report.json")
    r = runner.invoke(main, ["new-words", "--top", "5"])
    assert r.exit_code == 0 and r.output.startswith("word\tcount\tfstar")
    assert len(r.output.splitlines()) == 6
    r = runner.invoke(main, ["entropy", "-l", "outputs/lexicon.tsv", "-q"])
    assert r.exit_code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in r.output.splitlines()[1:]}
    assert float(rows["lexicon"][3]) < float(rows["char"][3])


def test_collocations_default_corpus(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(main, ["collocations", "-q", "--top", "2", "--window", "1"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("# top non-trivial templates")
    assert os.path.exists("outputs/templates.tsv") and os.path.exists("outputs/templates.report.json")
    report = json.loads(open("outputs/templates.report.json", encoding="utf-8").read())
    assert report["inputs"] == [str(sample_corpus())]  # outside the checkout: named by its full path


@pytest.mark.parametrize("command", ["build-lexicon", "collocations", "report"])
def test_missing_bundled_sample_is_one_line(runner, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(minent.data, "SAMPLE_CORPUS_NAME", "gone.zh.txt")
    r = _fails(runner, [command, "-q"], "gone.zh.txt is missing")
    assert r.output.startswith("minent: error: minent's bundled data file ")
    assert not os.path.exists("outputs")


def _fails(runner, args, message, input=None):
    r = runner.invoke(main, args, input=input)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    return r


@pytest.mark.parametrize("content, message", [
    (b"", "no Chinese text"),
    (b"\x7fELF\x00\x00\x01binary", "NUL bytes"),
    ("中华人民共和国成立了".encode("gbk") * 20, "--encoding gb18030"),
    (b"\xff\xfe\xfa bad", "not valid utf-8"),
])
def test_bad_inputs_fail_cleanly_without_output(runner, tmp_path, content, message):
    p = tmp_path / "in.txt"
    p.write_bytes(content)
    out = tmp_path / "lex.tsv"
    _fails(runner, ["build-lexicon", str(p), "-o", str(out), "-q"], message)
    assert not out.exists()
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_gbk_with_encoding_option_works(runner, tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes(("北京天安门我们喜欢\n" * 50).encode("gbk"))
    r = runner.invoke(main, ["build-lexicon", str(p), "-o", str(tmp_path / "l.tsv"), "-q",
                             "--encoding", "gb18030"])
    assert r.exit_code == 0, r.output


def test_missing_file_and_overwrite_refusal(runner, corpus, tmp_path):
    _fails(runner, ["build-lexicon", str(tmp_path / "nope.txt"), "-q"], "no such file")
    raw = corpus[0]
    before = raw.read_bytes()
    _fails(runner, ["build-lexicon", str(raw), "-o", str(raw), "-q"], "refusing to write")
    assert raw.read_bytes() == before
    _fails(runner, ["segment", "-l", str(tmp_path / "none.tsv"), str(raw)], "no such lexicon")


def test_failed_run_keeps_previous_output(runner, corpus, tmp_path):
    out = tmp_path / "lex.tsv"
    assert runner.invoke(main, ["build-lexicon", str(corpus[0]), "-o", str(out), "-q"]).exit_code == 0
    before = out.read_bytes()
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    _fails(runner, ["build-lexicon", str(empty), "-o", str(out), "-q"], "no Chinese text")
    assert out.read_bytes() == before


def test_huge_line_without_punctuation(runner, corpus, tmp_path):
    out = tmp_path / "lex.tsv"
    runner.invoke(main, ["build-lexicon", str(corpus[0]), "-o", str(out), "-q"])
    line = "北京天安门喜欢音乐" * 120000  # ~1M characters, 3 MB, one line
    p = tmp_path / "huge.txt"
    p.write_text(line, encoding="utf-8")
    r = runner.invoke(main, ["segment", "-l", str(out), str(p)])
    assert r.exit_code == 0
    assert r.output.endswith("\n") and r.output.count("\n") == 1
    assert r.output.replace(" ", "").strip() == line
    r = runner.invoke(main, ["build-lexicon", str(p), "-o", str(tmp_path / "h.tsv"), "-q"])
    assert r.exit_code == 0, r.output


def test_lexicon_file_from_another_version(runner, tmp_path):
    lex = tmp_path / "lex.tsv"
    lex.write_text("# minent-lexicon format=7 total=1 unknown_logp=-1 rules=1\nword\tcount\n", encoding="utf-8")
    _fails(runner, ["segment", "-l", str(lex)], "format 7", input="北京\n")


def test_cli_shim_help():
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, os.path.join(root, "cli.py"), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "build-lexicon" in r.stdout


def test_preset_news_builds_a_loadable_lexicon(runner, corpus, tmp_path):
    out = tmp_path / "news.tsv"
    r = runner.invoke(main, ["build-lexicon", str(corpus[0]), "--preset", "news", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "news.report.json").read_text(encoding="utf-8"))
    assert report["preset"] == "news" and report["lexicon_size"] > 0
    r = runner.invoke(main, ["segment", "-l", str(out)], input="北京天安门\n")
    assert r.output == "北京 天安门\n"
    # the preset's middle-dot rules travel with the lexicon file; --no-rules turns them off
    assert "rules=2" in out.read_text(encoding="utf-8").splitlines()[0]
    r = runner.invoke(main, ["segment", "-l", str(out)], input="北京·天安门１·５\n")
    assert r.output == "北京·天安门 １·５\n"
    off = tmp_path / "off.tsv"
    r = runner.invoke(main, ["build-lexicon", str(corpus[0]), "--preset", "news", "--no-rules", "-o",
                             str(off), "-q"])
    assert r.exit_code == 0 and "rules=0" in off.read_text(encoding="utf-8").splitlines()[0]
