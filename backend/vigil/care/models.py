"""Services (interventions other than overdose response) and referrals, with their details.

Drug-check results are columns, not rows, so that a report counts fentanyl positives with one
`COUNT(*) FILTER (WHERE fentanyl = 'positive')`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from vigil.records.models import VoidableRecord
from vigil.visits.models import Substance

# A sane upper bound for one supply line: a box of 100 syringes ten times over is already a
# secondary-distribution run; anything larger is a typo (an extra zero) and is refused.
SUPPLY_QUANTITY_MAX = 1000


class ServiceKind(models.TextChoices):
    WOUND_CARE = "wound_care", "Wound care"
    VEIN_CARE = "vein_care", "Vein care"
    FIRST_AID = "first_aid", "First aid"
    HIV_TEST = "hiv_test", "HIV test"
    HCV_TEST = "hcv_test", "Hepatitis C test"
    STI_TEST = "sti_test", "STI test"
    VACCINATION = "vaccination", "Vaccination"
    EDUCATION = "education", "Education"
    COUNSELLING = "counselling", "Counselling"
    PEER_SUPPORT = "peer_support", "Peer support"
    BASIC_NEEDS = "basic_needs", "Basic needs"
    RESPITE = "respite", "Respite"
    NALOXONE_KIT = "naloxone_kit", "Naloxone kit"
    NALOXONE_TRAINING = "naloxone_training", "Naloxone training"
    OAT_START = "oat_start", "OAT start"
    SUPPLIES = "supplies", "Supplies"
    DRUG_CHECKING = "drug_checking", "Drug checking"
    OTHER = "other", "Other"


class Service(VoidableRecord):
    """One intervention for a person (by visit or code) or for someone anonymous."""

    # The time that places the record on a report's day (see vigil.records.recompute).
    REPORT_TIME_FIELD = "at"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="services")
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["site", "at"], name="service_site_day_idx"),
            models.Index(fields=["participant", "at"], name="service_participant_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ServiceKind.values), name="service_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {str(self.id)[:8]} at {self.site_id}"


class TestResult(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    NOT_TESTED = "not_tested", "Not tested"


class DrugCheck(models.Model):
    """What a drug_checking service found, and what the person chose to do."""

    class Method(models.TextChoices):
        FTIR = "ftir", "FTIR spectrometer"
        FENTANYL_STRIP = "fentanyl_strip", "Fentanyl test strip"
        BENZO_STRIP = "benzo_strip", "Benzodiazepine test strip"
        XYLAZINE_STRIP = "xylazine_strip", "Xylazine test strip"
        OTHER = "other", "Other"

    class ClientAction(models.TextChoices):
        DISPOSED = "disposed", "Disposed of it"
        REDUCED_DOSE = "reduced_dose", "Reduced the dose"
        USED_AS_PLANNED = "used_as_planned", "Used as planned"
        UNDECIDED = "undecided", "Undecided"

    TARGETS = ("fentanyl", "benzodiazepine", "xylazine", "nitazene")

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="drug_check"
    )
    expected_substance = models.CharField(max_length=20, choices=Substance.choices)
    method = models.CharField(max_length=16, choices=Method.choices)
    fentanyl = models.CharField(
        max_length=10, choices=TestResult.choices, default=TestResult.NOT_TESTED
    )
    benzodiazepine = models.CharField(
        max_length=10, choices=TestResult.choices, default=TestResult.NOT_TESTED
    )
    xylazine = models.CharField(
        max_length=10, choices=TestResult.choices, default=TestResult.NOT_TESTED
    )
    nitazene = models.CharField(
        max_length=10, choices=TestResult.choices, default=TestResult.NOT_TESTED
    )
    client_action = models.CharField(
        max_length=16, choices=ClientAction.choices, default=ClientAction.UNDECIDED
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    fentanyl__in=TestResult.values,
                    benzodiazepine__in=TestResult.values,
                    xylazine__in=TestResult.values,
                    nitazene__in=TestResult.values,
                ),
                name="drug_check_results_known",
            ),
        ]

    def __str__(self) -> str:
        return f"drug check of {self.service_id}"


class SupplyItem(models.TextChoices):
    SYRINGE = "syringe", "Syringe"
    COOKER = "cooker", "Cooker"
    FILTER = "filter", "Filter"
    WATER = "water", "Water"
    TOURNIQUET = "tourniquet", "Tourniquet"
    ALCOHOL_SWAB = "alcohol_swab", "Alcohol swab"
    PIPE = "pipe", "Pipe"
    FOIL = "foil", "Foil"
    NALOXONE_KIT = "naloxone_kit", "Naloxone kit"
    TEST_STRIP = "test_strip", "Test strip"
    SHARPS_CONTAINER = "sharps_container", "Sharps container"


class SupplyLine(models.Model):
    """One item handed out in a supplies service, with how many."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="supply_lines")
    item = models.CharField(max_length=16, choices=SupplyItem.choices)
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["service", "item"], name="supply_line_item_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=SUPPLY_QUANTITY_MAX),
                name="supply_line_quantity_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.item}"


