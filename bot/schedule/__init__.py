"""The schedule: its model, the native document and the importers that produce it, validation with clear
errors, and the announcement plan. Pure: imports nothing from discord.py or aiohttp.
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
