"""Topic pages: add, rename, reorder, delete with confirmation, and importing the essay."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import ESSAY
from tests.dashboard.pages import messages_of
from tests.factories import SubmissionFactory, TopicFactory

ESSAY_TITLES = [
    "What Ilya Saw in 2014",
    "What Ilya Saw in 2016-2017",
    "What Ilya Sees in 2024",
    "Bonus: What Did Ilya See in 2023?",
]


def topics_url(episode) -> str:
    return reverse("dashboard:topic_list", kwargs={"slug": episode.slug})


def topic_url(name: str, topic) -> str:
    return reverse(name, kwargs={"slug": topic.episode.slug, "pk": topic.pk})


def titles(episode) -> list[str]:
    return list(episode.topics.order_by("position", "id").values_list("title", flat=True))


@pytest.fixture
def three(episode):
    return [
        TopicFactory(episode=episode, title=title, position=index)
        for index, title in enumerate(["Alpha", "Beta", "Gamma"])
    ]


def test_topic_list_shows_topics_in_order_with_tag_counts(host_client, episode, three):
    tagged = SubmissionFactory(episode=episode)
    tagged.topics.add(three[1])

    response = host_client.get(topics_url(episode))

    html = response.content.decode()
    assert [t.title for t in response.context["topics"]] == ["Alpha", "Beta", "Gamma"]
    assert html.index("Alpha") < html.index("Beta") < html.index("Gamma")
    assert "1 question tagged" in html
    assert html.count("Run-sheet") >= 1  # its place in the navigation is kept


def test_add_a_topic(host_client, episode, three):
    response = host_client.post(
        reverse("dashboard:topic_create", kwargs={"slug": episode.slug}),
        {"title": "  Delta  ", "summary": "The fourth part."},
        follow=True,
    )

    assert messages_of(response) == [("success", "Added the topic \u201cDelta\u201d.")]
    assert titles(episode) == ["Alpha", "Beta", "Gamma", "Delta"]
    assert episode.topics.get(title="Delta").summary == "The fourth part."


@pytest.mark.parametrize(
    ("title", "error"),
    [("beta", "already has a topic called"), ("", "This field is required"), ("x" * 201, "")],
)
def test_add_a_bad_topic_shows_the_form_again(host_client, episode, three, title, error):
    response = host_client.post(
        reverse("dashboard:topic_create", kwargs={"slug": episode.slug}), {"title": title}
    )

    assert response.status_code == 200
    assert response.context["add_form"].errors["title"]
    assert error in response.content.decode()
    assert titles(episode) == ["Alpha", "Beta", "Gamma"]


def test_rename_and_edit_the_summary(host_client, three):
    edit = topic_url("dashboard:topic_update", three[0])
    page = host_client.get(edit)
    assert 'value="Alpha"' in page.content.decode()

    response = host_client.post(
        edit, {"title": "Alpha, renamed", "summary": "New summary."}, follow=True
    )

    assert messages_of(response)[0][0] == "success"
    three[0].refresh_from_db()
    assert (three[0].title, three[0].summary) == ("Alpha, renamed", "New summary.")


def test_rename_onto_another_title_is_refused(host_client, three):
    response = host_client.post(
        topic_url("dashboard:topic_update", three[0]), {"title": "GAMMA", "summary": ""}
    )

    assert response.status_code == 200
    assert "already has a topic called" in str(response.context["form"].errors["title"])
    three[0].refresh_from_db()
    assert three[0].title == "Alpha"


@pytest.mark.parametrize(
    ("index", "direction", "expected"),
    [
        (1, "up", ["Beta", "Alpha", "Gamma"]),
        (1, "down", ["Alpha", "Gamma", "Beta"]),
        (0, "up", ["Alpha", "Beta", "Gamma"]),  # already first
        (2, "down", ["Alpha", "Beta", "Gamma"]),  # already last
    ],
)
def test_move_up_and_down(host_client, episode, three, index, direction, expected):
    response = host_client.post(
        topic_url("dashboard:topic_move", three[index]), {"direction": direction}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#topic-{three[index].pk}")
    assert titles(episode) == expected


def test_move_needs_a_direction(host_client, episode, three):
    response = host_client.post(
        topic_url("dashboard:topic_move", three[0]), {"direction": "sideways"}, follow=True
    )

    assert messages_of(response)[0][0] == "error"
    assert titles(episode) == ["Alpha", "Beta", "Gamma"]


def test_delete_asks_first_telling_how_many_questions_are_tagged(host_client, episode, three):
    for submission in SubmissionFactory.create_batch(2, episode=episode):
        submission.topics.add(three[1])
    delete = topic_url("dashboard:topic_delete", three[1])

    confirm = host_client.get(delete)

    assert "2 questions are tagged with this topic." in confirm.content.decode()
    assert titles(episode) == ["Alpha", "Beta", "Gamma"]

    response = host_client.post(delete, follow=True)

    assert messages_of(response) == [("success", "Deleted the topic \u201cBeta\u201d.")]
    assert titles(episode) == ["Alpha", "Gamma"]
    assert episode.submissions.count() == 2  # the questions stay


def test_a_topic_with_a_run_sheet_segment_says_so_before_delete(host_client, episode, three):
    from runsheet import services as runsheet_services

    runsheet_services.runsheet_start(episode=episode)
    delete = topic_url("dashboard:topic_delete", three[1])

    confirm = host_client.get(delete).content.decode()
    response = host_client.post(delete, follow=True)

    assert "The run-sheet has a segment for this topic</strong> (Beta)" in confirm
    assert "Delete topic</button>" not in confirm
    assert messages_of(response)[0][0] == "error"
    assert titles(episode) == ["Alpha", "Beta", "Gamma"]


# --- Essay import ----------------------------------------------------------------------------


def import_url(episode) -> str:
    return reverse("dashboard:essay_import", kwargs={"slug": episode.slug})


def confirm_data(preview, **changes) -> dict:
    """What the preview page's confirmation form posts (its hidden fields), plus `changes`."""
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in ("confirm", "essay", "heading_level")}
    return {**data, "fingerprint": form["fingerprint"].value(), **changes}


