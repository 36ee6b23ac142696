"""The project's shape: imports go one way, and producers know nothing of the workers."""

from __future__ import annotations

from devtools.import_graph import cycles, graph, modules


def test_no_module_imports_itself_around_a_loop() -> None:
    edges = graph()
    assert cycles(edges) == []


def test_the_checker_sees_a_cycle_when_there_is_one(tmp_path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.a import x\n")  # lazy imports count
    edges = graph(modules(tmp_path, ["pkg"]))
    assert cycles(edges) == [["pkg.a", "pkg.b"]]


def test_producers_and_the_core_import_no_worker_and_no_wiring() -> None:
    edges = graph()
    for module, targets in edges.items():
        if module.startswith(("producers", "nianbao.core", "schemas")):
            above = {t for t in targets if t.startswith(("workers", "nianbao.runtime"))}
            assert not above, f"{module} imports {sorted(above)}"


def test_the_product_imports_no_demo_bench_or_test_tooling() -> None:
    """devtools (the demo site, benches, calibration, soak) is reached only from the CLI."""
    edges = graph()
    for module, targets in edges.items():
        if module.startswith(("producers", "workers", "schemas", "nianbao")) and not (
            module.startswith("nianbao.cli")
        ):
            tooling = {t for t in targets if t.startswith("devtools")}
            assert not tooling, f"{module} imports {sorted(tooling)}"
