"""Write the generated documentation (docs/scenario-reference.md, docs/assumptions.md).

Usage:
    python scripts/gen_docs.py            # regenerate the pages
    python scripts/gen_docs.py --check    # exit 1 if a committed page is stale
    python scripts/gen_docs.py --schema scenario.schema.json   # also write the JSON schema for editors
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from cadresim.scenario import docs as docgen

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES: dict[str, Callable[[], str]] = {
    "scenario-reference.md": docgen.reference_markdown,
    "assumptions.md": docgen.assumptions_markdown,
}


def stale(docs: Path = DOCS) -> list[Path]:
    """The pages whose committed text differs from a fresh generation."""
    return [docs / name for name, make in PAGES.items()
            if not (docs / name).is_file() or (docs / name).read_text(encoding="utf-8") != make()]


def write(docs: Path = DOCS) -> list[Path]:
    """Regenerate every page; return the paths written."""
    docs.mkdir(parents=True, exist_ok=True)
    for name, make in PAGES.items():
        (docs / name).write_text(make(), encoding="utf-8")
    return [docs / name for name in PAGES]


def main(argv: list[str] | None = None, docs: Path = DOCS) -> int:
    """Run the command line; ``docs`` is the folder of the pages (tests point it elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed pages are stale")
    parser.add_argument("--schema", type=Path, help="also write the scenario JSON schema to this file")
    args = parser.parse_args(argv)
    if args.check:
        old = stale(docs)
        for path in old:
            print(f"stale: {path} (run python scripts/gen_docs.py)", file=sys.stderr)
        return 1 if old else 0
    for path in write(docs):
        print(f"wrote {path}")
    if args.schema:
        args.schema.write_text(json.dumps(docgen.json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.schema}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
