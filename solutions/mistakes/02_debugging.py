"""Common mistakes of exercise 02, each caught by the test it names."""

from grader.catalogue import Mistake

_VALIDATE_HEAD = '''
import pandas as pd


def validate_batch(df, schema):
    """Every way ``df`` breaks ``schema``: one line "<column>: <check>: <details>" per problem."""
'''

_VALIDATE_CHECKS = '''
        n_missing = int(s.isna().sum())
        if n_missing and not spec.get("nullable", False):
            problems.append(f"{column}: null: {n_missing} missing values")
        values = s.dropna()
        if "allowed" in spec and (~values.isin(spec["allowed"])).any():
            problems.append(f"{column}: allowed: values not in {spec['allowed']}")
        low, high = spec.get("min", -float("inf")), spec.get("max", float("inf"))
        if "min" in spec or "max" in spec:
            if ((values < low) | (values > high)).any():
                problems.append(f"{column}: range: values outside [{low}, {high}]")
        if spec.get("unique") and values.duplicated().any():
            problems.append(f"{column}: unique: repeated values")
    for column in df.columns:
        if column not in schema:
            problems.append(f"{column}: unexpected: not in the schema")
    return problems
'''


def _validate(dtype_check: str, before_checks: str = "") -> str:
    """A validate_batch whose dtype test is ``dtype_check`` (an expression of s and spec)."""
    return _VALIDATE_HEAD + f'''
    problems = []
    for column, spec in schema.items():
        if column not in df.columns:
            problems.append(f"{{column}}: missing: no such column")
            continue
        s = df[column]{before_checks}
        if not ({dtype_check}):
            problems.append(f"{{column}}: dtype: expected {{spec['dtype']}}, got {{s.dtype}}")
            continue''' + _VALIDATE_CHECKS


_GOOD_DTYPE = (
    '{"int": pd.api.types.is_integer_dtype, "float": pd.api.types.is_numeric_dtype, '
    '"str": pd.api.types.is_string_dtype, "datetime": pd.api.types.is_datetime64_any_dtype}[spec["dtype"]](s)'
)

