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

from django.db import connection, models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import User
from vigil.core.errors import field_error
from vigil.records.kit import audit_created, create_record, row_as_record
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
    """Write the lots the moves changed (only those) and the moves."""
    changed = {move.lot_id for move in moves if move.lot_id is not None}
    StockLot.objects.bulk_update([lot for lot in lots if lot.pk in changed], ["on_hand"])
    StockMovement.objects.bulk_create(moves)


def _take_from_first_lot(*, site: Site, item: str, units: int) -> Any:
    """Take `units` from the earliest-expiring lot that has any, if it holds them all: the id
    of that lot, or None (no stock, or the units span lots: the caller settles lot by lot).

    One statement: the lot is chosen, locked and decremented together, so nothing is read
    before the write and nothing read back after it.
    """
    first = (
        StockLot.objects.select_for_update()
        .filter(site=site, item=item, on_hand__gt=0)
        .values("pk")[:1]
    )
    chosen, params = first.query.sql_with_params()
    table = connection.ops.quote_name(StockLot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET on_hand = on_hand - %s "  # noqa: S608 (compiled by the ORM)
            f"WHERE id = ({chosen}) AND on_hand >= %s RETURNING id",
            [units, *params, units],
        )
        row = cursor.fetchone()
    return None if row is None else StockLot._meta.pk.to_python(row[0])


def stock_settle(
    *,
    site: Site,
    item: str,
    source: str,
    units: int,
    by: User | None,
    at: datetime | None = None,
    new: bool = False,
) -> None:
    """Make the stock used by the record `source` equal `units` (call it inside the record's
    transaction): the first call takes them, a resend takes nothing more, a voided record
    (units=0) gives them back, an edit (5 kits instead of 3) takes or gives the difference.

    Units are taken from the earliest-expiring lot first and never below zero: what is missing
    is recorded as a shortfall, never refused. Units given back go first against the record's
    shortfall, then to the lots they came from, latest expiry first.

    `new`: the record was inserted by this transaction, so it holds no stock yet; its use is
    settled without reading its movements, in one statement when one lot holds it all.
    """
    template = StockMovement(
        site=site, item=item, source=source, at=at or timezone.now(), created_by=by
    )
    if new and units > 0:
        template.kind = StockMovement.Kind.USE
        lot_id = _take_from_first_lot(site=site, item=item, units=units)
        if lot_id is not None:
            StockMovement.objects.bulk_create([_movement(template, lot_id=lot_id, quantity=-units)])
            return
        if units == 1:  # no lot holds any: the one unit is missing
            StockMovement.objects.bulk_create([_movement(template, lot_id=None, shortfall=1)])
            return
    lots = _locked_lots(site, item)
    held: dict[Any, int] = {}
    short = 0
    rows = (
        StockMovement.objects.filter(site=site, item=item, source=source)
        .values("lot_id")
        .annotate(quantity=Sum("quantity"), shortfall=Sum("shortfall"))
    )
    for row in [] if new else rows:  # a new record holds nothing yet: no read
        short += row["shortfall"]
        if row["lot_id"] is not None:
            held[row["lot_id"]] = -row["quantity"]
    change = units - (sum(held.values()) + short)
    if change == 0:
        return
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


def _receive_into_lot(
    *, site: Site, item: str, lot: str, expires_on: date | None, quantity: int
) -> StockLot:
    """Add `quantity` to the lot, created if new, in one statement (INSERT … ON CONFLICT …
    DO UPDATE … RETURNING): the lot as it now is (with the expiry it is on record with)."""
    meta = StockLot._meta
    fields = meta.concrete_fields
    values = {
        "id": uuid.uuid4(),
        "site": site.pk,
        "item": item,
        "lot": lot,
        "expires_on": expires_on,
        "on_hand": quantity,
        "created_at": timezone.now(),
    }
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608 (names from the model)
            f"ON CONFLICT (site_id, item, lot) DO UPDATE "
            f"SET on_hand = {table}.on_hand + excluded.on_hand RETURNING {columns}",
            [f.get_db_prep_save(values[f.name], connection) for f in fields],
        )
        row = cursor.fetchone()
    return row_as_record(StockLot, row)


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
                raise field_error("expires_on", gettext("Give the expiry date printed on the box."))
            if not lot_name:
                raise field_error("lot", gettext("Give the lot number printed on the box."))
        lot = _receive_into_lot(
            site=site,
            item=request.item,
            lot=lot_name,
            expires_on=request.expires_on,
            quantity=request.quantity,
        )
        if lot.expires_on != request.expires_on:  # the transaction rolls the receipt back
            on_record = lot.expires_on.isoformat() if lot.expires_on else gettext("no expiry")
            raise field_error(
                "expires_on",
                gettext("Lot %(lot)s is on record with %(expiry)s. Check the box.")
                % {"lot": lot_name, "expiry": on_record},
            )
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
            raise field_error("quantity", gettext("Give how many units come in (+) or go out (-)."))
        if request.reason == StockMovement.Reason.OTHER and not request.note.strip():
            raise field_error("note", gettext("Say what happened to this stock."))
        lot = _lot_of(_locked_lots(site, request.item), request.lot)
        if lot is None:
            raise field_error(
                "lot", gettext("This lot is not on record for this item. Enter a receipt.")
            )
        if lot.on_hand + request.quantity < 0:
            raise field_error(
                "quantity",
                gettext(
                    "Lot %(lot)s holds %(on_hand)s: it cannot lose %(quantity)s. Count the stock "
                    "instead."
                )
                % {"lot": lot.lot or "-", "on_hand": lot.on_hand, "quantity": -request.quantity},
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
            raise field_error(
                "counts",
                gettext("Lot %(lot)s of %(item)s is not on record.")
                % {"lot": count.lot, "item": count.item},
            )
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
            raise field_error("counts", gettext("Count each item once: as a whole, or lot by lot."))
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
