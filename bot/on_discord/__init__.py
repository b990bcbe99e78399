"""The Discord adapter: cogs that turn slash commands and button clicks into service calls, and service results
into messages. Business rules live in the services (``bot.qa``, ``bot.schedule``), never here; permission
checks happen here, on every action.
"""
