"""One module per page of the web UI; each exposes an ``APIRouter`` named ``router``."""
