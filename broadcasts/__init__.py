"""Staff broadcasts through a database outbox, read receipts, law-draft consultations and reminders.

Domain code only: nothing here imports Telegram except ``bot_handlers`` and ``telegram_adapter``.
"""
