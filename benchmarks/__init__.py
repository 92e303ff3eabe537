"""mlday's benchmark: grading throughput, overhead, memory and check() latency, side by
side with nbgrader on the same notebooks. Run it with ``make bench`` or
``python benchmarks/run.py --help``; it is not part of the test suite."""


class BenchError(RuntimeError):
    """A benchmark step that cannot go on; ``run.py`` prints it as one line."""
