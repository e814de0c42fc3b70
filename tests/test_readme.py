"""The README's library example runs as written, from an empty folder (the sample is package data)."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _python_blocks():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_pipeline_example_runs(tmp_path, monkeypatch, capsys):
    blocks = [b for b in _python_blocks() if "MaxEntClassifier" in b]
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINENT_BACKGROUND")  # as a fresh install runs it: default background, none fits
    exec(compile(blocks[0], "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    # the outputs the README shows in its comments
    assert out[0] == "['可以', '通过', '命令行', '安装', '软件包']"
    assert out[1] == "L: 8.507 -> 5.000 bits/char"
    assert out[2] == "['error' 'ok']"
    assert (tmp_path / "status-model.npz").exists()
