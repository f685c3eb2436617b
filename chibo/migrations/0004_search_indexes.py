"""PostgreSQL indexes: subtree prefix on the path, trigram search on folded names.

Separate from the data load: PostgreSQL refuses CREATE INDEX on a table with pending
deferred-constraint triggers from rows inserted in the same transaction.
"""

from django.db import migrations

from common.migrations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("chibo", "0003_reference_data")]

    operations = [
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        PostgresOnlySQL(
            "CREATE INDEX chibo_org_path_prefix ON chibo_organization (path varchar_pattern_ops)",
            "DROP INDEX IF EXISTS chibo_org_path_prefix",
        ),
        PostgresOnlySQL(
            "CREATE INDEX chibo_org_search_trgm ON chibo_organization USING gin (search_name gin_trgm_ops)",
            "DROP INDEX IF EXISTS chibo_org_search_trgm",
        ),
        PostgresOnlySQL(
            "CREATE INDEX chibo_commune_search_trgm ON chibo_commune USING gin (search_name gin_trgm_ops)",
            "DROP INDEX IF EXISTS chibo_commune_search_trgm",
        ),
    ]
