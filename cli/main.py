"""``policy-qa``: parse, inspect and (in later stages) index and query policy documents.

Every option can also be set through an environment variable named ``POLICY_QA_<OPTION>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from corpus import CorpusError, Document, Heading, load_catalog, parse_file

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _document_id(path: Path, explicit: str | None) -> str:
    """The catalog's id for a catalogued file, else the explicit id, else the file's stem."""
    if explicit:
        return explicit
    for entry in load_catalog():
        if path.name == entry.file:
            return entry.id
    return path.stem


def _parse(path: Path, document_id: str | None) -> Document:
    try:
        return parse_file(path, _document_id(path, document_id))
    except CorpusError as error:
        raise click.ClickException(f"{path}: {error}") from error


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"],
                               "auto_envvar_prefix": "POLICY_QA"})
@click.version_option(package_name="policy-qa")
def main() -> None:
    """Answer questions from Chinese policy documents with verbatim provisions and citations."""


@main.command()
@click.argument("file", type=FILE)
@click.option("--id", "document_id", help="Document id used in provision ids (default: the "
              "catalog's id for a catalogued file, else the file name without extension).")
def parse(file: Path, document_id: str | None) -> None:
    """Print FILE's provisions, one JSON object per line.

    For a clause, text equals the file's text[start:end]; for a table row, text is the
    rendered row and start/end span its cells. Offsets count characters of the decoded file.

    \b
    Example:
      policy-qa parse corpus/documents/rugao-2023-yilao-yixiao.txt | head -3
    """
    document = _parse(file, document_id)
    out = sys.stdout
    for provision in document.provisions:
        out.write(_dump(provision.to_json()) + "\n")


@main.command()
@click.argument("file", type=FILE)
def meta(file: Path) -> None:
    """Print the metadata parsed from FILE's header as one JSON object.

    \b
    Example:
      policy-qa meta corpus/documents/suizhou-2022-yilao-yixiao.txt
    """
    document = _parse(file, None)
    data = {"id": document.id, **document.meta.to_json(),
            "provisions": len(document.provisions), "tables": len(document.tables)}
    click.echo(_dump(data))


@main.command()
@click.argument("file", type=FILE)
def outline(file: Path) -> None:
    """Print FILE's heading tree, indented, with its tables.

    Headings whose number was lost in extraction and restored are marked (restored).

    \b
    Example:
      policy-qa outline corpus/documents/suicheng-2023-yanglao-tuoyu.txt
    """
    document = _parse(file, None)
    if document.meta.title:
        click.echo(document.meta.title)
    tables = {table.label: table for table in document.tables}

    def show(heading: Heading, depth: int) -> None:
        restored = "  (restored)" if heading.inferred else ""
        text = " ".join(part for part in [heading.marker, heading.title] if part) \
            if heading.marker.startswith("附件") else heading.marker + heading.title
        click.echo(f"{'  ' * depth}[{heading.label}] {text}{restored}")
        for label in heading.tables:
            table = tables[label]
            click.echo(f"{'  ' * (depth + 1)}[{label}] 表：{table.title}（{len(table.row_ids)}行）")
        for child in heading.children:
            show(child, depth + 1)

    for heading in document.headings:
        show(heading, 0)


