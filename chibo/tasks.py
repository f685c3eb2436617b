"""Thin Celery tasks: primary keys in, a service call, nothing else."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_meeting_invitations(meeting_id: int) -> int:
    from .services.branches import meeting_invitations_send

    return meeting_invitations_send(meeting_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_meeting_invitations_many(meeting_ids: list[int]) -> int:
    """The reminder sweep's catch-up: many meetings in one task (each sent once, see the service)."""
    from .services.branches import meeting_invitations_send

    return sum(meeting_invitations_send(pk) for pk in meeting_ids)


@shared_task(acks_late=True)
def send_absence_notifications(notice_ids: list[int]) -> int:
    from .services.branches import absence_notifications_send

    return absence_notifications_send(notice_ids)
