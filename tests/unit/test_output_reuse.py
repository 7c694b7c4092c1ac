"""Output files reused across builds (generator/reuse.py): after every kind of edit a cached
build writes the bytes of a build without cache, makes only the outputs the edit reaches and
hard-links the others from the build cache; a forged record or a damaged, symlinked or
unlinkable blob is a miss, never a crash or other bytes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from generator.cache import DiskCache, site_cache_folder
from generator.config import load_config
from generator.models import OutputFile, Paper, SourceRef
from generator.pipeline import NO_TOPICS, BuildResult, build_site, load_theme, output_reuse
from generator.render import write_routes
from generator.reuse import Digester, OutputStore, Unkeyable
from generator.site import SHARED_VIEWS, plan_site
from tests.conftest import REPO, SITES

ADAM = "papers/adam-a-method-for-stochastic-optimization/index.html"
SPACES = ("pages", "emails", "exports")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def blobs(site_root: Path, space: str) -> list[Path]:
    return sorted(p for p in (site_cache_folder(site_root) / "blobs" / space).rglob("*")
                  if p.is_file() or p.is_symlink())


class Site:
    """The fixture site with a theme of its own; every build starts without output/, as in CI
    (the build cache restored, the output not)."""

    def __init__(self, root: Path) -> None:
        self.root = root / "site"
        shutil.copytree(SITES / "full", self.root)
        shutil.copytree(REPO / "themes/default", self.root / "themes/mine")
        yaml = self.root / "site.yaml"
        yaml.write_text(yaml.read_text() + "theme: mine\n")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    def build(self, cache: bool = True, output: str = "output",
              keep_output: bool = False) -> BuildResult:
        if not keep_output:
            shutil.rmtree(self.root / output, ignore_errors=True)
        config = replace(load_config(self.root), output_dir=output)
        result = build_site(self.root, config, cache=cache)
        assert result.ok, result.diagnostics
        return result

    def assert_same_as_uncached_build(self) -> None:
        self.build(cache=False, output="clean")
        expected, actual = tree(self.root / "clean"), tree(self.root / "output")
        assert sorted(actual) == sorted(expected)
        assert [name for name in expected if expected[name] != actual[name]] == []


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    first = site.build()
    assert first.counts["pages reused"] == 0 and first.counts["pages rendered"] > 20
    assert first.counts["files linked"] == 0
    return site


NEW_PAPER = ("---\ntitle: Attention Transformers For Sequence Transduction Revisited\n"
             "date: 2024-03-14\ntags: [transformers]\nauthors: [A. Newcomer]\n---\n"
             "The Transformer, based solely on attention mechanisms, revisited for sequence "
             "transduction and machine translation with self-attention.\n")

EDITS = {
    "title": ("content/2024-03/attention.md", 'title: "Attention Is All You Need"',
              'title: "Attention Is Mostly What You Need"'),
    "abstract": ("content/2024-03/bert.md", "We introduce", "We present"),
    "authors": ("content/adam.yaml", "authors: [Diederik P. Kingma, Jimmy Ba]",
                "authors: [Diederik P. Kingma, Jimmy Ba, A. Third]"),
    "submitted by": ("content/adam.yaml", "submitted_by: a reading group",
                     "submitted_by: someone"),
    "upvotes": ("content/2024-03/attention.md", "upvotes: 42", "upvotes: 7"),
    "new tag": ("content/2024-03/attention.md", "tags: [transformers, NLP]",
                "tags: [transformers, NLP, brand-new]"),
    "tag removed": ("content/2024-03/bert.md", "tags: [transformers, nlp, pretraining]",
                    "tags: [transformers, pretraining]"),
    "date": ("content/adam.yaml", "date: 2024-03-10", "date: 2024-03-13"),
    "page template": ("themes/mine/templates/tag.html", "{% block content %}",
                      "{% block content %}<p>edited</p>"),
    "partial": ("themes/mine/templates/partials/paper_card.html", "<", "<!-- edited -->\n<"),
    "base template": ("themes/mine/templates/base.html", "</footer>", "edited</footer>"),
    "e-mail template": ("themes/mine/templates/email/issue.txt", "", "Edited.\n"),
    "stylesheet": ("themes/mine/static/style.css", "", "/* edited */\n"),
    "site.yaml": ("site.yaml", "title: Fixture Digest", "title: Edited Digest"),
    "papers per page": ("site.yaml", "papers_per_page: 3", "papers_per_page: 2"),
}


@pytest.mark.slow
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_cached_build_after_edit_is_byte_identical_to_uncached(site: Site, edit) -> None:
    site.edit(*edit)
    result = site.build()
    made = (result.counts["pages rendered"] + result.counts["e-mails rendered"]
            + result.counts["export units made"] + result.counts["feeds made"])
    assert made > 0
    site.assert_same_as_uncached_build()


@pytest.mark.slow
def test_topic_rename_and_a_new_paper_are_byte_identical(site: Site) -> None:
    """A rename shows on every card of the topic; a new paper joins lists, the newest archive
    page and other papers' related lists."""
    slug = sorted(p.name for p in (site.root / "output/topics").iterdir() if p.is_dir())[0]
    site.edit("site.yaml", "topics:\n", f"topics:\n  renames:\n    {slug}: Renamed Topic\n")
    site.build()
    site.assert_same_as_uncached_build()
    (site.root / "content/new.md").write_text(NEW_PAPER)
    site.build()
    site.assert_same_as_uncached_build()
    assert "Attention Transformers For Sequence" in (
        site.root / "output/archive/index.html").read_text()


