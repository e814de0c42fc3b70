#!/usr/bin/env python3
"""Re-create ``minent/data/sample.zh.txt`` (the sample corpus shipped inside the package) from
the Debian package it comes from.

Source: the Simplified-Chinese (zh-CN) HTML edition of *The Debian
Administrator's Handbook* (《Debian 管理员手册》), shipped in the Debian 12
("bookworm") package ``debian-handbook`` version 11.20220922, under
``usr/share/doc/debian-handbook/html/zh-CN/``.  The book is dual-licensed
GPL-2.0+ or CC BY-SA 3.0 Unported; the sample is redistributed under
CC BY-SA 3.0 (see corpora/README.md).

Usage::

    python corpora/make_sample.py                  # runs `apt-get download`
    python corpora/make_sample.py --deb FILE.deb   # use an already-downloaded .deb

The .deb is unpacked in pure Python (``ar`` container + ``tarfile``), so the
script works on any system once you have the .deb file (for example from
https://snapshot.debian.org/).  Only the standard library is used.

Cleaning, in order:

* pages are read in the book's reading order (``index.html`` then every
  ``<link rel="next">``);
* only the text of DocBook paragraphs (``<div class="para">``) is kept:
  titles, tables of contents, navigation, figures and code blocks
  (``<pre>``) are dropped; block elements inside a paragraph (e.g. a
  formal-paragraph title) start a new line;
* character references are decoded, the text is NFC-normalised, every run of
  whitespace becomes one ASCII space, and lines are stripped;
* lines that are not mainly Chinese are dropped: fewer than 4 Han
  characters, or more than 3 Latin letters per Han character (the
  translation is incomplete, so some paragraphs are still in English; URLs
  and command-only lines go too).  Chinese paragraphs that merely mention
  commands, packages or file names are kept as they are;
* exact duplicate lines are dropped (first occurrence kept).

Punctuation is left exactly as in the source (full-width and half-width).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import posixpath
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from html.parser import HTMLParser

PACKAGE = "debian-handbook"
VERSION = "11.20220922"
DEB_SHA256 = "3d5dbeac1f1afc9c094eab9d0f701f6ecff99c4927d5a4794cf6c85678134faa"
HTML_DIR = "usr/share/doc/debian-handbook/html/zh-CN/"
FIRST_PAGE = "index.html"

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "minent", "data", "sample.zh.txt")

MIN_HAN = 4
MAX_LATIN_PER_HAN = 3

_HAN_RE = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
)
_LATIN_RE = re.compile("[A-Za-z]")
_WS_RE = re.compile(r"\s+")

# Elements that never have an end tag in this XHTML.
_VOID = {"br", "img", "link", "meta", "col", "hr", "input", "area", "base"}


class Failure(Exception):
    """An error reported to the user as one line, without a traceback."""


# --------------------------------------------------------------------------
# .deb handling
# --------------------------------------------------------------------------


def download_deb(workdir: str) -> str:
    """Run ``apt-get download`` for the pinned version; return the .deb path."""
    spec = f"{PACKAGE}={VERSION}"
    try:
        proc = subprocess.run(
            ["apt-get", "download", spec],
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    except FileNotFoundError:
        raise Failure(
            "apt-get not found; download "
            f"{PACKAGE}_{VERSION}_all.deb yourself and pass --deb FILE"
        ) from None
    if proc.returncode != 0:
        last = (proc.stdout or "").strip().splitlines()
        detail = last[-1] if last else f"exit status {proc.returncode}"
        raise Failure(f"apt-get download {spec} failed: {detail}")
    for name in os.listdir(workdir):
        if name.startswith(PACKAGE + "_") and name.endswith(".deb"):
            return os.path.join(workdir, name)
    raise Failure(f"apt-get download {spec} produced no .deb file")


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_data_tar(deb_path: str) -> bytes:
    """Return the raw bytes of the ``data.tar.*`` member of a .deb (ar file)."""
    with open(deb_path, "rb") as fh:
        if fh.read(8) != b"!<arch>\n":
            raise Failure(f"{deb_path} is not a .deb (ar) archive")
        while True:
            header = fh.read(60)
            if len(header) < 60:
                break
            name = header[:16].decode("ascii").strip().rstrip("/")
            size = int(header[48:58].decode("ascii").strip())
            payload = fh.read(size)
            if size % 2:
                fh.read(1)
            if name.startswith("data.tar"):
                return payload
    raise Failure(f"no data.tar member in {deb_path}")


def load_pages(deb_path: str) -> dict[str, str]:
    """Map page file name -> decoded HTML for every zh-CN page in the .deb."""
    pages: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(read_data_tar(deb_path))) as tar:
        for member in tar:
            name = member.name
            if name.startswith("./"):
                name = name[2:]
            if not member.isfile() or not name.startswith(HTML_DIR):
                continue
            rel = name[len(HTML_DIR):]
            if "/" in rel or not rel.endswith(".html"):
                continue
            data = tar.extractfile(member).read()
            pages[rel] = data.decode("utf-8")
    if FIRST_PAGE not in pages:
        raise Failure(f"{HTML_DIR}{FIRST_PAGE} not found in {deb_path}")
    return pages


# --------------------------------------------------------------------------
# HTML -> paragraphs
# --------------------------------------------------------------------------


class _ParaExtractor(HTMLParser):
    """Collect the text of ``<div class="para">`` elements and the next link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, opens a para?)
        self.para_depth = 0
        self.pre_depth = 0
        self.buf: list[str] = []
        self.paragraphs: list[str] = []
        self.next_page: str | None = None

    def _flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        if text.strip():
            self.paragraphs.append(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "next" and self.next_page is None:
            self.next_page = a.get("href")
        if tag in _VOID:
            if tag == "br" and self.para_depth:
                self.buf.append(" ")
            return
        classes = (a.get("class") or "").split()
        opens_para = tag == "div" and "para" in classes
        if self.para_depth and tag in ("div", "p", "li", "dt", "dd", "tr", "pre"):
            self._flush()  # a block inside a paragraph starts a new line
        if opens_para:
            self._flush()
            self.para_depth += 1
        if tag == "pre":
            self.pre_depth += 1
        self.stack.append((tag, opens_para))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        # Pop up to and including the matching open tag (tolerates bad nesting).
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            t, opened_para = self.stack.pop()
            if t == "pre":
                self.pre_depth -= 1
                if self.para_depth:
                    self.buf = []  # never keep code
            if opened_para:
                self._flush()
                self.para_depth -= 1
            elif self.para_depth and t in ("div", "p", "li", "dt", "dd", "tr"):
                self._flush()
            if t == tag:
                break

    def handle_data(self, data):
        if self.para_depth and not self.pre_depth:
            self.buf.append(data)

    def close(self):
        super().close()
        self._flush()


def extract_paragraphs(html: str) -> tuple[list[str], str | None]:
    """Return (raw paragraph texts, href of the next page or None)."""
    parser = _ParaExtractor()
    parser.feed(html)
    parser.close()
    return parser.paragraphs, parser.next_page


def clean_line(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _WS_RE.sub(" ", text).strip()


def is_mainly_chinese(line: str) -> bool:
    han = len(_HAN_RE.findall(line))
    return han >= MIN_HAN and han * MAX_LATIN_PER_HAN >= len(_LATIN_RE.findall(line))


def reading_order(pages: dict[str, str]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    name: str | None = FIRST_PAGE
    while name and name not in seen and name in pages:
        seen.add(name)
        order.append(name)
        _, nxt = extract_paragraphs(pages[name])
        name = posixpath.basename(nxt.split("#", 1)[0]) if nxt else None
    # Pages not reachable through "next" links (should be none) go last.
    order.extend(sorted(set(pages) - seen))
    return order


def build_lines(pages: dict[str, str]) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for name in reading_order(pages):
        paragraphs, _ = extract_paragraphs(pages[name])
        for raw in paragraphs:
            line = clean_line(raw)
            if not line or not is_mainly_chinese(line) or line in seen:
                continue
            seen.add(line)
            lines.append(line)
    return lines


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str, lines: list[str]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sample.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line + "\n")
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=(
            "Re-create minent/data/sample.zh.txt from the zh-CN HTML of the Debian "
            f"package {PACKAGE} {VERSION} (The Debian Administrator's Handbook)."
        )
    )
    ap.add_argument(
        "--deb",
        metavar="FILE",
        help=f"use this {PACKAGE}_{VERSION}_all.deb instead of running apt-get download",
    )
    ap.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="FILE",
        help="output file (default: minent/data/sample.zh.txt in this checkout)",
    )
    args = ap.parse_args(argv)

    try:
        with tempfile.TemporaryDirectory(prefix="minent-sample-") as tmp:
            deb = args.deb or download_deb(tmp)
            if not os.path.isfile(deb):
                raise Failure(f"no such file: {deb}")
            digest = sha256_of(deb)
            if digest != DEB_SHA256:
                print(
                    f"warning: {os.path.basename(deb)} sha256 {digest} differs "
                    f"from the expected {DEB_SHA256}; output may differ",
                    file=sys.stderr,
                )
            pages = load_pages(deb)
        lines = build_lines(pages)
        if not lines:
            raise Failure("no Chinese paragraphs found")
        write_atomic(args.out, lines)
    except Failure as exc:
        print(f"make_sample.py: error: {exc}", file=sys.stderr)
        return 1
    except (OSError, tarfile.TarError, UnicodeDecodeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"make_sample.py: error: {first}", file=sys.stderr)
        return 1

    size = os.path.getsize(args.out)
    chars = sum(len(line) + 1 for line in lines)
    print(
        f"wrote {args.out}: {len(lines)} lines, {chars} characters, {size} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
