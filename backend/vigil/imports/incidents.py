"""The incidents file and the incident actions file: their columns, and each row read into the
request the incidents app takes (`IncidentOpen`, an `ActionTap` on its incident), then written
by its own services (`incident_open`, `incident_action_record`), marked imported.

An imported incident comes whole (its end, outcome and police attendance) and is stored
approved: it was reviewed in the site's former system, so it enters no review queue, the
floor, nor the debriefs due. Its actions come in a second file, imported after the incidents
(each row names its incident by `incident_id`); a naloxone dose of the past takes nothing
from today's stock. No narrative is imported: free text of another system may name people.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from vigil.accounts.models import Role, User
from vigil.imports.readers import Row
from vigil.imports.rows import AT_NOTE, CODE_NOTE, ID_NOTE, Cells, RecordRows
from vigil.imports.visits import RowError
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.services import IncidentOpen, incident_open
from vigil.incidents.timeline import ActionTap, incident_action_record
from vigil.sites.models import Site
from vigil.visits.models import Substance

INCIDENT_COLUMNS = (
    "id",
    "started_at",
    "kind",
    "location",
    "code",
    "signs",
    "suspected_substances",
    "ended_at",
    "outcome",
    "police_attended",
)
INCIDENT_REQUIRED = ("id", "started_at", "kind", "location")
ACTION_COLUMNS = ("id", "incident_id", "kind", "at", "dose_mg", "route", "spo2", "resp_rate")
ACTION_REQUIRED = ("id", "incident_id", "kind", "at")

INCIDENT_NOTES = {
    lang: {
        "id": ID_NOTE[lang]
        + {
            "en": " The incident's actions name it in their incident_id: import them after, "
            "in an incident actions file.",
            "fr": " Les gestes de l'incident le nomment dans leur incident_id : importez-les "
            "ensuite, dans un fichier de gestes d'intervention.",
        }[lang],
        "started_at": {
            "en": "When the incident started (2025-03-01 14:05); the site's local time.",
            "fr": "Début de l'incident (2025-03-01 14:05), à l'heure locale du site.",
        }[lang],
        "kind": {
            "en": "The kind of incident (see the allowed values).",
            "fr": "Le type d'incident (voir les valeurs permises).",
        }[lang],
        "location": {
            "en": "Where it happened (see the allowed values).",
            "fr": "Le lieu (voir les valeurs permises).",
        }[lang],
        "code": CODE_NOTE[lang],
        "signs": {
            "en": "Signs seen, separated by ;",
            "fr": "Signes observés, séparés par ;",
        }[lang],
        "suspected_substances": {
            "en": "Substances suspected, separated by ;",
            "fr": "Substances soupçonnées, séparées par ;",
        }[lang],
        "ended_at": {
            "en": "When the response ended; empty if not known.",
            "fr": "Fin de l'intervention ; vide si elle n'est pas connue.",
        }[lang],
        "outcome": {
            "en": "How it ended (see the allowed values); empty if not known.",
            "fr": "L'issue (voir les valeurs permises) ; vide si elle n'est pas connue.",
        }[lang],
        "police_attended": {
            "en": "yes if the police came; empty or no otherwise.",
            "fr": "oui si la police est venue ; vide ou non sinon.",
        }[lang],
    }
    for lang in ("en", "fr")
}
ACTION_NOTES = {
    lang: {
        "id": ID_NOTE[lang],
        "incident_id": {
            "en": "The id of the incident: a row of an incidents file imported before, or an "
            "incident recorded in Vigil. Import the incidents first, then their actions.",
            "fr": "L'id de l'incident : une ligne d'un fichier d'incidents importé avant, ou un "
            "incident saisi dans Vigil. Importez d'abord les incidents, puis leurs actions.",
        }[lang],
        "kind": {
            "en": "The action taken (see the allowed values).",
            "fr": "L'action (voir les valeurs permises).",
        }[lang],
        "at": AT_NOTE[lang],
        "dose_mg": {
            "en": "Naloxone only: the dose in mg (0.4).",
            "fr": "Naloxone seulement : la dose en mg (0,4).",
        }[lang],
        "route": {
            "en": "Naloxone only: IM, IN or IV.",
            "fr": "Naloxone seulement : IM, IN ou IV.",
        }[lang],
        "spo2": {
            "en": "Vitals only: SpO2 in % (30 to 100).",
            "fr": "Signes vitaux seulement : SpO2 en % (30 à 100).",
        }[lang],
        "resp_rate": {
            "en": "Vitals only: breaths per minute (0 to 60).",
            "fr": "Signes vitaux seulement : respirations par minute (0 à 60).",
        }[lang],
    }
    for lang in ("en", "fr")
}


def incident_allowed_values(site: Site) -> dict[str, list[str]]:
    return {
        "kind": Incident.Kind.values,
        "location": Incident.Location.values,
        "signs": Incident.Sign.values,
        "suspected_substances": Substance.values,
        "outcome": Incident.Outcome.values,
        "police_attended": ["yes", "no"],
    }


def action_allowed_values(site: Site) -> dict[str, list[str]]:
    return {"kind": IncidentAction.Kind.values, "route": IncidentAction.Route.values}


def read_incident(site: Site, number: int, row: Row) -> tuple[IncidentOpen | None, list[RowError]]:
    cells = Cells(site, number, row)
    cells.required(INCIDENT_REQUIRED)
    incident_id, started_at = cells.id(), cells.time("started_at")
    request = IncidentOpen(
        site=site,
        kind=cells.choice("kind", Incident.Kind.values),
        location=cells.choice("location", Incident.Location.values),
        code=cells.text("code") or None,
        started_at=started_at,
        signs=cells.choices("signs", Incident.Sign.values),
        suspected_substances=cells.choices("suspected_substances", Substance.values),
        ended_at=cells.time("ended_at"),
        outcome=cells.choice("outcome", Incident.Outcome.values),
        police_attended=cells.yes_no("police_attended"),
        id=incident_id,
        imported=True,
    )
    if cells.errors or incident_id is None or started_at is None:
        return None, cells.errors
    return request, []


@dataclass(frozen=True)
class ImportedAction:
    """An action row: the tap, on the incident of this site its row names."""

    incident: Incident
    tap: ActionTap
    id: uuid.UUID
    reason: str = ""  # of the audit event (an import names its file)


def read_action(site: Site, number: int, row: Row) -> tuple[ImportedAction | None, list[RowError]]:
    cells = Cells(site, number, row)
    cells.required(ACTION_REQUIRED)
    action_id, at = cells.id(), cells.time("at")
    incident_id = cells.id_in("incident_id")
    # Another site's incident is unknown here, as it is to the API.
    incident = (
        Incident.objects.select_related("site").filter(site=site, pk=incident_id).first()
        if incident_id is not None
        else None
    )
    if incident_id is not None and incident is None:
        cells.refuse(
            "incident_id",
            "No incident of this site has this id. Import the incidents first, then their actions.",
        )
    tap = ActionTap(
        kind=cells.choice("kind", IncidentAction.Kind.values),
        at=at,
        dose_mg=cells.decimal("dose_mg"),
        route=cells.text("route").upper(),
        spo2=cells.integer("spo2"),
        resp_rate=cells.integer("resp_rate"),
        id=action_id,
    )
    if tap.route and tap.route not in IncidentAction.Route.values:
        cells.refuse("route", f"Write one of: {', '.join(IncidentAction.Route.values)}.")
    if cells.errors or incident is None or action_id is None or at is None:
        return None, cells.errors
    return ImportedAction(incident=incident, tap=tap, id=action_id), []


def _write_incident(request: IncidentOpen, by: User, role: Role) -> datetime | None:
    incident, created = incident_open(request=request, by=by, role=role)
    return incident.started_at if created else None


def _write_action(request: ImportedAction, by: User, role: Role) -> datetime | None:
    _, created = incident_action_record(
        incident=request.incident,
        tap=request.tap,
        by=by,
        role=role,
        reason=request.reason,
        imported=True,
    )
    # Naloxone doses and EMS calls count on the day the incident started.
    return request.incident.started_at if created else None


INCIDENT_ROWS = RecordRows(read=read_incident, write=_write_incident, columns_of={})
# A refusal of the whole action (its incident voided, or locked) is its incident's.
ACTION_ROWS = RecordRows(read=read_action, write=_write_action, columns_of={"": "incident_id"})
