"""`manage.py warc list|check|export SITE`: a site's local WARC copies."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crawler.models import Site
from waybrief import warc
from waybrief.warc import index, tools


class Command(BaseCommand):
    help = "List, check (warcio's checker) or export (with a CDXJ index) a site's WARC files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["list", "check", "export"])
        parser.add_argument("site", help="the site's address (or its id)")
        parser.add_argument("--out", help="export: the folder to write (default: ./FOLDER-export)")

    def handle(self, *args, action: str, site: str, out: str | None, **options) -> None:
        folder = _folder(site)
        files = index.closed_files(folder) if folder.is_dir() else []
        if action == "list":
            self._list(folder, files)
        elif action == "check":
            self._check(files)
        else:
            self._export(files, Path(out) if out else Path.cwd() / f"{folder.name}-export")

    def _list(self, folder: Path, files: list[Path]) -> None:
        for path in files:
            entries = list(_entries(path))
            self.stdout.write(f"{path.name}\t{path.stat().st_size} bytes\t{len(entries)} pages")
        for path in sorted(folder.glob("*.open")) if folder.is_dir() else []:
            self.stdout.write(f"{path.name}\tbeing written (or left by a stopped crawl)")
        self.stderr.write(f"{len(files)} WARC file(s) in {folder}")

    def _check(self, files: list[Path]) -> None:
        failed = []
        for path in files:
            passed, report = tools.check(path)
            self.stdout.write(f"{path.name}\t{'ok' if passed else 'FAILED'}")
            if report:
                self.stdout.write(report)
            if not passed:
                failed.append(path.name)
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} WARC file(s) failed the check.")

    def _export(self, files: list[Path], out: Path) -> None:
        if not files:
            raise CommandError("That site has no closed WARC files to export.")
        cdxj = tools.export(files, out)
        self.stdout.write(str(cdxj))
        self.stderr.write(
            f"{len(files)} WARC file(s) and their CDXJ index in {out}: replay them with "
            f"`wb-manager add` (pywb) or open the folder in ReplayWeb.page."
        )


def _folder(site: str) -> Path:
    row = Site.objects.filter(pk=int(site)).first() if site.isdigit() else None
    url = row.url if row else site
    folder = warc.folder_for(url)
    if folder is None:
        raise CommandError("No WARC copies are kept: WARC_DIR is empty.")
    return folder


def _entries(path: Path):
    listed = index.path_for(path)
    if not listed.exists():
        return index.scan(path)
    with listed.open(encoding="utf-8") as lines:
        return [line for line in lines if line.strip()]
