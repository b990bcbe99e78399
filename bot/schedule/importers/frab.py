"""Import a frab / Pentabarf ``schedule.xml`` (as frab, pretalx, FOSDEM's Pentabarf and the c3voc tools export
it) into the native schedule document.

The XML carries the same schedule as the c3voc ``schedule.json``, so this module only reads it: each
``<event>`` becomes the JSON event shape and :class:`~bot.schedule.importers.pretalx.SessionCollector` applies
the shared rules (the offset in ``<date>`` wins; without ``<date>``, the ``<day date>`` plus ``<start>``, moved
past midnight when earlier than the day's ``start`` attribute or the conference's ``<day_change>``; kinds,
ids, links). Problems carry the line of the element at fault.

Parsing goes through ``defusedxml``: a schedule never needs entity declarations or external entities, so a
file that declares them (billion laughs, external-entity reads) is refused with a clear message before any
expansion happens.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from typing import Any

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from bot.schedule.errors import Problem, ScheduleError
from bot.schedule.importers.pretalx import Day, Header, SessionCollector, event_section, parse_day_date
from bot.schedule.model import Kind

__all__ = ["frab_document", "looks_like_frab"]

# The prolog that may precede the root element: XML declaration, comments, processing instructions, doctype.
_PROLOG_ITEM = r"(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\b[^\[>]*(?:\[.*?\])?\s*>)"
_ROOT_IS_SCHEDULE = re.compile(rf"\s*(?:{_PROLOG_ITEM}\s*)*<(?:[\w.-]+:)?schedule[\s>/]", re.DOTALL)
_SNIFF_CHARS = 64 * 1024  # enough for any real prolog; keeps the sniff cheap on large files


def looks_like_frab(text: str) -> bool:
    """Whether ``text`` is XML whose root element is ``<schedule>`` (a cheap look at the start only)."""
    return bool(_ROOT_IS_SCHEDULE.match(text[:_SNIFF_CHARS].lstrip("\ufeff")))


class _LineRecorder:
    """A parser target that builds the tree and remembers the line on which each element starts.

    ElementTree keeps no line numbers; the expat parser knows the current line while it reports a start tag.
    """

    def __init__(self) -> None:
        self._builder = ElementTree.TreeBuilder()
        self.lines: dict[int, int] = {}  # id(element) -> line; the tree keeps every element alive
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> ElementTree.Element:
        element = self._builder.start(tag, attrs)
        if self.expat is not None:
            self.lines[id(element)] = int(self.expat.CurrentLineNumber)
        return element

    def end(self, tag: str) -> ElementTree.Element:
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> ElementTree.Element:
        return self._builder.close()


_DECLARATION = re.compile(r"\s*<\?xml\b[^>]*\?>")


def _without_declaration(text: str) -> str:
    """``text`` without its XML declaration, keeping every line where it was.

    Expat refuses a declaration after leading blank lines, which hand-edited and script-generated exports
    have; the declaration says nothing a ``str`` needs (it is already decoded), so it is dropped instead.
    """
    match = _DECLARATION.match(text)
    if match is None:
        return text
    return "\n" * match.group().count("\n") + text[match.end() :]


def _parse(text: str, source: str) -> tuple[ElementTree.Element, dict[int, int]]:
    recorder = _LineRecorder()
    parser = DefusedXMLParser(target=recorder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    recorder.expat = parser.parser

    def current_line() -> int | None:
        line = getattr(parser.parser, "CurrentLineNumber", None)
        return line if isinstance(line, int) else None

    try:
        parser.feed(_without_declaration(text.lstrip("\ufeff")))
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position if isinstance(exc.position, tuple) else (None, None)
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        where = f" (column {column + 1})" if isinstance(column, int) else ""
        raise ScheduleError(
            source, [Problem(f"not well-formed XML: {reason}{where}; fix the XML syntax", line=line)]
        ) from None
    except EntitiesForbidden as exc:
        if getattr(exc, "sysid", None):
            reason = (
                f"declares the external entity {exc.name!r} ({exc.sysid}): a schedule must not make the "
                "reader open other files or addresses"
            )
        else:
            reason = (
                f"declares the entity {exc.name!r}: schedule exports never declare entities, and expanding "
                "them can exhaust memory (billion laughs)"
            )
        raise ScheduleError(
            source, [Problem(f"refusing XML that {reason}; remove the <!ENTITY …> declarations", line=current_line())]
        ) from None
    except ExternalReferenceForbidden as exc:
        raise ScheduleError(
            source,
            [
                Problem(
                    f"refusing XML that refers to the external entity {exc.sysid!r}: a schedule must not read other "
                    "files or addresses; remove the reference",
                    line=current_line(),
                )
            ],
        ) from None
    except DefusedXmlException as exc:
        raise ScheduleError(
            source, [Problem(f"refusing unsafe XML ({exc}); export the schedule again", line=current_line())]
        ) from None
    except ValueError as exc:  # e.g. text that cannot be encoded (lone surrogates)
        raise ScheduleError(source, [Problem(f"not readable as XML: {exc}")]) from None
    return root, recorder.lines


def _name(element: ElementTree.Element) -> str:
    """The tag without a namespace: ``{urn:x}event`` and ``event`` are read alike."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _name(child) == name]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((child for child in element if _name(child) == name), None)


