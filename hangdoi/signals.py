"""Worker hooks (framework signals): the outbox's bookkeeping of where each task is, and, when a
worker starts, handing out what its dead predecessor held and what the broker missed."""

import logging

from celery.signals import task_postrun, task_received, worker_ready, worker_shutdown
from celery.states import RETRY

logger = logging.getLogger(__name__)


def _ours(task_id) -> bool:
    from .services import TASK_ID_PREFIX

    return bool(task_id) and task_id.startswith(TASK_ID_PREFIX)


@task_received.connect
def _received(sender=None, request=None, **kwargs):
    if request is not None and _ours(request.id):
        from django.db import close_old_connections

        from .services import outbox_received

        # The worker's main process has no request cycle to drop a connection broken by a
        # database restart; this does, so the next receipt reconnects.
        close_old_connections()
        outbox_received(request.id, request.hostname)


@task_postrun.connect
def _finished(sender=None, task_id=None, task=None, state=None, **kwargs):
    # A retry is the same task id coming back later: not finished yet.
    if state != RETRY and _ours(task_id) and not (task and task.request.is_eager):
        from .services import outbox_finished

        outbox_finished(task_id)


@worker_ready.connect
def _worker_ready(sender=None, **kwargs):
    from django.db import DatabaseError

    from .services import BROKER_DOWN, outbox_deliver, outbox_recover

    try:
        outbox_recover(worker=sender.hostname)
        outbox_deliver()
    except (DatabaseError, *BROKER_DOWN):
        # The worker must start anyway; beat's delivery and recovery will do this later.
        logger.exception("Outbox delivery at worker start failed")


@worker_shutdown.connect
def _worker_shutdown(sender=None, **kwargs):
    from django.db import DatabaseError

    from .services import outbox_released

    try:
        outbox_released(sender.hostname)
    except DatabaseError:
        # Then the next start recovers them: each task may run twice, which they all allow.
        logger.exception("Outbox release at worker shutdown failed")
