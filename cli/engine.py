"""``policy-qa engine start|stop|status``: a local seekdb for POLICY_QA_BACKEND=seekdb."""

from __future__ import annotations

from pathlib import Path

import click

from index.errors import EngineError
from index.seekdb import engine as engines

DATA_OPTION = click.option("--data", type=click.Path(file_okay=False, path_type=Path),
                           default=Path("var/engine"), show_default=True, envvar="POLICY_QA_ENGINE_DATA",
                           help="The engine's folder: its data, log and credentials "
                                "[env: POLICY_QA_ENGINE_DATA].")
BACKEND_OPTION = click.option("--backend", type=click.Choice(["local", "seekdb"]), default="local",
                              show_default=True, envvar="POLICY_QA_BACKEND",
                              help="Where the index lives: local files, or an engine (seekdb or "
                                   "OceanBase) at POLICY_QA_ENGINE_URL, or the one `policy-qa engine "
                                   "start` runs in POLICY_QA_ENGINE_DATA [env: POLICY_QA_BACKEND].")


@click.group()
def engine() -> None:
    """Start, stop or look at a local seekdb engine (the seekdb backend's database).

    The URL it prints is what POLICY_QA_ENGINE_URL takes; `policy-qa serve` with
    POLICY_QA_BACKEND=seekdb and no URL starts one in var/engine by itself.
    """


@engine.command()
@DATA_OPTION
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Its MySQL-protocol port [default: 2881, or the next free one; a restart keeps its port].")
def start(data: Path, port: int | None) -> None:
    """Start the engine (unless it runs), wait until it answers and print its URL (last line).

    The first start sets a random password for root and creates the database policy_qa; the URL,
    with the password, is kept in DATA/engine.json (readable by its owner only).

    \b
    Example:
      export POLICY_QA_ENGINE_URL=$(policy-qa engine start | tail -1)
    """
    try:
        url = engines.start(data, port)
    except EngineError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"engine answering at {url.address} (data in {data})", err=True)
    click.echo(str(url))


@engine.command()
@DATA_OPTION
def stop(data: Path) -> None:
    """Stop the engine (SIGUSR1, its clean shutdown; SIGKILL after a minute)."""
    try:
        stopped = engines.stop(data)
    except EngineError as error:
        raise click.ClickException(str(error)) from error
    click.echo("stopped" if stopped else f"no engine running in {data}")


@engine.command()
@DATA_OPTION
def status(data: Path) -> None:
    """Say whether the engine runs and answers; exit 1 when it does not answer."""
    try:
        current = engines.status(data)
    except EngineError as error:
        raise click.ClickException(str(error)) from error
    if current is None:
        click.echo(f"no engine was ever started in {data}")
        raise SystemExit(1)
    state = "answering" if current.answering else "running, not answering" if current.running else "stopped"
    click.echo(f"{state}: {current.url.address} database {current.url.database} (pid {current.pid})")
    if not current.answering:
        raise SystemExit(1)
