"""The package data of minent.data: found through importlib.resources, refused in one line when absent."""
import hashlib
import re
import zipfile
from pathlib import Path

import pytest

import minent.data
from minent.data import data_file, sample_corpus
from minent.errors import MinentError

REPO = Path(__file__).resolve().parents[1]


def test_sample_is_the_file_corpora_readme_describes():
    path = sample_corpus()
    assert path.parent.name == "data" and path.parent.parent.name == "minent"
    blob = path.read_bytes()
    readme = (REPO / "corpora" / "README.md").read_text(encoding="utf-8")
    sha = re.search(r"\| sha256 \| `([0-9a-f]{64})` \|", readme).group(1)
    size = int(re.search(r"\| bytes \(UTF-8\) \| ([\d,]+) \|", readme).group(1).replace(",", ""))
    assert hashlib.sha256(blob).hexdigest() == sha
    assert len(blob) == size
    assert not (REPO / "corpora" / "sample.zh.txt").exists()  # one copy in the repository


def test_missing_file_is_a_one_line_error():
    with pytest.raises(MinentError, match=r"bundled data file .*nope\.txt is missing") as exc:
        data_file("nope.txt")
    assert "\n" not in str(exc.value)


def test_data_inside_a_zip_is_refused(tmp_path, monkeypatch):
    """A zip import gives a Traversable that is not a path; the commands need real paths."""
    archive = tmp_path / "minent.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("minent/data/sample.zh.txt", "中文\n")
    monkeypatch.setattr(minent.data.resources, "files",
                        lambda package: zipfile.Path(archive, "minent/data/"))
    with pytest.raises(MinentError, match="not on a filesystem"):
        sample_corpus()
