"""Index the names of members that existed before the word index."""

from django.db import migrations


def backfill(apps, schema_editor):
    Member = apps.get_model("dangvien", "Member")
    MemberNameWord = apps.get_model("dangvien", "MemberNameWord")
    NameWord = apps.get_model("dangvien", "NameWord")
    from dangvien.namewords import words_of

    batch, vocabulary = [], {}
    for m in Member.objects.only("id", "search_name", "sort_key", "org_path").iterator(chunk_size=2000):
        for word in words_of(m.search_name):
            batch.append(MemberNameWord(member_id=m.pk, word=word, sort_key=m.sort_key, org_path=m.org_path,
                                        search_name=m.search_name))
            vocabulary[word] = vocabulary.get(word, 0) + 1
        if len(batch) >= 5000:
            MemberNameWord.objects.bulk_create(batch)
            batch = []
    MemberNameWord.objects.bulk_create(batch)
    NameWord.objects.bulk_create([NameWord(word=w, frequency=n) for w, n in vocabulary.items()],
                                 ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("dangvien", "0005_name_word_search_index")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
