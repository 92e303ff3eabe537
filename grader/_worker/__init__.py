"""The learner's side of the trust boundary: a process that runs one notebook.

It is started by exec (``python -I -m grader._worker``), never forked from the
process that holds the tests, and it holds no test, reference or result.
"""
