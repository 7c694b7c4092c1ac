"""Server-side SVG for topics: the topic map (every paper placed in 2-D, coloured by topic,
each dot a link with its title as tooltip) and a papers-over-time bar chart. No JavaScript.

Large sites stay small: at most MAX_DOTS linked dots (a deterministic, per-topic sample) and the
rest drawn as shaded grid cells. Every string from content is XML-escaped. Pure.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 440
MAX_DOTS = 1500
GRID = (72, 44)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939")
MUTED = "#c8c8c8"


@dataclass(frozen=True)
class MapPoint:
    x: float  # 0..1
    y: float  # 0..1
    topic: int  # index of the topic, largest first; sets the colour
    url: str
    title: str
    key: str  # paper slug: the stable sampling order


def colour(topic: int) -> str:
    return PALETTE[topic % len(PALETTE)]


def _sample(points: Sequence[MapPoint], limit: int) -> tuple[list[MapPoint], list[MapPoint]]:
    """(shown as dots, binned): each topic keeps a share of the dots, chosen by a stable hash."""
    if len(points) <= limit:
        return list(points), []
    ranked = sorted(points, key=lambda p: (zlib.crc32(p.key.encode()), p.key))
    per_topic: dict[int, list[MapPoint]] = defaultdict(list)
    for point in ranked:
        per_topic[point.topic].append(point)
    quota = {t: max(1, limit * len(ps) // len(points)) for t, ps in per_topic.items()}
    shown = [p for t, ps in per_topic.items() for p in ps[:quota[t]]]
    chosen = {p.key for p in shown}
    return shown, [p for p in points if p.key not in chosen]


def render_topic_map(points: Sequence[MapPoint], *, focus: int | None = None,
                     labels: Sequence[tuple[int, str]] = (), limit: int = MAX_DOTS) -> Markup:
    """The map; with ``focus`` it zooms to that topic and greys the others."""
    return draw_topic_map(points, focus=focus, labels=labels, limit=limit)[0]


def draw_topic_map(points: Sequence[MapPoint], *, focus: int | None = None,
                   labels: Sequence[tuple[int, str]] = (),
                   limit: int = MAX_DOTS) -> tuple[Markup, frozenset[str]]:
    """render_topic_map(), and the keys of the points drawn as dots: only their titles and
    URLs are in the picture, the rest only count in shaded cells and label positions."""
    if not points:
        return Markup(""), frozenset()
    box = _bounds([p for p in points if focus is None or p.topic == focus])
    inside = [p for p in points if _within(p, box)]
    shown, binned = _sample(inside, limit)
    parts = [_svg_open(box, "Topic map: each dot is a paper, coloured by topic")]
    parts.extend(_bins(binned, box, focus))
    radius = 3.2 if focus is not None else 2.6
    for p in sorted(shown, key=lambda p: (p.topic == focus, p.key)):
        fill = MUTED if focus is not None and p.topic != focus else colour(p.topic)
        x, y = _scale(p, box)
        parts.append(f'<a href="{escape(p.url)}"><circle cx="{x:.1f}" cy="{y:.1f}" '
                     f'r="{radius}" fill="{fill}"><title>{escape(p.title)}</title></circle></a>')
    parts.extend(_labels(points, labels, box))
    parts.append("</svg>")
    return Markup("\n".join(parts)), frozenset(p.key for p in shown)


def _bounds(points: Sequence[MapPoint]) -> tuple[float, float, float, float]:
    xs, ys = [p.x for p in points], [p.y for p in points]
    pad = 0.03
    return (max(0.0, min(xs) - pad), max(0.0, min(ys) - pad),
            min(1.0, max(xs) + pad), min(1.0, max(ys) + pad))


def _within(p: MapPoint, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= p.x <= box[2] and box[1] <= p.y <= box[3]


def _scale(p: MapPoint, box: tuple[float, float, float, float]) -> tuple[float, float]:
    span_x, span_y = max(box[2] - box[0], 1e-9), max(box[3] - box[1], 1e-9)
    return (p.x - box[0]) / span_x * WIDTH, (p.y - box[1]) / span_y * HEIGHT


def _svg_open(box: tuple[float, float, float, float], title: str) -> str:
    # role="group", not "img": the map holds links, and an image may not contain controls.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="topic-map" role="group" '
            f'aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
            f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fafafa"/>')


def _bins(points: Sequence[MapPoint], box: tuple[float, float, float, float],
          focus: int | None) -> list[str]:
    """Points beyond the dot budget, as grid cells shaded by count, coloured by majority."""
    cells: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for p in points:
        x, y = _scale(p, box)
        column = min(GRID[0] - 1, int(x / WIDTH * GRID[0]))
        row = min(GRID[1] - 1, int(y / HEIGHT * GRID[1]))
        cells[(column, row)][p.topic] += 1
    width, height = WIDTH / GRID[0], HEIGHT / GRID[1]
    result = []
    for (column, row), counts in sorted(cells.items()):
        topic, _ = min(counts.items(), key=lambda item: (-item[1], item[0]))
        fill = MUTED if focus is not None and topic != focus else colour(topic)
        opacity = min(0.8, 0.15 + 0.1 * sum(counts.values()) ** 0.5)
        result.append(f'<rect x="{column * width:.1f}" y="{row * height:.1f}" '
                      f'width="{width:.1f}" height="{height:.1f}" fill="{fill}" '
                      f'fill-opacity="{opacity:.2f}"/>')
    return result


def _labels(points: Sequence[MapPoint], labels: Sequence[tuple[int, str]],
            box: tuple[float, float, float, float]) -> list[str]:
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for p in points:
        entry = sums[p.topic]
        entry[0], entry[1], entry[2] = entry[0] + p.x, entry[1] + p.y, entry[2] + 1
    result = []
    for topic, text in labels:
        if topic in sums:
            sx, sy, n = sums[topic]
            x, y = _scale(MapPoint(sx / n, sy / n, topic, "", "", ""), box)
            result.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="middle" '
                          f'paint-order="stroke" stroke="#fff" stroke-width="3">'
                          f'{escape(text)}</text>')
    return result


def render_timeline(dates: Sequence[dt.date]) -> Markup:
    """Papers per week (per month when the dates span more than half a year, per year past
    ten years), as bars: never more than a few hundred."""
    if not dates:
        return Markup("")
    span = (max(dates) - min(dates)).days
    weekly, yearly = span <= 182, span > 3653
    counts = Counter(_bucket(d, weekly, yearly) for d in dates)
    buckets = _all_buckets(min(counts), max(counts), weekly, yearly)
    width, height, top = 600, 90, max(counts.values())
    bar = width / len(buckets)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="topic-timeline" role="img" '
             f'viewBox="0 0 {width} {height + 16}" width="100%">'
             f'<title>Papers per {"week" if weekly else "year" if yearly else "month"}</title>']
    for index, start in enumerate(buckets):
        count = counts.get(start, 0)
        h = height * count / top
        name = (f"Week of {start.isoformat()}" if weekly
                else str(start.year) if yearly else start.strftime("%Y-%m"))
        parts.append(f'<rect x="{index * bar:.1f}" y="{height - h:.1f}" '
                     f'width="{max(bar - 1, 0.5):.1f}" height="{h:.1f}" fill="#1f77b4">'
                     f'<title>{name}: {count} paper{"s" if count != 1 else ""}</title></rect>')
    parts.append(f'<text x="0" y="{height + 13}" font-size="11">{buckets[0].isoformat()}</text>')
    parts.append(f'<text x="{width}" y="{height + 13}" font-size="11" text-anchor="end">'
                 f'{buckets[-1].isoformat()}</text></svg>')
    return Markup("".join(parts))


def _bucket(date: dt.date, weekly: bool, yearly: bool = False) -> dt.date:
    if weekly:
        return date - dt.timedelta(days=date.weekday())
    return date.replace(month=1, day=1) if yearly else date.replace(day=1)


def _all_buckets(first: dt.date, last: dt.date, weekly: bool,
                 yearly: bool = False) -> list[dt.date]:
    result, current = [], first
    while current <= last:
        result.append(current)
        if current == last:  # never step past the calendar's end (9999-12-31)
            break
        if weekly:
            current += dt.timedelta(days=7)
        elif yearly:
            current = current.replace(year=current.year + 1)
        else:
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return result
