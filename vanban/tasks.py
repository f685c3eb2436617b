"""Thin Celery tasks: primary keys in, a service call, nothing else."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def render_document(document_id: int) -> str:
    from .services import document_render

    return document_render(document_id).sha256


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def render_documents(document_ids: list[int]) -> int:
    """A few documents per task: fewer round trips through the broker for bulk issues."""
    from .services import document_render

    failed = []
    for document_id in document_ids:
        try:
            document_render(document_id)
        except OSError:
            failed.append(document_id)
        except Exception:
            # One bad document must not leave the rest of the chunk unrendered.
            logger.exception("Document %s could not be rendered", document_id)
    if failed:
        # Storage or fonts unavailable: retry just those (autoretry_for=OSError).
        raise OSError(f"rendering failed for documents {failed}")
    return len(document_ids)
