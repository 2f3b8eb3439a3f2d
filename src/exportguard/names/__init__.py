"""Name normalisation, the candidate index and the explainable scorer."""
