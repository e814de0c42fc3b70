"""Text -> sparse feature matrices for the maximum-entropy classifier.

A :class:`TextFeatures` turns strings into a scipy CSR matrix (one row per text), learning its
vocabulary in :meth:`~TextFeatures.fit` and only looking it up in :meth:`~TextFeatures.transform`
(features never seen in training are dropped). Feature families, named in a comma-separated spec:

===============  ==========================================================================
``char12``       character n-grams; the digits are the orders (``char1``, ``char123``, ...)
``words``        words of a minent lexicon (``lexicon=``, a :class:`minent.lexicon.Lexicon`) or
                 of any ``tokenizer=`` callable str -> list[str]; ``words12`` adds word bigrams
``jieba``        words from jieba's default dictionary (``jieba12``: plus bigrams)
any other name   an entry of ``extractors=``: a callable str -> iterable of str (for example
                 the templates matched in the text)
===============  ==========================================================================

Feature names carry a family prefix (``c:好评``, ``w:服务 态度``, ``j:酒店``, ``templates:X 吗``), so
families never collide; word n-grams join their words with one space, and whitespace-only tokens
are dropped.

Values, in this order: the occurrence count c, or 1 with ``binary=True``, or 1 + ln c with
``sublinear=True``; times idf = ln((1 + n) / (1 + df)) + 1 with ``idf=True`` (n fit texts, df of
them containing the feature; natural log); then each row scaled to unit Euclidean length with
``norm="l2"``. Counts (the default) keep the classic maximum-entropy reading of a feature as an
occurrence count; tf-idf with unit rows is what measured best for classification (README).
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
import unicodedata
from array import array

import numpy as np
import scipy.sparse as sp

from .errors import FormatError, MinentError

__all__ = ["TextFeatures", "parse_feature_spec"]

_PARAMS = ("features", "lexicon", "tokenizer", "extractors", "binary", "sublinear", "idf", "norm",
           "min_count", "max_features", "normalize")
_FAMILY_RE = re.compile(r"^([A-Za-z_][A-Za-z_]*?)(\d*)$")
_BUILTIN = {"char": "c", "words": "w", "jieba": "j"}


def parse_feature_spec(spec, extractors=()):
    """Parse ``"char12,words"`` into ``[("char", (1, 2)), ("words", (1,))]``.

    Digits after a family name are the n-gram orders (default 1). Raises MinentError naming the
    bad item.
    """
    if isinstance(spec, str):
        items = [s.strip() for s in spec.split(",")]
    else:
        items = [str(s).strip() for s in spec]
    out = []
    for item in items:
        m = _FAMILY_RE.match(item)
        if not item or not m:
            raise MinentError(f"bad feature family {item!r} in {spec!r} "
                              f"(use char12, words, jieba, ... separated by commas)")
        name, digits = m.group(1), m.group(2)
        if name not in _BUILTIN and name not in extractors:
            raise MinentError(f"unknown feature family {name!r} in {spec!r} "
                              f"(known: char, words, jieba{''.join(', ' + e for e in extractors)})")
        orders = tuple(sorted({int(c) for c in digits})) if digits else (1,)
        if 0 in orders:
            raise MinentError(f"n-gram order 0 in {item!r}")
        if name in extractors and orders != (1,):
            raise MinentError(f"{item!r}: extractor families take no n-gram orders")
        if any(prev == name for prev, _ in out):
            raise MinentError(f"feature family {name!r} given twice in {spec!r}")
        out.append((name, orders))
    if not out:
        raise MinentError("empty feature spec")
    return out


def _ngrams(tokens, orders, prefix, out):
    for n in orders:
        if n == 1:
            out.extend(prefix + t for t in tokens)
        else:
            out.extend(prefix + " ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _char_ngrams(text, orders, out):
    for n in orders:
        out.extend("c:" + text[i:i + n] for i in range(len(text) - n + 1))


class _Jieba:
    """jieba's default tokenizer, initialised on first use (its start-up log line silenced)."""

    def __init__(self):
        self._tok = None

    def __call__(self, text):
        if self._tok is None:
            import logging
            import jieba
            jieba.setLogLevel(logging.WARNING)
            self._tok = jieba.dt
        return self._tok.lcut(text)


