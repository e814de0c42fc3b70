"""Reading text inputs and writing outputs safely.

Inputs are streamed in blocks of whole lines (a line longer than a block is split at a character
boundary), so memory never depends on the file size. Files are UTF-8 by default (a BOM is
skipped); a file that is not gives a one-line :class:`~minent.errors.InputError` naming it, and
saying when it looks like GBK/GB18030 or binary. Standard input (``-``) is spooled to a temporary
file on first use so that a :class:`Corpus` can be read more than once.

Outputs go through :func:`atomic_write`: a temporary file beside the target, renamed over it only
when complete, so an interrupted run leaves the previous file intact; inside :func:`output_group`
the renames of several outputs wait until all are complete (all or none appear). A write that
fails (no space left, file too large, permission denied, read-only folder) is one
:class:`~minent.errors.MinentError` naming the file, and its temporary file is removed.

Temporary files and folders carry the process id in their name (``.lexicon.tsv.minent-<pid>-*.tmp``
beside outputs, ``minent-spill-<pid>-*``, ``minent-sentences-<pid>-*``, ``minent-stdin-<pid>-*``,
``minent-dask-<pid>-*`` in the temporary folder): what a run killed with SIGKILL leaves behind is removed by the next run that
creates a temporary file in the same folder (:func:`remove_stale_temps`: only names whose process
no longer runs).
"""
from __future__ import annotations

import codecs
import contextlib
import glob
import os
import re
import shutil
import sys
import tempfile
import threading
from typing import Callable, Iterable, Iterator

from .errors import FormatError, InputError, MinentError

BLOCK_BYTES = 4 << 20
TEXT_BLOCK_CHARS = 1 << 20
_SNIFF_BYTES = 1 << 16


def expand_inputs(specs: Iterable[str]) -> list[str]:
    """Files named by ``specs``: plain paths, directories (every file below, sorted), globs, ``-``."""
    paths: list[str] = []
    for spec in specs:
        if spec == "-":
            paths.append("-")
        elif os.path.isdir(spec):
            found = sorted(
                os.path.join(root, name)
                for root, dirs, files in os.walk(spec)
                for name in files
                if not name.startswith(".")
            )
            if not found:
                raise InputError(f"{spec}: directory has no files")
            paths.extend(found)
        elif os.path.exists(spec):
            paths.append(spec)
        elif glob.has_magic(spec):
            found = sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
            if not found:
                raise InputError(f"{spec}: no file matches")
            paths.extend(found)
        else:
            raise InputError(f"{spec}: no such file")
    return paths


def _describe_bad_bytes(path: str, head: bytes, encoding: str, exc: UnicodeDecodeError | None) -> str:
    if b"\x00" in head[:_SNIFF_BYTES]:
        return (f"{path}: contains NUL bytes — a binary file, or UTF-16/32 text "
                f"(then pass --encoding utf-16)")
    where = f" at byte {exc.start}" if exc is not None else ""
    msg = f"{path}: not valid {encoding}{where}"
    if encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
        for guess in ("gb18030", "big5"):
            try:
                head.decode(guess)
            except UnicodeDecodeError:
                continue
            return msg + f"; it looks like {guess.upper()} (GBK) text — rerun with --encoding {guess}"
        return msg + "; pass --encoding if it is text in another encoding"
    return msg


