"""Thin Celery tasks: an import's primary key in, a service call, nothing else. Both are no-ops
unless the job is in the state that asked for them, so a redelivered task does no harm."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_import(job_id: int) -> str:
    from .services import import_check

    return import_check(job_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True)
def write_import(job_id: int) -> str:
    from .services import import_commit

    return import_commit(job_id).status
