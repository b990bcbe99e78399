"""Discord's server-side limits on message, embed, component, autocomplete and modal bodies.

discord.py does not check these (the design notes say: split yourself), so Discord is the first to refuse an
oversized embed. The emulator refuses it the same way, with ``400 Invalid Form Body`` (code 50035) naming the field,
so a test catches a formatter that overflows a limit instead of production catching it on the event day.
"""

from __future__ import annotations

from typing import Any

from . import errors
from .model import JSON, iter_components

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
ACTION_ROWS_MAX = 5
ROW_ITEMS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
MODAL_TITLE_MAX = 45
#: The longest text a string option of an application command can take (its ``max_length`` at most).
OPTION_LENGTH_MAX = 6000
IS_COMPONENTS_V2 = 1 << 15


def check_message_body(body: JSON, *, has_files: bool = False, is_edit: bool = False) -> None:
    """Raise ``ApiError`` as Discord would for a message create or edit body that breaks a limit."""
    form = errors.FormErrors()
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        form.add(("content",), "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_MAX} or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        form.add(("embeds",), "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        total += _check_embed(form, index, embed)
    if total > EMBED_TOTAL_MAX:
        form.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")
    _check_components(form, body.get("components") or [], int(body.get("flags") or 0))
    form.raise_if_any()
    if not is_edit and not (
        content or embeds or body.get("components") or has_files or body.get("sticker_ids") or body.get("poll")
    ):
        raise errors.empty_message()


def _check_embed(form: errors.FormErrors, index: int, embed: JSON) -> int:
    size = 0
    for key, limit in EMBED_LIMITS.items():
        text = embed.get(key) or ""
        size += len(text)
        if len(text) > limit:
            form.add(("embeds", index, key), "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_MAX:
        form.add(("embeds", index, "fields"), "BASE_TYPE_MAX_LENGTH", f"Must be {FIELDS_MAX} or fewer in length.")
    for f_index, field in enumerate(fields):
        for key, limit in (("name", FIELD_NAME_MAX), ("value", FIELD_VALUE_MAX)):
            text = str(field.get(key) or "")
            size += len(text)
            if not text:
                form.add(("embeds", index, "fields", f_index, key), "BASE_TYPE_REQUIRED", "This field is required")
            elif len(text) > limit:
                form.add(
                    ("embeds", index, "fields", f_index, key),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
    footer = (embed.get("footer") or {}).get("text") or ""
    size += len(footer)
    if len(footer) > FOOTER_MAX:
        form.add(("embeds", index, "footer", "text"), "BASE_TYPE_MAX_LENGTH", f"Must be {FOOTER_MAX} or fewer.")
    author = (embed.get("author") or {}).get("name") or ""
    size += len(author)
    if len(author) > AUTHOR_NAME_MAX:
        form.add(("embeds", index, "author", "name"), "BASE_TYPE_MAX_LENGTH", f"Must be {AUTHOR_NAME_MAX} or fewer.")
    return size


def _check_components(form: errors.FormErrors, components: list[JSON], flags: int) -> None:
    if not flags & IS_COMPONENTS_V2:
        if len(components) > ACTION_ROWS_MAX:
            form.add(("components",), "BASE_TYPE_MAX_LENGTH", f"Must be {ACTION_ROWS_MAX} or fewer in length.")
        for index, row in enumerate(components):
            if row.get("type") == 1 and len(row.get("components", [])) > ROW_ITEMS_MAX:
                form.add(
                    ("components", index, "components"),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {ROW_ITEMS_MAX} or fewer in length.",
                )
    seen: set[str] = set()
    for component in iter_components(components):
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
                form.add(("components",), "BASE_TYPE_BAD_LENGTH", f"custom_id must be 1 to {CUSTOM_ID_MAX} long.")
            if custom_id in seen:
                form.add(("components",), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
            seen.add(custom_id)
        label = component.get("label")
        if component.get("type") == 2 and isinstance(label, str) and len(label) > BUTTON_LABEL_MAX:
            form.add(("components",), "BASE_TYPE_MAX_LENGTH", f"Button label must be {BUTTON_LABEL_MAX} or fewer.")


def check_autocomplete_choices(data: JSON) -> list[JSON]:
    """Validate an autocomplete result (callback type 8) and return its choices."""
    choices: list[JSON] = list(data.get("choices") or [])
    form = errors.FormErrors()
    if len(choices) > CHOICES_MAX:
        form.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", f"Must be {CHOICES_MAX} or fewer in length.")
    for index, choice in enumerate(choices):
        name = str(choice.get("name", ""))
        if not 1 <= len(name) <= CHOICE_NAME_MAX:
            form.add(
                ("data", "choices", index, "name"),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {CHOICE_NAME_MAX} in length.",
            )
        value: Any = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_NAME_MAX:
            form.add(
                ("data", "choices", index, "value"),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {CHOICE_NAME_MAX} or fewer in length.",
            )
    form.raise_if_any()
    return choices


def check_modal(data: JSON) -> None:
    form = errors.FormErrors()
    title = str(data.get("title", ""))
    if not 1 <= len(title) <= MODAL_TITLE_MAX:
        form.add(("data", "title"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MODAL_TITLE_MAX} in length.")
    custom_id = str(data.get("custom_id", ""))
    if not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        form.add(("data", "custom_id"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {CUSTOM_ID_MAX} in length.")
    if not 1 <= len(data.get("components") or []) <= ACTION_ROWS_MAX:
        form.add(("data", "components"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {ACTION_ROWS_MAX} in length.")
    form.raise_if_any()
