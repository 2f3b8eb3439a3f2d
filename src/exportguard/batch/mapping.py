"""Column mapping: which column of a customs extract holds which field of a trade record.

Real extracts name their columns in many ways (``Consignee``, ``BUYER_NAME``,
``Country of Origin``, ``TNVED``...). A :class:`ColumnMapping` says, per
canonical field, which column to read, or a constant to use when the extract
lacks the column (``destination_country: RU`` for an import extract of one
country). Fields the mapping leaves out are found by their common names
(:data:`FIELDS`), compared case- and punctuation-insensitively.

A mapping comes from YAML::

    columns:            # field: column in the file
      exporter: Shipper Name
      importer: Consignee
      hs_code: TNVED
    defaults:           # field: constant, for columns the file lacks
      destination_country: RU
      currency: USD
    date_format: "%d.%m.%Y"   # optional strptime format of the date column

or from flags (``--column exporter="Shipper Name" --default currency=USD``).
:func:`resolve_mapping` checks it against the file's columns and raises an
:class:`~exportguard.service.errors.InputError` that lists every required field
it could not place, the names it tried, and the columns the file has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportguard.service.errors import InputError


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str  # "str" | "country" | "hs" | "date" | "float"
    required: bool
    aliases: tuple[str, ...]
    help: str


# Canonical fields of a trade record, in output order, with the column names
# customs extracts commonly use for them (compared after normalisation).
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("record_id", "str", False, (
        "record_id", "id", "declaration_id", "declaration_number", "declaration_no",
        "entry_number", "entry_no", "shipment_id", "transaction_id", "record", "row_id",
        "bill_of_lading", "bol", "gtd_number", "customs_declaration_number",
    ), "unique record id (default: the row number)"),
    FieldSpec("date", "date", False, (
        "date", "declaration_date", "shipment_date", "export_date", "import_date",
        "arrival_date", "departure_date", "trade_date", "transaction_date", "customs_date",
    ), "date of the declaration or shipment"),
    FieldSpec("exporter", "str", True, (
        "exporter", "exporter_name", "shipper", "shipper_name", "seller", "seller_name",
        "supplier", "supplier_name", "consignor", "consignor_name", "sender", "sender_name",
    ), "exporter / shipper name"),
    FieldSpec("exporter_country", "country", False, (
        "exporter_country", "shipper_country", "seller_country", "supplier_country",
        "consignor_country", "sender_country",
    ), "exporter's country"),
    FieldSpec("importer", "str", True, (
        "importer", "importer_name", "consignee", "consignee_name", "buyer", "buyer_name",
        "receiver", "receiver_name", "recipient", "recipient_name", "purchaser",
    ), "importer / consignee name"),
    FieldSpec("importer_country", "country", False, (
        "importer_country", "consignee_country", "buyer_country", "receiver_country",
        "recipient_country", "purchaser_country",
    ), "importer's / consignee's country"),
    FieldSpec("origin_country", "country", False, (
        "origin_country", "country_of_origin", "coo", "origin", "made_in",
        "country_of_manufacture", "manufacture_country",
    ), "country of origin of the goods"),
    FieldSpec("dispatch_country", "country", False, (
        "dispatch_country", "country_of_dispatch", "departure_country", "export_country",
        "country_of_export", "trading_country", "shipping_country", "consignment_country",
        "country_of_consignment",
    ), "country the goods were dispatched from (a hub when it is not the origin)"),
    FieldSpec("destination_country", "country", True, (
        "destination_country", "country_of_destination", "destination", "import_country",
        "country_of_import", "final_destination", "final_destination_country",
    ), "country of destination"),
    FieldSpec("hs_code", "hs", True, (
        "hs_code", "hscode", "hs", "hs6", "hs8", "hs10", "commodity_code", "tariff_code",
        "cn_code", "cn8", "hts_code", "hts", "tnved", "tn_ved", "tnved_code", "product_code",
    ), "HS code, 6 to 10 digits (dots allowed)"),
    FieldSpec("description", "str", False, (
        "description", "goods_description", "product_description", "commodity_description",
        "item_description", "description_of_goods", "goods", "product", "commodity",
    ), "goods description as declared"),
    FieldSpec("quantity", "float", False, (
        "quantity", "qty", "net_quantity", "number_of_units", "units", "quantity_value",
    ), "quantity"),
    FieldSpec("unit", "str", False, (
        "unit", "quantity_unit", "uom", "unit_of_measure", "qty_unit",
    ), "unit of quantity"),
    FieldSpec("value", "float", False, (
        "value", "value_usd", "invoice_value", "customs_value", "statistical_value",
        "declared_value", "fob_value", "cif_value", "amount", "trade_value", "total_value",
    ), "declared value"),
    FieldSpec("currency", "str", False, (
        "currency", "currency_code", "invoice_currency", "value_currency",
    ), "ISO 4217 currency of the value"),
    FieldSpec("control_code", "str", False, (
        "control_code", "eccn", "control_list_code", "export_control_code", "ml_code",
        "dual_use_code",
    ), "control-list code (ML10, 9A012, ...), if the extract has one"),
)

FIELD_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)

_NORM = re.compile(r"[^0-9a-z]+")


def normalise_column(name: str) -> str:
    """``"Country of Origin"`` → ``"country_of_origin"`` (case and punctuation fold)."""
    return _NORM.sub("_", name.casefold()).strip("_")


@dataclass(frozen=True)
class ColumnMapping:
    """What the user said: explicit columns, constants, and an optional date format."""

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted((set(self.columns) | set(self.defaults)) - set(FIELD_BY_NAME))
        if unknown:
            raise InputError(
                f"unknown field(s) in the column mapping: {', '.join(unknown)}; "
                f"fields are: {', '.join(FIELD_NAMES)}"
            )

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """``other`` (e.g. flags) overrides this mapping (e.g. the YAML file)."""
        return ColumnMapping(
            columns={**self.columns, **other.columns},
            defaults={**self.defaults, **other.defaults},
            date_format=other.date_format or self.date_format,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"columns": dict(sorted(self.columns.items())),
                "defaults": dict(sorted(self.defaults.items())),
                "date_format": self.date_format}


def _pairs(items: Iterable[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InputError(f"{what} must look like FIELD=VALUE (got {item!r})")
        out[key] = value
    return out


def mapping_from_flags(columns: Sequence[str] = (), defaults: Sequence[str] = (),
                       date_format: str | None = None) -> ColumnMapping:
    """From ``--column FIELD=COLUMN`` and ``--default FIELD=VALUE`` flags."""
    return ColumnMapping(columns=_pairs(columns, "--column"),
                         defaults=_pairs(defaults, "--default"), date_format=date_format)


def mapping_from_dict(data: Mapping[str, Any], source: str = "mapping") -> ColumnMapping:
    """From a parsed YAML/JSON document (``columns``/``defaults``/``date_format``).

    A flat ``{field: column}`` document is read as ``columns``.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: expected a mapping of field names to columns")
    if not ({"columns", "defaults", "date_format"} & set(data)):
        data = {"columns": dict(data)}
    extra = sorted(set(data) - {"columns", "defaults", "date_format"})
    if extra:
        raise InputError(f"{source}: unknown key(s) {', '.join(extra)} "
                         "(expected columns, defaults, date_format)")
    cols = data.get("columns") or {}
    defs = data.get("defaults") or {}
    if not isinstance(cols, Mapping) or not isinstance(defs, Mapping):
        raise InputError(f"{source}: 'columns' and 'defaults' must be mappings")
    fmt = data.get("date_format")
    return ColumnMapping(
        columns={str(k): str(v) for k, v in cols.items() if v is not None},
        defaults={str(k): str(v) for k, v in defs.items() if v is not None},
        date_format=str(fmt) if fmt else None,
    )


