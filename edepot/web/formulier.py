"""Reading the plain HTML forms of the internal pages: the same-origin check for state-changing forms
and bounded parsing of an application/x-www-form-urlencoded body (so no multipart dependency).

- `herkomst_gecontroleerd(headers, eigen, wat)`: Forbidden when the browser says the form was sent
  from another origin (`Sec-Fetch-Site` other than same-origin/none, or an `Origin` that is `null`
  or not `eigen`). Without either header (an older browser, curl with a token) the form is accepted:
  the bearer header, which no cross-site form can add, is the real gate.
- `velden_uit(body, max_bytes, max_velden)`: every value per name, in order; InvalidInput for a body
  that is too large, has too many fields or is not UTF-8.
- `formulier(request, wat, ...)`: both, for a Starlette request.
- `laatste(velden, naam)`: the last value of a repeated name ("" when absent).

The core functions take headers and bytes, not a request, so they are tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request

from edepot.auth.principal import Forbidden
from edepot.errors import InvalidInput

MAX_BYTES = 64 * 1024
MAX_VELDEN = 50
HINT = "use the forms on the e-depot's own pages"


def herkomst_gecontroleerd(headers: Mapping[str, str], eigen: str, wat: str) -> None:
    """Forbidden when `headers` (lower-case names) say the form comes from another origin than
    `eigen` (`scheme://host[:port]`); `wat` names what the form changes, for the message."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise Forbidden(f"a form from another site ({fetch_site}) may not change {wat}", hint=HINT, herkomst=fetch_site)
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        if origin == "null" or f"{parts.scheme}://{parts.netloc}" != eigen:
            raise Forbidden(f"a form from {origin} may not change {wat} here ({eigen})", hint=HINT, herkomst=origin)


def velden_uit(body: bytes, *, max_bytes: int = MAX_BYTES, max_velden: int = MAX_VELDEN) -> dict[str, list[str]]:
    """The urlencoded fields of `body`: every value of a name, blank values kept."""
    if len(body) > max_bytes:
        raise InvalidInput(
            f"the form is too large ({len(body)} bytes)", hint=f"send at most {max_bytes} bytes", max_bytes=max_bytes
        )
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=max_velden, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the form could not be read: {exc}", hint="send it as UTF-8 form fields") from None


async def formulier(
    request: Request, wat: str, *, max_bytes: int = MAX_BYTES, max_velden: int = MAX_VELDEN
) -> dict[str, list[str]]:
    """The form fields of `request` after the origin check; a declared Content-Length over the limit is
    refused before the body is read."""
    herkomst_gecontroleerd(request.headers, f"{request.url.scheme}://{request.url.netloc}", wat)
    lengte = request.headers.get("content-length", "")
    if lengte.isdigit() and int(lengte) > max_bytes:
        raise InvalidInput(
            f"the form is too large ({lengte} bytes)", hint=f"send at most {max_bytes} bytes", max_bytes=max_bytes
        )
    return velden_uit(await request.body(), max_bytes=max_bytes, max_velden=max_velden)


def laatste(velden: Mapping[str, list[str]], naam: str) -> str:
    """The last value given for `naam`, or "" when the form has none."""
    waarden = velden.get(naam)
    return waarden[-1] if waarden else ""
