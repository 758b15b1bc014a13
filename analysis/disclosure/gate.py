"""The disclosure-control gate: every figure, quote and export of the review passes here.

Figure builders (analysis.review.dashboard, indicators, breakdowns) count exactly; nothing
they return is shown as is. :func:`release_review` takes a built review, the number of
distinct respondents behind each figure, and a :class:`Policy`, and decides what is shown.
Templates, the PDF, the CSVs, the public results page and the charts print only what the gate
released: no template or export hides anything on its own. The rules (docs/privacy.md):

1. **Threshold.** A figure (headline, cell, indicator, quote) resting on fewer than
   ``MIN_CELL_SIZE`` distinct respondents is withheld, with complementary suppression (in
   analysis.disclosure.suppression) so a total cannot give it back.
2. **Small filtered views.** A view narrowed by any filter (demographic group, site, partner,
   survey, channel, language, or a partner viewer's own sites) whose whole population is under
   the threshold shows only "too few responses to show": no count, no quote, no previous
   period figure.
3. **Rounding.** Outside the backbone admin's own dashboard, released counts are rounded to
   ``DISCLOSURE_ROUNDING_BASE`` (5) and shares to as many percentage points, so two
   overlapping views cannot be subtracted.
4. **Whole windows.** Custom ranges are widened to whole weeks (analysis.disclosure.windows);
   a quote is shown only for a whole week, month or quarter whose population, goal and filter
   each rest on at least the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import current_app

from analysis.disclosure.rounding import round_count, round_share
from analysis.disclosure.suppression import Cell as TableCell
from analysis.disclosure.suppression import withheld_in_row
from analysis.disclosure.windows import is_whole
from analysis.review.memo import remembered

#: Why a figure is withheld.
PRIMARY = "primary"
COMPLEMENTARY = "complementary"
SMALL_VIEW = "small_view"


@dataclass(frozen=True)
class Figure:
    """A released count: ``value`` (rounded unless the view is exact) and the distinct
    respondents behind it (rounded likewise), both None when withheld."""

    value: int | None
    respondents: int | None = None
    withheld: bool = False
    reason: str | None = None

    def __str__(self) -> str:
        """The count, or an em dash for a withheld one (outputs explain the dash)."""
        return "—" if self.withheld or self.value is None else str(self.value)

    @property
    def shown(self) -> int | None:
        return None if self.withheld else self.value


WITHHELD = Figure(None, None, True, PRIMARY)


@dataclass(frozen=True)
class Policy:
    """What the gate allows for one viewer and one output."""

    min_cell: int
    #: Rounding base (1: exact, the backbone admin's own dashboard).
    base: int = 5

    @property
    def exact(self) -> bool:
        return self.base <= 1

    def enough(self, respondents: int | None) -> bool:
        """Whether a figure resting on ``respondents`` people may be shown."""
        return respondents is not None and respondents >= self.min_cell

    def figure(self, value: int | None, respondents: int | None = None) -> Figure:
        """One stand-alone count (``respondents`` defaults to ``value``); zero is shown."""
        respondents = value if respondents is None else respondents
        if value is None:
            return WITHHELD
        if value and not self.enough(respondents):
            return Figure(None, None, True, PRIMARY)
        return Figure(round_count(value, self.base), round_count(respondents, self.base))

    def share(self, share: float | None) -> float | None:
        return round_share(share, self.base)

    def mean(self, value: float | None) -> float | None:
        """A mean, to one decimal outside the exact view."""
        if value is None or self.exact:
            return value
        return round(value, 1)

    def row(self, counts: list[int], respondents: list[int] | None = None,
            total: int | None = None) -> list[Figure]:
        """A one-way table (each count with its respondents) whose total is shown elsewhere:
        primary and complementary suppression, then rounding."""
        respondents = counts if respondents is None else respondents
        reasons = withheld_in_row(counts, respondents, self.min_cell, total)
        return [Figure(None, None, True, reason) if reason else
                Figure(round_count(n, self.base), round_count(people, self.base))
                for n, people, reason in zip(counts, respondents, reasons, strict=True)]

    def table_cell(self, cell: TableCell) -> TableCell:
        """A cell of analysis.disclosure.suppression (already suppressed there), rounded."""
        if cell.suppressed:
            return cell
        return TableCell(round_count(cell.value, self.base), False, self.share(cell.share))


def rounding_base() -> int:
    return int(current_app.config.get("DISCLOSURE_ROUNDING_BASE", 5) or 1)


def min_cell_size() -> int:
    return int(current_app.config.get("MIN_CELL_SIZE", 10))


def policy_for(user=None, *, published: bool = False) -> Policy:
    """The backbone admin's own dashboard is exact (admins are backbone staff: partner
    organisations only have viewers); every other view, and every published output (report,
    PDF, CSVs, public results, texts), is rounded."""
    exact = not published and user is not None and getattr(user, "role", None) == "admin"
    return Policy(min_cell=min_cell_size(), base=1 if exact else rounding_base())


def published_policy() -> Policy:
    return policy_for(None, published=True)


def is_filtered(scope) -> bool:
    """Whether ``scope`` narrows the coalition's population in any way."""
    return bool(scope.group_dim or scope.site_id or scope.organization_id or scope.survey_id
                or scope.channel or scope.locale or scope.site_ids is not None)


