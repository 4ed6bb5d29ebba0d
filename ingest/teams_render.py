"""The readable rendering of one Teams conversation: a self-contained, safe HTML page. Pure (no I/O).

Graph message bodies are HTML written by people and bots, so nothing of it is trusted: every body
goes through `nh3` (the Ammonia sanitiser) with a strict allow-list of tags and attributes. What
remains can neither run nor fetch anything:

- no scripts, event handlers, styles, frames, objects or forms (`script`, `style`, `iframe`,
  `object`, `embed`, `noscript`, `template` are dropped with their content);
- images only as `data:` URIs: an inline image whose Graph `hostedContents` URL we archived is
  embedded; every other image source (a remote tracker, a lost hosted content) is removed and the
  image is replaced by a note;
- links only to http, https and mailto (with `rel="noopener noreferrer"`); attachments link to
  their archived file by a relative path in the same folder;
- a Content-Security-Policy meta tag that forbids every remote resource, as a second line.

Plain-text bodies (`contentType: text`) are escaped, their line breaks kept. The page holds every
message in conversation order (a channel thread: root, then replies; a chat: by time), every older
version seen (edits), deletions and system events, and for every attachment either its link or the
reason it is missing. Display names appear here (this is the record as people saw it); they are kept
out of the MDTO naam and omschrijving by the adapter.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "li", "ol", "p", "pre", "s", "small", "span", "strike", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_NOT_ARCHIVED = "[afbeelding niet gearchiveerd]"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.4; color: #222; }
article { border-left: 3px solid #7a9; padding: .2em 1em; margin: 1em 0; }
article.antwoord { margin-left: 2.5em; border-color: #abc; }
article.systeem { border-color: #ccc; color: #555; font-style: italic; }
article.verwijderd { border-color: #c77; }
header { font-size: .9em; color: #555; }
.versie { border-top: 1px dashed #bbb; margin-top: .5em; color: #666; }
.ontbreekt, .notitie { color: #a33; }
img { max-width: 100%; }
""".strip()


@dataclass(frozen=True)
class Image:
    """An archived inline image: its MIME type and bytes."""

    mime: str
    data: bytes

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class Attachment:
    """What became of an attachment: the relative path of its archived file, or why it is missing."""

    href: str | None = None
    missing: str | None = None


@dataclass(frozen=True)
class Entry:
    """One message in the conversation: its latest version, the older versions seen, reply or not."""

    latest: Mapping[str, Any]
    older: tuple[Mapping[str, Any], ...] = ()
    reply: bool = False


@dataclass(frozen=True)
class Page:
    title: str
    subtitle: str
    entries: tuple[Entry, ...]
    images: Mapping[str, Image] = field(default_factory=dict)  # hostedContents URL -> image
    attachments: Mapping[str, Attachment] = field(default_factory=dict)  # attachment contentUrl or id -> outcome


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def safe_body(body: Mapping[str, Any] | None, images: Mapping[str, Image]) -> str:
    """A message body as safe HTML: sanitised (html) or escaped (text)."""
    content = str((body or {}).get("content") or "")
    if str((body or {}).get("contentType") or "html").lower() == "text":
        return "<br>".join(_e(line) for line in content.split("\n"))

    def attribute(tag: str, name: str, value: str) -> str | None:
        if tag == "img" and name == "src":
            image = images.get(value)
            return image.data_uri() if image is not None else None
        if tag == "a" and name == "href":
            return value if urlsplit(value.strip()).scheme.lower() in LINK_SCHEMES else None
        return value

    cleaned = nh3.clean(
        content,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        url_schemes=set(LINK_SCHEMES) | {"data"},
        attribute_filter=attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image that lost its source (remote, or not archived) says so instead of showing nothing.
    return cleaned.replace("<img>", f'<span class="notitie">{IMAGE_NOT_ARCHIVED}</span>')


def _sender(message: Mapping[str, Any]) -> str:
    sender = message.get("from") or {}
    for kind in ("user", "application", "device"):
        who = sender.get(kind) if isinstance(sender, Mapping) else None
        if isinstance(who, Mapping):
            return str(who.get("displayName") or f"{kind} {who.get('id') or 'onbekend'}")
    return "onbekende afzender"


def _attachments(message: Mapping[str, Any], outcomes: Mapping[str, Attachment]) -> str:
    items = []
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, Mapping):
            continue
        name = str(attachment.get("name") or attachment.get("id") or "bijlage")
        kind = str(attachment.get("contentType") or "")
        outcome = outcomes.get(str(attachment.get("contentUrl") or "")) or outcomes.get(str(attachment.get("id") or ""))
        if outcome is not None and outcome.href:
            items.append(f'<li><a href="{_e(quote(outcome.href))}">{_e(name)}</a></li>')
        elif outcome is not None and outcome.missing:
            items.append(f'<li class="ontbreekt">{_e(name)}: niet gearchiveerd ({_e(outcome.missing)})</li>')
        elif kind == "messageReference":
            items.append(f"<li>verwijzing naar bericht {_e(attachment.get('id') or '')}</li>")
        else:
            items.append(f"<li>{_e(name)} ({_e(kind or 'bijlage')}, inhoud staat in de JSON van het gesprek)</li>")
    return f'<ul class="bijlagen">{"".join(items)}</ul>' if items else ""


