"""Loading after known edits (paperboy serve): the same papers and diagnostics as a full load,
or a refusal (None) whenever the edit is not provably local."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.content import load_content, load_scan
from generator.content.delta import LoadState, apply_edits, remember_scan
from tests.conftest import SITES

BERT = "content/2024-03/bert.md"
VISION = "content/lists/vision.yaml"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(SITES / "full", tmp_path / "site")
    return tmp_path / "site"


def state_of(site: Path) -> LoadState:
    state = remember_scan(load_scan(site), ("content", False, 1_000_000, "UTC"))
    assert state is not None
    return state


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


LOCAL_EDITS = {
    "title": (BERT, 'title: "BERT:', 'title: "BERT, edited:'),
    "tags": (BERT, "tags: [transformers, nlp, pretraining]", "tags: [nlp, brand-new]"),
    "date": (BERT, "date: 2024-03-12", "date: 2024-02-01"),
    "arxiv id, so a new slug": (BERT, '"1810.04805"', '"1810.04806"'),
    "one entry of a list file": (VISION, "tags: [vision]\n", "tags: [vision, resnet]\n"),
    "made a draft": (BERT, "upvotes: 17", "upvotes: 17\ndraft: true"),
}


@pytest.mark.parametrize("change", LOCAL_EDITS.values(), ids=LOCAL_EDITS.keys())
def test_local_edit_gives_the_same_load_as_a_full_one(site: Path, change) -> None:
    state = state_of(site)
    before = {p.slug: p for p in state.result.papers}
    edit(site, *change)
    result = apply_edits(state, site, [change[0]])
    assert result == load_content(site)
    untouched = [p for p in result.papers if p.source.path != change[0]]
    assert untouched and all(before[p.slug] is p for p in untouched)  # the same objects


def test_deleting_a_file_drops_its_papers(site: Path) -> None:
    state = state_of(site)
    (site / VISION).unlink()
    assert apply_edits(state, site, [VISION]) == load_content(site)
    # a second edit builds on the first: the state follows the files
    edit(site, BERT, "upvotes: 17", "upvotes: 3")
    assert apply_edits(state, site, [BERT]) == load_content(site)


REFUSED = {
    "a duplicate title": (BERT, 'title: "BERT: Pre-training of Deep Bidirectional Transformers '
                          'for Language Understanding"', 'title: "Attention Is All You Need"'),
    "a duplicate arXiv ID": (BERT, '"1810.04805"', '"1512.03385"'),
    "an error": (BERT, "date: 2024-03-12", "date: someday"),
}


@pytest.mark.parametrize("change", REFUSED.values(), ids=REFUSED.keys())
def test_edits_that_reach_other_files_are_refused(site: Path, change) -> None:
    state = state_of(site)
    papers = state.result.papers
    edit(site, *change)
    assert apply_edits(state, site, [change[0]]) is None
    assert state.result.papers == papers  # untouched: the caller loads everything


def test_new_files_are_left_to_a_full_scan(site: Path) -> None:
    state = state_of(site)
    shutil.copy(site / BERT, site / "content/bert-copy.md")
    assert apply_edits(state, site, ["content/bert-copy.md"]) is None


def test_a_file_replaced_by_a_link_is_refused(site: Path) -> None:
    state = state_of(site)
    (site / BERT).unlink()
    (site / BERT).symlink_to(site / VISION)
    assert apply_edits(state, site, [BERT]) is None
