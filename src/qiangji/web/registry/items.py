"""Does a registration (or credential) hold a catalogue item? The one rule, read by every check that asks.

A professional item written on a registration covers a catalogue item when its name, stripped, equals the
catalogue item's second- or first-level name, or when the mapping table
(:class:`~qiangji.web.registry.models.ProfessionalItemMapping`) links that name to the item. Indicator C2.2
(registry/indicators.py), TR-3 per certificate (traceability.py) and TR-3 in SQL (audit.py) all use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from qiangji.web.registry.models import MVCatalogueItem, ProfessionalItemMapping


class ItemMatcher:
    """The mapping table read once; ``covers`` then answers without a query."""

    def __init__(self) -> None:
        self.mapped: defaultdict[str, set[int]] = defaultdict(set)
        for name, item_id in ProfessionalItemMapping.objects.values_list(
            "registration_item", "catalogue_item"
        ):
            self.mapped[name.strip()].add(item_id)

    def covers(self, names: Iterable[str], item: MVCatalogueItem) -> bool:
        """Whether any of ``names`` covers ``item`` (exact name, spaces at the ends ignored, or mapped)."""
        exact = {item.level2_name.strip(), item.level1_name.strip()}
        for name in names:
            wanted = name.strip()
            if wanted in exact or item.pk in self.mapped.get(wanted, ()):
                return True
        return False

    def items_of(self, names: Iterable[str], catalogue: Iterable[MVCatalogueItem]) -> list[MVCatalogueItem]:
        """The catalogue items among ``catalogue`` that ``names`` cover."""
        held = list(names)
        return [item for item in catalogue if self.covers(held, item)]
