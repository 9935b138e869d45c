"""Parsing a policy document into its heading tree and provisions.

The parser reads lines, not fixed windows: it recognises the header, headings of every
official style, tables extracted one cell per line, notes under tables, attachments and the
footer, then builds the tree with a stack of open headings and turns every unit with body text
into a provision whose offsets re-read the file.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus import departments as dept
from corpus.gazetteer import Gazetteer, default_gazetteer
from corpus.header import (
    DISCLOSURE,
    PROMULGATION,
    compact,
    find_footer_start,
    find_header_end,
    find_signature,
    is_date,
)
from corpus.headings import (
    AttachmentMatch,
    HeadingMatch,
    Marker,
    chinese_to_int,
    is_attachment_list,
    match_attachment,
    match_heading,
    split_title,
)
from corpus.metadata import Sources, read_meta
from corpus.model import (
    Cell,
    Document,
    DocumentMeta,
    Element,
    ElementKind,
    Heading,
    Kind,
    Provision,
    Table,
)
from corpus.readers import Rendition, TableGrid, read_path
from corpus.splitting import split_body
from corpus.tables import (
    ParsedTable,
    build_grid_table,
    build_table,
    looks_like_table,
    render_row,
    scan_table,
    table_number,
)
from corpus.text import Line, split_lines

_TITLE_MAX = 60
_LOST_NUMBER_MAX = 30
_LIST_ITEM_MAX = 120
COVER_LABEL = "印发通知"  # the label of a cover notice that issues the document


@dataclass
class Block:
    """A run of lines with one meaning: a heading, a paragraph line, a table, a note…"""

    kind: str  # heading | attachment | paragraph | table | note | attachment_list
    lines: list[Line]
    match: HeadingMatch | None = None
    attachment: AttachmentMatch | None = None
    table: ParsedTable | None = None
    title_lines: list[Line] = field(default_factory=list)
    inferred: bool = False


@dataclass
class Node:
    """A heading (or the document root, or an attachment) with what stands under it."""

    marker: Marker | None
    number: int | None
    heading: str  # the heading as shown in paths, e.g. 四、完善要素支撑
    title: str
    lines: list[Line]  # the heading's own lines (marker and title lines)
    items: list[tuple[str, object]] = field(default_factory=list)
    parent: Node | None = None
    inferred: bool = False
    body_on_line: bool = False
    written: str = ""
    label: str = ""
    listed: bool = False  # a one-sentence item of a list introduced by a lead-in (…：)
    suffix: str = ""  # 之一 of an inserted article: 第十七条之一 comes after 第十七条

    @property
    def order(self) -> tuple[int, int]:
        """Where the heading stands in its numbering (第十七条 < 第十七条之一 < 第十八条)."""
        assert self.number is not None
        return self.number, chinese_to_int(self.suffix[1:]) if self.suffix else 0

    def children(self) -> list[Node]:
        return [item for kind, item in self.items if kind == "node"]  # type: ignore[misc]

    def ancestors(self) -> list[Node]:
        chain = []
        node = self.parent
        while node is not None and node.parent is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def is_list_item(self) -> bool:
        """A one-sentence item (（一）存量的商业用房；): text after it belongs to its parent.

        A heading with a one-sentence title (（一）指导思想。) is not one: its body follows.
        """
        return self.listed and self.body_on_line and len(self.items) == 1


def _listed(parent: Node, text: str) -> bool:
    """Whether a numbered line with body is an item of a list: it ends with ；, or with 。 after a
    lead-in sentence ending with ： or after another such item."""
    if len(text) > _LIST_ITEM_MAX or re.search(r"[。；;]", text[:-1]):
        return False
    if text.endswith(("；", ";")):
        return True
    if not text.endswith("。") or not parent.items:
        return False
    kind, item = parent.items[-1]
    if kind == "node":
        return isinstance(item, Node) and item.listed
    return kind == "para" and isinstance(item, Line) and item.text.endswith(("：", ":"))


def parse_file(path: Path | str, document_id: str | None = None, *,
               jurisdiction: str | None = None) -> Document:
    """Read and parse one file of any supported format; the id defaults to the file's stem."""
    path = Path(path)
    return parse_rendition(read_path(path), document_id or path.stem, jurisdiction=jurisdiction)