class ReferralCategory(models.TextChoices):
    OAT = "oat", "Opioid agonist treatment"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management", "Withdrawal management"
    RESIDENTIAL_TREATMENT = "residential_treatment", "Residential treatment"
    ADDICTION_COUNSELLING = "addiction_counselling", "Addiction counselling"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PRIMARY_CARE = "primary_care", "Primary care"
    HIV_HCV_CARE = "hiv_hcv_care", "HIV or hepatitis C care"
    HOUSING = "housing", "Housing"
    INCOME_SOCIAL = "income_social", "Income and social services"
    LEGAL = "legal", "Legal"
    IDENTIFICATION = "identification", "Identification"
    FOOD_BASIC_NEEDS = "food_basic_needs", "Food and basic needs"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    OFFERED = "offered", "offered"
    ACCEPTED = "accepted", "accepted"
    DECLINED = "declined", "declined"
    ATTENDED = "attended", "attended"
    NOT_ATTENDED = "not_attended", "not attended"
    UNKNOWN = "unknown", "unknown"


# The only moves a referral's status can make. Every other move is refused with a 409.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.OFFERED: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.ACCEPTED: (
        ReferralStatus.ATTENDED,
        ReferralStatus.NOT_ATTENDED,
        ReferralStatus.UNKNOWN,
    ),
    ReferralStatus.DECLINED: (),
    ReferralStatus.ATTENDED: (),
    ReferralStatus.NOT_ATTENDED: (),
    ReferralStatus.UNKNOWN: (),
}
# A referral still waiting for an answer or an outcome: what a worker follows up.
OPEN_REFERRAL_STATUSES = (ReferralStatus.OFFERED, ReferralStatus.ACCEPTED)


class Referral(VoidableRecord):
    """A referral to treatment, housing or care, with its current status (history apart)."""

    # The time that places the record on a report's day (see vigil.records.recompute).
    REPORT_TIME_FIELD = "at"

    class Destination(models.TextChoices):
        ONSITE_CONNECTED = "onsite_connected", "On site (connected service)"
        OFFSITE = "offsite", "Off site"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="referrals")
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    at = models.DateTimeField()
    category = models.CharField(max_length=24, choices=ReferralCategory.choices)
    destination = models.CharField(max_length=20, choices=Destination.choices)
    # The receiving organisation or programme, never a person.
    agency = models.CharField(max_length=120, blank=True)
    accompanied = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.OFFERED
    )
    status_at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["site", "at"], name="referral_site_day_idx"),
            models.Index(fields=["participant", "at"], name="referral_participant_idx"),
            models.Index(
                fields=["site", "status"],
                condition=Q(status__in=OPEN_REFERRAL_STATUSES, voided=False),
                name="referral_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status_at__gte=F("at")), name="referral_status_after_offer"
            ),
        ]

    def __str__(self) -> str:
        return f"referral {str(self.id)[:8]} ({self.category}, {self.status})"

    @property
    def is_open(self) -> bool:
        return not self.voided and self.status in OPEN_REFERRAL_STATUSES


class ReferralStatusChange(models.Model):
    """One step of a referral's history. A status is reached at most once (the machine has no
    cycles), which is what makes a resent status change recognisable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="history")
    status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    at = models.DateTimeField()
    backdated = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "received_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "status"], name="referral_status_once"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"
