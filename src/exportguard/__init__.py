"""exportguard: export-control screening of parties, items, routes and policy.

The Python API mirrors the command line; see :mod:`exportguard.service`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