def parse_text(text: str, document_id: str = "document", *, encoding: str = "utf-8") -> Document:
    """Parse plain text (the rendition of a text file is the text itself)."""
    return parse_rendition(Rendition(text, "text", encoding), document_id)


def parse_rendition(rendition: Rendition, document_id: str = "document", *,
                    jurisdiction: str | None = None, gazetteer: Gazetteer | None = None) -> Document:
    """Parse a rendition into its heading tree, provisions and metadata.

    Args:
        jurisdiction: the place the document belongs to, when its text does not say.
        gazetteer: the divisions used to resolve the jurisdiction (the newest by default).
    """
    text = rendition.text
    lines = split_lines(text)
    header_end = find_header_end(lines)
    footer_start = find_footer_start(lines, header_end)
    signature = find_signature(lines, header_end, footer_start)
    grids = {_line_at(lines, grid.start): grid for grid in rendition.tables}
    blocks = _scan(lines, text, header_end, footer_start, grids, signature)
    _restore_lost_numbers(blocks)
    _claim_table_titles(blocks)
    root = _build_tree(blocks)
    sources = Sources(
        header=lines[:header_end],
        signature=lines[signature[0]:signature[1]] if signature else [],
        footer=lines[footer_start:],
        opening=[line for line in lines[:footer_start] if not line.is_blank][:8],
        attachment_title=_standalone_attachment_title(root),
        heading_titles=[text[h.start:h.end] for h in rendition.headings[:2]
                        if h.level == 1 and h.start < (lines[header_end].start if header_end < len(lines)
                                                       else len(text))],
        text=text[:_main_text_end(root, len(text))], properties=rendition.properties)
    meta = read_meta(sources, gazetteer or default_gazetteer(), rendition.format, rendition.encoding,
                     jurisdiction)
    return _Assembler(document_id, rendition, meta).assemble(
        root, blocks, lines[:header_end], lines[footer_start:], sources.signature)


def _line_at(lines: list[Line], offset: int) -> int:
    return bisect.bisect_right([line.start for line in lines], offset) - 1


def _main_text_end(root: Node, default: int) -> int:
    """Where the main text ends: at the first attachment, whose own 施行 or 有效期 sentences
    speak for the attachment, not the document."""
    for kind, item in root.items:
        if kind == "node" and isinstance(item, Node) and item.marker is Marker.ATTACHMENT and item.lines:
            return item.lines[0].start
    return default


def _standalone_attachment_title(root: Node) -> str | None:
    """A file that is one attachment (附件1, then its title) is titled by the attachment."""
    if root.items and root.items[0][0] == "node":
        first = root.items[0][1]
        assert isinstance(first, Node)
        if first.marker is Marker.ATTACHMENT and first.title:
            return first.title
    return None


# --- reading lines into blocks ------------------------------------------------------------


def _title_like(line: Line, limit: int = _TITLE_MAX) -> bool:
    text = line.text
    return (0 < len(text) <= limit and not text.endswith(("。", "；", "，", "：", ":", "、"))
            and "：" not in text and match_heading(text) is None
            and match_attachment(text) is None and not line.is_cell)


