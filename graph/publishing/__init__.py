"""What civicgraph publishes: the service description, VoID, dumps, pages and search."""