def _text(element: ElementTree.Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


_EVENT_FIELDS = (
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "url",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "description",
)


def _event_fields(event: ElementTree.Element, lines: dict[int, int]) -> tuple[dict[str, Any], dict[str, int]]:
    """The ``<event>`` as the JSON event shape, and the line of each field element."""
    fields: dict[str, Any] = {"guid": event.get("guid"), "id": event.get("id")}
    field_lines: dict[str, int] = {}
    for child in event:
        name = _name(child)
        if name in _EVENT_FIELDS and name not in fields:
            fields[name] = _text(child)
            if id(child) in lines:
                field_lines[name] = lines[id(child)]
    persons = _child(event, "persons")
    if persons is not None:
        fields["persons"] = [{"name": _text(person), "id": person.get("id")} for person in _children(persons, "person")]
        if id(persons) in lines:
            field_lines["persons"] = lines[id(persons)]
    fields["links"] = [
        {"url": item.get("href"), "title": _text(item)}
        for group, tag in (("links", "link"), ("attachments", "attachment"))
        for container in _children(event, group)
        for item in _children(container, tag)
    ]
    return fields, field_lines


def frab_document(
    text: str, source: str, *, timezone: str | None = None, kinds: Mapping[str, Kind] | None = None
) -> dict[str, Any]:
    """The native document for a frab / Pentabarf ``schedule.xml``.

    ``timezone`` is used only when the file has no ``<time_zone_name>``; ``kinds`` is the organizer's mapping of
    types to kinds. Raises :class:`ScheduleError` for XML that is malformed or unsafe, for a zone that nobody
    names, and for every event with a missing or garbled field (with its line).
    """
    if not isinstance(text, str):
        raise ScheduleError(source, [Problem("expected the text of an XML file")])
    root, lines = _parse(text, source)
    if _name(root) != "schedule":
        raise ScheduleError(
            source,
            [
                Problem(
                    f"the root element is <{_name(root)}>, not <schedule>: this is not a frab/Pentabarf schedule.xml",
                    line=lines.get(id(root)),
                )
            ],
        )
    conference = _child(root, "conference")
    if conference is None:
        raise ScheduleError(
            source,
            [
                Problem(
                    "<schedule> has no <conference> (with title and time_zone_name); "
                    "export the schedule again or add it",
                    line=lines.get(id(root)),
                )
            ],
        )

    def conference_text(name: str) -> str | None:
        return _text(_child(conference, name))

    days = _children(root, "day")
    first_day = next((d for d in (parse_day_date(day.get("date")) for day in days) if d is not None), None)
    header = Header(
        title=conference_text("title"),
        acronym=conference_text("acronym"),
        start=conference_text("start"),
        time_zone_name=conference_text("time_zone_name"),
        day_change=conference_text("day_change"),
        base_url=conference_text("base_url"),
    )
    event, header_problems = event_section(header, first_day, timezone, line=lines.get(id(conference)))
    collector = SessionCollector(event["timezone"], header.base_url, kinds)
    for position, day_element in enumerate(days, start=1):
        raw_index = day_element.get("index", "")
        day = Day.read(
            int(raw_index) if re.fullmatch(r"\d{1,6}", raw_index, re.ASCII) else position,
            day_element.get("date"),
            day_element.get("start"),
            header.day_change,
        )
        # frab and pretalx group a day's events by <room name>; older Pentabarf lists them under the day itself,
        # each naming its room in its own <room> element.
        listed = [(room, (room.get("name") or "").strip() or None) for room in _children(day_element, "room")]
        for parent, room_name in [*listed, (day_element, None)]:
            for event_element in _children(parent, "event"):
                fields, field_lines = _event_fields(event_element, lines)
                collector.add(fields, day, room_name, line=lines.get(id(event_element)), field_lines=field_lines)
    return collector.document(source, event, header_problems)
