"""Validation of written project.qde and .qdc files against the REFI-QDA XML schemas."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook.xsd"}


@lru_cache(maxsize=None)
def _schema(kind: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / FILES[kind]), parser))


def schema_errors(xml: bytes, kind: str) -> list[str]:
    """Messages of every schema violation (empty when valid); kind is "project" or "codebook"."""
    schema = _schema(kind)
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
