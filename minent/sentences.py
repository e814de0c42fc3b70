"""Where template mining gets its words: tokenizers, and a re-iterable spool of tokenised sentences.

Four ways to turn raw lines into words (:func:`make_tokenizer`):

* ``"learn"`` (the default of ``minent collocations``): learn the corpus's own lexicon with the
  default learner (:func:`minent.learn_lexicon`) from the first ``LEXICON_SAMPLE_BYTES`` (16 MB)
  of its lines — the whole corpus when it is smaller — and segment every line with it (unigram
  minimum information, method.md §3). A bounded sample keeps the learner's several passes cheap
  on gigabyte inputs; the segmenter then runs over everything.
* ``lexicon=PATH``: a minent lexicon or word list.
* ``"jieba"``: jieba on the Han runs only.
* ``pretokenized``: words separated by white space (any language), taken as given.

In the first three, the pretokenizer rules of :mod:`minent.pretokenize` apply: a number (half- or
full-width digits with their unit: １９９８年, ３.５％), a Chinese-numeral date (一九九八年) and a run of
Latin letters are single tokens (kept literally, not replaced by a class token), and each
punctuation mark is its own token — so a frame is never split by a digit fragment.

:class:`SentenceSpool` tokenises a corpus once, cuts the lines into sentences
(:func:`minent.templates.split_sentences`) and writes them to a temporary file that later passes
read back; :class:`minent.TemplateFinder` reads its input up to three times.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
from typing import Callable, Iterable, Iterator

from .errors import MinentError
from .parallel import plan_ranges, read_range
from .templates import split_sentences
from .textio import owned_temp, temp_write_error

LEXICON_SAMPLE_BYTES = 16 << 20
TOKENIZERS = ("learn", "jieba")

Tokenize = Callable[[str], list]


def sample_lines(lines: Iterable[str], n_bytes: int) -> list[str]:
    """The first lines of ``lines`` holding about ``n_bytes`` bytes of UTF-8 (at least one line)."""
    out: list[str] = []
    size = 0
    for line in lines:
        out.append(line)
        size += len(line.encode("utf-8")) + 1
        if size >= n_bytes:
            break
    return out


def learned_lexicon(corpus, sample_bytes: int = LEXICON_SAMPLE_BYTES):
    """The default learner's lexicon of the first ``sample_bytes`` of ``corpus`` (a Corpus or
    any iterable of lines)."""
    from .discovery import learn_lexicon
    lines = corpus.lines() if hasattr(corpus, "lines") else iter(corpus)
    sample = sample_lines(lines, sample_bytes)
    if not any(line.strip() for line in sample):
        raise MinentError("no text to learn a lexicon from")
    return learn_lexicon(sample)


class JiebaTokenizer:
    """jieba on the Han runs of each line; numbers, dates, Latin runs and punctuation marks are
    tokens of the pretokenizer (:mod:`minent.pretokenize`). Picklable (jieba loads on first use),
    so range tasks can carry it."""

    def __init__(self):
        self._cut = None

    def __getstate__(self):
        return {"_cut": None}

    def __call__(self, line: str) -> list[str]:
        from .pretokenize import spans
        if self._cut is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            self._cut = jieba.lcut
        out: list[str] = []
        for text, kind in spans(line):
            if kind == "han":
                out.extend(w for w in self._cut(text) if w.strip())
            else:
                out.append(text)
        return out


class LexiconTokenizer:
    """``lexicon.segment`` as a tokenizer; :meth:`many` segments a block of lines in one kernel
    call (the same words, :meth:`minent.segment.Segmenter.segment_many`). Picklable."""

    def __init__(self, lexicon):
        self.lexicon = lexicon

    def __call__(self, line: str) -> list[str]:
        return self.lexicon.segment(line)

    def many(self, lines: list[str]) -> list[list[str]]:
        return self.lexicon.segmenter.segment_many(lines)


def make_tokenizer(tokenizer: str | None = None, lexicon: str | None = None, pretokenized: bool = False,
                   corpus=None, sample_bytes: int = LEXICON_SAMPLE_BYTES) -> tuple[Tokenize, str]:
    """``(line -> words, description)``; at most one of ``tokenizer`` / ``lexicon`` /
    ``pretokenized``; none means ``tokenizer="learn"``, which needs ``corpus``."""
    chosen = [name for name, on in (("lexicon", lexicon), ("tokenizer", tokenizer),
                                    ("pretokenized", pretokenized)) if on]
    if len(chosen) > 1:
        raise MinentError(f"choose one of lexicon, tokenizer, pretokenized (got {' and '.join(chosen)})")
    if pretokenized:
        return str.split, "pretokenized (white space)"
    if lexicon:
        from .lexicon import Lexicon
        lex = Lexicon.load(lexicon)
        return LexiconTokenizer(lex), f"lexicon {lexicon} (minent, unigram segmentation)"
    tokenizer = tokenizer or "learn"
    if tokenizer == "jieba":
        import jieba
        return JiebaTokenizer(), "jieba " + getattr(jieba, "__version__", "") + " (+ pretokenizer rules)"
    if tokenizer != "learn":
        raise MinentError(f"unknown tokenizer {tokenizer!r} (use {' or '.join(TOKENIZERS)})")
    if corpus is None:
        raise MinentError("the learned tokenizer needs the corpus to learn from")
    lex = learned_lexicon(corpus, sample_bytes)
    return LexiconTokenizer(lex), (f"learned lexicon ({len(lex)} entries, default learner, from the first "
                         f"{sample_bytes >> 20} MB of the corpus)")


def counts_tokenizer(word_counts: dict) -> Tokenize:
    """Unigram segmentation over a word -> count table (the ``## words`` section of a templates
    file): how ``minent parse`` splits raw lines by default, with the words templates were mined on."""
    from .lexicon import Lexicon
    words = [w for w in word_counts if w and not any(c.isspace() for c in w)]
    if not words:
        raise MinentError("no words to segment with")
    return Lexicon(words, [word_counts[w] for w in words]).segment


def line_sentences(tokenize: Tokenize, split: bool, line: str) -> list[list[str]]:
    """The sentences of one line (tokens holding white space are dropped: a spool line separates
    words by spaces)."""
    return token_sentences(tokenize(line), split)


def token_sentences(tokens: list[str], split: bool) -> list[list[str]]:
    """The sentences of one line's tokens (see :func:`line_sentences`)."""
    if " ".join(tokens).split() != tokens:  # equal only when no token is empty or holds white space
        tokens = [t for t in tokens if t and not any(c.isspace() for c in t)]
    return split_sentences(tokens) if split else ([tokens] if tokens else [])


