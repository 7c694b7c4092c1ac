"""site.yaml validation: typed values, defaults, and exact site.yaml:LINE messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.config import SiteConfig, all_option_names, load_config
from generator.diagnostics import UserError


def errors_of(root: Path, text: str, **overrides) -> list[str]:
    (root / "site.yaml").write_text(text)
    with pytest.raises(UserError) as info:
        load_config(root, overrides)
    return [d.format() for d in info.value.diagnostics] or [str(info.value)]


def test_config_defaults_fill_missing_options(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: X\nbase_url: https://u.github.io/repo\n")
    config = load_config(tmp_path)
    assert config.title == "X"
    assert config.base_url == "https://u.github.io/repo/"
    assert config.base_path == "/repo/"
    assert config.papers_per_page == SiteConfig().papers_per_page
    assert config.topics.count is None and config.feeds.rss


def test_config_unknown_key_reports_line_and_suggestion(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "title: X\ntitel: Y\n") == [
        "site.yaml:2: error: titel: unknown option (did you mean 'title'?)"]


def test_config_unknown_section_key_reports_dotted_name(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "feeds:\n  rss: true\n  itmes: 3\n") == [
        "site.yaml:3: error: feeds.itmes: unknown option (did you mean 'feeds.items'?)"]


def test_config_reports_every_problem_at_once(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "base_url: ftp://x\npapers_per_page: 0\nlanguage: 'English!'\n"
                     "topics:\n  count: many\n") == [
        "site.yaml:1: error: base_url: must be an absolute http(s) URL such as "
        "https://user.github.io/repo/, got 'ftp://x'",
        "site.yaml:2: error: papers_per_page: must be between 1 and 10000, got 0",
        "site.yaml:3: error: language: must be a language tag such as 'en' or 'pt-BR', "
        "got 'English!'",
        "site.yaml:5: error: topics.count: must be a whole number, got 'many' (or 'auto')",
    ]


def test_config_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "title: [unclosed\n") == [
        "site.yaml:2:1: error: YAML syntax error: did not find expected ',' or ']'"]


def test_config_output_dir_must_stay_inside_the_site(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "output_dir: ../elsewhere\n") == [
        "site.yaml:1: error: output_dir: must be a folder inside the site, got '../elsewhere'"]


def test_config_command_line_overrides_are_validated(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: X\n")
    config = load_config(tmp_path, {"base_url": "https://a.org/b", "output_dir": "public"})
    # --output names any folder, relative to the current one
    assert (config.base_url, config.output_dir) == ("https://a.org/b/", os.path.abspath("public"))
    assert errors_of(tmp_path, "title: X\n", base_url="not a url") == [
        "command line: error: base_url: must be an absolute http(s) URL such as "
        "https://user.github.io/repo/, got 'not a url'"]


def test_config_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"site.yaml: error: file not found"):
        load_config(tmp_path)


def test_config_renames_are_read(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("topics:\n  renames:\n    rl-agents: Agents\n")
    assert dict(load_config(tmp_path).topics.renames) == {"rl-agents": "Agents"}


def test_config_option_names_are_dotted_for_sections() -> None:
    names = all_option_names()
    assert "base_url" in names and "feeds.items" in names and "topics.count" in names
