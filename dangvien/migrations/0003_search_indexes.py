"""PostgreSQL indexes for national scale: trigram search on the folded name, path prefix."""

from django.db import migrations

from common.migrations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("dangvien", "0002_initial"), ("chibo", "0004_search_indexes")]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX dangvien_member_search_trgm ON dangvien_member USING gin (search_name gin_trgm_ops)",
            "DROP INDEX IF EXISTS dangvien_member_search_trgm",
        ),
        PostgresOnlySQL(
            "CREATE INDEX dangvien_member_org_path_prefix ON dangvien_member (org_path varchar_pattern_ops)",
            "DROP INDEX IF EXISTS dangvien_member_org_path_prefix",
        ),
    ]
