"""One parser per publisher format; each exposes ``parse(...) -> ParseReport``."""
