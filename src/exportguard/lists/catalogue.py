"""The lists a full set holds, and how the US Consolidated Screening List fits beside them.

``lists update`` with no list named downloads :data:`PUBLISHER_LISTS` (and any
other list already loaded). The CSL repeats lists that their own publishers
also publish (OFAC's SDN and non-SDN lists, the BIS Denied Persons List); when
those are loaded from their own, newer files, the CSL is loaded without them
(:func:`csl_exclusions`) so that one listing is not screened twice from two
dates. What the CSL alone carries stays: the BIS Entity List, Military End
User and Unverified lists, ITAR debarred parties, the ISN nonproliferation
list.
"""

from __future__ import annotations

from collections.abc import Iterable

# (list id, format) of every list with an official download, in update order.
PUBLISHER_LISTS: tuple[tuple[str, str], ...] = (
    ("un_sc", "un"),
    ("ofac_sdn", "ofac"),
    ("ofac_cons", "ofac-enhanced"),
    ("us_csl", "csl"),
    ("bis_dpl", "bis-dpl"),
    ("uk_ofsi", "uk-ofsi"),
    ("eu_fsf", "eu-fsf"),
)

# CSL short source codes (csl.short_source) that another list carries from its publisher.
# The OFAC non-SDN Consolidated list carries SSI, PLC, CMIC, CAPTA (CAP), NS-MBS and FSE.
CSL_SOURCES_BY_LIST: dict[str, tuple[str, ...]] = {
    "ofac_sdn": ("SDN",),
    "bis_dpl": ("DPL",),
    "ofac_cons": ("SSI", "PLC", "CMIC", "CAP", "FSE", "NS-*"),
}
CSL_LIST_ID = "us_csl"


def csl_exclusions(loaded_list_ids: Iterable[str]) -> tuple[str, ...]:
    """CSL sources to leave out because their own publishers' lists are loaded too."""
    ids = set(loaded_list_ids)
    return tuple(code for lid, codes in CSL_SOURCES_BY_LIST.items() if lid in ids
                 for code in codes)
