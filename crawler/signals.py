"""What the crawler tells whoever listens, without knowing who they are.

``run_finished`` (``run=``): a run ended done or incomplete, its posts stored.
The sites app listens to archive the posts of runs asked to (crawl and
archive); the crawler itself knows nothing of the Archive.
"""

from django.dispatch import Signal

run_finished = Signal()
