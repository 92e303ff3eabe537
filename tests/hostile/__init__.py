"""Hostile submissions: attacks on the grader, each with its exact, safe outcome."""
