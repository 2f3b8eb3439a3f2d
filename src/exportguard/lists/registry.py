"""The list formats exportguard reads: parser, default list id, title and official URLs.

Each format maps to a ``parse(paths, list_id, **options) -> ParseReport``
adapter, so the snapshot store and the CLI treat every publisher alike. URLs
are the publishers' own download locations (used by ``lists update``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportguard.lists.errors import ListFormatError
from exportguard.lists.model import ParseReport

Parser = Callable[..., ParseReport]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    name: str
    module: str  # exportguard.lists.formats.<module>, exposing parse_files(paths, list_id, **opts)
    default_list_id: str
    title: str
    urls: tuple[str, ...] = ()  # official download URL(s), in the order the parser wants them
    file_names: tuple[str, ...] = ()  # local names for the downloaded files (roles by name)
    needs_token: bool = False
    notes: str = ""
    licence: str = ""  # the publisher's terms for the data, shown by `lists status`
    options: dict[str, Any] = field(default_factory=dict)

    def parse(self, paths: Sequence[Path | str], list_id: str | None = None,
              **options: Any) -> ParseReport:
        mod = importlib.import_module(f"exportguard.lists.formats.{self.module}")
        opts = {**self.options, **options}
        return mod.parse_files([Path(p) for p in paths], list_id or self.default_list_id, **opts)


_OFAC_SLS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec(
            "un", "un_xml", "un_sc", "UN Security Council Consolidated List",
            urls=("https://scsanctions.un.org/resources/xml/en/consolidated.xml",),
            file_names=("consolidated.xml",),
            licence="UN public document",
        ),
        FormatSpec(
            "ofac", "ofac_csv", "ofac_sdn", "OFAC Specially Designated Nationals (SDN) List",
            urls=(f"{_OFAC_SLS}/SDN.CSV", f"{_OFAC_SLS}/ADD.CSV", f"{_OFAC_SLS}/ALT.CSV",
                  f"{_OFAC_SLS}/SDN_COMMENTS.CSV"),
            file_names=("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
            notes="the same parser reads the non-SDN cons_prim/add/alt/comments.csv files",
            licence="US public domain",
        ),
        FormatSpec(
            "ofac-enhanced", "ofac_enhanced", "ofac_cons",
            "OFAC Consolidated (non-SDN) List (Enhanced XML)",
            urls=(f"{_OFAC_SLS}/CONS_ENHANCED.ZIP",),
            file_names=("CONS_ENHANCED.ZIP",),
            notes=f"the SDN list in the same schema: {_OFAC_SLS}/SDN_ENHANCED.ZIP",
            licence="US public domain",
        ),
        FormatSpec(
            "csl", "csl", "us_csl", "US Consolidated Screening List (trade.gov)",
            urls=("https://data.trade.gov/downloadable_consolidated_screening_list/v1/"
                  "consolidated.csv",),
            file_names=("consolidated.csv",),
            licence="US public domain",
        ),
        FormatSpec(
            "bis-dpl", "bis_dpl", "bis_dpl", "BIS Denied Persons List",
            urls=("https://www.bis.doc.gov/dpl/dpl.txt",),
            file_names=("dpl.txt",),
            notes="BIS has moved the DPL file before; the CSL also carries the DPL",
            licence="US public domain",
        ),
        FormatSpec(
            "uk-ofsi", "uk_ofsi", "uk_ofsi",
            "UK OFSI Consolidated List of Financial Sanctions Targets",
            urls=("https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx",),
            file_names=("ConList.xlsx",),
            notes="also published as ConList.csv at the same place",
            licence="Open Government Licence v3.0",
        ),
        FormatSpec(
            "eu-fsf", "eu_fsf", "eu_fsf", "EU Consolidated Financial Sanctions List (FSF)",
            urls=("https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/"
                  "content?token={token}",),
            file_names=("eu_fsf.xml",),
            needs_token=True,
            notes="the EU download URL needs a token: register on the EU Financial Sanctions "
                  "Files site and set it with `exportguard lists update eu_fsf --token TOKEN` "
                  "(or download the file yourself and `exportguard lists load eu-fsf FILE`)",
            licence="© European Union; reuse authorised (Commission Decision 2011/833/EU)",
        ),
        FormatSpec(
            "ftm", "ftm", "ftm", "FollowTheMoney entities (JSON lines)",
            notes="e.g. OpenSanctions exports; no default URL (choose a dataset)",
            licence="the dataset's own licence (OpenSanctions: CC BY-NC 4.0)",
        ),
        FormatSpec(
            "eu-oj", "eu_oj", "eu_833", "EU Regulation 833/2014 annexes (Official Journal)",
            notes="no official machine-readable download: the annexes are published in the "
                  "Official Journal / EUR-Lex; load an OpenSanctions transcription "
                  "(journal_sanctions CSV) with `exportguard lists load eu-oj FILE`",
            licence="CC BY-NC 4.0 (OpenSanctions transcription of the official act)",
        ),
        FormatSpec(
            "cn-lists", "cn_lists", "cn_mofcom",
            "China export-control and countermeasure lists (MOFCOM/MFA)",
            notes="no official machine-readable download: MOFCOM and MFA publish notices as web "
                  "pages; load an OpenSanctions transcription (CSV) with "
                  "`exportguard lists load cn-lists FILE`",
            licence="CC BY-NC 4.0 (OpenSanctions transcription of MOFCOM/MFA notices)",
        ),
    )
}


def get_format(name: str) -> FormatSpec:
    try:
        return FORMATS[name]
    except KeyError:
        raise ListFormatError(
            f"unknown list format {name!r}; known formats: {', '.join(sorted(FORMATS))}"
        ) from None
