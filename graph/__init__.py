"""civicgraph's core: the store, loading and validation, the query catalogue, publishing.

This package never imports FastAPI and never reads the environment: configuration is read
once at the edge (``api.settings``) and passed down as arguments.
"""
