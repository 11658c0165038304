"""SQLAlchemy 2 + Alembic persistence, Redis/in-process bus and live state, calendar data."""
