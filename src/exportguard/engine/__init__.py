"""The decision engine: a pure function of (shipment, policy, list snapshot)."""
