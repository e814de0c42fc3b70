"""Lexicon building by "当机立断" (method.md §2) and the Lexicon file format.

Steps, over any re-iterable text input, streaming:

1. count Han characters and adjacent pairs (:func:`minent.counting.count_chars_pairs`);
2. cut between a|b where n_ab < cut-off or PMI(a, b) < ``min_pmi`` (PMI in nats);
3. count the pieces ("candidates", at most ``max_len`` characters) and keep those whose count
   reaches the cut-off;
4. remove redundancy: longest candidates first (ties: more frequent first, then code-point order),
   take w out, segment it with the remaining candidates (unigram model), and compare
   ln p(w) - sum ln p(sub-words) with the threshold (``"len-1"``: len(w) - 1, or a number).
   Not above: w stays out and its count is handed to its sub-words.

The count cut-off is ``max(min_count, min_prob x N)``, N the number of Han characters for pairs
and the number of pieces for candidates, so one setting works from 1 MB to GBs.

File format (``.tsv``): a first line ``# minent-lexicon format=2 entries=<words> total=<pieces>
unknown_logp=<x> rules=<0|1|2>``, a header, then one word a line, sorted by count descending then word:
``word count probability pair_pmi pmi fstar sub_pmi`` — all logs natural (nats):

- ``pair_pmi``: the weakest adjacent-pair PMI inside the word (the step-2 evidence);
- ``pmi``: ln(p_w / prod p_c) over its characters (p_w a piece probability, p_c a character one);
- ``fstar``: p_w (pmi - 1), the lower bound of the information per piece a merge saves (§1);
- ``sub_pmi``: ln p(w) - sum ln p(sub-words) from step 4.

Single characters have empty pair_pmi / sub_pmi.

``entries`` (format 2) is checked on load, and the last line must be complete: a file cut short
(a failed copy, a full disk) or with lines lost is refused, naming the file and what is wrong.
Format 1 files (without ``entries``) still load.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np

from .counting import CharPairCounts, count_chars_pairs, count_pieces, pair_key
from .errors import FormatError, MinentError
from .hashtable import SeqCounter
from .pretokenize import Rules, to_codes
from .segment import Segmenter
from .textio import atomic_write, open_text
from .viterbi import best_path, make_scratch
from .viterbi import candidates as word_candidates

FORMAT_VERSION = 2
READABLE_VERSIONS = ("1", "2")  # 1: no entries= field in the first line
MAX_COUNT = 2**62  # counts are int64; a file claiming more is corrupt
COLUMNS = ["word", "count", "probability", "pair_pmi", "pmi", "fstar", "sub_pmi"]


@dataclass
class LexiconParams:
    """Parameters of the four steps of method.md §2 (preset ``faithful``).

    min_count : int, default 3
        Count cut-off floor for pairs (step 2) and candidates (step 3).
    min_prob : float, default 1e-6
        Relative cut-off; the effective count cut-off is ``max(min_count, min_prob x N)``.
    min_pmi : float, default 2.0
        Cut between adjacent characters whose PMI (natural log) is below this. PMI > 1 is where a
        merge starts to lower the information per character (method.md §1); 2 measured best on
        pd1998 and both SIGHAN dev sets (README, ``bench/bench_segmentation.py``).
    max_len : int, default 5
        Longest candidate word in characters; longer pieces are left to their parts.
    redundancy_threshold : "len-1" or float, default "len-1"
        Step 4: keep w when ln p(w) - sum ln p(sub-words) exceeds this (nats).
    rules : Rules, default Rules.ON
        Number / letter / date / punctuation rules (:mod:`minent.pretokenize`).
    """
    min_count: int = 3
    min_prob: float = 1e-6
    min_pmi: float = 2.0
    max_len: int = 5
    redundancy_threshold: str | float = "len-1"
    rules: Rules = Rules.ON

    def validate(self) -> None:
        try:
            self.rules = Rules(int(self.rules))
        except (TypeError, ValueError):
            raise MinentError("rules must be one of Rules.OFF / ON / DOT (0, 1, 2; False, True)") from None
        if self.min_count < 1:
            raise MinentError("min_count must be >= 1")
        if not 0 <= self.min_prob < 1:
            raise MinentError("min_prob must be in [0, 1)")
        if not 1 <= self.max_len <= 64:
            raise MinentError("max_len must be between 1 and 64")
        if self.redundancy_threshold != "len-1":
            try:
                self.redundancy_threshold = float(self.redundancy_threshold)
            except (TypeError, ValueError):
                raise MinentError("redundancy_threshold must be a number or 'len-1'") from None

    def threshold(self, word: str) -> float:
        if self.redundancy_threshold == "len-1":
            return len(word) - 1.0
        return float(self.redundancy_threshold)


def count_order(words, counts) -> np.ndarray:
    """Indices of ``words`` by decreasing count, ties by the words' code points: the order of a
    saved lexicon (what ``sorted(key=(-count, word))`` gives, by one numpy sort)."""
    counts = np.asarray(counts, np.int64)
    if not len(counts):
        return np.zeros(0, np.int64)
    if (counts[1:] <= counts[:-1]).all():  # already in order (a learned lexicon is): checked, not sorted
        tied = np.nonzero(counts[1:] == counts[:-1])[0].tolist()
        if all(words[i] < words[i + 1] for i in tied):
            return np.arange(len(counts), dtype=np.int64)
    if any("\x00" in w for w in words):  # numpy's fixed-width strings drop trailing NULs
        neg = (-counts).tolist()
        return np.array(sorted(range(len(words)), key=lambda i: (neg[i], words[i])), dtype=np.int64)
    return np.lexsort((np.array(words, dtype=str), -counts)).astype(np.int64)


def _write_columns(fh, columns: list[list[str]], sep: str, chunk: int = 1 << 16) -> None:
    """Write columns of strings as lines (fields joined by ``sep``), ``chunk`` lines per write:
    each chunk is one join of its fields interleaved with the separators."""
    k = len(columns)
    for a in range(0, len(columns[0]), chunk):
        n = len(columns[0][a:a + chunk])
        parts = [sep] * (2 * k * n)
        for j, col in enumerate(columns):
            parts[2 * j::2 * k] = col[a:a + chunk]
        parts[2 * k - 1::2 * k] = ["\n"] * n
        fh.write("".join(parts))


class Lexicon:
    """Words with counts and the scores that justified them; a unigram model for segmentation.

    Attributes
    ----------
    words : list of str
    counts : int64 array
    total : int — number of pieces the probabilities are relative to (p = count / total)
    scores : dict of float arrays (``pair_pmi``, ``pmi``, ``fstar``, ``sub_pmi``; nats, NaN = n/a)
    unknown_logp : float — ln-probability given to a character not in the lexicon
    """

    def __init__(self, words, counts, total: int | None = None, scores: dict | None = None,
                 unknown_logp: float | None = None, rules: bool = True):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        if len(self.words) != len(self.counts):
            raise ValueError("words and counts differ in length")
        self.total = int(total if total is not None else max(int(self.counts.sum()), 1))
        n = len(self.words)
        self.scores = {k: np.full(n, np.nan) for k in COLUMNS[3:]}
        for k, v in (scores or {}).items():
            self.scores[k] = np.asarray(v, dtype=np.float64)
        self.unknown_logp = float(unknown_logp if unknown_logp is not None else math.log(0.5 / self.total))
        self.rules = rules
        self._index = {w: i for i, w in enumerate(self.words)}
        self._segmenter: Segmenter | None = None
        self.report: dict = {}

    # -- mapping-like access
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self._index

    def count(self, word: str) -> int:
        i = self._index.get(word)
        return 0 if i is None else int(self.counts[i])

    def probability(self, word: str) -> float:
        return self.count(word) / self.total

    @property
    def logp(self) -> np.ndarray:
        """Natural-log probabilities of the words."""
        with np.errstate(divide="ignore"):
            return np.log(self.counts / float(self.total))

    def items(self):
        return zip(self.words, self.counts.tolist())

    # -- segmentation
    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            self._segmenter = Segmenter(self.words, self.logp, self.unknown_logp, self.rules)
        return self._segmenter

    def segment(self, text: str) -> list[str]:
        """Minimum-information (unigram) segmentation of ``text`` into a list of words."""
        return self.segmenter.segment(text)

    # -- files
    def save(self, path: str) -> None:
        """Write the TSV lexicon atomically (see module doc for the format)."""
        joined = "".join(self.words)  # one scan; the loop names the first bad word
        if "\t" in joined or "\n" in joined or "\r" in joined:
            for w in self.words:
                if "\t" in w or "\n" in w or "\r" in w:
                    raise FormatError(f"cannot save word {w!r} to a lexicon file: it holds a TAB or a line break")
        order = count_order(self.words, self.counts)
        counts = self.counts[order].tolist()
        total = self.total
        columns = [[self.words[i] for i in order.tolist()], list(map(str, counts)),
                   list(map("{:.6g}".format, (c / total for c in counts)))]
        for k in COLUMNS[3:]:  # 4 decimals, empty for NaN
            v = self.scores[k][order]
            col = list(map("{:.4f}".format, v.tolist()))
            for i in np.nonzero(v != v)[0].tolist():
                col[i] = ""
            columns.append(col)
        with atomic_write(path) as fh:
            fh.write(f"# minent-lexicon format={FORMAT_VERSION} entries={len(self.words)} total={self.total} "
                     f"unknown_logp={self.unknown_logp!r} rules={int(self.rules)}\n")
            fh.write("\t".join(COLUMNS) + "\n")
            _write_columns(fh, columns, "\t")

    @classmethod
    def load(cls, path: str) -> "Lexicon":
        """Read a lexicon written by :meth:`save`; a word list (one word a line, optional count
        column: jieba dictionaries too) is accepted as well."""
        with open_text(path, "lexicon file") as fh:
            first = fh.readline()
            if first.startswith("# minent-lexicon"):
                if not first.endswith("\n"):
                    raise FormatError(f"{path}: damaged lexicon: cut short in its first line")
                return cls._load_tsv(path, first, fh)
            if first and not first.endswith("\n") and "# minent-lexicon".startswith(first):
                raise FormatError(f"{path}: damaged lexicon: cut short in its first line")
            if first.startswith("# minent-"):
                raise FormatError(f"{path}: a {first.split()[1]} file, not a lexicon")
            return cls._load_wordlist(path, first, fh)

    @classmethod
    def _load_tsv(cls, path, first, fh) -> "Lexicon":
        meta = dict(kv.split("=", 1) for kv in first.split()[2:] if "=" in kv)
        version = meta.get("format")
        if version not in READABLE_VERSIONS:
            raise FormatError(f"{path}: lexicon format {version} is not supported "
                              f"(this minent reads formats {', '.join(READABLE_VERSIONS)})")
        entries = None
        if version != "1":
            try:
                entries = int(meta["entries"])
            except (KeyError, ValueError):
                raise FormatError(f"{path}: bad lexicon header line (entries)") from None
        header = fh.readline().rstrip("\n").split("\t")
        if header[:2] != ["word", "count"]:
            raise FormatError(f"{path}: missing 'word\\tcount' header")
        try:
            total, unknown_logp = int(meta["total"]), float(meta["unknown_logp"])
        except (KeyError, ValueError):
            raise FormatError(f"{path}: bad lexicon header line (total / unknown_logp)") from None
        if not 1 <= total <= MAX_COUNT or not -math.inf < unknown_logp < 0:
            raise FormatError(f"{path}: bad lexicon header line (total {meta['total']}, "
                              f"unknown_logp {meta['unknown_logp']})")
        words, counts, cols = [], [], {k: [] for k in COLUMNS[3:]}
        pos = {k: header.index(k) for k in COLUMNS[3:] if k in header}
        seen = set()
        n = 2
        for n, line in enumerate(fh, start=3):
            if entries is not None and not line.endswith("\n"):
                raise FormatError(f"{path}:{n}: damaged lexicon: the last line is cut short "
                                  f"({n - 2} of {entries} entries)")
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 2:
                raise FormatError(f"{path}:{n}: expected word TAB count")
            try:
                count = int(cells[1])
                for k in cols:
                    j = pos.get(k)
                    cols[k].append(float(cells[j]) if j is not None and j < len(cells) and cells[j] else np.nan)
            except ValueError:
                raise FormatError(f"{path}:{n}: bad number") from None
            if not 1 <= count <= MAX_COUNT:
                raise FormatError(f"{path}:{n}: count {cells[1]} out of range")
            if cells[0] in seen:
                raise FormatError(f"{path}:{n}: word {cells[0]!r} listed twice")
            seen.add(cells[0])
            counts.append(count)
            words.append(cells[0])
        if entries is not None and len(words) != entries:
            raise FormatError(f"{path}: damaged lexicon: {len(words)} entries, the header says {entries} "
                              f"(cut short or edited; rebuild it or fix entries= in the first line)")
        rules = {"0": False, "1": True, "2": 2}.get(meta.get("rules", "1"))
        if rules is None:
            raise FormatError(f"{path}: bad lexicon header line (rules {meta['rules']})")
        return cls(words, counts, total, cols, unknown_logp, rules)

    @classmethod
    def _load_wordlist(cls, path, first, fh) -> "Lexicon":
        words, counts = [], []
        seen = set()
        for n, line in enumerate([first, *fh], start=1):
            cells = line.split()
            if not cells or cells[0] in seen:
                continue
            c = 1
            if len(cells) > 1:
                try:
                    c = min(max(int(float(cells[1])), 1), MAX_COUNT)
                except (ValueError, OverflowError):  # not a number, nan, inf
                    c = 1
            seen.add(cells[0])
            words.append(cells[0])
            counts.append(c)
        if not words:
            raise FormatError(f"{path}: no words")
        return cls(words, counts)

    def save_jieba(self, path: str) -> None:
        """Write a jieba user dictionary: ``word freq`` per line."""
        joined = "".join(self.words)  # one scan; the loop names the first bad word
        if not all(self.words) or (joined and (len(joined.split()) != 1 or joined != joined.strip())):
            for w in self.words:
                if not w or len(w.split()) != 1 or w != w.strip() or "\r" in w:
                    raise FormatError(f"cannot save word {w!r} to a jieba dictionary: it is empty or holds white space")
        with atomic_write(path) as fh:
            counts = np.asarray(self.counts, np.int64)
            order = count_order(self.words, counts)
            _write_columns(fh, [[self.words[i] for i in order.tolist()], list(map(str, counts[order].tolist()))], " ")


# ----------------------------------------------------------------------------- building

def remove_redundancy(candidates: dict, total: int, params: LexiconParams):
    """Step 4. Returns ``(kept counts, sub_pmi of kept multi-character words)``.

    Longest first (ties: more frequent, then code-point order), w is taken out and split by
    :func:`minent.viterbi.best_path` over the remaining candidates, p = count / ``total``."""
    words = list(candidates)
    table = SeqCounter(max(16, 2 * len(words)), max(16, sum(map(len, words))))
    table.add(to_codes("".join(words)), np.concatenate([[0], np.cumsum([len(w) for w in words])]))
    counts = np.array([candidates[w] for w in words], dtype=np.int64)
    log_total = math.log(total)
    with np.errstate(divide="ignore"):
        logp = np.where(counts > 0, np.log(np.maximum(counts, 1)) - log_total, -np.inf)
    max_len = max(map(len, words), default=1)
    unk = math.log(0.5) - log_total
    cand = np.empty((max_len, max_len), np.int32)
    scratch = make_scratch(max_len)
    back, bid = scratch[1], scratch[2]
    sub_pmi = {}
    for e in sorted(range(len(words)), key=lambda e: (-len(words[e]), -counts[e], words[e])):
        w = words[e]
        if len(w) < 2:
            continue
        logp[e] = -np.inf
        codes = to_codes(w)
        word_candidates(table.frozen(), codes, 0, len(codes), False, cand, 0)
        sub_logp = best_path(cand, 0, len(codes), logp, unk, scratch, True)
        score = math.log(counts[e]) - log_total - sub_logp
        if score > params.threshold(w):
            logp[e] = math.log(counts[e]) - log_total
            sub_pmi[w] = score
            continue
        j = len(codes)
        c = counts[e]
        counts[e] = 0
        while j > 0:  # hand the count to the sub-words (an unknown character becomes a candidate)
            i, sub = back[j], bid[j]
            if sub < 0:
                words.append(w[i:j])
                table.add(codes[i:j], np.array([0, j - i]))
                counts = np.append(counts, 0)
                logp = np.append(logp, -np.inf)
                sub = len(words) - 1
            counts[sub] += c
            logp[sub] = math.log(counts[sub]) - log_total
            j = i
    return {w: int(c) for w, c in zip(words, counts.tolist()) if c > 0}, sub_pmi


def _word_scores(words, counts, total, cp: CharPairCounts, sub_pmi):
    n = len(words)
    pair_pmi = np.full(n, np.nan)
    pmi = np.full(n, np.nan)
    log_n = math.log(cp.n_chars)
    keys = [pair_key(ord(w[i]), ord(w[i + 1])) for w in words for i in range(len(w) - 1)]
    pc = cp.pairs.get(np.array(keys, dtype=np.int64)).tolist() if keys else []
    k = 0
    for i, w in enumerate(words):
        chars = [int(cp.chars[ord(ch)]) for ch in w]
        if min(chars) > 0:
            pmi[i] = math.log(counts[i] / total) - sum(math.log(x) - log_n for x in chars)
        if len(w) > 1:
            vals = []
            for j in range(len(w) - 1):
                n_ab = pc[k]
                k += 1
                if n_ab > 0:
                    vals.append(math.log(n_ab) + log_n - math.log(chars[j]) - math.log(chars[j + 1]))
            pair_pmi[i] = min(vals) if vals else np.nan
    fstar = counts / total * (pmi - 1.0)
    sp = np.array([sub_pmi.get(w, np.nan) for w in words])
    return {"pair_pmi": pair_pmi, "pmi": pmi, "fstar": fstar, "sub_pmi": sp}


def four_steps(texts, params: LexiconParams, progress=None, engine=None,
               memory: int | None = None) -> Lexicon:
    """The four steps of method.md §2 (module doc) over ``texts``, read twice; preset
    ``faithful`` of :func:`minent.learn_lexicon`, which is how to call it.

    ``progress(stage, n)``: ``("count", bytes)`` and ``("cut", bytes)``. With an ``engine`` and a
    :class:`minent.Corpus`, both passes run as byte-range tasks (identical counts); ``memory``
    bytes bound the candidate-piece table, which spills to disk past it (exact merge,
    :mod:`minent.spill`). Returns the lexicon, its ``report`` holding sizes and timings."""
    rules = params.rules
    timings = {}
    t0 = time.perf_counter()
    cp = count_chars_pairs(texts, rules, (lambda n: progress("count", n)) if progress else None, engine)
    timings["count"] = time.perf_counter() - t0
    if cp.n_chars == 0:
        raise MinentError("no Chinese text in the input")

    t0 = time.perf_counter()
    keys, pair_counts, pmi = cp.pair_table()
    cut = max(params.min_count, params.min_prob * cp.n_chars)
    strong_keys = keys[(pair_counts >= cut) & (pmi >= params.min_pmi)]
    pieces, n_pieces = count_pieces(texts, strong_keys, params.max_len, rules,
                                    (lambda n: progress("cut", n)) if progress else None, engine, memory)
    with pieces:
        word_cut = max(params.min_count, params.min_prob * n_pieces)
        candidates, kept_total, distinct_pieces = pieces.frequent(word_cut)
    timings["cut"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    kept, sub_pmi = remove_redundancy(candidates, n_pieces, params)
    timings["redundancy"] = time.perf_counter() - t0

    words = sorted(kept, key=lambda w: (-kept[w], w))
    final_counts = np.array([kept[w] for w in words], dtype=np.int64)
    total = int(final_counts.sum()) + int(n_pieces - kept_total)  # pieces outside the lexicon stay counted
    scores = _word_scores(words, final_counts, total, cp, sub_pmi)
    lex = Lexicon(words, final_counts, total, scores, math.log(0.5 / total), rules)
    lex.report = {
        "parameters": asdict(params),
        "han_chars": cp.n_chars,
        "distinct_chars": int(np.count_nonzero(cp.chars)),
        "distinct_pairs": len(cp.pairs),
        "strong_pairs": int(len(strong_keys)),
        "pieces": int(n_pieces),
        "distinct_pieces": distinct_pieces,
        "spills": pieces.spills,
        "peak_piece_table_mb": round(pieces.peak_table_bytes / 2**20, 1),
        "candidates": len(candidates),
        "lexicon_size": len(lex),
        "multi_char_words": sum(1 for w in words if len(w) > 1),
        "removed_as_redundant": len(candidates) - sum(1 for w in candidates if w in kept),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    return lex
