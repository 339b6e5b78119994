"""Notebook 12 (scale out): the pipeline on Apache Spark and what a second engine costs by data size.

    spark          the Online Retail pipeline on Spark: cleaning, time cut, ALS, ranking metrics
    spark_index    dense id numbering on Spark without moving every id into one partition
    scaling        timing and memory of both engines on growing replicated data, each run in its own process
    scaling_fit    what a sweep supports: fixed + per-copy cost, where two lines meet
"""
