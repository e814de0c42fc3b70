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

Without a ``lexicon`` or ``tokenizer``, ``words`` uses a lexicon learned by
:func:`minent.learn_lexicon` from the texts given to :meth:`~TextFeatures.fit` (kept in
``lexicon_`` and saved in model files).

Values, in this order: the occurrence count c, or 1 with ``binary=True``, or 1 + ln c with
``sublinear=True``; times idf = ln((1 + n) / (1 + df)) + 1 with ``idf=True`` (n fit texts, df of
them containing the feature; natural log); then each row scaled to unit Euclidean length with
``norm="l2"``. The defaults (character 1-4 grams and jieba words and word bigrams, each seen at least
twice, binary, idf, unit rows) scored best in 5-fold cross-validation on the training files of
both benchmark sets (bench/bench_maxent.py, README): jieba words beat the words of a lexicon learned
from the training texts on news titles and tied with them on reviews; character 4-grams gained
0.18 CV points on both sets with the classifier's NB-LR partner (outputs/bench/maxent_ablation_defaults.md).
``binary=False, idf=False,
norm=None`` gives the classic maximum-entropy reading of a feature as an occurrence count.

Hashed feature space: with ``hash_size=m`` no vocabulary is kept; a feature goes to column
``h(name) mod m``, h = FNV-1a over the code points of its name (family prefix included), then the
MurmurHash3 finaliser; colliding features share a column. Memory is then bounded by m whatever
the training set, and character n-grams are hashed by a numba kernel straight from the text.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import unicodedata
from array import array

import numpy as np
import scipy.sparse as sp
from numba import njit

from .discovery import learn_lexicon
from .errors import FormatError, MinentError
from .estimator import DataError, Estimator, ParameterError
from .hashtable import _FNV_OFFSET, fold, mix64

__all__ = ["TextFeatures", "parse_feature_spec", "DEFAULT_FEATURES", "template_extractor"]

DEFAULT_FEATURES = "char1234,jieba12"
_HASH_BATCH = 20000  # texts per batch in hashed mode (bounds the temporary id arrays)
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


# --------------------------------------------------------------------------------------------
# hashed feature space: FNV-1a over code points (the fold of minent.hashtable), then mix64

_COLUMN_MASK = 0x7FFFFFFFFFFFFFFF


@njit(cache=True)
def _fold_codes(codes, a, b, h):
    """The running hash ``h`` extended by the code points ``codes[a:b]``."""
    for p in range(a, b):
        h = fold(h, np.int64(codes[p]))
    return h


@njit(cache=True)
def _hash_strings(codes, offsets, start, size, out):
    """Column of each string ``codes[offsets[i]:offsets[i+1]]`` (uint32 code points), hashed on
    from the state ``start``; written into ``out`` (int64)."""
    for i in range(offsets.shape[0] - 1):
        h = _fold_codes(codes, offsets[i], offsets[i + 1], start)
        out[i] = (mix64(h) & _COLUMN_MASK) % size


@njit(cache=True)
def _hash_char_ngrams(codes, offsets, orders, start, size, out, out_ptr):
    """Columns of every character n-gram (n in ``orders``) of every text, in text order.

    Text i is ``codes[offsets[i]:offsets[i+1]]``; ``start`` is the state after the family prefix,
    so an n-gram's column equals that of the string ``prefix + n-gram`` under
    :func:`_hash_strings`. ``out`` must hold all n-grams; ``out_ptr`` (n + 1) receives the row
    boundaries.
    """
    k = 0
    out_ptr[0] = 0
    for i in range(offsets.shape[0] - 1):
        a, b = offsets[i], offsets[i + 1]
        for n in orders:
            for s in range(a, b - n + 1):
                out[k] = (mix64(_fold_codes(codes, s, s + n, start)) & _COLUMN_MASK) % size
                k += 1
        out_ptr[i + 1] = k


