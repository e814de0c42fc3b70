"""Tokenizers and the sentence spool: rules, pickling for range tasks, jobs=2 equals jobs=1."""
import pickle

from minent.lexicon import Lexicon
from minent.parallel import LocalEngine
from minent.sentences import JiebaTokenizer, SentenceSpool, counts_tokenizer, make_tokenizer, sample_lines
from minent.textio import Corpus


def test_jieba_keeps_numbers_dates_and_latin_whole():
    tok = JiebaTokenizer()
    assert tok("在１９９８年来临之际，GDP增长３.５％。") == ["在", "１９９８年", "来临", "之际", "，", "GDP", "增长",
                                                      "３.５％", "。"]
    assert pickle.loads(pickle.dumps(tok))("一九九八年") == ["一九九八年"]


def test_make_tokenizer_choices_and_sample():
    assert make_tokenizer(pretokenized=True)[0]("a  b") == ["a", "b"]
    assert sample_lines(iter(["甲乙", "丙丁", "戊"]), 4) == ["甲乙"]
    seg = counts_tokenizer({"北京": 5, "天气": 4, "北": 1})
    assert seg("北京天气１２月") == ["北京", "天气", "１２月"]


def test_spool_in_range_tasks_equals_streaming(tmp_path):
    lex = Lexicon(["经济", "发展", "工业", "农业", "增长", "我们"], [50, 40, 30, 30, 20, 10])
    text = tmp_path / "raw.txt"
    lines = [f"我们在{1990 + k % 9}年经济发展，工业增长{k % 7}.5％。农业发展！" for k in range(5000)]
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = []
    for jobs in (1, 2):
        with SentenceSpool(Corpus([str(text)]), lex.segment) as spool:
            spool.prepare(LocalEngine(jobs))
            got.append((list(spool), spool.n_lines))
    assert got[0] == got[1] and got[0][1] == 5000
    assert got[0][0][:3] == [["我们", "在", "1990年", "经济", "发展", "，", "工业", "增长", "0.5％"],
                             ["农业", "发展"], ["我们", "在", "1991年", "经济", "发展", "，", "工业", "增长", "1.5％"]]


def test_spool_lines_by_blocks_equals_line_by_line():
    """Blocks of lines written at once (some blocks without a sentence) give the lines and the
    first-sight word order that one sentence at a time gives."""
    import io
    import itertools
    from minent.sentences import BLOCK_LINES, line_sentences, spool_lines
    words = ["甲", "乙", "丙", "。", "”", "丁 戊", ""]
    lines = [""] * (BLOCK_LINES + 5) + [" ".join(words[(k * 7 + j) % 7] for j in range(k % 9)) for k in range(3000)]
    out, seen = io.StringIO(), {}
    spool_lines(str.split, True, lines, out, seen)
    ref = [s for line in lines for s in line_sentences(str.split, True, line)]
    assert out.getvalue() == "".join(" ".join(s) + "\n" for s in ref)
    assert list(seen) == list(dict.fromkeys(itertools.chain.from_iterable(ref)))
