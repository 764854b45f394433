"""Writes of services: record (replayable), edit, void; drug checks and supply lines."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import Role, User
from vigil.care.models import (
    DrugCheck,
    Service,
    ServiceKind,
    SupplyItem,
    SupplyLine,
    TestResult,
)
from vigil.care.selectors import with_service_details
from vigil.care.services.common import (
    check_visit,
    iso,
    person_of,
    relink,
    resolve_person,
)
from vigil.core.errors import FieldErrors
from vigil.participants.codes import code_digest
from vigil.participants.selectors import person_sent
from vigil.records.kit import (
    UNSET,
    audit_created,
    create_record,
    edit,
    edit_applies,
    keep_written,
    save_at_version,
)
from vigil.records.recompute import request_recompute
from vigil.records.rules import (
    check_record_time,
    fingerprint,
)
from vigil.records.voiding import void_record
from vigil.sites.models import Site
from vigil.stock.models import Item
from vigil.stock.services import source_of, stock_settle
from vigil.visits.models import Visit

# A test strip answers for one target only; FTIR and "other" (several tests) may answer for all.
_STRIP_TARGET = {
    DrugCheck.Method.FENTANYL_STRIP: "fentanyl",
    DrugCheck.Method.BENZO_STRIP: "benzodiazepine",
    DrugCheck.Method.XYLAZINE_STRIP: "xylazine",
}
_DRUG_CHECK_DEFAULTS = {
    **dict.fromkeys(DrugCheck.TARGETS, TestResult.NOT_TESTED.value),
    "client_action": DrugCheck.ClientAction.UNDECIDED.value,
}


# --- Services --------------------------------------------------------------------------------


def _drug_check_values(drug_check: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The drug check with every default spelled out, so a resend compares equal."""
    if drug_check is None:
        return None
    return {**_DRUG_CHECK_DEFAULTS, **drug_check}


def _supply_values(supplies: Sequence[Mapping[str, Any]] | None) -> list[tuple[str, int]]:
    return sorted((str(line["item"]), int(line["quantity"])) for line in supplies or ())


def _check_details(
    *, kind: str, drug_check: Mapping[str, Any] | None, supplies: Sequence[tuple[str, int]]
) -> None:
    """Drug-check results belong to drug checking, item lines to supplies, and only there."""
    errors: dict[str, list[str]] = {}
    if kind == ServiceKind.DRUG_CHECKING and drug_check is None:
        errors["drug_check"] = [
            gettext("Say what was expected, how it was tested and what was found.")
        ]
    if kind != ServiceKind.DRUG_CHECKING and drug_check is not None:
        errors["drug_check"] = [gettext("Only a drug-checking service has test results.")]
    if kind == ServiceKind.SUPPLIES and not supplies:
        errors["supplies"] = [gettext("List at least one item and how many were given.")]
    if kind != ServiceKind.SUPPLIES and supplies:
        errors["supplies"] = [
            gettext("Only a supplies service lists items. Choose the kind Supplies.")
        ]
    items = [item for item, _ in supplies]
    repeated = sorted({item for item in items if items.count(item) > 1})
    if repeated:
        names = ", ".join(SupplyItem(item).label.lower() for item in repeated)
        errors.setdefault("supplies", []).append(
            gettext(
                "Each item goes on one line: %(items)s is listed twice. Put the total on one line."
            )
            % {"items": names}
        )
    if drug_check is not None and drug_check["method"] in _STRIP_TARGET:
        target = _STRIP_TARGET[drug_check["method"]]
        method = DrugCheck.Method(drug_check["method"]).label
        for other in DrugCheck.TARGETS:
            if other != target and drug_check[other] != TestResult.NOT_TESTED:
                errors.setdefault("drug_check", []).append(
                    gettext(
                        "%(other)s: a %(method)s only tests for %(target)s. For several tests on "
                        "one sample, choose the method Other."
                    )
                    % {"other": other, "method": method.lower(), "target": target}
                )
    if errors:
        raise FieldErrors(errors)


