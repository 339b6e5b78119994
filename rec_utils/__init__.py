"""rec_utils: the tested helper package behind the interest-lab notebooks.

Sub-packages are layers; a module imports only from its own layer and the layers before it
(tests/unit/test_layers.py checks this):

    runtime      paths, progress bars, device choice, metrics files, errata, benchmark log, the runner
    data         Online Retail (verified loading, download), Fashion-MNIST, cleaning, derived tables,
                 splits, interaction matrices
    simulation   the seeded click simulator on real product photos (semi-synthetic data), as an interactive
                 environment for bandit policies
    features     text tokens, sentence embeddings (pretrained MiniLM in Keras), image features (VGG16),
                 attributes, purchase-propensity features
    models       matrix factorisation, cosine similarity, logistic regression, the Keras click model,
                 bandit policies
    recommend    top-K selection, score functions and recommenders by name, interest tags and reasons,
                 cold start
    evaluation   ranking metrics, probability metrics with bootstrap intervals, concentration,
                 off-policy estimators, bandit summaries over seeds

Top level (may import any layer): `plots` (figures for the notebooks) and `run`
(`python -m rec_utils.run`, the papermill runner).
"""

__version__ = "0.2.0"
