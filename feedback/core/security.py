"""HTTP security headers and cache rules (docs/reliability.md, staff accounts)."""

from __future__ import annotations

from flask import request

from feedback.core.extensions import limiter

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app) -> None:
    proxies = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if proxies:
        # Behind a proxy every request comes from the proxy's address: trust exactly as many
        # X-Forwarded-* hops as there are proxies, so per-IP login limits see the real client.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    import feedback.core.rate_limits  # noqa: F401  (registers the database:// limit storage)

    limiter.init_app(app)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        # Browsers ignore HSTS over plain HTTP, so sending it always is safe.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/staff"):
            headers["Cache-Control"] = "no-store"
        return response
