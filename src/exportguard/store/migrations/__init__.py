"""Alembic migrations of the store (shipped as package data, run by ``upgrade_to_head``)."""
