"""Data bundled with civicgraph: the example dataset and the script that writes it."""
