"""Inserting many rows fast: PostgreSQL ``COPY`` for nightly batches, ``bulk_create`` elsewhere.

``bulk_create`` on PostgreSQL sends the rows as arrays quoted by the driver in Python, which
costs more than the database's own work for wide rows (a notice with its rendered text).
``copy_insert`` takes the primary keys from the table's sequence in one query, sets them on
the objects (callers refer to them afterwards, as with ``bulk_create``), and streams the rows
with ``COPY``, the values prepared by each field exactly as a save would prepare them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


def copy_insert(model: type[M], objs: Sequence[M]) -> list[M]:
    """Insert unsaved ``objs`` of ``model`` (auto primary key); returns them with their keys."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    opts = model._meta
    pk = opts.pk
    assert pk is not None
    fields = [f for f in opts.concrete_fields if f is not pk]
    # Text, integer, boolean and foreign-key values go to the driver as they are (what their
    # preparation would return for values of the right type); other fields prepare as on save.
    plain = tuple(isinstance(f, _PLAIN) and type(f).pre_save is models.Field.pre_save and not f.choices for f in fields)
    table = connection.ops.quote_name(opts.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, pk.column, len(objs)],
        )
        keys = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj, key in zip(objs, keys, strict=True):
                setattr(obj, pk.attname, key)
                row = [key]
                for field, is_plain in zip(fields, plain, strict=True):
                    if is_plain:
                        row.append(getattr(obj, field.attname))
                    else:
                        row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def update_rows(model: type[M], objs: Sequence[M], field_names: Sequence[str]) -> int:
    """``UPDATE`` ``field_names`` of saved ``objs``: one statement per row, sent together
    (``executemany``; a pipeline on PostgreSQL). ``bulk_update``'s CASE expressions cost more
    to build in Python than the rows cost to write. Values are prepared as a save prepares them."""
    objs = list(objs)
    if not objs:
        return 0
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)  # type: ignore[union-attr,arg-type]
    pk = model._meta.pk
    assert pk is not None
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608  # nosec B608 - names from the model
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]  # type: ignore[union-attr]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