@pytest.mark.slow
def test_unchanged_site_makes_nothing_and_one_edit_makes_its_outputs(site: Site) -> None:
    again = site.build()
    assert (again.counts["pages rendered"], again.counts["e-mails rendered"],
            again.counts["export units made"], again.counts["feeds made"]) == (0, 0, 0, 0)
    pages, feeds = again.counts["pages reused"], again.counts["feeds reused"]
    assert feeds > 3  # the site's, and each topic's and tag's
    assert again.counts["files linked"] > pages
    before = tree(site.root / "output")
    site.edit("content/adam.yaml", "submitted_by: a reading group", "submitted_by: someone")
    edited = site.build()
    after = tree(site.root / "output")
    # the paper's own page shows who submitted it; no other page does
    assert [name for name in after if after[name] != before.get(name)
            and name.endswith(".html")] == [ADAM]
    assert (edited.counts["pages rendered"], edited.counts["pages reused"]) == (1, pages - 1)
    assert edited.counts["feeds made"] == 0  # feeds do not show who submitted a paper
    site.assert_same_as_uncached_build()
    # a paper's title is in the site feed and its topic's and tags' feeds (the paper feeds
    # made by units; the digest feed lists issues and is made every build), and in no other
    site.edit(*EDITS["title"])
    retitled = site.build()
    listing = [route for route, text in tree(site.root / "output").items()
               if route.endswith("feed.xml") and not route.startswith("digests/")
               and "Attention Is Mostly" in text.decode()]
    assert retitled.counts["feeds made"] == len(listing) > 1
    assert retitled.counts["feeds reused"] == feeds - len(listing)
    site.assert_same_as_uncached_build()


OLDER_PAPERS = "papers:\n" + "".join(
    f"  - title: Older Transformer Study Number {n}\n    date: 2024-03-0{n}\n"
    f"    authors: [B. Older]\n    tags: [transformers]\n"
    f"    abstract: Attention and transformers for sequence transduction, study {n}.\n"
    for n in range(1, 8))


