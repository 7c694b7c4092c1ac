"""The golden output tree: a small fixture site built with the real CLI and compared byte for
byte with the files kept under tests/golden/output/, plus the list of every file the build
writes (tests/golden/MANIFEST), so a change to any page kind shows up as a reviewable diff.

``python -m tests.golden_tree`` (``make golden``) rebuilds the kept tree after an intended
change; commit it with the change that explains it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
CONTENT = HERE / "sites" / "full" / "content"

# One of each page kind and every machine-readable format; globs take the first match in
# sorted order so that topic slugs (chosen by the topic labels) need not be spelled here.
KEPT = (
    "index.html", "404.html", "archive/index.html", "archive/page/1/index.html",
    "papers/1706.03762/index.html", "papers/adam-a-method-for-stochastic-optimization/index.html",
    "topics/index.html", "topics/*/index.html", "topics/*/feed.xml",
    "tags/index.html", "tags/nlp/index.html", "tags/nlp/atom.xml", "tags/nlp/feed.json",
    "digests/index.html", "digests/2024-03-12/index.html", "digests/2024-03-12/email.html",
    "digests/2024-03-12/email.txt", "digests/2024-03-12/email.eml",
    "digests/feed.xml", "digests/atom.xml", "digests/feed.json",
    "feed.xml", "atom.xml", "feed.json", "sitemap.xml", "robots.txt", ".nojekyll",
)


def build(work: Path) -> Path:
    """Build the golden site in ``work`` with the installed CLI; returns its output folder."""
    site = work / "golden-site"
    site.mkdir()
    shutil.copy(GOLDEN / "site.yaml", site / "site.yaml")
    shutil.copytree(CONTENT, site / "content")
    subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(site), "--no-cache"],
                   check=True, capture_output=True, text=True)
    return site / "output"


def manifest(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())


def kept_files(output: Path) -> list[str]:
    files = manifest(output)
    chosen = []
    for pattern in KEPT:
        matches = [f for f in files if Path(f).match(pattern) and f.count("/") ==
                   pattern.count("/")]
        if not matches:
            raise LookupError(f"the golden site wrote nothing matching {pattern}")
        chosen.append(matches[0])
    return chosen


def write_golden(output: Path) -> None:
    kept = GOLDEN / "output"
    shutil.rmtree(kept, ignore_errors=True)
    for name in kept_files(output):
        target = kept / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output / name, target)
    (GOLDEN / "MANIFEST").write_text("\n".join(manifest(output)) + "\n", encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        output = build(Path(work))
        write_golden(output)
    print(f"Rewrote {GOLDEN.relative_to(HERE.parent)}/: review it with git diff.")


if __name__ == "__main__":
    main()
