"""The console adapter: ``chairbot rehearse`` prints every message the bot would post, on a fast clock, through
the real core (its :class:`~bot.console.rehearse.ConsolePublisher` is the core's publisher)."""
