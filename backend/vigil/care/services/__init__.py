"""Writes of services and referrals. Each is one transaction with its audit event."""

from vigil.care.services.referral import (
    REFERRAL_INITIAL_STATUSES,
    NewReferral,
    StatusRefused,
    referral_create,
    referral_snapshot,
    referral_status_change,
    referral_update,
    referral_void,
)
from vigil.care.services.service import (
    NewService,
    service_create,
    service_snapshot,
    service_update,
    service_void,
)

__all__ = [
    "REFERRAL_INITIAL_STATUSES",
    "NewReferral",
    "NewService",
    "StatusRefused",
    "referral_create",
    "referral_snapshot",
    "referral_status_change",
    "referral_update",
    "referral_void",
    "service_create",
    "service_snapshot",
    "service_update",
    "service_void",
]
