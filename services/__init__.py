"""Concerto's services: partners, events, matching, notifications, and what they share (common)."""
