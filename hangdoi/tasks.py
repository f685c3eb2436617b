"""Beat's entry points for the outbox: publish what the broker missed, recover what a dead worker
or an emptied broker lost."""

from celery import current_app, shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_outbox() -> int:
    from .services import outbox_deliver

    return outbox_deliver()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recover_outbox() -> int:
    from .services import outbox_clean, outbox_deliver, outbox_recover

    alive = [name for reply in current_app.control.ping(timeout=2.0) for name in reply]
    with current_app.connection_for_write() as conn:
        queue = current_app.conf.task_default_queue
        # Not passive: with Redis an empty queue is no key at all, which a passive declare refuses.
        _, waiting, _ = conn.default_channel.queue_declare(queue=queue)
    recovered = outbox_recover(alive=alive, queue_empty=not waiting)
    outbox_clean()
    outbox_deliver()
    return recovered