class TextFeatures:
    """Strings -> sparse feature matrix (characters, n-grams, lexicon words, jieba, extractors).

    Parameters
    ----------
    features : str or list of str, default "char12"
        Comma-separated families, see the module doc: ``char<orders>``, ``words<orders>``,
        ``jieba<orders>``, or the name of an entry of ``extractors``.
    lexicon : object with ``segment(str) -> list[str]`` and ``save(path)``, optional
        Tokenizer for ``words``; a :class:`minent.lexicon.Lexicon` is saved inside model files.
    tokenizer : callable str -> list[str], optional
        Tokenizer for ``words`` when no lexicon is given (models using it cannot be saved).
    extractors : dict of name -> callable str -> iterable of str, optional
        Extra feature families (e.g. templates); not saved in model files.
    binary : bool, default False
        Feature value 1.0 for presence instead of the occurrence count.
    sublinear : bool, default False
        Feature value 1 + ln(count) instead of the count (ignored when ``binary``).
    idf : bool, default False
        Multiply by the smoothed inverse document frequency ln((1 + n) / (1 + df)) + 1.
    norm : {None, "l2"}, default None
        Scale every row to unit Euclidean length (rows without features stay empty).
    min_count : int, default 1
        Keep features occurring at least this many times (total occurrences) in the fit texts.
    max_features : int, optional
        Keep at most this many features, the most frequent (ties: by name).
    normalize : bool, default False
        Apply Unicode NFKC (full-width letters/digits -> half-width) and lower-casing first.

    Attributes
    ----------
    vocabulary_ : dict str -> int
        Column of each feature.
    feature_names_ : list of str
        Feature names in column order (sorted by name).
    idf_ : ndarray of shape (n_features,) or None
        Inverse document frequencies (when ``idf=True``).
    """

    def __init__(self, features="char12", *, lexicon=None, tokenizer=None, extractors=None,
                 binary=False, sublinear=False, idf=False, norm=None, min_count=1,
                 max_features=None, normalize=False):
        self.features = features
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.extractors = extractors
        self.binary = binary
        self.sublinear = sublinear
        self.idf = idf
        self.norm = norm
        self.min_count = min_count
        self.max_features = max_features
        self.normalize = normalize

    def get_params(self, deep=True):
        """Constructor parameters as a dict."""
        return {k: getattr(self, k) for k in _PARAMS}

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in _PARAMS
                         if k in ("features", "binary", "sublinear", "idf", "norm", "min_count"))
        return f"TextFeatures({args})"

    # -- analysis --------------------------------------------------------------------------

    def _analyzer(self):
        """A function text -> list of feature names (with repeats), for the current settings."""
        extractors = dict(self.extractors or {})
        families = parse_feature_spec(self.features, extractors)
        if not (isinstance(self.min_count, (int, np.integer)) and self.min_count >= 1):
            raise MinentError(f"min_count must be an integer >= 1, got {self.min_count!r}")
        if self.norm not in (None, "l2"):
            raise MinentError(f"norm must be None or 'l2', got {self.norm!r}")
        if self.max_features is not None and not (
                isinstance(self.max_features, (int, np.integer)) and self.max_features >= 1):
            raise MinentError(f"max_features must be a positive integer, got {self.max_features!r}")
        word_tok = None
        if any(name == "words" for name, _ in families):
            if self.lexicon is not None:
                word_tok = self.lexicon.segment
            elif self.tokenizer is not None:
                word_tok = self.tokenizer
            else:
                raise MinentError("feature family 'words' needs a lexicon (lexicon=...) or a tokenizer")
        jieba_tok = _Jieba() if any(name == "jieba" for name, _ in families) else None
        normalize = self.normalize

        def analyze(text):
            if normalize:
                text = unicodedata.normalize("NFKC", text).lower()
            out = []
            for name, orders in families:
                if name == "char":
                    _char_ngrams(text, orders, out)
                elif name == "words" or name == "jieba":
                    tokens = (word_tok if name == "words" else jieba_tok)(text)
                    tokens = [t for t in tokens if t.strip()]
                    _ngrams(tokens, orders, _BUILTIN[name] + ":", out)
                else:
                    out.extend(name + ":" + str(f) for f in extractors[name](text))
            return out

        return analyze

    # -- learning and applying -------------------------------------------------------------

    def fit(self, texts):
        """Learn the vocabulary (and idf) from an iterable of strings; returns self."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts):
        """:meth:`fit` then :meth:`transform` on the same texts, analysing each text once.

        Texts are kept only as integer feature ids while the vocabulary is chosen, so memory grows
        with the number of feature occurrences (8 bytes each), not with their strings.
        """
        cols, indptr, names = self._encode(texts, None)
        counts = np.bincount(cols, minlength=len(names))
        keep = [i for i in range(len(names)) if counts[i] >= self.min_count]
        if self.max_features is not None and len(keep) > self.max_features:
            keep.sort(key=lambda i: (-counts[i], names[i]))
            keep = keep[: self.max_features]
        keep.sort(key=names.__getitem__)
        remap = np.full(len(names), -1, dtype=np.int64)
        remap[np.asarray(keep, dtype=np.int64)] = np.arange(len(keep))
        self.feature_names_ = [names[i] for i in keep]
        self.vocabulary_ = {f: j for j, f in enumerate(self.feature_names_)}
        X = self._csr(remap[cols], indptr)
        self.idf_ = None
        if self.idf:
            df = np.bincount(X.indices, minlength=X.shape[1])
            self.idf_ = np.log((1.0 + X.shape[0]) / (1.0 + df)) + 1.0
        return self._weight(X)

    def transform(self, texts):
        """CSR matrix (n_texts, n_features), float64; features outside the vocabulary dropped."""
        self._check_fitted()
        cols, indptr, _ = self._encode(texts, self.vocabulary_)
        return self._weight(self._csr(cols, indptr))

    def get_feature_names_out(self):
        """Feature names in column order, as an object array."""
        self._check_fitted()
        return np.array(self.feature_names_, dtype=object)

    def _check_fitted(self):
        if not hasattr(self, "vocabulary_"):
            raise MinentError("this TextFeatures is not fitted yet; call fit() first")

    def _encode(self, texts, vocabulary):
        """Feature ids of every occurrence, and row boundaries.

        With ``vocabulary=None`` ids come from a provisional vocabulary grown in order of first
        occurrence (returned as the list ``names``); otherwise unknown features are skipped.
        """
        if isinstance(texts, str):
            raise MinentError("texts must be an iterable of strings, not one string")
        analyze = self._analyzer()
        grow = vocabulary is None
        vocab = {} if grow else vocabulary
        cols = array("q")
        indptr = array("q", [0])
        for text in texts:
            for f in analyze(text):
                i = vocab.get(f)
                if i is None:
                    if not grow:
                        continue
                    i = vocab[f] = len(vocab)
                cols.append(i)
            indptr.append(len(cols))
        return (np.frombuffer(cols, dtype=np.int64) if cols else np.zeros(0, dtype=np.int64),
                np.frombuffer(indptr, dtype=np.int64), list(vocab) if grow else None)

    def _csr(self, cols, indptr):
        """Count matrix from occurrence ids (negative ids dropped); repeats add up into counts."""
        n = len(indptr) - 1
        rows = np.repeat(np.arange(n), np.diff(indptr))
        keep = cols >= 0
        X = sp.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])),
                          shape=(n, len(self.feature_names_)))
        X.sum_duplicates()
        return X

    def _weight(self, X):
        """Counts -> feature values (binary / sublinear, idf, row norm), in place."""
        if self.binary:
            X.data[:] = 1.0
        elif self.sublinear:
            np.log(X.data, out=X.data)
            X.data += 1.0
        if self.idf:
            X.data *= self.idf_[X.indices]
        if self.norm == "l2":
            lengths = np.diff(X.indptr)
            rows = np.repeat(np.arange(X.shape[0]), lengths)
            row_norm = np.sqrt(np.bincount(rows, weights=X.data ** 2, minlength=X.shape[0]))
            X.data /= row_norm[rows]
        return X

    # -- model files -----------------------------------------------------------------------

    def export(self):
        """``(meta, members)`` for a model file: JSON-able settings, and named file members.

        Members (bytes): ``features_vocabulary.json`` (feature names in column order),
        ``features_idf.npy`` (with ``idf=True``) and ``features_lexicon.tsv`` (the lexicon behind
        ``words``). Raises MinentError when the settings cannot be saved (a custom tokenizer or
        extractors).
        """
        self._check_fitted()
        families = parse_feature_spec(self.features, dict(self.extractors or {}))
        names = {name for name, _ in families}
        if names - set(_BUILTIN):
            raise MinentError("extractor feature families cannot be saved in a model file")
        members = {"features_vocabulary.json":
                   json.dumps(self.feature_names_, ensure_ascii=False).encode("utf-8")}
        if self.idf:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(self.idf_, dtype=np.float64), allow_pickle=False)
            members["features_idf.npy"] = buf.getvalue()
        words_source = None
        if "words" in names:
            if self.lexicon is None or not hasattr(self.lexicon, "save"):
                raise MinentError("'words' features from a custom tokenizer cannot be saved; "
                                  "pass a minent Lexicon as lexicon=")
            with tempfile.TemporaryDirectory(prefix="minent-lex-") as tmp:
                path = os.path.join(tmp, "lexicon.tsv")
                self.lexicon.save(path)
                with open(path, "rb") as fh:
                    members["features_lexicon.tsv"] = fh.read()
            words_source = "lexicon"
        meta = {
            "features": ",".join(f"{n}{''.join(map(str, o)) if o != (1,) else ''}" for n, o in families),
            "binary": bool(self.binary),
            "sublinear": bool(self.sublinear),
            "idf": bool(self.idf),
            "norm": self.norm,
            "min_count": int(self.min_count),
            "max_features": None if self.max_features is None else int(self.max_features),
            "normalize": bool(self.normalize),
            "words_source": words_source,
            "jieba_version": _jieba_version() if "jieba" in names else None,
            "n_features": len(self.feature_names_),
        }
        return meta, members

    @classmethod
    def from_export(cls, meta, members):
        """Rebuild fitted features from :meth:`export` output as read back by ``numpy.load``
        (``.npy`` members arrive as arrays under their name without the extension, others as bytes).
        """
        lexicon = None
        if meta.get("words_source") == "lexicon":
            if "features_lexicon.tsv" not in members:
                raise FormatError("model uses lexicon words but has no lexicon member")
            from .lexicon import Lexicon
            with tempfile.TemporaryDirectory(prefix="minent-lex-") as tmp:
                path = os.path.join(tmp, "lexicon.tsv")
                with open(path, "wb") as fh:
                    fh.write(members["features_lexicon.tsv"])
                lexicon = Lexicon.load(path)
        feats = cls(meta["features"], lexicon=lexicon, binary=bool(meta["binary"]),
                    sublinear=bool(meta["sublinear"]), idf=bool(meta["idf"]), norm=meta["norm"],
                    min_count=int(meta["min_count"]), max_features=meta["max_features"],
                    normalize=bool(meta["normalize"]))
        feats._analyzer()  # validates the settings
        if "features_vocabulary.json" not in members:
            raise FormatError("model has no feature vocabulary member")
        names = json.loads(bytes(members["features_vocabulary.json"]).decode("utf-8"))
        if not isinstance(names, list) or not all(isinstance(f, str) for f in names):
            raise FormatError("the feature vocabulary is not a list of strings")
        feats.feature_names_ = names
        feats.vocabulary_ = {f: i for i, f in enumerate(names)}
        if len(feats.vocabulary_) != len(names) or len(names) != meta["n_features"]:
            raise FormatError("the feature vocabulary has duplicates or the wrong length")
        feats.idf_ = None
        if feats.idf:
            idf = members.get("features_idf")
            if not isinstance(idf, np.ndarray) or idf.shape != (len(names),):
                raise FormatError("model uses idf but its idf array is missing or the wrong size")
            feats.idf_ = idf.astype(np.float64)
        return feats


def _jieba_version():
    try:
        import jieba
        return getattr(jieba, "__version__", "unknown")
    except ImportError:  # pragma: no cover - jieba is a required dependency
        return None
