"""Writes of stock: receipts, adjustments, shift checks, and the use taken automatically by
the records that consume stock (naloxone actions, kits handed out).

Every write locks the item's lots of the site (`select_for_update`) before reading what is on
hand, so two tablets using the last ampoule at once never take it twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Sum
from django.utils import timezone

from vigil.accounts.models import User
from vigil.core.errors import field_error
from vigil.records.kit import audit_created, create_record
from vigil.records.rules import fingerprint
from vigil.sites.models import Site
from vigil.stock.models import (
    EXPIRING_ITEMS,
    StockCheck,
    StockCount,
    StockLot,
    StockMovement,
)


def source_of(record: models.Model) -> str:
    """How a movement names the record that used the stock."""
    return f"{record._meta.label_lower}:{record.pk}"


def _locked_lots(site: Site, item: str) -> list[StockLot]:
    """The item's lots at the site, earliest expiry first, locked for this transaction."""
    return list(StockLot.objects.select_for_update().filter(site=site, item=item))


def _take(lots: Sequence[StockLot], units: int, *, template: StockMovement) -> list[StockMovement]:
    """Take `units` from the lots, earliest expiry first; what is missing is a shortfall."""
    moves = []
    for lot in lots:
        if units == 0:
            break
        taken = min(lot.on_hand, units)
        if taken:
            lot.on_hand -= taken
            units -= taken
            moves.append(_movement(template, lot=lot, quantity=-taken))
    if units:
        moves.append(_movement(template, lot=None, shortfall=units))
    return moves


def _movement(template: StockMovement, **values: Any) -> StockMovement:
    fields = {f.attname: getattr(template, f.attname) for f in StockMovement._meta.concrete_fields}
    fields.update(id=uuid.uuid4(), **values)
    if "lot" in values:
        fields.pop("lot_id")
    return StockMovement(**fields)


def _apply(lots: Sequence[StockLot], moves: Sequence[StockMovement]) -> None:
    StockLot.objects.bulk_update(lots, ["on_hand"])
    StockMovement.objects.bulk_create(moves)


def stock_settle(
    *, site: Site, item: str, source: str, units: int, by: User | None, at: datetime | None = None
) -> None:
    """Make the stock used by the record `source` equal `units` (call it inside the record's
    transaction): the first call takes them, a resend takes nothing more, a voided record
    (units=0) gives them back, an edit (5 kits instead of 3) takes or gives the difference.

    Units are taken from the earliest-expiring lot first and never below zero: what is missing
    is recorded as a shortfall, never refused. Units given back go first against the record's
    shortfall, then to the lots they came from, latest expiry first.
    """
    lots = _locked_lots(site, item)
    held: dict[Any, int] = {}
    short = 0
    rows = (
        StockMovement.objects.filter(site=site, item=item, source=source)
        .values("lot_id")
        .annotate(quantity=Sum("quantity"), shortfall=Sum("shortfall"))
    )
    for row in rows:
        short += row["shortfall"]
        if row["lot_id"] is not None:
            held[row["lot_id"]] = -row["quantity"]
    change = units - (sum(held.values()) + short)
    if change == 0:
        return
    template = StockMovement(
        site=site, item=item, source=source, at=at or timezone.now(), created_by=by
    )
    if change > 0:
        template.kind = StockMovement.Kind.USE
        _apply(lots, _take(lots, change, template=template))
        return
    template.kind = StockMovement.Kind.RETURN
    back = -change
    moves = []
    settled = min(short, back)
    if settled:
        moves.append(_movement(template, shortfall=-settled))
        back -= settled
    for lot in reversed(lots):
        given = min(held.get(lot.pk, 0), back)
        if given:
            lot.on_hand += given
            back -= given
            moves.append(_movement(template, lot=lot, quantity=given))
    _apply(lots, moves)


def outstanding_shortfall(*, site: Site, item: str) -> int:
    total = StockMovement.objects.filter(site=site, item=item).aggregate(s=Sum("shortfall"))["s"]
    return max(0, total or 0)


# --- Receipts and adjustments ---------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    site: Site
    item: str
    quantity: int
    lot: str = ""
    expires_on: date | None = None
    id: uuid.UUID | None = None


def _lot_of(lots: Sequence[StockLot], name: str) -> StockLot | None:
    return next((lot for lot in lots if lot.lot == name.strip()), None)


