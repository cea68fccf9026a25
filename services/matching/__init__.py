"""Matching service: intake of people's interest, cases, and referrals."""
