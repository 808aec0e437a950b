#!/usr/bin/env bash
# The interface's translations (locale/<lang>/LC_MESSAGES/django.po).
#
#   scripts/messages.sh refresh   gather every {% translate %} and gettext() string from the
#                                 templates and the code into the .po files (new ones with an
#                                 empty msgstr to fill in; gone ones dropped). Needs gettext's
#                                 xgettext and msgmerge (Debian: apt-get install gettext;
#                                 scripts/ensure-services.sh installs it).
#   scripts/messages.sh compile   the .po files into the .mo files Django reads, in pure Python
#                                 (Babel), so a machine without gettext builds too. `make install`,
#                                 `make test` and docker/Dockerfile run it.
#
# After `refresh`, fill in every empty msgstr (and clear any "fuzzy" flag once checked),
# then `compile`. tests/web/test_i18n.py fails on an untranslated string.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
command -v "$PY" >/dev/null || PY=python3
LANGS=(zh_Hant)
# What makemessages reads: the apps, their templates and templates/ (not the tests' pages,
# the data dir, the virtualenv or node_modules).
IGNORE=(--ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=docker
        --ignore=node_modules --ignore=test-artifacts --ignore=build --ignore=dist)

case "${1:-}" in
  refresh)
    for lang in "${LANGS[@]}"; do
      "$PY" manage.py makemessages --locale "$lang" --domain django --extension html,txt,py \
        --no-obsolete --no-wrap --add-location file "${IGNORE[@]}"
    done
    ;;
  compile)
    "$PY" - <<'PYTHON'
"""Each locale/*/LC_MESSAGES/*.po as its .mo, fuzzy entries left out (as msgfmt does)."""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

for po in sorted(Path("locale").glob("*/LC_MESSAGES/*.po")):
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parts[1])
    with po.with_suffix(".mo").open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    print(f"compiled {po}")
PYTHON
    ;;
  *)
    echo "usage: scripts/messages.sh refresh|compile" >&2
    exit 2
    ;;
esac
