"""What kind of session a slot is, from the words schedules use for it.

A kind decides how a session is announced and whether it has live Q&A, so it is read from the most reliable
source there is, in this order:

1. **The organizer's mapping**: ``chairbot import --kind devroom=talk`` says what an export's type means, and
   ``kinds: {devroom: talk}`` in a native file what a session's ``kind: devroom`` means. It wins over everything
   below.
2. **The session type an exporter writes** (pretalx's ``type``, frab's and Pentabarf's ``<type>``), looked up in
   :data:`TYPE_KINDS` as real exporters spell it: any case, ``-``/``_`` for spaces, plurals, and numbers, durations
   and Q&A notes inside (rC3's ``Talk 30 min + 10min Q&A`` is a talk, and says it has Q&A). A type written for any
   kind of slot (``other``, ``meeting``, ``Meetup``) or one the table does not know leaves the decision to the
   title.
3. **The title, as a last resort**, and only from whole phrases: "Coffee break", "Invited Talk 3", "Welcome and
   opening" name their kind; a word inside a longer title does not ("Declarative Networking in Declarative World"
   is not a social, "Syd: An Introduction to Secure Application Sandboxing" not an opening).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.schedule.model import Kind

__all__ = [
    "KIND_ALIASES",
    "TYPE_KINDS",
    "TypeReading",
    "infer_kind",
    "kind_map",
    "kind_names",
    "normalize",
    "parse_kind",
    "read_type",
    "type_key",
]

#: Words organizers use for a kind in a native file's ``kind:``, beyond the kind names themselves.
KIND_ALIASES: dict[str, Kind] = {
    "keynote": Kind.TALK,
    "invited": Kind.TALK,
    "invited talk": Kind.TALK,
    "lecture": Kind.TALK,
    "oral": Kind.CONTRIBUTED,
    "spotlight": Kind.CONTRIBUTED,
    "lightning": Kind.CONTRIBUTED,
    "lightning talk": Kind.CONTRIBUTED,
    "contributed talk": Kind.CONTRIBUTED,
    "posters": Kind.POSTER,
    "poster session": Kind.POSTER,
    "discussion": Kind.PANEL,
    "panel discussion": Kind.PANEL,
    "lunch": Kind.BREAK,
    "coffee": Kind.BREAK,
    "coffee break": Kind.BREAK,
    "pause": Kind.BREAK,
    "welcome": Kind.OPENING,
    "introduction": Kind.OPENING,
    "reception": Kind.SOCIAL,
}

#: Session types as pretalx (free text), frab (lecture, workshop, podium, lightning_talk, meeting, film, concert,
#: djset, performance, other), Pentabarf and FOSDEM (devroom, maintrack, keynote, lightningtalk), and the c3voc
#: schedule version 2 (talk, workshop, hands-on, meeting, discussion, game, other) write them, normalized by
#: :func:`normalize`; plurals and numbers are handled by :func:`read_type`. A hands-on workshop is neither a talk
#: nor a break: it keeps the one-line announcement of ``other``.
TYPE_KINDS: dict[str, Kind] = {
    **KIND_ALIASES,
    # talks
    "talk": Kind.TALK,
    "long talk": Kind.TALK,
    "full talk": Kind.TALK,
    "keynote talk": Kind.TALK,
    "invited keynote": Kind.TALK,
    "plenary": Kind.TALK,
    "presentation": Kind.TALK,
    "devroom": Kind.TALK,
    "devroom talk": Kind.TALK,
    "maintrack": Kind.TALK,
    "main track": Kind.TALK,
    "main track talk": Kind.TALK,
    "tutorial": Kind.TALK,
    "vortrag": Kind.TALK,
    # short talks
    "lightningtalk": Kind.CONTRIBUTED,
    "short talk": Kind.CONTRIBUTED,
    "contributed": Kind.CONTRIBUTED,
    "oral presentation": Kind.CONTRIBUTED,
    "kurzvortrag": Kind.CONTRIBUTED,
    # panels
    "panel": Kind.PANEL,
    "podium": Kind.PANEL,
    "podium discussion": Kind.PANEL,
    "podiumsdiskussion": Kind.PANEL,
    "fireside chat": Kind.PANEL,
    "roundtable": Kind.PANEL,
    "round table": Kind.PANEL,
    # posters
    "poster": Kind.POSTER,
    "poster presentation": Kind.POSTER,
    # breaks
    "break": Kind.BREAK,
    "lunch break": Kind.BREAK,
    "tea break": Kind.BREAK,
    "kaffeepause": Kind.BREAK,
    "mittagspause": Kind.BREAK,
    # the slot's own ceremony
    "opening": Kind.OPENING,
    "opening ceremony": Kind.OPENING,
    "opening remarks": Kind.OPENING,
    "welcome remarks": Kind.OPENING,
    # social programme
    "social": Kind.SOCIAL,
    "social event": Kind.SOCIAL,
    "party": Kind.SOCIAL,
    "concert": Kind.SOCIAL,
    "djset": Kind.SOCIAL,
    "dj set": Kind.SOCIAL,
    "film": Kind.SOCIAL,
    "movie": Kind.SOCIAL,
    "performance": Kind.SOCIAL,
    "game": Kind.SOCIAL,
    "dinner": Kind.SOCIAL,
    # hands-on sessions
    "workshop": Kind.OTHER,
    "hands on": Kind.OTHER,
    "hackathon": Kind.OTHER,
    "certification": Kind.OTHER,
}

_PUNCTUATION = re.compile(r"[+,;:|/&*#.!?\"'´`]+")


def normalize(text: str) -> str:
    """``"Lightning_Talk"``, ``"lightning-talk "`` -> ``"lightning talk"``: lower case, ``-``/``_`` as spaces, one
    space between words."""
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def type_key(text: str) -> str:
    """How a type is looked up: as :func:`normalize` writes it, with punctuation as spaces (``"Talk 30 min + 10min
    Q&A"`` -> ``"talk 30 min 10min q a"``), so an organizer's mapping matches the type however it is punctuated."""
    return " ".join(_PUNCTUATION.sub(" ", normalize(text)).split())


def kind_names() -> str:
    """The kinds as a list a message can show: ``opening, talk, contributed, …``."""
    return ", ".join(kind.value for kind in Kind)


def parse_kind(value: str) -> Kind:
    """The kind a name or a common word for it means (``talk``, ``keynote``, ``coffee break``); ``ValueError``
    naming the kinds otherwise."""
    word = normalize(value)
    if word in Kind._value2member_map_:
        return Kind(word)
    if word in KIND_ALIASES:
        return KIND_ALIASES[word]
    raise ValueError(f"unknown kind {value.strip()!r}; use one of {kind_names()}")


def kind_map(raw: Mapping[str, str]) -> dict[str, Kind]:
    """An organizer's mapping from source types to kinds (``{"devroom": "talk"}``), its keys as :func:`type_key`
    makes them.

    ``ValueError`` for an empty type or an unknown kind, naming the entry and the kinds to use.
    """
    mapped: dict[str, Kind] = {}
    for type_name, target in raw.items():
        key = type_key(type_name)
        if not key:
            raise ValueError(f"an empty type cannot be mapped (to {target!r}); write the type as the export spells it")
        try:
            mapped[key] = parse_kind(target)
        except ValueError as exc:
            raise ValueError(f"{type_name.strip()!r}: {exc}") from None
    return mapped


# --- session types -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeReading:
    """What a session type says: its kind (``None`` when it names none) and whether the slot has live Q&A
    (``None`` when the type does not say, so the kind's default holds)."""

    kind: Kind | None
    qa: bool | None = None


_Q_AND_A = r"(?:q\s*&\s*a|q\s*\+\s*a|q\s*and\s*a|qna|questions?)"
# "without Q&A", "no Q&A", "ohne Q&A"
_NO_QA = re.compile(rf"\b(?:no|without|w/o|ohne)\s+{_Q_AND_A}(?!\w)")
# "+ 10min Q&A", "incl. Q&A", "with Q&A", "(Q&A)": the note and the minutes it gives
_QA_NOTE = re.compile(
    rf"(?:[+,&/]|\b(?:with|incl|including|and|plus|inkl|mit)\b\.?)?\s*(?:\d+\s*(?:min\w*|m)?\.?\s*)?{_Q_AND_A}(?!\w)"
)
_PARENTHETICAL = re.compile(r"[(\[{][^)\]}]*[)\]}]")
# "30 min", "45min", "1h", "90'", "1:30 h", "20 minutes", and bare numbers
_DURATION = re.compile(r"\b\d+(?:[.:,]\d+)?\s*(?:minutes?|mins?|min|m|hours?|hrs?|h|std|stunden?|')?(?!\w)")


def _bases(text: str) -> list[str]:
    """The forms of a normalized type to look up, most specific first: as written, without a parenthetical,
    without durations, numbers and Q&A notes, and the singular of each."""
    found: list[str] = []

    def add(candidate: str) -> None:
        candidate = type_key(candidate)
        for form in (candidate, candidate[:-1] if candidate.endswith("s") else None):
            if form is not None and form not in found:
                found.append(form)

    add(text)
    add(_PARENTHETICAL.sub(" ", text))
    add(_DURATION.sub(" ", _QA_NOTE.sub(" ", _PARENTHETICAL.sub(" ", text))))
    add(_DURATION.sub(" ", _QA_NOTE.sub(" ", text)))
    return found


def read_type(type_name: object, mapping: Mapping[str, Kind] | None = None) -> TypeReading:
    """What an exporter's session type says (see the module docstring); ``mapping`` is the organizer's, keyed by
    :func:`type_key` (:func:`kind_map`), and wins over :data:`TYPE_KINDS` for every form of the type."""
    if not isinstance(type_name, str):
        return TypeReading(None)
    text = normalize(type_name)
    qa: bool | None = None
    if _NO_QA.search(text):
        qa = False
    elif _QA_NOTE.search(text):
        qa = True
    bases = _bases(_NO_QA.sub(" ", text))
    for table in (mapping or {}, TYPE_KINDS):
        for base in bases:
            if base in table:
                return TypeReading(table[base], qa)
    return TypeReading(None, qa)


# --- titles --------------------------------------------------------------------------------------------------

# A title's head is what comes before a colon, a dash between spaces, a bar or a bracket: "Invited Talk 3:
# Robustness" -> "Invited Talk 3"; "Poster Session 1 (Hall A)" -> "Poster Session 1".
_HEAD_END = re.compile(r"\s*(?::|\||\(|\[|\s[-–—]\s|[–—])")
_EMPHASIS = re.compile(r"[*_~`]+")
_DECORATION = re.compile(r"[^\w\s&+/,-]+")  # quotes, emoji, punctuation
_PARTS = re.compile(r"\s*(?:,|&|\+|/|\band\b|\bund\b)\s*")
# Numbering after a phrase: "1", "#2", "3a", "II", "B".
_NUMBERING = re.compile(r"\s+(?:#?\d+[a-z]?|[ivx]+|[a-d])$")

_PHRASES: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (Kind.POSTER, r"posters?(?: (?:session|sessions|presentations?|spotlights?))?"),
        (
            Kind.PANEL,
            r"(?:panel|panels|panel discussion|panel session|discussion panel|roundtable|round table"
            r"|roundtable discussion|fireside chat|debate)",
        ),
        (
            Kind.CONTRIBUTED,
            r"(?:(?:contributed|oral|orals|spotlight|spotlights|lightning)"
            r"(?: (?:talks?|presentations?|papers?|sessions?))*|short talks?|paper presentations?)",
        ),
        (
            Kind.OPENING,
            r"(?:opening|welcome|introduction|introductions|intro|introductory)"
            r"(?: (?:remarks|address|words|session|ceremony|notes?))?",
        ),
        (
            Kind.BREAK,
            r"(?:(?:morning|afternoon|evening|short|long|mid morning|mid afternoon) )?"
            r"(?:coffee|tea|lunch|break|breaks|recess|pause|refreshments)(?: breaks?)?"
            r"|registration|check in|doors open",  # logistics: a line at the start is all they need
        ),
        (
            Kind.SOCIAL,
            r"(?:social|socials|social event|social hour|reception|welcome reception|networking reception|dinner"
            r"|conference dinner|workshop dinner|banquet|happy hour|networking|networking session|networking event"
            r"|mixer|party|get together|meet and greet)",
        ),
        (
            Kind.TALK,
            r"(?:(?:invited|keynote|plenary|featured|guest) )?"
            r"(?:talks?|lectures?|keynotes?|presentation|tutorials?|address)(?: talk)?",
        ),
    )
)
_PRECEDENCE = [kind for kind, _ in _PHRASES]
# A phrase that leads a title about something or someone: "Keynote by Jane Doe", "Panel on evaluation".
_LEAD_IN = re.compile(
    r"(?P<phrase>invited talk|keynote(?: talk| address)?|talk|lecture|tutorial|panel(?: discussion)?|fireside chat)"
    r"(?: #?\d+)? (?:by|with|on|about|from) \S.*"
)