def _scan(lines: list[Line], text: str, begin: int, end: int, grids: dict[int, TableGrid],
          signature: tuple[int, int] | None) -> list[Block]:
    blocks: list[Block] = []
    markers = [i for i in range(begin, end) if match_attachment(lines[i].text) is not None]
    index = begin
    while index < end:
        line = lines[index]
        if signature and index == signature[0]:
            index = signature[1]
            continue
        if index in grids:
            grid = grids[index]
            after = _line_at(lines, max(grid.start, grid.end - 1)) + 1
            blocks.append(Block("table", lines[index:after], table=build_grid_table(grid, text)))
            index = after
            continue
        if line.is_cell:
            rows, after = scan_table(lines, index, end)
            if looks_like_table(rows):
                blocks.append(Block("table", lines[index:after], table=build_table(rows)))
                index = after
                continue
        if line.is_blank:
            index += 1
            continue
        content = line.text
        attachment = match_attachment(content)
        if attachment is not None and attachment.title and any(i > index for i in markers):
            # 附件：职责分工 before a later 附件 marker lists the attachment; it does not start it.
            blocks.append(Block("attachment_list", [line]))
            index += 1
            continue
        if attachment is not None:
            block = Block("attachment", [line], attachment=attachment)
            index += 1
            while index < end and len(block.title_lines) < 3:
                following = lines[index]
                if following.is_blank:
                    index += 1
                elif attachment.number is None and not block.title_lines \
                        and re.fullmatch(r"\d{1,2}", following.text):
                    # 附件 and its number on separate lines, as a PDF may lay them out.
                    attachment = AttachmentMatch(int(following.text), attachment.title)
                    block.attachment = attachment
                    block.lines.append(following)
                    index += 1
                elif _title_like(following, 40) and index not in grids:
                    block.title_lines.append(following)
                    index += 1
                else:
                    break
            blocks.append(block)
            continue
        if is_attachment_list(content):
            block = Block("attachment_list", [line])
            index += 1
            while index < end and re.match(r"^\d{1,2}[.．、]", lines[index].text) \
                    and len(lines[index].text) <= _TITLE_MAX:
                block.lines.append(lines[index])
                index += 1
            blocks.append(block)
            continue
        if content.startswith(("注：", "注:")) and blocks and blocks[-1].kind == "table":
            block = Block("note", [line])
            index += 1
            expected = 2
            while index < end and not lines[index].is_cell:
                found = match_heading(lines[index].text)
                if lines[index].is_blank:
                    index += 1
                    continue
                if found and found.marker is Marker.NUM and found.number == expected:
                    block.lines.append(lines[index])
                    expected += 1
                    index += 1
                else:
                    break
            blocks.append(block)
            continue
        found = match_heading(content)
        blocks.append(Block("heading", [line], match=found) if found else Block("paragraph", [line]))
        index += 1
    return blocks


def _restore_lost_numbers(blocks: list[Block]) -> None:
    """A short unnumbered line between （一） and （三） is the （二） that extraction lost."""
    positions: dict[Marker, list[int]] = {}
    for position, block in enumerate(blocks):
        if block.kind == "heading" and block.match:
            positions.setdefault(block.match.marker, []).append(position)
    attachments = [i for i, block in enumerate(blocks) if block.kind == "attachment"]

    def region(position: int) -> int:
        return bisect.bisect_right(attachments, position)

    for position, block in enumerate(blocks):
        if block.kind != "paragraph" or not _title_like(block.lines[0], _LOST_NUMBER_MAX):
            continue
        for marker in sorted(positions, key=lambda m: m.value):
            places = positions[marker]
            at = bisect.bisect_left(places, position)
            if at == 0 or at == len(places):
                continue
            before, after = blocks[places[at - 1]], blocks[places[at]]
            assert before.match and after.match
            if (region(places[at - 1]) == region(position) == region(places[at])
                    and after.match.number == before.match.number + 2
                    and not _higher_between(blocks, positions, marker, places[at - 1], places[at])):
                text = block.lines[0].text
                block.kind = "heading"
                block.inferred = True
                block.match = HeadingMatch(marker, before.match.number + 1, "", text)
                places.insert(at, position)
                break


