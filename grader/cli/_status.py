"""Exit codes of the mlday command."""

SUCCESS = 0
FAILURE = 1  # tests failed, validation failed, release out of sync
USAGE_ERROR = 2
BAD_INPUT = 3  # a notebook or an argument that cannot be used
INTERNAL_ERROR = 70  # the grader's own fault
INTERRUPTED = 130
