"""Partners service: the registry of the organizations of the regionalization network."""
