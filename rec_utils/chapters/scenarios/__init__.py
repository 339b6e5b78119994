"""Notebook 10 (application scenarios): the studies it runs, each against a baseline.

    rules       cross-category promotion: association rules mined on a time cut against popularity
    profiles    user profiles: RFM segments that predict the next window
    launch      new-product launch: audiences from a product's text against random and popular ones
    markets     cross-channel: per-country lists against the global list
    recap       notebook 07's test-window headline, read from its results or recomputed by its procedure
    lessons     the summary: each verdict as a sentence with the lesson its paired interval supports
"""
