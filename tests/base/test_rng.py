import multiprocessing

import pytest
import torch

from genlab.base.rng import member_generators, rand_members, randn_members


@pytest.mark.parametrize("draw", [randn_members, rand_members])
@pytest.mark.parametrize("threads", [1, 2])
def test_members_draw_what_each_alone_draws(draw, threads, monkeypatch):
    """In a pool of threads or not, member e draws what ``torch.randn``/``torch.rand`` draws
    from its own generator, and its stream goes on from the same state."""
    monkeypatch.setattr(torch, "get_num_threads", lambda: threads)
    single = torch.randn if draw is randn_members else torch.rand
    seeds, shape = (3, 1, 4, 1, 5), (70, 1000)  # 70,000 values a member: over the pool's bar
    out = draw(member_generators(seeds, "train"), shape, "cpu")
    assert out.shape == (5, *shape) and out.dtype == torch.get_default_dtype()
    for e, g in enumerate(member_generators(seeds, "train")):
        assert torch.equal(out[e], single(*shape, generator=g)), e
    gens = member_generators(seeds, "train")
    draw(gens, shape, "cpu")
    after = [torch.rand(3, generator=g) for g in gens]
    gens = member_generators(seeds, "train")
    for g in gens:
        single(*shape, generator=g)
    assert all(torch.equal(a, torch.rand(3, generator=g)) for a, g in zip(after, gens, strict=True))


def _draw_in_child(queue) -> None:
    queue.put(randn_members(member_generators((0, 1), "train"), (300, 300), "cpu").sum().item())


def test_a_forked_child_draws_without_the_parents_threads(monkeypatch):
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    expected = randn_members(member_generators((0, 1), "train"), (300, 300), "cpu").sum().item()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_draw_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == expected
