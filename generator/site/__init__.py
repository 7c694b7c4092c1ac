"""Planning: which pages the site has, at which URLs, and the values each template receives.
Pure: no I/O and no Jinja. ``delta`` re-plans only the pages a local edit reaches."""

from generator.site.issues import Issue
from generator.site.planner import Route, SiteModel, feed_refs, paper_links, plan_site
from generator.site.scholarly import CitationSource
from generator.site.views import SHARED_VIEWS, Link

__all__ = ["SHARED_VIEWS", "CitationSource", "Issue", "Link", "Route", "SiteModel", "feed_refs",
           "paper_links", "plan_site"]