def _higher_between(blocks: list[Block], positions: dict[Marker, list[int]], marker: Marker,
                    left: int, right: int) -> bool:
    for other, places in positions.items():
        if other.value < marker.value:
            at = bisect.bisect_right(places, left)
            if at < len(places) and places[at] < right:
                return True
    return False


def _claim_table_titles(blocks: list[Block]) -> None:
    """The short line(s) just above a table are its title (表1．…, 涟水县…发展指标)."""
    for position, block in enumerate(blocks):
        if block.kind != "table" or block.table is None or block.table.title:
            continue
        first = block.lines[0].index
        claimed: list[Block] = []
        back = position - 1
        while back >= 0 and len(claimed) < 2:
            previous = blocks[back]
            gap = first - previous.lines[-1].index
            if previous.kind != "paragraph" or gap > 3 or not _title_like(previous.lines[0]):
                break
            claimed.insert(0, previous)
            first = previous.lines[0].index
            back -= 1
        for previous in claimed:
            previous.kind = "table_title"
        if claimed:
            block.title_lines = [b.lines[0] for b in claimed]


# --- the heading tree ------------------------------------------------------------------------


def _build_tree(blocks: list[Block]) -> Node:
    root = Node(None, None, "", "", [])
    stack = [root]
    for block in blocks:
        top = stack[-1]
        if block.kind == "attachment":
            assert block.attachment is not None
            del stack[1:]
            marker_line = block.lines[0].text
            titles = [line.text for line in block.title_lines]
            if titles and titles[0] == block.attachment.title:
                titles = titles[1:]
            title = block.attachment.title or "".join(titles)
            heading = " ".join([marker_line, "".join(titles)]).strip()
            node = Node(Marker.ATTACHMENT, block.attachment.number, heading, title,
                        block.lines + block.title_lines, parent=root)
            root.items.append(("node", node))
            stack.append(node)
        elif block.kind == "heading":
            assert block.match is not None
            marker = block.match.marker
            if marker.value > Marker.ARTICLE.value and any(n.marker is Marker.ARTICLE for n in stack):
                # The 款 and 项 of an article ((一) 编制专项规划；) are part of it: the article is
                # the unit a regulation is cited by (第四条), so its items stay in its text.
                stack[-1].items.append(("para", block.lines[0]))
                continue
            if any(node.marker is marker for node in stack[1:]):
                while stack[-1].marker is not marker:
                    stack.pop()
                stack.pop()
            else:
                while len(stack) > 1 and stack[-1].marker is not None and \
                        stack[-1].marker.value >= marker.value:
                    stack.pop()
            line = block.lines[0]
            if block.inferred:
                title, body = line.text, False
            else:
                title, body = split_title(block.match.rest)
            written = block.match.written
            # Paths show the heading as written, up to the end of its title (第一章　总则).
            title_end = line.text.find(title, len(written)) + len(title) if title else len(written)
            node = Node(marker, block.match.number, line.text[:title_end].strip(), title, [line],
                        parent=stack[-1], inferred=block.inferred, body_on_line=body,
                        written=written, listed=body and _listed(stack[-1], line.text),
                        suffix=block.match.suffix)
            if body:
                node.items.append(("para", line))
            stack[-1].items.append(("node", node))
            stack.append(node)
        elif block.kind == "paragraph":
            while len(stack) > 1 and stack[-1].is_list_item:
                stack.pop()
            stack[-1].items.append(("para", block.lines[0]))
        elif block.kind == "table":
            top.items.append(("table", block))
        elif block.kind == "note":
            top.items.append(("note", block))
        else:
            # Table titles and attachment lists are elements of their own: body text on either
            # side of one must not run together into a single provision.
            top.items.append(("break", block))
    return root


# --- assembling provisions, labels and elements ------------------------------------------------


