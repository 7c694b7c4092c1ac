"""Server-side SVG for topics: the topic map (every paper placed in 2-D, coloured by topic,
each dot a link with its title as tooltip; labels placed so they never overlap or leave the
canvas; a legend) and a papers-over-time bar chart. No JavaScript.

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
           "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939", "#7f7f7f", "#e7969c",
           "#6b6ecf", "#8ca252", "#bd9e39", "#843c39", "#5254a3", "#de9ed6")
MUTED = "#a0a0a0"  # other topics on a topic's page: grey, but visible on the light canvas
FONT_SIZE = 12
CHAR_WIDTH = 0.6 * FONT_SIZE  # generous average advance of a sans-serif character
LEGEND_ROW = 18
LEGEND_COLUMNS = 3
NEIGHBOURS_SHOWN = 10  # a topic's page also shows at least this many nearby papers of others
ZOOM_MARGIN = 0.2  # share of a topic's extent added around it on its page


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
    """The map; with ``focus`` it zooms to that topic (and its surroundings) and greys the
    others. ``labels``: (topic, label) pairs, written on the map where they fit and listed in
    the legend below it."""
    return draw_topic_map(points, focus=focus, labels=labels, limit=limit)[0]


def draw_topic_map(points: Sequence[MapPoint], *, focus: int | None = None,
                   labels: Sequence[tuple[int, str]] = (),
                   limit: int = MAX_DOTS) -> tuple[Markup, frozenset[str]]:
    """render_topic_map(), and the keys of the points drawn as dots: only their titles and
    URLs are in the picture, the rest only count in shaded cells and label positions."""
    if not points:
        return Markup(""), frozenset()
    box = _view(points, focus)
    inside = [p for p in points if _within(p, box)]
    shown, binned = _sample(inside, limit)
    legend = _legend_entries(points, labels, focus)
    columns = _legend_columns(legend)
    height = HEIGHT + _legend_height(len(legend), columns)
    parts = [_svg_open(height, "Topic map: each dot is a paper, coloured by topic")]
    parts.extend(_bins(binned, box, focus))
    radius = 3.2 if focus is not None else 2.6
    for p in sorted(shown, key=lambda p: (p.topic == focus, p.key)):
        fill = MUTED if focus is not None and p.topic != focus else colour(p.topic)
        x, y = _scale(p, box)
        parts.append(f'<a href="{escape(p.url)}"><circle cx="{x:.1f}" cy="{y:.1f}" '
                     f'r="{radius}" fill="{fill}"><title>{escape(p.title)}</title></circle></a>')
    if focus is None:
        for (x, y, _, _), text in label_boxes(points, labels, box):
            parts.append(f'<text x="{x:.1f}" y="{y + FONT_SIZE * 0.8:.1f}" '
                         f'font-size="{FONT_SIZE}" paint-order="stroke" stroke="#fff" '
                         f'stroke-width="3">{escape(text)}</text>')
    parts.extend(_legend(legend, columns))
    parts.append("</svg>")
    return Markup("\n".join(parts)), frozenset(p.key for p in shown)


def _view(points: Sequence[MapPoint], focus: int | None) -> tuple[float, float, float, float]:
    """The whole map, or a topic with a margin around it, widened until it holds at least
    NEIGHBOURS_SHOWN papers of other topics (when there are any): a topic's page shows where it
    sits among its neighbours, not the topic alone."""
    if focus is None:
        return _bounds(points)
    own = [p for p in points if p.topic == focus]
    if not own:
        return _bounds(points)
    left, top, right, bottom = _bounds(own)
    margin_x, margin_y = ZOOM_MARGIN * (right - left), ZOOM_MARGIN * (bottom - top)
    box = (max(0.0, left - margin_x), max(0.0, top - margin_y), min(1.0, right + margin_x),
           min(1.0, bottom + margin_y))
    others = [p for p in points if p.topic != focus]
    if sum(_within(p, box) for p in others) >= min(NEIGHBOURS_SHOWN, len(others)):
        return box
    cx, cy = sum(p.x for p in own) / len(own), sum(p.y for p in own) / len(own)
    nearest = sorted(others, key=lambda p: ((p.x - cx) ** 2 + (p.y - cy) ** 2, p.key))
    return _bounds(own + nearest[:NEIGHBOURS_SHOWN])


def label_boxes(points: Sequence[MapPoint], labels: Sequence[tuple[int, str]],
                box: tuple[float, float, float, float] | None = None,
                ) -> list[tuple[tuple[float, float, float, float], str]]:
    """((left, top, width, height), text) of every label that fits on the map: near its
    topic's centre, inside the canvas and clear of the labels placed before it (larger topics
    first); a label that fits nowhere is left to the legend."""
    box = box or _bounds(points)
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for p in points:
        entry = sums[p.topic]
        entry[0], entry[1], entry[2] = entry[0] + p.x, entry[1] + p.y, entry[2] + 1
    placed: list[tuple[tuple[float, float, float, float], str]] = []
    height = FONT_SIZE * 1.25
    for topic, text in labels:
        if topic not in sums:
            continue
        sx, sy, n = sums[topic]
        x, y = _scale(MapPoint(sx / n, sy / n, topic, "", "", ""), box)
        width = CHAR_WIDTH * len(text)
        if width > WIDTH:
            continue
        for dx, dy in _offsets():
            left = min(max(x - width / 2 + dx, 0.0), WIDTH - width)
            top = min(max(y - height / 2 + dy, 0.0), HEIGHT - height)
            candidate = (left, top, width, height)
            if not any(_overlap(candidate, other) for other, _ in placed):
                placed.append((candidate, text))
                break
    return placed


def _offsets() -> list[tuple[float, float]]:
    """Shifts to try, nearest first: rings of 8 directions, up to a quarter of the map."""
    result = [(0.0, 0.0)]
    for step in range(1, 9):
        radius = step * FONT_SIZE * 1.4
        result.extend((radius * dx, radius * dy) for dx, dy in
                      ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)))
    return result


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3]
            and b[1] < a[1] + a[3])


def _legend_entries(points: Sequence[MapPoint], labels: Sequence[tuple[int, str]],
                    focus: int | None) -> list[tuple[str, str]]:
    """(colour, text) rows: every labelled topic, or on a topic's page this topic and the rest."""
    if focus is not None:
        name = next((text for topic, text in labels if topic == focus), "This topic")
        entries = [(colour(focus), name)]
        if any(p.topic != focus for p in points):
            entries.append((MUTED, "Other topics"))
        return entries
    present = {p.topic for p in points}
    return [(colour(topic), text) for topic, text in labels if topic in present]


