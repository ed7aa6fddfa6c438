"""Each revision of the service database, in order."""
