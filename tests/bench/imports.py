"""Issue 18's figure: a busy site's year of visits (200,000 rows of CSV) through the import's
run (every row checked, then written in batches with its audit event), beside a plain COPY of
the same rows into a bare table of the visits' shape: the database's floor for those bytes.

The run is timed in this process (`import_run`, what the Celery task calls), not through the
broker: the figure is the import's own work.
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
import uuid
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from vigil.accounts.models import User
from vigil.imports.models import Import, ImportFile
from vigil.imports.services import import_run
from vigil.sites.models import Site

ROWS = int(os.environ.get("VIGIL_BENCH_IMPORT_ROWS", "200000"))
COLUMNS = ["id", "checked_in_at", "checked_out_at", "kind", "booth", "code", "substances", "routes"]
SUBSTANCES = ("fentanyl", "crack", "fentanyl;crack", "methamphetamine", "heroin", "")
ROUTES = ("injection", "inhalation", "intranasal", "")


def visits_csv(*, site: Site, rows: int, people: int = 4000) -> bytes:
    """`rows` closed visits of the last 365 days (a busy site's year), in booths and at times
    that never overlap (the one-open-visit rules hold), from `people` codes."""
    rng = random.Random(18)
    labels = list(site.booths.filter(active=True).values_list("label", flat=True))
    start = timezone.now() - timedelta(days=366)
    step = timedelta(days=365) / rows
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n in range(rows):
        checked_in = start + n * step
        writer.writerow(
            [
                uuid.UUID(int=rng.getrandbits(128), version=4),
                checked_in.isoformat(),
                (checked_in + timedelta(minutes=rng.randint(5, 40))).isoformat(),
                "consumption",
                labels[n % len(labels)],
                f"BENCH{rng.randrange(people):05d}",
                rng.choice(SUBSTANCES),
                rng.choice(ROUTES),
            ]
        )
    return out.getvalue().encode()


def measure(*, site: Site, by: User, rows: int = ROWS) -> dict[str, Any]:
    """Seconds for the import's run and for a COPY of the same rows; both rows per second."""
    content = visits_csv(site=site, rows=rows)
    upload = Import.objects.create(site=site, kind="visits", file_name="year.csv", created_by=by)
    ImportFile.objects.create(upload=upload, content=content)
    t0 = time.perf_counter()
    done = import_run(import_id=upload.pk).upload
    run_seconds = time.perf_counter() - t0
    assert done.status == "done", done.errors[:5]
    copied = _copy_seconds(content)
    return {
        "rows": rows,
        "import_seconds": round(run_seconds, 1),
        "copy_seconds": round(copied, 2),
        "import_rows_per_second": round(rows / run_seconds),
        "copy_rows_per_second": round(rows / copied),
    }


def _copy_seconds(content: bytes) -> float:
    """A plain COPY of the file's rows into a bare table (no index, no constraint)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_import_copy (id uuid, checked_in_at timestamptz, "
            "checked_out_at timestamptz, kind text, booth text, code text, substances text, "
            "routes text)"
        )
        t0 = time.perf_counter()
        copy_sql = "COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        with cursor.cursor.copy(copy_sql) as copy:
            copy.write(content)
        seconds = time.perf_counter() - t0
        cursor.execute("DROP TABLE bench_import_copy")
    return seconds
