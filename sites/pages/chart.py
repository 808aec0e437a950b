"""The chart of a site's posts archived over time against the rate limit, as SVG.

Drawn here, on the server, as a few lines of markup: no chart library, no
script, nothing fetched from elsewhere. It scales with the page (a
``viewBox``), takes its colours from the page's (``currentColor`` and CSS
classes in sites.css), and says what it shows in ``<title>``/``<desc>``.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from django.utils import formats, timezone
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
MAX_POINTS = 240  # a step line of more points looks no different


def _downsample(points: list[tuple[float, int]]) -> list[tuple[float, int]]:
    if len(points) <= MAX_POINTS:
        return points
    step = len(points) / MAX_POINTS
    kept = [points[int(i * step)] for i in range(MAX_POINTS)]
    return [*kept, points[-1]]


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def archived_chart(
    archived_at: list[datetime], *, per_minute: float, start: datetime | None = None,
    total: int = 0, now: datetime | None = None,
) -> str:  # fmt: skip
    """SVG of the posts archived by each moment (``archived_at``, oldest
    first), with the most the rate limit (``per_minute``) allows since
    ``start`` (the first save) as a dashed line; ``total`` posts tops the scale."""
    now = now or timezone.now()
    label = _("Posts archived over time, against the rate limit")
    if not archived_at:
        return _frame(label, _("No post archived yet."), "")
    start = min(start or archived_at[0], archived_at[0])
    end = max(archived_at[-1], now if len(archived_at) < total else archived_at[-1])
    span = max((end - start).total_seconds(), 1.0)
    top = max(total, len(archived_at), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(seconds: float) -> float:
        return LEFT + plot_w * min(seconds, span) / span

    def y(count: float) -> float:
        return TOP + plot_h * (1 - min(count, top) / top)

    steps = [(0.0, 0)] + [((t - start).total_seconds(), n + 1) for n, t in enumerate(archived_at)]
    line = " ".join(f"{x(s):.1f},{y(n):.1f}" for s, n in _downsample(steps))
    limit_end = min(span, top / (per_minute / 60)) if per_minute > 0 else 0
    limit = (
        f'<line class="rate" x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(limit_end):.1f}" '
        f'y2="{y(limit_end * per_minute / 60):.1f}" stroke-dasharray="6 4"/>'
        if per_minute > 0 else ""
    )  # fmt: skip
    shown = int(per_minute) if float(per_minute).is_integer() else per_minute
    rate_text = _("rate limit: %(rate)s a minute") % {"rate": formats.number_format(shown)}
    base = TOP + plot_h
    body = (
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{LEFT + plot_w}" y2="{base}"/>'
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>'
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>'
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>'
        f'<text x="{LEFT}" y="{HEIGHT - 8}">{escape(_when(start))}</text>'
        f'<text x="{LEFT + plot_w}" y="{HEIGHT - 8}" text-anchor="end">{escape(_when(end))}</text>'
        f"{limit}"
        f'<polyline class="archived" points="{line}"/>'
        f'<text class="legend" x="{LEFT + 8}" y="{TOP + 14}">{escape(rate_text)}</text>'
    )
    description = _("%(n)s of %(total)s posts archived between %(start)s and %(end)s.") % {
        "n": len(archived_at), "total": top, "start": _when(start), "end": _when(end),
    }  # fmt: skip
    return _frame(label, description, body)


def _frame(label: str, description: str, body: str) -> str:
    empty = "" if body else (
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">{escape(description)}</text>'
    )  # fmt: skip
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title><desc>{escape(description)}</desc>{body}{empty}</svg>"
    )
