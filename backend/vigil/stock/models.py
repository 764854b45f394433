"""Naloxone, oxygen and the other response stock of a site, by lot and expiry, and the
start-of-shift checks.

Stock is a ledger: every change is a `StockMovement` (a receipt, a use, the return of a use
whose record was voided, an adjustment with a reason, a count), and each lot keeps its
`on_hand` beside it, changed in the same transaction under a row lock and never below zero (a
database constraint). A use with nothing left to take from is recorded as a shortfall instead:
an overdose response is never refused because of stock; the next count settles it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Item(models.TextChoices):
    NALOXONE = "naloxone", "Naloxone (the site's usual form)"
    NALOXONE_KIT = "naloxone_kit", "Naloxone kit (take-home)"
    OXYGEN = "oxygen", "Oxygen cylinder"
    BAG_VALVE_MASK = "bag_valve_mask", "Bag-valve mask"
    AED_PADS = "aed_pads", "AED pads"
    TEST_STRIP = "test_strip", "Test strip"
    SYRINGE = "syringe", "Syringe"


# Items whose lots carry an expiry date: a receipt of them must give it.
EXPIRING_ITEMS = frozenset({Item.NALOXONE, Item.NALOXONE_KIT, Item.AED_PADS, Item.TEST_STRIP})
# Counted at the start of every shift.
CRITICAL_ITEMS = (Item.NALOXONE, Item.NALOXONE_KIT, Item.OXYGEN, Item.BAG_VALVE_MASK, Item.AED_PADS)


class StockLevel(models.Model):
    """The par level of an item at a site: below it, the floor board warns."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="stock_levels")
    item = models.CharField(max_length=16, choices=Item.choices)
    par_level = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["site", "item"]
        constraints = [
            models.UniqueConstraint(fields=["site", "item"], name="stock_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} par {self.par_level} at {self.site_id}"


class StockLot(models.Model):
    """One lot of an item at a site (`lot` is blank for stock without a lot number)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="stock_lots")
    item = models.CharField(max_length=16, choices=Item.choices)
    lot = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    on_hand = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [models.F("expires_on").asc(nulls_last=True), "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "item", "lot"], name="stock_lot_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_lot_never_below_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.item} lot {self.lot or '-'} at {self.site_id}"


class StockCheck(models.Model):
    """A start-of-shift check: counts (see StockCount), equipment ticks, a handover note."""

    class OxygenLevel(models.TextChoices):
        FULL = "full"
        OK = "ok"
        LOW = "low"
        EMPTY = "empty"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="stock_checks")
    at = models.DateTimeField()
    oxygen_level = models.CharField(max_length=5, choices=OxygenLevel.choices)
    aed_ready = models.BooleanField()
    bvm_present = models.BooleanField()
    handover_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    create_fingerprint = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["site", "at"], name="stock_check_site_time_idx")]

    def __str__(self) -> str:
        return f"shift check {str(self.id)[:8]} at {self.site_id}"


class StockCount(models.Model):
    """One count of a shift check: what Vigil expected and what was counted."""

    shift_check = models.ForeignKey(StockCheck, on_delete=models.PROTECT, related_name="counts")
    item = models.CharField(max_length=16, choices=Item.choices)
    lot = models.ForeignKey(
        StockLot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected = models.IntegerField()
    counted = models.PositiveIntegerField()

    class Meta:
        ordering = ["item"]

    def __str__(self) -> str:
        return f"{self.item}: {self.counted} counted, {self.expected} expected"

    @property
    def difference(self) -> int:
        return self.counted - self.expected


class StockMovement(models.Model):
    """One change of a site's stock. `quantity` is signed (units into the lot); `shortfall`
    counts units used while nothing was left to take them from (negative when a count or a
    return settles them)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt"
        USE = "use"
        RETURN = "return"
        ADJUSTMENT = "adjustment"
        COUNT = "count"

    class Reason(models.TextChoices):
        DAMAGED = "damaged"
        EXPIRED = "expired"
        TRANSFERRED = "transferred"
        FOUND = "found"
        CORRECTION = "correction"
        OTHER = "other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=16, choices=Item.choices)
    lot = models.ForeignKey(
        StockLot, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    quantity = models.IntegerField(default=0)
    shortfall = models.IntegerField(default=0)
    # The record a use comes from ("incidents.incidentaction:<id>", "care.service:<id>").
    source = models.CharField(max_length=80, blank=True)
    shift_check = models.ForeignKey(
        StockCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    create_fingerprint = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "received_at"]
        indexes = [
            models.Index(fields=["site", "item"], name="stock_movement_item_idx"),
            models.Index(fields=["source"], name="stock_movement_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="adjustment") ^ Q(reason=""), name="stock_adjustment_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.item} at {self.site_id}"
