"""The web service: Concerto's pages for people and staff, server-rendered (docs/web.md)."""
