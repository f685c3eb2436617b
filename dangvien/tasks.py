"""Thin Celery tasks: primary keys in, a service call, nothing else."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_letter_batch(batch_id: int) -> int:
    from .services.batches import letter_batch_run

    return letter_batch_run(batch_id).done
