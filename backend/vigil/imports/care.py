"""The services and referrals files: their columns, and each row read into the request the
care services take (`NewService`, `NewReferral`), then written by those services themselves,
marked imported: the same rules, details, history and audit as a record entered on the floor.

Lower volumes than visits (a site's year is thousands of them, not hundreds of thousands):
each row goes through its create service, inside the import's chunk transaction. A row's code
lives only while its row is read and written (hashed by the service), never kept.
"""

from __future__ import annotations

from datetime import datetime

from vigil.accounts.models import Role, User
from vigil.care.models import (
    DrugCheck,
    Referral,
    ReferralCategory,
    ServiceKind,
    SupplyItem,
    TestResult,
)
from vigil.care.services import NewReferral, NewService, referral_create, service_create
from vigil.care.services.referral import REFERRAL_INITIAL_STATUSES
from vigil.imports.readers import Row
from vigil.imports.rows import AT_NOTE, CODE_NOTE, ID_NOTE, Cells, RecordRows
from vigil.imports.visits import RowError
from vigil.sites.models import Site
from vigil.visits.models import Substance

DRUG_CHECK_COLUMNS = ("expected_substance", "method", *DrugCheck.TARGETS, "client_action")
SERVICE_COLUMNS = ("id", "at", "kind", "code", "supplies", *DRUG_CHECK_COLUMNS)
SERVICE_REQUIRED = ("id", "at", "kind")
REFERRAL_COLUMNS = (
    "id",
    "at",
    "code",
    "category",
    "destination",
    "agency",
    "accompanied",
    "status",
)
REFERRAL_REQUIRED = ("id", "at", "category", "destination")
_RESULT_NOTE = {
    "en": "Drug checking only: positive, negative or not_tested.",
    "fr": "Analyse de drogues seulement : positive, negative ou not_tested.",
}
SERVICE_NOTES = {
    lang: {
        "id": ID_NOTE[lang],
        "at": AT_NOTE[lang],
        "kind": {
            "en": "The kind of service (see the allowed values).",
            "fr": "Le type de service (voir les valeurs permises).",
        }[lang],
        "code": CODE_NOTE[lang],
        "supplies": {
            "en": "Supplies only: item:quantity, separated by ; (syringe:10; water:5).",
            "fr": "Matériel seulement : article:quantité, séparés par ; (syringe:10; water:5).",
        }[lang],
        "expected_substance": {
            "en": "Drug checking only: the substance the person expected.",
            "fr": "Analyse de drogues seulement : la substance attendue par la personne.",
        }[lang],
        "method": {
            "en": "Drug checking only: how the sample was tested.",
            "fr": "Analyse de drogues seulement : la méthode d'analyse.",
        }[lang],
        **dict.fromkeys(DrugCheck.TARGETS, _RESULT_NOTE[lang]),
        "client_action": {
            "en": "Drug checking only: what the person did after the result.",
            "fr": "Analyse de drogues seulement : ce que la personne a fait après le résultat.",
        }[lang],
    }
    for lang in ("en", "fr")
}
REFERRAL_NOTES = {
    lang: {
        "id": ID_NOTE[lang],
        "at": AT_NOTE[lang],
        "code": CODE_NOTE[lang],
        "category": {
            "en": "What the referral is for (see the allowed values).",
            "fr": "L'objet de l'orientation (voir les valeurs permises).",
        }[lang],
        "destination": {
            "en": "onsite_connected or offsite.",
            "fr": "onsite_connected (sur place) ou offsite (ailleurs).",
        }[lang],
        "agency": {
            "en": "The receiving organisation or programme, never a person's name.",
            "fr": "L'organisme ou le programme qui reçoit, jamais le nom d'une personne.",
        }[lang],
        "accompanied": {
            "en": "yes if someone went with the person; empty or no otherwise.",
            "fr": "oui si quelqu'un a accompagné la personne ; vide ou non sinon.",
        }[lang],
        "status": {
            "en": "offered (if empty), accepted or declined.",
            "fr": "offered (si vide), accepted (acceptée) ou declined (refusée).",
        }[lang],
    }
    for lang in ("en", "fr")
}


