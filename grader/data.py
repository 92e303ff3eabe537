"""Load the workbook's data: the public files in ``datasets/``, and, for the trusted
grading process only, the hidden files in ``solutions/data/``.

Each call returns a fresh copy, so a caller can change it freely.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ._errors import MldayError
from ._paths import datasets_dir, project_root

__all__ = ["load_transactions", "load_prediction_log", "data_path"]


def data_path(name: str, *, hidden: bool = False) -> Path:
    """The path of a data file: public (``datasets/``) or hidden (``solutions/data/``)."""
    folder = project_root() / "solutions" / "data" if hidden else datasets_dir()
    path = folder / name
    if not path.is_file():
        where = "hidden data (instructors only)" if hidden else "datasets"
        raise MldayError(f"the data file {name} is missing from the {where} folder {folder}")
    return path


@functools.cache
def _read_parquet(path: Path):
    import pandas as pd

    return pd.read_parquet(path)


def load_transactions(*, hidden: bool = False):
    """The synthetic card transactions, with fraud labels and label arrival times."""
    return _read_parquet(data_path("transactions.parquet", hidden=hidden)).copy()


def load_prediction_log(*, hidden: bool = False):
    """Yesterday's model's prediction log: transactions, the model's score, and the label
    where it has arrived (pandas ``Int64``, ``<NA>`` while unknown)."""
    return _read_parquet(data_path("prediction_log.parquet", hidden=hidden)).copy()
