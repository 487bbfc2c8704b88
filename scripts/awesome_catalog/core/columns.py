"""The columns a section can show: the kinds of terms, then the summary.

Kept apart from the model so that the command line can name the kinds without
building the model's classes at start-up.
"""

COLUMNS = ("techniques", "evaluation", "summary")
TERM_KINDS = ("techniques", "evaluation")
