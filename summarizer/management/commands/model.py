"""`manage.py model list | get NAME`: a real model, one command away."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from summarizer import catalogue


class Command(BaseCommand):
    help = "List the curated instruct GGUFs, or download one into the data dir."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="show the catalogue")
        get = sub.add_parser("get", help="download NAME (resumable, checksummed, HF_ENDPOINT)")
        get.add_argument("name")

    def handle(self, *args, action: str, name: str = "", **options) -> None:
        if action == "list":
            self._list()
            return
        try:
            entry = catalogue.find(name)
            self.stderr.write(f"Downloading {entry.repo}/{entry.filename} (~{entry.size_gb} GB)…")
            path = catalogue.download(entry, settings.DATA_DIR / "models")
        except catalogue.CatalogueError as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # huggingface_hub's network and HTTP errors
            raise CommandError(f"The download failed: {exc}") from None
        self.stdout.write(f"Saved {path}\nTo use it, set:\nLLM_MODEL_PATH={path}")

    def _list(self) -> None:
        """Every entry, the bundled demonstration model too, with the one in
        use marked (``*``): its context as trained, and as this service plans
        with it where that is smaller (a tiny model reads long pages in parts)."""
        active = catalogue.active_entry()
        self.stdout.write(f"  {'name':<14}{'size':>7}{'RAM/VRAM':>10}{'context':>9}  "
                          f"{'licence':<40}languages")  # fmt: skip
        for e in catalogue.KNOWN:
            size, memory = f"{e.size_gb:.1f}GB", f"{e.memory_gb:.1f}GB"
            context = f"{e.context // 1024}k" + (
                f"→{e.effective_context // 1024}k" if e.effective_context else ""
            )
            mark = "*" if e is active else " "
            note = " (bundled demonstration model)" if e.demo else ""
            self.stdout.write(f"{mark} {e.name:<14}{size:>7}{memory:>10}{context:>9}  "
                              f"{e.licence:<40}{e.languages}{note}")  # fmt: skip
        in_use = catalogue.active_model_name()
        if active is None:
            self.stdout.write(f"In use: {in_use} (not in the catalogue; LLM_CATALOGUE_ENTRY names "
                              "its entry if it is one).")  # fmt: skip
        else:
            self.stdout.write(f"In use: {in_use}.")
        self.stdout.write("Get one with: manage.py model get NAME (the bundled SmolLM2-135M is "
                          "a demonstration model, English only).")  # fmt: skip
