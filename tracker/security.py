"""HTTP hardening that applies to every response: security headers, and the app behind a proxy.

The pages use no inline script or style and load nothing from elsewhere, so the
Content-Security-Policy can be strict: a script injected into a page despite the escaping would
still not run. ``frame-ancestors 'none'`` (and the older ``X-Frame-Options``) stops other sites
framing the app to trick clicks; ``nosniff`` stops a browser treating an uploaded text as HTML;
``Referrer-Policy: same-origin`` keeps addresses (which may hold a feed token or search words)
from leaking to other sites.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

#: sent only when the app is served over HTTPS (``SESSION_COOKIE_SECURE`` on): browsers then refuse
#: plain HTTP to the site for a year
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    """Add the headers to every response; trust ``TRUSTED_PROXIES`` reverse proxies' X-Forwarded-*."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))

    @app.before_request
    def refuse_nul() -> None:
        """Refuse a NUL character in the address or a form: no page needs one, PostgreSQL cannot
        store one, and SQLite would cut a search at it (a search for everything)."""
        values = [*request.args.keys(), *request.args.values()]
        if request.method == "POST" and request.mimetype in _FORM_TYPES:
            values += [*request.form.keys(), *request.form.values()]
            values += [f.filename or "" for f in request.files.values()]
        if any("\x00" in v for v in values):
            abort(400, description="The request held a NUL character, which no field may contain.")

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if "Set-Cookie" in response.headers or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
