"""The store: screenings, decisions, review cases, licences, users and the audit log.

SQLAlchemy 2 over SQLite (default, zero set-up) or PostgreSQL (by URL); the
schema is managed by Alembic migrations shipped in ``store/migrations``. The
rest of the package never knows which database is behind :mod:`.db`.
"""
