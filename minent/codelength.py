"""Code lengths of a corpus under a lexicon (method.md §1): the two-part code, held-out information.

In-sample L alone rewards ever larger lexicons, so lexicons are compared by :func:`description_length`
(bits to write the lexicon plus bits for the corpus given it) or by :func:`heldout_information`
(bits per character of text held out from learning). All figures in bits.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .entropy import pack_tokens
from .errors import MinentError
from .hashtable import SeqCounter
from .lexicon import Lexicon
from .pretokenize import MAX_CODE, SPACE, class_table, to_codes
from .textio import iter_text_blocks


def elias_gamma_bits(n: np.ndarray) -> np.ndarray:
    """Bits of the Elias gamma code of positive integers: 2 floor(log2 n) + 1."""
    n = np.maximum(np.asarray(n, dtype=np.float64), 1)
    return 2 * np.floor(np.log2(n)) + 1


def entry_bits(char_bits: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Bits to write a lexicon entry: its length (Elias gamma), its characters under the
    character unigram model (``char_bits`` summed per entry) and its count (Elias gamma)."""
    return elias_gamma_bits(lengths) + char_bits + elias_gamma_bits(counts)


@dataclass
class CodeLength:
    """Two-part code of a corpus under a lexicon (bits; per character = divided by ``chars``).

    ``corpus_bits``: every unit of the segmentation coded with its in-sample probability
    (= units x H; ``L_corpus`` equals the in-sample L of :func:`minent.information_per_char`).
    ``lexicon_bits``: each distinct unit written once (:func:`entry_bits`: Elias-gamma length,
    characters under the corpus's character unigram model, Elias-gamma count). The character
    model itself (the same for every lexicon of a corpus) is not counted.
    """
    chars: int
    units: int
    distinct_units: int
    corpus_bits: float
    lexicon_bits: float

    @property
    def L_corpus(self) -> float:
        return self.corpus_bits / self.chars

    @property
    def L_lexicon(self) -> float:
        return self.lexicon_bits / self.chars

    @property
    def L_total(self) -> float:
        return (self.corpus_bits + self.lexicon_bits) / self.chars

    def as_dict(self) -> dict:
        return {**asdict(self), "L_corpus": self.L_corpus, "L_lexicon": self.L_lexicon,
                "L_total": self.L_total}


def _unit_counts(texts, segmenter) -> tuple[SeqCounter, np.ndarray]:
    """Counts of the units of ``segmenter``'s segmentation, and of every non-space character."""
    units = SeqCounter(1 << 16, 1 << 18)
    chars = np.zeros(MAX_CODE, np.int64)
    table = class_table()
    for block in iter_text_blocks(texts):
        cps, s, e = segmenter.token_bounds(block)
        codes, bounds = pack_tokens(cps, s, e)
        units.add(codes, bounds)
        keep = cps[table[cps] != SPACE]
        chars += np.bincount(keep, minlength=MAX_CODE)
    return units, chars


def description_length(texts, lexicon: Lexicon) -> CodeLength:
    """Two-part code of ``texts`` segmented by ``lexicon`` (one streaming pass); see CodeLength."""
    units, chars = _unit_counts(texts, lexicon.segmenter)
    arena, starts, counts = units.entries()
    n_chars = int(chars.sum())
    if n_chars == 0:
        raise MinentError("no text")
    c = counts.astype(np.float64)
    corpus_bits = float(-(c * np.log2(c / c.sum())).sum())
    char_bits = -np.log2(np.maximum(chars, 1) / n_chars)
    lengths = np.diff(starts)
    spell = np.zeros(len(counts))
    np.add.at(spell, np.repeat(np.arange(len(counts)), lengths), char_bits[arena])
    lex_bits = float(entry_bits(spell, lengths, counts).sum())
    return CodeLength(n_chars, int(c.sum()), len(counts), corpus_bits, lex_bits)


def heldout_information(train_texts, test_texts, lexicon: Lexicon, alphabet: int = 1 << 16) -> dict:
    """Bits per character of ``test_texts`` under the unigram model of ``lexicon``, learned on
    ``train_texts`` (which ``lexicon`` must come from).

    The model: the units of ``lexicon``'s segmentation of the training text (Han words and the
    rule spans alike), p(u) = c_u / (N + E) with E distinct units (Witten-Bell escape); an unseen
    unit costs the escape, its length (Elias gamma) and its characters under the training
    character model (add-one over ``alphabet`` code points). Held-out text is segmented by the
    same segmenter; each unit is then charged its cost.
    """
    units, chars = _unit_counts(train_texts, lexicon.segmenter)
    arena, starts, counts = units.entries()
    n, e = float(counts.sum()), float(len(counts))
    unit_bits = -np.log2(counts / (n + e))
    esc = -math.log2(e / (n + e))
    char_bits = -np.log2((chars + 1.0) / (chars.sum() + alphabet))
    test_units, test_chars = _unit_counts(test_texts, lexicon.segmenter)
    t_arena, t_starts, t_counts = test_units.entries()
    ids = units.ids(t_arena, t_starts)
    lengths = np.diff(t_starts)
    spell = np.zeros(len(t_counts))
    np.add.at(spell, np.repeat(np.arange(len(t_counts)), lengths), char_bits[t_arena])
    unseen = esc + elias_gamma_bits(lengths) + spell
    bits = np.where(ids >= 0, unit_bits[np.maximum(ids, 0)], unseen)
    total = float((bits * t_counts).sum())
    n_chars = int(test_chars.sum())
    return {"chars": n_chars, "units": int(t_counts.sum()), "unseen_units": int(t_counts[ids < 0].sum()),
            "bits": total, "L_heldout": total / max(n_chars, 1)}


FUNCTION_CHARS = "的了是在和与及或也都就着过把被将对从"


def fragment_share(lexicon: Lexicon, texts=None, function_chars: str = FUNCTION_CHARS) -> dict:
    """Share of multi-character entries that start or end with a function character, and (given
    ``texts``) the share of entries the segmenter never uses on them.

    A crude fragment detector: it also flags real words (目的, 了解, 现在); read it as an upper
    bound and compare lexicons with it.
    """
    fc = set(function_chars)
    multi = [w for w in lexicon.words if len(w) > 1]
    frag = [w for w in multi if w[0] in fc or w[-1] in fc]
    out = {"multi_char_entries": len(multi), "function_edge": len(frag),
           "function_edge_share": len(frag) / max(len(multi), 1)}
    if texts is not None:
        units, _ = _unit_counts(texts, lexicon.segmenter)
        used_ids = units.ids(to_codes("".join(lexicon.words)),
                             np.concatenate([[0], np.cumsum([len(w) for w in lexicon.words])]))
        unused = [w for w, i in zip(lexicon.words, used_ids.tolist()) if i < 0]
        out.update({"unused": len(unused), "unused_share": len(unused) / max(len(lexicon), 1)})
    return out
