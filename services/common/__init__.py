"""What every service shares: contracts, topic registry, Kafka helpers, settings, logging, HTTP helpers."""
