"""Why a crawl as a whole cannot go on (a page that fails is only counted)."""


class SiteUnreadable(Exception):
    """The blog's first page could not be read: nothing can be crawled."""
