"""Incremental rebuilds (paperboy serve): byte-identical to a clean build after every kind of
edit, re-rendering and rewriting only what changed, never refitting topics needlessly."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

import generator.pipeline as topics_module
from generator.config import SiteConfig, load_config
from generator.models import Paper, SourceRef, Topic, TopicModel
from generator.pipeline import build_site
from generator.serve.incremental import RebuildState, assign_topics, remember_topics, reuse_topics
from generator.serve.rebuild import rebuild_site
from tests.conftest import REPO, SITES


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*")
            if p.is_file()}


class Workspace:
    """A copy of the fixture site with its own theme, rebuilt incrementally into serve/."""

    def __init__(self, root: Path) -> None:
        shutil.copytree(SITES / "full", root / "site")
        shutil.copytree(REPO / "themes/default", root / "site/themes/mine")
        self.site = root / "site"
        (self.site / "site.yaml").write_text(
            (self.site / "site.yaml").read_text() + "theme: mine\n")
        self.target = root / "serve"
        self.target.mkdir()
        self.cache = RebuildState()
        self.config: tuple[str, SiteConfig] | None = None

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.site / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    def rebuild(self, refit: bool = True, changed: tuple[str, ...] | None = None):
        # like paperboy serve: the same configuration object until site.yaml changes
        text = (self.site / "site.yaml").read_text()
        if self.config is None or self.config[0] != text:
            self.config = (text, load_config(self.site))
        return rebuild_site(self.site, self.config[1], self.cache, self.target,
                            refit_topics=refit, changed=changed)

    def assert_same_as_clean_build(self) -> None:
        config = replace(load_config(self.site), output_dir="clean")
        result = build_site(self.site, config)
        assert result.ok, result.diagnostics
        clean = self.site / "clean"
        expected, actual = tree(clean), tree(self.target)
        assert sorted(actual) == sorted(expected)
        different = [name for name in expected if expected[name] != actual[name]]
        assert different == []
        assert folders(self.target) == folders(clean)  # no empty folders left behind


@pytest.fixture
def work(tmp_path: Path) -> Workspace:
    work = Workspace(tmp_path)
    assert work.rebuild().ok
    return work


EDITS = {
    "upvotes": ("content/2024-03/attention.md", "upvotes: 42", "upvotes: 7"),
    "new tag": ("content/2024-03/attention.md", "tags: [transformers, NLP]",
                "tags: [transformers, NLP, brand-new]"),
    "date moves digests and archive": ("content/adam.yaml", "date: 2024-03-10",
                                       "date: 2024-03-13"),
    "title": ("content/2024-03/attention.md", 'title: "Attention Is All You Need"',
              'title: "Attention Is Mostly What You Need"'),
    "template": ("themes/mine/templates/tag.html", "{% block content %}",
                 "{% block content %}<p>edited</p>"),
    "partial": ("themes/mine/templates/partials/paper_card.html", "<", "<!-- edited -->\n<"),
    "stylesheet": ("themes/mine/static/style.css", "", "/* edited */\n"),
    "e-mail template": ("themes/mine/templates/email/issue.txt", "{{ email.intro }}",
                        "Edited: {{ email.intro }}"),
    "site.yaml": ("site.yaml", "title: Fixture Digest", "title: Edited Digest"),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_rebuild_after_edit_is_byte_identical_to_clean_build(work: Workspace, edit) -> None:
    work.edit(*edit)
    result = work.rebuild()
    assert result.ok, result.diagnostics
    assert result.files > 0
    work.assert_same_as_clean_build()


ENTRY_EDITS = {name: edit for name, edit in EDITS.items() if edit[0].startswith("content/")}
ENTRY_EDITS["abstract"] = ("content/2024-03/bert.md", "We introduce", "We present")
ENTRY_EDITS["tag removed"] = ("content/2024-03/bert.md", "tags: [transformers, nlp, pretraining]",
                              "tags: [transformers, pretraining]")
ENTRY_EDITS["list file"] = ("content/lists/vision.yaml", "tags: [vision]\n",
                            "tags: [vision, resnet]\n")


@pytest.mark.parametrize("edit", ENTRY_EDITS.values(), ids=ENTRY_EDITS.keys())
def test_rebuild_told_which_entry_changed_is_byte_identical(work: Workspace, edit) -> None:
    """As paperboy serve does when watchdog names the saved files: twice, so the second
    rebuild starts from state the first one updated."""
    rel, old, new = edit
    for before, after in ((old, new), (new, old)):  # and back
        work.edit(rel, before, after)
        result = work.rebuild(changed=(rel,))
        assert result.ok, result.diagnostics
        assert result.files > 0
        work.assert_same_as_clean_build()


def test_rebuild_told_of_a_deleted_entry_is_byte_identical(work: Workspace) -> None:
    (work.site / "content/2024-03/sgd.md").unlink()
    assert work.rebuild(changed=("content/2024-03/sgd.md",)).ok
    work.assert_same_as_clean_build()


def test_rebuild_picks_up_new_and_deleted_files(work: Workspace) -> None:
    (work.site / "content/2024-03/sgd.md").unlink()
    (work.site / "content/new.md").write_text(
        "---\ntitle: A Brand New Paper On Attention\ndate: 2024-03-14\ntags: [fresh]\n---\n"
        "Attention models for transformers, freshly added.\n")
    assert work.rebuild().ok
    assert (work.target / "papers/a-brand-new-paper-on-attention/index.html").is_file()
    assert not any("fresh" not in p and "sgd" in p for p in tree(work.target) if "papers/" in p)
    work.assert_same_as_clean_build()


def test_rebuild_rewrites_only_the_pages_that_show_the_entry(work: Workspace) -> None:
    before = inodes(work.target)
    work.edit("content/adam.yaml", "submitted_by: a reading group", "submitted_by: someone")
    result = work.rebuild()
    assert result.ok
    after = inodes(work.target)
    # the search bundle is rebuilt whole after any change (pagefind/), so it is left out
    rewritten = {name for name in after if after[name] != before.get(name)
                 and not name.startswith("pagefind/")}
    assert rewritten == {"papers/adam-a-method-for-stochastic-optimization/index.html"}
    assert result.files == 1


def test_rebuild_of_upvotes_rewrites_lists_but_not_unrelated_papers(work: Workspace) -> None:
    before = inodes(work.target)
    work.edit("content/2024-03/attention.md", "upvotes: 42", "upvotes: 3")
    assert work.rebuild().ok
    after = inodes(work.target)
    # the search bundle is rebuilt whole after any change (pagefind/), so it is left out
    rewritten = {name for name in after if after[name] != before.get(name)
                 and not name.startswith("pagefind/")}
    assert "papers/1706.03762/index.html" in rewritten
    assert "digests/2024-03-12/index.html" in rewritten
    assert "tags/transformers/index.html" in rewritten
    assert "tags/optimization/index.html" not in rewritten
    assert "sitemap.xml" not in rewritten and "404.html" not in rewritten
    work.assert_same_as_clean_build()


def test_template_edit_rerenders_only_pages_using_it(work: Workspace) -> None:
    before = inodes(work.target)
    work.edit("themes/mine/templates/tag.html", "{% block content %}",
              "{% block content %}<p>edited</p>")
    assert work.rebuild().ok
    after = inodes(work.target)
    # the search bundle is rebuilt whole after any change (pagefind/), so it is left out
    rewritten = {name for name in after if after[name] != before.get(name)
                 and not name.startswith("pagefind/")}
    assert rewritten and all(name.startswith("tags/") and name != "tags/index.html"
                             for name in rewritten)


def test_unchanged_sources_rewrite_nothing(work: Workspace) -> None:
    before = inodes(work.target)
    result = work.rebuild()
    assert result.ok and result.files == 0
    assert inodes(work.target) == before


def test_failed_rebuild_keeps_the_last_good_site_and_recovers(work: Workspace) -> None:
    good = tree(work.target)
    work.edit("content/adam.yaml", "date: 2024-03-10", "date: 10/03/2024")
    result = work.rebuild()
    assert not result.ok
    assert any(d.path == "content/adam.yaml" and d.line == 2 for d in result.diagnostics)
    assert tree(work.target) == good
    work.edit("content/adam.yaml", "date: 10/03/2024", "date: 2024-03-09")
    assert work.rebuild().ok
    work.assert_same_as_clean_build()


def test_broken_template_reports_its_line_and_recovers(work: Workspace) -> None:
    good = tree(work.target)
    work.edit("themes/mine/templates/tag.html", "{% block content %}",
              "{% block content %}{% if %}")
    result = work.rebuild()
    assert not result.ok
    assert [d.path for d in result.diagnostics] == ["themes/mine/templates/tag.html"]
    assert tree(work.target) == good
    work.edit("themes/mine/templates/tag.html", "{% if %}", "")
    assert work.rebuild().ok
    work.assert_same_as_clean_build()


def test_topics_are_not_refitted_unless_titles_or_abstracts_change(
        work: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    fits = []
    real = topics_module.cluster_topics
    monkeypatch.setattr(topics_module, "cluster_topics",
                        lambda *a, **k: fits.append(1) or real(*a, **k))
    work.edit("content/adam.yaml", "date: 2024-03-10", "date: 2024-03-13")
    work.edit("content/2024-03/attention.md", "upvotes: 42", "upvotes: 1")
    assert work.rebuild(refit=False).ok
    assert fits == []
    work.edit("content/2024-03/attention.md", "Attention Is All", "Attention Is Not All")
    assert work.rebuild(refit=False).ok  # serving: a cheap assignment
    assert fits == []
    page = (work.target / "papers/1706.03762/index.html").read_text()
    assert "Attention Is Not All You Need" in page
    work.edit("content/2024-03/attention.md", "Is Not All", "Is Really All")
    assert work.rebuild(refit=True).ok
    assert fits == [1]


def paper(slug: str, title: str, day: int) -> Paper:
    return Paper(slug, title, "abstract text", dt.date(2024, 3, day), SourceRef(f"{slug}.md"))


def vision_and_language(vision: tuple[str, ...]) -> TopicModel:
    """Two topics: papers a and b (in the order given) on vision, c on language."""
    return TopicModel(
        (Topic("vision", "Vision", ("image", "segmentation"), vision),
         Topic("language", "Language", ("language", "translation"), ("c",))),
        MappingProxyType({"a": "vision", "b": "vision", "c": "language"}),
        MappingProxyType({"a": ("b",), "b": ("a",), "c": ()}))


def test_assign_topics_places_new_paper_by_shared_terms_and_drops_deleted() -> None:
    model = vision_and_language(("a", "b"))
    old = {"a": ("Image nets", "x"), "b": ("Segmentation", "x"), "c": ("Language", "x")}
    papers = [paper("a", "Image nets", 1), paper("c", "Language", 2),
              paper("d", "Machine translation of language", 3)]
    new = {p.slug: (p.title, p.abstract) for p in papers}
    result = assign_topics(model, old, new, papers, related_count=3)
    assert dict(result.topic_of) == {"a": "vision", "c": "language", "d": "language"}
    assert [t.papers for t in result.topics] == [("d", "c"), ("a",)]  # biggest first
    assert result.related["d"] == ("c",) and result.related["a"] == ()


def test_reuse_topics_keeps_the_model_object_unless_a_paper_moves() -> None:
    model = vision_and_language(("b", "a"))
    config = load_config(SITES / "full")
    papers = [paper("a", "Image nets", 1), paper("b", "Segmentation", 2),
              paper("c", "Language", 3)]
    cache = RebuildState()
    remember_topics(cache, papers, config, model)
    stays = [paper("a", "Image nets, edited", 1), *papers[1:]]
    kept = reuse_topics(cache, stays, config, refit=False)
    assert kept is model
    assert kept == assign_topics(model, cache.topic_texts, {p.slug: (p.title, p.abstract)
                                                            for p in stays}, stays, 3)
    moves = [paper("a", "Language translation", 1), *papers[1:]]
    moved = reuse_topics(cache, moves, config, refit=False)
    assert moved is not model and moved.topic_of["a"] == "language"


def test_removing_a_rename_from_site_yaml_while_serving_restores_the_generated_label(
        tmp_path: Path) -> None:
    work = Workspace(tmp_path)
    assert work.rebuild().ok
    topic = work.cache.topic_model.topics[0]
    generated = topic.label
    text = (work.site / "site.yaml").read_text()
    (work.site / "site.yaml").write_text(
        text.replace("topics:\n", f"topics:\n  renames:\n    {topic.slug}: Hand-picked label\n"))
    work.cache = RebuildState()  # serve started with the rename in site.yaml
    assert work.rebuild().ok
    page = (work.target / f"topics/{topic.slug}/index.html").read_text()
    assert "Hand-picked label" in page
    (work.site / "site.yaml").write_text(text)  # the rename removed while serving
    assert work.rebuild(refit=False).ok
    for name in (f"topics/{topic.slug}/index.html", f"topics/{topic.slug}/feed.xml"):
        shown = (work.target / name).read_text()
        assert "Hand-picked label" not in shown and generated in shown, name
    work.assert_same_as_clean_build()
