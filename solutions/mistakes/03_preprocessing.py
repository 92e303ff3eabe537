"""Common mistakes in 03_preprocessing, and the tests that catch them."""

from grader.catalogue import Mistake

MISTAKES = [
    # --- clean ---------------------------------------------------------------------------
    Mistake(
        name="clean",
        title="drops the rows with missing values",
        test="test_clean_keeps_every_row",
        message="rows of the batch",
        code='''
import numpy as np
import pandas as pd

MISSING_TOKENS = {"", ".", "?", "na", "n/a", "nan", "null", "none"}


def clean(df):
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            continue
        if pd.api.types.is_numeric_dtype(s.dtype):
            out[col] = s.replace([np.inf, -np.inf], np.nan)
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.str.strip().str.lower()
            out[col] = text.mask(text.isin(MISSING_TOKENS))
    return out.dropna()
''',
    ),
    Mistake(
        name="clean",
        title="drops repeated rows",
        test="test_clean_keeps_every_row",
        message="rows of the batch",
        code='''
import numpy as np
import pandas as pd

MISSING_TOKENS = {"", ".", "?", "na", "n/a", "nan", "null", "none"}


def clean(df):
    out = df.drop_duplicates().copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            continue
        if pd.api.types.is_numeric_dtype(s.dtype):
            out[col] = s.replace([np.inf, -np.inf], np.nan)
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.str.strip().str.lower()
            out[col] = text.mask(text.isin(MISSING_TOKENS))
    return out
''',
    ),
    Mistake(
        name="clean",
        title="placeholders such as '.' and 'n/a' stay as categories",
        test="test_clean_hand_built",
        message="column 'channel'",
        code='''
import numpy as np
import pandas as pd

MISSING_TOKENS = {"", ".", "?", "na", "n/a", "nan", "null", "none"}


def clean(df):
    out = df.copy()
    for col in out.select_dtypes(include="number").columns:
        out[col] = out[col].replace([np.inf, -np.inf], np.nan)
    for col in out.select_dtypes(include=["object", "string"]).columns:
        out[col] = out[col].str.strip().str.lower()
    return out
''',
    ),
    # --- stratified_split ----------------------------------------------------------------
    Mistake(
        name="stratified_split",
        title="a plain random split, not stratified",
        test="test_stratified_split_keeps_fraud_rate",
        message="not stratified",
        code='''
from sklearn.model_selection import train_test_split


def stratified_split(df, target, test_size, random_state):
    train_df, test_df = train_test_split(df, test_size=test_size, random_state=random_state)
    return train_df, test_df
''',
    ),
    Mistake(
        name="stratified_split",
        title="random_state ignored (a fixed seed)",
        test="test_stratified_split_is_seeded",
        message="random_state",
        code='''
from sklearn.model_selection import train_test_split


def stratified_split(df, target, test_size, random_state):
    return train_test_split(df, test_size=test_size, stratify=df[target], random_state=42)
''',
    ),
    # --- temporal_split ------------------------------------------------------------------
    Mistake(
        name="temporal_split",
        title="rows at the cutoff go to the training set (<=)",
        test="test_temporal_split_hand_built",
        message="at or after the cutoff",
        code='''
def temporal_split(df, time_col, cutoff):
    return df[df[time_col] <= cutoff], df[df[time_col] > cutoff]
''',
    ),
    Mistake(
        name="temporal_split",
        title="cuts by position, assuming the rows are sorted by time",
        test="test_temporal_split_hand_built",
        message="before the cutoff",
        code='''
def temporal_split(df, time_col, cutoff):
    first_test = int((df[time_col] >= cutoff).to_numpy().argmax())
    return df.iloc[:first_test], df.iloc[first_test:]
''',
    ),
    Mistake(
        name="temporal_split",
        title="a random split of time-ordered data: the time ranges overlap",
        test="test_temporal_split_penguin_years",
        message="at or after the cutoff",
        code='''
from sklearn.model_selection import train_test_split


def temporal_split(df, time_col, cutoff):
    share_after = float((df[time_col] >= cutoff).mean())
    return train_test_split(df, test_size=share_after, random_state=0)
''',
    ),
    # --- build_preprocessor --------------------------------------------------------------
    Mistake(
        name="build_preprocessor",
        title="the encoder raises on an unseen category",
        test="test_build_preprocessor_hand_built",
        message="unknown categories",
        code='''
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_preprocessor(numeric, categorical):
    preprocessor = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric)),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False)),
             list(categorical)),
        ],
        verbose_feature_names_out=False,
    )
    return preprocessor.set_output(transform="pandas")
''',
    ),
    Mistake(
        name="build_preprocessor",
        title="no pandas output: transform returns a numpy array",
        test="test_build_preprocessor_hand_built",
        message="expected a DataFrame",
        code='''
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_preprocessor(numeric, categorical):
    return ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric)),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore", sparse_output=False)), list(categorical)),
        ],
        verbose_feature_names_out=False,
    )
''',
    ),
    Mistake(
        name="build_preprocessor",
        title="fitted on all the penguins before it is returned",
        test="test_build_preprocessor_is_unfitted_column_transformer",
        message="already fitted",
        code='''
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_preprocessor(numeric, categorical):
    preprocessor = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric)),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore", sparse_output=False)), list(categorical)),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return preprocessor.fit(penguins)
''',
    ),
    Mistake(
        name="build_preprocessor",
        title="missing numbers imputed with the mean, not the median",
        test="test_build_preprocessor_hand_built",
        message="column 'x'",
        code='''
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_preprocessor(numeric, categorical):
    preprocessor = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), list(numeric)),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore", sparse_output=False)), list(categorical)),
        ],
        verbose_feature_names_out=False,
    )
    return preprocessor.set_output(transform="pandas")
''',
    ),
    # --- fit_on_train --------------------------------------------------------------------
    Mistake(
        name="fit_on_train",
        title="the preprocessor is fitted on train and test together (all rows)",
        test="test_fit_on_train_uses_training_statistics_only",
        message="learned its statistics from rows outside train_df",
        code='''
import pandas as pd


def fit_on_train(train_df, test_df, numeric, categorical):
    preprocessor = build_preprocessor(numeric, categorical)
    preprocessor.fit(pd.concat([train_df, test_df]))
    return preprocessor.transform(train_df), preprocessor.transform(test_df), preprocessor
''',
    ),
    Mistake(
        name="fit_on_train",
        title="the preprocessor is fitted again on the test set",
        test="test_fit_on_train_uses_training_statistics_only",
        message="X_test",
        code='''
def fit_on_train(train_df, test_df, numeric, categorical):
    preprocessor = build_preprocessor(numeric, categorical)
    X_train = preprocessor.fit_transform(train_df)
    X_test = preprocessor.fit_transform(test_df)
    return X_train, X_test, preprocessor
''',
    ),
    Mistake(
        name="fit_on_train",
        title="the imputer's medians come from all rows (the scaler's statistics from train)",
        test="test_fit_on_train_hidden_drift",
        message="X_train: column 'amount'",
        code='''
import pandas as pd
from sklearn.impute import SimpleImputer


def fit_on_train(train_df, test_df, numeric, categorical):
    medians = SimpleImputer(strategy="median").set_output(transform="pandas")
    medians.fit(pd.concat([train_df, test_df])[list(numeric)])
    train_df, test_df = train_df.copy(), test_df.copy()
    train_df[list(numeric)] = medians.transform(train_df[list(numeric)])
    test_df[list(numeric)] = medians.transform(test_df[list(numeric)])
    preprocessor = build_preprocessor(numeric, categorical).fit(train_df)
    return preprocessor.transform(train_df), preprocessor.transform(test_df), preprocessor
''',
    ),
    Mistake(
        name="fit_on_train",
        title="returns a fresh, unfitted preprocessor",
        test="test_fit_on_train_hand_built",
        message="not fitted",
        code='''
def fit_on_train(train_df, test_df, numeric, categorical):
    fitted = build_preprocessor(numeric, categorical).fit(train_df)
    return fitted.transform(train_df), fitted.transform(test_df), build_preprocessor(numeric, categorical)
''',
    ),
]