def service_allowed_values(site: Site) -> dict[str, list[str]]:
    return {
        "kind": ServiceKind.values,
        "supplies": SupplyItem.values,
        "expected_substance": Substance.values,
        "method": DrugCheck.Method.values,
        "fentanyl": TestResult.values,
        "client_action": DrugCheck.ClientAction.values,
    }


def referral_allowed_values(site: Site) -> dict[str, list[str]]:
    return {
        "category": ReferralCategory.values,
        "destination": Referral.Destination.values,
        "accompanied": ["yes", "no"],
        "status": [str(s) for s in REFERRAL_INITIAL_STATUSES],
    }


def read_service(site: Site, number: int, row: Row) -> tuple[NewService | None, list[RowError]]:
    cells = Cells(site, number, row)
    cells.required(SERVICE_REQUIRED)
    service_id, at = cells.id(), cells.time("at")
    kind = cells.choice("kind", ServiceKind.values)
    supplies = []
    for line in (part.strip() for part in cells.text("supplies").split(";")):
        if not line:
            continue
        item, _, quantity = line.partition(":")
        item = item.strip().lower()
        if item not in SupplyItem.values or not quantity.strip().isdigit():
            cells.refuse("supplies", "Write each item as item:quantity (syringe:10).")
            continue
        supplies.append({"item": item, "quantity": int(quantity)})
    drug_check = None
    if any(cells.text(c) for c in DRUG_CHECK_COLUMNS):
        drug_check = {
            "expected_substance": cells.choice("expected_substance", Substance.values),
            "method": cells.choice("method", DrugCheck.Method.values),
            **{
                target: cells.choice(target, TestResult.values, default=TestResult.NOT_TESTED)
                for target in DrugCheck.TARGETS
            },
            "client_action": cells.choice(
                "client_action",
                DrugCheck.ClientAction.values,
                default=DrugCheck.ClientAction.UNDECIDED,
            ),
        }
        for column in ("expected_substance", "method"):
            if not drug_check[column]:
                cells.refuse(column, "This cell is empty; a drug check needs it.")
    if cells.errors or service_id is None or at is None:
        return None, cells.errors
    return NewService(
        site=site,
        kind=kind,
        code=cells.text("code") or None,
        at=at,
        drug_check=drug_check,
        supplies=supplies,
        id=service_id,
        imported=True,
    ), []


def read_referral(site: Site, number: int, row: Row) -> tuple[NewReferral | None, list[RowError]]:
    cells = Cells(site, number, row)
    cells.required(REFERRAL_REQUIRED)
    referral_id, at = cells.id(), cells.time("at")
    category = cells.choice("category", ReferralCategory.values)
    destination = cells.choice("destination", Referral.Destination.values)
    status = cells.choice("status", [str(s) for s in REFERRAL_INITIAL_STATUSES], default="offered")
    accompanied = cells.yes_no("accompanied")
    agency = cells.text("agency")
    if len(agency) > 120:
        cells.refuse("agency", "At most 120 characters.")
    if cells.errors or referral_id is None or at is None:
        return None, cells.errors
    return NewReferral(
        site=site,
        category=category,
        destination=destination,
        accompanied=accompanied,
        status=status,
        agency=agency,
        code=cells.text("code") or None,
        at=at,
        id=referral_id,
        imported=True,
    ), []


def _write_service(request: NewService, by: User, role: Role) -> datetime | None:
    service, created = service_create(request=request, by=by, role=role)
    return service.at if created else None


def _write_referral(request: NewReferral, by: User, role: Role) -> datetime | None:
    referral, created = referral_create(request=request, by=by, role=role)
    return referral.at if created else None


SERVICE_ROWS = RecordRows(
    read=read_service, write=_write_service, columns_of={"drug_check": "method"}
)
REFERRAL_ROWS = RecordRows(read=read_referral, write=_write_referral, columns_of={})