def _write_details(
    service: Service,
    *,
    drug_check: Mapping[str, Any] | None,
    supplies: Sequence[tuple[str, int]],
    new: bool = False,
) -> tuple[DrugCheck | None, list[SupplyLine]]:
    """Replace the service's drug check and item lines (a new service has none to delete);
    returns the rows written."""
    if not new:
        DrugCheck.objects.filter(service=service).delete()
        SupplyLine.objects.filter(service=service).delete()
    check = (
        DrugCheck.objects.create(service=service, **drug_check) if drug_check is not None else None
    )
    lines = SupplyLine.objects.bulk_create(
        [SupplyLine(service=service, item=item, quantity=quantity) for item, quantity in supplies]
    )
    return check, lines


_CHECK_FIELDS = ("expected_substance", "method", *DrugCheck.TARGETS, "client_action")


def _kits_of(supplies: Sequence[tuple[str, int]]) -> int:
    return dict(supplies).get(SupplyItem.NALOXONE_KIT, 0)


def _use_kits(service: Service, *, units: int, by: User, new: bool = False) -> None:
    """Naloxone kits handed out leave the site's stock; an edit or a void settles the change."""
    stock_settle(
        site=service.site,
        item=Item.NALOXONE_KIT,
        source=source_of(service),
        units=units,
        by=by,
        at=service.at,
        new=new,
    )


def _by_item(line: SupplyLine) -> str:
    return str(line.item)


def service_snapshot(service: Service) -> dict[str, Any]:
    """The audited fields of a service: ids and values, never a code."""
    check = DrugCheck.objects.filter(service=service).values(*_CHECK_FIELDS)
    return _snapshot(service, drug_check=next(iter(check), None), lines=service.supply_lines.all())


def _snapshot(
    service: Service, *, drug_check: Mapping[str, Any] | None, lines: Iterable[SupplyLine]
) -> dict[str, Any]:
    return {
        "visit": str(service.visit_id) if service.visit_id else None,
        "participant": str(service.participant_id) if service.participant_id else None,
        "kind": service.kind,
        "at": iso(service.at),
        "drug_check": dict(drug_check) if drug_check is not None else None,
        "supplies": {line.item: line.quantity for line in lines},
        "voided": service.voided,
    }


@dataclass(frozen=True)
class NewService:
    site: Site
    kind: str
    visit: Visit | None = None
    code: str | None = None
    at: datetime | None = None
    drug_check: Mapping[str, Any] | None = None
    supplies: Sequence[Mapping[str, Any]] = ()
    id: uuid.UUID | None = None
    # From an import of the site's past records: marked imported, its kits not taken from
    # today's stock, its day left for the import to recompute once at its end.
    imported: bool = False
    reason: str = ""  # of the audit event (an import names its file)


def service_create(*, request: NewService, by: User, role: Role) -> tuple[Service, bool]:
    """Record a service. Returns (service, created); a resend of the same content returns the
    stored one, a resend with other content is a 409 carrying it.

    1. A resent id is answered from what is stored, whatever the clock says now.
    2. Refuse a future time; older than 12 h is backdated (supervisors only).
    3. Drug-check results only for drug checking (required there), item lines only for
       supplies (at least one there), each item once.
    4. A visit must be of this site and not voided; its person is the service's person.
    5. Insert the service, its details and its audit event in one transaction; a concurrent
       resend of the same id is told apart from other failures by its IntegrityError.
    """
    site = request.site
    digest = code_digest(request.code) if request.code else None
    drug_check = _drug_check_values(request.drug_check)
    supplies = _supply_values(request.supplies)
    content_print = fingerprint(
        {
            "site": site.pk,
            "visit": request.visit.pk if request.visit else None,
            "code": digest,
            "kind": request.kind,
            "at": iso(request.at),
            "drug_check": drug_check,
            "supplies": supplies,
        }
    )
    service_id = request.id or uuid.uuid4()

    def insert() -> Service:
        now = timezone.now()
        at = request.at or now
        backdated = check_record_time(at=at, role=role, field="at", now=now)
        _check_details(kind=request.kind, drug_check=drug_check, supplies=supplies)
        if request.visit is not None:
            check_visit(site=site, visit=request.visit, code=request.code)
        service = Service.objects.create(
            id=service_id,
            site=site,
            visit=request.visit,
            participant=person_of(site=site, visit=request.visit, code=request.code, at=at, by=by),
            kind=request.kind,
            at=at,
            backdated=backdated,
            imported=request.imported,
            created_by=by,
            create_fingerprint=content_print,
        )
        check, lines = _write_details(service, drug_check=drug_check, supplies=supplies, new=True)
        if _kits_of(supplies) and not request.imported:
            _use_kits(service, units=_kits_of(supplies), by=by, new=True)
        # The snapshot of what was written, without reading it back.
        written = {name: getattr(check, name) for name in _CHECK_FIELDS} if check else None
        snapshot = _snapshot(service, drug_check=written, lines=lines)
        audit_created(service, by=by, site=site, snapshot=snapshot, reason=request.reason)
        if not request.imported:
            request_recompute(site=site, moments=[service.at])
        keep_written(service, drug_check=check, supply_lines=sorted(lines, key=_by_item))
        return service  # the answer, from what was written

    service, created = create_record(
        Service, pk=request.id, owner=site, content_print=content_print, insert=insert
    )
    return (service, True) if created else (with_service_details(service), False)


