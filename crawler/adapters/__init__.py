"""Platform adapters, by name, and the order detection tries them in.

Cheap, certain signs (the host, markers on the first page) come first;
adapters that must probe the site (sitemap, feed) next; the link crawl,
which fits every site, last. ``wayback`` reads the Archive's index, not
the site: it is never detected, only named or fallen back on.
"""

from __future__ import annotations

from .base import Adapter, Listing
from .blogger import Blogger
from .feed import Feed
from .links import Links
from .sitemap import Sitemap
from .wayback import Wayback
from .wordpress import WordPress
from .xuite import Xuite

ADAPTERS: dict[str, type[Adapter]] = {
    adapter.name: adapter for adapter in (Xuite, WordPress, Blogger, Sitemap, Feed, Links, Wayback)
}
DETECTION_ORDER = ("xuite", "wordpress", "blogger", "sitemap", "feed", "links")

__all__ = ["ADAPTERS", "DETECTION_ORDER", "Adapter", "Listing"]
