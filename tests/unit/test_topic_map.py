"""Topic map and timeline SVGs: links, tooltips, escaping, zoom, size at 40k papers."""

from __future__ import annotations

import datetime as dt
import random
import xml.etree.ElementTree as ET

from generator.site.topic_map import (
    HEIGHT,
    MAX_DOTS,
    MUTED,
    WIDTH,
    MapPoint,
    label_boxes,
    render_timeline,
    render_topic_map,
)

SVG = "{http://www.w3.org/2000/svg}"


def points(n: int, topics: int = 5) -> list[MapPoint]:
    rng = random.Random(0)
    return [MapPoint(rng.random(), rng.random(), i % topics, f"/papers/p{i}/", f"Paper {i}",
                     f"p{i}") for i in range(n)]


def test_topic_map_links_every_dot_with_its_title() -> None:
    svg = ET.fromstring(str(render_topic_map(points(30))))
    links = svg.findall(f"{SVG}a")
    assert len(links) == 30
    assert {a.get("href") for a in links} == {f"/papers/p{i}/" for i in range(30)}
    titles = {a.find(f"{SVG}circle/{SVG}title").text for a in links}
    assert titles == {f"Paper {i}" for i in range(30)}


def test_topic_map_escapes_titles_and_urls() -> None:
    hostile = [MapPoint(0.5, 0.5, 0, '/p/"><script>x</script>', "<script>alert(1)</script>", "a"),
               MapPoint(0.2, 0.1, 1, "/p/b/", "b & c", "b")]
    text = str(render_topic_map(hostile))
    assert "<script>" not in text
    svg = ET.fromstring(text)  # still well-formed XML
    assert svg.find(f"{SVG}a/{SVG}circle/{SVG}title").text == "<script>alert(1)</script>"


def test_topic_map_stays_small_at_40k_papers() -> None:
    text = str(render_topic_map(points(40_000)))
    svg = ET.fromstring(text)
    assert len(svg.findall(f"{SVG}a")) <= MAX_DOTS + 5
    assert len(text.encode()) < 600_000


def test_topic_map_focus_zooms_to_the_topic() -> None:
    data = points(200, topics=2)
    data = [MapPoint(p.x * 0.2, p.y * 0.2, 0, p.url, p.title, p.key) if p.topic == 0 else p
            for p in data]
    svg = ET.fromstring(str(render_topic_map(data, focus=0)))
    coloured = [c for c in svg.iter(f"{SVG}circle") if c.get("fill") != MUTED]
    assert len(coloured) == 100  # every paper of the topic, in colour
    assert max(float(c.get("cx")) for c in coloured) > 300  # twice as wide as on the whole map


def test_timeline_counts_papers_per_week() -> None:
    dates = [dt.date(2025, 3, 3)] * 3 + [dt.date(2025, 3, 20), dt.date(2025, 4, 16)]
    svg = ET.fromstring(str(render_timeline(dates)))
    bars = [r.find(f"{SVG}title").text for r in svg.findall(f"{SVG}rect")]
    assert bars[:3] == ["Week of 2025-03-03: 3 papers", "Week of 2025-03-10: 0 papers",
                        "Week of 2025-03-17: 1 paper"]
    assert len(bars) == 7 and sum(int(b.split(": ")[1].split()[0]) for b in bars) == 5


def test_timeline_counts_papers_per_day_over_a_short_span() -> None:
    dates = [dt.date(2026, 7, 1), dt.date(2026, 7, 4), dt.date(2026, 7, 4)]
    svg = ET.fromstring(str(render_timeline(dates)))
    bars = [r.find(f"{SVG}title").text for r in svg.findall(f"{SVG}rect")]
    assert bars == ["2026-07-01: 1 paper", "2026-07-02: 0 papers", "2026-07-03: 0 papers",
                    "2026-07-04: 2 papers"]


def test_timeline_uses_months_over_a_long_span() -> None:
    svg = ET.fromstring(str(render_timeline([dt.date(2025, 1, 5), dt.date(2025, 12, 5)])))
    assert len(svg.findall(f"{SVG}rect")) == 12


def test_timeline_uses_years_past_ten_years_and_spans_the_whole_date_range() -> None:
    from generator.content.fields import MAX_DATE, MIN_DATE

    svg = ET.fromstring(str(render_timeline([MIN_DATE, dt.date(2025, 6, 1), MAX_DATE])))
    bars = [r.find(f"{SVG}title").text for r in svg.findall(f"{SVG}rect")]
    assert len(bars) == MAX_DATE.year - MIN_DATE.year + 1
    assert bars[0] == f"{MIN_DATE.year}: 1 paper" and bars[-1] == f"{MAX_DATE.year}: 1 paper"


