"""Every operation that changes what the coalition sees leaves an entry in the audit log.

Publishing or closing a survey, correcting a tag, retraining, editing the codebook or a goal,
starting a campaign and importing contacts: each names who did it and what, and never a phone
number (docs/privacy.md).
"""

from __future__ import annotations

from feedback.core.audit import AuditEvent


def entries(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action)))


def test_publishing_closing_and_reopening_a_survey_are_audited(app, db, make_staff):
    from surveys import operations

    survey = operations.create_survey("parks", {"en": "Parks"})
    operations.add_question(survey, {"key": "idea", "type": "short_text",
                                     "text": {"en": "An idea?", "es": "¿Una idea?",
                                              "vi": "Một ý tưởng?"}})
    operations.set_texts(survey, title={"en": "Parks", "es": "Parques", "vi": "Công viên"},
                         intro={}, thanks={})
    operations.publish(survey, locales=["en"])
    operations.close(survey)
    operations.reopen(survey)
    for action in ("survey.publish", "survey.close", "survey.reopen"):
        (event,) = entries(db, action)
        assert event.target_type == "survey" and event.target_id == str(survey.id)
        assert event.details["slug"] == "parks"


def test_a_tag_correction_names_the_staff_member(app, db, survey, make_staff):
    from analysis.codebook import operations as codebook_store
    from analysis.tagging import operations as corrections
    from feedback.responses.intake import record_response

    codebook_store.seed_codebook({})
    response = record_response(survey.versions[0], {"comment": "The bus never comes"},
                               channel="web", locale="en")
    answer = next(a for a in response.answers if a.question_key == "comment")
    staff = make_staff()
    corrections.correct_answer(answer.id, "negative", None, staff)
    (event,) = entries(db, "tag.correct")
    assert event.user_id == staff.id and event.target_id == str(answer.id)
    assert event.details == {"fields": ["sentiment"]}


def test_retraining_is_audited_with_its_outcome(app, db, make_staff):
    from analysis.tagging import retrain

    staff = make_staff()
    outcome = retrain.retrain("es", actor=staff, extra_examples=[])
    (event,) = entries(db, "model.retrain")
    assert event.user_id == staff.id
    assert event.details["language"] == "es"
    assert event.details["activated"] is (outcome.candidate.active is True)


def test_codebook_edits_are_audited(app, db):
    from analysis.codebook import operations as codebook_store

    theme = codebook_store.save_theme("parks", {"en": "Parks"}, {"en": "park, swings"},
                                      retag=False)
    codebook_store.save_theme("parks", {"en": "Parks and play"}, {}, theme=theme, retag=False)
    codebook_store.set_theme_active(theme, False, retag=False)
    assert [e.target_id for e in entries(db, "codebook.create")] == [str(theme.id)]
    assert len(entries(db, "codebook.edit")) == 1
    assert len(entries(db, "codebook.deactivate")) == 1


def test_goal_edits_are_audited(app, db):
    from analysis.review.goals import save_goal

    goal = save_goal(None, names={"en": "Safe routes"}, descriptions={}, theme_ids=[])
    save_goal(goal, names={"en": "Safe routes to school"}, descriptions={}, theme_ids=[])
    assert [e.details["key"] for e in entries(db, "goal.create")] == [goal.key]
    assert len(entries(db, "goal.edit")) == 1


def test_indicator_edits_are_audited(app, db):
    """What an indicator counts decides every published figure of its goal: changing "feel
    safe" from answers 4-5 to 3-5, or deleting it, says who did it and what it now counts."""
    from analysis.review.goals import delete_indicator, save_goal, save_indicator

    goal = save_goal(None, names={"en": "Safe routes"}, descriptions={}, theme_ids=[])
    made = save_indicator(goal, None, labels={"en": "Feel safe"}, question_key="feel_safe",
                          rule="share_of_values", values=["4", "5"])
    save_indicator(goal, made, labels={"en": "Feel safe"}, question_key="feel_safe",
                   rule="share_of_values", values=["3", "4", "5"])
    made_id = made.id
    delete_indicator(made)
    assert [e.details["values"] for e in entries(db, "indicator.create")] == [["4", "5"]]
    assert [e.details["values"] for e in entries(db, "indicator.edit")] == [["3", "4", "5"]]
    assert [e.target_id for e in entries(db, "indicator.delete")] == [str(made_id)]


def test_moving_a_site_to_another_organisation_is_audited(app, db):
    """A site's organisation decides which partner viewers read its responses."""
    from feedback.responses.models import Organization
    from feedback.sites.operations import save_site

    first, second = Organization(name="Partner A"), Organization(name="Partner B")
    db.session.add_all([first, second])
    db.session.commit()
    site = save_site(None, code="north", name="North", organization_id=first.id)
    save_site(site, code="north", name="North", organization_id=second.id)
    assert [e.details["organization_id"] for e in entries(db, "site.create")] == [first.id]
    (moved,) = entries(db, "site.edit")
    assert (moved.details["organization_id_before"], moved.details["organization_id"]) == \
        (first.id, second.id)


def test_starting_a_campaign_is_audited(app, db, make_sms_survey, make_staff, clock):
    from messaging.campaigns import operations as campaigns

    staff = make_staff()
    survey = make_sms_survey()
    campaign = campaigns.start_campaign("Parks", survey.id, "parents", clock.now,
                                        created_by_id=staff.id)
    (event,) = entries(db, "campaign.start")
    assert event.user_id == staff.id and event.target_id == str(campaign.id)
    assert event.details["group"] == "parents"


def test_importing_contacts_is_audited_without_a_phone_number(app, db):
    from messaging.contacts.operations import import_contacts

    report = import_contacts("phone,name,language\n504-555-0142,Ana,es\nnot a number,Bo,en\n",
                             "paper form at site")
    (event,) = entries(db, "contacts.import")
    assert event.details == {"created": report.created, "updated": 0, "errors": 1,
                             "opted_out": 0}
    assert report.created == 1
    assert "555" not in repr(event.details)
