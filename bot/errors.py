"""The errors whose message is meant for a person, as it is.

:class:`Refusal` is a request the core understood and declined; every adapter shows it as it is.

Its message is a sentence for the person who asked ("There is no session 'x'; pick one from the list."); nothing
was changed. Anything else that goes wrong is logged by the adapter and answered with a short apology.
:class:`StartupError` stops ``chairbot run`` with what to fix.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request declined by a rule; nothing was changed. ``str(refusal)`` is meant for the requester."""


class StartupError(Exception):
    """The bot cannot start; the message says what to fix."""