def test_timeline_at_the_calendar_edges_does_not_overflow() -> None:
    for dates in ([dt.date.max], [dt.date.min]):
        assert "The paper is from" in render_timeline(dates)
    for dates in ([dt.date(9999, 12, 1), dt.date.max], [dt.date(9999, 1, 1), dt.date.max],
                  [dt.date(9990, 1, 1), dt.date.max], [dt.date.min, dt.date(1, 1, 20)]):
        assert "<rect" in render_timeline(dates)


def test_timeline_axis_shows_the_papers_own_first_and_last_dates() -> None:
    """A site of 1 to 4 July is labelled with those days, not the Monday of their week."""
    dates = [dt.date(2026, 6, 1), dt.date(2026, 7, 4), dt.date(2026, 6, 20)]
    svg = ET.fromstring(str(render_timeline(dates)))
    axis = [t.text for t in svg.findall(f"{SVG}text")]
    assert axis == ["2026-06-01", "2026-07-04"]


def test_timeline_of_papers_from_one_day_says_so_instead_of_a_solid_bar() -> None:
    svg = ET.fromstring(str(render_timeline([dt.date(2026, 7, 4)] * 53)))
    assert svg.findall(f"{SVG}rect") == []
    assert svg.find(f"{SVG}text").text == "All 53 papers on 4 July 2026"


def crowded(topics: int = 12) -> list[MapPoint]:
    """Topics whose centres almost coincide, two of them at the very edge of the map."""
    rng = random.Random(1)
    centres = [(0.5 + 0.01 * t, 0.5 - 0.01 * t) for t in range(topics - 2)] + [(0.0, 0.0),
                                                                             (1.0, 1.0)]
    return [MapPoint(min(1, max(0, cx + rng.gauss(0, 0.02))),
                     min(1, max(0, cy + rng.gauss(0, 0.02))), t, f"/p/{t}-{i}/",
                     f"Paper {t}-{i}", f"{t}-{i}")
            for t, (cx, cy) in enumerate(centres) for i in range(20)]


def test_map_labels_never_overlap_or_leave_the_canvas() -> None:
    data = crowded()
    labels = [(t, f"A rather long topic label number {t}") for t in range(12)]
    boxes = label_boxes(data, labels)
    assert len(boxes) >= 6  # most fit near their topic
    for index, ((left, top, width, height), _) in enumerate(boxes):
        assert left >= 0 and left + width <= WIDTH and top >= 0 and top + height <= HEIGHT
        for (other_left, other_top, other_width, other_height), _ in boxes[index + 1:]:
            apart = (left + width <= other_left or other_left + other_width <= left
                     or top + height <= other_top or other_top + other_height <= top)
            assert apart, (boxes[index], (other_left, other_top))
    drawn = [t.text for t in ET.fromstring(str(render_topic_map(data, labels=labels))).findall(
        f"{SVG}text")]
    assert [text for _, text in boxes] == drawn[:len(boxes)]


def test_map_has_a_legend_naming_every_topic_in_its_colour() -> None:
    data = crowded()
    labels = [(t, f"Topic {t}") for t in range(12)]
    svg = ET.fromstring(str(render_topic_map(data, labels=labels)))
    legend = svg.findall(f"{SVG}g")
    assert [g.find(f"{SVG}text/{SVG}title").text for g in legend] == [t for _, t in labels]
    colours = {c.get("fill") for c in svg.iter(f"{SVG}circle")}
    assert {g.find(f"{SVG}rect").get("fill") for g in legend} == colours


def test_topic_page_map_shows_other_topics_dots_around_it() -> None:
    """Topics far apart on the map: the zoomed view of one still shows its neighbours."""
    data = points(200, topics=2)
    data = [MapPoint(p.x * 0.2, p.y * 0.2, 0, p.url, p.title, p.key) if p.topic == 0
            else MapPoint(0.5 + p.x * 0.5, 0.5 + p.y * 0.5, 1, p.url, p.title, p.key)
            for p in data]
    svg = ET.fromstring(str(render_topic_map(data, focus=0, labels=[(0, "Mine")])))
    fills = [c.get("fill") for c in svg.iter(f"{SVG}circle")]
    assert fills.count(MUTED) >= 10 and len(fills) - fills.count(MUTED) == 100
    legend = [g.find(f"{SVG}text/{SVG}title").text for g in svg.findall(f"{SVG}g")]
    assert legend == ["Mine", "Other topics"]
