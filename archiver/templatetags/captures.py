"""The archive request of a URL, for any page that shows that URL.

A template tag, so a page of another app (a summary's) can show where its
URL stands in the Archive without that app's code importing the archiver.
"""

from __future__ import annotations

from django import template

from archiver.models import Capture

register = template.Library()


@register.simple_tag
def latest_capture(url: str) -> Capture | None:
    """The URL's most recent capture request, whatever its state; None if never asked."""
    if not url:
        return None
    return Capture.objects.filter(url=url).order_by("-created_at").first()
