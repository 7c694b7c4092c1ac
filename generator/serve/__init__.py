"""``paperboy serve``: the live preview. Builds into a temporary folder, watches the site,
rebuilds what changed on every save (reusing what did not), refreshes search in the
background and reloads the browser. Sits on top of the build stages; nothing below imports it."""

from generator.serve.server import serve_site
from generator.serve.static_server import make_server

__all__ = ["make_server", "serve_site"]
