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


RUNTIME_RESERVE = 400 << 20  # measured: interpreter + numpy + numba runtime + block buffers


def parse_size(text: str) -> int:
    """``"2G"``, ``"512M"``, ``"64k"`` or a byte count -> bytes."""
    t = text.strip().upper().rstrip("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
    try:
        value = float(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        raise MinentError(f"bad size {text!r} (use e.g. 2G, 512M)") from None
    if value <= 0:
        raise MinentError("--memory must be positive")
    return int(value)


def table_budget(memory: str) -> int:
    """Bytes left for count tables once the runtime's own memory is set aside (at least 4 MB)."""
    return max(4 << 20, parse_size(memory) - RUNTIME_RESERVE)


def auto_jobs(jobs: int, n_bytes: int) -> int:
    """``--jobs 0`` (auto): every core for inputs of 64 MB or more, one process below that."""
    if jobs > 0:
        return jobs
    return (os.cpu_count() or 1) if n_bytes >= 64 << 20 else 1
