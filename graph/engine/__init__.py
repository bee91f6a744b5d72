"""The query engine of the service: workers, snapshots, kept answers and page lookups."""