# --- respondent counts --------------------------------------------------------------------


def _before(scope):
    """The scope over its previous period (counted, and remembered, on its own: once a period
    is over its counts are read back while the current one is counted again)."""
    return scope.with_period(scope.period.previous())


def population(scope) -> tuple[int, int]:
    """Distinct respondents in scope: (this period, the previous period)."""
    return _people(scope), _people(_before(scope))


@remembered()
def _people(scope) -> int:
    from analysis.review import newest_day

    return newest_day.counted(scope, _people_counted, people_in_two_parts)


def _people_counted(scope) -> int:
    from analysis.review.scope import response_conditions
    from feedback.core.extensions import db
    from feedback.responses.models import Response

    return int(db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Response.respondent_id)))
        .where(*response_conditions(scope))) or 0)


def people_in_two_parts(head, tail) -> int:
    """:func:`_people` over two adjacent periods (analysis.review.newest_day)."""
    from analysis.review import newest_day
    from analysis.review.scope import response_conditions
    from feedback.responses.models import Response

    def rows(scope, conditions):
        return sa.select(Response.respondent_id).where(*response_conditions(scope), *conditions)

    return _people(head) + newest_day.new_people(rows, head, tail).get((), 0)


def goal_respondents(scope) -> dict:
    """{"now"|"before": {goal_id: {sentiment|None: distinct respondents}}, "themes":
    {goal_id: {theme_id: respondents this period}}}: None is the goal's whole comment count."""
    from analysis.review.goal_counts import in_period, people_of

    now, before = in_period(scope), in_period(_before(scope))
    return {"now": people_of(now["goals"]), "before": people_of(before["goals"]),
            "themes": people_of(now["themes"])}


def indicator_respondents(scope) -> dict:
    """{"now"|"before": {question key: (distinct respondents who answered it, those of them
    who answered with a number)}}: the headline indicators are read from totals, which count
    answers, not people. A mean rests on the second: the people behind its numbers, not those
    who answered "not sure"."""
    return {"now": _indicator_people(scope), "before": _indicator_people(_before(scope))}


@remembered()
def _indicator_people(scope) -> dict:
    from analysis.review import newest_day

    return newest_day.counted(scope, _indicator_people_counted, indicator_people_in_two_parts)


def _indicator_people_counted(scope) -> dict:
    from analysis.review.scope import answer_conditions, response_period
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, Response

    with_number = sa.case((Answer.value_number.is_not(None), Response.respondent_id))
    return {key: (int(everyone), int(numbers)) for key, everyone, numbers in db.session.execute(
        sa.select(Answer.question_key, sa.func.count(sa.distinct(Response.respondent_id)),
                  sa.func.count(sa.distinct(with_number)))
        .select_from(Answer).join(Response, Response.id == Answer.response_id)
        .where(*answer_conditions(scope), *response_period(scope.period))
        .group_by(Answer.question_key))}


