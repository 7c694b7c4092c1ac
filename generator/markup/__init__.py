"""Markdown and LaTeX from entries to sanitised HTML and plain text. Pure functions, memoised;
``warm`` computes a build's calls on every core ahead of the pages that need them."""

from generator.markup.abstracts import plain_text, render_abstract, render_title
from generator.markup.warm import PendingMarkup, start_markup

__all__ = ["PendingMarkup", "plain_text", "render_abstract", "render_title", "start_markup"]
