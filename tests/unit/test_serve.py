"""The live-reload snippet and error overlay added to served HTML (never to built files)."""

from __future__ import annotations

from generator.serve.server import EVENTS_PATH, inject, live_snippet


def test_inject_puts_the_script_before_the_last_body_end() -> None:
    page = b"<html><body><p>&lt;/body&gt;</p></body></html>"
    result = inject(page, 7, ())
    assert result.startswith(b"<html><body><p>&lt;/body&gt;</p><script id=\"paperboy-live\">")
    assert result.endswith(b"</script>\n</body></html>")
    assert f"{EVENTS_PATH}?epoch=7".encode() in result
    assert b"paperboy-overlay" not in result


def test_inject_appends_to_pages_without_a_body_end() -> None:
    assert inject(b"<p>x</p>", 1, ()).startswith(b"<p>x</p><script")


def test_overlay_escapes_untrusted_messages() -> None:
    error = "content/a.md:3: error: title: bad <script>alert(1)</script> & more"
    snippet = live_snippet(2, (error,))
    assert 'id="paperboy-overlay"' in snippet
    assert "content/a.md:3: error: title: bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" \
        in snippet
    assert "<script>alert" not in snippet
