"""News that travels upward from the response store (analysis listens; it is never imported)."""

from blinker import Namespace

_signals = Namespace()

#: Sent after answers are committed. kwargs: response_id, answer_ids, completed (bool).
response_recorded = _signals.signal("response-recorded")

#: Sent inside the transaction that completes a response with Core statements
#: (feedback.intake.finish_response, the SMS webhook's hot path), which the ORM flush hooks do
#: not see; analysis marks the day's review totals stale on the same connection, so the mark
#: commits with the completion or not at all. kwargs: connection, completed_at.
response_completing = _signals.signal("response-completing")

#: Sent when staff publish a "you said, we did" update with the SMS option; messaging listens
#: and creates an update campaign. kwargs: update_id, name, messages_by_locale (dict locale ->
#: text), respondent_ids (list[int]), created_by_id.
loop_update_published = _signals.signal("loop-update-published")

#: Sent by the retention job; messaging erases contact details and message bodies older than
#: ``cutoff`` (naive UTC datetime). kwargs: cutoff.
retention_due = _signals.signal("retention-due")
