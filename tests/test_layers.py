"""Dependencies point one way (DESIGN.md §3):

    reporting -> inspection / partnership -> risk -> declarations -> customs_core

An app may import the layers below it, never one above, and inspection and partnership never
import each other. The import graph is built by grimp (the library behind import-linter) from
the source, so a lazy import inside a function counts as much as one at the top. Tests and
test helpers may cross layers (they build worlds); nothing else may.
"""

import grimp
import pytest

PACKAGES = ("customs_core", "declarations", "inspection", "partnership", "reporting")
LAYERS = {"customs_core": 0, "declarations": 1, "risk": 2, "inspection": 3, "partnership": 3,
          "reporting": 4}
EXEMPT = (".tests", ".testing", ".conftest", ".migrations")


def layer_of(module: str) -> str | None:
    if any(part in module for part in EXEMPT):
        return None
    if module == "declarations.risk" or module.startswith("declarations.risk."):
        return "risk"
    top = module.split(".")[0]
    return top if top in LAYERS else None


def violations(graph) -> list[str]:
    found = []
    for importer in sorted(graph.modules):
        source = layer_of(importer)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            target = layer_of(imported)
            if target is None or target == source:
                continue
            if LAYERS[target] >= LAYERS[source]:
                found.append(f"{importer} ({source}) imports {imported} ({target})")
    return found


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_nothing_imports_a_layer_above_it(graph):
    assert violations(graph) == []


def test_the_check_sees_an_import_up(graph):
    """The check itself: an import up the stack, added to the graph, is reported."""
    graph.add_import(importer="declarations.services", imported="declarations.risk.services")
    graph.add_import(importer="declarations.risk.services", imported="inspection.models")
    graph.add_import(importer="inspection.models", imported="partnership.models")
    try:
        assert violations(graph) == [
            "declarations.risk.services (risk) imports inspection.models (inspection)",
            "declarations.services (declarations) imports declarations.risk.services (risk)",
            "inspection.models (inspection) imports partnership.models (partnership)",
        ]
    finally:
        graph.remove_import(importer="declarations.services",
                            imported="declarations.risk.services")
        graph.remove_import(importer="declarations.risk.services", imported="inspection.models")
        graph.remove_import(importer="inspection.models", imported="partnership.models")


def test_no_import_cycle_inside_risk(graph):
    """risk/ has no loop between its modules (the cache and the services once had one, hidden
    by a lazy import)."""
    risk = sorted(m for m in graph.modules if layer_of(m) == "risk")
    for module in risk:
        for imported in graph.find_modules_directly_imported_by(module):
            if layer_of(imported) == "risk":
                assert not graph.chain_exists(importer=imported, imported=module), (
                    f"cycle: {module} <-> {imported}")
