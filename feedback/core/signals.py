"""Every signal of the project: news that travels upward or sideways without an import.

Receivers are connected in one place, feedback.app.connect_side_effects, never at import
(the list, with who sends and who listens, is in docs/architecture.md).
"""

from blinker import Namespace

_signals = Namespace()

#: Sent after answers are committed. kwargs: response_id, answer_ids, completed (bool).
response_recorded = _signals.signal("response-recorded")

#: Sent inside the transaction that completes a response with Core statements
#: (feedback.responses.intake.finish_response, which both channels call), which the ORM flush hooks
#: do
#: not see; analysis marks the day's review totals stale on the same connection, so the mark
#: commits with the completion or not at all. kwargs: connection, completed_at.
response_completing = _signals.signal("response-completing")

#: Sent inside the transaction that writes a respondent's demographic answer with Core
#: statements (feedback.responses.intake.add_answer): the group figures of the respondent's
#: earlier responses may change, so analysis marks those days stale on the same connection.
#: kwargs: connection, respondent_id.
respondent_changing = _signals.signal("respondent-changing")

#: Sent after a stored inbound text failed its handling and was marked failed; messaging's
#: jobs queue the retry (so the webhook module never imports its own jobs). kwargs:
#: inbound_id.
inbound_failed = _signals.signal("inbound-failed")

#: Sent after a committed change makes stored tags out of date (a codebook edit, a better
#: sentiment model activated); the tagging job re-tags the stale comments. No kwargs.
tags_outdated = _signals.signal("tags-outdated")

#: Sent when staff publish a "you said, we did" update with the SMS option; messaging listens
#: and creates an update campaign. kwargs: update_id, name, messages_by_locale (dict locale ->
#: text), respondent_ids (list[int]), created_by_id.
loop_update_published = _signals.signal("loop-update-published")

#: Sent by the "you said, we did" page before staff publish: what texting the update would
#: send. Messaging's receiver returns its preview (recipients, opted-out contacts skipped,
#: each language's text with its segments). kwargs: messages_by_locale, respondent_ids.
loop_update_previewing = _signals.signal("loop-update-previewing")

#: Sent by the retention job; messaging erases contact details and message bodies older than
#: ``cutoff`` (naive UTC datetime). kwargs: cutoff.
retention_due = _signals.signal("retention-due")
