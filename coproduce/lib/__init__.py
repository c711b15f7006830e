"""Small plain helpers with no domain knowledge."""
