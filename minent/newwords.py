"""New words: lexicon entries that a reference dictionary does not know.

Ranking score: F* = p_w (PMI_k(w) - 1) in nats, the lower bound of the information per piece
saved by having w as a unit (method.md §1); it favours words that are both frequent and tight.
Ties are broken by count (descending), then by the word.
"""
from __future__ import annotations

import math

from .textio import open_text


def load_reference_words(spec: str) -> set:
    """Words of a reference dictionary: ``"jieba"`` (jieba's bundled dict.txt) or a file whose
    lines start with a word (jieba dicts, minent lexicons, plain word lists)."""
    if spec == "jieba":
        import jieba
        with jieba.get_dict_file() as fh:
            return {line.split(None, 1)[0].decode("utf-8") if isinstance(line, bytes) else line.split(None, 1)[0]
                    for line in fh if line.strip()}
    with open_text(spec, "word list") as fh:
        return {cell.split()[0] for cell in (line.split("\t")[0] for line in fh
                                             if not line.startswith(("#", "word\tcount\t")))
                if cell.strip()}


def rank_new_words(lexicon, reference: set, min_len: int = 2) -> list[dict]:
    """Rows ``{word, count, fstar, pmi, pair_pmi}`` for lexicon words not in ``reference``."""
    rows = []
    for i, w in enumerate(lexicon.words):
        if len(w) < min_len or w in reference or w in ("word",):
            continue
        fstar = float(lexicon.scores["fstar"][i])
        rows.append({"word": w, "count": int(lexicon.counts[i]),
                     "fstar": fstar if not math.isnan(fstar) else -math.inf,
                     "pmi": float(lexicon.scores["pmi"][i]),
                     "pair_pmi": float(lexicon.scores["pair_pmi"][i])})
    rows.sort(key=lambda r: (-r["fstar"], -r["count"], r["word"]))
    return rows
