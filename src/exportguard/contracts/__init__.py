"""Stable data contracts (pydantic v2): the shipment the engine screens and the decision it returns.

These models are the public shape of the CLI's ``--json`` output and, later, of
the HTTP API and its OpenAPI document: change them only by adding fields.
"""

from exportguard.contracts.decision import (
    Decision,
    DecisionKind,
    Finding,
    ListRef,
    PartyMatchOut,
    PolicyRef,
    Severity,
)
from exportguard.contracts.shipment import (
    Exporter,
    Item,
    LicenceRef,
    Party,
    PartyRole,
    PartyType,
    Route,
    Shipment,
    format_validation_error,
    parse_shipment,
)

__all__ = [
    "Decision",
    "DecisionKind",
    "Exporter",
    "Finding",
    "Item",
    "LicenceRef",
    "ListRef",
    "Party",
    "PartyMatchOut",
    "PartyRole",
    "PartyType",
    "PolicyRef",
    "Route",
    "Severity",
    "Shipment",
    "format_validation_error",
    "parse_shipment",
]
