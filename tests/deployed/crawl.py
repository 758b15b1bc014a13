"""The crawl table of the deployed tier: every GET route of the URL map, who may open it and
how to fill its path from the demo data (see docs/testing.md, "The deployed-app tier").

``ROUTES`` has one row per GET rule, saying who may open it (``public``, ``all`` staff roles,
``staff`` = admin and staff, ``admin``), how to fill its path parameters from the demo data,
and the status an allowed visitor gets. tests/deployed/test_deployed_routes.py fails when a GET
rule has no row, and checks the access column against each view's ``roles_required``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOCALES = ("en", "es", "vi")
ROLES = ("admin", "staff", "partner_viewer", None)
ACCESS_ROLES = {
    "public": ("admin", "staff", "partner_viewer", None),
    "all": ("admin", "staff", "partner_viewer"),
    "staff": ("admin", "staff"),
    "admin": ("admin",),
}


@dataclass(frozen=True)
class Route:
    access: str
    #: Demo-data keys that fill the path parameters ({parameter: key of the ``demo`` fixture}).
    params: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    #: Status for a visitor the route admits (anonymous included for public routes).
    ok: int = 200
    #: Status for a signed-in visitor on a public route, where it differs (login: 302 home).
    signed_in: int | None = None


SLUG = {"slug": "slug"}
ROUTES: dict[str, Route] = {
    "/": Route("public"),
    "/healthz": Route("public"),
    "/lang/<code>": Route("public", {"code": "locale"}, ok=302),
    "/results": Route("public"),
    "/results/<int:year>": Route("public", {"year": "report_year"}),
    "/s/<slug>": Route("public", SLUG),
    "/s/<slug>/restart": Route("public", SLUG, ok=302),
    "/s/<slug>/thanks": Route("public", SLUG),
    "/static/<path:filename>": Route("public", {"filename": "static_file"}),
    "/staff/login": Route("public", signed_in=302),
    "/dev/sms": Route("staff"),
    "/staff/": Route("all"),
    "/staff/analysis/agreement": Route("staff"),
    "/staff/analysis/model": Route("admin"),
    "/staff/answers": Route("staff"),
    "/staff/answers/<int:answer_id>": Route("staff", {"answer_id": "answer_id"}),
    "/staff/audit/": Route("admin"),
    "/staff/campaigns/": Route("staff"),
    "/staff/campaigns/<int:campaign_id>": Route("staff", {"campaign_id": "campaign_id"}),
    "/staff/campaigns/new": Route("staff"),
    # the crawl's draft is no longer scheduled: the page says it cannot be changed
    "/staff/campaigns/<int:campaign_id>/edit": Route("staff", {"campaign_id": "campaign_id"}),
    "/staff/campaigns/pulses/new": Route("staff"),
    "/staff/campaigns/pulses/<int:pulse_id>": Route("staff", {"pulse_id": "pulse_id"}),
    "/staff/codebook": Route("staff"),
    "/staff/codebook/<int:theme_id>": Route("staff", {"theme_id": "theme_id"}),
    "/staff/codebook/emerging": Route("staff"),
    "/staff/codebook/new": Route("staff"),
    "/staff/contacts/": Route("staff"),
    "/staff/contacts/<int:contact_id>": Route("staff", {"contact_id": "contact_id"}),
    "/staff/contacts/import": Route("admin"),
    "/staff/contacts/late-replies": Route("staff"),
    "/staff/goals": Route("staff"),
    "/staff/goals/<int:goal_id>": Route("staff", {"goal_id": "goal_id"}),
    "/staff/goals/<int:goal_id>/indicators/<int:indicator_id>": Route(
        "staff", {"goal_id": "goal_id", "indicator_id": "indicator_id"}),
    "/staff/goals/<int:goal_id>/indicators/new": Route("staff", {"goal_id": "goal_id"}),
    "/staff/goals/new": Route("staff"),
    "/staff/loop": Route("staff"),
    "/staff/loop/<int:update_id>": Route("staff", {"update_id": "update_id"}),
    "/staff/loop/new": Route("staff"),
    "/staff/profile": Route("all"),
    "/staff/review": Route("all"),
    "/staff/review/export/answers.csv": Route("admin"),  # row level: the backbone admin only
    "/staff/review/export/summary.csv": Route("all"),
    "/staff/review/held": Route("staff"),
    "/staff/review/report": Route("all"),
    "/staff/review/report.pdf": Route("all"),
    "/staff/review/trends": Route("all"),
    "/staff/review/year": Route("all"),
    "/staff/review/year.pdf": Route("all"),
    "/staff/sites/": Route("all"),
    "/staff/sites/<int:site_id>/edit": Route("staff", {"site_id": "site_id"}),
    "/staff/sites/<int:site_id>/poster": Route("all", {"site_id": "site_id"}),
    "/staff/sites/<int:site_id>/qr.svg": Route(
        "all", {"site_id": "site_id"}, query={"survey": "slug"}),
    "/staff/sites/new": Route("staff"),
    "/staff/surveys/": Route("staff"),
    "/staff/surveys/<slug>": Route("staff", SLUG),
    "/staff/surveys/<slug>/export": Route("staff", SLUG),
    "/staff/surveys/<slug>/preview/<lang>": Route("staff", {**SLUG, "lang": "locale"}),
    "/staff/surveys/<slug>/questions/<key>": Route("staff", {**SLUG, "key": "question_key"}),
    "/staff/surveys/<slug>/questions/new": Route("staff", SLUG),
    "/staff/surveys/import": Route("staff"),
    "/staff/surveys/new": Route("staff"),
    "/staff/users": Route("admin"),
    "/staff/users/<int:user_id>": Route("admin", {"user_id": "user_id"}),
}


def get_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
        key=lambda rule: rule.rule,
    )


def declared_roles(app, endpoint: str) -> tuple | None:
    """The roles the view's ``roles_required`` (or its blueprint's before_request) names:
    () for sign-in with any role, None for no sign-in rule."""

    def from_wrappers(function):
        while function is not None:
            code = getattr(function, "__code__", None)
            names = code.co_freevars if code else ()
            for name, cell in zip(names, function.__closure__ or (), strict=False):
                if name == "roles":
                    return tuple(cell.cell_contents)
            function = getattr(function, "__wrapped__", None)
        return None

    found = from_wrappers(app.view_functions[endpoint])
    if found is None and "." in endpoint:
        for hook in app.before_request_funcs.get(endpoint.rsplit(".", 1)[0], []):
            found = from_wrappers(hook)
            if found is not None:
                break
    return found


def demo_values(deployed) -> dict:
    """Ids and keys from the demo data that fill the routes' path parameters."""
    from datetime import date

    import sqlalchemy as sa

    from analysis.models import Theme
    from analysis.review.goals import AgendaGoal, Indicator, LoopUpdate
    from feedback.core.extensions import db
    from feedback.responses.models import Answer, PartnerSite, StaffUser
    from feedback.staff.auth import visible_site_ids
    from messaging.models import Campaign, Contact, Pulse
    from surveys.models import Question, Survey

    with deployed.app_context() as app:
        _add_what_the_demo_lacks(db)
        viewer = db.session.scalar(sa.select(StaffUser).filter_by(role="partner_viewer"))
        viewer_sites = visible_site_ids(viewer)
        site_id = min(viewer_sites)
        other_site = db.session.scalar(
            sa.select(PartnerSite.id).where(PartnerSite.id.not_in(viewer_sites))
        )
        survey = db.session.scalar(sa.select(Survey).order_by(Survey.id))
        question_key = db.session.scalar(sa.select(Question.key).limit(1))
        indicator = db.session.scalar(sa.select(Indicator).order_by(Indicator.id))
        values = {
            "slug": survey.slug,
            "site_id": site_id,
            "other_site_id": other_site,
            "goal_id": indicator.goal_id if indicator else db.session.scalar(
                sa.select(AgendaGoal.id)),
            "indicator_id": indicator.id if indicator else None,
            "update_id": db.session.scalar(sa.select(LoopUpdate.id)),
            "campaign_id": db.session.scalar(sa.select(Campaign.id)),
            "pulse_id": db.session.scalar(sa.select(Pulse.id)),
            "contact_id": db.session.scalar(sa.select(Contact.id).order_by(Contact.id)),
            "report_year": date.today().year - 1,
            "theme_id": db.session.scalar(sa.select(Theme.id)),
            "answer_id": db.session.scalar(
                sa.select(Answer.id).where(Answer.raw_text.is_not(None)).order_by(Answer.id)
            ),
            "user_id": db.session.scalar(sa.select(StaffUser.id).filter_by(role="staff")),
            "question_key": question_key,
            "static_file": "app.css",
            "rules": [(rule.rule, rule.endpoint) for rule in get_rules(app)],
            "roles": {rule.endpoint: declared_roles(app, rule.endpoint) for rule in get_rules(app)},
        }
    missing = [key for key, value in values.items() if value is None]
    assert not missing, f"the demo data has no {missing}: the crawl cannot fill those routes"
    return values


