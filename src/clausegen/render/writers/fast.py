"""The Word writer: a skeleton prepared once, the body written as WordprocessingML text.

It is clausegen's only docx writer (:func:`clausegen.render.writers.word.render_docx` calls it) and
writes every block, images included (a media part, its relationship and a ``w:drawing``). A
skeleton is prepared once: style ids resolved by python-docx, fields compiled by the sandboxed
Jinja environment after docxtpl's own ``patch_xml``, unchanging parts deflated. Each document
then only renders the small field parts, writes the body as text and zips. A skeleton it
cannot use (a named style missing, no styles part…) raises :class:`UnusableSkeleton`, whose
French reason the caller reports with the skeleton's name; nothing falls back to another writer.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from functools import lru_cache
from typing import Any

from docx.shared import Cm
from jinja2 import Template
from markupsafe import Markup

from clausegen.blocks import (
    Block,
    Heading,
    Image,
    ListItem,
    PageBreak,
    Paragraph,
    Run,
    Table,
    TableOfContents,
)
from clausegen.cache.location import sources_digest
from clausegen.cache.store import SignedCache
from clausegen.render.writers import numbering, styles
from clausegen.render.writers.body_text import assembled_digest
from clausegen.render.writers.package import (
    BODY_PART,
    DESCRIPTION,
    LANGUAGE,
    ZipEntry,
    escape,
    escape_attribute,
)
from clausegen.render.writers.styles import (
    LETTER_STYLE_STAND_INS,
    PARAGRAPH_STYLE_NAMES,
    PARAGRAPH_STYLES,
    TABLE_STYLE,
    column_widths,
)
from clausegen.templating import SKELETON_CODE, render_bounded, skeleton_environment

MAX_PART_CHARS = 20_000_000
"""Longest field part (document, header, footer) a skeleton may render to, body excluded."""

BODY_MARK = "\ue000clausegen-corps\ue000"
"""Stands for the body while the skeleton's fields are rendered (private-use characters)."""

TABLE_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
              'w:noHBand="0" w:noVBand="1" w:val="04A0"/>')
KEPT_RAW = ("docProps/core.xml", "[Content_Types].xml", "_rels/.rels")
"""Parts changed for each document (core properties) or by the packaging (provenance)."""
_W_P = re.compile(r"<w:p([ >])")
_NEWLINE_W_P = re.compile(r"\n<w:p([ >])")
_BREAKS = re.compile(r"[\t\n\r]")


class UnusableSkeleton(ValueError):
    """A skeleton the writer cannot use; the message is the French reason (the caller names
    the file)."""


FRENCH_STYLE_NAMES = {"Normal": "Normal", "Heading 1": "Titre 1", "Heading 2": "Titre 2",
                      "Heading 3": "Titre 3", "Body Text": "Corps de texte",
                      "Body Text 2": "Corps de texte 2", "Body Text 3": "Corps de texte 3",
                      "Quote": "Citation", "List": "Liste", "List 2": "Liste 2",
                      "List Bullet": "Liste à puces", "List Bullet 2": "Liste à puces 2",
                      "Caption": "Légende", "Table Grid": "Grille du tableau"}
"""What Word in French calls the built-in styles (the skeleton stores the English name)."""


def missing_style(name: str) -> UnusableSkeleton:
    """The refusal of a skeleton that lacks the named style."""
    french = FRENCH_STYLE_NAMES.get(name, name)
    in_french = f" (« {french} » dans Word en français)" if french != name else ""
    return UnusableSkeleton(f"style « {name} » absent du modèle{in_french} : appliquez ce style une "
                            "fois dans le modèle (Word ou LibreOffice l'y enregistrent alors), ou "
                            "partez de templates/piece.docx, qui définit tous les styles nommés")


