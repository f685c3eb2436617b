"""Thin Celery tasks: primary keys in, a service call, nothing else."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_letter_batch(batch_id: int) -> int:
    from .services.batches import letter_batch_run

    return letter_batch_run(batch_id).done


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=600)
def finish_letter_batch(self, batch_id: int) -> bool:
    """Waits (by retrying) until every letter of the batch is rendered, then joins them."""
    from .services.batches import letter_batch_finish

    if not letter_batch_finish(batch_id):
        raise self.retry(countdown=1)
    return True
