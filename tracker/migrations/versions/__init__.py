"""One module per Alembic revision, oldest first by date in the file name."""
