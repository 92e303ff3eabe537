"""Common mistakes in exercise 01, the morning review, and the tests that catch them."""

from grader.catalogue import Mistake

MISTAKES = [
    # -- daily_metrics ---------------------------------------------------------------
    Mistake(
        name="daily_metrics",
        title="accuracy instead of precision",
        test="test_daily_metrics_example_day",
        message="['precision']",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def daily_metrics(log, day, threshold=0.5):
            rows = log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]
            labelled = rows[rows["label"].notna()]
            y = labelled["label"].to_numpy(dtype="int64")
            alert = (labelled["score"] >= threshold).to_numpy()
            n_fraud = int(y.sum())
            caught = int((alert & (y == 1)).sum())
            return {
                "n_scored": len(rows),
                "n_labelled": len(labelled),
                "alert_rate": float((rows["score"] >= threshold).mean()) if len(rows) else math.nan,
                "precision": float((alert == (y == 1)).mean()) if len(labelled) else math.nan,
                "recall": caught / n_fraud if n_fraud else math.nan,
                "average_precision": float(average_precision_score(y, labelled["score"])) if n_fraud else math.nan,
            }
        ''',
    ),
    Mistake(
        name="daily_metrics",
        title="unlabelled rows counted as genuine",
        test="test_daily_metrics_unlabelled_rows",
        message="['precision']",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def daily_metrics(log, day, threshold=0.5):
            rows = log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]
            y = rows["label"].fillna(0).to_numpy(dtype="int64")
            alert = (rows["score"] >= threshold).to_numpy()
            n_alerted, n_fraud = int(alert.sum()), int(y.sum())
            caught = int((alert & (y == 1)).sum())
            return {
                "n_scored": len(rows),
                "n_labelled": int(rows["label"].notna().sum()),
                "alert_rate": n_alerted / len(rows) if len(rows) else math.nan,
                "precision": caught / n_alerted if n_alerted else math.nan,
                "recall": caught / n_fraud if n_fraud else math.nan,
                "average_precision": float(average_precision_score(y, rows["score"])) if n_fraud else math.nan,
            }
        ''',
    ),
    Mistake(
        name="daily_metrics",
        title="recall over all rows instead of over the frauds",
        test="test_daily_metrics_example_day",
        message="['recall']",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def daily_metrics(log, day, threshold=0.5):
            rows = log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]
            labelled = rows[rows["label"].notna()]
            y = labelled["label"].to_numpy(dtype="int64")
            alert = (labelled["score"] >= threshold).to_numpy()
            n_alerted, n_fraud = int(alert.sum()), int(y.sum())
            caught = int((alert & (y == 1)).sum())
            return {
                "n_scored": len(rows),
                "n_labelled": len(labelled),
                "alert_rate": float((rows["score"] >= threshold).mean()) if len(rows) else math.nan,
                "precision": caught / n_alerted if n_alerted else math.nan,
                "recall": caught / len(rows) if n_fraud else math.nan,
                "average_precision": float(average_precision_score(y, labelled["score"])) if n_fraud else math.nan,
            }
        ''',
    ),
    Mistake(
        name="daily_metrics",
        title="numpy scalars returned instead of plain int and float",
        test="test_daily_metrics_plain_types",
        message="expected a plain Python",
        code='''
        import numpy as np
        import pandas as pd
        from sklearn.metrics import average_precision_score


        def daily_metrics(log, day, threshold=0.5):
            rows = log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]
            known = rows["label"].notna()
            labelled = rows[known]
            y = labelled["label"].to_numpy(dtype="int64")
            alert = (labelled["score"] >= threshold).to_numpy()
            n_alerted, n_fraud = alert.sum(), y.sum()
            caught = (alert & (y == 1)).sum()
            return {
                "n_scored": len(rows),
                "n_labelled": known.sum(),
                "alert_rate": (rows["score"] >= threshold).mean() if len(rows) else np.nan,
                "precision": caught / n_alerted if n_alerted else np.nan,
                "recall": caught / n_fraud if n_fraud else np.nan,
                "average_precision": average_precision_score(y, labelled["score"]) if n_fraud else np.nan,
            }
        ''',
    ),
    Mistake(
        name="daily_metrics",
        title="average precision computed on a day without fraud (sklearn warns)",
        test="test_daily_metrics_edge_days",
        message="warning",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def daily_metrics(log, day, threshold=0.5):
            rows = log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]
            labelled = rows[rows["label"].notna()]
            y = labelled["label"].to_numpy(dtype="int64")
            alert = (labelled["score"] >= threshold).to_numpy()
            n_alerted, n_fraud = int(alert.sum()), int(y.sum())
            caught = int((alert & (y == 1)).sum())
            return {
                "n_scored": len(rows),
                "n_labelled": len(labelled),
                "alert_rate": float((rows["score"] >= threshold).mean()) if len(rows) else math.nan,
                "precision": caught / n_alerted if n_alerted else math.nan,
                "recall": caught / n_fraud if n_fraud else math.nan,
                "average_precision": float(average_precision_score(y, labelled["score"])) if len(labelled) else math.nan,
            }
        ''',
    ),
    Mistake(
        name="daily_metrics",
        title="an alert is score > threshold (a score equal to the threshold not alerted)",
        test="test_daily_metrics_example_day",
        message="['alert_rate']",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def daily_metrics(log, day, threshold=0.5):
            rows = log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]
            labelled = rows[rows["label"].notna()]
            y = labelled["label"].to_numpy(dtype="int64")
            alert = (labelled["score"] > threshold).to_numpy()
            n_alerted, n_fraud = int(alert.sum()), int(y.sum())
            caught = int((alert & (y == 1)).sum())
            return {
                "n_scored": len(rows),
                "n_labelled": len(labelled),
                "alert_rate": float((rows["score"] > threshold).mean()) if len(rows) else math.nan,
                "precision": caught / n_alerted if n_alerted else math.nan,
                "recall": caught / n_fraud if n_fraud else math.nan,
                "average_precision": float(average_precision_score(y, labelled["score"])) if n_fraud else math.nan,
            }
        ''',
    ),
    # -- metrics_by_slice ------------------------------------------------------------
    Mistake(
        name="metrics_by_slice",
        title="daily metrics averaged instead of pooled",
        test="test_metrics_by_slice_example",
        message="column 'precision'",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def metrics_by_slice(log, by, threshold=0.5, min_labelled=50):
            labelled = log[log["label"].notna()]
            per_day = []
            for (value, day), part in labelled.groupby([by, labelled["timestamp"].dt.date]):
                y = part["label"].to_numpy(dtype="int64")
                alert = (part["score"] >= threshold).to_numpy()
                n_alerted, n_fraud = int(alert.sum()), int(y.sum())
                caught = int((alert & (y == 1)).sum())
                per_day.append({
                    by: value,
                    "n_labelled": len(part),
                    "precision": caught / n_alerted if n_alerted else math.nan,
                    "recall": caught / n_fraud if n_fraud else math.nan,
                    "average_precision": average_precision_score(y, part["score"]) if n_fraud else math.nan,
                })
            daily = pd.DataFrame(per_day)
            out = daily.groupby(by).agg(
                n_labelled=("n_labelled", "sum"),
                precision=("precision", "mean"),
                recall=("recall", "mean"),
                average_precision=("average_precision", "mean"),
            )
            out = out[out["n_labelled"] >= min_labelled]
            return out.sort_index().sort_values("recall", na_position="last", kind="stable")
        ''',
    ),
    Mistake(
        name="metrics_by_slice",
        title="equal recalls left in order of first appearance, not by index",
        test="test_metrics_by_slice_example",
        message="expected the rows in the order",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def metrics_by_slice(log, by, threshold=0.5, min_labelled=50):
            rows = {}
            for value in log[by].unique():
                part = log[(log[by] == value) & log["label"].notna()]
                if len(part) < min_labelled:
                    continue
                y = part["label"].to_numpy(dtype="int64")
                alert = (part["score"] >= threshold).to_numpy()
                n_alerted, n_fraud = int(alert.sum()), int(y.sum())
                caught = int((alert & (y == 1)).sum())
                rows[value] = {
                    "n_labelled": len(part),
                    "precision": caught / n_alerted if n_alerted else math.nan,
                    "recall": caught / n_fraud if n_fraud else math.nan,
                    "average_precision": average_precision_score(y, part["score"]) if n_fraud else math.nan,
                }
            out = pd.DataFrame.from_dict(rows, orient="index")
            out.index.name = by
            return out.sort_values("recall", na_position="last", kind="stable")
        ''',
    ),
    Mistake(
        name="metrics_by_slice",
        title="unlabelled rows counted as genuine",
        test="test_metrics_by_slice_example",
        message="expected 5 rows",
        code='''
        import math

        import pandas as pd
        from sklearn.metrics import average_precision_score


        def metrics_by_slice(log, by, threshold=0.5, min_labelled=50):
            log = log.assign(label=log["label"].fillna(0))
            values, rows = [], []
            for value, part in log.groupby(by):
                if len(part) < min_labelled:
                    continue
                y = part["label"].to_numpy(dtype="int64")
                alert = (part["score"] >= threshold).to_numpy()
                n_alerted, n_fraud = int(alert.sum()), int(y.sum())
                caught = int((alert & (y == 1)).sum())
                values.append(value)
                rows.append([
                    len(part),
                    caught / n_alerted if n_alerted else math.nan,
                    caught / n_fraud if n_fraud else math.nan,
                    average_precision_score(y, part["score"]) if n_fraud else math.nan,
                ])
            out = pd.DataFrame(rows, columns=["n_labelled", "precision", "recall", "average_precision"],
                               index=pd.Index(values, name=by))
            return out.sort_index().sort_values("recall", na_position="last", kind="stable")
        ''',
    ),
    # -- regressions -------------------------------------------------------------------
    Mistake(
        name="regressions",
        title="the tolerance applied the wrong way",
        test="test_regressions_example",
        message="when precision 0.8 -> 0.7",
        code='''
        import math


        def regressions(today, baseline, tolerance=0.1):
            regressed = []
            for name in ("precision", "recall", "average_precision"):
                if math.isnan(baseline[name]):
                    continue
                if math.isnan(today[name]) or today[name] < baseline[name] * (1 + tolerance):
                    regressed.append(name)
            return sorted(regressed)
        ''',
    ),
    Mistake(
        name="regressions",
        title="a NaN today not treated as a regression",
        test="test_regressions_nan_handling",
        message="when today's values are all NaN",
        code='''
        import math


        def regressions(today, baseline, tolerance=0.1):
            return sorted(
                name
                for name in ("precision", "recall", "average_precision")
                if not math.isnan(baseline[name]) and today[name] < baseline[name] * (1 - tolerance)
            )
        ''',
    ),
    Mistake(
        name="regressions",
        title="names returned in the metrics' order, not sorted",
        test="test_regressions_example",
        message="when everything falls to 0.1",
        code='''
        import math


        def regressions(today, baseline, tolerance=0.1):
            regressed = []
            for name in ("precision", "recall", "average_precision"):
                if math.isnan(baseline[name]):
                    continue
                if math.isnan(today[name]) or today[name] < baseline[name] * (1 - tolerance):
                    regressed.append(name)
            return regressed
        ''',
    ),
    # -- missed_fraud ------------------------------------------------------------------
    Mistake(
        name="missed_fraud",
        title="equal amounts not broken by transaction_id (nlargest keeps row order)",
        test="test_missed_fraud_ties_hidden",
        message="column 'transaction_id'",
        code='''
        def missed_fraud(log, threshold=0.5, k=10):
            is_fraud = log["label"].eq(1).fillna(False).astype(bool)
            missed = log[is_fraud & (log["score"] < threshold)]
            return missed.nlargest(k, "amount").reset_index(drop=True)
        ''',
    ),
    Mistake(
        name="missed_fraud",
        title="a fraud scored exactly at the threshold counted as missed",
        test="test_missed_fraud_example",
        message="missed_fraud(example, k=3)",
        code='''
        def missed_fraud(log, threshold=0.5, k=10):
            is_fraud = log["label"].eq(1).fillna(False).astype(bool)
            missed = log[is_fraud & (log["score"] <= threshold)]
            missed = missed.sort_values(["amount", "transaction_id"], ascending=[False, True])
            return missed.head(k).reset_index(drop=True)
        ''',
    ),
    # -- ALERTS_BY_DAY_SQL -------------------------------------------------------------
    Mistake(
        name="ALERTS_BY_DAY_SQL",
        title="unknown (NULL) labels counted as caught frauds",
        test="test_alerts_by_day_sql_example",
        message="n_frauds_caught on '2024-05-0",
        code='''
        ALERTS_BY_DAY_SQL = """
        SELECT substr(timestamp, 1, 10) AS day,
               COUNT(*) AS n_scored,
               SUM(CASE WHEN score >= :threshold THEN 1 ELSE 0 END) AS n_alerts,
               SUM(CASE WHEN score >= :threshold THEN (CASE WHEN label = 0 THEN 0 ELSE 1 END) ELSE 0 END) AS n_frauds_caught
        FROM predictions
        GROUP BY day
        ORDER BY day
        """
        ''',
    ),
    Mistake(
        name="ALERTS_BY_DAY_SQL",
        title="COUNT(label) counts every labelled alert as a caught fraud",
        test="test_alerts_by_day_sql_example",
        message="n_frauds_caught on '2024-05-0",
        code='''
        ALERTS_BY_DAY_SQL = """
        SELECT date(timestamp) AS day,
               COUNT(*) AS n_scored,
               COUNT(CASE WHEN score >= :threshold THEN 1 END) AS n_alerts,
               COUNT(CASE WHEN score >= :threshold THEN label END) AS n_frauds_caught
        FROM predictions
        GROUP BY day
        ORDER BY day
        """
        ''',
    ),
    Mistake(
        name="ALERTS_BY_DAY_SQL",
        title="SUM of a comparison with NULL labels is NULL on a day whose alerts are all unlabelled",
        test="test_alerts_by_day_sql_example",
        message="NULL",
        code='''
        ALERTS_BY_DAY_SQL = """
        SELECT date(timestamp) AS day,
               COUNT(*) AS n_scored,
               SUM(score >= :threshold) AS n_alerts,
               SUM(score >= :threshold AND label = 1) AS n_frauds_caught
        FROM predictions
        GROUP BY day
        ORDER BY day
        """
        ''',
    ),
    Mistake(
        name="ALERTS_BY_DAY_SQL",
        title="an alert is score > :threshold",
        test="test_alerts_by_day_sql_example",
        message="n_alerts on '2024-05-01': expected 3, got 2",
        code='''
        ALERTS_BY_DAY_SQL = """
        SELECT substr(timestamp, 1, 10) AS day,
               COUNT(*) AS n_scored,
               SUM(CASE WHEN score > :threshold THEN 1 ELSE 0 END) AS n_alerts,
               SUM(CASE WHEN score > :threshold AND label = 1 THEN 1 ELSE 0 END) AS n_frauds_caught
        FROM predictions
        GROUP BY day
        ORDER BY day
        """
        ''',
    ),
    Mistake(
        name="ALERTS_BY_DAY_SQL",
        title="the threshold written into the query instead of :threshold",
        test="test_alerts_by_day_sql_example",
        message=":threshold = 0.8",
        code='''
        ALERTS_BY_DAY_SQL = """
        SELECT substr(timestamp, 1, 10) AS day,
               COUNT(*) AS n_scored,
               SUM(CASE WHEN score >= 0.5 THEN 1 ELSE 0 END) AS n_alerts,
               SUM(CASE WHEN score >= 0.5 AND label = 1 THEN 1 ELSE 0 END) AS n_frauds_caught
        FROM predictions
        GROUP BY day
        ORDER BY day
        """
        ''',
    ),
]
