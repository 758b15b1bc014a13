"""News that travels upward from the response store (DESIGN.md: analysis listens, never imported)."""

from blinker import Namespace

_signals = Namespace()

#: Sent after answers are committed. kwargs: response_id, answer_ids, completed (bool).
response_recorded = _signals.signal("response-recorded")
