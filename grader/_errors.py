"""The error a user (not the grader) caused: shown as one line, with a non-zero exit."""


class MldayError(Exception):
    """Bad input or a bad setup, explained in one line."""
