"""``--compile auto``: the rule that decides whether compiling the step pays for a run."""

from __future__ import annotations

import dataclasses

import pytest

from genlab.cli.main import main
from genlab.models.config import GANConfig
from genlab.training import compile_rule
from genlab.training.compile_rule import choose_compile, remember_compiled, saving
from genlab.training.config import RunConfig, TrainConfig


@pytest.fixture(autouse=True)
def caches(tmp_path, monkeypatch):
    """A fresh genlab cache for every test."""
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "genlab"))


def config(model: str, epochs: int, members: int = 1, **arch) -> RunConfig:
    train = TrainConfig(epochs=epochs, seeds=tuple(range(members)))
    return RunConfig(model, train, GANConfig(**arch) if arch else None)


def test_saving_falls_linearly_with_the_members_and_stays_beyond_sixteen():
    one, sixteen = compile_rule._SAVING["vae"]
    assert saving("vae", 1) == one and saving("vae", 16) == pytest.approx(sixteen)
    assert saving("vae", 64) == saving("vae", 16)
    assert one > saving("vae", 8) > sixteen


def test_short_runs_stay_eager_and_the_homeworks_gan_schedule_compiles():
    assert not choose_compile(config("vae", 150), 2000, "cpu").compile
    assert not choose_compile(config("gan", 150), 2000, "cpu").compile
    long_gan = choose_compile(config("gan", 2000), 2000, "cpu")
    assert long_gan.compile and "64,000 steps" in long_gan.why and "to build" in long_gan.why
    assert not choose_compile(config("gan", 2000, members=16), 2000, "cpu").compile


def test_built_packages_make_any_but_the_shortest_run_compile(tmp_path):
    run, short = config("vae", 2000), config("vae", 150)
    assert not choose_compile(run, 2000, "cpu").compile  # to build: the build eats the saving
    packages = [tmp_path / "a.pt2", tmp_path / "b.pt2"]
    for p in packages:
        p.write_bytes(b"package")
    remember_compiled(run, 2000, packages)
    warm = choose_compile(run, 2000, "cpu")
    assert warm.compile and "packages built" in warm.why
    assert choose_compile(short, 2000, "cpu").compile  # same step, 4,800 steps: pays now
    assert not choose_compile(config("vae", 2), 2000, "cpu").compile  # 64 steps: never
    other = dataclasses.replace(run, train=dataclasses.replace(run.train, batch_size=128))
    assert "to build" in choose_compile(other, 2000, "cpu").why  # another step: not built
    packages[1].unlink()  # a package is gone: the marker no longer counts
    assert not choose_compile(run, 2000, "cpu").compile
    remember_compiled(run, 2000, [])  # nothing to note (compiled off the CPU): marker kept
    assert not choose_compile(run, 2000, "cpu").compile


def test_steps_that_cannot_be_compiled_or_were_not_measured_stay_eager():
    assert not choose_compile(config("gan", 2000, rule="extragradient"), 2000, "cpu").compile
    assert not choose_compile(config("gan", 2000, pack=2), 2000, "cpu").compile
    on_gpu = choose_compile(config("gan", 2000), 2000, "cuda")
    assert not on_gpu.compile and "cuda" in on_gpu.why


@pytest.mark.parametrize(
    ("flags", "compiled", "said"),
    [([], False, True), (["--compile", "auto"], False, True), (["--compile"], True, False),
     (["--compile", "on"], True, False), (["--compile", "off"], False, False),
     (["--no-compile"], False, False)],
)  # fmt: skip
def test_the_command_lines_compile_modes(tmp_path, capsys, monkeypatch, flags, compiled, said):
    seen = {}

    def train(config, **kwargs):  # what the command hands over, without training
        seen["compile"] = config.train.compile

    monkeypatch.setattr("genlab.api.train", train)
    argv = ["train", "vae", "--epochs", "2", "--n-samples", "64", "--out", str(tmp_path / "r")]
    assert main([*argv, *flags]) == 0
    assert seen["compile"] is compiled
    assert ("compile: auto: eager" in capsys.readouterr().out) is said


def test_an_unknown_compile_mode_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "vae", "--compile", "sometimes"])
    assert exit_.value.code == 2 and "sometimes" in capsys.readouterr().err


def test_without_a_cpp_compiler_auto_stays_eager_and_on_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CXX", "no-such-compiler-here")
    choice = choose_compile(config("gan", 2000), 2000, "cpu")
    assert not choice.compile and "no C++ compiler" in choice.why
    argv = ["train", "vae", "--epochs", "2", "--n-samples", "64", "--out", str(tmp_path / "r")]
    assert main([*argv, "--compile", "on"]) == 2
    err = capsys.readouterr().err
    assert "C++ compiler" in err and "--compile off" in err
    assert not (tmp_path / "r").exists()  # refused before any work


def test_packages_of_other_sources_do_not_count(tmp_path, monkeypatch):
    """A marker written by another genlab (the step's sources changed) names packages that
    this one cannot load: the step counts as unbuilt."""
    run = config("vae", 150)
    package = tmp_path / "a.pt2"
    package.write_bytes(b"package")
    remember_compiled(run, 2000, [package])
    assert choose_compile(run, 2000, "cpu").compile
    monkeypatch.setattr(compile_rule, "step_sources_digest", lambda: "another genlab")
    assert not choose_compile(run, 2000, "cpu").compile
