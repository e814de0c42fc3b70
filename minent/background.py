"""Background models: general-language clause statistics that back up a small corpus.

A user rarely has millions of characters of text in their domain; learned from a few hundred
thousand characters alone, the statistics of :mod:`minent.discovery` run short (a word seen once
or twice has no reliable branching entropy). A **background model** is the table of distinct
clauses, with their counts, of a public raw-text corpus (:mod:`minent.clauses`): exactly what the
learner learns from, so merging it into the user's clause table is the same as learning from the
user's text plus the background text, without shipping or re-reading that text. It is raw text
statistics, learned by minent itself: the result stays unsupervised (no gold words are used).

**When it is used** (:func:`select_background`). ``background="auto"`` (the default) picks,
among the installed models (package data and :func:`user_dir`), the one whose character
distribution fits the user's clauses best (mean log-probability of the user's characters under the
model's character counts: Japanese, traditional and simplified Chinese are told apart without
options), among those that know at least ``MIN_COVERAGE`` of the text's characters and agree
with it on kana (none if no model does), and merges it when the
user's clauses stand for fewer Han-run characters than the model's (``SMALL_RATIO``): on a small
corpus the background is a prior, on a corpus at least as large as the background the user's
own statistics are left alone (so the learner's results on large corpora do not change). A name
or a file forces one model (still subject to the size rule unless ``force``); ``"none"`` turns it
off (the learner then behaves exactly as without this module). When no choice is given, the
environment variable ``MINENT_BACKGROUND`` (``none``, a name or a file) replaces ``auto``.

**Weight.** Each background clause enters with its own count times ``weight`` (an integer, 1 by
default: the background counts as the text it was built from). The final lexicon's counts are
the uses of each entry in the user's own text (the last pass of the learner reads only the
user's input), so the background shapes which words are learned, not the word frequencies the
segmenter uses on the user's text.

**File format** (version 1, ``*.bg.xz``): an xz-compressed UTF-8 text; the first line a JSON
header (``format``, ``version``, ``name``, ``source``, ``licence``, ``rules``, ``clauses``,
``han_chars``...), then one ``count TAB clause`` line per distinct clause, clauses sorted by code
point (sorted text compresses well and the file is deterministic). No pickle.
"""
from __future__ import annotations

import json
import lzma
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from .errors import MinentError
from .pretokenize import Rules, from_codes, to_codes

FORMAT, VERSION = "minent-background", 1
SUFFIX = ".bg.xz"
#: The background is merged when the user's clauses stand for fewer Han-run characters than
#: ``SMALL_RATIO`` times the background's.
SMALL_RATIO = 1.0
#: Where the shipped models live (package data).
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "background")
#: Folder of the models built by ``corpora/build_background.py`` (searched by name after the package
#: data): ``$MINENT_BACKGROUND_DIR``, else ``~/.local/share/minent/background``.
ENV_DIR = "MINENT_BACKGROUND_DIR"
#: ``auto`` uses the best-fitting model only if it knows this share of the text's characters
#: (weighted by count) and agrees with the text on kana (both or neither have >= ``KANA_SHARE``).
MIN_COVERAGE, KANA_SHARE = 0.85, 0.02
#: The default when none is given: ``$MINENT_BACKGROUND`` if set, else ``"auto"``.
ENV_DEFAULT, DEFAULT = "MINENT_BACKGROUND", "auto"


def default_background() -> str:
    """The background used when none is given: ``$MINENT_BACKGROUND``, else ``"auto"``."""
    return os.environ.get(ENV_DEFAULT) or DEFAULT


