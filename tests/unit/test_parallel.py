"""Rendering on worker processes gives the same files, in the same order, as one process."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import load_content
from generator.diagnostics import UserError
from generator.pipeline import fit_topics
from generator.render import (
    asset_url_function,
    collect_assets,
    make_environment,
    render_routes,
    theme_chain,
    write_routes,
)
from generator.site import plan_site
from generator.workers import in_background, map_forked, process_pool
from tests.conftest import REPO, write_files


def _env_and_routes(site_root: Path, *, lazy: bool = False):
    config = load_config(site_root, {})
    papers = load_content(site_root, config.content_dir).papers
    model = plan_site(config, papers, fit_topics(papers, config), lazy=lazy)
    chain = theme_chain(site_root, config.theme)
    env = make_environment(chain)
    env.globals["asset"] = asset_url_function(collect_assets(chain), model.urls)
    return env, model.routes


@pytest.fixture(scope="module")
def sample_routes():
    return _env_and_routes(REPO)


def test_parallel_render_matches_single_process_byte_for_byte(sample_routes) -> None:
    env, routes = sample_routes
    single, single_problems = render_routes(env, routes, REPO, jobs=1)
    forked, forked_problems = render_routes(env, routes, REPO, jobs=2, min_per_worker=1)
    assert len(single) == len(routes) > 50
    assert [f.path for f in forked] == [f.path for f in single]
    assert [f.data for f in forked] == [f.data for f in single]
    assert single_problems == forked_problems == []


def test_lazy_contexts_and_workers_writing_to_disk_give_the_same_files(
        sample_routes, tmp_path: Path) -> None:
    env, routes = sample_routes
    expected, _ = render_routes(env, routes, REPO, jobs=1)
    lazy_env, lazy_routes = _env_and_routes(REPO, lazy=True)
    for jobs, folder in ((1, tmp_path / "one"), (2, tmp_path / "two")):
        folder.mkdir()
        written, problems = write_routes(lazy_env, lazy_routes, REPO, folder, jobs=jobs,
                                               min_per_worker=1)
        assert (written, problems) == (len(expected), [])
        on_disk = {p.relative_to(folder).as_posix(): p.read_bytes()
                   for p in folder.rglob("*") if p.is_file()}
        assert on_disk == {str(f.path): f.data for f in expected}


def test_parallel_render_reports_a_broken_template_once_like_single_process(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    write_files(site, {
        "themes/broken/theme.yaml": "extends: default\n",
        "themes/broken/templates/paper.html": "{% extends 'default/paper.html' %}\n"
                                              "{% block content %}{{ paper.nope }}{% endblock %}\n",
    })
    text = (REPO / "site.yaml").read_text().replace("theme: default", "theme: broken")
    (site / "site.yaml").write_text(text)
    env, routes = _env_and_routes(site)
    single_files, single = render_routes(env, routes, site, jobs=1)
    forked_files, forked = render_routes(env, routes, site, jobs=2, min_per_worker=1)
    assert len(single) == 1 and single == forked
    assert single[0].path == "themes/broken/templates/paper.html"
    assert "nope" in single[0].message
    assert [f.path for f in forked_files] == [f.path for f in single_files]


@pytest.mark.forks
def test_map_forked_keeps_order_and_takes_unpicklable_functions() -> None:
    offset = 7
    items = list(range(53))

    def shifted(item: int) -> tuple[int, int]:  # a closure: it cannot be pickled
        return item + offset, os.getpid()

    results = map_forked(shifted, items, jobs=2, min_per_worker=1)
    seen_pids = {pid for _, pid in results}
    assert [value for value, _ in results] == [i + offset for i in items]
    assert os.getpid() not in seen_pids  # it really ran in workers


def test_map_forked_small_input_runs_in_process() -> None:
    results = map_forked(lambda _: os.getpid(), [1, 2, 3], jobs=2, min_per_worker=50)
    assert results == [os.getpid()] * 3


@pytest.mark.forks
def test_a_background_task_returns_its_value_from_another_process() -> None:
    with in_background(os.getpid) as result:
        assert result() != os.getpid()


@pytest.mark.forks
def test_a_background_task_forks_right_after_a_process_pool_closes() -> None:
    """As the build's search starts right after the render pool: the pool's manager thread,
    already joined, can still be listed by the OS for a moment (seen in 8 of 30 pools)."""
    for _ in range(20):
        pool = process_pool(2)
        assert pool is not None
        with pool:
            assert list(pool.map(abs, range(-50, 0))) == list(range(50, 0, -1))
        with in_background(os.getpid) as result:
            assert result() != os.getpid()


@pytest.mark.forks
def test_a_background_task_raises_its_error_here() -> None:
    def fail() -> None:
        raise UserError("error: search: Pagefind failed")

    with in_background(fail) as result, pytest.raises(UserError, match="Pagefind failed"):
        result()


@pytest.mark.forks
def test_leaving_on_an_error_stops_the_task_and_the_programs_it_started(tmp_path: Path) -> None:
    started = tmp_path / "pid"

    def start_a_program() -> None:  # like the search task starting Pagefind, in its own group
        program = subprocess.Popen(["sleep", "600"], process_group=0)
        started.write_text(str(program.pid))
        program.wait()

    with pytest.raises(KeyError), in_background(start_a_program):
        for _ in range(500):
            if started.exists() and started.read_text():
                break
            time.sleep(0.01)
        raise KeyError("a page failed")
    pid = int(started.read_text())
    for _ in range(500):  # killed at once; the kernel may take a moment to reap it
        if not _running(pid):
            break
        time.sleep(0.01)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_freed_heap_memory_goes_back_to_the_system() -> None:
    """A build drops large intermediate values (the filter index's postings, the export
    records) before it waits for search; glibc keeps the freed blocks unless asked."""
    from generator.workers import _malloc_trim, release_freed_memory

    if _malloc_trim() is None:
        pytest.skip("no malloc_trim in this C library")

    def resident_mb() -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmRSS:"))
        return int(line.split()[1]) // 1024

    # 200 MB in strings of 16 KB (from malloc's heap: below its mmap threshold), every
    # fourth one kept so the heap cannot shrink from its top on its own
    made = [("x" * 16_000) + str(i) for i in range(12_000)]
    kept = made[::4]
    del made
    before = resident_mb()
    release_freed_memory()
    assert resident_mb() < before - 100
    assert len(kept) == 3_000
