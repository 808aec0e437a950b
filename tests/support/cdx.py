"""The CDX server's query language, over a stand-in's captures.

What the crawler needs, as the Archive's server does it: exact and prefix
queries (``url=host/path/*`` or ``matchType=prefix``), ``fl=``, repeated
``filter=field:regex`` (``!`` negates), ``collapse=urlkey`` (the first row of
each run of one URL), ``from=``, ``limit=`` (negative: the last N), and
paging with ``showResumeKey``/``resumeKey`` at the server's own page size.
Rows come sorted by URL key, then timestamp, like the real index, whose key
is lower-cased (SURT): a query matches captures whatever their letter case.
``parse_recorded`` reads the Archive's own answers (its plain-text rows, as
recorded under ``tests/support/recorded/``) into rows this stand-in serves.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

DEFAULT_FIELDS = "urlkey,timestamp,original,mimetype,statuscode,digest"


@dataclass(frozen=True, order=True)
class Row:
    urlkey: str
    timestamp: str
    original: str
    mimetype: str = "text/html"
    statuscode: str = "200"
    digest: str = "-"

    def get(self, name: str) -> str:
        return getattr(self, name, "-") if name in Row.__dataclass_fields__ else "-"


def urlkey(url: str) -> str:
    """A URL as the index sorts it: no scheme, no ``www.``, no ``:80``, all
    lower case (the real key, ``gov,nasa)/%e2%80%a2``, is lower-cased too)."""
    bare = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.I)
    host, _, rest = bare.partition("/")
    host = host.lower().removeprefix("www.").removesuffix(":80").removesuffix(":443")
    return (f"{host}/{rest}" if rest else host).lower()


def parse_recorded(text: str) -> list[Row]:
    """The rows of a recorded plain-text CDX answer (``urlkey timestamp
    original mimetype statuscode digest length`` a line; ``#`` lines are
    notes, and the blank line and resume key after the rows are dropped)."""
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 6 or line.startswith("#"):
            continue
        _, stamp, original, mimetype, status, digest = fields[:6]
        rows.append(Row(urlkey(original), stamp, original, mimetype, status, digest))
    return sorted(rows)


def answer(rows: list[Row], query: dict[str, str], filters: list[str], page_size: int) -> list:
    """The JSON table for one request; ``rows`` sorted by (urlkey, timestamp)."""
    url, prefix = query.get("url", ""), query.get("matchType") == "prefix"
    if url.endswith("*"):
        url, prefix = url[:-1], True
    key = urlkey(url)
    start = bisect_left(rows, (key, ""), key=_order)
    if resume := query.get("resumeKey"):
        resume_key, _, resume_ts = resume.rpartition(" ")
        start = max(start, bisect_left(rows, (resume_key, resume_ts), key=_order))
    limit = int(query.get("limit", "0") or 0)
    cap = min(limit, page_size) if limit > 0 else page_size
    fields = query.get("fl", DEFAULT_FIELDS).split(",")
    chosen, last, index = [], None, start

    def inside(at: int) -> bool:
        found = rows[at].urlkey if at < len(rows) else None
        return found is not None and (found.startswith(key) if prefix else found == key)

    while inside(index) and len(chosen) < cap:
        row = rows[index]
        index += 1
        if row.timestamp < query.get("from", "") or not _passes(row, filters):
            continue
        if query.get("collapse") == "urlkey" and row.urlkey == last:
            continue
        last = row.urlkey
        chosen.append(row)
    if query.get("collapse") == "urlkey":  # the next page starts at the next URL
        while index < len(rows) and rows[index].urlkey == last:
            index += 1
    if limit < 0:
        chosen = chosen[limit:]
    table = [[row.get(f) for f in fields] for row in chosen]
    if query.get("showResumeKey") == "true" and inside(index):
        table += [[], [f"{rows[index].urlkey} {rows[index].timestamp}"]]
    return [fields, *table] if table else []


def _order(row: Row) -> tuple[str, str]:
    return row.urlkey, row.timestamp


def _passes(row: Row, filters: list[str]) -> bool:
    for spec in filters:
        negate = spec.startswith("!")
        name, _, pattern = spec.lstrip("!").partition(":")
        if bool(re.fullmatch(pattern, row.get(name))) == negate:
            return False
    return True
