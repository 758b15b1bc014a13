"""The write path for survey definitions: documented functions the builder views call.

Versioning: a published version is frozen, so answers always keep the meaning they were given
under. Editing a survey edits its draft version; when there is none (the survey is open or
closed), :func:`editable_version` first copies the latest published version into a new draft.
Respondents keep getting :func:`current_version` (the latest published) until the draft is
published. Questions are addressed by their ``key``, which is stable across versions.
Each function commits, so a view makes one call.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.core.audit import record_audit
from feedback.core.extensions import db
from surveys import demographics
from surveys.definitions import (
    CODE_RE,
    FORMAT,
    FORMAT_VERSION,
    DefinitionError,
    check_bank_question,
    check_identity,
    check_settings,
    fill_version,
    question_from_dict,
    version_to_dict,
)
from surveys.models import Choice, Question, Survey, SurveyVersion, _utcnow
from surveys.texts import enabled_locales
from surveys.translations import missing_translations
from surveys.types import QUESTION_TYPES


class SurveyError(DefinitionError):
    """A refused change (for example publishing with missing translations); see ``problems``."""


def all_surveys() -> list[Survey]:
    """Every survey, newest first (the builder's list)."""
    return list(db.session.scalars(db.select(Survey).order_by(Survey.created_at.desc(),
                                                              Survey.id.desc())))


def get_survey(slug: str) -> Survey | None:
    return db.session.scalar(db.select(Survey).filter_by(slug=slug))


def current_version(survey: Survey) -> SurveyVersion | None:
    """The latest published version: what the web form and the SMS engine use."""
    published = [v for v in survey.versions if v.published_at is not None]
    return published[-1] if published else None


def current_version_id(survey_id) -> sa.ScalarSelect:
    """:func:`current_version`'s id as a SQL expression, for a query that already reads the
    survey (``survey_id``: a column or a value), such as the SMS webhook's one SELECT."""
    return (
        sa.select(SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey_id, SurveyVersion.published_at.is_not(None))
        .order_by(SurveyVersion.number.desc()).limit(1)
        .scalar_subquery()
    )


def draft_version(survey: Survey) -> SurveyVersion | None:
    """The unpublished version being edited, if any."""
    latest = survey.versions[-1] if survey.versions else None
    return latest if latest is not None and latest.published_at is None else None


def latest_version(survey: Survey) -> SurveyVersion | None:
    """The draft if there is one, else the current version (what the builder shows)."""
    return survey.versions[-1] if survey.versions else None


def _check_unique(slug: str, sms_keyword: str | None, survey: Survey | None = None) -> list[str]:
    problems = check_identity(slug, sms_keyword)
    other = get_survey(slug)
    if other is not None and other is not survey:
        problems.append(_("Another survey already uses the link name “%(slug)s”.", slug=slug))
    if sms_keyword:
        taken = db.session.scalar(db.select(Survey).filter_by(sms_keyword=sms_keyword.upper()))
        if taken is not None and taken is not survey:
            problems.append(_("Another survey already uses the SMS keyword “%(word)s”.",
                              word=sms_keyword.upper()))
    return problems


def _new_survey(slug: str, sms_keyword: str | None, content: dict) -> Survey:
    problems = _check_unique(slug, sms_keyword)
    survey = Survey(slug=slug, sms_keyword=sms_keyword.upper() if sms_keyword else None,
                    status="draft")
    version = SurveyVersion(number=1)
    problems += fill_version(version, content)
    if problems:
        raise DefinitionError(problems)
    survey.versions.append(version)
    db.session.add(survey)
    db.session.commit()
    return survey


def create_survey(slug: str, title: dict, sms_keyword: str | None = None,
                  intro: dict | None = None, thanks: dict | None = None) -> Survey:
    """A new draft survey with an empty version 1; raises DefinitionError on a bad slug."""
    return _new_survey(slug, sms_keyword, {"title": title, "intro": intro, "thanks": thanks})


def editable_version(survey: Survey) -> SurveyVersion:
    """The draft version, creating it as a copy of the latest published one if needed
    (flushed, not committed: the caller's change and the new version commit together)."""
    draft = draft_version(survey)
    if draft is not None:
        return draft
    source = latest_version(survey)
    draft = SurveyVersion(number=(source.number + 1) if source else 1)
    if source is not None:
        fill_version(draft, version_to_dict(source))
    survey.versions.append(draft)
    db.session.flush()
    return draft


def update_survey(survey: Survey, *, slug: str, sms_keyword: str | None) -> None:
    """Change the link name or SMS keyword (these belong to the survey, not a version)."""
    problems = _check_unique(slug, sms_keyword, survey)
    if problems:
        raise SurveyError(problems)
    survey.slug, survey.sms_keyword = slug, sms_keyword.upper() if sms_keyword else None
    db.session.commit()


def set_texts(survey: Survey, *, title: dict, intro: dict, thanks: dict) -> SurveyVersion:
    """Replace the title, introduction and thank-you texts (all locales) of the draft."""
    version = editable_version(survey)
    version.title, version.intro, version.thanks = (
        _clean(title), _clean(intro), _clean(thanks))
    db.session.commit()
    return version


def _clean(texts: dict | None) -> dict:
    return {k: v.strip() for k, v in (texts or {}).items() if v and v.strip()}


def find_question(version: SurveyVersion, key: str) -> Question | None:
    return next((q for q in version.questions if q.key == key), None)


def _draft_question(survey: Survey, key: str) -> tuple[SurveyVersion, Question]:
    version = editable_version(survey)
    question = find_question(version, key)
    if question is None:
        raise SurveyError([_("There is no question “%(key)s”.", key=key)])
    return version, question


def _renumber(items) -> None:
    for position, item in enumerate(items, 1):
        item.position = position


def _swap(parent, attribute: str, first, second) -> None:
    """Swap two items' positions. Assigning into the ordered relationship list would orphan
    (and delete) the replaced item, so positions change and the list is reloaded instead."""
    first.position, second.position = second.position, first.position
    db.session.flush()
    db.session.expire(parent, [attribute])


def with_bank_content(data: dict) -> dict:
    """``data`` for a question of the shared demographic bank, its choices (and any text left
    empty) taken from the bank: the builder adds bank questions by reference, never retyped."""
    shared = demographics.bank_question((data.get("settings") or {}).get("demographic") or "")
    if shared is None:
        return data
    data = dict(data)
    data["choices"] = data.get("choices") or shared["choices"]
    for name in ("text", "help"):
        given = {k: v for k, v in (data.get(name) or {}).items() if v}
        data[name] = {**shared[name], **given}
    return data


def add_question(survey: Survey, data: dict) -> Question:
    """Append a question (same dict shape as the JSON export) to the draft version; a
    question of the shared demographic bank comes with the bank's choices."""
    version = editable_version(survey)
    problems: list[str] = []
    keys = [q.key for q in version.questions]
    question = question_from_dict(with_bank_content(data), len(keys) + 1, keys, problems)
    if problems or question is None:
        db.session.rollback()
        raise SurveyError(problems)
    version.questions.append(question)
    db.session.commit()
    return question


def update_question(survey: Survey, key: str, *, type: str, required: bool, text: dict,
                    help: dict, settings: dict, ask_if_key: str | None,
                    ask_if_values: list | None) -> Question:
    """Change a question of the draft version (its key stays: reports follow it)."""
    version, question = _draft_question(survey, key)
    earlier = [q.key for q in version.questions[: version.questions.index(question)]]
    problems = [] if type in QUESTION_TYPES else [_("Unknown question type.")]
    problems += check_settings(type, settings, key)
    if type in QUESTION_TYPES:
        problems += check_bank_question(key, type, settings.get("demographic"),
                                        {c.code for c in question.choices}, key)
    if ask_if_key and ask_if_key not in earlier:
        problems.append(_("A question can only depend on an earlier question."))
    if problems:
        db.session.rollback()
        raise SurveyError(problems)
    question.type, question.required = type, required
    question.text, question.help, question.settings = _clean(text), _clean(help), dict(settings)
    question.ask_if_key = ask_if_key or None
    question.ask_if_values = ask_if_values or None if ask_if_key else None
    if not QUESTION_TYPES[type].has_choices:
        question.choices.clear()
    elif not question.choices:
        for index, item in enumerate(with_bank_content(
                {"settings": settings}).get("choices") or [], 1):
            question.choices.append(Choice(code=item["code"], position=index,
                                           label=item["label"], exclusive=item["exclusive"]))
    db.session.commit()
    return question


def move_question(survey: Survey, key: str, direction: str) -> None:
    """Move a question one place "up" or "down"; refused if it would come before the question
    it depends on (or after one that depends on it)."""
    version, question = _draft_question(survey, key)
    questions = version.questions
    index = questions.index(question)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(questions):
        db.session.rollback()
        return
    first, second = sorted((question, questions[other]), key=questions.index)
    if second.ask_if_key == first.key:
        db.session.rollback()
        raise SurveyError([_("“%(a)s” depends on “%(b)s”, so it must stay after it.",
                             a=second.key, b=first.key)])
    _swap(version, "questions", questions[index], questions[other])
    db.session.commit()


def remove_question(survey: Survey, key: str) -> None:
    """Remove a question from the draft; refused while another question depends on it."""
    version, question = _draft_question(survey, key)
    dependants = [q.key for q in version.questions if q.ask_if_key == key]
    if dependants:
        db.session.rollback()
        raise SurveyError([_("“%(keys)s” depends on this question; change that first.",
                             keys=", ".join(dependants))])
    version.questions.remove(question)
    _renumber(version.questions)
    db.session.commit()


def add_choice(survey: Survey, key: str, code: str, label: dict, exclusive: bool = False):
    """Append a choice to a choice question of the draft."""
    _version, question = _draft_question(survey, key)
    problems: list[str] = []
    if not QUESTION_TYPES[question.type].has_choices:
        problems.append(_("This type of question has no choices."))
    if not CODE_RE.match(code or ""):
        problems.append(_("A choice code is letters, digits, _ . or - (it is what answers "
                          "store)."))
    elif any(c.code == code for c in question.choices):
        problems.append(_("The code “%(code)s” is already used.", code=code))
    problems += check_bank_question(key, question.type,
                                    (question.settings or {}).get("demographic"), {code}, key)
    if problems:
        db.session.rollback()
        raise SurveyError(problems)
    choice = Choice(code=code, position=len(question.choices) + 1, label=_clean(label),
                    exclusive=exclusive)
    question.choices.append(choice)
    db.session.commit()
    return choice


def _draft_choice(survey, key, code) -> tuple[Question, Choice]:
    _version, question = _draft_question(survey, key)
    choice = next((c for c in question.choices if c.code == code), None)
    if choice is None:
        raise SurveyError([_("There is no choice “%(code)s”.", code=code)])
    return question, choice


def update_choice(survey: Survey, key: str, code: str, *, label: dict, exclusive: bool) -> None:
    """Change a choice's labels (its code stays: answers store it)."""
    _question, choice = _draft_choice(survey, key, code)
    choice.label, choice.exclusive = _clean(label), exclusive
    db.session.commit()


def move_choice(survey: Survey, key: str, code: str, direction: str) -> None:
    """Move a choice one place "up" or "down" (its SMS number changes, its code does not)."""
    question, choice = _draft_choice(survey, key, code)
    choices = question.choices
    index = choices.index(choice)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(choices):
        _swap(question, "choices", choice, choices[other])
    db.session.commit()


def remove_choice(survey: Survey, key: str, code: str) -> None:
    question, choice = _draft_choice(survey, key, code)
    question.choices.remove(choice)
    _renumber(question.choices)
    db.session.commit()


def publish(survey: Survey, locales: list[str] | None = None) -> SurveyVersion:
    """Freeze the draft and open the survey; raises SurveyError listing every missing text
    (in the enabled locales) or structural problem. Without a draft it just (re)opens."""
    draft = draft_version(survey)
    if draft is None:
        if current_version(survey) is None:
            raise SurveyError([_("The survey has no questions.")])
        survey.status = "open"
        record_audit("survey.publish", "survey", survey.id, {"slug": survey.slug})
        db.session.commit()
        return current_version(survey)
    problems = missing_translations(draft, locales or enabled_locales())
    if problems:
        raise SurveyError(problems)
    draft.published_at = _utcnow()
    survey.status = "open"
    record_audit("survey.publish", "survey", survey.id,
                 {"slug": survey.slug, "version": draft.number})
    db.session.commit()
    return draft


def close(survey: Survey) -> None:
    """Stop taking answers (the web form and SMS engine refuse a closed survey)."""
    survey.status = "closed"
    record_audit("survey.close", "survey", survey.id, {"slug": survey.slug})
    db.session.commit()


def reopen(survey: Survey) -> None:
    """Take answers again with the current published version."""
    if current_version(survey) is None:
        raise SurveyError([_("Publish the survey first.")])
    survey.status = "open"
    record_audit("survey.reopen", "survey", survey.id, {"slug": survey.slug})
    db.session.commit()


def export_definition(survey: Survey) -> dict:
    """The survey's latest content (draft or current) as JSON-ready data."""
    version = latest_version(survey)
    data = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "slug": survey.slug, "sms_keyword": survey.sms_keyword}
    data.update(version_to_dict(version) if version else {"questions": []})
    return data


def import_definition(data, slug: str | None = None, sms_keyword: str | None = None) -> Survey:
    """A new draft survey from exported data; raises DefinitionError listing every problem.
    ``slug``/``sms_keyword`` override the ones in the file (to import a copy)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DefinitionError([_("This file is not a survey definition exported by this "
                                 "system.")])
    if data.get("format_version") != FORMAT_VERSION:
        raise DefinitionError([_("This survey file has an unsupported format version.")])
    keyword = sms_keyword if sms_keyword is not None else data.get("sms_keyword")
    return _new_survey(slug or data.get("slug"), keyword or None, data)


def duplicate(survey: Survey, new_slug: str, sms_keyword: str | None = None) -> Survey:
    """A new draft survey with a copy of this one's latest content."""
    version = latest_version(survey)
    return _new_survey(new_slug, sms_keyword, version_to_dict(version) if version else {})
