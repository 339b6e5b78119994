"""rec_utils: the tested helper package behind the interest-lab notebooks.

Sub-packages are layers; a module imports only from its own layer and the layers before it
(tests/unit/test_layers.py checks this):

    runtime      paths, progress bars, device choice, metrics files, errata, benchmark log, the runner
    data         Online Retail (verified loading, download), Fashion-MNIST, cleaning, derived tables,
                 splits, interaction matrices
    simulation   the seeded click simulator on real product photos (semi-synthetic data), its ceilings, and the
                 same world as an interactive environment for bandit policies
    features     text tokens, sentence embeddings (pretrained MiniLM in Keras), image features (VGG16, a
                 catalogue-pretrained encoder), attributes, click histories, the baselines' design matrix,
                 purchase-propensity features, product categories, RFM segments
    models       matrix factorisation, cosine similarity, logistic regression, the Keras click models (the
                 article's, and one with a user-interest tower), bandit policies, privacy mechanisms,
                 association rules
    recommend    top-K selection, score functions and recommenders by name, interest tags and reasons,
                 cold start
    evaluation   the evaluation protocol, tuning, comparisons, ranking and probability metrics with bootstrap
                 intervals, concentration, off-policy estimators, explanations, fairness measures
    figures      plots (pictures of results) and diagrams (pictures of methods)

At the top sit only `run` (`python -m rec_utils.run`, the papermill runner) and this file.

Chapters (`rec_utils.chapters`, on top of every layer): the experiment code of one notebook each, e.g.
`chapters.click_model` (notebook 06: the click log, ceilings by inputs, baselines, the user-interest model, the
predictions notebook 07 reads), `chapters.scale_out` (notebook 14: the pipeline on Apache Spark and the scaling
sweep); rec_utils/chapters/__init__.py lists them all.
"""

__version__ = "0.2.0"
