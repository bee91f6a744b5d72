"""Privacy: which graphs the public reads, the consented public view of persons, erasure."""