def _code_points(strings):
    """(uint32 code points of all strings, int64 offsets) for the hash kernels."""
    lengths = np.fromiter((len(t) for t in strings), dtype=np.int64, count=len(strings))
    offsets = np.zeros(len(strings) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    raw = "".join(strings).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(raw, dtype=np.uint32), offsets


def hash_columns(names, size, prefix=""):
    """Column of each feature name ``prefix + name`` in a hashed space of ``size`` columns."""
    codes, offsets = _code_points(names)
    out = np.empty(len(names), dtype=np.int64)
    _hash_strings(codes, offsets, _prefix_state(prefix), size, out)
    return out


def _prefix_state(prefix):
    codes, _ = _code_points([prefix])
    return _fold_codes(codes, 0, len(codes), np.int64(_FNV_OFFSET))


def _char_ngram_columns(texts, orders, size):
    """(columns, row pointers) of the character n-grams of ``texts`` in a hashed space."""
    codes, offsets = _code_points(texts)
    lengths = np.diff(offsets)
    total = int(sum(np.maximum(lengths - n + 1, 0).sum() for n in orders))
    out = np.empty(total, dtype=np.int64)
    ptr = np.empty(len(texts) + 1, dtype=np.int64)
    _hash_char_ngrams(codes, offsets, np.asarray(orders, dtype=np.int64), _prefix_state("c:"),
                      size, out, ptr)
    return out, ptr


def _count_matrix(rows, cols, n, width):
    """CSR (n, width) whose entry (i, j) counts the occurrences of (rows, cols) == (i, j)."""
    X = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, width))
    X.sum_duplicates()
    return X


def _stack_rows(parts, width):
    """One CSR matrix from (row lengths, indices, data) blocks, freeing each block once copied
    (peak memory: the result plus one block, not twice the result as ``scipy.sparse.vstack``)."""
    lengths = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    nnz = int(indptr[-1])
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float32)
    at = 0
    while parts:
        _, idx, val = parts.pop(0)
        indices[at: at + len(idx)] = idx
        data[at: at + len(idx)] = val
        at += len(idx)
    if nnz < 2**31:
        indptr = indptr.astype(np.int32)
    X = sp.csr_matrix((data, indices, indptr), shape=(len(lengths), width))
    X.has_sorted_indices = True  # each block's rows were sorted by sum_duplicates
    return X


@njit(cache=True)
def _column_sums(indices, data, width):
    """Per column: the sum of ``data`` (the number of entries when ``data`` is None)."""
    out = np.zeros(width)
    if data is None:
        for p in range(indices.shape[0]):
            out[indices[p]] += 1.0
    else:
        for p in range(indices.shape[0]):
            out[indices[p]] += data[p]
    return out


@njit(cache=True)
def _scale_columns(indices, data, factors):
    """data[p] *= factors[indices[p]], in place."""
    for p in range(indices.shape[0]):
        data[p] *= factors[indices[p]]


@njit(cache=True)
def _unit_rows(indptr, data):
    """Scale each CSR row to unit Euclidean length in place (empty / zero rows unchanged)."""
    for i in range(indptr.shape[0] - 1):
        total = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            total += data[p] * data[p]
        if total > 0.0:
            scale = 1.0 / math.sqrt(total)
            for p in range(indptr[i], indptr[i + 1]):
                data[p] *= scale


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


