"""Themes: the search path, the single Jinja Environment, and content-hashed static assets.

``theme: NAME`` loads ``themes/NAME/`` from the site, falling back to the built-in themes; a
theme's ``theme.yaml`` may say ``extends: default``. Every theme's templates are also reachable
as ``NAME/template.html`` so an override can extend the template it replaces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
import yaml

from generator.diagnostics import UserError

_PACKAGE = Path(__file__).resolve().parent.parent  # generator/
BUILTIN_THEMES = (
    _PACKAGE / "themes",  # installed wheel
    _PACKAGE.parent / "themes",  # source checkout
)
MAX_THEME_DEPTH = 8


@dataclass(frozen=True)
class Theme:
    name: str
    path: Path


@dataclass(frozen=True)
class Asset:
    source: Path
    route: str  # site-relative, e.g. "static/style.3f2a9c1b0d.css"


def find_theme(site_root: Path, name: str) -> Path:
    for root in (site_root / "themes", *BUILTIN_THEMES):
        candidate = root / name
        if (candidate / "templates").is_dir():
            return candidate
    raise UserError(f"site.yaml: error: theme: no theme named '{name}' "
                    f"(looked in {site_root / 'themes'} and the built-in themes)")


def theme_chain(site_root: Path, name: str) -> tuple[Theme, ...]:
    """The theme and its ancestors, most specific first."""
    chain: list[Theme] = []
    while name:
        if any(t.name == name for t in chain) or len(chain) >= MAX_THEME_DEPTH:
            raise UserError(f"themes/{name}/theme.yaml: error: extends: themes extend in a loop")
        path = find_theme(site_root, name)
        chain.append(Theme(name, path))
        name = _parent_name(path)
    if chain[-1].name != "default":
        chain.append(Theme("default", find_theme(site_root, "default")))
    return tuple(chain)


def _parent_name(theme_path: Path) -> str:
    meta = theme_path / "theme.yaml"
    if not meta.is_file():
        return ""
    try:
        data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{meta}: error: {exc}") from None
    parent = data.get("extends", "") if isinstance(data, dict) else ""
    return parent if isinstance(parent, str) else ""


def collect_assets(chain: tuple[Theme, ...]) -> Mapping[str, Asset]:
    """Static files by logical name; a more specific theme's file wins."""
    assets: dict[str, Asset] = {}
    for theme in reversed(chain):
        refuse_symlinks(theme.path)
        static = theme.path / "static"
        if not static.is_dir():
            continue
        for file in sorted(p for p in static.rglob("*") if p.is_file()):
            name = file.relative_to(static).as_posix()
            assets[name] = Asset(file, _hashed_route(name, file.read_bytes()))
    return dict(sorted(assets.items()))


def refuse_symlinks(folder: Path) -> None:
    """A linked file in a theme could publish (or include) a file from outside the site."""
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise UserError(f"{path}: error: is a symbolic link; theme files must be regular "
                            "files")


def _hashed_route(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = PurePosixPath(name)
    return f"static/{path.with_name(f'{path.stem}.{digest}{path.suffix}')}"


def make_environment(chain: tuple[Theme, ...], *,
                     remember_fragments: bool = False) -> jinja2.Environment:
    """One Environment for the whole build: autoescape everywhere, undefined names are errors.
    ``remember_fragments`` (serve): leaf templates remember their output, see fragments.py."""
    dirs = [str(t.path / "templates") for t in chain]
    prefixed = {t.name: jinja2.FileSystemLoader(str(t.path / "templates")) for t in chain}
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(dirs), jinja2.PrefixLoader(prefixed)])
    if remember_fragments:
        from generator.render.fragments import FragmentEnvironment

        environment: type[jinja2.Environment] = FragmentEnvironment
    else:
        environment = jinja2.Environment
    return environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
