"""The Discord adapter: a thin ``commands.Bot`` (``client``) that loads one extension per feature (``attendees``,
``moderators``, ``schedule``, ``organizers``, ``reminders``), each a cog that receives the application core and
translates slash commands and clicks into its methods; the core's ports for Discord (``publisher``,
``events_tab``); one reply path (``replies``), one role check and channel lookup (``access``), one session
argument (``transformers``), the gateway's flow control (``gate``) and ``preflight``.

Business rules live in the core (:mod:`bot.chair`), never here; permission checks happen here, on every action.
"""
