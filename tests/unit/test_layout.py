"""The tree shows the layers: no import circle in hub/, the rules import nothing of Flask or the database,
the operations never import a view."""
import ast
from pathlib import Path

HUB = Path(__file__).resolve().parents[2] / "hub"


def module_of(path):
    parts = path.relative_to(HUB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_of(p): p for p in HUB.rglob("*.py") if "migrations" not in p.parts}


def imports(module):
    """The hub modules ``module`` imports, anywhere in its body (function-level imports count too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


def cycles():
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    graph = {m: imports(m) for m in MODULES}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_module_of_hub_imports_one_that_imports_it_back():
    assert cycles() == []


def test_the_rules_are_plain_python():
    for module in (m for m in MODULES if m.startswith("hub.rules")):
        tree = ast.parse(MODULES[module].read_text())
        names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        names |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and not node.level}
        assert not names & {"flask", "flask_babel", "flask_login", "sqlalchemy", "hub"}, module


def test_operations_and_the_core_never_import_a_view():
    for module in MODULES:
        if module.startswith(("hub.ops", "hub.core", "hub.rules")):
            assert not {m for m in imports(module) if m.startswith(("hub.views", "hub.offline"))}, module