@dataclass(frozen=True)
class PreparedSkeleton:
    """A skeleton read once: its parts in order, its field templates, its style ids."""

    parts: tuple[tuple[str, Any], ...]
    """(member name, ZipEntry) for unchanging parts, (name, Template) for field parts,
    (name, bytes) for the core properties."""
    paragraph_styles: Mapping[str, str | None]
    table_style: str | None
    written: dict[Block, str] = field(default_factory=dict, compare=False, repr=False)
    """XML of blocks already written with this skeleton: most blocks recur from one
    dossier to the next (blocks are immutable, so they are safe keys)."""
    raw: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    """Uncompressed parts that the numbering of headings changes (styles, numbering…)."""
    numbered: dict[int, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)
    """Numbered parts by first article number, deflated once."""
    toc: list[numbering.TocStyles] = field(default_factory=list, compare=False, repr=False)
    """The table-of-contents styles, once read."""
    digest: str = ""
    """SHA-256 of the skeleton's bytes (key of its entries in the signed cache)."""

    @property
    def toc_styles(self) -> numbering.TocStyles:
        """Style ids of the table of contents (kept with the prepared skeleton)."""
        if not self.toc:
            key = f"toc|{self.digest}"
            kept = PREPARED.load_data(key)
            if _is_toc(kept):
                toc = numbering.TocStyles(title=kept[0], levels=(kept[1], kept[2]))
            else:
                toc = numbering.toc_styles(self.raw[numbering.STYLES_PART])
                PREPARED.store_data(key, (toc.title, *toc.levels))
            self.toc.append(toc)
        return self.toc[0]


def _is_toc(kept: Any) -> bool:
    return (isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[0], str | None)
            and all(isinstance(level, str) for level in kept[1:]))


def _inspect(skeleton: bytes) -> tuple[dict[str, str | None], str | None, set[str]]:
    """Through python-docx, once: the style ids of the named styles, and the parts docxtpl
    renders as templates (the document, its headers, footers and footnotes).
    :class:`UnusableSkeleton` when a named style is missing."""
    key = f"styles|{hashlib.sha256(skeleton).hexdigest()}"
    kept = PREPARED.load_data(key)
    if (isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[0], dict)
            and isinstance(kept[2], frozenset)):
        return kept[0], kept[1], set(kept[2])
    ids, table, names = _inspect_with_docx(skeleton)
    PREPARED.store_data(key, (ids, table, frozenset(names)))
    return ids, table, names


def _style_id(part: Any, name: str, kind: Any) -> str | None:
    """The id of a named style; its stand-in for a letter role the skeleton lacks."""
    stand_in = LETTER_STYLE_STAND_INS.get(name)
    for candidate in (name, stand_in) if stand_in else (name,):
        try:
            return part.get_style_id(candidate, kind)  # type: ignore[no-any-return]
        except KeyError:  # python-docx: no style with that name
            continue
        except ValueError:  # python-docx: a style of another kind (character, table…)
            raise UnusableSkeleton(f"le style « {candidate} » du modèle n'est pas un style de "
                                   f"{'tableau' if name == TABLE_STYLE else 'paragraphe'}") from None
    raise missing_style(name)


def _inspect_with_docx(skeleton: bytes) -> tuple[dict[str, str | None], str | None, set[str]]:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part: Any = Document(io.BytesIO(skeleton)).part  # get_style_id is untyped
    ids = {name: _style_id(part, name, WD_STYLE_TYPE.PARAGRAPH) for name in PARAGRAPH_STYLE_NAMES}
    table = _style_id(part, TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    names = {"word/document.xml"}
    for rel in part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER, RT.FOOTNOTES) and not rel.is_external:
            names.add(rel.target_part.partname.membername)
    return ids, table, names


DOCXTPL_ESCAPES = (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}"))
"""docxtpl's escapes for literal braces in a skeleton. They are turned into Jinja literals when
the skeleton is compiled, so a dossier value that contains them prints them as typed (docxtpl
replaces them after rendering, values included)."""


