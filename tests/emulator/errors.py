"""Discord's JSON error responses, raised by the emulator's handlers and rendered by one middleware.

Each constructor below mirrors a real Discord error (status, numeric ``code``, ``message``) so the client library
takes the same path it would in production: ``NotFound``, ``Forbidden``, ``HTTPException`` with ``code`` set.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response: HTTP ``status`` with Discord's ``{"code", "message", "errors"?}`` body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def not_found(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def unknown_channel() -> ApiError:
    return not_found("Channel", 10003)


def unknown_guild() -> ApiError:
    return not_found("Guild", 10004)


def unknown_member() -> ApiError:
    return not_found("Member", 10007)


def unknown_message() -> ApiError:
    return not_found("Message", 10008)


def unknown_role() -> ApiError:
    return not_found("Role", 10011)


def unknown_user() -> ApiError:
    return not_found("User", 10013)


def unknown_webhook() -> ApiError:
    return not_found("Webhook", 10015)


def unknown_command() -> ApiError:
    return not_found("application command", 10063)


def unknown_interaction() -> ApiError:
    return not_found("interaction", 10062)


def unknown_scheduled_event() -> ApiError:
    return not_found("Guild Scheduled Event", 10070)


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


def cannot_dm_user() -> ApiError:
    return ApiError(403, 50007, "Cannot send messages to this user")


def opening_dms_too_fast() -> ApiError:
    # Discord's anti-spam answer to a bot that opens direct messages with many members in a short time.
    return ApiError(403, 40003, "You are opening direct messages too fast.")


def too_many_scheduled_events(limit: int) -> ApiError:
    return ApiError(400, 30038, f"Maximum number of uncompleted guild scheduled events reached ({limit})")


def cannot_edit_others_message() -> ApiError:
    return ApiError(403, 50005, "Cannot edit a message authored by another user")


def empty_message() -> ApiError:
    return ApiError(400, 50006, "Cannot send an empty message")


def already_acknowledged() -> ApiError:
    return ApiError(400, 40060, "Interaction has already been acknowledged.")


def unauthorized() -> ApiError:
    return ApiError(401, 0, "401: Unauthorized")


class FormErrors:
    """Collects field errors into Discord's nested ``Invalid Form Body`` shape (code 50035).

    A path such as ``("embeds", 0, "title")`` becomes ``{"embeds": {"0": {"title": {"_errors": [...]}}}}``, which
    discord.py flattens back to ``In embeds.0.title: ...`` in its exception text.
    """

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(400, 50035, "Invalid Form Body", self.errors)
