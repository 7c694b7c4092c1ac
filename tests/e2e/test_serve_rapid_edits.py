"""`paperboy serve` under 200 rapid edits, many of them broken (issue 9): the server stays up and
ends up serving exactly what a clean `paperboy build` of the final sources writes.

The edits run back to back; a few short pauses (seeded) let a debounce window close so that
rebuilds start while later edits keep arriving. Nothing here measures time: the only wait is for
the served site to match the clean build, with a deadline reached only when something is broken.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_paperboy, write_files
from tests.e2e.serve_process import WAIT, Server, save_via_rename

# Topics are off: while serving, an edited title is assigned to a topic cheaply and only
# `paperboy build` refits (issue 5), so with topics on the two may rightly differ.
SITE_YAML = """\
title: Rapid Edits
base_url: https://example.github.io/rapid/
papers_per_page: 2
topics: {enabled: false}
"""
EDITS = 200
LIVE_SCRIPT = re.compile(rb'<script id="paperboy-live">.*?</script>\n')


def entry(title: str, arxiv: str, extra: str = "") -> str:
    """A Markdown entry; every paper has the same date, so the home page lists them all."""
    return (f'---\ntitle: "{title}"\ndate: 2024-03-01\narxiv: "{arxiv}"\n{extra}---\n'
            f"An abstract about {title.lower()}.\n")


def group(first: str, second: str) -> str:
    return (f'papers:\n  - title: "{first}"\n    date: 2024-03-01\n    arxiv: "2401.00011"\n'
            f"    abstract: First of a list.\n  - title: \"{second}\"\n    date: 2024-03-01\n"
            f'    arxiv: "2401.00012"\n    tags: [lists]\n    abstract: Second of a list.\n')


INITIAL = {
    "site.yaml": SITE_YAML,
    "content/alpha.md": entry("Alpha Original", "2401.00001"),
    "content/beta.md": entry("Beta Original", "2401.00002"),
    "content/gone.md": entry("Gone Original", "2401.00003"),
    "content/lists/group.yaml": group("Group One Original", "Group Two Original"),
}
FINAL = {
    "content/alpha.md": entry("Alpha Final Title", "2401.00001v2", extra="tags: [final]\n"),
    "content/beta.md": entry("Beta Final Title", "2401.00002", extra="upvotes: 3\n"),
    "content/lists/group.yaml": group("Group One Final", "Group Two Final"),
    "content/new/fresh.md": entry("Fresh Final Title", "2401.00004"),
}
MARKDOWN = ("content/alpha.md", "content/beta.md", "content/gone.md")
BROKEN_MARKDOWN = (
    '---\ntitle: [unclosed\ndate: 2024-03-01\n---\nBad YAML.\n',  # bad YAML
    '---\ntitle: "No End"\ndate: 2024-03-01\nThe closing line is missing.\n',
    '---\ntitle: "Bad Date"\ndate: 01/03/2024\n---\nInvalid field.\n',
    '---\ntitle: "Bad Count"\ndate: 2024-03-01\nupvotes: many\n---\nInvalid field.\n',
    "",  # an empty file
    "---\n- a list\n- not a mapping\n---\nWrong shape.\n",
)
BROKEN_YAML = ("papers:\n  - title: [\n", "papers: 3\n", "", "title: only\n")


def torn_write(path: Path, text: str) -> None:
    """Two writes to the same open file, as a slow editor or a copy would leave it between."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text[: len(text) // 2])
        handle.flush()
        handle.write(text[len(text) // 2:])


def edit_once(site: Path, step: int, rng: random.Random) -> None:
    """One edit of a kind chosen by ``step``, to a file chosen by ``rng``."""
    name = rng.choice(MARKDOWN)
    path = site / name
    good = entry(f"{path.stem.title()} Draft {step}", f"2401.0000{MARKDOWN.index(name) + 1}")
    kind = step % 9
    if kind == 0:
        path.write_text(good, encoding="utf-8")
    elif kind == 1:
        path.write_text(rng.choice(BROKEN_MARKDOWN), encoding="utf-8")
    elif kind == 2:
        save_via_rename(path, good)
    elif kind == 3:
        path.unlink(missing_ok=True)
        path.write_text(good, encoding="utf-8")  # deleted and re-created
    elif kind == 4:
        save_via_rename(site / "content/lists/group.yaml", rng.choice(BROKEN_YAML))
    elif kind == 5:
        torn_write(path, good)
    elif kind == 6:
        path.unlink(missing_ok=True)
    elif kind == 7:
        (site / "content/lists/group.yaml").write_text(
            group(f"Group One Draft {step}", f"Group Two Draft {step}"), encoding="utf-8")
    else:
        extra = site / f"content/new/extra-{step % 3}.md"
        extra.parent.mkdir(exist_ok=True)
        if extra.exists():
            extra.unlink()
        else:
            extra.write_text(rng.choice((good.replace("2401.0000", "2402.0000"),
                                         *BROKEN_MARKDOWN)), encoding="utf-8")


def make_final(site: Path) -> None:
    shutil.rmtree(site / "content/new", ignore_errors=True)
    (site / "content/gone.md").unlink(missing_ok=True)
    write_files(site, {k: v for k, v in FINAL.items() if k != "content/alpha.md"})
    save_via_rename(site / "content/alpha.md", FINAL["content/alpha.md"])  # the last save


def clean_build(site: Path, target: Path) -> Path:
    shutil.copytree(site, target, ignore=shutil.ignore_patterns(".*"))
    result = run_paperboy("build", "--site", str(target))
    assert result.returncode == 0, result.stderr
    return target / "output"


def site_files(root: Path) -> set[str]:
    """Every file but the search bundle, whose fragment names the index picks."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != "pagefind"}


def differences(server: Server, built: Path) -> list[str]:
    """What the served site does not have as the clean build has it, over HTTP."""
    expected = site_files(built)
    problems = [f"only served: {name}" for name in sorted(site_files(server.root) - expected)]
    for name in sorted(expected):
        status, body = server.fetch(server.base + name)
        if name.endswith(".html"):
            if b'id="paperboy-overlay"' in body:
                problems.append(f"error overlay on {name}")
            body = LIVE_SCRIPT.sub(b"", body, count=1)
        if status != 200 or body != (built / name).read_bytes():
            problems.append(f"differs: {name} (HTTP {status})")
    return problems


def wait_until(check: Callable[[], list[str]]) -> list[str]:
    deadline = time.monotonic() + WAIT
    while (problems := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return problems


def test_serve_survives_200_rapid_edits_and_serves_the_final_state(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, INITIAL)
    server = Server(site)
    try:
        rng = random.Random(9)
        for step in range(EDITS - 1):
            edit_once(site, step, rng)
            if rng.random() < 0.08:
                time.sleep(rng.uniform(0.12, 0.3))  # let a rebuild start mid-burst
        make_final(site)
        built = clean_build(site, tmp_path / "clean")
        assert wait_until(lambda: differences(server, built)) == []
        assert server.process.poll() is None
        page = server.get(f"{server.base}papers/2401.00001/")[1]
        assert "Alpha Final Title" in page and "Draft" not in page
        home = server.get(server.base)[1]
        for title in ("Alpha Final Title", "Beta Final Title", "Fresh Final Title"):
            assert title in home
        assert "Draft" not in home and "Original" not in home
        assert server.get(f"{server.base}papers/2401.00003/")[0] == 404  # gone.md is gone
    finally:
        code = server.stop()
    assert code == 0
    assert not [line for line in server.errors if "Traceback" in line or "internal" in line]


def test_serve_follows_a_content_folder_deleted_and_made_again(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, INITIAL)
    server = Server(site)
    try:
        shutil.rmtree(site / "content")  # e.g. `rm -rf content && git checkout content`
        write_files(site, FINAL)
        built = clean_build(site, tmp_path / "first")
        assert wait_until(lambda: differences(server, built)) == []
        save_via_rename(site / "content/beta.md", entry("Beta After", "2401.00002"))
        built = clean_build(site, tmp_path / "second")  # edits in the new folder are seen
        assert wait_until(lambda: differences(server, built)) == []
        assert "Beta After" in server.get(f"{server.base}papers/2401.00002/")[1]
    finally:
        assert server.stop() == 0