def load_mapping(path: Path) -> ColumnMapping:
    """Read a mapping YAML file."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"column mapping file not found: {path}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    return mapping_from_dict(data, source=str(path))


@dataclass(frozen=True)
class ResolvedMapping:
    """Per field: the column read (or ``None``) and constants; checked against a file."""

    columns: dict[str, str | None]
    defaults: dict[str, str]
    date_format: str | None = None

    def source_of(self, name: str) -> str:
        col = self.columns.get(name)
        if col is not None:
            return f"column {col!r}"
        if name in self.defaults:
            return f"constant {self.defaults[name]!r}"
        return "absent"

    def to_dict(self) -> dict[str, Any]:
        return {"columns": {k: v for k, v in self.columns.items() if v is not None},
                "defaults": dict(sorted(self.defaults.items())),
                "date_format": self.date_format}


def resolve_mapping(mapping: ColumnMapping, available: Sequence[str]) -> ResolvedMapping:
    """Place every field on a column of ``available`` (explicit first, then common names).

    Raises :class:`InputError` listing every problem at once: explicit columns
    that the file lacks, and required fields with neither a column nor a default.
    """
    by_norm: dict[str, str] = {}
    for col in available:
        by_norm.setdefault(normalise_column(col), col)
    problems: list[str] = []
    resolved: dict[str, str | None] = {}
    for spec in FIELDS:
        explicit = mapping.columns.get(spec.name)
        if explicit is not None:
            if explicit in available:
                resolved[spec.name] = explicit
            elif normalise_column(explicit) in by_norm:
                resolved[spec.name] = by_norm[normalise_column(explicit)]
            else:
                problems.append(f"{spec.name}: mapped to column {explicit!r}, "
                                "which the file does not have")
            continue
        found = next((by_norm[a] for a in spec.aliases if a in by_norm), None)
        if found is None and spec.name not in mapping.defaults and spec.required:
            problems.append(f"{spec.name} ({spec.help}): no column found; tried "
                            + ", ".join(spec.aliases))
        resolved[spec.name] = found
    if problems:
        shown = ", ".join(repr(c) for c in available[:60])
        more = f" and {len(available) - 60} more" if len(available) > 60 else ""
        raise InputError(
            "the column mapping does not fit the file:\n  - " + "\n  - ".join(problems)
            + f"\ncolumns in the file: {shown}{more}"
            + "\nmap them with --column FIELD=COLUMN, --default FIELD=VALUE or --mapping FILE.yml"
        )
    return ResolvedMapping(columns=resolved, defaults=dict(mapping.defaults),
                           date_format=mapping.date_format)
