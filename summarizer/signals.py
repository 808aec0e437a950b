"""What the summarizer tells whoever listens, without knowing who they are.

``summary_finished`` (``summary=``): a summary ended, done or failed, its row
written. The library listens to index (or drop) it; the summarizer knows
nothing of the library.
"""

from django.dispatch import Signal

summary_finished = Signal()