def read_blocks(path: str, encoding: str = "utf-8", block_bytes: int = BLOCK_BYTES,
                name: str | None = None) -> Iterator[tuple[str, int]]:
    """Yield ``(text, n_bytes)`` blocks of whole lines from ``path`` (decoded, ``\\n`` kept).

    ``name`` is what error messages call the input (default: ``path``).

    ``n_bytes`` is how many raw bytes the block consumed (for progress bars). Raises
    :class:`InputError` on a missing file, NUL bytes, or bytes that do not decode.
    """
    if path == "-":  # a pipe: take what is available instead of waiting for a full block
        stdin = sys.stdin.buffer
        fh = contextlib.nullcontext(stdin)
        read = getattr(stdin, "read1", stdin.read)
        path = "<stdin>"
    else:
        try:
            fh = open(path, "rb")
        except OSError as exc:
            raise InputError(f"{name or path}: {exc.strerror or exc}") from None
        read = fh.read
        path = name or path
    enc = "utf-8-sig" if encoding.replace("-", "").lower() == "utf8" else encoding
    try:
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    carry = ""
    first = True
    offset = 0
    with fh:
        while True:
            try:
                raw = read(block_bytes)
            except OSError as exc:
                raise InputError(f"{path}: read failed: {exc.strerror or exc}") from None
            if first and raw and b"\x00" in raw[:_SNIFF_BYTES] and "16" not in enc and "32" not in enc:
                raise InputError(_describe_bad_bytes(path, raw, encoding, None))
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                exc.start += offset
                raise InputError(_describe_bad_bytes(path, raw if first else b"", encoding, exc)) from None
            first = False
            offset += len(raw)
            if not raw:
                if carry:
                    yield carry, 0
                return
            text = carry + text
            cut = text.rfind("\n") + 1
            if cut == 0:
                if len(text) < block_bytes:
                    carry = text
                    yield "", len(raw)
                    continue
                cut = len(text)  # one huge line: split it, at a character boundary
            carry = text[cut:]
            yield text[:cut], len(raw)


class Corpus:
    """A re-iterable set of text inputs (files, directories, globs, ``-``), read in streaming blocks.

    Parameters
    ----------
    specs : str or list of str
        Paths, directories, glob patterns, or ``-`` for standard input (spooled once to a
        temporary file so the corpus can be read several times).
    encoding : str, default "utf-8"
        Encoding of every input.
    """

    def __init__(self, specs, encoding: str = "utf-8"):
        if isinstance(specs, (str, os.PathLike)):
            specs = [os.fspath(specs)]
        self.encoding = encoding
        self.paths = expand_inputs(specs)
        self._spool: str | None = None
        self._check_readable()

    def _check_readable(self):
        for p in self.paths:
            if p != "-" and not os.access(p, os.R_OK):
                raise InputError(f"{p}: permission denied" if os.path.exists(p) else f"{p}: no such file")

    def _resolve(self, path: str) -> str:
        if path != "-":
            return path
        if self._spool is None:
            fd, self._spool = owned_temp("stdin", suffix=".txt")
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(sys.stdin.buffer, out)
            except OSError as exc:
                raise temp_write_error(self._spool, exc) from None
        return self._spool

    @staticmethod
    def _name(path: str) -> str:
        return "<stdin>" if path == "-" else path

    def __del__(self):
        if getattr(self, "_spool", None):
            with contextlib.suppress(OSError):
                os.unlink(self._spool)

    def real_paths(self) -> list[str]:
        """The input files as paths on disk (standard input spooled to a temporary file)."""
        return [self._resolve(p) for p in self.paths]

    @property
    def n_bytes(self) -> int:
        """Total size of the inputs in bytes (standard input counts once spooled)."""
        total = 0
        for p in self.paths:
            try:
                total += os.path.getsize(self._resolve(p))
            except OSError as exc:  # removed since it was listed
                raise InputError(f"{p}: {exc.strerror or exc}") from None
        return total

    def blocks(self, block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[str, int]]:
        """``(text, n_bytes)`` blocks over all inputs in order.

        Each block ends at a line end, except inside a line longer than a block (split at a
        character boundary); every file's last line is terminated.
        """
        for p in self.paths:
            last = "\n"
            for text, n in read_blocks(self._resolve(p), self.encoding, block_bytes, self._name(p)):
                last = text[-1:] or last
                yield text, n
            if last != "\n":  # a file without a final newline still ends its last line
                yield "\n", 0

    def lines(self) -> Iterator[str]:
        """Every line of every input, without its line terminator."""
        for p in self.paths:
            tail = ""
            for text, _ in read_blocks(self._resolve(p), self.encoding, name=self._name(p)):
                text = tail + text
                parts = text.split("\n")
                tail = parts.pop()
                for line in parts:
                    yield line.rstrip("\r")
            if tail:
                yield tail.rstrip("\r")

    def __iter__(self) -> Iterator[str]:
        return self.lines()