def _compile(xml: bytes, environment: Any) -> Template:
    if environment is not skeleton_environment():
        return environment.from_string(_patched(xml))  # type: ignore[no-any-return]
    # Jinja's code for this part, from the signed code cache: keyed by the part's text and by
    # what patches it (docxtpl's patch_xml compiles some twenty regexes)
    key = f"{_patching_version()}\n{xml.decode('utf-8')}"
    code = SKELETON_CODE.code_object(key, lambda: environment.compile(_patched(xml), raw=True))
    return environment.template_class.from_code(
        environment, code, environment.make_globals(None), None)


def _patched(xml: bytes) -> str:
    """A templated part's XML as Jinja source: docxtpl's ``patch_xml``, then the skeleton's
    own escapes as literals and each paragraph on its own line."""
    from docxtpl import DocxTemplate

    docxtpl: Any = DocxTemplate  # patch_xml and resolve_listing do not use their instance
    source = docxtpl.patch_xml(None, xml.decode("utf-8"))
    for escaped, literal in DOCXTPL_ESCAPES:  # the skeleton's own escapes, not the values'
        source = source.replace(escaped, "{{ '" + literal + "' }}")
    return _W_P.sub(r"\n<w:p\1", source)


@lru_cache(maxsize=1)
def _patching_version() -> str:
    """What :func:`_patched` depends on: docxtpl and this module."""
    import docxtpl

    return f"docxtpl {docxtpl.__version__} {sources_digest(__file__)}"


@lru_cache(maxsize=8)
def prepare(skeleton: bytes, environment: Any) -> PreparedSkeleton:
    """Prepare a skeleton (cached); :class:`UnusableSkeleton` when it cannot be used."""
    from clausegen.render.writers.package import french_language

    inspected = _inspect(skeleton)
    style_ids, table_style, templated = inspected
    parts: list[tuple[str, Any]] = []
    raw: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(skeleton)) as archive:
        if "docProps/core.xml" not in archive.namelist():
            raise UnusableSkeleton("propriétés du document (docProps/core.xml) absentes : "
                                   "enregistrez le modèle à nouveau avec Word ou LibreOffice")
        unchanging = [i.filename for i in archive.infolist()
                      if i.filename not in templated and i.filename not in KEPT_RAW]
        digest = hashlib.sha256(skeleton).hexdigest()
        deflated = _kept_entries(f"parties|{digest}", lambda: _deflate(archive, unchanging))
        for info in archive.infolist():
            name = info.filename
            if name in deflated and name not in numbering.RAW_PARTS:
                parts.append((name, deflated[name]))  # this part is not read at all
                continue
            data = french_language(name, archive.read(name))
            if name in numbering.RAW_PARTS:
                raw[name] = data
            if name in templated:
                parts.append((name, _compile(data, environment)))
            elif name in KEPT_RAW:
                parts.append((name, data))
            else:
                parts.append((name, deflated[name]))
    if numbering.STYLES_PART not in raw:
        raise UnusableSkeleton("partie des styles (word/styles.xml) absente : enregistrez le "
                               "modèle à nouveau avec Word ou LibreOffice")
    return PreparedSkeleton(parts=tuple(parts), paragraph_styles=style_ids, table_style=table_style,
                            raw=raw, digest=digest)


def _deflate(archive: zipfile.ZipFile, names: list[str]) -> dict[str, Any]:
    from clausegen.render.writers.package import deflate, french_language

    return {name: deflate(name, french_language(name, archive.read(name))) for name in names}


def _prepared_namespace() -> str:
    """A prepared skeleton depends on this module, the style names, the package helpers, the
    numbering of headings, python-docx (style ids) and zlib's own version."""
    import docx

    from clausegen.render.writers import package

    return "squelettes-" + sources_digest(
        __file__, styles.__file__, package.__file__, numbering.__file__, docx.__file__,
        extra=zlib.ZLIB_RUNTIME_VERSION)