def import_confirmed(client, episode, data: dict, **changes):
    """Post the essay (the preview: nothing changes yet), then confirm it."""
    preview = client.post(import_url(episode), data)
    assert preview.status_code == 200, preview.content[:500]
    assert preview.templates[0].name == "dashboard/essay_import_preview.html"
    return client.post(import_url(episode), confirm_data(preview, **changes))


def test_import_pasted_essay_then_see_the_report_once(host_client, episode):
    response = import_confirmed(
        host_client, episode, {"markdown": ESSAY.read_text(), "heading_level": "2"}
    )

    assert response.status_code == 302
    assert response["Location"] == topics_url(episode) + "#import-report"
    assert titles(episode) == ESSAY_TITLES
    page = host_client.get(response["Location"])
    report = page.context["report"]
    assert report["created"] == {"count": 4, "titles": ESSAY_TITLES}
    assert report["updated"]["count"] == report["removed_deleted"]["count"] == 0
    assert "Essay import report" in page.content.decode()
    assert host_client.get(topics_url(episode)).context["report"] is None


def test_reimport_reports_kept_and_deleted_topics(host_client, episode):
    kept = TopicFactory(episode=episode, title="Kept because tagged", position=0)
    SubmissionFactory(episode=episode).topics.add(kept)
    TopicFactory(episode=episode, title="Unused", position=1)
    TopicFactory(episode=episode, title="What Ilya Saw in 2014", summary="Old.", position=2)

    import_confirmed(host_client, episode, {"markdown": ESSAY.read_text()})
    report = host_client.get(topics_url(episode)).context["report"]

    assert report["created"]["count"] == 3
    assert report["updated"]["titles"] == ["What Ilya Saw in 2014"]
    assert report["removed_kept"]["titles"] == ["Kept because tagged"]
    assert report["removed_deleted"]["titles"] == ["Unused"]
    assert titles(episode) == [*ESSAY_TITLES, "Kept because tagged"]


def test_import_uploaded_markdown_file_at_another_heading_level(host_client, episode):
    upload = SimpleUploadedFile(
        "essay.md", b"# Part one\n\nText.\n\n### Not a topic\n\n# Part two\n\nMore.\n"
    )

    response = import_confirmed(host_client, episode, {"file": upload, "heading_level": "1"})

    assert response.status_code == 302
    assert titles(episode) == ["Part one", "Part two"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Paste the essay&#x27;s Markdown or choose a .md file."),
        ({"markdown": "   "}, "Paste the essay&#x27;s Markdown or choose a .md file."),
        (
            {"markdown": "## A\n\nx", "file": ("a.md", b"## B\n")},
            "Paste the essay or upload a file, not both.",
        ),
        ({"file": ("essay.pdf", b"%PDF-1.4")}, "is not a Markdown file"),
        ({"file": ("essay.md", b"## Caf\xe9\n")}, "is not UTF-8 text"),
        ({"markdown": "No headings at all.\n"}, "has no level-2 headings"),
        ({"markdown": "## A\n\n## A\n", "heading_level": "2"}, "Two sections are called"),
    ],
)
def test_import_errors_create_nothing(host_client, episode, data, error):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}

    response = host_client.post(import_url(episode), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert episode.topics.count() == 0
