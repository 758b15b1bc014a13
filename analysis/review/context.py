"""Turns the dashboard's GET filters into a ReviewScope, with the viewer's site restriction.

The partner viewer's restriction comes from ``feedback.staff.auth.visible_site_ids`` and is applied
here, once, for the dashboard, the report, the PDF and every export; a viewer asking for another
organisation's site or partner simply gets an empty scope.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app

from analysis.disclosure.windows import widen_to_weeks
from analysis.review.forms import DIMENSION_LABELS, ReviewFilterForm, choices
from analysis.review.periods import month_of, parse_period, quarter_of
from analysis.review.scope import DIMENSIONS, RESPONDENT_COLUMNS, ReviewScope, latest_day_with_data
from feedback.core.extensions import db
from feedback.core.i18n import LANGUAGE_NAMES
from feedback.core.numbers import small_int
from feedback.responses.models import Organization, PartnerSite, Respondent, RespondentRace, utcnow
from feedback.staff.auth import visible_site_ids
from surveys.models import Survey, SurveyVersion


def build_scope(args, user) -> tuple[ReviewScope, str | None]:
    """The scope and disaggregation dimension that ``args`` (request.args) ask for."""
    site_ids = visible_site_ids(user)
    base = ReviewScope(period=quarter_of(utcnow().date()),
                       site_ids=None if site_ids is None else tuple(site_ids))
    kind = args.get("kind") or "quarter"
    value = args.get(kind) if kind in ("month", "quarter") else None
    period = parse_period(kind, value, _date(args.get("start")), _date(args.get("end")), None)
    if period is None:  # default: the latest quarter with data
        latest = latest_day_with_data(base) or utcnow().date()
        period = quarter_of(latest)
    # no arbitrary day ranges: two ranges a day apart could be subtracted (docs/privacy.md)
    period = widen_to_weeks(period)
    group_dim, group_value = None, None
    if args.get("group") and ":" in args["group"]:
        group_dim, group_value = args["group"].split(":", 1)
        if group_dim not in DIMENSIONS:
            group_dim, group_value = None, None
    channel = args.get("channel") if args.get("channel") in ("web", "sms") else None
    locale = args.get("locale") or None
    if locale not in current_app.config["ENABLED_LOCALES"]:
        locale = None
    scope = ReviewScope(
        period=period, survey_id=small_int(args.get("survey")), channel=channel, locale=locale,
        site_id=small_int(args.get("site")), organization_id=small_int(args.get("partner")),
        group_dim=group_dim, group_value=group_value, site_ids=base.site_ids,
    )
    by = args.get("by") if args.get("by") in DIMENSIONS else None
    return scope, by


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filter_form(args, scope: ReviewScope, by: str | None) -> ReviewFilterForm:
    """The GET form, its menus filled with what this viewer may choose from."""
    form = ReviewFilterForm(args)
    latest = max(utcnow().date(), scope.period.last_day)
    quarters, months, day = [], [], latest
    for _ in range(8):
        q = quarter_of(day)
        quarters.append((q.label, q.label))
        day = q.previous().start
    day = latest
    for _ in range(18):
        m = month_of(day)
        months.append((m.label, m.label))
        day = m.previous().start
    form.quarter.choices = choices(quarters)
    form.month.choices = choices(months)
    if scope.period.kind == "quarter":
        form.quarter.data = scope.period.label
    elif scope.period.kind == "month":
        form.month.data = scope.period.label
    form.kind.data = scope.period.kind if scope.period.kind in ("month", "quarter") else "custom"
    if form.kind.data == "custom":  # show the whole weeks the range was widened to
        form.start.data, form.end.data = scope.period.start, scope.period.last_day
    every = [("", _all())]
    form.survey.choices = choices(every + [
        (str(s.id), s.slug) for s in db.session.scalars(sa.select(Survey).order_by(Survey.slug))
    ])
    form.channel.choices = choices(every + [("web", "Web"), ("sms", "SMS")])
    form.locale.choices = choices(every + [
        (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["ENABLED_LOCALES"]
    ])
    sites = sa.select(PartnerSite).order_by(PartnerSite.name)
    orgs = sa.select(Organization).where(Organization.kind == "partner").order_by(Organization.name)
    if scope.site_ids is not None:
        sites = sites.where(PartnerSite.id.in_(scope.site_ids or [-1]))
        orgs = orgs.where(
            Organization.id.in_(
                sa.select(PartnerSite.organization_id).where(
                    PartnerSite.id.in_(scope.site_ids or [-1])
                )
            )
        )
    form.site.choices = choices(every + [(str(s.id), s.name) for s in db.session.scalars(sites)])
    form.partner.choices = choices(every + [(str(o.id), o.name) for o in db.session.scalars(orgs)])
    form.group.choices = choices(every + group_choices())
    form.by.choices = choices([("", "—")] + [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS])
    form.by.data = by or ""
    return form


def distinct_values(column) -> list:
    """The distinct non-NULL values of an indexed column, smallest first, by a loose index
    scan: a recursive query that jumps from one value to the next larger one through the
    index, so the cost follows the number of values, not the number of respondents."""
    step = sa.select(sa.func.min(column)).where(column.is_not(None)).cte(
        "distinct_values", recursive=True)
    value = step.c[0]
    step = step.union_all(
        sa.select(sa.select(sa.func.min(column)).where(column > value).scalar_subquery())
        .where(value.is_not(None))
    )
    return [v for v in db.session.scalars(sa.select(step.c[0])) if v is not None]


def held_by_enough(column, values: list, k: int) -> list:
    """The ``values`` that at least ``k`` rows of ``column``'s table hold, in one query: each
    count stops at ``k`` rows of the column's index, so it costs little however many people."""
    if not values:
        return []
    counts = [
        sa.select(sa.func.count()).select_from(
            sa.select(sa.literal(1)).where(column == value).limit(k).subquery()
        ).scalar_subquery()
        for value in values
    ]
    held = db.session.execute(sa.select(*counts)).one()
    return [value for value, n in zip(values, held, strict=True) if n >= k]


def group_choices() -> list[tuple[str, str]]:
    """The group filters (:func:`group_filters`) as "dimension:value", shown by its
    translated label (analysis.disclosure.labels), never its code."""
    from flask_babel import get_locale

    from analysis.disclosure.labels import label, value_labels

    locale = str(get_locale() or "en")
    labels = value_labels(locale)
    return [(f"{dim}:{value}",
             f"{DIMENSION_LABELS[dim]}: {label(dim, value, locale, labels)}")
            for dim, value in group_filters()]


def group_filters() -> list[tuple[str, str]]:
    """Every demographic (dimension, value) held by at least the threshold of respondents.
    A rarer value is not offered: the menu itself would tell any viewer, a partner's
    included, that someone with it answered (docs/privacy.md)."""
    from analysis.disclosure.gate import min_cell_size

    k = min_cell_size()
    found = []
    for dim in RESPONDENT_COLUMNS:
        column = getattr(Respondent, dim)
        found += [(dim, value) for value in held_by_enough(column, distinct_values(column), k)]
    race = RespondentRace.group
    found += [("race", value) for value in held_by_enough(race, distinct_values(race), k)]
    return found


def _all():
    from flask_babel import gettext as _

    return _("All")


def survey_titles(locale: str) -> dict[int, str]:
    """Survey titles (latest version) in ``locale``, by survey id."""
    titles = {}
    for survey_id, title in db.session.execute(
        sa.select(SurveyVersion.survey_id, SurveyVersion.title).order_by(SurveyVersion.number)
    ):
        title = title or {}
        titles[survey_id] = title.get(locale) or title.get("en") or ""
    return titles


