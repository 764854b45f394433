"""Compile the gettext catalogues (.po → .mo) with polib: no GNU gettext tools needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every django.po under LOCALE_PATHS into the django.mo beside it."

    def handle(self, *args: Any, **options: Any) -> None:
        for root in settings.LOCALE_PATHS:
            for po in sorted(Path(root).glob("*/LC_MESSAGES/django.po")):
                polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
                self.stdout.write(f"compiled {po.relative_to(settings.BACKEND_DIR)}")
