"""The write path: reading, bounding, validating and importing RDF files and spreadsheets."""
