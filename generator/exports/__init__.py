"""Reference-manager files: BibTeX, RIS and CSL-JSON for each digest issue and topic
(``papers.*`` beside the page); a paper page links its issue's."""

from generator.exports.files import export_units, render_exports
from generator.exports.formats import csl_json_item, render_csl_json, render_ris

__all__ = ["csl_json_item", "export_units", "render_csl_json", "render_exports", "render_ris"]