def _legend_columns(entries: Sequence[tuple[str, str]]) -> int:
    """As many columns (at most LEGEND_COLUMNS) as leave room for the longest label."""
    longest = max((len(text) for _, text in entries), default=0)
    for columns in range(LEGEND_COLUMNS, 1, -1):
        if _legend_room(columns) >= longest:
            return columns
    return 1


def _legend_room(columns: int) -> int:
    """Characters that fit in one legend column (11 px text)."""
    return int((WIDTH / columns - 22) / (CHAR_WIDTH * 0.85))


def _legend_height(rows: int, columns: int) -> int:
    return -(-rows // columns) * LEGEND_ROW + 8 if rows else 0


def _legend(entries: Sequence[tuple[str, str]], columns: int) -> list[str]:
    column_width = WIDTH / columns
    most = _legend_room(columns)
    result = []
    for index, (fill, text) in enumerate(entries):
        row, column = divmod(index, columns)
        x, y = column * column_width + 4, HEIGHT + 6 + row * LEGEND_ROW
        shown = text if len(text) <= most else text[:most - 1] + "\u2026"
        result.append(f'<g class="legend"><rect x="{x:.1f}" y="{y + 3:.1f}" width="10" '
                      f'height="10" fill="{fill}"/><text x="{x + 15:.1f}" y="{y + 12:.1f}" '
                      f'font-size="11"><title>{escape(text)}</title>{escape(shown)}</text></g>')
    return result


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


def _svg_open(height: int, title: str) -> str:
    # role="group", not "img": the map holds links, and an image may not contain controls.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="topic-map" role="group" '
            f'aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" width="100%" '
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


DAILY_UP_TO = 31  # days of span drawn one bar per day; weekly up to WEEKLY_UP_TO, then
WEEKLY_UP_TO = 182  # monthly up to MONTHLY_UP_TO, then yearly: never more than a few hundred bars
MONTHLY_UP_TO = 3653


def timeline_unit(first: dt.date, last: dt.date) -> str:
    """"day", "week", "month" or "year": the bucket that gives a readable number of bars."""
    span = (last - first).days
    if span <= DAILY_UP_TO:
        return "day"
    if span <= WEEKLY_UP_TO:
        return "week"
    return "month" if span <= MONTHLY_UP_TO else "year"


def render_timeline(dates: Sequence[dt.date]) -> Markup:
    """Papers per day, week, month or year (from the span of the dates), as bars; the axis
    shows the first and last paper's own dates. Papers all of one day get a sentence, not a
    bar."""
    if not dates:
        return Markup("")
    first, last = min(dates), max(dates)
    width, height = 600, 90
    if first == last:
        count = len(dates)
        text = (f"All {count} papers on {_day(first)}" if count != 1
                else f"The paper is from {_day(first)}")
        return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="topic-timeline" '
                      f'role="img" viewBox="0 0 {width} 24" width="100%"><title>{text}</title>'
                      f'<text x="0" y="16" font-size="13">{text}</text></svg>')
    unit = timeline_unit(first, last)
    counts = Counter(_bucket(d, unit) for d in dates)
    buckets = _all_buckets(min(counts), max(counts), unit)
    top = max(counts.values())
    bar = width / len(buckets)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="topic-timeline" role="img" '
             f'viewBox="0 0 {width} {height + 16}" width="100%">'
             f'<title>Papers per {unit}, {first.isoformat()} to {last.isoformat()}</title>']
    for index, start in enumerate(buckets):
        count = counts.get(start, 0)
        h = height * count / top
        name = {"day": start.isoformat(), "week": f"Week of {start.isoformat()}",
                "month": start.strftime("%Y-%m"), "year": str(start.year)}[unit]
        parts.append(f'<rect x="{index * bar:.1f}" y="{height - h:.1f}" '
                     f'width="{max(bar - 1, 0.5):.1f}" height="{h:.1f}" fill="#1f77b4">'
                     f'<title>{name}: {count} paper{"s" if count != 1 else ""}</title></rect>')
    parts.append(f'<text x="0" y="{height + 13}" font-size="11">{first.isoformat()}</text>')
    parts.append(f'<text x="{width}" y="{height + 13}" font-size="11" text-anchor="end">'
                 f'{last.isoformat()}</text></svg>')
    return Markup("".join(parts))


def _day(date: dt.date) -> str:
    return f"{date.day} {date.strftime('%B')} {date.year}"


def _bucket(date: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return date
    if unit == "week":
        return date - dt.timedelta(days=date.weekday())
    return date.replace(day=1) if unit == "month" else date.replace(month=1, day=1)


def _all_buckets(first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
    result, current = [], first
    while current <= last:
        result.append(current)
        if current == last:  # never step past the calendar's end (9999-12-31)
            break
        if unit == "day":
            current += dt.timedelta(days=1)
        elif unit == "week":
            current += dt.timedelta(days=7)
        elif unit == "month":
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            current = current.replace(year=current.year + 1)
    return result
