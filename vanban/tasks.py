"""Thin Celery tasks: primary keys in, a service call, nothing else."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def render_document(document_id: int) -> str:
    from .services import document_render

    return document_render(document_id).sha256


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def render_documents(document_ids: list[int]) -> int:
    """A few documents per task: fewer round trips through the broker for bulk issues."""
    from .services import document_render

    for document_id in document_ids:
        document_render(document_id)
    return len(document_ids)
