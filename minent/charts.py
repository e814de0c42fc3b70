"""Small SVG charts for the HTML report, drawn as plain strings (no plotting library, no JS).

Three pictures: a scatter plot (linear or log-10 x axis), a line chart over named stages, and a
parse tree. Every chart has a title, axes with ticks and labels, and a legend; points carry a
``<title>`` child, which browsers show as a tooltip. Colours and fonts come from the page's CSS
classes (``chart``, ``tick``, ``axis-label``...), so the charts follow the page's font stack.
Output is a pure function of the input: same data, same bytes.
"""
from __future__ import annotations

import math
import random
from html import escape
from typing import Sequence

KEPT_COLOUR = "#1b7837"
CUT_COLOUR = "#b2182b"
LINE_COLOURS = ("#2166ac", "#e08214", "#542788")


def _num(x: float) -> str:
    """Coordinates with one decimal: short, and stable across platforms."""
    return f"{x:.1f}".rstrip("0").rstrip(".") if x == x else "0"


def nice_step(span: float, target: int = 5) -> float:
    """A round step (1, 2 or 5 x 10^k) giving about ``target`` ticks over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def linear_ticks(lo: float, hi: float, target: int = 5) -> tuple[float, float, list[float]]:
    """``(axis_lo, axis_hi, ticks)``: the range widened to whole steps, and the ticks in it."""
    if hi <= lo:
        hi = lo + 1.0
    step = nice_step(hi - lo, target)
    a, b = math.floor(lo / step) * step, math.ceil(hi / step) * step
    n = int(round((b - a) / step))
    return a, b, [round(a + k * step, 10) for k in range(n + 1)]


def count_label(x: float) -> str:
    """1, 10, 100, 1k, 10k, 100k, 1M."""
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if x >= div:
            return f"{x / div:g}{suffix}"
    return f"{x:g}"


class Frame:
    """Plot area of a chart: maps data to pixels, draws axes, ticks, labels and the title."""

    def __init__(self, width: int, height: int, x_range, y_range, log_x: bool = False,
                 margin=(44, 20, 56, 64)):
        self.width, self.height = width, height
        self.top, self.right, self.bottom, self.left = margin
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        self.log_x = log_x

    def px(self, x: float) -> float:
        if self.log_x:
            x, lo, hi = math.log10(x), math.log10(self.x0), math.log10(self.x1)
        else:
            lo, hi = self.x0, self.x1
        return self.left + (x - lo) / (hi - lo) * (self.width - self.left - self.right)

    def py(self, y: float) -> float:
        return self.height - self.bottom - (y - self.y0) / (self.y1 - self.y0) * (
            self.height - self.top - self.bottom)

    def axes(self, title: str, x_label: str, y_label: str, x_ticks, y_ticks) -> list[str]:
        """``x_ticks`` / ``y_ticks``: ``(value, label or None)``; None draws a minor tick."""
        L, R = self.left, self.width - self.right
        T, B = self.top, self.height - self.bottom
        out = [f'<text class="chart-title" x="{_num(self.width / 2)}" y="20" text-anchor="middle">'
               f"{escape(title)}</text>",
               f'<rect class="plot-area" x="{L}" y="{T}" width="{R - L}" height="{B - T}"/>']
        for v, label in x_ticks:
            x = _num(self.px(v))
            size = 6 if label is not None else 3
            if label is not None:
                out.append(f'<line class="grid" x1="{x}" y1="{T}" x2="{x}" y2="{B}"/>')
                out.append(f'<text class="tick" x="{x}" y="{B + 18}" text-anchor="middle">{escape(label)}</text>')
            out.append(f'<line class="axis" x1="{x}" y1="{B}" x2="{x}" y2="{B + size}"/>')
        for v, label in y_ticks:
            y = _num(self.py(v))
            out.append(f'<line class="grid" x1="{L}" y1="{y}" x2="{R}" y2="{y}"/>')
            out.append(f'<line class="axis" x1="{L - 6}" y1="{y}" x2="{L}" y2="{y}"/>')
            out.append(f'<text class="tick" x="{L - 9}" y="{y}" dy="0.32em" text-anchor="end">{escape(label)}</text>')
        out.append(f'<line class="axis" x1="{L}" y1="{B}" x2="{R}" y2="{B}"/>')
        out.append(f'<line class="axis" x1="{L}" y1="{T}" x2="{L}" y2="{B}"/>')
        out.append(f'<text class="axis-label" x="{_num((L + R) / 2)}" y="{self.height - 12}" '
                   f'text-anchor="middle">{escape(x_label)}</text>')
        cy = _num((T + B) / 2)
        out.append(f'<text class="axis-label" x="16" y="{cy}" text-anchor="middle" '
                   f'transform="rotate(-90 16 {cy})">{escape(y_label)}</text>')
        return out


def legend(items: Sequence[tuple[str, str, str]], right: float, y: float) -> list[str]:
    """Legend rows ``(kind, colour, text)`` in a box whose right edge is at ``right`` and first row
    at ``y``; kind is ``dot``, ``line`` or ``dash``."""
    w = 26 + max(text_width(t, 12) for _, _, t in items)
    x = right - w - 4
    out = [f'<g class="legend" transform="translate({_num(x)},{_num(y)})">',
           f'<rect class="legend-box" x="-6" y="-10" width="{_num(w)}" height="{16 * len(items) + 4}" rx="4"/>']
    for k, (kind, colour, text) in enumerate(items):
        cy = 16 * k
        if kind == "dot":
            out.append(f'<circle cx="6" cy="{cy}" r="4" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="4 3"' if kind == "dash" else ""
            out.append(f'<line x1="0" y1="{cy}" x2="14" y2="{cy}" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text class="legend-text" x="20" y="{cy}" dy="0.32em">{escape(text)}</text>')
    out.append("</g>")
    return out


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
            + "".join(body) + "</svg>")


def log_ticks(lo: float, hi: float) -> tuple[float, float, list]:
    """Decade range covering [lo, hi] and ticks: labelled decades, minor ticks at 2..9."""
    a = 10 ** math.floor(math.log10(max(lo, 1e-12)))
    b = 10 ** math.ceil(math.log10(max(hi, a * 10)))
    if b <= a:
        b = a * 10
    ticks, d = [], a
    while d <= b * 1.0001:
        ticks.append((d, count_label(d)))
        if d < b:
            ticks.extend((m * d, None) for m in range(2, 10))
        d *= 10
    return a, b, ticks


def scatter_chart(points: Sequence[tuple[float, float, bool, str]], *, title: str, x_label: str,
                  y_label: str, kept_label: str, cut_label: str, x_line: float | None = None,
                  x_line_label: str = "", y_line: float | None = None, y_line_label: str = "",
                  jitter: float = 0.0, width: int = 560, height: int = 400) -> str:
    """Scatter of ``(x > 0, y, kept, tooltip)`` with a log-10 x axis, the smaller class drawn on
    top; optional dashed threshold lines at ``x = x_line`` and ``y = y_line``. ``jitter`` moves
    each point sideways by up to that many x units (seeded, so the picture is reproducible), which
    keeps integer counts from hiding each other in columns."""
    xs = [p[0] for p in points] or [1.0]
    ys = [p[1] for p in points] or [0.0]
    x0, x1, xt = log_ticks(min(xs), max(xs))
    y0, y1, yt = linear_ticks(min(ys + ([y_line] if y_line is not None else [])),
                              max(ys + ([y_line] if y_line is not None else [])))
    if jitter:
        x0 = min(x0, 0.9 * (min(xs) - jitter))
    f = Frame(width, height, (x0, x1), (y0, y1), log_x=True)
    body = f.axes(title, x_label, y_label, xt, [(v, f"{v:g}") for v in yt])
    rng = random.Random(0)
    shift = [rng.uniform(-jitter, jitter) for _ in points]
    n_kept = sum(1 for p in points if p[2])
    for kept in sorted((False, True), key=lambda k: -(n_kept if k else len(points) - n_kept)):
        colour = KEPT_COLOUR if kept else CUT_COLOUR
        body.append(f'<g class="points {"kept" if kept else "cut"}" fill="{colour}">')
        for (x, y, k, tip), dx in zip(points, shift):
            if k == kept:
                body.append(f'<circle cx="{_num(f.px(x + dx))}" cy="{_num(f.py(y))}" r="2.4">'
                            f"<title>{escape(tip)}</title></circle>")
        body.append("</g>")
    items = [("dot", KEPT_COLOUR, kept_label), ("dot", CUT_COLOUR, cut_label)]
    if x_line is not None:
        x = _num(f.px(x_line))
        body.append(f'<line class="threshold" x1="{x}" y1="{f.top}" x2="{x}" y2="{height - f.bottom}"/>')
        items.append(("dash", "#333", x_line_label))
    if y_line is not None:
        y = _num(f.py(y_line))
        body.append(f'<line class="threshold" x1="{f.left}" y1="{y}" x2="{width - f.right}" y2="{y}"/>')
        items.append(("dash", "#333", y_line_label))
    body += legend(items, width - f.right - 6, f.top + 16)
    return _svg(width, height, body, title)


def line_chart(stages: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str,
               y_label: str, x_label: str = "", width: int = 720, height: int = 380) -> str:
    """One line per series over the categorical ``stages`` (None = no value at that stage); every
    point labelled with its value. The y axis spans the values, rounded to whole ticks."""
    values = [v for _, vs in series for v in vs if v is not None] or [0.0]
    span = max(values) - min(values)
    y0, y1, yt = linear_ticks(min(values) - 0.08 * span, max(values) + 0.08 * span, 6)
    f = Frame(width, height, (-0.5, len(stages) - 0.5), (y0, y1), margin=(44, 24, 56, 64))
    body = f.axes(title, x_label, y_label, [(k, s) for k, s in enumerate(stages)], [(v, f"{v:g}") for v in yt])
    items = []
    for n, (name, vs) in enumerate(series):
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        pts = [(f.px(k), f.py(v), v) for k, v in enumerate(vs) if v is not None]
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y, _ in pts)
        body.append(f'<polyline class="series" points="{path}" stroke="{colour}"/>')
        for x, y, v in pts:
            dy = -10 if n % 2 == 0 else 18
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4.5" fill="{colour}">'
                        f"<title>{escape(name)}: {v:.3f} bits/char</title></circle>")
            body.append(f'<text class="value" x="{_num(x)}" y="{_num(y + dy)}" text-anchor="middle" '
                        f'fill="{colour}">{v:.3f}</text>')
        items.append(("line", colour, name))
    body += legend(items, width - f.right - 6, f.top + 16)
    return _svg(width, height, body, title)


# ----------------------------------------------------------------------------- trees

def text_width(text: str, size: float) -> float:
    """Rough rendered width: full-width (CJK) characters 1 em, others 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in text)


