"""Renderers: each formats one output from the results model."""