def service_update(
    *,
    service: Service,
    by: User,
    role: Role,
    version: int,
    reason: str = "",
    kind: str = UNSET,
    at: datetime = UNSET,
    visit: Visit | None = UNSET,
    code: str | None = UNSET,
    drug_check: Mapping[str, Any] | None = UNSET,
    supplies: Sequence[Mapping[str, Any]] = UNSET,
) -> Service:
    """Edit a service named at the version the editor read: stale → 412 (a resend of an edit
    already applied gets the stored service).

    A change of kind carries its details along: leaving drug checking drops the results,
    becoming drug checking needs them (likewise for supplies and item lines).
    """
    if not edit_applies(
        service,
        by=by,
        role=role,
        reason=reason,
        version=version,
        noun="service",
        sent=lambda: {
            "kind": kind,
            "at": at,
            "visit": visit,
            "participant": code if code is UNSET else person_sent(code),
            "drug_check": drug_check if drug_check is UNSET else _drug_check_values(drug_check),
            "supplies": supplies if supplies is UNSET else dict(_supply_values(supplies)),
        },
        stored=service_snapshot,
    ):
        return service
    site = service.site
    before = service_snapshot(service)
    old_at = service.at
    now = timezone.now()
    new_kind = service.kind if kind is UNSET else kind
    if drug_check is UNSET:
        new_check = before["drug_check"] if new_kind == ServiceKind.DRUG_CHECKING else None
    else:
        new_check = _drug_check_values(drug_check)
    if supplies is UNSET:
        new_supplies = (
            sorted(before["supplies"].items()) if new_kind == ServiceKind.SUPPLIES else []
        )
    else:
        new_supplies = _supply_values(supplies)
    _check_details(kind=new_kind, drug_check=new_check, supplies=new_supplies)
    backdated = service.backdated
    new_at = service.at
    if at is not UNSET:
        backdated |= check_record_time(at=at, role=role, field="at", now=now)
        new_at = at
    new_visit, person, _ = relink(
        site=site,
        current_visit=service.visit,
        current_participant=service.participant,
        visit=visit,
        code=code,
    )
    with edit(
        service, by=by, site=site, snapshot=service_snapshot, reason=reason, before=before
    ) as change:
        save_at_version(
            service,
            version=version,
            noun="service",
            kind=new_kind,
            at=new_at,
            visit=new_visit,
            participant=resolve_person(person, site=site, at=new_at, by=by),
            backdated=backdated,
            updated_at=now,
        )
        service.refresh_from_db()
        if new_check != before["drug_check"] or new_supplies != sorted(before["supplies"].items()):
            _write_details(service, drug_check=new_check, supplies=new_supplies)
        if _kits_of(new_supplies) != before["supplies"].get(SupplyItem.NALOXONE_KIT, 0):
            _use_kits(service, units=_kits_of(new_supplies), by=by)
        change.recompute(old_at, service.at)
        with_service_details(service)  # the answer, read before the commit
    return service


@transaction.atomic
def service_void(*, service: Service, by: User, role: Role, reason: str) -> Service:
    """Void a service with a reason: it stays on record and leaves every count; the naloxone
    kits it handed out go back to stock."""
    already = service.voided
    voided = void_record(
        service,
        by=by,
        role=role,
        reason=reason,
        noun="service",
        site=service.site,
        report_time=service.at,
    )
    if not already and voided.supply_lines.filter(item=SupplyItem.NALOXONE_KIT).exists():
        _use_kits(voided, units=0, by=by)
    return with_service_details(voided)  # the answer, read before the commit
