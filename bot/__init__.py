"""Telegram adapter: translates updates into calls on ``storage.core.Core`` and renders replies.

No rules live here: who may do what, scopes, limits and persistence are the core's job.
"""
