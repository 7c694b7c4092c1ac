"""Template fingerprints: which pages and files a template edit can change (``paperboy serve``,
and the reuse of outputs across builds, generator/reuse.py)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping

import jinja2
from jinja2 import meta

from generator.render.themes import Asset


def template_fingerprints(env: jinja2.Environment, names: Iterable[str],
                          assets: Mapping[str, Asset]) -> dict[str, str]:
    """sha256 over each template and everything it extends, includes or imports, salted with
    the asset routes (every page links hashed asset names). A template that cannot be read
    or parsed gets a unique value, so its pages are re-rendered and report the error."""
    salt = "\n".join(f"{name}={a.route}" for name, a in sorted(assets.items()))
    result = {}
    for name in sorted(set(names)):
        sources: dict[str, str] = {}
        try:
            complete = _collect_sources(env, name, sources)
        except jinja2.TemplateError:
            result[name] = f"broken:{os.urandom(8).hex()}"
            continue
        if not complete:  # a dynamic {% include var %}: depend on every template
            for other in env.list_templates():
                _collect_sources(env, other, sources)
        digest = hashlib.sha256(salt.encode())
        for ref, text in sorted(sources.items()):
            digest.update(f"\0{ref}\0{text}".encode())
        result[name] = digest.hexdigest()
    return result


def _collect_sources(env: jinja2.Environment, name: str, sources: dict[str, str]) -> bool:
    if name in sources:
        return True
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    sources[name] = source
    complete = True
    for ref in _references(env, source):
        if ref is None or not _collect_sources(env, ref, sources):
            complete = False
    return complete


# template source -> the templates it names. Parsing every template again after each save
# cost more than the rest of a small rebuild; every environment comes from
# themes.make_environment, so the same source always parses the same way.
_REFERENCES: dict[str, tuple[str | None, ...]] = {}


def _references(env: jinja2.Environment, source: str) -> tuple[str | None, ...]:
    found = _REFERENCES.get(source)
    if found is None:
        found = tuple(meta.find_referenced_templates(env.parse(source)))
        if len(_REFERENCES) > 4096:  # edited templates pile up in a long session
            _REFERENCES.clear()
        _REFERENCES[source] = found
    return found
