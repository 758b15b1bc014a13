"""Recurring pulses: a contact group invited to a survey weekly, monthly or quarterly.

A pulse's runs are planned when it is created, up to its end date: each run is an ordinary
scheduled :class:`~messaging.models.Campaign` (``pulse_id`` set), so it is listed, launched,
paced, kept out of quiet hours and reminded exactly like a one-off campaign
(messaging.campaigns.operations). Until a run starts, staff may move it or change its texts
(:func:`edit_run`) or cancel it (:func:`cancel_run`); both act only on a run still
``scheduled``, in one UPDATE, so a run the launch job has claimed is never changed under it.

Times: a pulse keeps its first run's local day and time (the coalition's ``TIMEZONE``): a
monthly pulse first sent on the 31st runs on the last day of shorter months; a run that would
start in the pulse's quiet hours, or in the coalition's (QUIET_HOURS_*), moves to their end, and
the time planned and shown is that real start: a run it would take past the end date is not
planned, and a run cannot be moved there. Quiet hours that, with the coalition's, leave no
hour to send are refused. Stored times are naive UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from feedback.core.languages import language_name, registry
from messaging.campaigns import operations as campaigns
from messaging.campaigns import submissions
from messaging.models import Campaign, Conversation, OutboundMessage, Pulse
from messaging.outbound import pacing
from surveys.models import Survey
from surveys.texts import normalize

CADENCES = ("weekly", "monthly", "quarterly")
#: A pulse plans at most this many runs (weekly for about six years).
MAX_RUNS = 320
#: Text kinds staff may write per language.
TEXT_KINDS = ("invitation", "reminder")


class PulseError(ValueError):
    """The pulse or run cannot be saved as asked; ``problems`` are translated, for staff."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _add_months(day: date, months: int, keep_day: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(keep_day, calendar.monthrange(year, month)[1]))


def _out_of_quiet(local: datetime, quiet_start: int, quiet_end: int) -> datetime:
    """``local`` itself, or the end of the quiet hours it falls in (same or next day)."""
    if not pacing.hour_in_window(local.hour, quiet_start, quiet_end):
        return local
    morning = local.replace(hour=quiet_end, minute=0, second=0, microsecond=0)
    return morning if morning > local else morning + timedelta(days=1)


def quiet_hours_problem(quiet_start: int, quiet_end: int) -> str | None:
    """Why the pulse's quiet hours cannot be used (translated), or None: together with the
    coalition's they must leave at least one hour in which a send may start."""
    coalition = pacing.quiet_bounds()
    if any(not pacing.hour_in_window(hour, quiet_start, quiet_end)
           and not pacing.hour_in_window(hour, *coalition) for hour in range(24)):
        return None
    return _("With the coalition's quiet hours (%(start)s:00 to %(end)s:00), these quiet hours "
             "leave no hour to send. Shorten them.", start=coalition[0], end=coalition[1])


def real_start(local: datetime, quiet_start: int, quiet_end: int) -> datetime:
    """When a run planned at ``local`` really starts (naive local time): at the end of the
    pulse's quiet hours if it falls in them, then of the coalition's (the send job holds texts
    in those anyway, so a time inside them is never the real start), again until neither
    moves it: the end of one can fall in the other. Raises :class:`PulseError` when the two
    leave no hour to send."""
    for _round in range(4):  # two windows: settled after two rounds when any hour is left
        moved = _out_of_quiet(local, quiet_start, quiet_end)
        moved = pacing.to_local(pacing.next_allowed_time(pacing.local_to_utc(moved)))
        moved = moved.replace(tzinfo=None)
        if moved == local:
            return local
        local = moved
    # Reached only when no hour is left to send, which quiet_hours_problem says.
    raise PulseError([quiet_hours_problem(quiet_start, quiet_end) or ""])


def run_times(cadence: str, first_local: datetime, ends_on: date, quiet_start: int = 21,
              quiet_end: int = 8) -> list[datetime]:
    """The real local start (:func:`real_start`) of every run from ``first_local``, each on or
    before ``ends_on``; a run the quiet hours would push past it is not planned. Reads the
    coalition's quiet hours, so it needs the app.

    >>> [t.date().isoformat() for t in run_times("monthly", datetime(2031, 1, 31, 10),
    ...                                           date(2031, 4, 30))]
    ['2031-01-31', '2031-02-28', '2031-03-31', '2031-04-30']
    """
    if cadence not in CADENCES:
        raise ValueError(cadence)
    times: list[datetime] = []
    for k in range(MAX_RUNS):
        if cadence == "weekly":
            day = first_local.date() + timedelta(weeks=k)
        else:
            day = _add_months(first_local.date(), k * (1 if cadence == "monthly" else 3),
                              first_local.day)
        start = real_start(datetime.combine(day, first_local.time()), quiet_start, quiet_end)
        if start.date() > ends_on:  # later days start later still
            break
        times.append(start)
    return times


