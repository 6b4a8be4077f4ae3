"""Alembic migrations for the tracker's schema: ``env.py``, ``script.py.mako`` and ``versions/``.

``tracker init-db`` runs them (see :func:`tracker.db.upgrade_database`); developers write new ones
with ``alembic revision --autogenerate -m "..."`` from the repository root (``pyproject.toml`` holds
the ``[tool.alembic]`` settings), then read and edit the result.
"""
