"""Templates to bytes: the theme search path and its Jinja environment, content-hashed assets,
and rendering planned routes on every core."""

from generator.render.pages import TemplateFailure, asset_url_function, render_route
from generator.render.pool import render_routes, write_routes
from generator.render.themes import Asset, collect_assets, make_environment, theme_chain

__all__ = [
    "Asset",
    "TemplateFailure",
    "asset_url_function",
    "collect_assets",
    "make_environment",
    "render_route",
    "render_routes",
    "theme_chain",
    "write_routes",
]
