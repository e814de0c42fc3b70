"""Pieces shared by the CLI commands: options, progress bars, default paths."""
from __future__ import annotations

import contextlib
import os
import sys

import click

from ..data import sample_corpus
from ..errors import MinentError
from ..parallel import auto_jobs, parse_size, table_budget  # noqa: F401  (library defaults, used by commands)

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


def corpus_args(specs) -> list[str]:
    """CORPUS arguments as given, or the bundled sample corpus (package data) when none are given;
    the sample is named relative to the working folder when it lies inside it (a checkout), so
    reports do not carry the absolute path of one machine."""
    if specs:
        return list(specs)
    path = str(sample_corpus())
    rel = os.path.relpath(path)
    return [path if rel.startswith("..") else rel]


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


class StageProgress:
    """Progress of a learner run on stderr: a bar per pass over the input (stages ``clauses``,
    ``count``, ``cut``, ``report``: bytes), a line when the in-memory learning starts."""

    READING = {"clauses": "reading ", "count": "counting", "cut": "cutting ", "report": "report  "}

    def __init__(self, n_bytes: int, quiet: bool):
        self.n_bytes, self.quiet = n_bytes, quiet
        self.stack = contextlib.ExitStack()
        self.stage = None
        self.update = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def __call__(self, stage: str, n: int) -> None:
        if self.quiet:
            return
        if stage != self.stage:
            self.stack.close()
            self.stage = stage
            self.update = None
            if stage in self.READING:
                self.update = self.stack.enter_context(progress_bar(self.n_bytes, self.READING[stage], False))
            elif stage in ("ngrams", "mdl", "stage"):
                if stage == "ngrams":
                    click.echo("learning from the clause table (in memory, on the engine)...", err=True)
        if self.update is not None:
            self.update(n)


def quiet_dask_logs(engine: str) -> None:
    """With ``--engine dask``, the client's own error logs (tracebacks from its background loop
    when a scheduler is lost) are muted: minent reports such failures itself, in one line."""
    if engine == "dask":
        import logging
        try:
            import distributed  # noqa: F401  (its import sets its loggers' levels: mute after it)
        except ImportError:
            return  # the engine says how to install it
        for name in ("distributed.client", "distributed.comm", "distributed.core"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
