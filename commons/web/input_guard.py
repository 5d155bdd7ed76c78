"""One check of every request's input before any handler sees it: hostile input gets a 4xx, not a 500.

- An integer id in the path that no row can have (PostgreSQL's INTEGER stops at 2^31 - 1) is a 404:
  sent to the database it would overflow the column's type. In the query (``territory_id=``), a 400.
- A JSON body is decoded strictly against the handler's schema: ``"100"`` is not an integer (Litestar
  converts leniently, which forms need but JSON must not get), and nesting too deep for the decoder
  is refused instead of raising ``RecursionError``.
- A NUL character in text (JSON, form, query string, path) is refused: PostgreSQL cannot store it
  and no person types it.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import BodyKwarg

from commons.errors import InvalidInput, NotFound

# The largest id a row can have: ids are INTEGER columns, and PostgreSQL's INTEGER stops at 2^31 - 1.
MAX_ID = 2**31 - 1
# In JSON text a NUL is always the escape \u0000, preceded by an even number of backslashes (an odd
# number would make it the literal text "\u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_REFUSED = "Caractère NUL (\\0) refusé dans le texte envoyé."


async def guard_input(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook of the application: raises the 4xx the input deserves, else lets it through."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFound(f"Identifiant {value} introuvable.")
    query = list(request.query_params.multi_items())
    if "\x00" in request.url.path or any("\x00" in value for _, value in query):
        raise InvalidInput(NUL_REFUSED)
    for name, value in query:
        if name.endswith("_id") and value.isdigit() and int(value) > MAX_ID:
            raise InvalidInput(f"« {name} » : identifiant {value} impossible (au plus {MAX_ID}).")
    body = request.route_handler.parsed_fn_signature.parameters.get("data")
    if body is None or not isinstance(body.kwarg_definition, BodyKwarg):
        return
    if body.kwarg_definition.media_type == RequestEncodingType.JSON:
        await _check_json(await request.body(), body.annotation)
    elif any("\x00" in str(value) for _, value in (await request.form()).multi_items()):
        raise InvalidInput(NUL_REFUSED)


async def _check_json(raw: bytes, schema: Any) -> None:
    if _JSON_NUL.search(raw):
        raise InvalidInput(NUL_REFUSED)
    try:
        # The body is decoded once more by Litestar after this: the price of strict types at the edge.
        msgspec.json.decode(raw or b"null", type=schema, strict=True)
    except RecursionError:
        raise InvalidInput("JSON invalide : imbrication trop profonde.") from None
    except msgspec.ValidationError as error:
        raise InvalidInput(f"Données invalides : {error}") from None
    except msgspec.DecodeError as error:
        raise InvalidInput(f"JSON invalide : {error}") from None
