"""Demo data for development and demos: the ``seed-demo`` command and its seeders.

Outside the runtime packages (docs/architecture.md): only the application factory
(feedback.app) reaches it, to register the command; the running service never imports it.
"""