BLOCK_LINES = 1024  # lines a tokenizer with ``many`` segments per call


def tokenized_lines(tokenize: Tokenize, lines: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """``(line, tokens)`` for each line, a block of lines per call when ``tokenize`` has a
    ``many`` method (:class:`LexiconTokenizer`)."""
    many = getattr(tokenize, "many", None)
    if many is None:
        for line in lines:
            yield line, tokenize(line)
        return
    it = iter(lines)
    while True:
        block = list(itertools.islice(it, BLOCK_LINES))
        if not block:
            return
        yield from zip(block, many(block))


def spool_lines(tokenize: Tokenize, split: bool, lines: Iterable[str], out, seen: dict | None = None) -> None:
    """Write the sentences of ``lines`` to ``out``, one a line, words separated by a space;
    ``seen`` (a dict) gets every word as a key, in order of first sight."""
    for _, tokens in tokenized_lines(tokenize, lines):
        for sent in token_sentences(tokens, split):
            out.write(" ".join(sent) + "\n")
            if seen is not None:
                seen.update(zip(sent, itertools.repeat(None)))


def range_lines(path: str, start: int, end: int, encoding: str) -> Iterator[str]:
    """The lines of ``path`` whose first byte is in ``[start, end)``, without terminators (as
    :meth:`minent.Corpus.lines` gives them)."""
    tail = ""
    for text in read_range(path, start, end, encoding):
        parts = (tail + text).split("\n")
        tail = parts.pop()
        for line in parts:
            yield line.rstrip("\r")
    if tail:
        yield tail.rstrip("\r")


def spool_task(index, path, start, end, encoding, tokenize, split):
    """Range task: the sentences of a byte range written to a temporary file;
    ``(index, file, lines, bytes, words in order of first sight)``."""
    fd, part = owned_temp("sentences-part", suffix=".txt")
    n_lines = 0
    seen: dict = {}
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            def counted():
                nonlocal n_lines
                for line in range_lines(path, start, end, encoding):
                    n_lines += 1
                    yield line
            spool_lines(tokenize, split, counted(), out, seen)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(part)
        if isinstance(exc, OSError):
            raise temp_write_error(part, exc) from None
        raise
    return index, part, n_lines, end - start, list(seen)


class SentenceSpool:
    """Tokenised sentences of ``corpus`` (a :class:`~minent.Corpus` or anything with ``lines()``),
    re-iterable: the first pass tokenises (``progress(n_bytes)`` per line) and writes the sentences
    to a temporary file, later passes read that file. ``split``: cut lines into sentences after
    。！？!?；; (marks dropped); otherwise one line is one sentence. Use as a context manager, or
    call :meth:`close` to remove the file."""

    def __init__(self, corpus, tokenize: Tokenize, split: bool = True,
                 progress: Callable[[int], None] | None = None):
        self.corpus = corpus
        self.tokenize = tokenize
        self.split = split
        self.progress = progress
        self.path: str | None = None
        self.n_lines = 0
        self.words: list[str] | None = None  # in order of first sight, when prepared by range tasks

    def _first_pass(self) -> Iterator[list[str]]:
        fd, path = owned_temp("sentences", suffix=".txt")
        complete = False
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                for line, tokens in tokenized_lines(self.tokenize, self.corpus.lines()):
                    self.n_lines += 1
                    if self.progress:
                        self.progress(len(line.encode("utf-8")) + 1)
                    for sent in token_sentences(tokens, self.split):
                        try:
                            out.write(" ".join(sent) + "\n")
                        except OSError as exc:
                            raise temp_write_error(path, exc) from None
                        yield sent
            complete = True
        finally:
            if complete:
                self.path = path
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def __iter__(self) -> Iterator[list[str]]:
        if self.path is None:
            return self._first_pass()
        return self._read()

    def prepare(self, engine=None) -> "SentenceSpool":
        """Tokenise the whole corpus now: with an engine of more than one job, as byte-range tasks
        over the input files (:mod:`minent.parallel`), the parts joined in corpus order — the same
        file as the streaming first pass. ``tokenize`` must then be picklable (the tokenizers of
        :func:`make_tokenizer` are)."""
        if self.path is not None:
            return self
        if engine is None or getattr(engine, "jobs", 1) <= 1:
            for _ in self._first_pass():
                pass
            return self
        paths = self.corpus.real_paths()
        ranges = plan_ranges(paths, min_parts=4 * engine.jobs)
        encoding = getattr(self.corpus, "encoding", "utf-8")
        args = [(i, p, a, b, encoding, self.tokenize, self.split) for i, (p, a, b) in enumerate(ranges)]
        parts: dict[int, str] = {}
        words: dict[int, list] = {}
        fd, path = owned_temp("sentences", suffix=".txt")
        os.close(fd)
        try:
            for i, part, n_lines, n_bytes, seen in engine.map(spool_task, args):
                parts[i] = part
                words[i] = seen
                self.n_lines += n_lines
                if self.progress:
                    self.progress(n_bytes)
            with open(path, "wb") as out:
                for i in range(len(ranges)):
                    with open(parts[i], "rb") as fh:
                        shutil.copyfileobj(fh, out)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(path)
            if isinstance(exc, OSError):
                raise temp_write_error(path, exc) from None
            raise
        finally:
            for part in parts.values():
                with contextlib.suppress(OSError):
                    os.unlink(part)
        self.path = path
        first_sight: dict = {}  # a word's first sight is in the first range that holds it
        for i in range(len(ranges)):
            first_sight.update(zip(words.pop(i), itertools.repeat(None)))
        self.words = list(first_sight)
        return self

    def _read(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.split()

    def close(self) -> None:
        if self.path:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.path = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
