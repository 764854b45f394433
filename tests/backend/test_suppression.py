"""Small-cell suppression on hand-worked tables (threshold 10, Health Canada's)."""

from __future__ import annotations

from vigil.care.models import ReferralCategory
from vigil.reports.exports import suppressed_metrics
from vigil.reports.suppression import suppress


def test_counts_from_1_to_9_are_hidden_and_zero_and_10_are_shown() -> None:
    cells = {"a": 0, "b": 1, "c": 9, "d": 10, "e": None}

    assert suppress(cells, threshold=10) == {"a": 0, "b": "<10", "c": "<10", "d": 10, "e": None}


def test_a_single_hidden_part_would_be_recovered_from_its_total_so_the_smallest_other_part_hides() -> (
    None
):
    # visits 57 = consumption 5 + service-only 52: alone, "<10" would be 57 - 52 = 5.
    cells = {"visits": 57, "consumption": 5, "service_only": 52}

    shown = suppress(cells, [("visits", ["consumption", "service_only"])], threshold=10)

    # 52 is hidden for 5's sake: "x" says it is hidden, without claiming it is under 10.
    assert shown == {"visits": 57, "consumption": "<10", "service_only": "x"}


def test_the_complement_is_the_smallest_non_zero_cell_of_the_row() -> None:
    # Row total 100 over four cells: 3 is hidden; the smallest other non-zero is 12 (not 0).
    cells = {"t": 100, "a": 3, "b": 0, "c": 12, "d": 85}

    shown = suppress(cells, [("t", ["a", "b", "c", "d"])], threshold=10)

    assert shown == {"t": 100, "a": "<10", "b": 0, "c": "x", "d": 85}


def test_when_every_other_part_is_zero_the_total_itself_is_hidden() -> None:
    cells = {"t": 4, "a": 4, "b": 0}

    shown = suppress(cells, [("t", ["a", "b"])], threshold=10)

    assert shown == {"t": "<10", "a": "<10", "b": 0}


def test_two_hidden_cells_in_a_row_need_no_complement() -> None:
    cells = {"t": 30, "a": 2, "b": 3, "c": 25}

    shown = suppress(cells, [("t", ["a", "b", "c"])], threshold=10)

    assert shown == {"t": 30, "a": "<10", "b": "<10", "c": 25}


def test_a_complement_chosen_for_a_row_is_protected_in_its_column_too() -> None:
    """A 2x2 table with row and column totals.

              c1   c2 | total
        r1     4   20 |   24
        r2    30   40 |   70
        ------------------------
        total 34   60 |   94

    r1c1 = 4 is hidden. Row r1 then hides r1c2 (20), column c1 hides r2c1 (30); now column
    c2 has one hidden cell (r1c2), so r2c2 (40) hides too, and every row and column holds
    two hidden cells: none can be recovered by subtraction. Only r1c1 is small ("<10"); the
    three it drags along show "x".
    """
    cells = {
        ("r1", "c1"): 4, ("r1", "c2"): 20, ("r1", "t"): 24,
        ("r2", "c1"): 30, ("r2", "c2"): 40, ("r2", "t"): 70,
        ("t", "c1"): 34, ("t", "c2"): 60, ("t", "t"): 94,
    }  # fmt: skip
    relations = [
        (("r1", "t"), [("r1", "c1"), ("r1", "c2")]),
        (("r2", "t"), [("r2", "c1"), ("r2", "c2")]),
        (("t", "c1"), [("r1", "c1"), ("r2", "c1")]),
        (("t", "c2"), [("r1", "c2"), ("r2", "c2")]),
        (("t", "t"), [("t", "c1"), ("t", "c2")]),
    ]

    shown = suppress(cells, relations, threshold=10)

    assert {key for key, value in shown.items() if value == "<10"} == {("r1", "c1")}
    assert {key for key, value in shown.items() if value == "x"} == {
        ("r1", "c2"),
        ("r2", "c1"),
        ("r2", "c2"),
    }
    hidden = {key for key, value in shown.items() if value in ("<10", "x")}
    for total, parts in relations:
        members = [total, *parts]
        assert sum(1 for m in members if m in hidden) != 1, f"{total} could be recovered"


def test_a_subtotal_hidden_to_protect_a_small_cell_shows_x() -> None:
    # all 20 = t 14 + d 6, and t 14 = a 6 + b 8 + c 0. d (6) is small: alone, 20 - 14 would
    # give it back, so t hides too, as "x" (it is 14, not under 10). In t's own row, a, b and
    # t are then hidden: none can be recovered.
    cells = {"all": 20, "t": 14, "a": 6, "b": 8, "c": 0, "d": 6}

    shown = suppress(cells, [("t", ["a", "b", "c"]), ("all", ["t", "d"])], threshold=10)

    assert shown == {"all": 20, "t": "x", "a": "<10", "b": "<10", "c": 0, "d": "<10"}


def test_the_threshold_is_configurable(settings: object) -> None:
    setattr(settings, "VIGIL_SUPPRESSION_THRESHOLD", 5)  # noqa: B010

    assert suppress({"a": 4, "b": 5}) == {"a": "<5", "b": 5}


def test_a_rate_is_withheld_when_a_count_it_comes_from_is_hidden() -> None:
    # 3 overdoses in 150 visits: 1000 x 3 / 150 = 20.0, and 20.0 x 150 / 1000 gives the 3 back.
    cells = {"visits": 150, "overdoses": 3, "rate": 20.0}

    shown = suppress(cells, derived=[("rate", ["overdoses", "visits"])], threshold=10)

    assert shown == {"visits": 150, "overdoses": "<10", "rate": None}


def test_a_small_rate_from_shown_counts_is_shown() -> None:
    cells = {"visits": 2000, "overdoses": 10, "rate": 5.0}

    shown = suppress(cells, derived=[("rate", ["overdoses", "visits"])], threshold=10)

    assert shown == cells


def test_a_report_protects_referrals_by_category_against_their_total() -> None:
    """One day's referrals, worked by hand.

        referrals 25 = onsite 12 + offsite 13
                     = housing 3 + oat 22 (every other category 0)

    housing (3) is hidden; alone, 25 - 22 would give it back, so oat (22, the smallest other
    non-zero category) is hidden too, as "x": it is not under 10. Onsite and offsite hide
    nothing: both are 10 or more.
    """
    categories = dict.fromkeys(ReferralCategory.values, 0) | {"housing": 3, "oat": 22}
    day = {
        "referrals": 25,
        "referrals_onsite": 12,
        "referrals_offsite": 13,
        "referrals_by_category": categories,
        "overdoses": 0,
        "visits": 180,
        "overdoses_per_1000_visits": 0.0,
    }

    shown = suppressed_metrics(day)

    assert shown["referrals_by_category"] == categories | {"housing": "<10", "oat": "x"}
    assert (shown["referrals"], shown["referrals_onsite"], shown["referrals_offsite"]) == (
        25,
        12,
        13,
    )
    assert (shown["visits"], shown["overdoses"], shown["overdoses_per_1000_visits"]) == (
        180,
        0,
        0.0,
    )
