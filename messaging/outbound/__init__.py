"""Sending texts: the gateway, the send queue, pacing and quiet hours, status callbacks and
reminders."""
