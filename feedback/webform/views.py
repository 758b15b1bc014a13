"""The public web survey youth fill out: ``/s/<slug>?site=<code>`` (a stable URL on posters).

Views stay thin: the paging, the sitting kept between pages and the single call to intake live
in :mod:`feedback.webform.operations`. The page works without JavaScript.

CSRF: the survey view is exempt from the global check only so that an expired token (a form
left open over an hour) can re-render the page with a message and the answers kept, instead of
a bare 400. The form still checks its own CSRF token, and nothing is written when it fails.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from feedback.core.errors import render_error
from feedback.core.extensions import csrf
from feedback.core.languages import language_name
from feedback.responses.intake import IntakeError
from feedback.webform import operations as service
from surveys.form_builder import answers_from, build_page_form
from surveys.texts import fallback_locale, localized
from surveys.timing import estimated_minutes

log = logging.getLogger(__name__)
bp = Blueprint("webform", __name__)


def _locale() -> str:
    return str(get_locale())


def _site_code():
    return request.args.get("site") or None


def _url(slug: str, **kwargs) -> str:
    return url_for("webform.survey", slug=slug, site=_site_code(), **kwargs)


def _resolve(slug: str):
    """(target, None) or (None, a ready 'cannot answer' page)."""
    try:
        return service.find_target(slug, _site_code()), None
    except service.SurveyUnavailable as exc:
        if exc.reason == "closed":
            version = service.current_version(exc.survey)
            title = localized(version.title, _locale()) if version else exc.survey.slug
            return None, (render_template("feedback/survey_closed.html", title=title), 410)
        return None, (render_template("feedback/survey_unavailable.html", reason="unknown"), 404)
    except service.UnknownSite:
        without_site = url_for("webform.survey", slug=slug)
        page = render_template(
            "feedback/survey_unavailable.html", reason="site", without_site=without_site
        )
        return None, (page, 404)


def _texts(target) -> dict:
    locale = _locale()
    version = target.version
    shown_in = fallback_locale(version.title, locale)
    if shown_in:  # visible to the respondent on every page; staff see it in the attention list
        log.info("survey %s has no texts in %s: shown in %s", target.survey.slug, locale,
                    shown_in)
    return {
        "title": localized(version.title, locale),
        "intro": localized(version.intro, locale),
        "thanks": localized(version.thanks, locale),
        "fallback_language": language_name(shown_in) if shown_in else None,
    }


@bp.route("/s/<slug>", methods=["GET", "POST"])
@csrf.exempt
def survey(slug: str):
    """Intro page without ``page``; otherwise one page of questions (GET shows, POST saves)."""
    target, unavailable = _resolve(slug)
    if unavailable:
        return unavailable
    if request.method == "GET" and "page" not in request.args:
        sitting = service.end_finished_sitting(target.version)
        return render_template(
            "feedback/survey_intro.html", target=target, texts=_texts(target),
            start_url=_url(slug, page=1), resuming=bool(sitting and sitting["answers"]),
            minutes=estimated_minutes(target.version.questions),
        )
    sitting = service.get_sitting(target.version)
    if request.method == "POST" and service.already_submitted(request.form.get("token")):
        return redirect(url_for("webform.thanks", slug=slug, site=_site_code()))
    if sitting is not None and sitting.get("done"):
        return redirect(url_for("webform.thanks", slug=slug, site=_site_code()))
    if sitting is None:
        sitting = service.start_sitting(target.version)
    try:
        return _question_page(target, sitting)
    except service.TooManySittings:
        return render_error(429, _l("Too many surveys were started from this connection. "
                                    "Please wait a few minutes before starting again."))


def _question_page(target, sitting):
    locale, slug = _locale(), target.survey.slug
    pages = service.visible_pages(target.version, sitting["answers"], locale)
    if not pages:
        abort(404)
    requested = request.args.get("page", default=1, type=int)
    index = next((i for i, (n, _q) in enumerate(pages) if n >= requested), len(pages) - 1)
    number, questions = pages[index]
    if request.method == "GET":
        if number != requested:
            return redirect(_url(slug, page=number))
        form = build_page_form(questions, locale, data=sitting["answers"])
        form.token.data = sitting["token"]
        return _render_page(target, form, pages, index)

    form = build_page_form(questions, locale)
    action = request.form.get("action", "next")
    valid = form.validate()
    if form.meta.csrf and form.csrf_token.errors:
        # Expired or missing token: keep what was typed, write nothing, ask to send again.
        form.csrf_token.errors = []
        form.token.data = sitting["token"]
        return _render_page(target, form, pages, index, expired=True)
    answers = answers_from(form)
    switch_to = request.form.get("switch_lang")
    if switch_to in current_app.config["ENABLED_LOCALES"]:
        # Language buttons inside the form keep what was typed on this page too.
        service.save_answers(target.version, answers)
        session["locale"] = switch_to
        return redirect(_url(slug, page=number))
    if action == "back":
        service.save_answers(target.version, answers)
        previous = pages[index - 1][0] if index > 0 else None
        return redirect(_url(slug, page=previous) if previous else _url(slug))
    if not valid:
        return _render_page(target, form, pages, index), 422
    sitting = service.save_answers(target.version, answers)
    pages = service.visible_pages(target.version, sitting["answers"], locale)
    later = [n for n, _q in pages if n > number]
    if later:
        return redirect(_url(slug, page=later[0]))
    token = service.valid_token(form.token.data) or sitting["token"]
    if service.already_submitted(token):  # a concurrent submit of the same sitting won
        return redirect(url_for("webform.thanks", slug=slug, site=_site_code()))
    try:
        service.submit(target, locale, token)
    except IntakeError as exc:
        first = next(n for n, qs in pages if any(q.key in exc.errors for q in qs))
        flash(_l("Some answers need another look before you send them."), "error")
        return redirect(_url(slug, page=first))
    return redirect(url_for("webform.thanks", slug=slug, site=_site_code()))


def _render_page(target, form, pages, index, expired: bool = False):
    slug = target.survey.slug
    number = pages[index][0]
    return render_template(
        "feedback/survey_page.html",
        target=target,
        texts=_texts(target),
        form=form,
        page_position=index + 1,
        page_count=len(pages),
        is_last=index == len(pages) - 1,
        action_url=_url(slug, page=number),
        expired=expired,
    )


@bp.get("/s/<slug>/thanks")
def thanks(slug: str):
    """What happens next; a kiosk returns to the start by itself after a few seconds."""
    target, unavailable = _resolve(slug)
    if unavailable:
        return unavailable
    site = target.site
    kiosk = site is not None and site.kiosk_mode
    return render_template(
        "feedback/survey_thanks.html",
        target=target,
        texts=_texts(target),
        kiosk=kiosk,
        reset_seconds=site.kiosk_reset_seconds if kiosk else None,
        restart_url=url_for("webform.restart", slug=slug, site=_site_code()),
    )


@bp.get("/s/<slug>/restart")
def restart(slug: str):
    """Start over for the next person: forget the sitting and the language choice."""
    service.forget_respondent()
    return redirect(url_for("webform.survey", slug=slug, site=_site_code()))