def clean_texts(texts: dict | None) -> dict:
    """Only non-blank texts, by kind and locale."""
    cleaned: dict = {}
    for kind in TEXT_KINDS:
        by_locale = {loc: t.strip() for loc, t in ((texts or {}).get(kind) or {}).items()
                     if t and t.strip()}
        if by_locale:
            cleaned[kind] = by_locale
    return cleaned


def text_problems(texts: dict) -> list[str]:
    """An invitation written by staff must still say how to stop, with a stop word of its
    language (from the language's data file) or the carriers' STOP."""
    problems = []
    words = registry()
    for locale, text in (texts.get("invitation") or {}).items():
        language = words.get(locale)
        stops = set(language.opt_out if language else ()) | {"stop"}
        if not set(normalize(text).split()) & stops:
            problems.append(_(
                "The %(language)s invitation must say how to stop receiving texts (for "
                "example “%(word)s”).", language=language_name(locale),
                word=(sorted(stops - {"stop"}) or ["STOP"])[0].upper()))
    return problems


def create_pulse(name: str, survey_id: int, group: str, cadence: str, first_local: datetime,
                 ends_on: date, quiet_start: int, quiet_end: int, texts: dict | None = None,
                 created_by_id: int | None = None, submission_token: str | None = None) -> Pulse:
    """Plan a pulse and all its runs; raises :class:`PulseError` listing what is wrong. The
    same form submitted again (``submission_token``, e.g. a double click) returns the pulse
    it planned (messaging.campaigns.submissions)."""
    earlier = submissions.created_before("pulse.create", submission_token)
    if earlier is not None:
        return db.session.get(Pulse, earlier)
    survey = db.session.get(Survey, survey_id)
    problems = []
    if not campaigns.open_for_sms(survey):
        problems.append(_("This survey is not open for SMS."))
    if cadence not in CADENCES:
        problems.append(_("Choose how often."))
    if pacing.local_to_utc(first_local) < pacing.now() - timedelta(minutes=1):
        problems.append(_("The first send must be in the future."))
    if ends_on < first_local.date():
        problems.append(_("The end date must be on or after the first send."))
    quiet_problem = quiet_hours_problem(quiet_start, quiet_end)
    if quiet_problem:
        problems.append(quiet_problem)
    elif cadence in CADENCES and not run_times(cadence, first_local, ends_on, quiet_start,
                                               quiet_end):
        problems.append(_("The quiet hours move every send past the end date: choose a later "
                          "end date."))
    texts = clean_texts(texts)
    problems += text_problems(texts)
    if problems:
        db.session.rollback()  # the token too: the form, corrected, may be sent again
        raise PulseError(problems)
    pulse = Pulse(name=name, survey_id=survey_id, group=group, cadence=cadence,
                  first_local=first_local, ends_on=ends_on, quiet_start=quiet_start,
                  quiet_end=quiet_end, texts=texts, created_by_id=created_by_id)
    db.session.add(pulse)
    db.session.flush()
    submissions.created(submission_token, pulse.id)
    runs = [Campaign(name=f"{name} · {when:%Y-%m-%d}", kind="survey", survey_id=survey_id,
                     group=group, starts_at=pacing.local_to_utc(when),
                     status="scheduled", created_by_id=created_by_id, pulse_id=pulse.id,
                     texts=texts)
            for when in run_times(cadence, first_local, ends_on, quiet_start, quiet_end)]
    db.session.add_all(runs)
    record_audit("pulse.create", "pulse", pulse.id,
                 {"cadence": cadence, "runs": len(runs), "group": group, "survey_id": survey_id})
    db.session.commit()
    for run in runs:
        _plan_launch(run)
    return pulse


def _plan_launch(run: Campaign) -> None:
    """Queue the run's launch job at its start (the minute sweeper is the safety net; an
    early or repeated job does nothing: launch_campaign checks the time and claims once)."""
    if run.starts_at <= pacing.now():
        campaigns.launch_campaign(run.id)
    else:
        campaigns.launch_campaign.schedule(args=(run.id,), eta=run.starts_at)


