"""Every page type of both built-in themes passes the Nu Html Checker (vnu.jar, run with the
machine's Java; `make test` installs it from npm under .venv/vnu/) with no errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, SITES, copy_site, run_paperboy

pytestmark = pytest.mark.slow

VNU = REPO / ".venv" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
THEMES = ("default", "compact")
# One file of each kind the build writes, by its path in output/ ("*": any one folder).
PAGE_TYPES = ("index.html", "404.html", "search/index.html", "archive/index.html",
              "archive/page/*/index.html", "papers/*/index.html", "topics/index.html",
              "topics/*/index.html", "tags/index.html", "tags/*/index.html",
              "digests/index.html", "digests/*/index.html", "digests/*/email.html")
# Outlook's own CSS properties, which the e-mail needs and no other checker knows.
ALLOWED = re.compile(r"^CSS: “mso-[a-z-]+”: Property “mso-[a-z-]+” doesn't exist\.$")


def vnu(*files: Path) -> list[dict]:
    """The checker's errors for ``files``, in one run (the JVM takes seconds to start)."""
    java = shutil.which("java")
    assert java, "the Nu Html Checker needs Java (make test installs it)"
    assert VNU.is_file(), "run `make test` to install the Nu Html Checker"
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json",
                             *map(str, files)], capture_output=True, text=True, timeout=600)
    return json.loads(result.stderr or result.stdout)["messages"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One file of each page type, from the full fixture site built with each theme."""
    found = []
    for theme in THEMES:
        root = copy_site(SITES / "full", tmp_path_factory.mktemp(f"vnu-{theme}") / "full")
        config = root / "site.yaml"
        config.write_text(re.sub(r"(?m)^theme:.*\n", "", config.read_text()) + f"theme: {theme}\n")
        result = run_paperboy("build", "--site", str(root))
        assert result.returncode == 0, result.stderr
        for pattern in PAGE_TYPES:
            matches = sorted((root / "output").glob(pattern))
            assert matches, f"{theme}: no {pattern}"
            found.append(matches[0])
    return found


def test_every_page_type_of_both_themes_passes_the_nu_html_checker(pages: list[Path]) -> None:
    problems = [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}"
                for m in vnu(*pages) if not ALLOWED.match(m["message"])]
    assert problems == []


def test_the_checker_reports_a_skipped_heading_level(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title></head>'
                    "<body><h1>a</h1><h3>b</h3><pre aria-label=x>c</pre></body></html>")
    messages = [m["message"] for m in vnu(page)]
    assert len(messages) == 2
    assert any(m.startswith("The “aria-label” attribute must not be specified on any “pre”")
               for m in messages)
    assert any("skipping 1 heading level" in m for m in messages)
