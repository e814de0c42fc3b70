"""minent as a user installs it: build the sdist and the wheel (``python -m build``), install the wheel
into a fresh virtual environment in a temporary folder, and run every command there, in an empty
working folder, on the data the wheel carries. Nothing may come from the checkout.

Needs the ``build`` package (in the ``test`` extra), ``venv`` with ``ensurepip``, and the package
registry for the build backend and the dependencies (pip's cache serves repeated runs). Without
them the test is skipped with the reason, except under ``CI=true``, where it fails instead: CI has
them, so a skip there would hide a broken package. About a minute on two cores, most of it numba
compiling the kernels in the new environment.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import minent

REPO = Path(__file__).resolve().parents[1]
DATA_FILES = ["minent/data/sample.zh.txt",  # every file the commands read at run time
              "minent/data/background/ja.bg.xz"]

pytestmark = pytest.mark.wheel


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: the wheel test must run)")
    pytest.skip(reason)


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def _registry_reachable(python, tmp: Path) -> bool:
    """Whether pip can fetch from the package registry (or its cache): tells a build or install
    that failed for want of network from one that failed for a fault of the package."""
    p = _run([python, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp / "probe",
              "setuptools>=77"])
    return p.returncode == 0


def _last_line(p: subprocess.CompletedProcess) -> str:
    lines = (p.stderr or p.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit code {p.returncode}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """``python -m build`` on the checkout: (sdist path, wheel path). The wheel is built from the
    unpacked sdist, as ``build`` does by default, so a file missing from the sdist breaks it too."""
    if not (REPO / "pyproject.toml").is_file():
        pytest.skip("not a source tree (no pyproject.toml)")
    try:
        import build  # noqa: F401
    except ImportError:
        _unavailable("the 'build' package is not installed (pip install -e '.[test]')")
    tmp = tmp_path_factory.mktemp("dist")
    p = _run([sys.executable, "-m", "build", "--outdir", tmp / "out", REPO])
    if p.returncode != 0:
        if not _registry_reachable(sys.executable, tmp):
            _unavailable("python -m build needs the package registry for setuptools; it is not reachable")
        pytest.fail(f"python -m build failed: {p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    sdists = sorted((tmp / "out").glob("minent-*.tar.gz"))
    wheels = sorted((tmp / "out").glob("minent-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list((tmp / "out").iterdir())
    return sdists[0], wheels[0]


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """A fresh venv outside the checkout with the wheel installed: (its bin folder, a work folder)."""
    root = tmp_path_factory.mktemp("wheelenv")
    env_dir = root / "venv"
    p = _run([sys.executable, "-m", "venv", env_dir])
    if p.returncode != 0:
        _unavailable(f"cannot create a virtual environment: {_last_line(p)}")
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    p = _run([python, "-m", "pip", "install", "--quiet", dist[1]])
    if p.returncode != 0:
        if not _registry_reachable(python, root):
            _unavailable("installing the wheel's dependencies needs the package registry; it is not reachable")
        pytest.fail(f"pip install of the wheel failed: {p.stderr[-3000:]}")
    work = root / "work"  # empty: the commands must find everything in the installed package
    work.mkdir()
    return bindir, work


def _env(bindir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")
    return env


def _minent(installed, *args, input=None, ok=True) -> subprocess.CompletedProcess:
    bindir, work = installed
    p = subprocess.run([str(bindir / "minent"), *map(str, args)], cwd=work, env=_env(bindir),
                       capture_output=True, text=True, input=input)
    if ok:
        assert p.returncode == 0, f"minent {' '.join(map(str, args))}: {p.stderr[-3000:]}"
    return p


def test_wheel_and_sdist_contents(dist):
    sdist, wheel = dist
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for f in DATA_FILES:
        assert f in names, f"{f} not in {wheel.name}"
    assert not [n for n in names if n.startswith(("tests/", "corpora/", "bench/", "outputs/"))]
    assert "minent/commands/__init__.py" in names
    assert re.search(r"^Version: (.+)$", meta, re.M).group(1) == minent.__version__  # one version source
    with tarfile.open(sdist) as t:
        inside = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for f in DATA_FILES + ["pyproject.toml", "README.md", "corpora/make_sample.py", "tests/test_wheel.py"]:
        assert f in inside, f"{f} not in {sdist.name}"
    assert not [n for n in inside if n.endswith("sample.zh.txt") and n not in DATA_FILES]  # one copy


def _labelled_thirds(sample: Path, folder: Path) -> tuple[Path, Path, Path]:
    """A real, small labelled task from the bundled text: which third of the handbook a paragraph
    comes from (beginning: the project, installation, packages; end: services, security,
    virtualisation). Even paragraphs train, odd ones test. Returns train.tsv, test.tsv, test.txt."""
    lines = [s for s in sample.read_text(encoding="utf-8").splitlines() if s.strip()]
    rows = [(f"part{3 * i // len(lines) + 1}", s) for i, s in enumerate(lines)]
    paths = folder / "train.tsv", folder / "test.tsv", folder / "test.txt"
    paths[0].write_text("".join(f"{lab}\t{s}\n" for lab, s in rows[0::2]), encoding="utf-8")
    paths[1].write_text("".join(f"{lab}\t{s}\n" for lab, s in rows[1::2]), encoding="utf-8")
    paths[2].write_text("".join(f"{s}\n" for _, s in rows[1::2]), encoding="utf-8")
    return paths


GOLD_CONLLU = """\
# text = 系统可以通过命令行安装软件包。
1	系统	_	NOUN	_	_	4	nsubj	_	_
2	可以	_	AUX	_	_	4	aux	_	_
3	通过命令行	_	VERB	_	_	4	advcl	_	_
4	安装	_	VERB	_	_	0	root	_	_
5	软件包	_	NOUN	_	_	4	obj	_	_
6	。	_	PUNCT	_	_	4	punct	_	_

