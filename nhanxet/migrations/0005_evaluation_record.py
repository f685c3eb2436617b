"""Evaluations grounded in the record: what each criterion is checked against (the seeded sets
marked), the branch's remarks on answers the record contradicts and what was checked at signing,
when a form was first saved (taken from its audit record for the forms made before) and how long
it took to fill (kept at signing)."""

from django.db import migrations, models


def mark_evidence(apps, schema_editor):
    from nhanxet.defaults import seed_evidence

    seed_evidence(apps.get_model("nhanxet", "Criterion"))


def created_from_audit(apps, schema_editor):
    """A form's first save is its audit record's time ('evaluation.create', or 'evaluation.correct'
    for a corrected version); one statement on PostgreSQL, where the data is."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE nhanxet_evaluation e SET created_at = a.at FROM ("
        " SELECT object_id, min(at) AS at FROM nhatky_auditevent"
        " WHERE object_type = 'nhanxet.evaluation' AND action IN ('evaluation.create', 'evaluation.correct')"
        " GROUP BY object_id) a"
        " WHERE a.object_id = e.id::text AND e.created_at IS NULL"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('nhanxet', '0004_rating_schemes'),
        ('nhatky', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='criterion',
            name='evidence',
            field=models.CharField(blank=True, choices=[('', 'Nothing recorded'), ('attendance', "The member's attendance at the branch's meetings"), ('conduct', 'Proposals and notices about the member')], max_length=12, verbose_name='checked against'),
        ),
        migrations.AddField(
            model_name='evaluation',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, null=True, verbose_name='created at'),
        ),
        migrations.AddField(
            model_name='evaluation',
            name='criterion_remarks',
            field=models.JSONField(blank=True, default=dict, verbose_name='remarks on answers against the record'),
        ),
        migrations.AddField(
            model_name='evaluation',
            name='fill_seconds',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='seconds spent filling'),
        ),
        migrations.AddField(
            model_name='evaluation',
            name='record_checks',
            field=models.JSONField(blank=True, default=list, verbose_name='checked against the record'),
        ),
        migrations.AddConstraint(
            model_name='criterion',
            constraint=models.CheckConstraint(condition=models.Q(('evidence__in', ['', 'attendance', 'conduct'])), name='criterion_evidence_valid'),
        ),
        migrations.RunPython(mark_evidence, migrations.RunPython.noop),
        migrations.RunPython(created_from_audit, migrations.RunPython.noop),
    ]
