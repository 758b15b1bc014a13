"""Input hygiene at the one door every request comes through (docs/reliability.md, "Errors and
jobs"): control characters leave form values before any view reads them, and an id in a link
is a number an id column can hold.

PostgreSQL refuses NUL in any text it stores or compares, and an integer beyond its column's
range; both used to reach it from a pasted value and give a server error.
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

#: Control characters removed from every text at intake (PostgreSQL rejects NUL in text
#: columns; the others only confuse): C0 except tab and newline, DEL, C1. CR is dropped too,
#: so a CRLF line end (how browsers send a textarea's lines) becomes a newline.
_CONTROL = {code: None for code in (*range(0, 9), *range(11, 32), *range(127, 160))}

#: The largest id in a link: PostgreSQL's ``integer``, the type of every id column.
MAX_ID = 2**31 - 1


def clean_text(value):
    """``value`` with NUL and other control characters removed (tab and newline kept); lists
    are cleaned item by item, anything else returned as is. Form values pass here before any
    view; both survey channels call it again before a text is stored or parsed."""
    if isinstance(value, str):
        return value.translate(_CONTROL)
    if isinstance(value, list):
        return [clean_text(item) for item in value]
    return value


class CleanFormRequest(Request):
    """A request whose ``form`` (keys and values) is free of control characters.

    ``raw_form`` keeps the values as sent, for what must see them unchanged: Twilio signs the
    parameters it posts (messaging.inbound.signature).
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if "raw_form" in self.__dict__:
            return
        # Werkzeug stores the parsed form in the instance dict; replace it the same way.
        raw = self.__dict__["form"]
        self.__dict__["raw_form"] = raw
        self.__dict__["form"] = self.parameter_storage_class(
            [(clean_text(key), clean_text(value)) for key, value in raw.items(multi=True)])

    @cached_property
    def raw_form(self) -> ImmutableMultiDict[str, str]:
        """The form parameters exactly as sent."""
        self._load_form_data()
        return self.raw_form


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter up to :data:`MAX_ID`: a longer number in a link matches
    no route (a 404), instead of reaching the database, which cannot compare it."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    """Use the clean request and the bounded ``int`` for every route. Call before any
    blueprint is registered: a rule takes its converter when it is added to the map."""
    app.request_class = CleanFormRequest
    app.url_map.converters["int"] = BoundedIntConverter
