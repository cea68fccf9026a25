"""Developer tools: the local stack (broker, SMTP sink, processes) and the demo scenario."""
