"""Small-cell suppression: the one function every output that leaves the site goes through."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)

# Shown for a cell hidden only to protect a small one: it claims no size (the cell may be 52).
# Statistics Canada's mark for a figure suppressed for confidentiality.
COMPLEMENT = "x"


def suppress(
    cells: Mapping[K, float | None],
    relations: Sequence[tuple[K, Sequence[K]]] = (),
    *,
    derived: Sequence[tuple[K, Sequence[K]]] = (),
    threshold: int | None = None,
) -> dict[K, float | str | None]:
    """Hide small counts so that no person can be singled out, even by subtraction.

    `relations` are (total, parts) pairs of keys: the total is the sum of the parts.
    `derived` are (figure, inputs) pairs: a figure computed from counts, such as a rate; it is
    not a count itself, so it is never hidden for being small.

    1. Primary suppression: a count from 1 to threshold-1 is shown as "<threshold".
       Zero stays zero (it singles nobody out); None (not applicable) stays None.
    2. Complementary suppression: in every relation total = sum(parts), if exactly one
       member (total or part) is hidden, it could be recovered by subtraction; hide the
       smallest other non-zero member too (a part before the total when they tie). It is
       shown as COMPLEMENT ("x"), not "<threshold": it may be any size, and saying "<10" of
       a 52 would misstate it.
    3. Repeat step 2 until no relation has exactly one hidden member, since hiding a cell
       for one relation can expose another.
    4. A derived figure with a hidden input is withheld (None): 1000 x overdoses / visits
       next to the visits would give the overdoses back.
    """
    limit = settings.VIGIL_SUPPRESSION_THRESHOLD if threshold is None else threshold
    figures = {figure for figure, _ in derived}
    primary = {
        key
        for key, value in cells.items()
        if key not in figures and value is not None and 0 < value < limit
    }
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            members = [*parts, total]
            exposed = [m for m in members if m in hidden]
            if len(exposed) != 1:
                continue
            candidates = [m for m in members if m not in hidden and (cells.get(m) or 0) > 0]
            if not candidates:
                continue
            smallest = min(candidates, key=lambda m: (cells[m] or 0, m == total))
            hidden.add(smallest)
            changed = True
    withheld = {figure for figure, inputs in derived if hidden.intersection(inputs)}
    shown: dict[K, float | str | None] = {}
    for key, value in cells.items():
        if key in primary:
            shown[key] = f"<{limit}"
        elif key in hidden:
            shown[key] = COMPLEMENT
        else:
            shown[key] = None if key in withheld else value
    return shown
