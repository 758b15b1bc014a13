"""Which responses a review figure counts: the period, the GET-form filters and the viewer's
organisation. Every dashboard query and every export builds its WHERE clause here, so a partner
viewer's scope cannot be forgotten in one of them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from analysis.review.periods import Period
from feedback.core.extensions import db
from feedback.core.numbers import small_int
from feedback.responses.models import Answer, PartnerSite, Respondent, RespondentRace, Response

#: Demographic dimensions a figure can be disaggregated by (value: how to name it).
DIMENSIONS = ("age_group", "gender", "race", "neighbourhood", "role", "locale", "channel", "site")
#: Respondent columns a group filter or breakdown can use directly.
RESPONDENT_COLUMNS = ("age_group", "gender", "neighbourhood", "role")


@dataclass(frozen=True)
class ReviewScope:
    """A period plus filters; ``site_ids`` None means every site (backbone staff)."""

    period: Period
    survey_id: int | None = None
    channel: str | None = None
    locale: str | None = None
    site_id: int | None = None
    organization_id: int | None = None
    #: Demographic group filter: dimension name and value (e.g. ("age_group", "14-17")).
    group_dim: str | None = None
    group_value: str | None = None
    #: Sites the viewer may see (partner viewers); None: all, including responses with no site.
    site_ids: tuple[int, ...] | None = None

    def with_period(self, period: Period) -> ReviewScope:
        return replace(self, period=period)

    def as_dict(self) -> dict:
        """Settings for the audit log and the report header (ids only, no personal data)."""
        return {
            "period": self.period.label,
            "survey_id": self.survey_id,
            "channel": self.channel,
            "locale": self.locale,
            "site_id": self.site_id,
            "organization_id": self.organization_id,
            "group": f"{self.group_dim}={self.group_value}" if self.group_dim else None,
            "scoped_sites": None if self.site_ids is None else len(self.site_ids),
        }


def _scope_conditions(model, scope: ReviewScope) -> list:
    """The filters on the columns ``response``, ``answer`` and the daily totals all carry
    (answers keep copies of their response's), so one list serves every table."""
    conds = []
    if scope.site_ids is not None:
        conds.append(model.site_id.in_(scope.site_ids or [-1]))
    if scope.survey_id:
        conds.append(model.survey_id == scope.survey_id)
    if scope.channel:
        conds.append(model.channel == scope.channel)
    if scope.locale:
        conds.append(model.locale == scope.locale)
    if scope.site_id:
        conds.append(model.site_id == scope.site_id)
    if scope.organization_id:
        conds.append(
            model.site_id.in_(
                sa.select(PartnerSite.id).where(
                    PartnerSite.organization_id == scope.organization_id
                )
            )
        )
    return conds


def _shared_conditions(model, scope: ReviewScope, with_period: bool) -> list:
    """Completed, in the period (if asked) and in scope, on ``response`` or ``answer``."""
    conds = [model.completed_at.is_not(None)]
    if with_period:
        conds += [
            model.completed_at >= scope.period.start_dt,
            model.completed_at < scope.period.end_dt,
        ]
    return conds + _scope_conditions(model, scope)


def totals_conditions(table, scope: ReviewScope, with_period: bool = True) -> list:
    """The scope on a daily totals table (analysis.review.daily_totals): the period is a range
    of days. A demographic group filter cannot be applied there (see ``totals_can_answer``)."""
    conds = _scope_conditions(table, scope)
    if with_period:
        conds += [table.day >= scope.period.start, table.day < scope.period.end]
    return conds


def excluded_origins() -> list[str]:
    """Response origins left out of every figure ("staff", "import": FIGURES_EXCLUDE_ORIGINS)."""
    from flask import current_app, has_app_context

    return list(current_app.config.get("FIGURES_EXCLUDE_ORIGINS") or []) \
        if has_app_context() else []


def totals_can_answer(scope: ReviewScope) -> bool:
    """Whether the daily totals hold this scope's figures: they are kept per day, survey,
    site, channel and language, not per demographic group nor per response origin."""
    return not (scope.group_dim and scope.group_value) and not excluded_origins()


def response_conditions(scope: ReviewScope, with_period: bool = True) -> list:
    """WHERE conditions on ``response`` for this scope (completed responses only; held
    responses have no completion time until staff accept them, feedback.webform.padding)."""
    conds = _shared_conditions(Response, scope, with_period)
    if excluded_origins():
        conds.append(Response.origin.not_in(excluded_origins()))
    if scope.group_dim and scope.group_value:
        conds.append(group_condition(scope.group_dim, scope.group_value))
    return conds


def response_period(period: Period) -> list:
    """For answer queries that join ``response``: the period again, on the response's own
    completion time (equal to the answer's copy). The planner cannot know the two are equal;
    told, it reads only the period's responses (ix_response_completed), not every one."""
    return [Response.completed_at >= period.start_dt, Response.completed_at < period.end_dt]


def answer_conditions(scope: ReviewScope, with_period: bool = True) -> list:
    """The same conditions as :func:`response_conditions`, on ``answer``'s copies of the
    response's columns (feedback.responses.models.Answer), so answer figures need not join
    ``response``:
    the period is a range on the indexed ``answer.completed_at``. Only a demographic group
    filter goes through ``response`` (a subquery on the respondent)."""
    conds = _shared_conditions(Answer, scope, with_period)
    responses = response_period(scope.period) if with_period else []
    if excluded_origins():
        conds.append(Answer.response_id.in_(sa.select(Response.id).where(
            *responses, Response.origin.not_in(excluded_origins()))))
    if scope.group_dim and scope.group_value:
        if scope.group_dim in ("locale", "channel", "site"):
            value = scope.group_value
            column = getattr(Answer, scope.group_dim if scope.group_dim != "site" else "site_id")
            if scope.group_dim == "site":
                site_id = small_int(value)
                conds.append(column == site_id if site_id is not None else sa.false())
            else:
                conds.append(column == value)
        else:
            conds.append(Answer.response_id.in_(sa.select(Response.id).where(
                *responses, group_condition(scope.group_dim, scope.group_value))))
    return conds


def group_condition(dim: str, value: str):
    """Responses whose respondent (or response) is in the group ``dim`` = ``value``."""
    if dim in RESPONDENT_COLUMNS:
        column = getattr(Respondent, dim)
        return Response.respondent_id.in_(sa.select(Respondent.id).where(column == value))
    if dim == "race":
        return Response.respondent_id.in_(
            sa.select(RespondentRace.respondent_id).where(RespondentRace.group == value)
        )
    if dim == "locale":
        return Response.locale == value
    if dim == "channel":
        return Response.channel == value
    if dim == "site":
        site_id = small_int(value)
        return Response.site_id == site_id if site_id is not None else sa.false()
    raise ValueError(dim)


def dimension_join(query, dim: str):
    """Add what ``query`` (which selects from response) needs to group by ``dim``; returns
    (query, group expression). Race is multi-select: a respondent counts in each group chosen."""
    if dim in RESPONDENT_COLUMNS:
        query = query.join(Respondent, Respondent.id == Response.respondent_id)
        return query, getattr(Respondent, dim)
    if dim == "race":
        query = query.join(RespondentRace, RespondentRace.respondent_id == Response.respondent_id)
        return query, RespondentRace.group
    if dim == "locale":
        return query, Response.locale
    if dim == "channel":
        return query, Response.channel
    if dim == "site":
        return query, Response.site_id
    raise ValueError(dim)


def site_ids_for(scope: ReviewScope) -> list[int] | None:
    """The site ids the scope is limited to (viewer, site and partner filters), None for all."""
    if scope.site_ids is None and not scope.site_id and not scope.organization_id:
        return None
    query = sa.select(PartnerSite.id)
    if scope.site_ids is not None:
        query = query.where(PartnerSite.id.in_(scope.site_ids or [-1]))
    if scope.site_id:
        query = query.where(PartnerSite.id == scope.site_id)
    if scope.organization_id:
        query = query.where(PartnerSite.organization_id == scope.organization_id)
    return list(db.session.scalars(query))


def earliest_day_with_data(scope: ReviewScope):
    """The date of the oldest completed response in scope (ignoring the period), or None."""
    oldest = db.session.scalar(sa.select(sa.func.min(Response.completed_at)).where(
        *response_conditions(scope, with_period=False)))
    return oldest.date() if oldest else None


def latest_day_with_data(scope: ReviewScope, before: datetime | None = None):
    """The date of the newest completed response in scope (ignoring the period), or None;
    with ``before``, of the newest one completed before that time."""
    newest = db.session.scalar(
        sa.select(sa.func.max(Response.completed_at)).where(
            *response_conditions(scope, with_period=False),
            *(() if before is None else (Response.completed_at < before,))
        )
    )
    return newest.date() if newest else None


def site_names(site_ids=None) -> dict[int, str]:
    """Site names by id (to label site groups)."""
    query = sa.select(PartnerSite.id, PartnerSite.name)
    if site_ids is not None:
        query = query.where(PartnerSite.id.in_(site_ids or [-1]))
    return dict(db.session.execute(query).all())