def node_label(node: dict) -> str:
    """What an inner node shows: its template ("X 的 X"), or its kind."""
    if node.get("template"):
        return node["template"].replace("[X]", "X")
    return {"unexplained": "(no template)", "group": "·", "chunks": "(chunks)"}.get(node["kind"], node["kind"])


def tree_chart(tree: dict, tokens: Sequence[str], *, title: str, font: int = 15) -> str:
    """A parse tree (``Tree.to_dict()`` and its tokens): words on the bottom row in sentence order,
    each inner node above its children at a height of one more than its tallest child; template
    literals in one colour, placeholder words in another."""
    gap, row, pad_top = 14, 58, 44
    centres, x = [], 12.0
    for w in tokens:
        wd = max(text_width(w, font), font)
        centres.append(x + wd / 2)
        x += wd + gap
    width = int(x + 12)

    def height(n):
        kids = n.get("children", [])
        return 0 if not kids else 1 + max(height(c) for c in kids)

    top_h = height(tree)
    total_h = pad_top + row * top_h + 40
    y_of = lambda h: pad_top + row * (top_h - h) + 14  # noqa: E731  (row of an inner node)
    body = [f'<text class="chart-title" x="12" y="20">{escape(title)}</text>']
    edges, nodes = [], []

    def place(n) -> tuple[float, float]:
        kids = n.get("children", [])
        if not kids:
            k = n["start"]
            cx, cy = centres[k], pad_top + row * top_h + 14
            cls = "leaf literal" if n.get("literal") else "leaf"
            nodes.append(f'<text class="{cls}" x="{_num(cx)}" y="{_num(cy)}" dy="0.35em" '
                         f'text-anchor="middle">{escape(tokens[k])}</text>')
            return cx, cy - 11
        spots = [place(c) for c in kids]
        cx, cy = (spots[0][0] + spots[-1][0]) / 2, y_of(height(n))
        for sx, sy in spots:
            edges.append(f'<line class="edge" x1="{_num(cx)}" y1="{_num(cy + 10)}" x2="{_num(sx)}" y2="{_num(sy)}"/>')
        label = node_label(n)
        w = text_width(label, 12) + 10
        kind = "template" if n.get("template") else n["kind"]
        tip = f"{n['kind']}: {n.get('template') or ''} logp {n.get('logp', 0):.2f} nats"
        nodes.append(f'<g class="node {escape(kind)}"><title>{escape(tip)}</title>'
                     f'<rect x="{_num(cx - w / 2)}" y="{_num(cy - 10)}" width="{_num(w)}" height="20" rx="5"/>'
                     f'<text x="{_num(cx)}" y="{_num(cy)}" dy="0.35em" text-anchor="middle">{escape(label)}</text></g>')
        return cx, cy - 10

    place(tree)
    body += edges + nodes
    return _svg(width, total_h, body, title)
