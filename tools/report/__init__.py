"""The demo's report: what the services hold after a season, compared with the alternatives, written out."""
