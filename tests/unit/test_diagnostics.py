"""Diagnostic formatting: gcc-style lines for people, workflow commands for GitHub."""

from generator.diagnostics import Diagnostic, Diagnostics, Level, summarize


def test_diagnostic_formats_path_line_field_message_and_hint() -> None:
    d = Diagnostic("content/a.md", 4, 0, Level.ERROR, "date", "must be YYYY-MM-DD",
                   "e.g. 2024-03-12")
    assert d.format() == ("content/a.md:4: error: date: must be YYYY-MM-DD\n"
                          "  hint: e.g. 2024-03-12")


def test_diagnostic_github_command_escapes_newlines_and_commas() -> None:
    d = Diagnostic("content/a,b.md", 2, 5, Level.WARNING, "title", "bad\nvalue 100%")
    assert d.format_github() == ("::warning file=content/a%2Cb.md,line=2,col=5::"
                                 "title: bad%0Avalue 100%25")


def test_diagnostics_sort_by_path_then_line_and_summarise() -> None:
    collected = Diagnostics()
    collected.error("content/b.md", 1, "x")
    collected.warning("content/a.md", 9, "y")
    collected.error("content/a.md", 2, "z")
    assert [(d.path, d.line) for d in collected.sorted()] == [
        ("content/a.md", 2), ("content/a.md", 9), ("content/b.md", 1)]
    assert summarize(collected) == "2 errors, 1 warning in 2 files"
    assert collected.has_errors
