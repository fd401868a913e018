"""``python -m toolkit.workshop_file schema``: regenerate the committed JSON Schema."""

from __future__ import annotations

import sys

from toolkit.workshop_file.json_schema import write_schema


def main(argv: list[str]) -> int:
    """Run the maintenance task named in ``argv``; only ``schema`` exists."""
    if argv != ["schema"]:
        print("usage: python -m toolkit.workshop_file schema", file=sys.stderr)
        return 2
    print(write_schema())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
