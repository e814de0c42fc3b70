"""Generate a large, realistic-looking Chinese corpus for scale tests.

A word-level bigram Markov chain is estimated on a source corpus (default: the shipped
``minent/data/sample.zh.txt`` (the bundled sample); ``corpora/data/pd1998.raw.txt`` after ``python corpora/fetch.py pd1998``
is closer to news): the source is segmented with a minent lexicon learned on it, each line is a
sentence (begin/end states), and text is sampled from the chain in numba until the requested size
is reached. Word frequencies, word-pair statistics and line lengths follow the source, so the
distinct-pair table saturates the way real text does; the output is deterministic for a seed.

    python corpora/synth.py --size 1G -o corpora/data/synth-1G.txt [--source FILE] [--seed 0]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np
from numba import njit

HERE = os.path.dirname(os.path.abspath(__file__))
CHUNK_CHARS = 1 << 23


@njit(cache=True)
def _sample_chain(indptr, nexts, cumw, starts, arena, n_chars, seed):
    """Code points of sentences sampled from the chain (state 0 = sentence boundary)."""
    np.random.seed(seed)
    out = np.empty(n_chars + 4096, np.int32)
    m = 0
    state = 0
    while m < n_chars:
        lo, hi = indptr[state], indptr[state + 1]
        r = np.random.random() * cumw[hi - 1]
        k = lo + np.searchsorted(cumw[lo:hi], r, side="right")
        if k >= hi:
            k = hi - 1
        state = nexts[k]
        if state == 0:
            out[m] = 10
            m += 1
            continue
        for j in range(starts[state], starts[state + 1]):
            if m < out.shape[0] - 1:
                out[m] = arena[j]
                m += 1
    # end on a line boundary
    while m > 0 and out[m - 1] != 10:
        m -= 1
    return out[:m]


def build_chain(lines: list[str], segment):
    """``(indptr, nexts, cumw, starts, arena)`` of the word bigram chain over ``lines``."""
    vocab = {"": 0}
    words = [""]
    prev, nxt = [], []
    for line in lines:
        toks = segment(line)
        if not toks:
            continue
        ids = [0]
        for t in toks:
            i = vocab.get(t)
            if i is None:
                i = vocab[t] = len(words)
                words.append(t)
            ids.append(i)
        ids.append(0)
        prev.extend(ids[:-1])
        nxt.extend(ids[1:])
    key = np.array(prev, np.int64) * len(words) + np.array(nxt, np.int64)
    uniq, counts = np.unique(key, return_counts=True)
    p, n = uniq // len(words), uniq % len(words)
    indptr = np.zeros(len(words) + 1, np.int64)
    np.add.at(indptr, p + 1, 1)
    indptr = np.cumsum(indptr)
    cumw = np.zeros(len(uniq), np.float64)
    for s in range(len(words)):  # cumulative weights within each state's row
        lo, hi = indptr[s], indptr[s + 1]
        cumw[lo:hi] = np.cumsum(counts[lo:hi])
    joined = "".join(words)
    arena = np.frombuffer(joined.encode("utf-32-le"), np.uint32).astype(np.int32)
    starts = np.zeros(len(words) + 1, np.int64)
    starts[1:] = np.cumsum([len(w) for w in words])
    return indptr, n.astype(np.int64), cumw, starts, arena


def parse_size(text: str) -> int:
    t = text.strip().upper().rstrip("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="100M", help="output size in bytes (K/M/G suffixes)")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--source", default=os.path.join(os.path.dirname(HERE), "minent", "data", "sample.zh.txt"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        target = parse_size(a.size)
        with open(a.source, encoding="utf-8") as fh:
            lines = [line.strip() for line in fh if line.strip()]
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"synth: error: {exc}", file=sys.stderr)
        return 2
    from minent import learn_lexicon
    lex = learn_lexicon(lines, preset="faithful", jobs=1)  # the four steps: the corpus of earlier benches
    chain = build_chain(lines, lex.segment)
    folder = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".synth.", suffix=".tmp", dir=folder)
    try:
        written, chunk = 0, 0
        with os.fdopen(fd, "wb") as out:
            while written < target:
                codes = _sample_chain(*chain, CHUNK_CHARS, a.seed * 1_000_003 + chunk)
                data = codes.astype(np.uint32).tobytes().decode("utf-32-le").encode("utf-8")
                last = written + len(data) >= target
                if last:  # stop at the last line end within the target size
                    data = data[:data.rfind(b"\n", 0, target - written) + 1]
                out.write(data)
                written += len(data)
                chunk += 1
                if last:
                    break
        os.chmod(tmp, 0o644)
        os.replace(tmp, a.output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    print(f"wrote {written} bytes to {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
