"""REFI-QDA exchange: a project as .qdpx (a zip of project.qde and sources/) and a codebook as
.qdc, written and read against the published schemas in schemas/ (REFI-QDA Standard 1.0, the
Rotterdam Exchange Format Initiative, https://www.qdasoftware.org/).

- Text sources are TextSource elements whose plain text is the zip entry
  `sources/<guid>.txt` (plainTextPath `internal://<guid>.txt`); every coding is a
  PlainTextSelection (startPosition, endPosition: character offsets, end exclusive, as ours)
  holding one Coding with a CodeRef to the code's guid, made by a User.
- A code's definition, inclusion and exclusion criteria and examples travel in its
  Description, one labelled paragraph each, and are read back from it.
- Reconciled (agreed) codings are made by a fixed user, RECONCILED_USER.
- Withheld sources (a participant without research-use consent) are never written.
- Everything read is parsed without entity expansion or network access (xmlschema's
  `defuse="always"`) and validated against the schema before anything is saved; any problem
  raises RefiQdaError with a message for the person.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import xmlschema
from django.db import transaction

from coproduce.audit.log import record
from coproduce.qualitative import codebooks
from coproduce.qualitative.models import Code, CodeVersion, Coding, Project, ProjectSource
from coproduce.qualitative.transcripts import Parsed

SCHEMAS = Path(__file__).parent / "schemas"
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
RECONCILED_USER = uuid.UUID("6f1c2b3a-1d2e-4f50-9a0b-7c8d9e0f1a2b")
RECONCILED_NAME = "Reconciled (team agreement)"
ORIGIN = "coproduce"
MAX_ENTRIES = 10_000
LABELS = {
    "definition": "Definition",
    "inclusion": "Use when",
    "exclusion": "Do not use when",
    "examples": "Examples",
}


class RefiQdaError(ValueError):
    """A file that cannot be imported; the message says why."""


def _schema(name: str) -> xmlschema.XMLSchema:
    cached = _SCHEMAS.get(name)
    if cached is None:
        cached = _SCHEMAS[name] = xmlschema.XMLSchema(SCHEMAS / name)
    return cached


_SCHEMAS: dict[str, xmlschema.XMLSchema] = {}


def _guid(value: uuid.UUID) -> str:
    return str(value).upper()


def user_guid(key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"coproduce:user:{key}")


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(version: CodeVersion | None) -> str:
    if version is None:
        return ""
    parts = [
        f"{LABELS[n]}: {getattr(version, n).strip()}" for n in LABELS if getattr(version, n).strip()
    ]
    return "\n\n".join(parts)


_LABELLED = re.compile(r"^(Definition|Use when|Do not use when|Examples): ", re.MULTILINE)


def read_description(text: str) -> dict[str, str]:
    """Back from `describe`; text without our labels is all definition."""
    by_label = {label: name for name, label in LABELS.items()}
    matches = list(_LABELLED.finditer(text))
    if not matches or matches[0].start() != 0:
        return {"definition": text.strip()}
    result: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        result[by_label[match[1]]] = text[match.end() : end].strip()
    return result


def _code_elements(parent: ET.Element, project: Project, ns: str) -> None:
    rows = codebooks.tree(project)
    elements: dict[int, ET.Element] = {}
    for code, _depth in rows:
        container = elements[code.parent_id] if code.parent_id else parent
        attrs = {
            "guid": _guid(code.public_id),
            "name": code.name,
            "isCodable": "true" if code.codable else "false",
        }
        if re.fullmatch(r"#[0-9A-Fa-f]{6}", code.colour or ""):
            attrs["color"] = code.colour
        element = ET.SubElement(container, f"{{{ns}}}Code", attrs)
        text = describe(code.current)
        if text:
            ET.SubElement(element, f"{{{ns}}}Description").text = text
        elements[code.pk] = element


def _xml(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def codebook_xml(project: Project) -> bytes:
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _code_elements(codes, project, CODEBOOK_NS)
    data = _xml(root, CODEBOOK_NS)
    _validate(data, "Codebook.xsd", "codebook")
    return data


def exportable_sources(project: Project) -> list[ProjectSource]:
    sources = project.sources.prefetch_related("participants").order_by("title", "pk")
    return [s for s in sources if not s.withheld]


def project_qdpx(project: Project) -> bytes:
    """The project as a .qdpx archive: withheld sources and their codings left out."""
    ns = PROJECT_NS
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731
    sources = exportable_sources(project)
    codings = list(
        Coding.objects.filter(source__in=sources)
        .select_related("code", "coder")
        .order_by("source", "start", "end", "pk")
    )
    users: dict[uuid.UUID, str] = {}
    for coding in codings:
        users[_coding_user(coding)] = RECONCILED_NAME if coding.reconciled else coding.coder_label
    if not users:
        users[user_guid("coproduce")] = "coproduce"
    root = ET.Element(
        q("Project"),
        {"name": project.name, "origin": ORIGIN, "creationDateTime": _when(project.created_at)},
    )
    users_el = ET.SubElement(root, q("Users"))
    for guid, name in users.items():
        ET.SubElement(users_el, q("User"), {"guid": _guid(guid), "name": name})
    if project.codes.exists():
        book = ET.SubElement(root, q("CodeBook"))
        _code_elements(ET.SubElement(book, q("Codes")), project, ns)
    by_source: dict[int, list[Coding]] = {}
    for coding in codings:
        by_source.setdefault(coding.source_id, []).append(coding)
    files: dict[str, str] = {}
    if sources:
        sources_el = ET.SubElement(root, q("Sources"))
        for source in sources:
            name = f"{_guid(source.public_id)}.txt"
            files[name] = source.text
            element = ET.SubElement(
                sources_el,
                q("TextSource"),
                {
                    "guid": _guid(source.public_id),
                    "name": source.title,
                    "plainTextPath": f"internal://{name}",
                },
            )
            for coding in by_source.get(source.pk, []):
                user = _guid(_coding_user(coding))
                selection = ET.SubElement(
                    element,
                    q("PlainTextSelection"),
                    {
                        "guid": _guid(coding.public_id),
                        "name": source.text[coding.start : coding.end][:80],
                        "startPosition": str(coding.start),
                        "endPosition": str(coding.end),
                        "creatingUser": user,
                        "creationDateTime": _when(coding.created_at),
                    },
                )
                if coding.memo:
                    ET.SubElement(selection, q("Description")).text = coding.memo
                coding_el = ET.SubElement(
                    selection,
                    q("Coding"),
                    {"guid": _guid(uuid.uuid5(coding.public_id, "coding")), "creatingUser": user},
                )
                ET.SubElement(coding_el, q("CodeRef"), {"targetGUID": _guid(coding.code.public_id)})
    data = _xml(root, ns)
    _validate(data, "Project.xsd", "project")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", data)
        for name, text in files.items():
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return buffer.getvalue()


def _coding_user(coding: Coding) -> uuid.UUID:
    if coding.reconciled:
        return RECONCILED_USER
    return user_guid(str(coding.coder_id) if coding.coder_id else f"name:{coding.coder_name}")


# --- reading -----------------------------------------------------------------------------------


def _validate(data: bytes, schema: str, what: str) -> ET.Element:
    try:
        resource = xmlschema.XMLResource(io.BytesIO(data), defuse="always")
    except (xmlschema.XMLResourceError, ET.ParseError, ValueError) as error:
        raise RefiQdaError(f"The {what} file is not well-formed XML: {error}") from error
    errors = list(_schema(schema).iter_errors(resource))
    if errors:
        first = errors[0]
        where = f" at {first.path}" if getattr(first, "path", None) else ""
        raise RefiQdaError(
            f"The {what} file does not follow the REFI-QDA schema ({schema}){where}: "
            f"{first.reason or first.message}"
            + (f" ({len(errors) - 1} more problems)" if len(errors) > 1 else "")
        )
    return resource.root


@dataclass
class ImportResult:
    sources: int = 0
    codes: int = 0
    codings: int = 0
    skipped_sources: int = 0


def _free_uuid(model: Any, wanted: str) -> uuid.UUID:
    value = uuid.UUID(wanted.strip("{}"))
    return uuid.uuid4() if model.objects.filter(public_id=value).exists() else value


def _import_codes(
    project: Project, parent_el: ET.Element, ns: str, by: Any, result: ImportResult
) -> dict[str, Code]:
    found: dict[str, Code] = {}

    def walk(element: ET.Element, parent: Code | None) -> None:
        for code_el in element.findall(f"{{{ns}}}Code"):
            guid = code_el.get("guid", "").strip("{}").upper()
            existing = project.codes.filter(public_id=uuid.UUID(guid)).first()
            if existing is None:
                description = code_el.findtext(f"{{{ns}}}Description") or ""
                existing = codebooks.add_code(
                    project,
                    name=code_el.get("name", "")[:200],
                    by=by,
                    parent=parent,
                    codable=code_el.get("isCodable") in ("true", "1"),
                    colour=code_el.get("color", "")[:7],
                    **read_description(description),
                )
                wanted = _free_uuid(Code, guid)
                if wanted != existing.public_id:
                    existing.public_id = wanted
                    existing.save(update_fields=["public_id"])
                result.codes += 1
            found[guid] = existing
            walk(code_el, existing)

    walk(parent_el, None)
    return found


@transaction.atomic
def import_codebook(project: Project, data: bytes, *, by: Any) -> ImportResult:
    root = _validate(data, "Codebook.xsd", "codebook")
    result = ImportResult()
    codes_el = root.find(f"{{{CODEBOOK_NS}}}Codes")
    assert codes_el is not None  # the schema requires it
    _import_codes(project, codes_el, CODEBOOK_NS, by, result)
    record(by, "qualitative.codebook.imported", project, {"codes": [None, result.codes]})
    return result


def _read_zip(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise RefiQdaError("The file is not a .qdpx project: it is not a zip archive.") from error
    with archive:
        names = archive.namelist()
        if len(names) > MAX_ENTRIES:
            raise RefiQdaError(f"The archive holds more than {MAX_ENTRIES:,} files.")
        if "project.qde" not in names:
            raise RefiQdaError("The archive has no project.qde file, so it is not a .qdpx project.")
        try:
            qde = archive.read("project.qde")
            files = {
                name[len("sources/") :]: archive.read(name)
                for name in names
                if name.startswith("sources/") and name.endswith(".txt")
            }
        except (zipfile.BadZipFile, NotImplementedError, OSError) as error:
            raise RefiQdaError(f"The archive is damaged: {error}.") from error
    return qde, files


@transaction.atomic
def import_project(project: Project, data: bytes, *, by: Any) -> ImportResult:
    """Read a .qdpx into `project`: its codes (matched by guid), its text sources (a source
    whose guid is already in the project is skipped) and their codings, offsets unchanged."""
    from coproduce.qualitative.services import CodingError, add_transcript, check_span

    ns = PROJECT_NS
    qde, files = _read_zip(data)
    root = _validate(qde, "Project.xsd", "project")
    result = ImportResult()
    users = {
        (u.get("guid") or "").strip("{}").upper(): u.get("name") or "Unknown coder"
        for u in root.iter(f"{{{ns}}}User")
    }
    codes: dict[str, Code] = {}
    codes_el = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    if codes_el is not None:
        codes = _import_codes(project, codes_el, ns, by, result)
    for source_el in root.iter(f"{{{ns}}}TextSource"):
        guid = source_el.get("guid", "").strip("{}").upper()
        name = source_el.get("name") or "Untitled source"
        if project.sources.filter(public_id=uuid.UUID(guid)).exists():
            result.skipped_sources += 1
            continue
        content = source_el.findtext(f"{{{ns}}}PlainTextContent")
        path = source_el.get("plainTextPath") or ""
        if content is None:
            if not path.startswith("internal://"):
                raise RefiQdaError(
                    f"Source “{name}” has no text in the archive (only text sources kept "
                    "inside the .qdpx can be imported)."
                )
            raw = files.get(path[len("internal://") :])
            if raw is None:
                raise RefiQdaError(f"Source “{name}” names {path}, which is not in the archive.")
            try:
                content = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise RefiQdaError(f"The text of source “{name}” is not UTF-8.") from error
        item = add_transcript(
            project,
            title=name[:300],
            parsed=Parsed("qdpx", content, []),
            by=by,
            kind=ProjectSource.Kind.IMPORTED,
        )
        item.format = ProjectSource.Format.QDPX
        wanted = _free_uuid(ProjectSource, guid)
        item.public_id = wanted
        item.save(update_fields=["format", "public_id"])
        result.sources += 1
        for selection in source_el.findall(f"{{{ns}}}PlainTextSelection"):
            start = int(selection.get("startPosition", "0"))
            end = int(selection.get("endPosition", "0"))
            memo = selection.findtext(f"{{{ns}}}Description") or ""
            for coding_el in selection.findall(f"{{{ns}}}Coding"):
                ref = coding_el.find(f"{{{ns}}}CodeRef")  # the schema requires one
                target = (
                    ((ref.get("targetGUID") if ref is not None else "") or "").strip("{}").upper()
                )
                code = (
                    codes.get(target) or project.codes.filter(public_id=uuid.UUID(target)).first()
                )
                if code is None:
                    raise RefiQdaError(
                        f"A coding in “{name}” refers to a code not in the file ({target})."
                    )
                user = (
                    (coding_el.get("creatingUser") or selection.get("creatingUser") or "")
                    .strip("{}")
                    .upper()
                )
                try:
                    check_span(item, start, end)
                except CodingError as error:
                    raise RefiQdaError(
                        f"A coding in “{name}” ({start} to {end}) does not fit its text: {error}"
                    ) from error
                version = code.versions.order_by("-number").first()
                assert version is not None  # every code is made with its first version
                Coding.objects.create(
                    source=item,
                    code=code,
                    version=version,
                    coder=None,
                    coder_name=users.get(user, "Unknown coder")[:200],
                    start=start,
                    end=end,
                    memo=memo,
                    reconciled=user == _guid(RECONCILED_USER),
                )
                result.codings += 1
    record(
        by,
        "qualitative.project.imported",
        project,
        {
            "sources": [None, result.sources],
            "codes": [None, result.codes],
            "codings": [None, result.codings],
        },
    )
    return result
