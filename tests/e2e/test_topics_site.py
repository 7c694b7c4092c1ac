"""Topics end to end: the lock file next to site.yaml, renames, the topic map and timeline in
the built pages, and `paperboy topics [--json]`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from tests.conftest import run_paperboy


def test_build_writes_the_lock_and_a_rebuild_keeps_it_byte_identical(built_sample: Path,
                                                                     tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_sample, site, ignore=shutil.ignore_patterns("output"))
    lock = (site / "topics.lock.yaml").read_bytes()
    assert b"slug:" in lock and b"centroid:" in lock
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "topics.lock.yaml").read_bytes() == lock


def test_renamed_topic_label_shows_on_pages_and_survives(built_sample: Path,
                                                         tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_sample, site, ignore=shutil.ignore_patterns("output"))
    data = yaml.safe_load((site / "topics.lock.yaml").read_text())
    slug = data["topics"][0]["slug"]
    data["topics"][0]["rename"] = "Learning <em>forever</em>"
    (site / "topics.lock.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    assert run_paperboy("build", "--site", str(site)).returncode == 0
    page = (site / "output" / "topics" / slug / "index.html").read_text()
    assert "Learning &lt;em&gt;forever&lt;/em&gt;" in page and "<em>forever" not in page
    assert "rename: Learning <em>forever</em>" in (site / "topics.lock.yaml").read_text()
    listed = json.loads(run_paperboy("topics", "--json", "--site", str(site)).stdout)
    assert {t["slug"]: t["label"] for t in listed["topics"]}[slug] == "Learning <em>forever</em>"


def test_topics_index_map_links_every_paper(built_sample: Path) -> None:
    page = (built_sample / "output" / "topics" / "index.html").read_text()
    svg = page[page.index("<svg"): page.index("</svg>")]
    linked = set(re.findall(r'<a href="([^"]+/papers/[^"]+)"><circle', svg))
    papers = list((built_sample / "output" / "papers").glob("*/index.html"))
    assert len(linked) == len(papers) == 53


def test_topic_page_has_timeline_and_zoomed_map(built_sample: Path) -> None:
    pages = sorted((built_sample / "output" / "topics").glob("*/index.html"))
    assert pages
    for page in pages:
        text = page.read_text()
        assert 'class="topic-timeline"' in text and 'class="topic-map"' in text
        assert "papers over time" in text.lower()


def test_topics_command_prints_text_and_json(built_sample: Path) -> None:
    text = run_paperboy("topics", "--site", str(built_sample))
    assert text.returncode == 0, text.stderr
    listed = json.loads(run_paperboy("topics", "--json", "--site", str(built_sample)).stdout)
    topics = listed["topics"]
    assert 2 <= len(topics) <= 8 and all(t["size"] >= 2 for t in topics)
    assert sum(t["size"] for t in topics) == 53
    slugs = [p["slug"] for t in topics for p in t["papers"]]
    assert len(set(slugs)) == 53 and all("arxiv" in p for t in topics for p in t["papers"])
    for topic in topics:
        assert topic["label"] in text.stdout and f"[{topic['slug']}]" in text.stdout
        assert 2 <= len(topic["terms"]) <= 8
        assert 0 < topic["label_coverage"] <= 1 and 0 < topic["label_exclusivity"] <= 1
        assert (f"label: in {topic['label_coverage']:.0%} of its papers; "
                f"{topic['label_exclusivity']:.0%} of papers using it are here") in text.stdout
