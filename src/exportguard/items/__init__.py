"""Item classification: military, dual-use, CHPL tier, spec thresholds, disguise."""
