"""Word binary files: legacy .doc, and Kingsoft .wps (WPS Office saves .wps in the same OLE2 format).

No maintained Python library reads the Word 97–2003 binary format, so two programs do, and this
module reads what they write:

* Debian's ``antiword`` first: about 10 ms a file, writing DocBook XML with paragraphs, heading
  sections and tables (``antiword -x db``; its plain-text output wraps lines and draws tables with
  ``|``, so the XML is the more faithful of the two; both carry Chinese text and full-width
  punctuation as written). antiword 0.37 (2005) has gaps, and where its output shows one, its
  rendition is not used: it does not print automatic numbering (a numbered list comes out as
  ``<orderedlist>`` without its 1. 2. 3., numbered headings lose their 一、), and it loses tables
  it cannot lay out, writing their cells into one paragraph separated by `` |``.
* LibreOffice headless otherwise (antiword missing, refusing the file, returning nothing, or
  showing one of those gaps): about 2–3 s a file, most of it spent making a private profile,
  converting to .docx, which :mod:`corpus.readers.docx` reads with its numbering and real merged
  cells.

Password-protected files are recognised here, from the OLE2 directory and the Word header, before
either program runs: LibreOffice would only say it could not load them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.errors import CorruptDocument, EncryptedDocument, UnsupportedFormat
from corpus.readers import docx
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.normalise import clean_line

ANTIWORD_TIMEOUT = 30  # seconds; antiword reads a large file in well under one
LIBREOFFICE_TIMEOUT = 180  # seconds; a first start creates the profile, a large file takes a while

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Bytes that XML 1.0 forbids; antiword passes some Word control characters through.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SECTIONS = {"chapter": 1, "sect1": 2, "sect2": 3, "sect3": 4, "sect4": 5, "sect5": 6}
_PASSWORD_PROTECTED = ("this Word file is password-protected: open it in Word or WPS with its password, "
                       "save a copy without one and add that")
_INSTALL = "apt-get install antiword (or LibreOffice: apt-get install libreoffice-writer-nogui)"


class _Unreadable(Exception):
    """antiword could not give a rendition; the message says why."""


def read(data: bytes) -> Rendition:
    """The rendition of a Word binary file (.doc or .wps).

    Raises:
        EncryptedDocument: the file is password-protected (including an encrypted .docx, which
            Word stores in the same OLE2 container).
        UnsupportedFormat: an OLE2 file of another kind (.xls, .ppt), or neither antiword nor
            LibreOffice is installed.
        CorruptDocument: not an OLE2 file, or damaged so that neither program can read it.
        EmptyDocument: the file holds no text.
    """
    _check_container(data)
    antiword, soffice = shutil.which("antiword"), shutil.which("soffice") or shutil.which("libreoffice")
    if antiword is None and soffice is None:
        raise UnsupportedFormat(f"reading Word .doc and .wps files needs antiword or LibreOffice: {_INSTALL}")
    with tempfile.TemporaryDirectory(prefix="policy-qa-doc-") as tmp:
        workdir = Path(tmp)
        path = workdir / "document.doc"
        path.write_bytes(data)
        first, reason = _try_antiword(antiword, path, workdir)
        if first is not None and (not first.warnings or soffice is None):
            return first  # complete, or the best there is
        if soffice is None:
            raise CorruptDocument(f"this Word file cannot be read: {reason}; install LibreOffice to try it "
                                  "(apt-get install libreoffice-writer-nogui)")
        try:
            return _read_with_libreoffice(soffice, path, workdir, reason)
        except CorruptDocument:
            if first is None:
                raise
            return first


def _try_antiword(program: str | None, path: Path, workdir: Path) -> tuple[Rendition | None, str]:
    """antiword's rendition, with what it left out as warnings, and why LibreOffice should read
    the file instead: the rendition is None where antiword could not read it."""
    if program is None:
        return None, "antiword is not installed"
    try:
        rendition = _read_with_antiword(program, path, workdir)
    except _Unreadable as failure:
        return None, str(failure)
    return rendition, "; ".join(rendition.warnings)


def _check_container(data: bytes) -> None:
    """Refuse what is not a readable Word binary before any program sees it."""
    if not data.startswith(_OLE2):
        raise CorruptDocument("this is not a Word .doc or .wps file: it does not start with the OLE2 "
                              "signature a Word binary file starts with")
    if (_has_stream(data, "EncryptedPackage") or _has_stream(data, "EncryptionInfo")
            or _word_encrypted(data)):
        raise EncryptedDocument(_PASSWORD_PROTECTED)
    if not _has_stream(data, "WordDocument"):
        if _has_stream(data, "Workbook") or _has_stream(data, "Book"):
            raise UnsupportedFormat("unsupported format: an Excel workbook (.xls), not a Word document")
        if _has_stream(data, "PowerPoint Document"):
            raise UnsupportedFormat("unsupported format: a PowerPoint presentation (.ppt), not a Word file")
        raise CorruptDocument("this OLE2 file holds no Word document: it is damaged, or of another format")


def _has_stream(data: bytes, name: str) -> bool:
    return _directory_entry(data, name) is not None


def _directory_entry(data: bytes, name: str) -> int | None:
    """Where the OLE2 directory entry of the stream called ``name`` starts, if there is one.

    A directory entry is 128 bytes at a 128-byte boundary of the file, starting with the name in
    UTF-16 and giving the name's byte length (with its terminating NUL) at offset 64; requiring
    both keeps a document's own text from passing for a stream name.
    """
    encoded = name.encode("utf-16-le")
    length = (len(encoded) + 2).to_bytes(2, "little")
    start = data.find(encoded)
    while start != -1:
        if start % 128 == 0 and data[start + 64:start + 66] == length:
            return start
        start = data.find(encoded, start + 1)
    return None


def _word_encrypted(data: bytes) -> bool:
    """Whether the Word binary's own header (its FIB) says the document is encrypted.

    Word 97–2003 encrypts the document inside the WordDocument stream and sets fEncrypted (bit 8
    of the flags at offset 10 of the FIB, which opens the stream). Only the stream's first sector
    is read, located from the OLE2 header (sector size) and the directory entry (first sector).
    """
    entry = _directory_entry(data, "WordDocument")
    shift = int.from_bytes(data[30:32], "little")
    if entry is None or shift not in (9, 12):  # 512- or 4096-byte sectors
        return False
    first_sector = int.from_bytes(data[entry + 116:entry + 120], "little")
    size = int.from_bytes(data[entry + 120:entry + 124], "little")
    if size < 4096:  # a stream this small lives in the mini stream: no real Word document does
        return False
    offset = (first_sector + 1) << shift
    fib = data[offset:offset + 12]
    return fib[:2] in (b"\xec\xa5", b"\xdc\xa5") and bool(int.from_bytes(fib[10:12], "little") & 0x0100)


def _run(command: list[str], timeout: float, home: Path) -> subprocess.CompletedProcess[bytes] | None:
    """Run a program with its own HOME; None when it timed out.

    The program gets a session of its own so that a timeout ends everything it started
    (LibreOffice's launcher starts the office as a child process).
    """
    environment = {**os.environ, "HOME": str(home)}
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
                                   start_new_session=True)
    except OSError as error:
        raise _Unreadable(f"{Path(command[0]).name} could not be started ({error})") from error
    with process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


# --- antiword ---------------------------------------------------------------------------------


def _read_with_antiword(program: str, path: Path, workdir: Path) -> Rendition:
    """antiword's rendition of the file, with the gaps its output shows as warnings.

    Raises:
        EncryptedDocument: antiword says the file is encrypted.
        _Unreadable: antiword refused the file, timed out, or wrote no text.
    """
    result = _run([program, "-x", "db", str(path)], ANTIWORD_TIMEOUT, workdir)
    if result is None:
        raise _Unreadable(f"antiword took longer than {ANTIWORD_TIMEOUT} s")
    message = result.stderr.decode("utf-8", "replace").replace(str(path), "the file").strip()
    if "encrypted" in message.lower():  # where the header check missed it ("Encrypted documents…")
        raise EncryptedDocument(_PASSWORD_PROTECTED)
    if result.returncode != 0:
        first_line = message.splitlines()[0] if message else "no reason given"
        raise _Unreadable(f"antiword cannot read it ({first_line})")
    try:
        root = ET.fromstring(_NOT_XML.sub(b"", result.stdout))
    except ET.ParseError as error:
        raise _Unreadable(f"antiword wrote XML that does not parse ({error})") from error
    writer = _DocBookWriter()
    writer.element(root)
    rendition = writer.builder.build("doc", warnings=tuple(writer.gaps()))
    if not rendition.text:
        raise _Unreadable("antiword found no text in it")
    return rendition


@dataclass
class _DocBookWriter:
    """Writes antiword's DocBook to a rendition, noting what antiword showed it left out."""

    builder: RenditionBuilder = field(default_factory=RenditionBuilder)
    numbered_lists: int = 0
    section_titles: int = 0
    lost_tables: int = 0

    def gaps(self) -> list[str]:
        gaps = []
        if self.numbered_lists:
            gaps.append("antiword does not print the numbers of automatically numbered lists")
        if self.section_titles:
            gaps.append("antiword leaves out the numbers (一、, 第一章) of headings Word numbers "
                        "automatically, if these headings have any")
        if self.lost_tables:
            gaps.append("antiword could not lay out a table and ran its cells together")
        return gaps

    def element(self, element: ET.Element) -> None:
        tag = element.tag
        if tag in ("bookinfo", "footnote"):
            return  # antiword's document properties are mis-decoded for Chinese; footnotes are not text
        if tag in _SECTIONS:
            self._section(element, _SECTIONS[tag])
        elif tag == "para":
            self._para(element)
        elif tag == "informaltable":
            self._table(element)
        else:
            if tag == "orderedlist":
                self.numbered_lists += 1
            for child in element:
                self.element(child)

    def _section(self, section: ET.Element, level: int) -> None:
        title = section.find("title")
        if title is not None and self.builder.line(clean_line(_inline_text(title)), level):
            self.section_titles += 1
        for child in section:
            if child.tag != "title":
                self.element(child)

    def _para(self, para: ET.Element) -> None:
        """A paragraph; antiword also puts a table inside a paragraph, so text around it is kept apart."""
        parts = [para.text or ""]
        for child in para:
            if child.tag == "informaltable":
                self._line("".join(parts))
                self._table(child)
                parts = []
            elif child.tag != "footnote":
                parts.append(_inline_text(child))
            parts.append(child.tail or "")
        self._line("".join(parts))

    def _line(self, text: str) -> None:
        if text.count(" |") >= 2:  # the cell marks of a table antiword could not lay out
            self.lost_tables += 1
        self.builder.line(clean_line(text))

    def _table(self, table: ET.Element) -> None:
        # antiword does not say which cells are merged: a merged cell is one entry and the cells
        # it covers are empty entries, so origins stay unknown (LibreOffice's path has them).
        for group in table.iter("tgroup"):
            header = group.findall("thead/row")
            rows = header + group.findall("tbody/row") + group.findall("tfoot/row")
            texts: list[list[str | None]] = [[_entry_text(entry) for entry in row.findall("entry")]
                                             for row in rows]
            self.builder.table(texts, len(header) or 1)


def _inline_text(element: ET.Element) -> str:
    """The text of an element and its inline children (emphasis, links), without footnotes."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != "footnote":
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _entry_text(entry: ET.Element) -> str:
    """A table cell's paragraphs joined with a space."""
    paras = entry.findall("para")
    texts = [clean_line(_inline_text(para)) for para in paras] if paras else [clean_line(_inline_text(entry))]
    return " ".join(text for text in texts if text)


# --- LibreOffice ------------------------------------------------------------------------------


def _read_with_libreoffice(program: str, path: Path, workdir: Path, reason: str) -> Rendition:
    """Convert the file to .docx with LibreOffice headless and read that.

    The import filter is named so that LibreOffice cannot fall back to reading a damaged file as
    plain text (it would, and the rendition would be the file's bytes). Its profile lives in the
    temporary folder, so that runs never share or lock one.

    Raises:
        CorruptDocument: LibreOffice could not convert the file either.
    """
    outdir = workdir / "converted"
    profile = workdir / "libreoffice-profile"
    result = _run([program, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={profile.as_uri()}", "--infilter=MS Word 97",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(path)],
                  LIBREOFFICE_TIMEOUT, workdir)
    converted = outdir / "document.docx"
    if result is None or not converted.is_file():
        failure = f"it took longer than {LIBREOFFICE_TIMEOUT} s" if result is None else "it could not load it"
        raise CorruptDocument(f"this Word file is damaged: {reason}, and LibreOffice could not convert it "
                              f"either ({failure})")
    return replace(docx.read(converted.read_bytes()), format="doc")
