"""The name-word index: splitting names into words and keeping the index in step with members."""

import re

from django.db import connection

_NOT_WORD = re.compile(r"[^a-z0-9]")


def words_of(folded: str) -> list[str]:
    """Distinct words of a folded name, letters and digits only."""
    out = []
    for raw in folded.split():
        word = _NOT_WORD.sub("", raw)[:40]
        if word and word not in out:
            out.append(word)
    return out


def values_for(member) -> list[dict]:
    """The index rows of a member, as field values (bulk writers insert them as they are)."""
    return [
        {
            "member_id": member.pk,
            "word": word,
            "sort_key": member.sort_key,
            "org_path": member.org_path,
            "search_name": member.search_name,
        }
        for word in words_of(member.search_name)
    ]


def rows_for(member) -> list:
    from .models import MemberNameWord

    return [MemberNameWord(**values) for values in values_for(member)]


def reindex(members) -> None:
    """Replace the index rows of these members (called inside the services' transactions)."""
    from .models import MemberNameWord, NameWord

    members = list(members)
    MemberNameWord.objects.filter(member_id__in=[m.pk for m in members]).delete()
    rows = [row for m in members for row in rows_for(m)]
    MemberNameWord.objects.bulk_create(rows, batch_size=1000)
    # New words join the vocabulary with frequency 0 (treated as rare until the next refresh).
    NameWord.objects.bulk_create([NameWord(word=w) for w in {r.word for r in rows}], ignore_conflicts=True)


def rewrite_paths(old_prefix: str, new_prefix: str) -> None:
    from .models import MemberNameWord

    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {MemberNameWord._meta.db_table} SET org_path = %s || SUBSTR(org_path, %s) "  # noqa: S608
            "WHERE org_path LIKE %s",
            [new_prefix, len(old_prefix) + 1, old_prefix + "%"],
        )


def refresh_frequencies() -> int:
    """Recount how many members carry each word (a nightly job; counts only steer the search plan)."""
    from .models import MemberNameWord, NameWord

    with connection.cursor() as cur:
        words, counts = NameWord._meta.db_table, MemberNameWord._meta.db_table
        cur.execute(
            f"INSERT INTO {words} (word, frequency) SELECT DISTINCT word, 0 FROM {counts} "  # noqa: S608
            f"ON CONFLICT (word) DO NOTHING"
        )
        cur.execute(
            f"UPDATE {words} w SET frequency = c.n FROM (SELECT word, COUNT(*) AS n FROM {counts} "  # noqa: S608
            f"GROUP BY word) c WHERE c.word = w.word"
        )
        return cur.rowcount
