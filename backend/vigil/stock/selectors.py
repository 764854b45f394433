"""Reads of stock: on-hand by item and lot, warnings for the floor board, the last check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Sum

from vigil.sites.models import Site
from vigil.stock.models import Item, StockCheck, StockLevel, StockLot, StockMovement

# A lot expiring within this many days is flagged on the floor board.
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class LotStock:
    lot: str
    expires_on: date | None
    on_hand: int


@dataclass(frozen=True)
class ItemStock:
    item: str
    on_hand: int
    par_level: int
    shortfall: int
    lots: list[LotStock]


@dataclass(frozen=True)
class Warning:
    """Why the floor board shows stock: `below_par`, `expiring`, `expired`, `shortfall`,
    or `equipment` (the last shift check found the oxygen low, the AED not ready or no BVM)."""

    kind: str
    item: str
    lot: str | None = None
    expires_on: date | None = None
    on_hand: int | None = None
    par_level: int | None = None
    shortfall: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class SiteStock:
    items: list[ItemStock]
    warnings: list[Warning] = field(default_factory=list)
    last_check: StockCheck | None = None


def last_check(*, site: Site) -> StockCheck | None:
    return (
        StockCheck.objects.select_related("created_by")
        .prefetch_related("counts__lot")
        .filter(site=site)
        .order_by("-at", "-received_at")
        .first()
    )


def _equipment_warnings(check: StockCheck | None) -> list[Warning]:
    if check is None:
        return []
    warnings = []
    if check.oxygen_level in (StockCheck.OxygenLevel.LOW, StockCheck.OxygenLevel.EMPTY):
        warnings.append(Warning("equipment", Item.OXYGEN, detail=f"oxygen_{check.oxygen_level}"))
    if not check.aed_ready:
        warnings.append(Warning("equipment", Item.AED_PADS, detail="aed_not_ready"))
    if not check.bvm_present:
        warnings.append(Warning("equipment", Item.BAG_VALVE_MASK, detail="bvm_missing"))
    return warnings


def site_stock(*, site: Site, today: date) -> SiteStock:
    """Every item of the site, its lots in the order they are used (earliest expiry first),
    and the warnings: an item below its par level, a lot with stock that expires within 30
    days (or has expired), units used while none were on record, the last check's equipment.
    A fixed number of queries whatever the number of lots."""
    pars = dict(StockLevel.objects.filter(site=site).values_list("item", "par_level"))
    shortfalls = dict(
        StockMovement.objects.filter(site=site)
        .values("item")
        .annotate(total=Sum("shortfall"))
        .values_list("item", "total")
    )
    lots_of: dict[str, list[StockLot]] = {}
    for lot in StockLot.objects.filter(site=site, on_hand__gt=0):
        lots_of.setdefault(lot.item, []).append(lot)
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    items = []
    warnings = []
    for item in Item.values:
        lots = lots_of.get(item, [])
        on_hand = sum(lot.on_hand for lot in lots)
        par = pars.get(item, 0)
        short = max(0, shortfalls.get(item) or 0)
        items.append(
            ItemStock(
                item=item,
                on_hand=on_hand,
                par_level=par,
                shortfall=short,
                lots=[LotStock(lot.lot, lot.expires_on, lot.on_hand) for lot in lots],
            )
        )
        if short:
            warnings.append(Warning("shortfall", item, shortfall=short))
        if on_hand < par:
            warnings.append(Warning("below_par", item, on_hand=on_hand, par_level=par))
        for lot in lots:
            if lot.expires_on is not None and lot.expires_on <= soon:
                kind = "expired" if lot.expires_on < today else "expiring"
                warnings.append(
                    Warning(kind, item, lot=lot.lot, expires_on=lot.expires_on, on_hand=lot.on_hand)
                )
    check = last_check(site=site)
    return SiteStock(items=items, warnings=warnings + _equipment_warnings(check), last_check=check)