def _add_what_the_demo_lacks(db) -> None:
    """A draft SMS campaign, a stopped pulse and a published "you said, we did" update for
    this quarter (the demo has none), so their pages can be opened; none sends anything."""
    from datetime import UTC, date, datetime

    import sqlalchemy as sa

    from analysis.review.goals import AgendaGoal, LoopUpdate
    from analysis.review.periods import quarter_of
    from messaging.models import Campaign, Pulse
    from surveys.models import Survey

    if db.session.scalar(sa.select(Pulse.id)) is None:  # a stopped pulse: nothing to send
        survey_id = db.session.scalar(sa.select(Survey.id).order_by(Survey.id))
        db.session.add(Pulse(name="Crawl pulse", survey_id=survey_id, group="crawl",
                             cadence="monthly", first_local=datetime(2030, 1, 6, 10),
                             ends_on=date(2030, 3, 31), status="stopped", texts={}))
    if db.session.scalar(sa.select(Campaign.id)) is None:
        survey_id = db.session.scalar(sa.select(Survey.id).order_by(Survey.id))
        db.session.add(Campaign(name="Crawl draft", kind="survey", survey_id=survey_id,
                                group="crawl", status="draft"))
    if db.session.scalar(sa.select(LoopUpdate.id)) is None:
        period = quarter_of(date.today())
        db.session.add(LoopUpdate(
            goal_id=db.session.scalar(sa.select(AgendaGoal.id).order_by(AgendaGoal.id)),
            period_start=period.start, period_end=period.end,
            heard={"en": "We heard", "es": "Escuchamos", "vi": "Chúng tôi nghe"},
            action={"en": "We act", "es": "Actuamos", "vi": "Chúng tôi làm"},
            # shown on /results (published without texting anyone)
            published_at=datetime.now(UTC).replace(tzinfo=None),
        ))
    db.session.commit()


def build_path(rule: str, route: Route, demo: dict, locale: str) -> str:
    from werkzeug.routing import Map, Rule

    url_map = Map([Rule(rule, endpoint="x")])
    values = {
        name: (locale if key == "locale" else demo[key]) for name, key in route.params.items()
    }
    query = {name: demo[key] for name, key in route.query.items()}
    return url_map.bind("localhost").build("x", {**values, **query})


def expected_status(route: Route, role: str | None) -> int:
    if route.access == "public":
        return route.signed_in if (role and route.signed_in) else route.ok
    if role is None:
        return 302  # to the sign-in page
    return route.ok if role in ACCESS_ROLES[route.access] else 403


