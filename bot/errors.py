"""The one error every adapter shows as it is: :class:`Refusal`, a request the core understood and declined.

Its message is a sentence for the person who asked ("There is no session 'x'; pick one from the list."); nothing
was changed. Anything else that goes wrong is logged by the adapter and answered with a short apology.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request declined by a rule; nothing was changed. ``str(refusal)`` is meant for the requester."""
