"""Small-cell suppression: no hidden count can be read off a table, its totals or a filter."""

from __future__ import annotations

from datetime import datetime

from analysis.breakdowns import ALL, Filters, Measure, breakdown
from analysis.disclosure.suppression import suppress


def _recoverable(table, rows, cols) -> list:
    """Hidden cells that a reader could compute from one displayed relation (row or column)."""
    leaks = []
    for r in rows:
        hidden = [c for c in cols if table.cell(r, c).suppressed]
        if len(hidden) == 1 and not table.row_totals[r].suppressed:
            leaks.append((r, hidden[0]))
    for c in cols:
        hidden = [r for r in rows if table.cell(r, c).suppressed]
        if len(hidden) == 1 and not table.col_totals[c].suppressed:
            leaks.append((hidden[0], c))
    hidden_rows = [r for r in rows if table.row_totals[r].suppressed]
    if len(hidden_rows) == 1 and not table.total.suppressed:
        leaks.append((hidden_rows[0], "total"))
    return leaks


def test_crosstab_small_cell_gets_a_complementary_cell():
    table = suppress(
        {"13-15": {"yes": 40, "no": 4}, "16-18": {"yes": 35, "no": 30}}, min_cell=10
    )
    assert table.cell("13-15", "no").suppressed and table.cell("13-15", "no").value is None
    # Row total 44 is shown, so a second cell of that row must be hidden too ...
    assert table.cell("13-15", "yes").suppressed
    # ... and then the column totals force a complement in the other row.
    assert table.cell("16-18", "no").suppressed and table.cell("16-18", "yes").suppressed
    assert _recoverable(table, table.rows, table.cols) == []
    # Unaffected figures and the totals stay visible.
    assert table.row_totals["13-15"].value == 44
    assert table.total.value == 109


def test_only_the_needed_cells_are_hidden():
    table = suppress(
        {"a": {"x": 50, "y": 3, "z": 20}, "b": {"x": 60, "y": 40, "z": 25},
         "c": {"x": 70, "y": 45, "z": 90}},
        min_cell=10,
    )
    hidden = {k for k, cell in table.cells.items() if cell.suppressed}
    assert ("a", "y") in hidden
    assert len(hidden) == 4  # the small cell, one in its row, one in its column, one corner
    assert table.cell("c", "x").value == 70
    assert _recoverable(table, table.rows, table.cols) == []


def test_one_dimension_total_would_reveal_a_single_small_group():
    table = suppress(
        {"web": {"count": 120}, "sms": {"count": 4}, "kiosk": {"count": 30}},
        min_cell=10, share_of="total",
    )
    assert table.cell("sms", "count").suppressed
    # The overall total is shown, so one more group is hidden (the smallest one).
    assert table.cell("kiosk", "count").suppressed
    assert table.cell("web", "count").value == 120
    assert table.total.value == 154
    # Shares are hidden with their counts.
    assert table.cell("sms", "count").share is None
    assert round(table.cell("web", "count").share, 3) == round(120 / 154, 3)


def test_small_total_is_hidden_and_zeros_of_small_groups_too():
    table = suppress({"a": {"yes": 3, "no": 0}, "b": {"yes": 3, "no": 2}}, min_cell=10)
    assert table.total.suppressed
    assert all(cell.suppressed for cell in table.cells.values())


def test_zero_cells_of_a_large_group_are_shown():
    table = suppress({"a": {"yes": 30, "no": 0}, "b": {"yes": 20, "no": 15}}, min_cell=10)
    assert table.cell("a", "no").value == 0 and not table.cell("a", "no").suppressed
    assert table.cell("a", "yes").value == 30


def test_breakdown_crosstab_hides_small_cells_from_the_database(app, people):
    people(25, age_group="13-15", gender="girl")
    people(3, age_group="13-15", gender="boy")
    people(20, age_group="16-18", gender="girl")
    people(18, age_group="16-18", gender="boy")
    result = breakdown("respondents", ("age_group", "gender"), min_cell=10)
    assert result.cell("13-15", "boy").suppressed
    assert _recoverable(result.table, result.rows, result.cols) == []
    assert result.total.value == 66
    assert result.population == 66


