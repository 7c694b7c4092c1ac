"""Equivalent sites for the peers, made from the same entries Paperboy loads: a page per paper,
a page per tag listing all its papers, a home page with the latest 50 and an RSS feed of the
latest 50. Hugo comes from the Debian package, Pelican from a venv under .bench/ (not a project
dependency); both are installed here, idempotently, and only by the benchmark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.content import load_content
from generator.models import Paper

LATEST = 50

HUGO_CONFIG = {
    "baseURL": "https://example.org/", "title": "Bench", "disableKinds": ["section", "sitemap",
                                                                          "robotsTXT", "404"],
    "taxonomies": {"tag": "tags"}, "services": {"rss": {"limit": LATEST}},
    "outputs": {"home": ["HTML", "RSS"], "page": ["HTML"], "taxonomy": ["HTML"],
                "term": ["HTML"]},
}

PEERS = Path(__file__).resolve().parent / "peers"  # layouts, theme and settings


def ensure_hugo() -> str:
    """The hugo binary, installing the Debian package when it is missing."""
    found = shutil.which("hugo")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "hugo"], check=True, env=env)
    return shutil.which("hugo") or "hugo"


def ensure_pelican(bench_dir: Path) -> str:
    """pelican in its own venv under .bench/, so it never touches the project's dependencies."""
    venv = bench_dir / "pelican-venv"
    binary = venv / "bin" / "pelican"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "pelican[markdown]>=4.9,<5"], check=True)
    return str(binary)


def _front_matter(paper: Paper) -> dict:
    return {"title": paper.title, "date": paper.date.isoformat(), "slug": paper.slug,
            "tags": list(paper.tags), "authors": list(paper.authors), "type": "papers"}


def write_hugo_site(papers: tuple[Paper, ...], root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(PEERS / "hugo", root)
    (root / "content" / "papers").mkdir(parents=True)
    (root / "hugo.json").write_text(json.dumps(HUGO_CONFIG, indent=1))
    for paper in papers:
        # JSON front matter is valid Hugo front matter and needs no YAML quoting rules.
        body = json.dumps(_front_matter(paper), ensure_ascii=False, indent=1)
        (root / "content" / "papers" / f"{paper.slug}.md").write_text(
            f"{body}\n\n{paper.abstract}\n", encoding="utf-8")


def _pelican_value(text: str) -> str:
    return " ".join(text.split())


def write_pelican_site(papers: tuple[Paper, ...], root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(PEERS / "pelican", root)
    (root / "content").mkdir(parents=True)
    for paper in papers:
        meta = [f"Title: {_pelican_value(paper.title)}", f"Date: {paper.date.isoformat()}",
                f"Slug: {paper.slug}", f"Authors: {_pelican_value(', '.join(paper.authors))}",
                f"Tags: {', '.join(paper.tags)}"]
        (root / "content" / f"{paper.slug}.md").write_text(
            "\n".join(meta) + f"\n\n{paper.abstract}\n", encoding="utf-8")


def make_peer_sites(site: Path, bench_dir: Path) -> tuple[Path, Path]:
    """Hugo and Pelican sites beside ``site``, from the entries Paperboy loads there."""
    papers = load_content(site).papers
    hugo, pelican = bench_dir / f"{site.name}-hugo", bench_dir / f"{site.name}-pelican"
    write_hugo_site(papers, hugo)
    write_pelican_site(papers, pelican)
    return hugo, pelican


def hugo_command(binary: str, root: Path) -> list[str]:
    return [binary, "--source", str(root), "--destination", str(root / "public"), "--quiet",
            "--cleanDestinationDir", "--noTimes"]


def pelican_command(binary: str, root: Path) -> list[str]:
    return [binary, str(root / "content"), "-o", str(root / "output"), "-s",
            str(root / "pelicanconf.py"), "-q"]