class _Assembler:
    def __init__(self, document_id: str, rendition: Rendition, meta: DocumentMeta) -> None:
        self.document_id = document_id
        self.rendition = rendition
        self.text = rendition.text
        self.meta = meta
        self.provisions: list[Provision] = []
        self.tables: list[Table] = []
        self.elements: list[Element] = []
        self.ids: set[str] = set()
        self.node_tables: dict[int, list[str]] = {}  # id(node) -> labels of its tables

    def assemble(self, root: Node, blocks: list[Block], header: list[Line], footer: list[Line],
                 signature: list[Line]) -> Document:
        self._header(header)
        has_headings = any(kind == "node" for kind, _ in root.items)
        root.label = "引言" if has_headings else "正文"
        self._label(root)
        self._emit(root)
        for block in blocks:
            if block.kind == "table_title":
                self._span_element(ElementKind.TABLE_TITLE, block.lines)
            elif block.kind == "attachment_list":
                self._span_element(ElementKind.ATTACHMENT_LIST, block.lines)
        self._span_element(ElementKind.SIGNATURE, signature)
        self._span_element(ElementKind.FOOTER, footer)
        self.elements.sort(key=lambda element: element.start)
        self.provisions.sort(key=lambda provision: provision.start)
        return Document(self.document_id, self.text, self.meta, self._outline(root),
                        tuple(self.provisions), tuple(self.tables), tuple(self.elements),
                        self.rendition.warnings)

    def _header(self, header: list[Line]) -> None:
        """The header is one element, except a cover notice's own text: from its addressees to
        its signature date, the notice that issues the document is a provision (印发通知)."""
        filled = [line for line in header if not line.is_blank]
        promulgating = next((i for i, line in enumerate(filled) if PROMULGATION.search(line.text)), None)
        if promulgating is None:
            self._span_element(ElementKind.HEADER, filled)
            return
        first = promulgating
        if first > 0 and filled[first - 1].text.endswith(("：", ":")):
            first -= 1
        last = promulgating
        for index in range(promulgating + 1, min(len(filled), promulgating + 6)):
            if is_date(filled[index].text):
                last = index
                break
        while last + 1 < len(filled) and DISCLOSURE.match(compact(filled[last + 1].text)):
            last += 1
        if last == promulgating:
            last = max(last, next((i for i in range(promulgating + 1, len(filled))
                                   if not PROMULGATION.search(filled[i].text)), len(filled)) - 1)
        self._span_element(ElementKind.HEADER, filled[:first])
        start, end = filled[first].content_start, filled[last].content_end
        self._add(Provision(self._id(COVER_LABEL, None), self.document_id, Kind.CLAUSE, COVER_LABEL,
                            None, (), self.text[start:end], start, end,
                            tuple(dept.departments_in(self.text[start:end]))))
        self._span_element(ElementKind.HEADER, filled[last + 1:])

    def _span_element(self, kind: ElementKind, lines: list[Line]) -> None:
        filled = [line for line in lines if not line.is_blank]
        if filled:
            self.elements.append(Element(kind, filled[0].content_start, filled[-1].content_end))

    # Labels ------------------------------------------------------------------------------

    def _label(self, root: Node) -> None:
        """Give every node the label people cite it by.

        A numbering that runs on across its parents (江苏省's （一）…（二十三） under five parts,
        第一条… across chapters) is unique in its region and cited alone: （十一）, 第十一条.
        A numbering that restarts under each parent is cited with its parents: 四（二）3.
        """
        regions = [root] + [node for node in root.children() if node.marker is Marker.ATTACHMENT]
        for region in regions:
            if region.marker is Marker.ATTACHMENT:
                region.label = "附件" + (str(region.number) if region.number is not None else "")
            by_marker: dict[Marker, list[Node]] = {}
            for node in _walk(region):
                if node.marker is not None and node.marker is not Marker.ATTACHMENT:
                    by_marker.setdefault(node.marker, []).append(node)
            running = {
                marker for marker, nodes in by_marker.items()
                if len({id(n.parent) for n in nodes}) > 1
                and all(b.order > a.order for a, b in itertools.pairwise(nodes))
            }
            prefix = region.label + " " if region.marker is Marker.ATTACHMENT else ""
            for node in _walk(region):
                if node is region or node.marker is None:
                    continue
                assert node.number is not None
                piece = node.marker.label_piece(node.number) + node.suffix
                parent = node.parent
                if node.marker in running or parent is region or parent is None:
                    node.label = prefix + piece
                else:
                    separator = "、" if parent.marker is Marker.CN and node.marker in (
                        Marker.NUM, Marker.CN_SHI) else ""
                    node.label = parent.label + separator + piece

    # Provisions ------------------------------------------------------------------------------

    def _emit(self, node: Node) -> None:
        path = tuple(n.heading for n in node.ancestors()) + ((node.heading,) if node.parent else ())
        if node.parent is not None and not node.items and not node.body_on_line \
                and node.marker is not Marker.ATTACHMENT:
            # A numbered line with nothing under it is itself the unit's text.
            node.items.append(("para", node.lines[0]))
        elif node.parent is not None:
            for line in node.lines[1:] if node.body_on_line else node.lines:
                self._span_element(ElementKind.HEADING, [line])
        parts: list[tuple[int, int, list[Line]]] = []
        run: list[Line] = []
        table_count = sum(1 for kind, _ in node.items if kind == "table")
        table_index = 0
        last_table: Table | None = None
        for kind, item in [*node.items, ("end", None)]:
            if kind == "para":
                run.append(item)  # type: ignore[arg-type]
                continue
            parts.extend(self._run_parts(node, path, run))
            run = []
            if kind == "table":
                table_index += 1
                last_table = self._emit_table(node, path, item, table_index, table_count)  # type: ignore[arg-type]
            elif kind == "note" and last_table is not None:
                last_table = self._emit_note(last_table, path, item)  # type: ignore[arg-type]
        for number, (start, end, lines) in enumerate(parts, start=1):
            part = number if len(parts) > 1 else None
            names = dept.departments_in(" ".join(line.raw for line in lines))
            self._add(Provision(
                self._id(node.label, part), self.document_id, Kind.CLAUSE, node.label, part, path,
                self.text[start:end], start, end, tuple(names)))
        for child in node.children():
            self._emit(child)

    def _run_parts(self, node: Node, path: tuple[str, ...], run: list[Line]
                   ) -> list[tuple[int, int, list[Line]]]:
        """The body parts of a run of paragraph lines; a list of department duties
        (省教育厅负责…, one per line) gives each department's line a provision of its own."""
        duties = dept.duty_lines([line.text for line in run])
        if not duties:
            return self._body_parts(run)
        parts: list[tuple[int, int, list[Line]]] = []
        segment: list[Line] = []
        for position, line in enumerate([*run, None]):
            if line is not None and position not in duties:
                segment.append(line)
                continue
            parts.extend(self._body_parts(segment))
            segment = []
            if line is None:
                break
            name = duties[position]
            label = f"{node.label} {name}" if node.parent is not None else name
            start, end = line.content_start, line.content_end
            self._add(Provision(self._id(label, None), self.document_id, Kind.CLAUSE, label, None, path,
                                self.text[start:end], start, end, (name,)))
        return parts

    def _body_parts(self, run: list[Line]) -> list[tuple[int, int, list[Line]]]:
        spans = [(line.content_start, line.content_end) for line in run]
        parts = []
        for start, end in split_body(self.text, spans):
            lines = [line for line in run if line.content_start < end and line.content_end > start]
            parts.append((start, end, lines))
        return parts

    def _emit_table(self, node: Node, path: tuple[str, ...], block: Block, index: int,
                    count: int) -> Table:
        table = block.table
        assert table is not None
        title = table.title or "".join(line.text for line in block.title_lines) or node.title
        number = table_number(title)
        if number is not None:
            label = f"表{number}"
        else:
            base = node.label if node.parent is not None else ""
            label = base + (f"表{index}" if count > 1 or not base else "")
        if table.title_span:
            self.elements.append(Element(ElementKind.TABLE_TITLE, *table.title_span))
        for start, end in table.header_spans:
            self.elements.append(Element(ElementKind.TABLE_HEADER, start, end))
        for start, end in table.caption_spans:
            self.elements.append(Element(ElementKind.TABLE_CAPTION, start, end))
        # The attachment's own title often is the table's: do not say it twice.
        row_path = (*path, title) if title and not (path and path[-1].endswith(title)) else path
        department_columns = table.department_columns()
        row_ids = []
        for number, row in enumerate(table.rows, start=1):
            row_label = f"{label} 第{number}行"
            cells = []
            for position, (column, raw) in enumerate(row.cells):
                span = raw.span
                if raw.value and span:
                    cells.append(Cell(column, raw.value, span[0], span[1]))
                elif position in row.carried:
                    value, (start, end) = row.carried[position]
                    cells.append(Cell(column, value, start, end, carried=True))
            names: list[str] = []
            for position in department_columns:
                for cell in cells:
                    if cell.column == table.columns[position]:
                        names += [n for n in dept.split_departments(cell.value) if n not in names]
            provision = Provision(
                self._id(row_label, None), self.document_id, Kind.TABLE_ROW, row_label, None,
                row_path, render_row(title, row), row.span[0], row.span[1], tuple(names),
                tuple(cells), label)
            self._add(provision)
            row_ids.append(provision.id)
        result = Table(label, title, tuple(table.columns), tuple(row_ids), (), table.start,
                       table.end)
        self.node_tables.setdefault(id(node), []).append(label)
        self.tables.append(result)
        return result

    def _emit_note(self, table: Table, path: tuple[str, ...], block: Block) -> Table:
        start, end = block.lines[0].content_start, block.lines[-1].content_end
        label = f"{table.label} 注"
        note_path = (*path, table.title) if not (path and path[-1].endswith(table.title)) else path
        provision = Provision(self._id(label, None), self.document_id, Kind.CLAUSE, label, None,
                              note_path, self.text[start:end], start, end, (), (),
                              table.label)
        self._add(provision)
        updated = Table(table.label, table.title, table.columns, table.row_ids,
                        (*table.note_ids, provision.id), table.start, table.end)
        self.tables[self.tables.index(table)] = updated
        return updated

    def _id(self, label: str, part: int | None) -> str:
        base = f"{self.document_id}:{label.replace(' ', '')}" + (f"~{part}" if part else "")
        candidate, n = base, 1
        while candidate in self.ids:  # never expected; keeps ids unique if a document repeats a label
            n += 1
            candidate = f"{base}^{n}"
        self.ids.add(candidate)
        return candidate

    def _add(self, provision: Provision) -> None:
        page = self.rendition.page_at(provision.start)
        if page is not None:
            provision = replace(provision, page=page)
        self.provisions.append(provision)
        self.elements.append(Element(ElementKind.PROVISION, provision.start, provision.end))

    # Outline ------------------------------------------------------------------------------

    def _outline(self, root: Node) -> tuple[Heading, ...]:
        return tuple(self._heading(child) for child in root.children())

    def _heading(self, node: Node) -> Heading:
        line = node.lines[0]
        marker = node.label if node.marker is Marker.ATTACHMENT else node.written
        return Heading(node.label, marker, node.title, line.content_start, line.content_end,
                       node.inferred, tuple(self._heading(child) for child in node.children()),
                       tuple(self.node_tables.get(id(node), [])))


def _walk(node: Node) -> list[Node]:
    """The node and its descendants in document order, not entering attachments below it."""
    found = [node]
    for child in node.children():
        if child.marker is not Marker.ATTACHMENT:
            found.extend(_walk(child))
    return found
