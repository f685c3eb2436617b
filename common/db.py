"""Database helpers shared by the apps."""

import hashlib
import itertools
import re

from django.db import connection


def execute_prepared(cursor, sql: str, params: list):
    """Run `sql` (%s placeholders) as a prepared statement of this database session, named after
    its text: a statement on a hot path (the draft autosave) is planned once a connection instead
    of on every call (planning its joins cost PostgreSQL more than running them). A new connection
    prepares again. Needs a direct session (no pooler in transaction mode), as docker-compose has
    it; elsewhere than PostgreSQL the statement simply runs."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    session, prepared = getattr(connection, "prepared_statements", (None, None))
    if session is not connection.connection:
        session, prepared = connection.connection, set()
        connection.prepared_statements = (session, prepared)
    name = "stmt_" + hashlib.blake2s(sql.encode(), digest_size=8).hexdigest()
    if name not in prepared:
        numbers = itertools.count(1)
        cursor.execute(f"PREPARE {name} AS " + re.sub("%s", lambda _m: f"${next(numbers)}", sql))
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


def from_row(model, fields, values):
    """A model instance from a raw row's values for `fields` (in that order), passed through the
    fields' database converters as the ORM would (a JSON column arrives as text otherwise)."""
    values = list(values)
    for n, f in enumerate(fields):
        for converter in f.get_db_converters(connection):
            values[n] = converter(values[n], f, connection)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


# COPY's text format: backslash, tab and line breaks escaped; \\N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_insert(model, objs, *, batch: int = 20_000) -> list:
    """Insert many new rows of `model` with COPY on PostgreSQL (elsewhere bulk_create). Each row is
    a model instance, whose primary key is then drawn from the table's sequence first and set on
    it, or a dict of attribute names (missing ones take the field's default; the primary key is
    left to the database). auto_now fields are filled as save() would. Django's bulk_create spends
    most of its time building the INSERT's parameters in Python; COPY of the same rows as text
    takes a fraction of it (the member import writes six tables of 50,000 rows in one transaction)."""
    import io
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import models as dj
    from django.utils import timezone

    objs = list(objs)
    if not objs:
        return objs
    plain = isinstance(objs[0], dict)
    meta = model._meta
    if connection.vendor != "postgresql":
        return model.objects.bulk_create([model(**o) for o in objs] if plain else objs, batch_size=2000)
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if not (plain and f.primary_key)]
    now = timezone.now()
    with connection.cursor() as cursor:
        missing = [] if plain else [o for o in objs if o.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        getters = []
        for f in fields:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            if plain:
                default = now if auto else f.get_default()
                get = lambda o, a=f.attname, d=default: o.get(a, d)  # noqa: E731
            else:
                get = (lambda o, f=f: f.pre_save(o, add=True)) if auto else (lambda o, a=f.attname: getattr(o, a))
            if isinstance(f, dj.JSONField):
                get = lambda o, g=get, f=f: _json(g(o), f.encoder or DjangoJSONEncoder, json)  # noqa: E731
            getters.append(get)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        for start in range(0, len(objs), batch):
            lines = ["\t".join([_copy_text(get(obj)) for get in getters]) for obj in objs[start : start + batch]]
            buffer = io.StringIO("\n".join(lines) + "\n")
            # COPY goes to psycopg2's own cursor: Django's error classes (IntegrityError…) only
            # when its wrapper is asked for.
            with connection.wrap_database_errors:
                cursor.copy_expert(f"COPY {meta.db_table} ({columns}) FROM STDIN WITH (FORMAT text)", buffer)
    if not plain:
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias
    return objs


def _json(value, encoder, json):
    return None if value is None else json.dumps(value, cls=encoder)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text
