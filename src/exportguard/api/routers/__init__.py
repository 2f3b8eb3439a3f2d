"""One router per API surface; each parses, calls the service and shapes the answer."""
