"""Data files shipped inside the package, found through :mod:`importlib.resources`.

The wheel carries them as package data, so they are there after ``pip install minent`` in any
folder, not only in a checkout:

``sample.zh.txt``
    The sample corpus the commands read when given no corpus (``minent build-lexicon``,
    ``collocations``, ``report``): 475,005 bytes of UTF-8, one paragraph per line, from the
    Simplified Chinese *Debian Administrator's Handbook*, CC BY-SA 3.0. Provenance, licence and
    the cleaning steps are in the repository's ``corpora/README.md``; ``corpora/make_sample.py``
    re-creates this file.

``background/*.bg.xz``
    The background models of :mod:`minent.background` (``zh-hans``, ``zh-hant``, ``ja``): sources,
    licences and the command that rebuilds each are in the README (section "Small corpora,
    traditional Chinese, Japanese") and ``corpora/build_background.py``.

Example::

    from minent import Corpus, build_lexicon
    from minent.data import sample_corpus

    lex = build_lexicon(Corpus(sample_corpus()))
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import MinentError

__all__ = ["SAMPLE_CORPUS_NAME", "data_file", "sample_corpus"]

SAMPLE_CORPUS_NAME = "sample.zh.txt"


def data_file(name: str) -> Path:
    """Filesystem path of the shipped data file ``name``.

    Raises :class:`MinentError` (one line for the command line) when the file is not there, e.g. an
    install made without package data, or when the package is not on a filesystem (a zip import:
    the readers of minent take paths, and numba does not run from a zip anyway).
    """
    ref = resources.files(__name__) / name
    if not isinstance(ref, Path):
        raise MinentError(f"minent's data file {name} is inside {ref!r}, not on a filesystem; "
                          "install minent as a regular package (pip install minent)")
    if not ref.is_file():
        raise MinentError(f"minent's bundled data file {ref} is missing; reinstall minent "
                          "(pip install --force-reinstall minent)")
    return ref


def sample_corpus() -> Path:
    """Path of the bundled sample corpus ``sample.zh.txt`` (see the module docstring)."""
    return data_file(SAMPLE_CORPUS_NAME)
