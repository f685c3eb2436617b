"""Yearly evaluation (nhận xét, Mẫu 3-213): criteria as versioned data, periods, forms and their
sign → confirm → forward workflow, requests from the workplace, proposals and quality ratings."""

from .criteria import CriteriaSet, CriteriaUse, Criterion, Evidence
from .forms import (
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    EvaluationStatus,
    FrontMeeting,
    PeriodScope,
    RequestPurpose,
)
from .ratings import QualityRating, RatingScheme
from .workplace import Proposal, ProposalAction, ProposalKind

__all__ = [
    "CriteriaSet",
    "CriteriaUse",
    "Criterion",
    "Evaluation",
    "EvaluationPeriod",
    "EvaluationRequest",
    "EvaluationStatus",
    "Evidence",
    "FrontMeeting",
    "PeriodScope",
    "Proposal",
    "ProposalAction",
    "ProposalKind",
    "QualityRating",
    "RatingScheme",
    "RequestPurpose",
]
