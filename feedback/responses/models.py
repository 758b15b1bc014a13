"""The response store and the people around it: organisations, sites, staff, respondents.

Upper packages (messaging, analysis) refer to these tables by foreign key; these models refer to
upper ones only by a relationship's string name, never by import (docs/architecture.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.core.clock import utcnow  # noqa: F401  (the one clock; many modules import it here)
from feedback.core.extensions import db

if TYPE_CHECKING:
    from surveys.models import Survey


ROLES = ("admin", "staff", "partner_viewer")
CHANNELS = ("web", "sms")


class Organization(db.Model):
    """The backbone organisation or one of its partner non-profits."""

    __tablename__ = "organization"
    __table_args__ = (sa.CheckConstraint("kind IN ('backbone', 'partner')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: 'backbone' or 'partner'.
    kind: Mapped[str] = mapped_column(sa.String(20), default="partner")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sites: Mapped[list[PartnerSite]] = relationship(back_populates="organization")


class PartnerSite(db.Model):
    """A place where youth fill out surveys; its code goes in the survey link and QR poster."""

    __tablename__ = "partner_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code used in links: /s/<slug>?site=<code>.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    neighbourhood: Mapped[str] = mapped_column(sa.String(120), default="")
    #: A shared tablet: the form returns to the start after the thank-you page.
    kiosk_mode: Mapped[bool] = mapped_column(default=False)
    kiosk_reset_seconds: Mapped[int] = mapped_column(default=20)
    #: The survey this site runs: its posters and QR codes advertise it (None: staff choose).
    survey_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="sites")
    survey: Mapped[Survey | None] = relationship("Survey")


class StaffUser(UserMixin, db.Model):
    """A backbone or partner staff member who signs in to review feedback."""

    __tablename__ = "staff_user"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'staff', 'partner_viewer')", name="role"),
        sa.CheckConstraint(
            "role <> 'partner_viewer' OR organization_id IS NOT NULL", name="viewer_has_org"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: scrypt hash (werkzeug.security); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default="staff")
    #: Partner viewers see only this organisation's sites.
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organization: Mapped[Organization | None] = relationship()

    #: The server-side session this request runs under (set at sign-in and by the loader).
    session_token = None

    def get_id(self) -> str | None:
        """Flask-Login keeps the session token, not the user id, in the cookie."""
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login's name for "may sign in"
        return self.active


class StaffSession(db.Model):
    """A server-side record of a signed-in session, so logout and timeouts really end it."""

    __tablename__ = "staff_session"

    #: Random token kept in the signed cookie; deleting the row kills every copy of the cookie.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[StaffUser] = relationship()


class Respondent(db.Model):
    """A person who answered, known only by a pseudonym and what they chose to tell us.

    Phone numbers never live here: SMS contacts (messaging) point to a respondent instead.
    """

    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, non-identifying id used in analysis and exports.
    pseudonym: Mapped[str] = mapped_column(sa.String(64), unique=True)
    preferred_locale: Mapped[str | None] = mapped_column(sa.String(10))
    #: Demographics, filled from demographic questions; NULL means not answered.
    age_group: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    gender: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    zip_code: Mapped[str | None] = mapped_column(sa.String(10))
    #: parent/caregiver, youth, ...
    role: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    races: Mapped[list[RespondentRace]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )
    responses: Mapped[list[Response]] = relationship(back_populates="respondent")


class RespondentRace(db.Model):
    """One race/ethnicity a respondent chose (multi-select: counted in each group chosen)."""

    __tablename__ = "respondent_race"

    respondent_id: Mapped[int] = mapped_column(
        sa.ForeignKey("respondent.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)

    respondent: Mapped[Respondent] = relationship(back_populates="races")


class FormSitting(db.Model):
    """A web survey sitting in progress: its raw answers between pages, on the server.

    The browser keeps only the sitting's random token (a signed cookie holds about 4 KB, and a
    long survey answered in Vietnamese holds more). Deleted when the sitting is submitted or
    reset, and after ``SITTING_HOURS`` without a page (feedback.webform.operations)."""

    __tablename__ = "form_sitting"

    token: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_version.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class Response(db.Model):
    """One sitting: a respondent answering one version of a survey through one channel."""

    __tablename__ = "response"
    __table_args__ = (
        sa.CheckConstraint("channel IN ('web', 'sms')", name="channel"),
        sa.Index("ix_response_survey_completed", "survey_id", "completed_at"),
        sa.Index("ix_response_site_completed", "site_id", "completed_at"),
        # covering on PostgreSQL: the review's counts of people and responses in a period,
        # and the latest day with data, read the index only (docs/analysis.md)
        sa.Index("ix_response_completed", "completed_at", postgresql_include=[
            "respondent_id", "survey_id", "site_id", "channel", "locale", "origin",
        ]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(sa.ForeignKey("respondent.id"), index=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"))
    #: The exact version answered, so reports never mix changed questions.
    survey_version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_version.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_site.id"))
    locale: Mapped[str] = mapped_column(sa.String(10))
    #: One per form submission: a double submit finds the first response instead of a new one.
    submission_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    #: Who entered it: "respondent" (web form, SMS), "staff" (typed in by staff) or "import";
    #: figures can leave out the last two (FIGURES_EXCLUDE_ORIGINS, docs/privacy.md).
    origin: Mapped[str] = mapped_column(sa.String(12), default="respondent",
                                        server_default="respondent")
    #: Why feedback.webform.padding held it back ("over_limit", "burst"); NULL: never flagged.
    flag: Mapped[str | None] = mapped_column(sa.String(20))
    #: When a held response was completed. Its ``completed_at`` stays NULL, so no figure
    #: counts it, until staff accept it (feedback.webform.padding.accept).
    held_at: Mapped[datetime | None] = mapped_column(index=True)

    respondent: Mapped[Respondent] = relationship(back_populates="responses")
    site: Mapped[PartnerSite | None] = relationship()
    survey: Mapped[Survey] = relationship("Survey")  # noqa: F821 - lower row, by name
    survey_version: Mapped[SurveyVersion] = relationship("SurveyVersion")  # noqa: F821
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )


class SubmissionTally(db.Model):
    """Public-form completions per day and keyed (site, client address): the anti-padding
    limit (feedback.webform.padding). The key is an HMAC of the day, site and address under the
    secret key, so no address is stored and keys cannot be linked from one day to the next;
    rows older than two days are deleted."""

    __tablename__ = "submission_tally"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class Answer(db.Model):
    """One answer to one question, as typed (raw) and as understood (parsed).

    ``completed_at``, ``survey_id``, ``site_id``, ``channel`` and ``locale`` are copies of the
    response's (kept in step by :func:`sync_answer_copies` on every flush): the review
    dashboard filters answers by period and scope without joining ``response``, through the
    composite indexes below, so its cost follows the answers in the period, not all answers.
    """

    __tablename__ = "answer"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id"),
        sa.Index("ix_answer_key_created", "question_key", "created_at"),
        # covering on PostgreSQL: period figures read the index only, not the wide rows
        sa.Index("ix_answer_completed", "completed_at", postgresql_include=[
            "id", "response_id", "question_key", "survey_id", "site_id", "channel", "locale",
            "value_number",
        ]),
        sa.Index("ix_answer_key_completed", "question_key", "completed_at"),
        sa.Index("ix_answer_site_completed", "site_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    #: The question's stable key, copied so reports can follow a question across versions.
    question_key: Mapped[str] = mapped_column(sa.String(64))
    #: Exactly what the respondent typed or chose (NULL once the retention job erased it).
    raw_text: Mapped[str | None] = mapped_column(sa.Text)
    #: The parsed value: a choice code, a list of codes, a number or text (JSON).
    value: Mapped[object | None] = mapped_column(sa.JSON)
    #: Numeric form of the value (scales, numbers, yes=1/no=0) for SQL aggregates.
    value_number: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Copies of the response's columns (see the class docstring); NULL completed_at: the
    #: response is not finished (an SMS conversation still going on).
    completed_at: Mapped[datetime | None]
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id"))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_site.id"))
    channel: Mapped[str | None] = mapped_column(sa.String(10))
    locale: Mapped[str | None] = mapped_column(sa.String(10))

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship("Question")  # noqa: F821


#: Response columns copied onto its answers.
ANSWER_COPIES = ("completed_at", "survey_id", "site_id", "channel", "locale")


def copy_response_columns(answer: Answer, response: Response) -> None:
    """Set ``answer``'s copies of the response's columns (only those that differ)."""
    for name in ANSWER_COPIES:
        value = getattr(response, name)
        if getattr(answer, name) != value:
            setattr(answer, name, value)


def sync_answer_copies(session, flush_context, instances) -> None:
    """Keep every answer's copies equal to its response's, whatever code path wrote them
    (intake, SMS completion, demo seeders, tests): new answers take their response's values,
    and a response whose completion time, site, survey, channel or language changes passes
    the change to all its answers in the same flush."""
    with session.no_autoflush:
        for obj in list(session.new):
            if isinstance(obj, Answer):
                response = obj.response
                if response is None and obj.response_id is not None:
                    response = session.get(Response, obj.response_id)
                if response is not None:
                    copy_response_columns(obj, response)
        for obj in list(session.dirty):
            if not isinstance(obj, Response):
                continue
            state = sa.inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in ANSWER_COPIES):
                for answer in obj.answers:
                    copy_response_columns(answer, obj)