# Words that may stand before a phrase without changing what it names: "The Talk", "Early Poster Session",
# "Closing panel", "Afternoon keynote", "Day Talk".
_QUALIFIERS = re.compile(
    r"(?:(?:the|a|an|our|this|early|late|day|morning|midday|afternoon|evening|night|first|second|third|final|last"
    r"|main|opening|closing|joint|plenary|special) )+"
)


def _phrase_kind(part: str) -> Kind | None:
    part = _NUMBERING.sub("", part.strip(" -"))
    for candidate in (part, _QUALIFIERS.sub("", part, count=1) if _QUALIFIERS.match(part) else None):
        for kind, pattern in _PHRASES:
            if candidate and pattern.fullmatch(candidate):
                return kind
    return None


def _head_kind(head: str) -> Kind | None:
    """The kind a title's head names, if it consists of whole phrases alone."""
    head = " ".join(_DECORATION.sub(" ", head).lower().split())
    lead = _LEAD_IN.fullmatch(head)
    if lead:
        return _phrase_kind(lead.group("phrase"))
    kinds = [_phrase_kind(part) for part in _PARTS.split(head) if part.strip()]
    if not kinds or None in kinds:
        return None
    return min((k for k in kinds if k is not None), key=_PRECEDENCE.index)


def infer_kind(title: str) -> Kind:
    """The kind a title names by whole phrases (``Invited Talk 1`` -> talk, ``*Break*`` -> break, ``Coffee break
    & posters`` -> poster), ``other`` when it names none.

    The title's head (before a colon, a dash or a bracket) must consist of such phrases alone, joined by "and",
    "&", "+", "/" or commas; when they name several kinds, the first in :data:`_PHRASES` wins (a poster session
    over the coffee served at it). A head that names nothing may be a prefix such as the event's name, so the
    part after it is read the same way ("38C3: Opening Ceremony"). One common word inside a longer title names
    nothing.
    """
    text = _EMPHASIS.sub("", title).strip()
    pieces = _HEAD_END.split(text, maxsplit=1)
    heads = [pieces[0]]
    if len(pieces) == 2:
        heads.append(_HEAD_END.split(pieces[1].strip(), maxsplit=1)[0])
    for head in heads:
        if head.strip():
            kind = _head_kind(head)
            if kind is not None:
                return kind
    return Kind.OTHER