MISTAKES = [
    # --- validate_batch -------------------------------------------------------------
    Mistake(
        name="validate_batch",
        title="converts numeric columns with errors='coerce' before checking them",
        test="test_text_numbers_are_a_dtype_problem",
        message="missing: [('amount', 'dtype')",
        code=_validate(
            _GOOD_DTYPE,
            before_checks='''
        if spec["dtype"] in ("int", "float"):
            s = pd.to_numeric(s, errors="coerce")  # "12,50" becomes NaN, "41234" a number''',
        ),
    ),
    Mistake(
        name="validate_batch",
        title="one line per bad value instead of one per (column, check)",
        test="test_one_line_per_column_and_check",
        message="expected one line per (column, check)",
        code=_VALIDATE_HEAD
        + '''
    problems = []
    for column, spec in schema.items():
        if column not in df.columns:
            problems.append(f"{column}: missing: no such column")
            continue
        s = df[column]
        if not ''' + _GOOD_DTYPE + ''':
            problems.append(f"{column}: dtype: got {s.dtype}")
            continue
        for index, value in s.items():
            if pd.isna(value):
                if not spec.get("nullable", False):
                    problems.append(f"{column}: null: row {index}")
                continue
            if "allowed" in spec and value not in spec["allowed"]:
                problems.append(f"{column}: allowed: row {index} has {value!r}")
            if ("min" in spec and value < spec["min"]) or ("max" in spec and value > spec["max"]):
                problems.append(f"{column}: range: row {index} has {value!r}")
        if spec.get("unique"):
            for index in s[s.duplicated()].index:
                problems.append(f"{column}: unique: row {index} repeats {s[index]!r}")
    for column in df.columns:
        if column not in schema:
            problems.append(f"{column}: unexpected: not in the schema")
    return problems
''',
    ),
    Mistake(
        name="validate_batch",
        title="tests text columns with dtype == object (pandas 3 reads text as 'str')",
        test="test_clean_data_has_no_problems",
        message="('channel', 'dtype')",
        code=_validate(_GOOD_DTYPE.replace('"str": pd.api.types.is_string_dtype', '"str": lambda s: s.dtype == object')),
    ),
    Mistake(
        name="validate_batch",
        title="a 'float' column rejects integers, so the cents are a dtype problem",
        test="test_finds_last_nights_problems",
        message="not expected: [('amount', 'dtype')]",
        code=_validate(_GOOD_DTYPE.replace('"float": pd.api.types.is_numeric_dtype', '"float": pd.api.types.is_float_dtype')),
    ),
    # --- detect_unit_change ---------------------------------------------------------
    Mistake(
        name="detect_unit_change",
        title="compares means, which a few extreme rows move",
        test="test_a_few_extreme_rows_are_not_a_unit_change",
        # a hidden test: its message names the value, not the value
        message="a batch with 4% of its amounts x1000, ['amount'])['amount']",
        code='''
def detect_unit_change(reference, batch, columns):
    """{column: True if the mean of batch[column] is >= 10x or <= 0.1x that of reference[column]}."""
    flags = {}
    for column in columns:
        ratio = batch[column].mean() / reference[column].mean()
        flags[column] = bool(ratio >= 10 or ratio <= 0.1)
    return flags
''',
    ),
    Mistake(
        name="detect_unit_change",
        title="numpy's median of a column with missing values is NaN: the cents are missed",
        test="test_hidden_unit_changes",
        message="amount in cents with 5% missing",
        code='''
import numpy as np


def detect_unit_change(reference, batch, columns):
    """{column: True if the median of batch[column] is >= 10x or <= 0.1x that of reference[column]}."""
    flags = {}
    for column in columns:
        ratio = np.median(batch[column].to_numpy()) / np.median(reference[column].dropna().to_numpy())
        flags[column] = bool(ratio >= 10 or ratio <= 0.1)
    return flags
''',
    ),
    Mistake(
        name="detect_unit_change",
        title="flags only values that grew (misses a change from cents to euros)",
        test="test_flags_powers_of_ten_both_ways",
        message="['down']: expected True, got False",
        code='''
def detect_unit_change(reference, batch, columns):
    """{column: True if the median of batch[column] is >= 10x that of reference[column]}."""
    return {column: bool(batch[column].median() / reference[column].median() >= 10) for column in columns}
''',
    ),
    Mistake(
        name="detect_unit_change",
        title="a two-sample KS test, which flags real drift as a unit change",
        test="test_real_drift_is_not_a_unit_change",
        message="expected False, got True",
        code='''
from scipy import stats


def detect_unit_change(reference, batch, columns):
    """{column: True if the distributions differ (KS test)}."""
    return {
        column: bool(stats.ks_2samp(reference[column].dropna(), batch[column].dropna()).pvalue < 0.01)
        for column in columns
    }
''',
    ),
    # --- parse_decimal_commas -------------------------------------------------------
    Mistake(
        name="parse_decimal_commas",
        title="pd.to_numeric(errors='coerce'): 1.234,50 silently becomes NaN",
        test="test_parses_decimal_commas",
        message="['1.234,50']; expected [1234.5]",
        code='''
import re

import numpy as np
import pandas as pd


def parse_decimal_commas(values):
    """Text such as "1.234,50" as floats; ValueError naming every value that is not such text."""
    return pd.to_numeric(values.str.strip().str.replace(",", ".", regex=False), errors="coerce")
''',
    ),
    Mistake(
        name="parse_decimal_commas",
        title="converts without checking the format: 12.50 becomes 1250",
        test="test_rejects_what_it_cannot_read",
        message="does not name ['12.50', '1,2,3']",
        code='''
import re

import numpy as np
import pandas as pd


def parse_decimal_commas(values):
    """Text such as "1.234,50" as floats; ValueError naming every value that is not such text."""
    text = values.str.strip().str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return text.astype(float)
''',
    ),
    # --- align_features -------------------------------------------------------------
    Mistake(
        name="align_features",
        title="takes the first columns by position and renames them",
        test="test_predictions_do_not_depend_on_column_order",
        message="the model's predictions change when the columns are permuted",
        code='''
def align_features(X, feature_names):
    """The columns feature_names of X, by name and in that order; KeyError naming every missing one."""
    missing = [name for name in feature_names if name not in X.columns]
    if missing:
        raise KeyError(f"missing features: {missing}")
    out = X.iloc[:, : len(feature_names)].copy()
    out.columns = list(feature_names)
    return out
''',
    ),
    Mistake(
        name="align_features",
        title="reindex() fills the missing features with NaN instead of failing",
        test="test_names_every_missing_column",
        message="expected it to raise",
        code='''
def align_features(X, feature_names):
    """The columns feature_names of X, by name and in that order; KeyError naming every missing one."""
    return X.reindex(columns=feature_names)
''',
    ),
    # --- train_test_overlap ---------------------------------------------------------
    Mistake(
        name="train_test_overlap",
        title="counts the rows of a merge, which multiplies repeated keys",
        test="test_counts_test_rows",
        message="expected 4, got 7",
        code='''
import pandas as pd


def train_test_overlap(train, test, keys):
    """How many rows of test have a key (the values of the columns keys) that some row of train has."""
    return len(test[keys].merge(train[keys], on=keys))
''',
    ),
    Mistake(
        name="train_test_overlap",
        title="matches whole rows, so the replayed rows in cents are not found",
        test="test_compares_only_the_keys",
        message="expected 1, got 0",
        code='''
import pandas as pd


def train_test_overlap(train, test, keys):
    """How many rows of test have a key (the values of the columns keys) that some row of train has."""
    return len(test.merge(train.drop_duplicates(), how="inner"))
''',
    ),
]