# text = 用户可以配置服务器。
1	用户	_	NOUN	_	_	3	nsubj	_	_
2	可以	_	AUX	_	_	3	aux	_	_
3	配置	_	VERB	_	_	0	root	_	_
4	服务器	_	NOUN	_	_	3	obj	_	_
5	。	_	PUNCT	_	_	3	punct	_	_

"""


def test_every_command_from_the_installed_wheel(installed):
    bindir, work = installed
    env = _env(bindir)
    where = subprocess.run([str(bindir / "python"), "-c",
                            "import minent, minent.data; print(minent.__file__); print(minent.data.sample_corpus())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    venv = bindir.parent.resolve()
    assert all(Path(w).resolve().is_relative_to(venv) for w in where), where  # not the checkout
    sample = Path(where[1])

    assert _minent(installed, "--version").stdout.strip() == f"minent, version {minent.__version__}"

    # the three commands that default to the bundled sample, from an empty folder -> ./outputs/
    r = _minent(installed, "build-lexicon")
    assert "lexicon:" in r.stdout + r.stderr  # the summary line
    for name in ("lexicon.tsv", "lexicon.jieba.txt", "lexicon.report.json"):
        assert (work / "outputs" / name).is_file(), name
    assert json.loads((work / "outputs" / "lexicon.report.json").read_text(encoding="utf-8"))["lexicon_size"] > 1000
    r = _minent(installed, "collocations", "-q", "--top", "3")
    assert r.stdout.startswith("# top non-trivial templates")
    assert (work / "outputs" / "templates.tsv").is_file()
    _minent(installed, "report", "-q")
    page = (work / "outputs" / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 3 and "<script" not in page

    # the rest, on the files made above and on the bundled sample
    raw = "Debian 系统的软件包可以通过命令行安装。\n用户可以配置服务器。\n"
    seg = _minent(installed, "segment", "-l", "outputs/lexicon.tsv", input=raw).stdout
    assert [s.replace(" ", "") for s in seg.splitlines()] == ["Debian系统的软件包可以通过命令行安装。",
                                                              "用户可以配置服务器。"]
    assert "软件包" in seg.split()
    (work / "pred.txt").write_text(seg, encoding="utf-8")
    (work / "gold.txt").write_text("Debian 系统 的 软件包 可以 通过 命令行 安装 。\n用户 可以 配置 服务器 。\n",
                                   encoding="utf-8")
    score = json.loads(_minent(installed, "evaluate", "gold.txt", "pred.txt", "--json").stdout)
    assert 0.5 < score["f1"] <= 1.0
    assert len(_minent(installed, "new-words", "--top", "5").stdout.splitlines()) == 6
    rows = _minent(installed, "entropy", sample, "-l", "outputs/lexicon.tsv", "-q").stdout.splitlines()
    L = {r.split("\t")[0]: float(r.split("\t")[3]) for r in rows[1:]}
    assert L["lexicon"] < L["char"]
    tree = _minent(installed, "parse", "--format", "brackets", input="如果软件包没有安装，可以通过命令行安装。\n").stdout
    assert tree.startswith("(") and "软件包" in tree
    (work / "gold.conllu").write_text(GOLD_CONLLU, encoding="utf-8")
    _minent(installed, "parse", "--conllu", "gold.conllu", "--format", "brackets", "-o", "parsed.txt", "-q")
    ev = json.loads(_minent(installed, "evaluate-parse", "gold.conllu", "parsed.txt", "--json").stdout)
    assert ev["sentences"] == 2

    train, test, texts = _labelled_thirds(sample, work)
    _minent(installed, "maxent", "train", train, "-o", "thirds.npz", "-q")
    pred = _minent(installed, "maxent", "predict", "thirds.npz", texts).stdout.splitlines()
    truth = [line.split("\t")[0] for line in test.read_text(encoding="utf-8").splitlines()]
    assert len(pred) == len(truth)
    accuracy = sum(p.split("\t")[0] == t for p, t in zip(pred, truth)) / len(truth)
    assert accuracy > 0.6  # three balanced classes: chance is 1/3 (measured 0.77 with char 1-2 grams)
    report = _minent(installed, "maxent", "evaluate", "thirds.npz", test).stdout
    assert f"accuracy {accuracy:.4f}" in report
    assert "part1" in _minent(installed, "maxent", "explain", "thirds.npz", "-n", "3").stdout

