"""Templates to bytes: the theme search path and its Jinja environment, content-hashed assets,
rendering planned routes on every core (linking unchanged pages from the last build)."""

from generator.render.fingerprints import template_fingerprints
from generator.render.pages import TemplateFailure, asset_url_function, render_route
from generator.render.pool import PageReuse, render_routes, write_routes
from generator.render.themes import Asset, collect_assets, make_environment, theme_chain

__all__ = [
    "Asset",
    "PageReuse",
    "TemplateFailure",
    "asset_url_function",
    "collect_assets",
    "make_environment",
    "render_route",
    "render_routes",
    "template_fingerprints",
    "theme_chain",
    "write_routes",
]
