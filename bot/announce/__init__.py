"""Posting things at their time: the outbox that remembers every scheduled post in SQLite (planned, sent with
its message id, late, skipped), and the announcer that runs them with APScheduler. Pure of Discord: the bot
hands the announcer a function that posts one item."""
