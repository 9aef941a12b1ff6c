"""The ask page's error summary without JavaScript: first on the page, one link per problem."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from intake.forms import HONEYPOT_MESSAGE

pytestmark = pytest.mark.django_db


class SummaryReader(HTMLParser):
    """The summary's links (href, text), its plain items, and the ids present on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self.plain: list[str] = []
        self.depth = 0  # inside the summary when > 0
        self.href: str | None = None
        self.text = ""
        self.first_id: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if self.first_id is None and attrs.get("id") in {"error-summary", "ask-form"}:
            self.first_id = attrs["id"]
        if attrs.get("id") == "error-summary":
            self.depth = 1
            self.hidden = "hidden" in attrs
        elif self.depth and tag == "div":
            self.depth += 1
        if self.depth and tag == "li":
            self.text, self.href = "", None
        if self.depth and tag == "a":
            self.href = attrs["href"]

    def handle_endtag(self, tag):
        if self.depth and tag == "li":
            if self.href:
                self.links.append((self.href, self.text.strip()))
            else:
                self.plain.append(self.text.strip())
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def read(response) -> SummaryReader:
    reader = SummaryReader()
    reader.feed(response.content.decode())
    return reader


def post(client, episode, **fields):
    data = {"kind": "question", "text": "", "name": "", "email": ""}
    data.update(fields)
    return client.post(reverse("intake:ask", kwargs={"slug": episode.slug}), data)


def test_each_problem_links_to_its_field(client, episode):
    response = post(client, episode, text="  ", email="not-an-email", kind="podcast")
    page = read(response)
    assert response.status_code == 200
    assert page.first_id == "error-summary"  # before the form, so read and seen first
    assert not page.hidden
    assert "There is a problem" in response.content.decode()
    assert [href for href, _ in page.links] == ["#id_kind_0", "#id_text", "#id_email"]
    assert page.links[1][1] == "Please type your question or message, or record one."
    assert page.links[2][1] == "Enter a valid email address."
    assert re.match(r"Select a valid choice", page.links[0][1])
    for href, _ in page.links:
        assert href[1:] in page.ids  # every link lands on a control that exists
    assert "Please check the highlighted parts below." not in response.content.decode()


def test_a_problem_with_the_whole_form_is_listed_without_a_link(client, episode):
    response = post(client, episode, text="Hi", website="http://spam.example")
    page = read(response)
    assert page.plain == [HONEYPOT_MESSAGE]
    assert page.links == []


def test_no_summary_before_a_send(client, episode):
    page = read(client.get(reverse("intake:ask", kwargs={"slug": episode.slug})))
    assert page.hidden  # present for the script to fill, but not shown
    assert page.links == page.plain == []