def indicator_people_in_two_parts(head, tail) -> dict:
    """:func:`_indicator_people` over two adjacent periods (analysis.review.newest_day)."""
    from analysis.review import newest_day
    from analysis.review.scope import answer_conditions, response_period
    from feedback.responses.models import Answer, Response

    def rows(scope, conditions):
        # the period bounds the responses only (analysis.review.newest_day.new_people)
        return (sa.select(Answer.question_key, Answer.value_number.is_not(None),
                          Response.respondent_id)
                .select_from(Answer).join(Response, Response.id == Answer.response_id)
                .where(*answer_conditions(scope, with_period=False),
                       *response_period(scope.period), *conditions))

    def figures(row):
        key, with_number = row
        return (("all", key), ("number", key)) if with_number else (("all", key),)

    result = dict(_indicator_people(head))
    fresh = newest_day.new_people(rows, head, tail, figures)
    for key in {key for _name, key in fresh}:
        everyone, numbers = result.get(key, (0, 0))
        result[key] = (everyone + fresh.get(("all", key), 0),
                       numbers + fresh.get(("number", key), 0))
    return result


def people_behind(indicator, answered: dict) -> int:
    """The respondents an indicator's figure rests on, from :func:`indicator_respondents`."""
    everyone, with_number = answered.get(indicator.question_key, (0, 0))
    return with_number if indicator.rule == "mean" else everyone


@remembered()
def volume_respondents(scope, unit: str) -> dict:
    """{(bucket, "channel"|"locale", key): distinct respondents} for the volume tables."""
    from analysis.review import newest_day

    return newest_day.counted(scope, lambda whole: _volume_people(whole, unit),
                              lambda head, tail: volume_people_in_two_parts(head, tail, unit))


def _volume_columns(unit: str):
    """(bucket expression, [("channel"|"locale", column)]) of the volume tables."""
    from analysis.review.periods import bucket_expression
    from feedback.responses.models import Response

    return (bucket_expression(Response.completed_at, unit),
            (("channel", Response.channel), ("locale", Response.locale)))


def _volume_people(scope, unit: str) -> dict:
    from analysis.review.scope import response_conditions
    from feedback.core.extensions import db
    from feedback.responses.models import Response

    bucket, columns = _volume_columns(unit)
    people = sa.func.count(sa.distinct(Response.respondent_id))
    out = {}
    for by, column in columns:
        for b, key, n in db.session.execute(
            sa.select(bucket, column, people).where(*response_conditions(scope))
            .group_by(bucket, column)
        ):
            out[(str(b), by, key)] = int(n)
    return out


def volume_people_in_two_parts(head, tail, unit: str) -> dict:
    """:func:`volume_respondents` over two adjacent periods (analysis.review.newest_day)."""
    from analysis.review import newest_day
    from analysis.review.scope import response_conditions
    from feedback.responses.models import Response

    bucket, columns = _volume_columns(unit)

    def rows(scope, conditions):
        return sa.select(bucket, *(column for _by, column in columns),
                         Response.respondent_id).where(*response_conditions(scope), *conditions)

    def figures(row):
        return ((row[0], by, value) for (by, _column), value in zip(columns, row[1:],
                                                                  strict=True))

    result = dict(volume_respondents(head, unit))
    for (b, by, key), n in newest_day.new_people(rows, head, tail, figures).items():
        result[(str(b), by, key)] = result.get((str(b), by, key), 0) + n
    return result


# --- releasing a review --------------------------------------------------------------------

SENTIMENT_ORDER = ("positive", "neutral", "negative", "untagged")


