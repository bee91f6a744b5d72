"""Sample data: the bundled example dataset and the synthetic generator for benchmarks."""