def _movement_snapshot(movement: StockMovement) -> dict[str, Any]:
    return {
        "item": movement.item,
        "lot": movement.lot.lot if movement.lot else None,
        "kind": movement.kind,
        "quantity": movement.quantity,
        "reason": movement.reason,
        "note": movement.note,
    }


def stock_receive(*, request: Receipt, by: User) -> tuple[StockMovement, bool]:
    """Enter stock received. Returns (movement, created); a resend returns the stored one.

    1. An item that expires needs its expiry date and its lot number.
    2. A lot already on record keeps its expiry: a different date is refused.
    3. The lot's on-hand goes up; the receipt is audited.
    """
    site = request.site
    lot_name = request.lot.strip()
    content_print = fingerprint(
        {
            "site": site.pk,
            "item": request.item,
            "lot": lot_name,
            "expires_on": request.expires_on.isoformat() if request.expires_on else None,
            "quantity": request.quantity,
        }
    )

    def insert() -> StockMovement:
        if request.item in EXPIRING_ITEMS:
            if request.expires_on is None:
                raise field_error("expires_on", "Give the expiry date printed on the box.")
            if not lot_name:
                raise field_error("lot", "Give the lot number printed on the box.")
        lot = _lot_of(_locked_lots(site, request.item), lot_name)
        if lot is None:
            lot = StockLot.objects.create(
                site=site, item=request.item, lot=lot_name, expires_on=request.expires_on
            )
        elif lot.expires_on != request.expires_on:
            on_record = lot.expires_on.isoformat() if lot.expires_on else "no expiry"
            raise field_error(
                "expires_on", f"Lot {lot_name} is on record with {on_record}. Check the box."
            )
        lot.on_hand += request.quantity
        lot.save(update_fields=["on_hand"])
        movement = StockMovement.objects.create(
            id=request.id or uuid.uuid4(),
            site=site,
            item=request.item,
            lot=lot,
            kind=StockMovement.Kind.RECEIPT,
            quantity=request.quantity,
            at=timezone.now(),
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(movement, by=by, site=site, snapshot=_movement_snapshot(movement))
        return movement

    return create_record(
        StockMovement, pk=request.id, owner=site, content_print=content_print, insert=insert
    )


@dataclass(frozen=True)
class Adjustment:
    site: Site
    item: str
    lot: str
    quantity: int
    reason: str
    note: str = ""
    id: uuid.UUID | None = None


def stock_adjust(*, request: Adjustment, by: User) -> tuple[StockMovement, bool]:
    """Change a lot's on-hand by hand (damaged, expired, transferred, found...), with a reason.

    Never below zero: taking more than the lot holds is refused (count it instead).
    """
    site = request.site
    content_print = fingerprint(
        {
            "site": site.pk,
            "item": request.item,
            "lot": request.lot.strip(),
            "quantity": request.quantity,
            "reason": request.reason,
            "note": request.note,
        }
    )

    def insert() -> StockMovement:
        if request.quantity == 0:
            raise field_error("quantity", "Give how many units come in (+) or go out (-).")
        if request.reason == StockMovement.Reason.OTHER and not request.note.strip():
            raise field_error("note", "Say what happened to this stock.")
        lot = _lot_of(_locked_lots(site, request.item), request.lot)
        if lot is None:
            raise field_error("lot", "This lot is not on record for this item. Enter a receipt.")
        if lot.on_hand + request.quantity < 0:
            raise field_error(
                "quantity",
                f"Lot {lot.lot or '-'} holds {lot.on_hand}: it cannot lose "
                f"{-request.quantity}. Count the stock instead.",
            )
        lot.on_hand += request.quantity
        lot.save(update_fields=["on_hand"])
        movement = StockMovement.objects.create(
            id=request.id or uuid.uuid4(),
            site=site,
            item=request.item,
            lot=lot,
            kind=StockMovement.Kind.ADJUSTMENT,
            quantity=request.quantity,
            reason=request.reason,
            note=request.note,
            at=timezone.now(),
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(movement, by=by, site=site, snapshot=_movement_snapshot(movement))
        return movement

    return create_record(
        StockMovement, pk=request.id, owner=site, content_print=content_print, insert=insert
    )


# --- Shift checks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    item: str
    counted: int
    lot: str | None = None


@dataclass(frozen=True)
class ShiftCheck:
    site: Site
    oxygen_level: str
    aed_ready: bool
    bvm_present: bool
    counts: Sequence[Count] = ()
    handover_note: str = ""
    id: uuid.UUID | None = None
    at: datetime | None = field(default=None)


def _count_item(
    check: StockCheck, count: Count, lots: list[StockLot], template: StockMovement
) -> tuple[StockCount, list[StockMovement]]:
    """Record one count and bring the stock to it (a lot's, or the item's across its lots)."""
    if count.lot is not None:
        lot = _lot_of(lots, count.lot)
        if lot is None:
            raise field_error("counts", f"Lot {count.lot} of {count.item} is not on record.")
        expected = lot.on_hand
        lot.on_hand = count.counted
        moves = (
            [_movement(template, lot=lot, quantity=count.counted - expected)]
            if count.counted != expected
            else []
        )
        return (
            StockCount(
                shift_check=check,
                item=count.item,
                lot=lot,
                expected=expected,
                counted=count.counted,
            ),
            moves,
        )
    expected = sum(lot.on_hand for lot in lots)
    moves = []
    if count.counted < expected:
        moves = _take(lots, expected - count.counted, template=template)
    elif count.counted > expected:
        # Found units go to the lot used first: its expiry is the one to watch.
        if not lots:
            lots.append(
                StockLot.objects.create(site=check.site, item=count.item, lot="", expires_on=None)
            )
        lots[0].on_hand += count.counted - expected
        moves = [_movement(template, lot=lots[0], quantity=count.counted - expected)]
    return (
        StockCount(shift_check=check, item=count.item, expected=expected, counted=count.counted),
        moves,
    )


def stock_check_record(*, request: ShiftCheck, by: User) -> tuple[StockCheck, bool]:
    """Record a start-of-shift check. Returns (check, created); a resend returns the stored one.

    1. Each item is counted once: as a whole, or lot by lot.
    2. Each count keeps what Vigil expected; the stock is brought to the count, and the item's
       shortfall (units used with none on record) is settled.
    3. Audited with the differences.
    """
    site = request.site
    counts = sorted(request.counts, key=lambda c: (c.item, c.lot or ""))
    content_print = fingerprint(
        {
            "site": site.pk,
            "counts": [[c.item, c.lot, c.counted] for c in counts],
            "oxygen_level": request.oxygen_level,
            "aed_ready": request.aed_ready,
            "bvm_present": request.bvm_present,
            "handover_note": request.handover_note,
        }
    )

    def insert() -> StockCheck:
        keys = [(c.item, c.lot) for c in counts]
        whole = {c.item for c in counts if c.lot is None}
        if len(set(keys)) != len(keys) or any(c.item in whole and c.lot for c in counts):
            raise field_error("counts", "Count each item once: as a whole, or lot by lot.")
        now = request.at or timezone.now()
        check = StockCheck.objects.create(
            id=request.id or uuid.uuid4(),
            site=site,
            at=now,
            oxygen_level=request.oxygen_level,
            aed_ready=request.aed_ready,
            bvm_present=request.bvm_present,
            handover_note=request.handover_note,
            created_by=by,
            create_fingerprint=content_print,
        )
        rows: list[StockCount] = []
        for item in sorted({c.item for c in counts}):
            lots = _locked_lots(site, item)
            template = StockMovement(
                site=site,
                item=item,
                kind=StockMovement.Kind.COUNT,
                shift_check=check,
                at=now,
                created_by=by,
            )
            moves: list[StockMovement] = []
            for count in (c for c in counts if c.item == item):
                row, changes = _count_item(check, count, lots, template)
                rows.append(row)
                moves += changes
            short = outstanding_shortfall(site=site, item=item)
            if short:
                moves.append(_movement(template, lot=None, shortfall=-short))
            _apply(lots, moves)
        StockCount.objects.bulk_create(rows)
        audit_created(
            check,
            by=by,
            site=site,
            snapshot={
                "counts": {f"{r.item}:{r.lot.lot if r.lot else '*'}": r.difference for r in rows},
                "oxygen_level": check.oxygen_level,
                "aed_ready": check.aed_ready,
                "bvm_present": check.bvm_present,
            },
        )
        return check

    return create_record(
        StockCheck, pk=request.id, owner=site, content_print=content_print, insert=insert
    )
