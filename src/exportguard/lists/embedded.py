"""The embedded default list set: official files shipped in ``exportguard/data/lists``.

These make exportguard work offline on first run. Each is parsed lazily into
the snapshot cache on first use (keyed by the sha256 of the package files, so a
changed package rebuilds it). A user snapshot with the same list id overrides
the embedded one.

The CSL (2022-04) also carries SDN, the OFAC non-SDN lists and the DPL; those
come from their publishers' own, newer files here, so the CSL is loaded
without them and keeps what only it carries (BIS Entity List, Military End
User, Unverified, ITAR debarred, ...). See docs/lists.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportguard.data import data_path


@dataclass(frozen=True, slots=True)
class EmbeddedList:
    list_id: str
    format: str
    files: tuple[str, ...]  # names under exportguard/data/lists, in parser order
    title: str
    options: dict[str, Any] = field(default_factory=dict)

    def paths(self) -> list[Path]:
        """Package paths (an absolute name is used as is: tests, custom builds)."""
        return [Path(f) if Path(f).is_absolute() else data_path("lists", f) for f in self.files]


# Short codes (csl.short_source) of CSL sources loaded from their own publishers' files.
# The OFAC non-SDN Consolidated list carries SSI, PLC, CMIC, CAPTA (CAP), NS-MBS and FSE.
CSL_EXCLUDED_SOURCES: frozenset[str] = frozenset({
    "SDN", "DPL", "SSI", "PLC", "CMIC", "CAP", "FSE", "NS-*",
})

EMBEDDED: tuple[EmbeddedList, ...] = (
    EmbeddedList("un_sc", "un", ("un_consolidated_2026-02-27.xml",),
                 "UN Security Council Consolidated List"),
    EmbeddedList("ofac_sdn", "ofac", ("sdn_2024-05-03.csv", "add_2026.csv", "alt_2026.csv"),
                 "OFAC Specially Designated Nationals (SDN) List"),
    EmbeddedList("ofac_cons", "ofac-enhanced", ("CONS_ENHANCED_2025-01-14.ZIP",),
                 "OFAC Consolidated (non-SDN) List"),
    EmbeddedList("us_csl", "csl", ("csl_consolidated_2022-04.csv.gz",),
                 "US Consolidated Screening List (without SDN, OFAC non-SDN and DPL)",
                 {"exclude_sources": CSL_EXCLUDED_SOURCES}),
    EmbeddedList("bis_dpl", "bis-dpl", ("bis_denied_persons_dpl.txt",),
                 "BIS Denied Persons List"),
    EmbeddedList("uk_ofsi", "uk-ofsi", ("ofsi_conlist_2025-04-14.xlsx",),
                 "UK OFSI Consolidated List of Financial Sanctions Targets"),
)


def embedded_lists() -> tuple[EmbeddedList, ...]:
    return EMBEDDED
