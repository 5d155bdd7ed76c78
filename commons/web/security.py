"""Security headers on every response, the 404s of the router and the static files included.

Applied as a ``before_send`` hook rather than a middleware: Litestar runs middleware only around
matched route handlers, while the hook sees every response the application sends.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# Scripts, styles and everything else from this origin only: no inline script or style in the
# templates (the need meters draw with SVG attributes, htmx's own <style> is turned off in base.html).
# data: images are the icons swagger-ui's stylesheet embeds.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
ALWAYS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
# Two years, the preload lists' minimum; sent over TLS only, as a browser ignores it on plain HTTP.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


def is_private(scope: Scope, response: MutableScopeHeaders) -> bool:
    """Whether the answer may differ from one client to the next, so no cache may keep it.

    Anything personal comes from the client's credentials (the session or CSRF cookie, a bearer
    token) or hands out new ones (Set-Cookie); without them the answer is the same for everyone.
    Static files are the same for everyone, cookies or not.
    """
    if scope["path"].startswith("/static/"):
        return False
    request_headers = {name for name, _ in scope.get("headers", ())}
    return b"authorization" in request_headers or b"cookie" in request_headers or "set-cookie" in response


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in ALWAYS.items():
        headers[name] = value
    # The scheme is https behind a proxy too: uvicorn takes it from X-Forwarded-Proto when the proxy
    # is trusted (--forwarded-allow-ips), and only then.
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = STRICT_TRANSPORT_SECURITY
    if is_private(scope, headers):
        headers["cache-control"] = "no-store"
