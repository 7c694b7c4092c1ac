"""Topic map and timeline SVGs: links, tooltips, escaping, zoom, size at 40k papers."""

from __future__ import annotations

import datetime as dt
import random
import xml.etree.ElementTree as ET

from generator.site.topic_map import MAX_DOTS, MapPoint, render_timeline, render_topic_map

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
    coloured = [c for c in svg.iter(f"{SVG}circle") if c.get("fill") != "#c8c8c8"]
    assert len(coloured) == 100  # every paper of the topic, in colour
    assert max(float(c.get("cx")) for c in coloured) > 600  # spread over the zoomed view


def test_timeline_counts_papers_per_week() -> None:
    dates = [dt.date(2025, 3, 3)] * 3 + [dt.date(2025, 3, 20)]
    svg = ET.fromstring(str(render_timeline(dates)))
    bars = [r.find(f"{SVG}title").text for r in svg.findall(f"{SVG}rect")]
    assert bars == ["Week of 2025-03-03: 3 papers", "Week of 2025-03-10: 0 papers",
                    "Week of 2025-03-17: 1 paper"]


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
    for dates in ([dt.date.max], [dt.date.min], [dt.date(9999, 12, 1), dt.date.max]):
        assert "<rect" in render_timeline(dates)
