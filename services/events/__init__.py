"""Events service: the coordinated calendar of recruitment activities in Montréal."""
