"""The published site: home page with the meter, a page per item, short period reports,
Atom feeds, open-data downloads and a Datasette-ready database.

``publish_site(store, out, ...)`` is the one entry point (the ``publish`` command, the
demo and the scheduler call it). One module per concern: ``model`` (what the site says),
``pages`` (HTML and the period reports' Markdown), ``feed``, ``data``, ``database``,
``publish`` (writing only what changed).
"""

from reports.site.publish import PublishResult, publish_site

__all__ = ["PublishResult", "publish_site"]
