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
