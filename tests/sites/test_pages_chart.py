"""The site page's chart and coverage bar: SVG drawn on the server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from sites.pages.chart import archived_chart
from tests.sites.pages_data import a_site, every_state

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_the_chart_is_valid_svg_with_the_archived_line_and_the_rate_line():
    moments = [START + timedelta(seconds=20 * n) for n in range(30)]
    svg = ET.fromstring(archived_chart(moments, per_minute=4, start=START, total=40,
                                       now=START + timedelta(minutes=12)))  # fmt: skip
    assert svg.tag == f"{SVG}svg" and svg.get("viewBox")
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text
    points = svg.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 31  # the start, then one step per post
    assert svg.find(f"{SVG}line[@class='rate']") is not None


def test_a_rate_line_never_leaves_the_chart():
    """At 60 a minute, 10 posts could be done in 10 s: the line stops at the top."""
    moments = [START + timedelta(minutes=n) for n in range(10)]
    svg = ET.fromstring(archived_chart(moments, per_minute=60, start=START, total=10))
    rate = svg.find(f"{SVG}line[@class='rate']")
    assert float(rate.get("y2")) >= 0 and float(rate.get("x2")) <= 640


def test_thousands_of_posts_make_a_line_of_a_few_hundred_points():
    moments = [START + timedelta(seconds=15 * n) for n in range(10_000)]
    svg = ET.fromstring(archived_chart(moments, per_minute=4, start=START, total=10_000))
    assert len(svg.find(f"{SVG}polyline").get("points").split()) <= 250


def test_nothing_archived_says_so():
    svg = ET.fromstring(archived_chart([], per_minute=4))
    assert "No post archived yet" in "".join(svg.itertext())


@pytest.mark.django_db
def test_the_site_page_embeds_the_chart_and_the_coverage_bar_as_svg(admin_client):
    site = a_site(posts=8)
    every_state(site)
    html = admin_client.get(f"/sites/{site.pk}/").content.decode()
    chart = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') :]
    ET.fromstring(chart[: chart.index("</svg>") + 6])  # well-formed
    bar = html[html.index('<svg class="coverage-bar"') :]
    bar = ET.fromstring(bar[: bar.index("</svg>") + 6])
    widths = {rect.get("class"): float(rect.get("width")) for rect in bar.iter("rect")}
    # captured: 1 captured + 1 archived; stale 1; missing: 2 + pending + failed; gone 1
    assert widths == {"seg-captured": 25.0, "seg-stale": 12.5, "seg-missing": 50.0,
                      "seg-gone": 12.5}  # fmt: skip
