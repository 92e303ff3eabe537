"""Common mistakes in exercise 08, drift and retraining, and the tests that catch them."""

from grader.catalogue import Mistake

MISTAKES = [
    # -- psi -------------------------------------------------------------------------------------
    Mistake(
        name="psi",
        title="no eps: an empty bin makes PSI infinite",
        test="test_psi_hand_built",
        message="current all in the top bin",
        code='''
        import numpy as np


        def psi(reference, current, bins=10, eps=1e-4):
            reference = np.asarray(reference, dtype="float64")
            current = np.asarray(current, dtype="float64")
            edges = np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1])
            r = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=bins) / len(reference)
            c = np.bincount(np.searchsorted(edges, current, side="right"), minlength=bins) / len(current)
            return float(np.sum((c - r) * np.log(c / r)))
        ''',
    ),
    Mistake(
        name="psi",
        title="bins cut at each sample's own quantiles: any shift gives PSI 0",
        test="test_psi_shifted_copy",
        message="shifted by 50",
        code='''
        import numpy as np
        import pandas as pd


        def psi(reference, current, bins=10, eps=1e-4):
            r = pd.qcut(pd.Series(reference), bins, duplicates="drop").value_counts(normalize=True, sort=False)
            c = pd.qcut(pd.Series(current), bins, duplicates="drop").value_counts(normalize=True, sort=False)
            r, c = np.maximum(r.to_numpy(), eps), np.maximum(c.to_numpy(), eps)
            return float(np.sum((c - r) * np.log(c / r)))
        ''',
    ),
    Mistake(
        name="psi",
        title="outer bins closed at the reference's minimum and maximum",
        test="test_psi_hand_built",
        message="beyond the reference's range",
        code='''
        import numpy as np


        def psi(reference, current, bins=10, eps=1e-4):
            reference = np.asarray(reference, dtype="float64")
            current = np.asarray(current, dtype="float64")
            edges = np.quantile(reference, np.linspace(0, 1, bins + 1))
            r = np.histogram(reference, edges)[0] / len(reference)
            c = np.histogram(current, edges)[0] / len(current)
            r, c = np.maximum(r, eps), np.maximum(c, eps)
            return float(np.sum((c - r) * np.log(c / r)))
        ''',
    ),
    Mistake(
        name="psi",
        title="a value equal to an edge goes to the bin below (pd.cut's right=True)",
        test="test_psi_edges_belong_to_the_bin_above",
        message="all equal to the edge 3",
        code='''
        import numpy as np
        import pandas as pd


        def psi(reference, current, bins=10, eps=1e-4):
            edges = np.quantile(np.asarray(reference, dtype="float64"), np.linspace(0, 1, bins + 1)[1:-1])
            edges = np.concatenate([[-np.inf], edges, [np.inf]])
            r = pd.cut(pd.Series(reference, dtype="float64"), edges).value_counts(normalize=True, sort=False)
            c = pd.cut(pd.Series(current, dtype="float64"), edges).value_counts(normalize=True, sort=False)
            r, c = np.maximum(r.to_numpy(), eps), np.maximum(c.to_numpy(), eps)
            return float(np.sum((c - r) * np.log(c / r)))
        ''',
    ),
    # -- psi_categorical ---------------------------------------------------------------------------
    Mistake(
        name="psi_categorical",
        title="only the reference's categories: a new category is ignored",
        test="test_psi_categorical_hand_built",
        message="b gone, c new",
        code='''
        import numpy as np
        import pandas as pd


        def psi_categorical(reference, current, eps=1e-4):
            ref = pd.Series(np.asarray(reference)).value_counts(normalize=True)
            cur = pd.Series(np.asarray(current)).value_counts(normalize=True)
            total = 0.0
            for category, r in ref.items():
                c = max(float(cur.get(category, 0.0)), eps)
                total += (c - r) * np.log(c / r)
            return float(total)
        ''',
    ),
    # -- drift_test ---------------------------------------------------------------------------------
    Mistake(
        name="drift_test",
        title="Kolmogorov-Smirnov on every numeric sample, however large",
        test="test_drift_test_large_numeric",
        message="x 1.05",
        code='''
        import math

        import numpy as np
        import pandas as pd
        from scipy import stats
        from scipy.spatial import distance


        def drift_test(reference, current, kind, alpha=0.05):
            small = len(reference) <= 1000 and len(current) <= 1000
            if kind == "numeric":
                result = stats.ks_2samp(np.asarray(reference, dtype="float64"), np.asarray(current, dtype="float64"))
                p_value = float(result.pvalue)
                return {"method": "ks", "statistic": float(result.statistic), "p_value": p_value, "drift": p_value < alpha}
            ref = pd.Series(np.asarray(reference)).value_counts()
            cur = pd.Series(np.asarray(current)).value_counts()
            categories = ref.index.union(cur.index)
            ref = ref.reindex(categories, fill_value=0).to_numpy(dtype="float64")
            cur = cur.reindex(categories, fill_value=0).to_numpy(dtype="float64")
            if small:
                if len(categories) < 2:
                    return {"method": "chi2", "statistic": 0.0, "p_value": 1.0, "drift": False}
                result = stats.chi2_contingency(np.vstack([ref, cur]))
                p_value = float(result.pvalue)
                return {"method": "chi2", "statistic": float(result.statistic), "p_value": p_value, "drift": p_value < alpha}
            statistic = float(distance.jensenshannon(ref / ref.sum(), cur / cur.sum()))
            return {"method": "jensenshannon", "statistic": statistic, "p_value": math.nan, "drift": statistic >= 0.1}
        ''',
    ),
    Mistake(
        name="drift_test",
        title="chi-square on proportions instead of counts",
        test="test_drift_test_categorical",
        message="['statistic']",
        code='''
        import math

        import numpy as np
        import pandas as pd
        from scipy import stats
        from scipy.spatial import distance


        def drift_test(reference, current, kind, alpha=0.05):
            small = len(reference) <= 1000 and len(current) <= 1000
            if kind == "numeric":
                ref = np.asarray(reference, dtype="float64")
                cur = np.asarray(current, dtype="float64")
                if small:
                    result = stats.ks_2samp(ref, cur)
                    p_value = float(result.pvalue)
                    return {"method": "ks", "statistic": float(result.statistic), "p_value": p_value, "drift": p_value < alpha}
                statistic = float(stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001))
                return {"method": "wasserstein", "statistic": statistic, "p_value": math.nan, "drift": statistic >= 0.1}
            ref = pd.Series(np.asarray(reference)).value_counts(normalize=True)
            cur = pd.Series(np.asarray(current)).value_counts(normalize=True)
            categories = ref.index.union(cur.index)
            ref = ref.reindex(categories, fill_value=0).to_numpy(dtype="float64")
            cur = cur.reindex(categories, fill_value=0).to_numpy(dtype="float64")
            if small:
                if len(categories) < 2:
                    return {"method": "chi2", "statistic": 0.0, "p_value": 1.0, "drift": False}
                result = stats.chi2_contingency(np.vstack([ref, cur]))
                p_value = float(result.pvalue)
                return {"method": "chi2", "statistic": float(result.statistic), "p_value": p_value, "drift": p_value < alpha}
            statistic = float(distance.jensenshannon(ref, cur))
            return {"method": "jensenshannon", "statistic": statistic, "p_value": math.nan, "drift": statistic >= 0.1}
        ''',
    ),
    Mistake(
        name="drift_test",
        title="Wasserstein distance in euros, not divided by the reference's standard deviation",
        test="test_drift_test_sample_size_rule",
        message="shifted by 30",
        code='''
        import math

        import numpy as np
        import pandas as pd
        from scipy import stats
        from scipy.spatial import distance


        def drift_test(reference, current, kind, alpha=0.05):
            small = len(reference) <= 1000 and len(current) <= 1000
            if kind == "numeric":
                ref = np.asarray(reference, dtype="float64")
                cur = np.asarray(current, dtype="float64")
                if small:
                    result = stats.ks_2samp(ref, cur)
                    p_value = float(result.pvalue)
                    return {"method": "ks", "statistic": float(result.statistic), "p_value": p_value, "drift": p_value < alpha}
                statistic = float(stats.wasserstein_distance(ref, cur))
                return {"method": "wasserstein", "statistic": statistic, "p_value": math.nan, "drift": statistic >= 0.1}
            ref = pd.Series(np.asarray(reference)).value_counts()
            cur = pd.Series(np.asarray(current)).value_counts()
            categories = ref.index.union(cur.index)
            ref = ref.reindex(categories, fill_value=0).to_numpy(dtype="float64")
            cur = cur.reindex(categories, fill_value=0).to_numpy(dtype="float64")
            if small:
                if len(categories) < 2:
                    return {"method": "chi2", "statistic": 0.0, "p_value": 1.0, "drift": False}
                result = stats.chi2_contingency(np.vstack([ref, cur]))
                p_value = float(result.pvalue)
                return {"method": "chi2", "statistic": float(result.statistic), "p_value": p_value, "drift": p_value < alpha}
            statistic = float(distance.jensenshannon(ref / ref.sum(), cur / cur.sum()))
            return {"method": "jensenshannon", "statistic": statistic, "p_value": math.nan, "drift": statistic >= 0.1}
        ''',
    ),
    # -- drift_report -------------------------------------------------------------------------------
    Mistake(
        name="drift_report",
        title="no correction for multiple tests",
        test="test_drift_report_bonferroni",
        message="drift of 'merchant'",
        code='''
        import pandas as pd


        def drift_report(reference_df, current_df, alpha=0.05):
            rows = {}
            for column in reference_df.columns:
                values = reference_df[column]
                numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                kind = "numeric" if numeric else "categorical"
                rows[column] = {"kind": kind, **drift_test(values, current_df[column], kind, alpha=alpha)}
            report = pd.DataFrame.from_dict(rows, orient="index", columns=["kind", "method", "statistic", "p_value", "drift"])
            report.index.name = "feature"
            return report, bool(len(report) > 0 and report["drift"].astype(bool).mean() >= 0.5)
        ''',
    ),
    Mistake(
        name="drift_report",
        title="the data set drifts only when more than half of its columns do",
        test="test_drift_report_dataset_share",
        message="dataset_drift (1 column of 2)",
        code='''
        import pandas as pd


        def drift_report(reference_df, current_df, alpha=0.05):
            rows = {}
            for column in reference_df.columns:
                values = reference_df[column]
                numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                kind = "numeric" if numeric else "categorical"
                rows[column] = {"kind": kind, **drift_test(values, current_df[column], kind, alpha=alpha)}
            report = pd.DataFrame.from_dict(rows, orient="index", columns=["kind", "method", "statistic", "p_value", "drift"])
            report.index.name = "feature"
            report = report.astype({"statistic": "float64", "p_value": "float64", "drift": "bool"})
            tested = report["p_value"].notna()
            if tested.any():
                report.loc[tested, "drift"] = report.loc[tested, "p_value"] < alpha / int(tested.sum())
            return report, bool(report["drift"].sum() > len(report) / 2)
        ''',
    ),
    Mistake(
        name="drift_report",
        title="the data-set flag kept in report.attrs, and only the frame returned",
        test="test_drift_report_bonferroni",
        message="expected a tuple",
        code='''
        import pandas as pd


        def drift_report(reference_df, current_df, alpha=0.05):
            rows = {}
            for column in reference_df.columns:
                values = reference_df[column]
                numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                kind = "numeric" if numeric else "categorical"
                rows[column] = {"kind": kind, **drift_test(values, current_df[column], kind, alpha=alpha)}
            report = pd.DataFrame.from_dict(rows, orient="index", columns=["kind", "method", "statistic", "p_value", "drift"])
            report.index.name = "feature"
            report = report.astype({"statistic": "float64", "p_value": "float64", "drift": "bool"})
            tested = report["p_value"].notna()
            if tested.any():
                report.loc[tested, "drift"] = report.loc[tested, "p_value"] < alpha / int(tested.sum())
            report.attrs["dataset_drift"] = bool(len(report) > 0 and report["drift"].mean() >= 0.5)
            return report
        ''',
    ),
    # -- should_retrain -------------------------------------------------------------------------------
    Mistake(
        name="should_retrain",
        title="drift triggers a retraining even when measured performance holds",
        test="test_should_retrain_hand_built",
        message="half the features drift, AP 0.58",
        code='''
        import math


        def should_retrain(report, performance, policy):
            ap = performance["average_precision"]
            measured = performance["n_labelled"] >= policy["min_labelled"] and not math.isnan(ap)
            degraded = measured and ap < performance["baseline_average_precision"] * (1 - policy["max_relative_drop"])
            drifted = len(report) > 0 and report["drift"].astype(bool).mean() >= policy["drift_share"]
            return bool(degraded or drifted)
        ''',
    ),
    Mistake(
        name="should_retrain",
        title="a NaN average precision compared as a number: the drift is never consulted",
        test="test_should_retrain_hand_built",
        message="3000 labels but AP is NaN",
        code='''
        def should_retrain(report, performance, policy):
            if performance["n_labelled"] >= policy["min_labelled"]:
                bar = performance["baseline_average_precision"] * (1 - policy["max_relative_drop"])
                return bool(performance["average_precision"] < bar)
            if len(report) == 0:
                return False
            return bool(report["drift"].astype(bool).mean() >= policy["drift_share"])
        ''',
    ),
    # -- retrain ----------------------------------------------------------------------------------------
    Mistake(
        name="retrain",
        title="trains on labels that had not arrived by the cutoff",
        test="test_retrain_uses_only_known_labels",
        message="learned labels that were not known",
        code='''
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        FEATURES = ["amount", "hour", "channel", "merchant_category"]


        def retrain(df, cutoff, window_days=14):
            cutoff = pd.Timestamp(cutoff)
            rows = df[(df["timestamp"] >= cutoff - pd.Timedelta(days=window_days)) & (df["timestamp"] < cutoff)]
            model = Pipeline([
                ("preprocess", ColumnTransformer([
                    ("scale", StandardScaler(), ["amount", "hour"]),
                    ("onehot", OneHotEncoder(handle_unknown="ignore"), ["channel", "merchant_category"]),
                ])),
                ("classify", LogisticRegression(max_iter=1000)),
            ])
            return model.fit(rows[FEATURES], rows["is_fraud"])
        ''',
    ),
    Mistake(
        name="retrain",
        title="labels that had not arrived counted as genuine",
        test="test_retrain_hidden_unarrived_rows",
        message="had not arrived by the cutoff removed",
        code='''
        import numpy as np
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        FEATURES = ["amount", "hour", "channel", "merchant_category"]


        def retrain(df, cutoff, window_days=14):
            cutoff = pd.Timestamp(cutoff)
            rows = df[(df["timestamp"] >= cutoff - pd.Timedelta(days=window_days)) & (df["timestamp"] < cutoff)]
            known = rows["label_available_at"] <= cutoff
            y = np.where(known, rows["is_fraud"], 0)
            model = Pipeline([
                ("preprocess", ColumnTransformer([
                    ("scale", StandardScaler(), ["amount", "hour"]),
                    ("onehot", OneHotEncoder(handle_unknown="ignore"), ["channel", "merchant_category"]),
                ])),
                ("classify", LogisticRegression(max_iter=1000)),
            ])
            return model.fit(rows[FEATURES], y)
        ''',
    ),
    Mistake(
        name="retrain",
        title="trains on the evaluation window: every labelled row, before and after the cutoff",
        test="test_retrain_hidden_flipped_labels",
        message="flipped on every row outside the training rows",
        code='''
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        FEATURES = ["amount", "hour", "channel", "merchant_category"]


        def retrain(df, cutoff, window_days=14):
            cutoff = pd.Timestamp(cutoff)
            rows = df[df["timestamp"] >= cutoff - pd.Timedelta(days=window_days)]
            model = Pipeline([
                ("preprocess", ColumnTransformer([
                    ("scale", StandardScaler(), ["amount", "hour"]),
                    ("onehot", OneHotEncoder(handle_unknown="ignore"), ["channel", "merchant_category"]),
                ])),
                ("classify", LogisticRegression(max_iter=1000)),
            ])
            return model.fit(rows[FEATURES], rows["is_fraud"])
        ''',
    ),
    Mistake(
        name="retrain",
        title="the window ignored: every label known at the cutoff, however old",
        test="test_retrain_hidden_window_days",
        message="7-day window",
        code='''
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        FEATURES = ["amount", "hour", "channel", "merchant_category"]


        def retrain(df, cutoff, window_days=14):
            cutoff = pd.Timestamp(cutoff)
            rows = df[df["label_available_at"] <= cutoff]
            model = Pipeline([
                ("preprocess", ColumnTransformer([
                    ("scale", StandardScaler(), ["amount", "hour"]),
                    ("onehot", OneHotEncoder(handle_unknown="ignore"), ["channel", "merchant_category"]),
                ])),
                ("classify", LogisticRegression(max_iter=1000)),
            ])
            return model.fit(rows[FEATURES], rows["is_fraud"])
        ''',
    ),
]
