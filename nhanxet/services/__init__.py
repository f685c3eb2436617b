"""Every write of the yearly evaluation. Each call is one transaction with an audit record; a
refused call leaves the database as it was."""

from ._base import CONCLUSION_PROPOSALS, EvaluationConflict
from .commune import evaluations_confirm, evaluations_forward
from .criteria import criteria_of, criteria_of_pack
from .forms import (
    evaluation_correct,
    evaluation_save,
    evaluations_sign,
    form_context,
    front_meeting_record,
    missing_answers,
)
from .periods import period_for, period_open, request_create
from .ratings import rating_record, rating_scheme_delete, rating_scheme_save
from .workplace import proposal_act, proposal_create

__all__ = [
    "CONCLUSION_PROPOSALS",
    "EvaluationConflict",
    "criteria_of",
    "criteria_of_pack",
    "evaluation_correct",
    "evaluation_save",
    "evaluations_confirm",
    "evaluations_forward",
    "evaluations_sign",
    "form_context",
    "front_meeting_record",
    "missing_answers",
    "period_for",
    "period_open",
    "proposal_act",
    "proposal_create",
    "rating_record",
    "rating_scheme_delete",
    "rating_scheme_save",
    "request_create",
]
