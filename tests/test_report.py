"""The HTML report: well-formed, self-contained, every section, numbers equal to the library's,
reproducible; the command's errors; a real headless Chromium screenshot when one is installed."""
import os
import random
import re
import struct
import subprocess
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from minent import Corpus, build_lexicon, collect_report, corpus_information, render_report
from minent.commands import main
from minent.report import fmt, literal_positions

NOUNS = ["苹果", "香蕉", "电脑", "老师", "学校", "图书馆", "火车站", "音乐", "飞机", "公园", "鸡蛋", "咖啡"]
VERBS = ["喜欢", "需要", "讨厌", "购买", "研究", "参观"]
FRAMES = ["{a}的{b}是什么", "为什么{a}{v}{b}", "{a}可以{v}{b}吗", "我们{v}{a}和{b}", "请问{a}在哪里"]
SECTIONS = ("numbers", "lexicon", "information", "new-words", "templates", "trees")
CHROMIUM = "/usr/bin/chromium"


def template_corpus(n=900, seed=0):
    rng = random.Random(seed)
    lines = []
    for _ in range(n // 3):
        clause = lambda: rng.choice(FRAMES).format(a=rng.choice(NOUNS), b=rng.choice(NOUNS), v=rng.choice(VERBS))  # noqa: E731
        lines.append("".join(clause() + "，" + clause() + rng.choice("？。！") for _ in range(2)))
    return lines


@pytest.fixture(scope="module")
def lines():
    return template_corpus()


@pytest.fixture(scope="module")
def data(lines):
    return collect_report(lines, reference={"苹果", "香蕉", "电脑"}, n_points=300)


@pytest.fixture(scope="module")
def page(data):
    return render_report(data)


class Checker(HTMLParser):
    VOID = {"meta", "br", "img", "link", "input", "hr", "circle", "line", "rect", "polyline"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.links, self.tags, self.errors, self.keyed = [], set(), [], {}, [], {}
        self._key = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.ids.update([a["id"]] if "id" in a else [])
        self.links += [v for k, v in attrs if k in ("src", "href")]
        self._key = a.get("data-key")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_data(self, text):
        if self._key:
            self.keyed[self._key] = text
            self._key = None

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(tag)


def checked(html):
    c = Checker()
    c.feed(html)
    c.close()
    return c


def test_page_is_well_formed_self_contained_and_complete(page, data):
    c = checked(page)
    assert page.startswith("<!DOCTYPE html>")
    assert not c.errors and not c.stack
    assert set(SECTIONS) <= c.ids
    assert not [u for u in c.links if re.match(r"(https?:)?//", u)]
    assert not re.search(r"url\(|@import|<script|<link", page)
    assert c.tags["svg"] == 4 + len(data["trees"])  # two scatters, L curve and its zoom, trees
    assert data["trees"], "the toy corpus has sentences with templates to draw"
    assert c.tags["circle"] >= len(data["pairs"]["points"])
    for label in ("bits/char", "nats", "log scale", "kept", "removed as redundant"):
        assert label in page


def test_numbers_on_page_equal_the_library(lines, data, page):
    lex = build_lexicon(lines, preset="faithful")  # the report charts the four steps
    char, word = corpus_information(lines, lex)
    s = data["sizes"]
    assert s["lexicon_size"] == len(lex)
    assert s["strong_pairs"] == lex.report["strong_pairs"] == data["pairs"]["n_kept"]
    assert s["candidates"] == lex.report["candidates"] == data["candidates"]["n_all"]
    assert data["pairs"]["n"] == lex.report["distinct_pairs"]
    levels = {(r["stage"], r["measure"].split()[0]): r for r in data["information"]}
    assert levels[("char", "unit")]["L_bits"] == pytest.approx(char.L_bits)
    assert levels[("word", "unit")]["L_bits"] == pytest.approx(word.L_bits)
    keyed = checked(page).keyed
    assert keyed["lexicon_size"] == fmt(len(lex))
    assert keyed["L.char.unit"] == fmt(char.L_bits)
    assert keyed["L.word.unit"] == fmt(word.L_bits)
    for k, v in s.items():
        assert keyed[k] == fmt(v)
    # templates lower the in-sample code length below the word unigram, as the parser promises
    assert levels[("template", "parse")]["L_bits"] <= levels[("word", "parse")]["L_bits"] + 1e-9
    assert {w["word"] for w in data["new_words"]}.isdisjoint({"苹果", "香蕉", "电脑"})


def test_report_is_reproducible(lines, data):
    again = collect_report(lines, reference={"苹果", "香蕉", "电脑"}, n_points=300)
    strip = lambda d: {k: v for k, v in d.items() if k != "timings_s"}  # noqa: E731
    assert strip(again) == strip(data)
    assert render_report({**again, "timings_s": data["timings_s"]}) == render_report(data)


def test_literal_positions():
    toks = "为什么 老师 喜欢 苹果".split()
    assert literal_positions(toks, "为什么 [X]".split()) == [0]
    assert literal_positions(toks, "[X] 喜欢 [X]".split()) == [2]
    assert literal_positions(toks, "[X] 喜欢 苹果".split()) == [2, 3]
    assert literal_positions(toks, "[X] 苹果 [X]".split()) is None  # 苹果 ends the sentence


def test_command_writes_page_and_refuses_bad_input(tmp_path, lines):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ref = tmp_path / "ref.txt"
    ref.write_text("苹果\n香蕉\n", encoding="utf-8")
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", str(corpus), "-o", str(out), "--against", str(ref), "--quiet",
                                  "--data", str(tmp_path / "r.json")])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").count("<svg") >= 4
    r = CliRunner().invoke(main, ["report", str(corpus), "-o", str(corpus), "--against", str(ref), "--quiet"])
    assert r.exit_code == 2 and "refusing" in r.output and "Traceback" not in r.output
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    r = CliRunner().invoke(main, ["report", str(empty), "-o", str(tmp_path / "e.html"), "--quiet"])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "e.html").exists()


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no /usr/bin/chromium (apt-get install chromium)")
def test_headless_chromium_renders_the_page(tmp_path, page, data):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(flags + ["--dump-dom", f"file://{html}"], capture_output=True, text=True, timeout=120)
    assert dom.stdout.count("<svg") == 4 + len(data["trees"])
    assert all(f'id="{s}"' in dom.stdout for s in SECTIONS)
    png = tmp_path / "report.png"
    subprocess.run(flags + [f"--screenshot={png}", "--window-size=1280,2000", f"file://{html}"],
                   capture_output=True, timeout=120)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1280, 2000)
    assert png.stat().st_size > 20_000  # a blank page compresses to a few KB