def release_mix(policy: Policy, mix: dict, people: dict, total: Figure):
    """Sentiment counts of one goal and period -> ({label: Figure}, {label: share})."""
    labels = [k for k in SENTIMENT_ORDER if k in mix] + sorted(
        k for k in mix if k not in SENTIMENT_ORDER)
    if total.withheld:
        return {k: Figure(None, None, True, COMPLEMENTARY) for k in labels}, {}
    counts = [int(mix[k]) for k in labels]
    figures = policy.row(counts, [people.get(k, counts[i]) for i, k in enumerate(labels)])
    released = dict(zip(labels, figures, strict=True))
    shown_total = total.value or 0
    shares = {k: (policy.share(f.value / shown_total) if shown_total else None)
              for k, f in released.items() if not f.withheld}
    return released, shares


def release_indicator(policy: Policy, value, respondents: int | None = None):
    """An analysis.review.indicators.IndicatorValue, released on the distinct respondents
    behind it (``respondents``, else the value's own count of them, else its answers)."""
    from analysis.review.indicators import IndicatorValue

    if not value.n:  # no answers: nothing to protect, and shown as such, not as too few
        return IndicatorValue(n=0, value=None)
    people = respondents if respondents is not None else value.respondents
    people = value.n if people is None else people
    if value.suppressed or not policy.enough(people):
        return IndicatorValue(n=value.n if policy.exact else 0, value=None, suppressed=True)
    shown = value.value
    if shown is not None:
        shown = policy.share(shown) if 0 <= shown <= 1 else policy.mean(shown)
    return IndicatorValue(n=round_count(value.n, policy.base), value=shown)


def _release_requests(policy: Policy, summary, quotes_ok: bool) -> None:
    """What people asked for follows the quotes' rule, on the people behind the requests:
    listed only when quotes may be shown and at least the threshold asked."""
    if quotes_ok and policy.enough(summary.request_people):
        summary.requests = policy.figure(summary.requests, summary.request_people)
    else:
        summary.requests, summary.request_quotes = None, []


def _release_group_table(policy: Policy, table, share_values: bool) -> None:
    """A per-goal table of analysis.review.cells, already suppressed there on each group's
    distinct respondents (``Policy.row``): round what is shown."""
    for cell in table.cells:
        if cell.suppressed:
            cell.n, cell.value, cell.respondents = 0, None, None
            continue
        cell.n = round_count(cell.n, policy.base)
        cell.respondents = round_count(cell.respondents, policy.base)
        if cell.value is not None and isinstance(cell.value, float):
            cell.value = policy.share(cell.value) if share_values else policy.mean(cell.value)
        elif cell.value is not None:
            cell.value = round_count(cell.value, policy.base)


def _release_breakdown(policy: Policy, result) -> None:
    """An analysis.breakdowns result, already suppressed there: round every shown cell."""
    table = result.table
    table.cells = {key: policy.table_cell(c) for key, c in table.cells.items()}
    table.row_totals = {key: policy.table_cell(c) for key, c in table.row_totals.items()}
    table.col_totals = {key: policy.table_cell(c) for key, c in table.col_totals.items()}
    table.total = policy.table_cell(table.total)
    if result.population is not None:
        result.population = round_count(result.population, policy.base)


def _release_volume(policy: Policy, rows, people: dict, by: str) -> list[dict]:
    counts = [int(n) for _b, _k, n in rows]
    figures = policy.row(counts, [people.get((str(b), by, k), n)
                                  for (b, k, _n), n in zip(rows, counts, strict=True)])
    return [{"bucket": b, "key": k, "n": f.shown, "suppressed": f.withheld}
            for (b, k, _n), f in zip(rows, figures, strict=True)]


def quotes_allowed(policy: Policy, scope, population_now: int) -> bool:
    """Quotes need a whole window and a population at or above the threshold."""
    return is_whole(scope.period) and policy.enough(population_now)