PREPARED = SignedCache(_prepared_namespace, ".marshal")
"""Prepared skeletons kept between runs (``marshal``, signed entries), by the SHA-256 of the
skeleton: style ids (``styles|``), unchanging parts deflated (``parties|``), parts numbered
from a given article (``numerotation|start|``), table-of-contents styles (``toc|``)."""


def _kept_entries(key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Parts kept under ``key`` (a :class:`ZipEntry` as a tuple, raw bytes as they are),
    else ``compute()``d and kept."""
    kept = PREPARED.load_data(key)
    if isinstance(kept, dict) and all(isinstance(v, bytes | tuple) for v in kept.values()):
        try:
            return {name: ZipEntry(*value) if isinstance(value, tuple) else value
                    for name, value in kept.items()}
        except TypeError:
            pass
    parts = compute()
    PREPARED.store_data(key, {name: astuple(value) if isinstance(value, ZipEntry) else value
                              for name, value in parts.items()})
    return parts


def numbered_parts(prepared: PreparedSkeleton, start: int) -> dict[str, Any]:
    """The skeleton's parts changed to number headings from ``start`` (deflated once)."""
    from clausegen.render.writers.package import deflate

    if start not in prepared.numbered:
        def numbered() -> dict[str, Any]:
            replaced = numbering.replacements(prepared.raw, start)
            return {name: data if name in KEPT_RAW else deflate(name, data)
                    for name, data in replaced.items()}

        # kept deflated between runs too (the numbered styles part is the largest to deflate)
        prepared.numbered[start] = _kept_entries(f"numerotation|{start}|{prepared.digest}", numbered)
    return prepared.numbered[start]


# --- body ----------------------------------------------------------------------------------


def text_xml(text: str) -> str:
    """``w:t``/``w:tab``/``w:br`` for a run's text, as python-docx writes them."""
    if not _BREAKS.search(text):
        space = ' xml:space="preserve"' if text.strip() != text else ""
        return f"<w:t{space}>{escape(text)}</w:t>" if text else ""
    out = []
    for piece in re.split(r"([\t\n\r])", text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\n", "\r"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece.strip() != piece else ""
            out.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(out)


def _run(run: Run, bold: bool = False) -> str:
    if run.line_break:
        return "<w:r><w:br/></w:r>"
    properties = ("<w:b/>" if run.bold or bold else "") + ("<w:i/>" if run.italic else "")
    if run.ref:
        return numbering.ref_field(run.ref, run.text, properties)
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f"<w:r>{rpr}{text_xml(run.text)}</w:r>"


class BodyWriter:
    """Blocks → the body's WordprocessingML, with the skeleton's style ids."""

    def __init__(self, prepared: PreparedSkeleton) -> None:
        self.prepared = prepared
        self.styles = prepared.paragraph_styles
        self.table_style = prepared.table_style
        self.out: list[str] = []
        self.break_before = False
        self.spacer = -1  # index in ``out`` of the empty paragraph that follows a table
        self.drawing_id = DRAWING_ID_BASE  # wp:docPr/@id of the next picture (unique in the document)

    def paragraph(self, style: str, content: str, numbering_off: bool = False) -> None:
        style_id = self.styles[style]
        properties = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
        if self.break_before:
            properties += "<w:pageBreakBefore/>"
            self.break_before = False
        properties += numbering.NO_NUMBERING if numbering_off else ""
        ppr = f"<w:pPr>{properties}</w:pPr>" if properties else "<w:pPr/>"
        self.out.append(f"<w:p>{ppr}{content}</w:p>")

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            text = f"<w:r>{text_xml(block.text)}</w:r>" if block.text else ""
            if block.anchor:
                text = numbering.bookmark_start(block.anchor) + text + numbering.bookmark_end(block.anchor)
            self.paragraph(f"Heading {min(block.level, 3)}", text,
                           numbering_off=block.level <= 2 and not block.label)
        elif isinstance(block, Paragraph):
            self.paragraph(PARAGRAPH_STYLES.get(block.style, "Normal"),
                           "".join(_run(r) for r in block.runs))
        elif isinstance(block, ListItem):
            self.list_item(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, PageBreak):
            # « page break before » on the next paragraph, and no spacer after a table just
            # before it: a break character (or a spacer) at the foot of a full page would push
            # the next page one further, leaving a blank page.
            if self.out and self.spacer == len(self.out) - 1:
                self.out.pop()
            self.break_before = True
        elif isinstance(block, TableOfContents):
            self.out.append(numbering.toc_xml(block, self.prepared.toc_styles, text_xml))
        elif isinstance(block, Image):
            self.image(block)
        else:
            raise TypeError(f"no WordprocessingML for {type(block).__name__}")

    def image(self, image: Image) -> None:
        """An inline picture in its own paragraph (kept with its caption), then the caption."""
        style_id = self.styles["Normal"]
        properties = (f'<w:pStyle w:val="{style_id}"/>' if style_id else "") + (
            "<w:keepNext/>" if image.caption else "")
        if self.break_before:
            properties += "<w:pageBreakBefore/>"
            self.break_before = False
        ppr = f"<w:pPr>{properties}</w:pPr>" if properties else "<w:pPr/>"
        self.out.append(f"<w:p>{ppr}<w:r>{drawing_xml(image, self.drawing_id)}</w:r></w:p>")
        if image.caption:
            self.paragraph("Caption", f"<w:r>{text_xml(image.caption)}</w:r>")

    def list_item(self, item: ListItem) -> None:
        depth = " 2" if item.depth else ""
        label = ""
        if item.ordered and item.label:
            label = f"<w:r>{text_xml(item.label + chr(9))}</w:r>"
        style = ("List" if item.ordered else "List Bullet") + depth
        self.paragraph(style, label + "".join(_run(r) for r in item.runs))

    def table(self, table: Table) -> None:
        columns = max([len(table.header)] + [len(r) for r in table.rows])
        widths = [Cm(w).twips for w in column_widths(table, columns)]
        style = f'<w:tblStyle w:val="{self.table_style}"/>' if self.table_style else ""
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        self.out.append(f'<w:tbl><w:tblPr>{style}<w:tblW w:type="auto" w:w="0"/>'
                        f'<w:tblLayout w:type="fixed"/>{TABLE_LOOK}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')
        for index, row in enumerate((table.header, *table.rows)):
            header = "<w:tblHeader/>" if index == 0 else ""  # rows never split across pages
            self.out.append(f"<w:tr><w:trPr><w:cantSplit/>{header}</w:trPr>")
            for column, width in enumerate(widths):
                runs = row[column] if column < len(row) else ()
                style_id = self.styles["Body Text"]
                keep = "<w:keepNext/>" if index == 0 else ""  # no header alone at a page foot
                style_xml = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
                ppr = f"<w:pPr>{style_xml}{keep}</w:pPr>" if style_id or keep else "<w:pPr/>"
                content = "".join(_run(r, bold=index == 0) for r in runs)
                self.out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
                                f"<w:p>{ppr}{content}</w:p></w:tc>")
            self.out.append("</w:tr>")
        self.out.append("</w:tbl>")
        self.paragraph("Normal", "")
        self.spacer = len(self.out) - 1


MAX_WRITTEN_BLOCKS = 20_000


def _joined(pieces: Sequence[str], blocks: Sequence[Block]) -> str:
    body = "".join(pieces)
    # Switching the heading styles' list off only matters where they are bound to it.
    return body if numbering.start_number(blocks) is not None else body.replace(numbering.NO_NUMBERING, "")


def body_pieces(prepared: PreparedSkeleton, blocks: Sequence[Block]) -> list[str]:
    """The XML of each block (sibling elements of the body, in order), mostly already written."""
    written = prepared.written
    if len(written) > MAX_WRITTEN_BLOCKS:
        written.clear()
    out = []
    break_pending = False
    markers = {index: numbering.marker_xml(anchor)
               for index, anchor in numbering.marker_positions(blocks).items()}
    for index, block in enumerate(blocks):
        if isinstance(block, PageBreak):
            break_pending = True  # already applied to the block before, if it was written
            continue
        before_break = index + 1 < len(blocks) and isinstance(blocks[index + 1], PageBreak)
        if break_pending or before_break or isinstance(block, Image):
            # A page break is writer state across blocks (« page break before » on the next
            # paragraph, no spacer after a table just before it), and a picture's id is its
            # place in the document: such blocks are not cached.
            writer = BodyWriter(prepared)
            writer.break_before = break_pending
            writer.drawing_id = DRAWING_ID_BASE + index
            writer.block(block)
            if before_break:
                writer.block(blocks[index + 1])
            break_pending = writer.break_before
            out.append("".join(writer.out) + markers.get(index, ""))
            continue
        try:
            xml = written.get(block)
        except TypeError:  # a block holding a list is not hashable: write it, do not keep it
            xml = _write(prepared, block)
        if xml is None:
            xml = written[block] = _write(prepared, block)
        out.append(xml + markers.get(index, ""))
    return out


def _write(prepared: PreparedSkeleton, block: Block) -> str:
    writer = BodyWriter(prepared)
    writer.block(block)
    return "".join(writer.out)


# --- images ----------------------------------------------------------------------------------

DRAWING_ID_BASE = 10_000
"""First ``wp:docPr/@id`` of the body's pictures (plus the block's index): above the small ids
a skeleton's own pictures (a logo in a header) carry, and unique within the document."""
EMU_PER_CM = 360_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _image_name(image: Image) -> str:
    """The picture's media part and relationship are named by its content (same bytes, same name)."""
    return hashlib.sha256(image.data).hexdigest()[:16]


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (its IHDR chunk)."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 24 or data[12:16] != b"IHDR":
        raise ValueError("image PNG attendue")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not width or not height:
        raise ValueError("image PNG vide")
    return width, height


def drawing_xml(image: Image, drawing_id: int) -> str:
    """``w:drawing`` of an inline picture ``width_cm`` wide (height by its aspect ratio), with its
    alternative text (Word « Texte de remplacement »); namespaces declared where used."""
    width, height = _png_size(image.data)
    cx = int(image.width_cm * EMU_PER_CM)
    cy = int(cx * height / width)
    name = _image_name(image)
    descr = f' descr="{escape_attribute(image.alt)}"' if image.alt else ""
    return (f'<w:drawing><wp:inline xmlns:wp="{NS_WP}" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{drawing_id}" name="Image {drawing_id}"{descr}/>'
            f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{NS_A}" noChangeAspect="1"/>'
            f'</wp:cNvGraphicFramePr><a:graphic xmlns:a="{NS_A}"><a:graphicData uri="{NS_PIC}">'
            f'<pic:pic xmlns:pic="{NS_PIC}"><pic:nvPicPr><pic:cNvPr id="0" name="{name}.png"/>'
            f'<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r="{NS_R}" r:embed="rIdImage{name}"/>'
            '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
            f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>")


def _raw(content: bytes | ZipEntry) -> bytes:
    return zlib.decompress(content.data, -15) if isinstance(content, ZipEntry) else content


def with_images(parts: list[tuple[str, Any]], blocks: Sequence[Block]) -> list[tuple[str, Any]]:
    """The package with the body's pictures: one ``word/media`` part per distinct picture, its
    relationship from the body, and the PNG content type (parts unchanged without pictures)."""
    images = {_image_name(b): b.data for b in blocks if isinstance(b, Image)}
    if not images:
        return parts
    relationships = "".join(f'<Relationship Id="rIdImage{name}" Type="{IMAGE_REL}" '
                            f'Target="media/clausegen-{name}.png"/>' for name in images)
    out = []
    for name, content in parts:
        if name == numbering.DOCUMENT_RELS:
            content = _raw(content).replace(b"</Relationships>",
                                            relationships.encode() + b"</Relationships>")
        elif name == numbering.CONTENT_TYPES and not re.search(
                rb'<Default\b[^>]*\bExtension="png"', _raw(content), re.IGNORECASE):
            content = _raw(content).replace(
                b"</Types>", b'<Default Extension="png" ContentType="image/png"/></Types>')
        out.append((name, content))
    out += [(f"word/media/clausegen-{name}.png", data) for name, data in images.items()]
    return out


# --- fields and package ----------------------------------------------------------------------


def render_around(template: Template, fields: Mapping[str, str]) -> str:
    """One field part rendered as docxtpl does, with :data:`BODY_MARK` where the body goes."""
    from docxtpl import DocxTemplate

    values = {key: value.replace(BODY_MARK, "") for key, value in fields.items()}  # never a body
    xml = render_bounded(template, {**values, "corps": Markup(BODY_MARK)}, max_chars=MAX_PART_CHARS)
    xml = _NEWLINE_W_P.sub(r"<w:p\1", xml)
    docxtpl: Any = DocxTemplate
    return str(docxtpl.resolve_listing(None, xml))


def core_xml(skeleton_core: bytes, properties: Any) -> bytes:
    """The skeleton's core properties with the document's own (as python-docx sets them)."""
    from docx.opc.coreprops import CoreProperties
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml import parse_xml

    element = parse_xml(skeleton_core)
    set_core_properties(CoreProperties(element), properties)
    return bytes(serialize_part_xml(element))


def set_core_properties(core: Any, properties: Any) -> None:
    """Title, subject, author… of a python-docx ``CoreProperties``, from the dossier."""
    core.title = properties.title[:255]
    core.subject = properties.subject[:255]
    core.author = properties.author[:255]
    core.keywords = properties.keywords[:255]
    core.last_modified_by = "clausegen"
    core.comments = DESCRIPTION
    core.language = LANGUAGE
    core.revision = 1
    if properties.created is not None:
        core.created = properties.created
        core.modified = properties.created


@dataclass(frozen=True)
class PackageParts:
    """Every part of a document, and the digest of its body's text when it was put together
    while writing (see :mod:`clausegen.render.writers.body_text`)."""

    parts: list[tuple[str, Any]]
    body_sha256: str | None


def render_fields(prepared: PreparedSkeleton, fields: Mapping[str, str]) -> dict[str, str]:
    """The skeleton's field parts rendered (the body part with :data:`BODY_MARK` where the body
    goes). Any error here is the skeleton's own (its expressions), apart from the body's writing."""
    return {name: render_around(content, fields) for name, content in prepared.parts
            if isinstance(content, Template)}


def package_parts(prepared: PreparedSkeleton, blocks: Sequence[Block], rendered: Mapping[str, str],
                  properties: Any) -> PackageParts:
    """Every part of the document, in the skeleton's order (unchanging ones still deflated);
    ``rendered``: the field parts from :func:`render_fields`."""
    pieces = body_pieces(prepared, blocks)
    body = _joined(pieces, blocks)
    start = numbering.start_number(blocks)
    replaced = numbered_parts(prepared, start) if start is not None else {}
    parts: list[tuple[str, Any]] = []
    digest = None
    for name, content in prepared.parts:
        if isinstance(content, Template):
            around = rendered[name]
            if name == BODY_PART:
                digest = assembled_digest(around, BODY_MARK, pieces)
            parts.append((name, around.replace(BODY_MARK, body if name == BODY_PART else "").encode("utf-8")))
        elif name == "docProps/core.xml":
            parts.append((name, core_xml(content, properties)))
        else:
            parts.append((name, content))
    if any(isinstance(block, TableOfContents) for block in blocks):  # page numbers not known yet
        from clausegen.render.writers.settings import SETTINGS_PART, with_update_fields

        parts = [(name, with_update_fields(_raw(content)) if name == SETTINGS_PART else content)
                 for name, content in parts]
    return PackageParts(with_images(numbering.apply(parts, replaced), blocks), digest)
