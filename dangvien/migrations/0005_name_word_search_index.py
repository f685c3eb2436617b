"""The ordered word index behind name search (PostgreSQL; SQLite searches with LIKE)."""

from django.db import migrations

from common.migrations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("dangvien", "0004_name_words")]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX dangvien_membernameword_walk ON dangvien_membernameword "
            "(word, sort_key, member_id) INCLUDE (org_path, search_name)",
            "DROP INDEX IF EXISTS dangvien_membernameword_walk",
        ),
    ]
