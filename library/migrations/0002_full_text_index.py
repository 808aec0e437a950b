"""The database's own full-text index over ``library_entry.terms``.

PostgreSQL: a ``tsvector`` column filled by the built-in
``tsvector_update_trigger`` (the 'simple' configuration: ``library.text``
has folded the terms already), under a GIN index. SQLite: an FTS5
external-content table (it stores the index, not a second copy of the
terms), kept in step by triggers. Neither is a Django field, so the model
and its first migration are the same on both.
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE library_entry ADD COLUMN vector tsvector",
    "CREATE INDEX library_entry_vector ON library_entry USING gin (vector)",
    "CREATE TRIGGER library_entry_vector_update BEFORE INSERT OR UPDATE OF terms "
    "ON library_entry FOR EACH ROW "
    "EXECUTE FUNCTION tsvector_update_trigger(vector, 'pg_catalog.simple', terms)",
    # Entries made before this migration (none on a new install) get their vector.
    "UPDATE library_entry SET vector = to_tsvector('pg_catalog.simple', terms)",
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS library_entry_vector_update ON library_entry",
    "ALTER TABLE library_entry DROP COLUMN IF EXISTS vector",
]

SQLITE = [
    # remove_diacritics 0: library.text has folded accents already (and must
    # leave kana's voicing marks alone).
    "CREATE VIRTUAL TABLE library_entry_fts USING fts5(terms, content='library_entry', "
    "content_rowid='summary_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER library_entry_fts_insert AFTER INSERT ON library_entry BEGIN "
    "INSERT INTO library_entry_fts(rowid, terms) VALUES (new.summary_id, new.terms); END",
    "CREATE TRIGGER library_entry_fts_delete AFTER DELETE ON library_entry BEGIN "
    "INSERT INTO library_entry_fts(library_entry_fts, rowid, terms) "
    "VALUES ('delete', old.summary_id, old.terms); END",
    "CREATE TRIGGER library_entry_fts_update AFTER UPDATE OF terms ON library_entry BEGIN "
    "INSERT INTO library_entry_fts(library_entry_fts, rowid, terms) "
    "VALUES ('delete', old.summary_id, old.terms); "
    "INSERT INTO library_entry_fts(rowid, terms) VALUES (new.summary_id, new.terms); END",
    # Entries made before this migration (none on a new install) go in too.
    "INSERT INTO library_entry_fts(library_entry_fts) VALUES ('rebuild')",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS library_entry_fts_insert",
    "DROP TRIGGER IF EXISTS library_entry_fts_delete",
    "DROP TRIGGER IF EXISTS library_entry_fts_update",
    "DROP TABLE IF EXISTS library_entry_fts",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"the library has no full-text index on {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
        ),
    ]
