"""Application services: one call per user intention, one transaction per call."""
