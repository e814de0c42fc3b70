"""Pieces shared by the CLI commands: options, progress bars, default paths."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from ..errors import MinentError

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CORPUS = REPO_ROOT / "corpora" / "sample.zh.txt"
DEFAULT_LEXICON = os.path.join("outputs", "lexicon.tsv")

quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary on stderr.")
encoding_option = click.option("--encoding", default="utf-8", show_default=True,
                               help="Encoding of the text inputs (e.g. gb18030 for GBK files).")


@contextlib.contextmanager
def progress_bar(length: int, label: str, quiet: bool):
    """A click progress bar on stderr; yields a function taking the amount done since last call."""
    if quiet or length <= 0:
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr,
                           show_eta=True, show_percent=True) as bar:
        yield bar.update


def lexicon_path(path: str | None) -> str:
    path = path or DEFAULT_LEXICON
    if not os.path.exists(path):
        raise MinentError(f"{path}: no such lexicon (build one with `minent build-lexicon`)")
    return path


def sibling(path: str, suffix: str) -> str:
    """``outputs/lexicon.tsv`` -> ``outputs/lexicon<suffix>``."""
    root, ext = os.path.splitext(path)
    return (root if ext in (".tsv", ".txt") else path) + suffix


def note(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)
