"""rec_utils: the tested helper package behind the interest-lab notebooks.

Modules (one job each):
    paths, progress   repository locations; progress bars that tests can switch off
    data, download    the embedded Online Retail data (verified, typed) and download-and-cache
    fashion           Fashion-MNIST product photos (shipped test split, Debian, Keras cache)
    cleaning, tables  transaction cleaning with an accounting of dropped rows; derived tables
    split             time-based hold-out, sparse interaction matrices, group splits
    mf, similarity    matrix factorisation (SVD, gradient descent, implicit ALS); cosine similarity
    logistic          the logistic formula (and the article's sign error); model explanation
    propensity        the purchase-propensity task, its features and a ranker built from it
    simulator         the seeded click simulator on real photos (semi-synthetic data)
    features          text tokens, VGG16 image features, attribute encoders
    click_model       the backend-agnostic Keras click model
    metrics           ranking metrics and beyond-accuracy metrics, vectorised over users
    evaluation        probability metrics, bootstrap intervals, calibration, paired comparison
    topk, recommend   batched top-K selection; recommenders, fitting by name, cold start
    interest          interest tags and recommendation reasons
    results, errata   metrics files for the tests; the errata record
    device            which device runs the models; seeding; failing fast without a GPU
    benchmarks        rows appended to reports/benchmarks.csv
    plots             figures shared by the notebooks
    run               the papermill runner and the report
"""

__version__ = "0.1.0"
