import numpy as np
from scipy import stats

from cadresim.rng import KeyedRandom


def test_same_keys_same_draws_whatever_the_order():
    r = KeyedRandom(7, 3)
    keys = np.arange(1000)
    forward = r.uniform("merit", keys)
    backward = r.uniform("merit", keys[::-1])[::-1]
    assert np.array_equal(forward, backward)
    assert np.array_equal(forward[17:18], r.uniform("merit", 17))


def test_replications_purposes_and_seeds_give_different_streams():
    keys = np.arange(100)
    a = KeyedRandom(7, 0).uniform("merit", keys)
    assert not np.array_equal(a, KeyedRandom(7, 1).uniform("merit", keys))
    assert not np.array_equal(a, KeyedRandom(8, 0).uniform("merit", keys))
    assert not np.array_equal(a, KeyedRandom(7, 0).uniform("exit", keys))


def test_uniform_normal_exponential_have_their_distributions():
    r = KeyedRandom(2014, 0)
    keys = np.arange(20_000)
    # KS at the 0.1% level: a correct generator fails this once in a thousand seeds
    assert stats.kstest(r.uniform("u", keys), "uniform").pvalue > 1e-3
    assert stats.kstest(r.normal("n", keys), "norm").pvalue > 1e-3
    assert stats.kstest(r.exponential("e", keys), "expon").pvalue > 1e-3
    # neighbouring keys are not correlated
    u = r.uniform("u", keys)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / np.sqrt(len(keys))


def test_integers_cover_both_ends():
    x = KeyedRandom(1, 0).integers("i", 23, 30, np.arange(5000))
    assert x.min() == 23 and x.max() == 30