@pytest.mark.slow
def test_a_new_paper_renders_only_the_pages_whose_bytes_it_changes(site: Site) -> None:
    """A day's paper in a tag and topic of several pages, in a week and month of several
    issues: each page rendered differs from the last build's or is new; the tag's and topic's
    numbered pages and the other issues of the week and month are linked, because nothing
    they are made from (no count) changed."""
    (site.root / "content/older.yaml").write_text(OLDER_PAPERS)
    site.build()
    before = tree(site.root / "output")
    numbered = [name for name in before if name.startswith("tags/transformers/page/")]
    assert numbered  # the tag fills more than its newest page
    (site.root / "content/new.md").write_text(NEW_PAPER)  # the newest date, tag transformers
    added = site.build()
    after = tree(site.root / "output")
    pages = [name for name in after if name.endswith(".html")
             and not name.endswith("/email.html")]  # e-mails are counted apart
    changed = [name for name in pages if after[name] != before.get(name)]
    assert added.counts["pages rendered"] == len(changed)
    assert added.counts["pages reused"] == len(pages) - len(changed)
    assert [name for name in numbered if name in changed] == []
    assert "digests/2024-03-13/index.html" not in changed  # an older issue of the same week
    site.assert_same_as_uncached_build()


@pytest.mark.slow
def test_linked_outputs_are_the_cache_blobs_and_editing_the_output_is_a_miss(
        site: Site) -> None:
    """A reused file is the blob's inode (no copy); a build never writes into it, and an
    output file edited in place afterwards (the same inode) is a miss, not a published edit."""
    good = tree(site.root / "output")
    site.build()
    page = site.root / "output" / ADAM
    kept = {(p.stat().st_dev, p.stat().st_ino) for p in blobs(site.root, "pages")}
    assert (page.stat().st_dev, page.stat().st_ino) in kept
    assert page.stat().st_nlink >= 2
    with page.open("r+b") as handle:  # an edit in place: the blob's bytes change too
        handle.write(b"<!-- edited in output/ -->")
    result = site.build()
    assert result.counts["pages rendered"] == 1
    assert tree(site.root / "output") == good
    site.edit("content/adam.yaml", "submitted_by: a reading group", "submitted_by: someone")
    old_inode = page.stat().st_ino
    site.build(keep_output=True)  # the previous output/ stays beside the staged one
    assert page.stat().st_ino != old_inode
    site.assert_same_as_uncached_build()