def _moved_start(run: Campaign, starts_local: datetime, problems: list[str]) -> datetime:
    """When a run moved to ``starts_local`` really starts (naive UTC). A pulse's run keeps to
    its pulse as the planned runs do: out of its quiet hours, and not after its end date (a
    problem added to ``problems``); a one-off campaign only out of the coalition's."""
    pulse = db.session.get(Pulse, run.pulse_id) if run.pulse_id else None
    if pulse is None:
        return pacing.next_allowed_time(pacing.local_to_utc(starts_local))
    start = real_start(starts_local, pulse.quiet_start, pulse.quiet_end)
    if start.date() > pulse.ends_on:
        problems.append(_("A send of this pulse may not start after its last day, %(day)s "
                          "(quiet hours included).", day=pulse.ends_on.isoformat()))
    return pacing.local_to_utc(start)


def edit_run(run: Campaign, starts_local: datetime, texts: dict | None) -> bool:
    """Move a run not yet started and replace its texts; False if it has started (or was
    cancelled) meanwhile. Raises :class:`PulseError` for a past time, a time past the pulse's
    end date or a text without STOP."""
    texts = clean_texts(texts)
    problems = text_problems(texts)
    starts_at = _moved_start(run, starts_local, problems)
    if starts_at < pacing.now() - timedelta(minutes=1):
        problems.append(_("The first send must be in the future."))
    if problems:
        raise PulseError(problems)
    result = db.session.execute(
        sa.update(Campaign).where(Campaign.id == run.id, Campaign.status == "scheduled")
        .values(starts_at=starts_at, texts=texts).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    record_audit("campaign.edit", "campaign", run.id,
                 {"starts_at": starts_at.isoformat(timespec="minutes"), "texts": sorted(
                     f"{kind}:{loc}" for kind, by in texts.items() for loc in by)})
    db.session.commit()
    db.session.refresh(run)
    _plan_launch(run)
    return True


def cancel_run(run: Campaign) -> bool:
    """Cancel a run (or one-off campaign) not yet started; False if it already started."""
    result = db.session.execute(
        sa.update(Campaign).where(Campaign.id == run.id, Campaign.status == "scheduled")
        .values(status="cancelled").execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    record_audit("campaign.cancel", "campaign", run.id, {"pulse_id": run.pulse_id})
    db.session.commit()
    db.session.refresh(run)
    return True


def stop_pulse(pulse: Pulse) -> int:
    """Cancel every run not yet started; returns how many were cancelled."""
    result = db.session.execute(
        sa.update(Campaign).where(Campaign.pulse_id == pulse.id, Campaign.status == "scheduled")
        .values(status="cancelled").execution_options(synchronize_session=False))
    pulse.status = "stopped"
    record_audit("pulse.stop", "pulse", pulse.id, {"cancelled": result.rowcount})
    db.session.commit()
    return result.rowcount


@dataclass(frozen=True)
class RunRate:
    """One run's reach: texts sent (not suppressed), surveys completed, and their ratio."""

    run: Campaign
    invited: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.invited if self.invited else None


def run_rates(runs: list[Campaign]) -> list[RunRate]:
    """Response rate of each run: completed SMS surveys over invitations not suppressed."""
    ids = [r.id for r in runs] or [-1]
    invited = dict(db.session.execute(
        sa.select(OutboundMessage.campaign_id, sa.func.count(OutboundMessage.id))
        .where(OutboundMessage.campaign_id.in_(ids), OutboundMessage.kind == "invitation",
               OutboundMessage.status != "suppressed")
        .group_by(OutboundMessage.campaign_id)).all())
    completed = dict(db.session.execute(
        sa.select(Conversation.campaign_id, sa.func.count(Conversation.id))
        .where(Conversation.campaign_id.in_(ids), Conversation.state == "completed")
        .group_by(Conversation.campaign_id)).all())
    return [RunRate(r, invited.get(r.id, 0), completed.get(r.id, 0)) for r in runs]


def list_pulses() -> list[Pulse]:
    return list(db.session.scalars(sa.select(Pulse).order_by(Pulse.id.desc())))


def runs_of(pulse: Pulse) -> list[Campaign]:
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.pulse_id == pulse.id).order_by(Campaign.starts_at)))
