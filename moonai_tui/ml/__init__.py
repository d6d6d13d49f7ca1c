"""Machine learning: causal features, labels, models, honest validation, a model registry.

Importing this package loads nothing heavy: numpy/pandas come with the submodules that need
them, and scikit-learn / XGBoost load only when a model is built or read.
"""
