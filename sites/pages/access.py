"""Who sees which site: staff see every site, anyone else the sites they added."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from crawler.models import Site


def visible_sites(user) -> QuerySet[Site]:
    """The sites ``user`` may see and act on, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Site.objects.none()
    if user.is_staff:
        return Site.objects.all()
    return Site.objects.filter(added_by=user)


def visible_site(user, pk: int) -> Site:
    """The site, or a 404: a site someone else added is not shown to exist."""
    site = visible_sites(user).filter(pk=pk).first()
    if site is None:
        raise Http404("No such site.")
    return site


def add_owner(site: Site, user) -> None:
    """``user`` added ``site`` (another person may have added it too)."""
    if getattr(user, "is_authenticated", False):
        site.added_by.add(user)
