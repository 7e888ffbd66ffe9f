"""An example churn model on the feature table: a logistic regression trained on the ``train`` split.

It reads the training rows (``features.load_churn_features``), fits a pipeline (median imputation of the
features that can be missing, standard scaling, logistic regression) on ``split == 'train'``, evaluates it on
``split == 'validation'`` and saves the fitted pipeline with joblib. The report puts the model beside the
simplest baseline, always predicting the validation churn base rate: ROC AUC (0.5 for the baseline) and the
Brier score (mean squared error of the predicted probability; lower is better).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import joblib
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from orders_warehouse.features import LABEL_COLUMN, NUMERIC_FEATURES, load_churn_features
from orders_warehouse.settings import ConnectionSettings

DEFAULT_MODEL_PATH = Path("reports/churn_model.joblib")


@dataclass(frozen=True)
class ChurnExampleReport:
    """What the example model achieved on the validation split, and where it was saved."""

    train_rows: int
    validation_rows: int
    validation_base_rate: float
    validation_roc_auc: float
    model_brier: float
    base_rate_brier: float
    model_path: Path

    def describe(self) -> str:
        """The report as printed by ``orders-warehouse train-churn-example``."""
        return "\n".join(
            [
                f"trained on {self.train_rows} rows (split 'train'), validated on {self.validation_rows} rows",
                f"validation ROC AUC:    {self.validation_roc_auc:.3f}  (always predicting the base rate: 0.500)",
                f"validation base rate:  {self.validation_base_rate:.3f}  (share of rows that churned)",
                f"validation Brier:      {self.model_brier:.4f}  (always predicting the base rate: "
                f"{self.base_rate_brier:.4f}; lower is better)",
                f"model saved to {self.model_path}",
            ]
        )


def build_pipeline() -> Pipeline:
    """Median imputation (some features are missing by definition), scaling, logistic regression."""
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
            ("classify", LogisticRegression(max_iter=1000)),
        ]
    )


def train_churn_example(
    model_out: Path = DEFAULT_MODEL_PATH, settings: ConnectionSettings | None = None
) -> ChurnExampleReport:
    """Fit the example pipeline on the train split, evaluate it on validation, save it to ``model_out``."""
    training = load_churn_features("training", settings)
    train = training[training["split"] == "train"]
    validation = training[training["split"] == "validation"]
    if train.empty or validation.empty:
        raise ValueError("the feature table needs labelled rows in both the train and the validation split")
    pipeline = build_pipeline().fit(train[list(NUMERIC_FEATURES)], train[LABEL_COLUMN].astype(bool))
    model_out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, model_out)
    return evaluate(pipeline, validation, len(train), model_out)


def evaluate(pipeline: Pipeline, validation: pd.DataFrame, train_rows: int, model_path: Path) -> ChurnExampleReport:
    """Score the fitted pipeline on the validation rows, beside always predicting their base rate."""
    churned = validation[LABEL_COLUMN].astype(bool)
    probabilities = pipeline.predict_proba(validation[list(NUMERIC_FEATURES)])[:, 1]
    base_rate = float(churned.mean())
    return ChurnExampleReport(
        train_rows=train_rows,
        validation_rows=len(validation),
        validation_base_rate=base_rate,
        validation_roc_auc=float(roc_auc_score(churned, probabilities)),
        model_brier=float(brier_score_loss(churned, probabilities)),
        base_rate_brier=float(brier_score_loss(churned, [base_rate] * len(churned))),
        model_path=model_path,
    )
