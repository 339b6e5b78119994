"""Notebook 11 (privacy, interpretability, fairness): the privacy-utility sweep over ε (privacy_utility) and the
purchase pairs its private models learn from (purchase_pairs)."""
