from celery import shared_task

from .access import access_log_prune


@shared_task
def prune_access_log():
    return access_log_prune()
