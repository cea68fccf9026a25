"""A demo season of Concerto: a seeded generator of realistic request bodies, and a loader that posts
them through the public APIs (``python -m tools.season generate`` / ``load``; docs/demo-season.md)."""
