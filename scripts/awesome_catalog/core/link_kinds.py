"""The kinds of a work's other links (``links:`` in an entry): the one list of them.

``LINK_KINDS`` maps each kind to its label, in the order links are shown. The entry
schema's ``links`` properties must name exactly these kinds (a test keeps them equal).
``link_kind`` tells the kind of a URL found in a Markdown list.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_KINDS: dict[str, str] = {
    "pdf": "PDF",
    "openreview": "OpenReview",
    "proceedings": "Proceedings",
    "paper": "Paper",
    "blog": "Blog post",
    "code": "Code",
    "docs": "Docs",
    "release": "Release",
    "website": "Website",
}
LINK_RANK = {kind: i for i, kind in enumerate(LINK_KINDS)}

PROCEEDINGS_HOSTS = ("proceedings.neurips.cc", "papers.nips.cc", "aclanthology.org", "proceedings.mlr.press",
                     "openaccess.thecvf.com", "ojs.aaai.org", "dl.acm.org", "jmlr.org")
BLOG_HOSTS = ("lesswrong.com", "alignmentforum.org", "medium.com", "substack.com", "neelnanda.io", "openai.com",
              "anthropic.com")


def link_kind(url: str) -> str:
    """The kind of a URL: ``openreview``, ``proceedings`` (conference and journal hosts),
    ``pdf`` (any other ``.pdf``), ``code`` (GitHub), ``blog`` (blog hosts) or ``website``."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL Python can read: no kind to tell
        return "website"
    host = parts.netloc.lower().removeprefix("www.")

    def on(hosts: tuple[str, ...]) -> bool:
        return any(host == h or host.endswith("." + h) for h in hosts)

    if host == "openreview.net":
        return "openreview"
    if on(PROCEEDINGS_HOSTS):
        return "proceedings"
    if parts.path.lower().endswith(".pdf"):
        return "pdf"
    if host == "github.com":
        return "code"
    return "blog" if on(BLOG_HOSTS) else "website"
