"""Infrastructure every package may import: extensions, settings, the queue, signals, roles, audit,
languages, logging, errors, security and pseudonyms. Imports nothing above it
(docs/architecture.md)."""
