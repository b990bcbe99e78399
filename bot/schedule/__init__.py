"""The schedule: its model, the native document and the importers that produce it, validation with clear
errors, the announcement plan, and the organizers' changes on the day (``override_store`` keeps them). Nothing from
discord.py or aiohttp: ``source`` downloads a schedule through the :class:`~bot.ports.ScheduleFetcher` port.
"""

from bot.schedule.errors import Problem, ScheduleError, UsageError
from bot.schedule.model import Event, Kind, Links, Poster, Schedule, Session, Speaker

__all__ = [
    "Event",
    "Kind",
    "Links",
    "Poster",
    "Problem",
    "Schedule",
    "ScheduleError",
    "Session",
    "Speaker",
    "UsageError",
]
