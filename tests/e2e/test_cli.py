"""The CLI as users run it: exit codes, messages without tracebacks, annotations on GitHub."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, run_paperboy

BROKEN = {
    "content/a.md": "---\ntitle: Good\ndate: 2024-03-12\nautors: [X]\n---\nBody.\n",
    "content/b.yaml": "title: Also bad\ndate: 12/03/2024\nabstract: Text.\n",
}


def test_check_reports_every_problem_and_exits_1(make_site) -> None:
    site = make_site(BROKEN)
    result = run_paperboy("check", "--site", str(site))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "content/a.md:4: error: autors: unknown field (did you mean 'authors'?)"
    assert lines[1].startswith("content/b.yaml:2: error: date: must be YYYY-MM-DD")
    assert lines[-1] == "2 errors in 2 files"
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_check_under_github_actions_prints_workflow_commands(make_site) -> None:
    site = make_site(BROKEN)
    result = run_paperboy("check", "--site", str(site), env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert ("::error file=content/a.md,line=4::autors: unknown field (did you mean "
            "'authors'?)") in result.stdout.splitlines()


def test_check_passes_on_the_sample_site() -> None:
    result = run_paperboy("check", "--site", str(REPO))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_bad_site_yaml_is_reported_with_its_line(make_site) -> None:
    site = make_site(site_yaml="title: X\nbase_url: nope\n")
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 1
    assert result.stderr.startswith("site.yaml:2: error: base_url: must be an absolute")
    assert "Traceback" not in result.stderr


def test_missing_site_yaml_is_a_clear_error(tmp_path: Path) -> None:
    result = run_paperboy("build", "--site", str(tmp_path))
    assert result.returncode == 1
    assert "site.yaml: error: file not found" in result.stderr


def test_unknown_theme_is_a_clear_error(make_site) -> None:
    site = make_site(site_yaml="title: X\ntheme: nosuch\n")
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 1
    assert "theme: no theme named 'nosuch'" in result.stderr


def test_build_of_empty_site_succeeds_with_a_home_page(make_site) -> None:
    site = make_site()
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "No papers yet" in (site / "output/index.html").read_text()


def test_schema_prints_a_json_schema_naming_every_field() -> None:
    result = run_paperboy("schema")
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert {"title", "abstract", "date"} <= set(schema["required"])
    assert {"authors", "arxiv", "doi", "tags", "upvotes", "draft"} <= set(schema["properties"])


def test_import_text_writes_entries_that_build(make_site) -> None:
    site = make_site()
    dump = REPO / "tests/data/daily-papers-excerpt.txt"
    result = run_paperboy("import", "text", str(dump), "--date", "2026-07-04", "--site", str(site))
    assert result.returncode == 0, result.stderr
    entries = sorted((site / "content/2026-07-04").glob("*.md"))
    assert len(entries) >= 3
    assert "Wrote" in result.stdout
    build = run_paperboy("build", "--site", str(site))
    assert build.returncode == 0, build.stderr


def test_import_text_rejects_a_bad_date(make_site) -> None:
    site = make_site()
    dump = REPO / "tests/data/daily-papers-excerpt.txt"
    result = run_paperboy("import", "text", str(dump), "--date", "July 4", "--site", str(site))
    assert result.returncode == 2
    assert "must be YYYY-MM-DD" in result.stderr


def test_version_and_python_module_entry_point() -> None:
    result = run_paperboy("--version")
    assert result.returncode == 0 and result.stdout.startswith("paperboy, version ")


def test_build_shows_progress_on_a_terminal_and_stays_quiet_otherwise(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    quiet = run_paperboy("build", "--site", str(site))
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.startswith("Built 7 papers in ")
    leader, follower = pty.openpty()
    process = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(site)],
                             stdin=follower, stdout=follower, stderr=follower, cwd=REPO,
                             timeout=300, check=False)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 0
    assert "render" in shown and "Built 7 papers" in shown


def test_build_timings_name_every_phase_once(copy_fixture_site) -> None:
    """Search runs inside the write step and e-mail beside the feeds; each is reported on its
    own, so the phases add up to no more than the build's elapsed time."""
    site = copy_fixture_site("full")
    result = run_paperboy("build", "--site", str(site), "--timings")
    assert result.returncode == 0, result.stderr
    built = next(line for line in result.stdout.splitlines() if line.startswith("Built "))
    elapsed = float(built.rsplit("(", 1)[1].removesuffix(" s)."))
    timings = json.loads(next(line for line in result.stdout.splitlines()
                              if line.startswith("timings: ")).removeprefix("timings: "))
    assert {"load", "markup", "topics", "plan", "render", "feeds", "email", "write",
            "search"} <= set(timings)
    assert all(seconds >= 0 for seconds in timings.values())
    assert sum(timings.values()) <= elapsed + 0.06  # elapsed is printed to 0.1 s


def test_build_timings_count_the_work_done(copy_fixture_site) -> None:
    """Beside the seconds, --timings counts what was made: every page, every issue's e-mail,
    and the search records indexed (none the second time: every shard comes from the cache)."""
    from generator.content import load_content

    site = copy_fixture_site("full")
    papers = load_content(site).papers

    def counts() -> dict[str, int]:
        result = run_paperboy("build", "--site", str(site), "--timings")
        assert result.returncode == 0, result.stderr
        return json.loads(next(line for line in result.stdout.splitlines()
                               if line.startswith("counts: ")).removeprefix("counts: "))

    first = counts()
    pages = len([p for p in (site / "output").rglob("index.html")]) + len(
        list((site / "output").glob("404.html")))
    assert first["pages rendered"] == pages
    assert first["e-mails rendered"] == len({p.date for p in papers})  # daily issues
    assert first["search records re-indexed"] == len(papers)
    again = counts()
    assert again["search records re-indexed"] == 0
    assert again["search shards reused"] >= 1
