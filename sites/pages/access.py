"""Who sees which site: staff see every site, anyone else the sites they added."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext

from crawler.models import Site
from crawler.selectors import visible_sites


def visible_site(user, pk: int) -> Site:
    """The site, or a 404: a site someone else added is not shown to exist."""
    site = visible_sites(user).filter(pk=pk).first()
    if site is None:
        raise Http404(gettext("No such site."))
    return site