@pytest.mark.slow
def test_tampered_symlinked_and_special_blobs_and_forged_records_are_misses(
        site: Site, tmp_path: Path) -> None:
    good = tree(site.root / "output")
    found = {space: blobs(site.root, space) for space in SPACES}
    assert len(found["pages"]) > 20 and found["emails"] and found["exports"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for space, paths in found.items():
        for blob in paths[::3]:  # damaged
            blob.write_bytes(b"<p>planted</p>")
        for n, blob in enumerate(paths[1::3]):  # a symlink to a file with the right bytes
            target = elsewhere / f"{space}-{n}"
            target.write_bytes(blob.read_bytes())
            blob.unlink()
            blob.symlink_to(target)
    os.mkfifo(str(found["pages"][2]) + ".fifo")
    fifo = found["pages"][2]
    fifo.unlink()
    os.replace(str(fifo) + ".fifo", fifo)  # a FIFO must not hang the build
    damaged = site.build()
    assert damaged.counts["pages rendered"] >= len(found["pages"][::3])
    assert damaged.counts["e-mails rendered"] >= 1
    assert damaged.counts["export units made"] >= 1
    assert tree(site.root / "output") == good
    assert not any(p.is_symlink() for p in (site.root / "output").rglob("*"))
    assert all(p.read_bytes() != b"<p>planted</p>" for p in elsewhere.iterdir())
    # The next build finds every blob in order again.
    healed = site.build()
    assert (healed.counts["pages rendered"], healed.counts["export units made"]) == (0, 0)
    assert tree(site.root / "output") == good
    record = site_cache_folder(site.root) / "outputs-pages.json"
    forged = record.read_text().replace('"papers/', '"paperz/', 1)
    assert forged != record.read_text()
    record.write_text(forged)  # the signature no longer matches: every page is a miss
    assert site.build().counts["pages reused"] == 0
    assert tree(site.root / "output") == good
    DiskCache(site_cache_folder(site.root), b"x" * 32).store(  # signed with another key
        "outputs", "exports", {"papers/adam-a-method-for-stochastic-optimization/": [
            "0" * 32, [["index.html", found["pages"][5].name]]]}, keep_only=False)
    assert site.build().counts["export units reused"] == 0
    assert tree(site.root / "output") == good


@pytest.mark.slow
def test_a_cache_on_another_file_system_makes_every_output(tmp_path: Path,
                                                           monkeypatch) -> None:
    """Hard links cannot cross file systems: every output is made and written, correctly."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK) or \
            shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second writable file system here")
    cache = Path(shm, f"paperboy-test-{os.getpid()}")
    monkeypatch.setenv("PAPERBOY_CACHE_DIR", str(cache))
    try:
        site = Site(tmp_path)
        site.build()
        again = site.build()
        assert again.counts["pages reused"] == 0 and again.counts["pages rendered"] > 20
        site.assert_same_as_uncached_build()
    finally:
        shutil.rmtree(cache, ignore_errors=True)


@pytest.mark.slow
def test_blobs_no_longer_named_are_pruned(site: Site) -> None:
    before = {p.name for p in blobs(site.root, "pages")}
    site.edit("content/adam.yaml", "submitted_by: a reading group", "submitted_by: someone")
    site.build()
    after = {p.name for p in blobs(site.root, "pages")}
    assert len(before - after) == 1 and len(after - before) == 1  # Adam's page, old and new


def _paper(slug: str, day: int) -> Paper:
    return Paper(slug=slug, title=f"Title {slug}", abstract=f"Abstract of {slug}.",
                 date=dt.date(2024, 3, day), source=SourceRef(f"content/{slug}.md", 1))


def test_forked_workers_link_pages_with_the_same_bytes(tmp_path: Path) -> None:
    config = load_config(SITES / "full")
    papers = tuple(_paper(f"p{n}", 1 + n % 20) for n in range(40))
    model = plan_site(config, papers, NO_TOPICS, lazy=True)
    theme = load_theme(SITES / "full", config, model.urls)
    cache = DiskCache(tmp_path / "cache", b"s" * 32)
    outputs = []
    for run in range(2):
        reuse = output_reuse(config, model, theme, cache)
        assert reuse is not None
        folder = tmp_path / f"out{run}"
        folder.mkdir()
        written, problems = write_routes(theme.env, model.routes, SITES / "full", folder,
                                         jobs=2, min_per_worker=1, reuse=reuse.pages)
        assert problems == [] and written == len(model.routes)
        store = reuse.pages.store
        assert (store.made, store.linked) == ((len(model.routes), 0) if run == 0
                                              else (0, len(model.routes)))
        store.save()
        outputs.append(tree(folder))
    assert outputs[0] == outputs[1]


def test_digest_follows_every_field_and_refuses_unknown_values() -> None:
    digester = Digester(SHARED_VIEWS)
    paper = _paper("a", 1)
    same = digester.digest({"paper": paper, "n": (1, "x")})
    assert digester.digest({"paper": _paper("a", 1), "n": (1, "x")}) == same
    for other in ({"paper": replace(paper, title="Other"), "n": (1, "x")},
                  {"paper": paper, "n": (1, "y")}, {"paper": paper, "n": [1, "x"]},
                  {"paper": paper, "n": ("1", "x")}, {"paper": paper, "n": (True, "x")},
                  {"n": (1, "x"), "paper": paper}):
        assert digester.digest(other) != same
    from markupsafe import Markup

    assert digester.digest(Markup("<b>")) != digester.digest("<b>")
    with pytest.raises(Unkeyable):
        digester.digest({"f": len})


def test_output_store_links_a_units_files_by_their_values(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache", b"u" * 32)
    files = [OutputFile(PurePosixPath("papers/a/cite.bib"), b"@article{a}\n"),
             OutputFile(PurePosixPath("papers/a/cite.ris"), b""),
             OutputFile(PurePosixPath("papers/a/cite.json"), "[\"é\"]".encode())]

    def written(name: str) -> Path:
        folder = tmp_path / name
        for file in files:
            (folder / file.path).parent.mkdir(parents=True, exist_ok=True)
            (folder / file.path).write_bytes(file.data)
        return folder

    first = OutputStore(cache, "exports", "salt")
    key = first.key("papers/a/", _paper("a", 1))
    assert not first.link("papers/a/", key, tmp_path / "out0")
    first.keep("papers/a/", key, files, written("out0"))
    first.save()
    again = OutputStore(cache, "exports", "salt")
    out = tmp_path / "out1"
    assert again.link("papers/a/", again.key("papers/a/", _paper("a", 1)), out)
    assert tree(out) == {str(f.path): f.data for f in files}
    assert (again.linked, again.made, again.files_linked) == (1, 0, 3)
    other = tmp_path / "out2"
    assert not again.link("papers/a/", again.key("papers/a/", _paper("a", 2)), other)
    assert not OutputStore(cache, "exports", "other salt").link(
        "papers/a/", OutputStore(cache, "exports", "other salt").key("papers/a/",
                                                                      _paper("a", 1)), other)
    assert not other.exists() or tree(other) == {}
    nowhere = OutputStore(DiskCache(None), "exports", "salt")
    assert not nowhere.link("papers/a/", key, other)
    nowhere.keep("papers/a/", key, files, tmp_path / "out0")
    nowhere.save()  # nothing to write to, and no error


def test_digest_of_plain_dataclasses_follows_every_value_and_its_type() -> None:
    """Dataclasses of text and numbers take a shorter path than the field walk: it must tell
    apart everything the walk does."""
    from markupsafe import Markup

    from generator.site import CitationSource

    digester = Digester()
    source = CitationSource("T", ("A", "B"), "d", "abs", "2024-03-01", "https://x/p/",
                            "Site", "en")
    same = digester.digest(source)
    assert digester.digest(replace(source)) == same
    others = [replace(source, title="T "), replace(source, authors=("A", "B", "")),
              replace(source, authors=("A, B",)), replace(source, arxiv="1"),
              replace(source, arxiv=""), replace(source, keywords=("k",)),
              replace(source, title=Markup("T")), replace(source, authors=["A", "B"]),
              replace(source, abstract="abs\n'\""), replace(source, topic="None")]
    digests = [digester.digest(other) for other in others]
    assert same not in digests and len(set(digests)) == len(digests)
    numbers = [digester.digest(replace(source, title=v)) for v in (1, True, 1.0, "1", None)]
    assert len(set(numbers)) == len(numbers)


def test_digest_of_nested_dataclasses_dates_and_mappings_follows_every_value() -> None:
    """Dates, Markup, nested dataclasses (alone or in tuples) and mappings of plain values also
    take the shorter path: each must stay apart from text that looks the same, and a change
    deep inside must change the digest."""
    from markupsafe import Markup

    digester = Digester()
    paper = _paper("a", 1)
    same = digester.digest(paper)
    others = [replace(paper, date=paper.date + dt.timedelta(days=1)),
              replace(paper, source=SourceRef(paper.source.path, paper.source.line + 1)),
              replace(paper, field_lines={"title": 3}), replace(paper, field_lines={"title": 4}),
              replace(paper, field_lines={"title": "3"}), replace(paper, tags=("x",)),
              replace(paper, title=Markup(paper.title)),
              replace(paper, title=f"b'D{paper.date.isoformat()}'")]
    digests = [digester.digest(other) for other in others]
    assert same not in digests and len(set(digests)) == len(digests)
    assert digester.digest(replace(paper)) == same
    # a tuple of dataclasses, and the same dataclass in another place
    pair, swapped = (paper, others[0]), (others[0], paper)
    assert len({digester.digest(pair), digester.digest(swapped), digester.digest(paper)}) == 3
    assert digester.digest(replace(paper, date=str(paper.date))) != same
