"""Notifications service: bilingual emails to everyone involved, from topic events."""
