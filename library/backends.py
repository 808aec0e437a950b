"""Full-text matching, one interface over two databases.

``backend_for(connection).match(entries, terms)`` narrows a queryset of
``Entry`` rows to those holding every term and annotates each with ``relevance``
(higher is better). PostgreSQL matches a ``tsvector`` with a GIN index
(production); SQLite matches its FTS5 table (the embedded default). Both see
the terms ``library.text`` made, so both find the same rows.

Terms never reach the query language as typed: each is quoted here, so a
search for ``a & !b`` or ``"NEAR(`` is a search for words, not an error.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .text import QueryTerm

FTS_TABLE = "library_entry_fts"  # SQLite: the FTS5 table over library_entry.terms
VECTOR_COLUMN = "vector"  # PostgreSQL: the tsvector column on library_entry


class SearchBackend:
    """How one database finds entries holding every term."""

    def match(self, entries: QuerySet, terms: list[QueryTerm]) -> QuerySet:
        raise NotImplementedError


class PostgresBackend(SearchBackend):
    """``to_tsquery('simple', …)`` against the stored ``tsvector``: no stemming
    and no stop words, as the terms are already folded for every language."""

    def match(self, entries: QuerySet, terms: list[QueryTerm]) -> QuerySet:
        query = self.tsquery(terms)
        table = entries.model._meta.db_table
        vector = f'"{table}"."{VECTOR_COLUMN}"'
        hit = RawSQL(f"{vector} @@ to_tsquery('simple', %s)", [query], BooleanField())
        rank = RawSQL(f"ts_rank({vector}, to_tsquery('simple', %s))", [query], FloatField())
        return entries.filter(hit).annotate(relevance=rank)

    @staticmethod
    def tsquery(terms: list[QueryTerm]) -> str:
        """Every term ANDed; a CJK run as the phrase of its bigrams (``<->``:
        next to each other), a single character as a prefix."""

        def quoted(lexeme: str) -> str:
            return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"

        parts = []
        for term in terms:
            if term.cjk and len(term.text) > 1:
                parts.append("(" + " <-> ".join(quoted(b) for b in term.bigrams) + ")")
            elif term.cjk:
                parts.append(quoted(term.text) + ":*")
            else:
                parts.append(quoted(term.text))
        return " & ".join(parts)


class SQLiteBackend(SearchBackend):
    """An FTS5 ``MATCH`` over the external-content table; ``bm25`` as the rank."""

    def match(self, entries: QuerySet, terms: list[QueryTerm]) -> QuerySet:
        table = entries.model._meta.db_table
        # A join, not a subquery per row: FTS5 reads each term's list once and
        # gives every row its bm25 as it goes (a correlated subquery re-reads
        # the list for each row: seconds for a common word in 5,000 entries).
        return entries.extra(
            tables=[FTS_TABLE],
            where=[f'{FTS_TABLE}.rowid = "{table}"."summary_id"', f"{FTS_TABLE} MATCH %s"],
            params=[self.fts_query(terms)],
            select={"relevance": f"-{FTS_TABLE}.rank"},  # bm25: lower is better
        )

    @staticmethod
    def fts_query(terms: list[QueryTerm]) -> str:
        """Every term ANDed (FTS5's implicit AND), each one a quoted string."""

        def quoted(text: str) -> str:
            return '"' + text.replace('"', '""') + '"'

        parts = []
        for term in terms:
            if term.cjk and len(term.text) > 1:
                parts.append(quoted(" ".join(term.bigrams)))
            elif term.cjk:
                parts.append(quoted(term.text) + "*")
            else:
                parts.append(quoted(term.text))
        return " ".join(parts)


_BACKENDS: dict[str, type[SearchBackend]] = {
    "postgresql": PostgresBackend,
    "sqlite": SQLiteBackend,
}


def backend_for(alias: str = "default") -> SearchBackend:
    vendor = connections[alias].vendor
    try:
        return _BACKENDS[vendor]()
    except KeyError:
        raise NotImplementedError(f"the library has no full-text search on {vendor}") from None
