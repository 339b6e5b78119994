"""Pictures of methods: each draws what it is given, and refuses inputs that cannot be drawn with a ValueError."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rec_utils.evaluation.protocol import Protocol  # noqa: E402
from rec_utils.figures.diagrams import (  # noqa: E402
    BANDIT_STEPS,
    bandit_loop_diagram,
    dp_sgd_diagram,
    factorisation_diagram,
    flow_diagram,
    simulator_diagram,
    spark_pipeline_diagram,
    time_cut_diagram,
)
from rec_utils.simulation.clicks import SimulatorConfig  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_factorisation_panels_show_each_matrix_and_its_shape():
    rng = np.random.default_rng(0)
    U, V = rng.normal(size=(6, 2)), rng.normal(size=(5, 2))
    fig = factorisation_diagram((rng.random((6, 5)) < 0.3).astype(float), U, V)
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.splitlines()[1] for t in titles] == ["6 × 5", "6 × 2", "2 × 5", "6 × 5"]
    np.testing.assert_allclose(fig.axes[3].images[0].get_array(), U @ V.T)


def test_factorisation_refuses_shapes_that_do_not_multiply():
    with pytest.raises(ValueError, match="U \\(6, 2\\), V \\(5, 3\\)"):
        factorisation_diagram(np.zeros((6, 5)), np.zeros((6, 2)), np.zeros((5, 3)))


def test_time_cut_draws_both_stages_with_the_cut_date():
    fig = time_cut_diagram(Protocol("2011-11-10"), "2010-12-01", "2011-12-09")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"validation stage", "test stage", "tune", "score once"} <= set(texts)
    assert any("2011-11-10" in t for t in texts)


@pytest.mark.parametrize("cut, days", [("2010-12-15", 30), ("2011-12-01", 30), ("2011-11-10", 60)])
def test_time_cut_refuses_windows_outside_the_data(cut, days):
    with pytest.raises(ValueError, match="validation start < cut"):
        time_cut_diagram(Protocol(cut, test_days=days), "2010-12-01", "2011-12-09")


def test_bandit_loop_draws_one_box_and_one_arrow_per_step():
    fig = bandit_loop_diagram(["a", "b", "c"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts][:3] == ["a", "b", "c"]
    assert len(ax.patches) == 6  # three boxes, three arrows
    assert len(bandit_loop_diagram().axes[0].patches) == 2 * len(BANDIT_STEPS)
    with pytest.raises(ValueError, match="at least 2 steps"):
        bandit_loop_diagram(["alone"])


def test_dp_sgd_marks_exactly_the_gradients_longer_than_the_clip():
    gradients = np.array([[3.0, 0.0], [0.3, 0.4], [0.0, -2.0]])
    fig = dp_sgd_diagram(gradients, clip_norm=1.0, noise=np.array([0.1, -0.1]), expected_batch=2.0)
    raw, clipped = fig.axes[0], fig.axes[1]
    red = [a for a in raw.texts if a.arrow_patch.get_edgecolor()[0] > 0.5]
    assert len(red) == 2
    ends = np.array([a.xy for a in clipped.texts])
    np.testing.assert_allclose(np.linalg.norm(ends, axis=1), [1.0, 0.5, 1.0])
    step = np.array(fig.axes[2].texts[2].xy)
    np.testing.assert_allclose(step, ([1.0, 0.0] + np.array([0.3, 0.4]) + [0.0, -1.0] + [0.1, -0.1]) / 2)


@pytest.mark.parametrize("gradients, noise, clip", [(np.zeros((3, 3)), np.zeros(2), 1.0),
                                                     (np.zeros((3, 2)), np.zeros(3), 1.0),
                                                     (np.zeros((3, 2)), np.zeros(2), 0.0)])
def test_dp_sgd_refuses_what_it_cannot_draw(gradients, noise, clip):
    with pytest.raises(ValueError):
        dp_sgd_diagram(gradients, clip_norm=clip, noise=noise, expected_batch=2.0)


def test_flow_diagram_draws_each_box_once_and_each_arrow():
    fig = flow_diagram({"a": (0.1, 0.5, "first"), "b": (0.9, 0.5, "second")}, [("a", "b")], "t", highlighted={"b"})
    ax = fig.axes[0]
    boxes = [t for t in ax.texts if t.get_text()]
    assert [t.get_text() for t in boxes] == ["first", "second"]
    assert boxes[0].get_bbox_patch().get_facecolor() != boxes[1].get_bbox_patch().get_facecolor()
    assert sum(1 for t in ax.texts if not t.get_text()) == 1  # the arrow is an empty annotation
    with pytest.raises(ValueError, match="\\['c'\\]"):
        flow_diagram({"a": (0.1, 0.5, "first")}, [("a", "c")], "t")


def test_simulator_diagram_states_the_configuration_it_is_given():
    config = SimulatorConfig(n_items=500, precise_query_rate=0.25, visual_dims=4, history_length=7)
    labels = " ".join(t.get_text() for t in simulator_diagram(config).axes[0].texts)
    for fact in ["500 real photos", "(25%)", "d = 4", "N(0, I_4)", "previous_clicks: last 7"]:
        assert fact in labels


def test_spark_pipeline_names_the_functions_it_runs():
    labels = " ".join(t.get_text() for t in spark_pipeline_diagram().axes[0].texts)
    for stage in ["spark_clean", "spark_split", "fit_spark_als", "spark_top_k", "RankingEvaluator"]:
        assert stage in labels