def iter_text_blocks(texts, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """Blocks of whole lines from a :class:`Corpus`, a single string, or any iterable of strings.

    ``progress(n)`` is called with the bytes (Corpus) or characters (other inputs) consumed.
    """
    if isinstance(texts, Corpus):
        for text, n in texts.blocks():
            if progress:
                progress(n)
            if text:
                yield text
        return
    if isinstance(texts, str):
        texts = [texts]
    buf: list[str] = []
    size = 0
    for line in texts:
        if not isinstance(line, str):
            raise TypeError(f"expected str lines, got {type(line).__name__}")
        buf.append(line)
        size += len(line) + 1
        if size >= TEXT_BLOCK_CHARS:
            if progress:
                progress(size)
            yield "\n".join(buf) + "\n"
            buf, size = [], 0
    if buf:
        if progress:
            progress(size)
        yield "\n".join(buf) + "\n"


def open_text(path: str, what: str = "file"):
    """Open a small UTF-8 text file (BOM skipped) with one-line errors; iterate lines inside ``with``.

    Decoding errors surface as :class:`InputError` naming ``path`` and ``what`` it should be.
    """
    try:
        fh = open(path, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return _CheckedText(fh, path, what)


class _CheckedText:
    def __init__(self, fh, path, what):
        self.fh, self.path, self.what = fh, path, what

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()

    def readline(self) -> str:
        try:
            return self.fh.readline()
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data":
                raise FormatError(f"{self.path}: damaged {self.what}: cut short inside a character") from None
            raise FormatError(f"{self.path}: not a UTF-8 {self.what}") from None

    def __iter__(self):
        while line := self.readline():
            yield line


def same_file(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same existing file (links and relative paths resolved)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwrite(outputs: Iterable[str | None], inputs: Iterable[str]) -> None:
    """Raise :class:`MinentError` when an output path is one of the inputs, or cannot be written
    (:func:`check_writable`: checked before the work, not after it)."""
    outputs = list(outputs)
    inputs = [p for p in inputs if p and p != "-"]
    for out in outputs:
        if out and out != "-":
            for inp in inputs:
                if same_file(out, inp):
                    raise MinentError(f"refusing to write {out}: it is one of the inputs")
    check_writable(outputs)


# ----------------------------------------------------------------------------- temporary files

_STALE = re.compile(r"^(?:minent-(?:spill|sentences-part|sentences|stdin|dask)-|\..+\.minent-)(\d+)-")
_swept: set = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temps(folder: str | None = None) -> int:
    """Remove the temporary files and folders a killed minent run left in ``folder`` (default: the
    temporary folder): names of the forms in the module doc whose process id no longer runs. Runs
    once per folder and process; returns how many were removed."""
    folder = folder or tempfile.gettempdir()
    key = os.path.realpath(folder)
    if key in _swept:
        return 0
    _swept.add(key)
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    removed = 0
    for name in names:
        m = _STALE.match(name)
        if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
            removed += 1
    return removed


def owned_temp(kind: str, folder: str | None = None, suffix: str = "", directory: bool = False):
    """``tempfile.mkstemp`` (or ``mkdtemp`` when ``directory``) named ``minent-<kind>-<pid>-*``,
    after removing what killed runs left in ``folder``. Errors are one-line MinentErrors."""
    remove_stale_temps(folder)
    prefix = f"minent-{kind}-{os.getpid()}-"
    try:
        if directory:
            return tempfile.mkdtemp(prefix=prefix, dir=folder)
        return tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    except OSError as exc:
        raise temp_write_error(folder or tempfile.gettempdir(), exc) from None


def temp_write_error(path: str, exc: OSError) -> MinentError:
    """The one-line error for a failed write of a temporary file (the hint: TMPDIR)."""
    return MinentError(f"cannot write temporary file {path}: {exc.strerror or exc} "
                       f"(set TMPDIR to a folder with room)")


def output_error(path: str, exc: OSError) -> MinentError:
    return MinentError(f"cannot write {path}: {exc.strerror or exc}")


def check_writable(paths: Iterable[str | None]) -> None:
    """Fail early, before a long run, when an output cannot be created: its folder (or, when the
    folder is still to be made, its nearest existing parent) is read-only or not writable by us.
    Nothing is created."""
    for path in paths:
        if not path or path == "-":
            continue
        if os.path.isdir(path):
            raise MinentError(f"cannot write {path}: it is a folder")
        folder = os.path.dirname(os.path.abspath(path))
        while not os.path.isdir(folder):
            parent = os.path.dirname(folder)
            if parent == folder or (os.path.exists(folder) and not os.path.isdir(folder)):
                raise MinentError(f"cannot write {path}: {folder} is not a folder")
            folder = parent
        try:
            fd, probe = tempfile.mkstemp(prefix="." + os.path.basename(path) + f".minent-{os.getpid()}-",
                                         suffix=".tmp", dir=folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise output_error(path, exc) from None


def _make_folder(folder: str) -> list[str]:
    """``os.makedirs(folder)``; returns the folders it created, deepest last."""
    missing = []
    f = folder
    while not os.path.isdir(f) and os.path.dirname(f) != f:
        missing.append(f)
        f = os.path.dirname(f)
    os.makedirs(folder, exist_ok=True)
    return missing[::-1]


def _remove_folders(created: list[str]) -> None:
    for f in reversed(created):
        with contextlib.suppress(OSError):
            os.rmdir(f)  # only if still empty


_group = threading.local()


@contextlib.contextmanager
def output_group():
    """Outputs written with :func:`atomic_write` inside this block appear together at its end: if
    any write (or anything else in the block) fails, none of them replaces its target."""
    outer = getattr(_group, "pending", None)
    if outer is not None:  # nested: the outer group commits
        yield
        return
    _group.pending = []
    _group.created = []
    try:
        yield
    except BaseException:
        for tmp, _ in _group.pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _remove_folders(_group.created)
        _group.pending = None
        raise
    pending, _group.pending = _group.pending, None
    for i, (tmp, path) in enumerate(pending):
        try:
            os.replace(tmp, path)
        except OSError as exc:
            for left, _ in pending[i:]:
                with contextlib.suppress(OSError):
                    os.unlink(left)
            raise output_error(path, exc) from None


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "w", encoding: str | None = "utf-8"):
    """Open a temporary file beside ``path``; rename it to ``path`` only if the block succeeds.

    ``path == "-"`` writes to standard output instead. The parent directory is created (and removed
    again, when it was created here, if the write fails).
    """
    if path == "-":
        stream = sys.stdout.buffer if "b" in mode else sys.stdout
        try:
            yield stream
            stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            if exc.filename is not None:
                raise
            raise output_error("standard output", exc) from None
        return
    folder = os.path.dirname(os.path.abspath(path))
    created: list[str] = []
    try:
        created = _make_folder(folder)
        remove_stale_temps(folder)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + f".minent-{os.getpid()}-",
                                   suffix=".tmp", dir=folder)
    except OSError as exc:
        _remove_folders(created)
        raise output_error(path, exc) from None
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding,
                       newline=None if "b" in mode else "\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
        pending = getattr(_group, "pending", None)
        if pending is not None:
            pending.append((tmp, path))  # renamed when the whole output_group is complete
            _group.created.extend(created)
        else:
            os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _remove_folders(created)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):
            raise output_error(path, exc) from None
        raise
