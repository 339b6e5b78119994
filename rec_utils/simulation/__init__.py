"""Simulation: behaviour simulated on real data (semi-synthetic). Imports rec_utils.runtime and rec_utils.data.

clicks: the seeded click simulator on Fashion-MNIST product photos, whose true click probabilities are known;
ceilings: what a click model can reach, E[p | its inputs], with and without the user's history.
"""