def _check_texts(texts):
    """A list of strings from any iterable of strings (clear errors for anything else)."""
    if isinstance(texts, (str, bytes)):
        raise DataError("texts must be an iterable of strings, not one string")
    if hasattr(texts, "ndim") and getattr(texts, "ndim") != 1:
        raise DataError(f"texts must be a 1-D sequence of strings, got an array of shape "
                        f"{texts.shape}")
    try:
        texts = list(texts)
    except TypeError:
        raise DataError(f"texts must be an iterable of strings, got {type(texts).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise DataError(f"texts must be strings; item {i} is {type(t).__name__}")
    return texts


class TextFeatures(Estimator):
    """Strings -> sparse feature matrix (characters, n-grams, lexicon words, jieba, extractors).

    Parameters
    ----------
    features : str or list of str, default DEFAULT_FEATURES ("char1234,jieba12")
        Comma-separated families, see the module doc: ``char<orders>``, ``words<orders>``,
        ``jieba<orders>``, or the name of an entry of ``extractors``.
    lexicon : object with ``segment(str) -> list[str]`` and ``save(path)``, optional
        Tokenizer for ``words``; a :class:`minent.lexicon.Lexicon` is saved inside model files.
        Default: learn one from the fit texts with :func:`minent.learn_lexicon`.
    tokenizer : callable str -> list[str], optional
        Tokenizer for ``words`` when no lexicon is given (models using it cannot be saved).
    extractors : dict of name -> callable str -> iterable of str, optional
        Extra feature families (e.g. templates); not saved in model files.
    binary : bool, default True
        Feature value 1.0 for presence instead of the occurrence count.
    sublinear : bool, default False
        Feature value 1 + ln(count) instead of the count (ignored when ``binary``).
    idf : bool, default True
        Multiply by the smoothed inverse document frequency ln((1 + n) / (1 + df)) + 1.
    norm : {None, "l2"}, default "l2"
        Scale every row to unit Euclidean length (rows without features stay empty).
    min_count : int, default 2
        Keep features occurring at least this many times (total occurrences) in the fit texts
        (features seen once cost parameters and measured no better, see the README).
    max_features : int, optional
        Keep at most this many features, the most frequent (ties: by name).
    normalize : bool, default False
        Apply Unicode NFKC (full-width letters/digits -> half-width) and lower-casing first.
    hash_size : int, optional
        Hash features into this many columns instead of keeping a vocabulary (bounded memory;
        ``min_count`` then applies to columns, ``max_features`` cannot be used).

    Attributes
    ----------
    vocabulary_ : dict str -> int or None
        Column of each feature (None with ``hash_size``).
    feature_names_ : list of str or None
        Feature names in column order (sorted by name); None with ``hash_size``.
    idf_ : ndarray of shape (n_features,) or None
        Inverse document frequencies (when ``idf=True``).
    lexicon_ : Lexicon or None
        The lexicon behind ``words`` (``lexicon`` or the one learned in fit).
    n_features_out_ : int
        Number of columns of the output.
    """

    _fitted_attr = "n_features_out_"

    def __init__(self, features=DEFAULT_FEATURES, *, lexicon=None, tokenizer=None, extractors=None,
                 binary=True, sublinear=False, idf=True, norm="l2", min_count=2,
                 max_features=None, normalize=False, hash_size=None):
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
        self.hash_size = hash_size

    def _tags(self):
        return {"estimator_type": "transformer", "requires_y": False,
                "input_two_d_array": False, "input_string": True}

    # -- analysis --------------------------------------------------------------------------

    def _families(self):
        """Validated settings: the parsed feature spec."""
        families = parse_feature_spec(self.features, dict(self.extractors or {}))
        if not (isinstance(self.min_count, (int, np.integer)) and self.min_count >= 1):
            raise ParameterError(f"min_count must be an integer >= 1, got {self.min_count!r}")
        if self.norm not in (None, "l2"):
            raise ParameterError(f"norm must be None or 'l2', got {self.norm!r}")
        if self.max_features is not None and not (
                isinstance(self.max_features, (int, np.integer)) and self.max_features >= 1):
            raise ParameterError(f"max_features must be a positive integer, got {self.max_features!r}")
        if self.hash_size is not None:
            if not (isinstance(self.hash_size, (int, np.integer)) and 1 <= self.hash_size < 2**31):
                raise ParameterError(f"hash_size must be an integer in [1, 2**31), got "
                                     f"{self.hash_size!r}")
            if self.max_features is not None:
                raise ParameterError("max_features needs a vocabulary; it cannot be combined "
                                     "with hash_size")
        return families

    def _word_tokenizer(self):
        if self.lexicon is not None:
            return self.lexicon.segment
        if self.tokenizer is not None:
            return self.tokenizer
        lexicon = getattr(self, "lexicon_", None)
        if lexicon is None:
            raise MinentError("feature family 'words' needs a lexicon: fit() learns one, or pass "
                              "lexicon= or tokenizer=")
        return lexicon.segment

    def _analyzer(self, families):
        """A function text -> list of feature names (with repeats) of the given families."""
        extractors = dict(self.extractors or {})
        word_tok = (self._word_tokenizer() if any(name == "words" for name, _ in families)
                    else None)
        jieba_tok = _Jieba() if any(name == "jieba" for name, _ in families) else None

        def analyze(text):
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

    def _prepare(self, texts):
        texts = _check_texts(texts)
        if self.normalize:
            texts = [unicodedata.normalize("NFKC", t).lower() for t in texts]
        return texts

    # -- learning and applying -------------------------------------------------------------

    def fit(self, X, y=None):
        """Learn the vocabulary (and idf, and a lexicon if needed) from strings ``X``; returns
        self. ``y`` is ignored (accepted for scikit-learn pipelines)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """:meth:`fit` then :meth:`transform` on the same texts, analysing each text once.

        In vocabulary mode texts are kept only as integer feature ids while the vocabulary is
        chosen, so memory grows with the number of feature occurrences (8 bytes each), not with
        their strings.
        """
        families = self._families()
        texts = self._prepare(X)
        self.lexicon_ = self.lexicon
        if (any(name == "words" for name, _ in families) and self.lexicon is None
                and self.tokenizer is None):
            try:
                # no background model: classification with one is not measured yet
                self.lexicon_ = learn_lexicon(texts, background="none")
            except MinentError as exc:
                raise DataError(f"feature family 'words': cannot learn a lexicon from the fit "
                                f"texts ({exc}); pass lexicon= or tokenizer=") from None
        if self.hash_size is not None:
            self.vocabulary_ = self.feature_names_ = None
            self.n_features_out_ = int(self.hash_size)
            X = self._hashed_counts(texts, families)
            self.kept_columns_ = None
            if self.min_count > 1:
                self.kept_columns_ = _column_sums(X.indices, X.data, X.shape[1]) >= self.min_count
                X = self._drop_columns(X)
        else:
            X = self._fit_vocabulary(texts, families)
        self.idf_ = None
        if self.idf:
            df = _column_sums(X.indices, None, X.shape[1])
            self.idf_ = np.log((1.0 + X.shape[0]) / (1.0 + df)) + 1.0
        return self._weight(X)

    def _fit_vocabulary(self, texts, families):
        cols, indptr, names = self._encode(texts, families, None)
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
        self.n_features_out_ = len(self.feature_names_)
        return self._csr(remap[cols], indptr)

    def transform(self, X):
        """CSR matrix (n_texts, n_features), float64; features outside the vocabulary dropped."""
        self._check_fitted()
        families = self._families()
        texts = self._prepare(X)
        if self.hash_size is not None:
            return self._weight(self._drop_columns(self._hashed_counts(texts, families)))
        cols, indptr, _ = self._encode(texts, families, self.vocabulary_)
        return self._weight(self._csr(cols, indptr))

    def get_feature_names_out(self, input_features=None):
        """Feature names in column order, as an object array (``h<column>`` when hashed)."""
        self._check_fitted()
        if self.feature_names_ is None:
            return np.array([f"h{j}" for j in range(self.n_features_out_)], dtype=object)
        return np.array(self.feature_names_, dtype=object)

    def _encode(self, texts, families, vocabulary):
        """Feature ids of every occurrence, and row boundaries.

        With ``vocabulary=None`` ids come from a provisional vocabulary grown in order of first
        occurrence (returned as the list ``names``); otherwise unknown features are skipped.
        """
        analyze = self._analyzer(families)
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

    def _hashed_counts(self, texts, families):
        """Count matrix in the hashed space, built in batches of texts (bounded temporaries).

        Values are float32 (exact for counts below 2**24): half the memory of float64 on large
        training sets; the classifier accepts them as they are.
        """
        char_orders = next((orders for name, orders in families if name == "char"), None)
        others = [f for f in families if f[0] != "char"]
        analyze = self._analyzer(others) if others else None
        size = self.n_features_out_
        parts = []
        for s in range(0, len(texts), _HASH_BATCH):
            batch = texts[s: s + _HASH_BATCH]
            pieces = []
            if char_orders is not None:
                pieces.append(_char_ngram_columns(batch, char_orders, size))
            if analyze is not None:
                names, ptr = [], [0]
                for text in batch:
                    names.extend(analyze(text))
                    ptr.append(len(names))
                pieces.append((hash_columns(names, size), np.asarray(ptr, dtype=np.int64)))
            rows = [np.repeat(np.arange(len(batch)), np.diff(ptr)) for _, ptr in pieces]
            B = _count_matrix(np.concatenate(rows), np.concatenate([c for c, _ in pieces]),
                              len(batch), size)
            parts.append((np.diff(B.indptr), B.indices.astype(np.int32), B.data.astype(np.float32)))
        return _stack_rows(parts, size)

    def _drop_columns(self, X):
        """Hashed mode: zero the columns seen fewer than ``min_count`` times in fit."""
        if self.kept_columns_ is not None:
            X.data[~self.kept_columns_[X.indices]] = 0.0
            X.eliminate_zeros()
        return X

    def _csr(self, cols, indptr):
        """Count matrix from occurrence ids (negative ids dropped)."""
        n = len(indptr) - 1
        rows = np.repeat(np.arange(n), np.diff(indptr))
        keep = cols >= 0
        return _count_matrix(rows[keep], cols[keep], n, self.n_features_out_)

    def _weight(self, X):
        """Counts -> feature values (binary / sublinear, idf, row norm), in place (no temporaries
        the size of X: the column scaling and row norms are numba loops)."""
        if self.binary:
            X.data[:] = 1.0
        elif self.sublinear:
            np.log(X.data, out=X.data)
            X.data += 1.0
        if self.idf:
            _scale_columns(X.indices, X.data, self.idf_)
        if self.norm == "l2":
            _unit_rows(X.indptr, X.data)
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
        members = {}
        if self.feature_names_ is not None:
            members["features_vocabulary.json"] = json.dumps(
                self.feature_names_, ensure_ascii=False).encode("utf-8")
        if self.idf:
            members["features_idf.npy"] = _npy_bytes(np.asarray(self.idf_, dtype=np.float64))
        if self.hash_size is not None and self.kept_columns_ is not None:
            members["features_kept.npy"] = _npy_bytes(self.kept_columns_.astype(np.uint8))
        words_source = None
        if "words" in names:
            if self.lexicon_ is None or not hasattr(self.lexicon_, "save"):
                raise MinentError("'words' features from a custom tokenizer cannot be saved; "
                                  "pass a minent Lexicon as lexicon=")
            with tempfile.TemporaryDirectory(prefix="minent-lex-") as tmp:
                path = os.path.join(tmp, "lexicon.tsv")
                self.lexicon_.save(path)
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
            "hash_size": None if self.hash_size is None else int(self.hash_size),
            "n_features": int(self.n_features_out_),
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
                    normalize=bool(meta["normalize"]), hash_size=meta.get("hash_size"))
        feats._families()  # validates the settings
        feats.lexicon_ = lexicon
        width = int(meta["n_features"])
        if feats.hash_size is not None:
            if width != feats.hash_size:
                raise FormatError("hashed features: n_features differs from hash_size")
            feats.feature_names_ = feats.vocabulary_ = None
        else:
            if "features_vocabulary.json" not in members:
                raise FormatError("model has no feature vocabulary member")
            names = json.loads(bytes(members["features_vocabulary.json"]).decode("utf-8"))
            if not isinstance(names, list) or not all(isinstance(f, str) for f in names):
                raise FormatError("the feature vocabulary is not a list of strings")
            feats.feature_names_ = names
            feats.vocabulary_ = {f: i for i, f in enumerate(names)}
            if len(feats.vocabulary_) != len(names) or len(names) != width:
                raise FormatError("the feature vocabulary has duplicates or the wrong length")
        feats.n_features_out_ = width
        feats.kept_columns_ = None
        if feats.hash_size is not None and feats.min_count > 1:
            kept = members.get("features_kept")
            if not isinstance(kept, np.ndarray) or kept.shape != (width,):
                raise FormatError("hashed features with min_count > 1 need their kept-columns "
                                  "array")
            feats.kept_columns_ = kept.astype(bool)
        feats.idf_ = None
        if feats.idf:
            idf = members.get("features_idf")
            if not isinstance(idf, np.ndarray) or idf.shape != (width,):
                raise FormatError("model uses idf but its idf array is missing or the wrong size")
            feats.idf_ = idf.astype(np.float64)
        return feats


def _npy_bytes(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def template_extractor(templates, segment):
    """An extractor (for ``TextFeatures(extractors={"templates": ...})``): text -> the texts of the
    non-trivial templates of ``templates`` (a :class:`minent.templates.Templates`) it contains.

    The text is cut into words with ``segment`` (e.g. ``Lexicon.segment``); a template is
    contained when its literal words occur in order, adjacent where the template has no
    placeholder between them and at least one word apart where it has one. Leading / trailing
    placeholders are not anchored (a review holds several sentences).
    """
    from .templates import PLACEHOLDER_TEXT, is_trivial
    by_first = {}
    for i, pattern in enumerate(templates.patterns):
        if is_trivial(pattern):
            continue
        literals, gap = [], False
        for tok in pattern:
            if tok == PLACEHOLDER_TEXT:
                gap = True
            else:
                literals.append((tok, gap))
                gap = False
        by_first.setdefault(literals[0][0], []).append((templates.text(i), literals))

    def contains(where, literals, k, after):
        if k == len(literals):
            return True
        word, gap = literals[k]
        return any(contains(where, literals, k + 1, p + 1) for p in where.get(word, ())
                   if (p > after if gap else p == after))

    def extract(text):
        where = {}
        for p, w in enumerate(w for w in segment(text) if w.strip()):
            where.setdefault(w, []).append(p)
        found = []
        for first in where.keys() & by_first.keys():
            for name, literals in by_first[first]:
                if any(contains(where, literals, 1, p + 1) for p in where[first]):
                    found.append(name)
        return sorted(found)

    return extract


def _jieba_version():
    try:
        import jieba
        return getattr(jieba, "__version__", "unknown")
    except ImportError:  # pragma: no cover - jieba is a required dependency
        return None