def _system_event(message: Mapping[str, Any]) -> str:
    detail = message.get("eventDetail") or {}
    kind = str(detail.get("@odata.type") or "systeemgebeurtenis").rsplit(".", 1)[-1]
    parts = [kind]
    members = [m for m in detail.get("members") or [] if isinstance(m, Mapping)]
    if members:
        parts.append("leden: " + ", ".join(str(m.get("displayName") or m.get("id")) for m in members))
    if detail.get("visibleHistoryStartDateTime"):
        parts.append(f"geschiedenis zichtbaar vanaf {detail['visibleHistoryStartDateTime']}")
    if detail.get("chatDisplayName"):
        parts.append(f"nieuwe naam: {detail['chatDisplayName']}")
    return "; ".join(_e(p) for p in parts)


def _version(message: Mapping[str, Any], page: Page, *, label: str) -> str:
    when = message.get("lastEditedDateTime") or message.get("createdDateTime") or ""
    return (f'<div class="versie"><header>{_e(label)} (etag {_e(message.get("etag") or "")}, {_e(when)})</header>'
            f"{safe_body(message.get('body'), page.images)}</div>")


def _entry(entry: Entry, page: Page) -> str:
    message = entry.latest
    classes = ["antwoord" if entry.reply else "bericht"]
    message_type = str(message.get("messageType") or "")
    notes = []
    if message_type == "systemEventMessage" or message.get("eventDetail"):
        classes.append("systeem")
        body = f"<p>Systeemgebeurtenis: {_system_event(message)}</p>"
    else:
        body = safe_body(message.get("body"), page.images)
    if message_type not in ("message", "systemEventMessage", "chatEvent", ""):
        notes.append(f"berichtsoort {message_type}")
    if message.get("lastEditedDateTime"):
        notes.append(f"bewerkt op {message['lastEditedDateTime']}")
    if message.get("deletedDateTime"):
        classes.append("verwijderd")
        notes.append(f"verwijderd op {message['deletedDateTime']}")
    subject = f"<h3>{_e(message['subject'])}</h3>" if message.get("subject") else ""
    header = (f"<header><strong>{_e(_sender(message))}</strong> &middot; {_e(message.get('createdDateTime') or '')}"
              + "".join(f' &middot; <span class="notitie">{_e(n)}</span>' for n in notes) + "</header>")
    older = "".join(_version(v, page, label="eerdere versie") for v in entry.older)
    return (f'<article class="{" ".join(classes)}" id="bericht-{_e(message.get("id") or "")}">{header}{subject}'
            f"{body}{_attachments(message, page.attachments)}{older}</article>")


def render(page: Page) -> str:
    """The whole conversation as one HTML document (UTF-8, no external resources)."""
    body = "\n".join(_entry(entry, page) for entry in page.entries)
    return (
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{_e(page.title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        f"<h1>{_e(page.title)}</h1>\n<p>{_e(page.subtitle)}</p>\n{body}\n</body>\n</html>\n"
    )


def entries(messages: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]], bool]]) -> tuple[Entry, ...]:
    """Entries from (latest version, older versions, is a reply) triples, in the given order."""
    return tuple(Entry(latest, tuple(older), reply) for latest, older, reply in messages)
