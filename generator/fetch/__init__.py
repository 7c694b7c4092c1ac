"""Scheduled imports: `paperboy fetch` brings the new papers of the sources in site.yaml.

The calendar (``calendar``) says which arXiv announcements are due, the sources are read with
the polite HTTP client of the importers, the state file remembers where each source stopped,
and the run report (Markdown and JSON) says what each source gave.
"""

from generator.fetch.calendar import ArxivCalendar
from generator.fetch.report import FetchReport, SourceRun
from generator.fetch.run import Services, run_fetch

__all__ = ["ArxivCalendar", "FetchReport", "Services", "SourceRun", "run_fetch"]
