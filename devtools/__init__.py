"""Development tools the running service never needs: the benchmark reference endpoints.

Outside the runtime packages (docs/architecture.md): only the application factory
(feedback.app) reaches it, and only when ``BENCHMARK_ENDPOINTS`` is on.
"""