def test_multi_select_race_counts_a_person_in_each_group(app, people):
    people(12, races=["black", "white"])
    people(15, races=["black"])
    people(11, races=["asian"])
    result = breakdown("respondents", ("race_ethnicity",), min_cell=10)
    assert result.cell("black", "count").value == 27
    assert result.cell("white", "count").value == 12
    assert result.cell("asian", "count").value == 11
    # The total counts people, not choices.
    assert result.total.value == 38


def test_a_filter_isolating_a_small_population_hides_everything(app, people):
    people(30, channel="web", comment="great program")
    people(4, channel="sms", comment="bus is late")
    result = breakdown("respondents", ("age_group",), Filters(channel="sms"), min_cell=10)
    assert result.reason == "small_population"
    assert all(cell.suppressed for cell in result.cells.values())
    assert result.total.suppressed


def test_two_filters_whose_difference_would_reveal_a_group(app, people):
    """All channels vs web only differ by 4 SMS respondents: the web table is refused."""
    people(20, channel="web", age_group="13-15", safe=True)
    people(10, channel="web", age_group="13-15", safe=False)
    people(4, channel="sms", age_group="13-15", safe=False)
    everyone = breakdown(Measure("indicator", "safe", ("yes",)), ("age_group",), min_cell=10)
    assert everyone.cell("13-15", "yes").value == 20
    assert everyone.cell("13-15", "no").value == 14
    # Web only would show 10 "no": 14 - 10 tells how the 4 SMS respondents answered.
    web_only = breakdown(
        Measure("indicator", "safe", ("yes",)), ("age_group",), Filters(channel="web"),
        min_cell=10,
    )
    assert web_only.reason == "difference"
    assert web_only.cell("13-15", "no").suppressed and web_only.total.suppressed


def test_filters_within_a_partner_scope(app, people, sites):
    site_a, site_b = sites
    people(40, site=site_a, gender="girl")
    people(12, site=site_b, gender="girl")
    scoped = breakdown("respondents", ("gender",), Filters(site_ids=[site_b.id]), min_cell=10)
    assert scoped.cell("girl", "count").value == 12
    assert scoped.reason is None
    by_partner = breakdown("respondents", ("partner",), min_cell=10)
    assert set(by_partner.row_labels.values()) == {"Org A", "Org B"}


def test_a_site_filter_cannot_reveal_the_other_sites_by_difference(app, people, sites):
    """Everyone vs site A differ by the 4 respondents of site B: the site A table is refused,
    while the same sites as a viewer's scope are not a filter and are shown."""
    site_a, site_b = sites
    people(30, site=site_a, age_group="13-15", safe=True)
    people(4, site=site_b, age_group="13-15", safe=False)
    safe = Measure("indicator", "safe", ("yes",))
    site_a_only = breakdown(safe, ("age_group",), Filters(only_sites=[site_a.id]), min_cell=10)
    assert site_a_only.reason == "difference"
    assert site_a_only.cell("13-15", "yes").suppressed and site_a_only.total.suppressed
    viewer = breakdown(safe, ("age_group",), Filters(site_ids=[site_a.id]), min_cell=10)
    assert viewer.reason is None and viewer.cell("13-15", "yes").value == 30


def test_period_filter_and_sentiment_free_measures(app, people):
    people(15, comment="the staff are kind", completed_at=datetime(2025, 1, 10))
    people(12, comment="nothing to add", completed_at=datetime(2025, 2, 10))
    jan = breakdown("comments", (), Filters(start=datetime(2025, 1, 1),
                                          end=datetime(2025, 2, 1)), min_cell=10)
    assert jan.cell(ALL, "count").value == 15
