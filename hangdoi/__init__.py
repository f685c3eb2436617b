"""The transactional outbox: background work is a row written with the change that asks for it,
published to the broker after the commit, and published again later if the broker was down."""


def enqueue(task, *args, countdown=None, **kwargs):
    """Queue ``task`` (a Celery task or its name) within the caller's transaction; see services."""
    from .services import enqueue as enqueue_

    return enqueue_(task, *args, countdown=countdown, **kwargs)


def enqueue_many(task, arg_lists):
    """``enqueue`` for many calls of one task: one insert, one publish after the commit."""
    from .services import enqueue_many as enqueue_many_

    return enqueue_many_(task, arg_lists)
