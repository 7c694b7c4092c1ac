"""Hostile names: slugs, tags and links never leave output/, collide, or read outside the site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import load_content
from generator.diagnostics import UserError
from generator.render import collect_assets, theme_chain
from generator.slugs import slugify

SAFE_SLUG = re.compile(r"^([a-z0-9]([a-z0-9.-]*[a-z0-9])?)?$")
RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(10)}
NASTY = ["..", "../../etc/passwd", "a/b\\c", "\x00nul", "CON", "con.txt", "Com1", "COM¹", "lpt9.x",
         "x" * 1000, "ѕсhеmа", "Ａｄｍｉｎ", "\u202eevil", ".hidden", "-", "...", "ﬁle", "C:\\x"]


@settings(max_examples=300)
@given(text=st.one_of(st.text(), st.sampled_from(NASTY)), keep_dots=st.booleans())
def test_slugify_any_text_gives_one_safe_path_segment(text: str, keep_dots: bool) -> None:
    slug = slugify(text, keep_dots=keep_dots)

    assert SAFE_SLUG.match(slug), slug
    assert ".." not in slug and len(slug) <= 80
    assert slug.split(".")[0] not in RESERVED
    assert slug == slugify(text, keep_dots=keep_dots)


@pytest.mark.parametrize("text, slug", [
    ("../../etc/passwd", "etc-passwd"), ("CON", "con-x"), ("COM¹", "com1-x"),
    ("Ａｄｍｉｎ", "admin"), ("\u202eevil", "evil"), ("a/b\\c", "a-b-c"), ("..", ""),
])
def test_slugify_normalises_hostile_names(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_keeps_reserved_device_names_out_of_dotted_slugs() -> None:
    assert slugify("CON.0", keep_dots=True) == "con-x.0"
    assert slugify("aux.tar.gz", keep_dots=True) == "aux-x.tar.gz"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def entry(title: str, tags: str = "[]", day: int = 12) -> str:
    return f"title: {title!r}\ndate: 2024-03-{day}\nabstract: x\ntags: {tags}\n"


def test_look_alike_and_case_variant_titles_get_distinct_lowercase_slugs(tmp_path: Path) -> None:
    _write(tmp_path, {"content/a.yaml": entry("Attention"),
                      "content/b.yaml": entry("ＡＴＴＥＮＴＩＯＮ"),
                      "content/c.yaml": entry("Аttention"), "content/d.yaml": entry("x" * 1000)})

    result = load_content(tmp_path)

    slugs = [p.slug for p in result.papers]
    assert result.diagnostics == ()
    assert len({s.casefold() for s in slugs}) == 4  # distinct on case-insensitive file systems
    assert all(SAFE_SLUG.match(s) and len(s) <= 80 for s in slugs)
    assert "attention" in slugs


def test_hostile_tags_become_safe_merged_slugs(tmp_path: Path) -> None:
    tags = '["../../x", "CON", "NLP", "nlp", "Ｎｌｐ", "a\\\\b", "x/y"]'
    _write(tmp_path, {"content/a.yaml": entry("T", tags)})

    (paper,) = load_content(tmp_path).papers

    assert paper.tags == ("a-b", "con-x", "nlp", "x", "x-y")


def test_symlinked_entry_and_folder_are_reported_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(entry("Secret"), encoding="utf-8")
    site = tmp_path / "site"
    _write(site, {"content/ok.yaml": entry("Fine")})
    (site / "content" / "link.yaml").symlink_to(secret)
    (site / "content" / "folder").symlink_to(tmp_path)

    result = load_content(site)

    assert [d.format() for d in result.diagnostics] == [
        f"content/{name}: error: is a symbolic link; entries and their folders must be regular "
        "files inside the site" for name in ("folder", "link.yaml")]
    assert [p.title for p in result.papers] == ["Fine"]


def test_symlink_in_a_theme_is_refused(tmp_path: Path) -> None:
    theme = tmp_path / "themes" / "mine"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "static" / "leak.css").symlink_to("/etc/hostname")

    with pytest.raises(UserError, match=r"leak\.css: error: is a symbolic link"):
        collect_assets(theme_chain(tmp_path, "mine"))