def release_review(review, policy: Policy):
    """Release ``review`` (analysis.review.dashboard.Review) in place under ``policy`` and
    return it. Afterwards every figure on it is what may be shown."""
    scope = review.scope
    pop_now, pop_before = population(scope)
    review.policy = policy
    review.min_cell = policy.min_cell
    review.too_few = is_filtered(scope) and not policy.enough(pop_now)
    review.population = policy.figure(pop_now)
    if review.too_few:
        review.responses = review.previous_responses = Figure(None, None, True, SMALL_VIEW)
        review.volume_channel, review.volume_locale, review.shared = [], [], []
        review.volume_tables = {"channel": [], "locale": []}
        review.goals = []
        return review
    review.responses = policy.figure(review.responses, pop_now)
    review.previous_responses = policy.figure(review.previous_responses, pop_before)
    in_buckets = (volume_respondents(scope, review.volume_unit)
                  if review.volume_channel or review.volume_locale else {})
    review.volume_tables = {
        "channel": _release_volume(policy, review.volume_channel, in_buckets, "channel"),
        "locale": _release_volume(policy, review.volume_locale, in_buckets, "locale")}
    people = (goal_respondents(scope) if review.goals
              else {"now": {}, "before": {}, "themes": {}})
    quotes_ok = quotes_allowed(policy, scope, pop_now)
    answered = (indicator_respondents(scope) if any(s.indicators for s in review.goals)
                else {"now": {}, "before": {}})
    for s in review.goals:
        now_people = people["now"].get(s.goal.id, {})
        before_people = people["before"].get(s.goal.id, {})
        s.comments = policy.figure(s.comments, now_people.get(None, 0))
        s.previous_comments = policy.figure(s.previous_comments, before_people.get(None, 0))
        s.sentiment, s.shares = release_mix(policy, s.sentiment, now_people, s.comments)
        s.previous_sentiment, s.previous_shares = release_mix(
            policy, s.previous_sentiment, before_people, s.previous_comments)
        theme_people = people["themes"].get(s.goal.id, {})
        s.themes = [(theme, policy.figure(n, theme_people.get(theme.id, n)))
                    for theme, n in s.themes]
        s.themes = [(theme, f) for theme, f in s.themes if not f.withheld]
        s.indicators = [
            (i, release_indicator(policy, now, people_behind(i, answered["now"])),
             release_indicator(policy, before, people_behind(i, answered["before"])))
            for i, now, before in s.indicators]
        if not (quotes_ok and not s.comments.withheld and s.comments.value):
            s.quotes = []
        _release_requests(policy, s, quotes_ok)
        if s.by_group is not None:
            _release_group_table(policy, s.by_group, share_values=False)
        for indicator, table in s.indicator_groups:
            _release_group_table(policy, table, share_values=indicator.rule != "mean")
    for shared in review.shared:
        _release_breakdown(policy, shared.result)
    _label_groups(review)
    return review


def _label_groups(review) -> None:
    """Demographic codes in the review's tables replaced by their labels in the viewer's
    language (analysis.disclosure.labels)."""
    if not review.dimension or review.dimension in ("site",):
        return
    from flask_babel import get_locale

    from analysis.disclosure.labels import label, value_labels

    locale = str(get_locale() or "en")
    labels = value_labels(locale)
    dim = review.dimension
    for s in review.goals:
        tables = ([s.by_group] if s.by_group is not None else []) + [
            t for _i, t in s.indicator_groups]
        for table in tables:
            for cell in table.cells:
                cell.group = label(dim, cell.group, locale, labels)
    for shared in review.shared:
        result = shared.result
        result.row_labels = {row: label(dim, result.row_labels.get(row, row), locale, labels)
                             for row in result.rows}


def release_counts(policy: Policy, items, attr: str = "count") -> list:
    """Items with a count attribute (emerging themes): withheld ones dropped, counts rounded.
    An item's ``respondents`` (distinct people behind the count), when it has one, decides."""
    out = []
    for item in items:
        figure = policy.figure(int(getattr(item, attr)), getattr(item, "respondents", None))
        if figure.withheld:
            continue
        try:
            out.append(replace(item, **{attr: figure.value}))
        except TypeError:
            setattr(item, attr, figure.value)
            out.append(item)
    return out


def change(now: Figure, before: Figure) -> int | None:
    """The released change between two released counts (None when either is withheld)."""
    if now.withheld or before.withheld or now.value is None or before.value is None:
        return None
    return now.value - before.value
