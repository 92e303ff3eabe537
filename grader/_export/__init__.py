"""``mlday export``: package the workbook for another grading platform.

:mod:`.gradescope` builds the autograder zip; :mod:`.submission` runs inside it, on
Gradescope, and turns one submission's results into the one ``results.json``
Gradescope reads. ``setup.sh`` and ``run_autograder`` are the zip's two scripts.
"""
