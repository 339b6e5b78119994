"""Figures: pictures of results (plots) and of methods (diagrams). Imports every layer before it (runtime, data,
simulation, features, models, recommend, evaluation); chapters import it, it imports no chapter.

    plots       figures of results: intervals, learning and calibration curves, Lorenz curves, tag profiles; saved
                atomically under the run's figures folder
    diagrams    pictures of methods drawn from the numbers they are given: factorisation, the time cut, the
                simulator's generative story, the feedback loop, a DP-SGD step, the Spark pipeline, boxes and arrows
"""
