"""Export the sentence encoder to ONNX and check it against sentence-transformers (set-up step).

    .venv/bin/python scripts/export_encoder.py [PATH]

Without PATH, the file goes where the assistant looks for it (ASSISTANT_MODELS, or the user
cache directory), and an export of the format before is deleted there. Without this step, the
first question exports it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.wiring import clear_superseded_encoder  # noqa: E402
from index.export import export_encoder  # noqa: E402


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Settings.from_env().encoder
    export_encoder(target)
    if len(sys.argv) == 1:
        clear_superseded_encoder(target)
    print(f"exported the sentence encoder to {target} (checked against sentence-transformers)")


if __name__ == "__main__":
    main()
