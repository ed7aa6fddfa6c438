"""The service database's migrations (alembic): one history for every backend.

``grader.service.store.migrate`` runs them to the newest before the service
starts, so that a newer grader upgrades a course's database in place.
"""
