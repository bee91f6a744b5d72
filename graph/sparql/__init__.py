"""SPARQL: what a request may do, result formats, and the update guard."""
