from __future__ import annotations

import uuid

from django.db import models


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary, two-spirit or other"
    UNKNOWN = "unknown", "Unknown"


class Participant(models.Model):
    """A pseudonymous person, known only by the HMAC of the visit code they give.

    Never: name, date of birth, address, postal code, health number.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_digest = models.CharField(max_length=64, unique=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.UNKNOWN)
    first_seen_site = models.ForeignKey(
        "sites.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_seen_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="participant_birth_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"participant {str(self.id)[:8]}"


class ParticipantSite(models.Model):
    """A participant has been seen at a site: what makes them visible to that site's staff."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="sites")
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="participant_links"
    )
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "site"], name="participant_site_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} seen at {self.site_id}"