@dataclass
class Background:
    """A background model: distinct clauses (packed code points ``codes[bounds[i]:bounds[i+1]]``)
    with ``counts``, and a ``meta`` header (name, source, licence, rules...)."""
    codes: np.ndarray
    bounds: np.ndarray
    counts: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.meta.get("name", "")

    def __len__(self) -> int:
        return len(self.counts)

    @property
    def han_chars(self) -> int:
        """Han-run characters the clauses stand for (each clause times its count)."""
        return int((np.diff(self.bounds) * self.counts).sum())

    def char_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct code points and their weighted counts (sorted by code point)."""
        reps = np.repeat(self.counts, np.diff(self.bounds))
        chars, inv = np.unique(self.codes, return_inverse=True)
        return chars, np.bincount(inv, weights=reps).astype(np.int64)

    def clauses(self) -> list[str]:
        return [from_codes(self.codes[a:b]) for a, b in zip(self.bounds[:-1], self.bounds[1:])]

    # ------------------------------------------------------------------ build, save, load

    @classmethod
    def from_texts(cls, texts, rules=Rules.DOT, **meta) -> "Background":
        """The exact clause table of ``texts`` (str, list of lines or :class:`minent.Corpus`)."""
        from .clauses import collect_clauses
        table = collect_clauses(texts, rules, None)
        arena, starts, counts = table.table.entries()
        bg = cls(arena.astype(np.int32), starts.astype(np.int64), counts.astype(np.int64),
                 {"rules": int(rules), **meta})
        return bg.sorted()

    @classmethod
    def from_clauses(cls, clauses: list[str], counts, **meta) -> "Background":
        codes = to_codes("".join(clauses))
        bounds = np.concatenate([[0], np.cumsum([len(c) for c in clauses])]).astype(np.int64)
        return cls(codes, bounds, np.asarray(counts, np.int64), dict(meta))

    def sorted(self) -> "Background":
        """The same model with its clauses sorted by code point."""
        texts = self.clauses()
        order = sorted(range(len(texts)), key=texts.__getitem__)
        return Background.from_clauses([texts[i] for i in order], self.counts[order], **self.meta)

    def save(self, path: str) -> None:
        """Write the model (format of the module doc), atomically (temporary file, then rename)."""
        bg = self.sorted()
        header = {"format": FORMAT, "version": VERSION, **bg.meta, "clauses": len(bg),
                  "han_chars": bg.han_chars}
        lines = [json.dumps(header, ensure_ascii=False)]
        lines += [f"{int(n)}\t{c}" for n, c in zip(bg.counts, bg.clauses())]
        data = lzma.compress(("\n".join(lines) + "\n").encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bg-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path: str) -> "Background":
        try:
            with open(path, "rb") as fh:
                text = lzma.decompress(fh.read()).decode("utf-8")
        except FileNotFoundError:
            raise MinentError(f"background model not found: {path}") from None
        except (OSError, lzma.LZMAError, UnicodeDecodeError) as e:
            raise MinentError(f"not a background model ({e.__class__.__name__}): {path}") from None
        head, _, body = text.partition("\n")
        try:
            meta = json.loads(head)
        except ValueError:
            meta = None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise MinentError(f"not a background model (no {FORMAT} header): {path}")
        if meta.get("version") != VERSION:
            raise MinentError(f"background model version {meta.get('version')} not supported "
                              f"(this minent reads version {VERSION}): {path}")
        clauses, counts = [], []
        for i, line in enumerate(body.splitlines(), 2):
            n, tab, clause = line.partition("\t")
            if not tab or not n.isdigit() or not clause:
                raise MinentError(f"bad background line {i}: {path}")
            counts.append(int(n))
            clauses.append(clause)
        for k in ("clauses", "han_chars"):
            meta.pop(k, None)
        meta.pop("format"), meta.pop("version")
        return cls.from_clauses(clauses, counts, **meta)


# ============================================================================ choosing one

def user_dir() -> str:
    """Where built models go and are found: ``$MINENT_BACKGROUND_DIR`` or ``~/.local/share/minent/background``."""
    return os.environ.get(ENV_DIR) or os.path.join(os.path.expanduser("~"), ".local", "share", "minent",
                                                   "background")


def shipped() -> dict[str, str]:
    """Background models found by name: ``{name: path}`` (package data, then :func:`user_dir`;
    a built model of the same name replaces a shipped one)."""
    out = {}
    for folder in (DATA_DIR, user_dir()):
        if folder and os.path.isdir(folder):
            for f in sorted(os.listdir(folder)):
                if f.endswith(SUFFIX):
                    out[f[: -len(SUFFIX)]] = os.path.join(folder, f)
    return out


_cache: dict[str, Background] = {}


def _model_path(spec: str) -> str:
    known = shipped()
    path = known.get(spec, spec)
    if not os.path.isfile(path):
        raise MinentError(f"unknown background {spec!r} (known: {', '.join(known) or 'none'}; "
                          "or give a .bg.xz file, or none)")
    return path


def load_background(spec: str) -> Background:
    """A model by name (see :func:`shipped`) or file path (loaded once per process)."""
    path = _model_path(spec)
    if path not in _cache:
        _cache[path] = Background.load(path)
    return _cache[path]


_sizes: dict[str, int] = {}


def model_han_chars(spec: str) -> int:
    """The Han-run characters a model stands for, from its header line alone (the first line of
    the xz stream: nothing else is decompressed), 0 if the header does not say."""
    path = _model_path(spec)
    if path not in _sizes:
        try:
            with lzma.open(path, "rt", encoding="utf-8") as fh:
                head = json.loads(fh.readline())
        except (OSError, lzma.LZMAError, UnicodeDecodeError, ValueError, EOFError) as e:
            raise MinentError(f"not a background model ({e.__class__.__name__}): {path}") from None
        size = head.get("han_chars") if isinstance(head, dict) else None
        _sizes[path] = int(size) if isinstance(size, int) else 0
    return _sizes[path]


def _kana_share(codes: np.ndarray, weights: np.ndarray) -> float:
    kana = ((codes >= 0x3041) & (codes <= 0x30FF)) | ((codes >= 0xFF66) & (codes <= 0xFF9F))
    return float((weights * kana).sum() / max(weights.sum(), 1))


def fit_score(bg: Background, codes: np.ndarray, weights: np.ndarray) -> tuple[float, float, bool]:
    """How well the model fits the characters ``codes`` (with ``weights``): mean log-probability
    (nats) under the model's character counts (add-half smoothing), the share of the characters
    the model has seen, and whether model and text agree on kana (see ``KANA_SHARE``)."""
    chars, counts = bg.char_counts()
    pos = np.minimum(np.searchsorted(chars, codes), len(chars) - 1)
    seen = np.where(chars[pos] == codes, counts[pos], 0)
    logp = np.log((seen + 0.5) / (counts.sum() + 0.5 * (len(chars) + 1)))
    total = max(weights.sum(), 1)
    kana_agree = (_kana_share(codes, weights) >= KANA_SHARE) == (_kana_share(chars, counts) >= KANA_SHARE)
    return float((logp * weights).sum() / total), float(weights[seen > 0].sum() / total), kana_agree


def select_background(spec, clauses, force: bool = False) -> tuple[Background | None, dict]:
    """The background to merge into the clause table ``clauses`` (:class:`minent.clauses.ClauseTable`)
    and a report. ``spec``: ``"auto"``, ``"none"``, a name or a file (see the module doc); None:
    :func:`default_background`."""
    if spec is None:
        spec = default_background()
    if spec == "none":
        return None, {"name": "none", "used": False}
    user = clauses.han_chars
    names = list(shipped()) if spec == "auto" else [spec]
    sizes = [model_han_chars(n) for n in names] if not force else []
    if sizes and min(sizes) > 0 and user >= SMALL_RATIO * max(sizes):
        # no model could be used (the size rule): decided from the headers, nothing loaded
        return None, {"name": spec, "used": False, "user_han_chars": int(user),
                      "reason": f"corpus not smaller than any {'installed ' if spec == 'auto' else ''}"
                                f"background x {SMALL_RATIO}"}
    arena, starts, counts = clauses.table.entries()
    weights = np.repeat(counts, np.diff(starts)).astype(np.float64)
    if spec == "auto":
        names = shipped()
        if not names:
            return None, {"name": "auto", "used": False, "reason": "no background model installed"}
        scores = {n: fit_score(load_background(n), arena, weights) for n in names}
        info = {"fit_nats": {n: round(s[0], 3) for n, s in scores.items()},
                "coverage": {n: round(s[1], 4) for n, s in scores.items()}}
        fits = [n for n, (_, cover, kana) in scores.items() if cover >= MIN_COVERAGE and kana]
        if not fits:
            info.update(name="auto", used=False, reason="no installed model fits the text's script "
                                                        f"(installed: {', '.join(names)})")
            return None, info
        bg = load_background(max(fits, key=lambda n: (scores[n][0], n)))
        info["name"] = bg.name
    else:
        bg = load_background(spec)
        info = {"name": bg.name or spec}
    info.update({"han_chars": bg.han_chars, "clauses": len(bg), "user_han_chars": int(user)})
    if not force and user >= SMALL_RATIO * bg.han_chars:
        info.update(used=False, reason=f"corpus not smaller than the background x {SMALL_RATIO}")
        return None, info
    info["used"] = True
    return bg, info


def merge_background(clauses, bg: Background, weight: int = 1) -> None:
    """Add the clauses of ``bg`` (counts times ``weight``) to the clause table ``clauses``."""
    if weight < 1:
        raise MinentError("background weight must be an integer >= 1")
    clauses.add(bg.codes, bg.bounds, bg.counts * int(weight))
