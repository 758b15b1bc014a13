"""Receiving a text: the webhook, storing it first, what it means, the conversation and the answer
written through the intake."""
