"""Response headers and request limits for a site on the open internet.

The Content-Security-Policy allows no inline script or style: every script and stylesheet is
a file under static/, so injected markup cannot run.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

# Pages whose address holds a secret token: no Referer may carry it to another site.
# Pages whose address holds a secret token (the reviewer invitation too): no Referer leaves them.
PRIVATE_LINK_PREFIXES = ("/submission/", "/registration/", "/organizer/reviews/invitation/")
# The site's file inputs: the abstract's PDF on the submission forms (and the final version
# on the materials page, under the same name), the slides on the materials page.
UPLOAD_FIELDS = frozenset({"pdf", "slides"})


def init_app(app: Flask) -> None:
    cfg = app.config
    public = urlsplit(cfg["PUBLIC_BASE_URL"])
    if cfg.get("SESSION_COOKIE_SECURE") is None:
        cfg["SESSION_COOKIE_SECURE"] = public.scheme == "https"
    if not cfg.get("TRUSTED_HOSTS") and not (app.debug or app.testing):
        # Unknown Host headers are refused; the public name plus loopback for local checks.
        cfg["TRUSTED_HOSTS"] = sorted({public.hostname or "127.0.0.1", "127.0.0.1", "localhost"})

    proxies = int(cfg.get("PROXY_FIX_X_FOR") or 0)
    if proxies:
        # Behind a reverse proxy: trust its X-Forwarded-* headers (so the rate limiter and
        # the HTTPS check see the real client), and only when the deployment says so.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=0
        )

    @app.before_request
    def html_form_posts_only() -> None:
        # Every form here is an HTML form. Flask-WTF would also take a JSON body as form data
        # and give a file part to the text field of the same name: either way a text field
        # would get a number, a list or an upload instead of a string.
        if request.method != "POST":
            return
        if request.is_json:
            abort(415)
        if any(name not in UPLOAD_FIELDS for name in request.files):
            abort(400)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        private = request.path.startswith(PRIVATE_LINK_PREFIXES)
        headers["Referrer-Policy"] = "no-referrer" if private else "strict-origin-when-cross-origin"
        if private:
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
