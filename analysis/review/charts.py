"""Server-rendered charts: matplotlib (Agg backend) to SVG, embedded as data: URIs.

No JavaScript and no CDN, so the dashboard works offline and under the strict CSP
(``img-src data:``). Every chart is paired with a data table in the template; the chart's alt
text says what it shows. Rendering is cached by the chart's data, so a refreshed page with the
same figures costs nothing.
"""

from __future__ import annotations

import base64
import functools
import io
import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Colour-blind-safe palette (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
SENTIMENT_COLOURS = {"positive": "#009E73", "neutral": "#999999", "negative": "#D55E00",
                     "untagged": "#DDDDDD", "withheld": "#FFFFFF"}
#: The parts of a sentiment bar, in order: each sentiment, the comments not yet analysed,
#: then what the disclosure gate withheld.
SENTIMENT_PARTS = ("positive", "neutral", "negative", "untagged", "withheld")

plt.rcParams.update({"font.family": "DejaVu Sans", "svg.fonttype": "path", "font.size": 9})


#: Data-URI media types of the formats a chart is drawn in: SVG for pages, PNG for the PDF
#: handout (fpdf2 places raster images reliably; its SVG support is partial).
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _to_data_uri(fig: Figure, fmt: str = "svg") -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=200)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:{MEDIA_TYPES[fmt]};base64,{encoded}"


def data_uri_bytes(uri: str) -> bytes:
    """The image bytes of a chart's data URI."""
    return base64.b64decode(uri.split(",", 1)[1])


@functools.lru_cache(maxsize=256)
def stacked_bars(categories: tuple[str, ...], series: tuple[tuple[str, tuple[int, ...]], ...],
                 ylabel: str = "", fmt: str = "svg") -> str:
    """Vertical stacked bars: one bar per category, one colour per series; SVG data URI."""
    fig = Figure(figsize=(6.4, 2.6))
    ax = fig.subplots()
    bottoms = [0] * len(categories)
    for i, (name, values) in enumerate(series):
        ax.bar(range(len(categories)), values, bottom=bottoms, label=name,
               color=PALETTE[i % len(PALETTE)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.set_xticks(range(len(categories)), categories, rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if series:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return _to_data_uri(fig, fmt)


def sentiment_bars(rows: tuple[tuple[str, tuple[float | None, ...]], ...],
                   names: tuple[str, ...], fmt: str = "svg") -> str:
    """Horizontal bars, one per row (e.g. this period and the previous one): each row is a
    label and the shares of the period's comments that were positive, neutral, negative and
    not yet analysed, None where the disclosure gate withheld one. What was withheld is
    drawn as a hatched rest, so a bar never stretches the parts it may show to the whole
    width. ``names``: the translated names of SENTIMENT_PARTS, in that order.

    Drawn by whole percent, which is all a bar shows: in a period of thousands of comments a
    new one rarely moves a percent, so the drawing (a tenth of a second) is read back from
    the cache, where counts as its key changed with every answer."""
    return _sentiment_bars(tuple((label, _whole_percents(shares)) for label, shares in rows),
                           tuple(names), fmt)


def _whole_percents(shares: tuple[float | None, ...]) -> tuple[int, ...]:
    """Each share in whole percent, then the withheld rest (what the shares that are None
    left of the whole), rounded where the parts meet so they add up to what they cover: 100
    when every part is known or any was withheld, 0 for no comments."""
    known = [share or 0.0 for share in shares]
    withheld = max(0.0, 1.0 - sum(known)) if None in shares else 0.0
    running, edges = 0.0, [0]
    for part in (*known, withheld):
        running += part
        edges.append(min(100, round(100 * running)))
    return tuple(b - a for a, b in itertools.pairwise(edges))


@functools.lru_cache(maxsize=256)
def _sentiment_bars(rows: tuple[tuple[str, tuple[int, ...]], ...],
                    names: tuple[str, ...], fmt: str) -> str:
    fig = Figure(figsize=(6.4, 0.5 + 0.45 * max(len(rows), 1)))
    ax = fig.subplots()
    drawn = {key for _label, percents in rows
             for key, width in zip(SENTIMENT_PARTS, percents, strict=True) if width}
    named = set()
    for y, (_label, percents) in enumerate(rows):
        left = 0
        for key, name, width in zip(SENTIMENT_PARTS, names, percents, strict=True):
            withheld = key == "withheld"
            ax.barh(y, width, left=left, color=SENTIMENT_COLOURS[key],
                    hatch="///" if withheld else None, edgecolor="#555555" if withheld else None,
                    label=name if key in drawn and key not in named else None)
            named.add(key)
            left += width
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return _to_data_uri(fig, fmt)


def trend_line(labels: tuple[str, ...], values: tuple[float | None, ...], unit: str,
               fmt: str = "svg") -> str:
    """A series of quarters as a line with a point per quarter and a gap where a quarter is
    withheld or has no data (``values`` None); ``unit``: "share" (0..1, drawn on a 0-100 %
    axis, so a change of a few points is not drawn as a leap), "mean" or "count" (from zero).

    Drawn by what a line can show of each value (a whole percent, a tenth of a mean, the
    largest count's two-hundredth down to a power of ten), so a page whose figures did not
    visibly move, the open quarter's count after one more comment among them, reads the
    drawing back."""
    if unit == "share":
        shown = tuple(None if v is None else round(100 * v) for v in values)
    elif unit == "mean":
        shown = tuple(None if v is None else round(v, 1) for v in values)
    else:
        largest = max((v for v in values if v is not None), default=0)
        step = 10 ** max(0, math.floor(math.log10(largest / 200))) if largest else 1
        shown = tuple(None if v is None else step * round(v / step) for v in values)
    return _trend_line(tuple(labels), shown, unit, fmt)


@functools.lru_cache(maxsize=256)
def _trend_line(labels: tuple[str, ...], values: tuple[float | None, ...], unit: str,
                fmt: str) -> str:
    fig = Figure(figsize=(6.4, 2.4))
    ax = fig.subplots()
    xs = list(range(len(labels)))
    ax.plot(xs, [math.nan if v is None else v for v in values], color=PALETTE[0],
            marker="o", markersize=4, linewidth=2)
    ax.set_xticks(xs, labels, rotation=45, ha="right", fontsize=7)
    known = [v for v in values if v is not None]
    if unit == "share":
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
    else:
        ax.set_ylim(0, (max(known, default=0) or 1) * 1.15)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    return _to_data_uri(fig, fmt)


def volume_chart(rows: list[tuple[str, str, int]], names: dict[str, str], ylabel: str,
                 fmt: str = "svg") -> str:
    """Responses per time bucket stacked by channel or language (from dashboard.volume).

    Drawn in steps of a two-hundredth of the tallest bar (under a pixel; exact below 200
    responses a bar), so the newest bar's every new answer does not draw the chart again:
    the table beside it has the exact counts."""
    buckets = tuple(sorted({b for b, _, _ in rows}))
    keys = sorted({k for _, k, _ in rows})
    counts = {(b, k): n for b, k, n in rows}
    tallest = max((sum(counts.get((b, k), 0) for k in keys) for b in buckets), default=0)
    step = max(1, math.ceil(tallest / 200))
    series = tuple(
        (names.get(k, k), tuple(round(counts.get((b, k), 0) / step) * step for b in buckets))
        for k in keys
    )
    return stacked_bars(buckets, series, ylabel, fmt)
