"""Simulation: behaviour simulated on real data (semi-synthetic). Imports rec_utils.runtime and rec_utils.data.

clicks: the seeded click simulator on Fashion-MNIST product photos, whose true click probabilities are known;
environment: the same world as an interactive environment (users arrive, a policy shows k of M candidates, exact
regret), whose rounds are drawn in advance (episode: Episode, Context, ArmKey); bandit_run: running a policy
through it round by round.
ceilings: what a click model can reach, E[p | its inputs], with and without the user's history.
"""
