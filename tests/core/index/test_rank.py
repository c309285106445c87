import numpy as np
from numpy.testing import assert_array_equal

from qiangji.core.index import Framework, publication_ranks, rank_scores
from tests.core.index.conftest import SMALL


def test_it_shares_the_lowest_rank_between_ties() -> None:
    assert_array_equal(rank_scores(np.array([90.0, 80.0, 80.0, 70.0])), [1, 2, 2, 4])
    assert_array_equal(rank_scores(np.array([1.0, np.nan, 3.0, 3.0])), [3, np.nan, 1, 1])


def test_it_does_not_split_a_tie_on_floating_noise() -> None:
    # 0.1 + 0.2 != 0.3 in binary floating point; both are 0.3 to the ranking tolerance
    s = np.array([0.1 + 0.2, 0.3, 0.29])
    assert_array_equal(rank_scores(s), [1, 1, 3])
    assert_array_equal(rank_scores(s, tol=0.0), [1, 2, 3])


def test_it_ranks_along_any_axis() -> None:
    s = np.array([[3.0, 1.0, 2.0], [1.0, 1.0, 5.0]])
    assert_array_equal(rank_scores(s, axis=-1), [[1, 3, 2], [2, 2, 1]])
    assert_array_equal(rank_scores(s, axis=0), [[1, 1, 2], [2, 1, 1]])


def test_it_breaks_ties_for_publication_by_listed_nodes_then_code() -> None:
    fw = Framework.from_dict(SMALL)  # tie_break: [A]
    # columns: a1, a2, A, b, IX (post-order)
    scores = np.array(
        [
            [0, 0, 10.0, 0, 50.0],  # U3: tie on IX, lower A
            [0, 0, 20.0, 0, 50.0],  # U1: tie on IX, higher A → ahead
            [0, 0, 20.0, 0, 50.0],  # U2: tie on IX and A → by code, after U1
            [0, 0, 0.0, 0, 60.0],  # U4: best index
            [0, 0, 0.0, 0, np.nan],  # U5: no index → no rank
        ]
    )
    ranks = publication_ranks(fw, ["U3", "U1", "U2", "U4", "U5"], scores)
    assert_array_equal(ranks, [4, 2, 3, 1, np.nan])
