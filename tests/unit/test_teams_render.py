"""The HTML rendering of a Teams conversation: escaped, inert, self-contained, complete."""

from __future__ import annotations

import re
from typing import Any

from ingest.teams_render import IMAGE_NOT_ARCHIVED, Attachment, Image, Page, entries, render, safe_body

HOSTED = "https://graph.microsoft.com/v1.0/chats/19:x@thread.v2/messages/1/hostedContents/aWQ9eA/$value"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


def _message(ident: str, content: str, *, content_type: str = "html", **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": ident, "etag": ident, "messageType": "message", "createdDateTime": "2024-01-01T10:00:00.000Z",
        "from": {"user": {"id": "u1", "displayName": "Robin Kline"}},
        "body": {"contentType": content_type, "content": content}, "attachments": [],
    }
    message.update(extra)
    return message


def _page(*messages: dict[str, Any], images: dict[str, Image] | None = None,
          attachments: dict[str, Attachment] | None = None) -> str:
    return render(Page("Teams-chat 2024-01", "bron", entries([(m, [], False) for m in messages]),
                       images or {}, attachments or {}))


# --- hostile input first ----------------------------------------------------------------------------------


def test_scripts_event_handlers_styles_and_frames_are_removed_with_their_content() -> None:
    html = safe_body({"contentType": "html", "content":
                      '<p onclick="steel()" style="color:red">Hallo<script>alert("xss")</script>'
                      '<style>body{display:none}</style><iframe src="https://evil.example/">x</iframe>'
                      '<object data="x.swf"></object><form action="https://evil.example/"><input></form></p>'}, {})
    assert html.startswith("<p>Hallo</p>")
    for gone in ("script", "alert", "style", "display", "iframe", "evil", "object", "swf", "form", "input",
                 "onclick", "steel", ">x<"):
        assert gone not in html, gone


def test_javascript_and_data_links_lose_their_target_and_web_links_keep_it_without_referrer() -> None:
    html = safe_body({"contentType": "html", "content":
                      '<a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(1)">b</a>'
                      '<a href="data:text/html,<script>x</script>">c</a><a href="https://www.limburg.nl/">d</a>'}, {})
    assert "javascript" not in html.lower() and "data:" not in html
    assert '<a href="https://www.limburg.nl/" rel="noopener noreferrer">d</a>' in html
    assert html.count("<a ") == 4


def test_a_remote_image_is_never_loaded_and_says_it_was_not_archived() -> None:
    html = safe_body({"contentType": "html", "content":
                      '<img src="https://tracker.example/p.gif" onerror="x()"><img src="//cdn.example/i.png">'}, {})
    assert "tracker" not in html and "cdn.example" not in html and "onerror" not in html
    assert html.count(IMAGE_NOT_ARCHIVED) == 2


def test_plain_text_bodies_are_escaped_and_keep_their_line_breaks() -> None:
    html = safe_body({"contentType": "text", "content": "<b>geen opmaak</b> & \"aanhalingen\"\ntweede regel"}, {})
    assert html == "&lt;b&gt;geen opmaak&lt;/b&gt; &amp; &quot;aanhalingen&quot;<br>tweede regel"


def test_names_subjects_and_attachment_names_are_escaped() -> None:
    message = _message("1", "<p>x</p>", subject="<script>x</script>",
                       attachments=[{"id": "a", "contentType": "reference", "contentUrl": "u",
                                     "name": '"><img src=x onerror=y>.pdf'}])
    message["from"] = {"user": {"id": "u1", "displayName": "<b>Robin</b>"}}
    html = _page(message, attachments={"u": Attachment(href="bijlage.pdf")})
    assert "<script>x" not in html and "<b>Robin" not in html and "<img src=x" not in html
    assert "&lt;b&gt;Robin&lt;/b&gt;" in html


# --- what the page shows ----------------------------------------------------------------------------------


def test_an_archived_inline_image_is_embedded_as_a_data_uri() -> None:
    html = _page(_message("1", f'<p><img src="{HOSTED}" width="67" height="63"></p>'),
                 images={HOSTED: Image("image/png", PNG)})
    assert '<img src="data:image/png;base64,iVBORw0KGgoAAAAAAAAAAA==" width="67" height="63">' in html
    assert "graph.microsoft.com" not in html.split("<body>")[1].replace("bron", "")


def test_nothing_on_the_page_can_load_a_remote_resource() -> None:
    html = _page(_message("1", f'<img src="{HOSTED}"><img src="https://x.example/y.png"><a href="https://a.nl">a</a>'),
                 images={HOSTED: Image("image/png", PNG)})
    assert not re.search(r'\s(src|srcset|data|action|background|poster)="(?!data:)', html)
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'; img-src data:" in html


def test_attachments_link_to_their_archived_file_or_say_why_they_are_missing() -> None:
    message = _message("1", '<p>zie bijlagen</p><attachment id="a"></attachment>', attachments=[
        {"id": "a", "contentType": "reference", "contentUrl": "https://sp/begroting 2024.pdf",
         "name": "begroting 2024.pdf"},
        {"id": "b", "contentType": "reference", "contentUrl": "https://sp/geheim.xlsx", "name": "geheim.xlsx"},
    ])
    html = _page(message, attachments={"https://sp/begroting 2024.pdf": Attachment(href="begroting_2024.pdf"),
                                       "https://sp/geheim.xlsx": Attachment(missing="geen toegang (403)")})
    assert '<li><a href="begroting_2024.pdf">begroting 2024.pdf</a></li>' in html
    assert '<li class="ontbreekt">geheim.xlsx: niet gearchiveerd (geen toegang (403))</li>' in html


def test_edits_older_versions_deletions_system_events_and_unknown_types_are_all_shown() -> None:
    older = _message("2", "<p>dinsdag</p>")
    newer = _message("2", "<p>woensdag</p>", etag="3", lastEditedDateTime="2024-01-01T11:00:00Z")
    deleted = _message("4", "", deletedDateTime="2024-01-02T09:00:00Z")
    system = _message("5", "<systemEventMessage/>", messageType="systemEventMessage", eventDetail={
        "@odata.type": "#microsoft.graph.membersAddedEventMessageDetail",
        "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z", "members": [{"id": "g", "displayName": "Gast"}]})
    system["from"] = None
    unknown = _message("6", "<p>?</p>", messageType="unknownFutureValue")
    html = render(Page("t", "s", entries([(newer, [older], False), (deleted, [], True), (system, [], False),
                                          (unknown, [], False)])))
    assert html.index("woensdag") < html.index("eerdere versie") < html.index("dinsdag")
    assert "bewerkt op 2024-01-01T11:00:00Z" in html
    assert 'class="antwoord verwijderd"' in html and "verwijderd op 2024-01-02T09:00:00Z" in html
    assert "Systeemgebeurtenis: membersAddedEventMessageDetail; leden: Gast; geschiedenis zichtbaar vanaf" in html
    assert "onbekende afzender" in html
    assert "berichtsoort unknownFutureValue" in html


def test_the_same_conversation_renders_to_the_same_bytes() -> None:
    messages = (_message("1", "<p>a</p>"), _message("2", "tekst", content_type="text"))
    assert _page(*messages) == _page(*messages)
