"""The host pages with a big mailbag: a constant number of queries whatever the episode's
size, similar questions read from what the worker stored, a merge target typed or searched for
(never a select of every submission), and "re-ranking" while the worker ranks topics again.

Times are measured by bench/dashboard.py, not here.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.views import submissions as submission_views
from episodes.models import Episode
from intake import queue
from intake.models import Submission, SubmissionSimilarity
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

S = Submission.Status
SIZES = (5, 50)
# A generous ceiling; the real check is that both sizes make the same queries.
MAX_QUERIES = 25


def build(episode, size: int) -> list[Submission]:
    """`size` submissions as a busy mailbag has them: typed and transcribed, tagged,
    suggested, approved, merged, each with stored similar questions."""
    topics = [
        TopicFactory(episode=episode, title=f"Part {index}", position=index) for index in range(3)
    ]
    rows = []
    for index in range(size):
        voice = index % 3 == 0
        words = f"Question number {index} about pre-training and agents?"
        rows.append(
            Submission(
                episode=episode,
                name=f"Listener {index}",
                text="" if voice else words,
                transcript=words if voice else "",
                transcription_state="done" if voice else "none",
                audio=f"audio/{index}.webm" if voice else None,
                audio_seconds=30.0 if voice else None,
                status=S.APPROVED if index % 4 == 0 else S.NEW,
                suggested_topic=topics[index % 3],
                suggested_topic_score=0.5,
                embedding_hash=f"{index:040d}",
            )
        )
    made = Submission.objects.bulk_create(rows)
    for index, submission in enumerate(made):
        submission.topics.add(topics[index % 3], topics[(index + 1) % 3])
    # Two duplicates folded in (one into a primary, one into another).
    for duplicate, primary in ((made[3], made[2]), (made[4], made[1])):
        Submission.objects.filter(pk=duplicate.pk).update(status=S.MERGED, merged_into=primary)
    # Every one similar to the next few (both ways), as the worker stores them.
    pairs = {}
    for index, submission in enumerate(made):
        for step in range(1, 4):
            other = made[(index + step) % size]
            score = 0.9 - step / 100
            pairs[(submission.pk, other.pk)] = score
            pairs[(other.pk, submission.pk)] = score
    SubmissionSimilarity.objects.bulk_create(
        SubmissionSimilarity(submission_id=a, other_id=b, score=score)
        for (a, b), score in pairs.items()
    )
    return made


def queries_of(client, url: str, *, status: int = 200) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return [query["sql"] for query in captured.captured_queries]


def pages(episode, made: list[Submission]) -> dict[str, str]:
    inbox = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})
    last_page = -(-len(made) // submission_views.PAGE_SIZE)
    return {
        "inbox": inbox,
        "inbox, last page": f"{inbox}?page={last_page}",
        "inbox, new ones, last page": f"{inbox}?status=new&page=999",
        "detail": reverse(
            "dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": made[2].pk}
        ),
        "topics": reverse("dashboard:topic_list", kwargs={"slug": episode.slug}),
        "episode list": reverse("dashboard:episode_list"),
    }


@pytest.fixture
def small_pages(monkeypatch):
    # Two to a page, so 5 submissions make 3 pages and 50 make 25: a "late page" at both.
    monkeypatch.setattr(submission_views, "PAGE_SIZE", 2)


@pytest.mark.parametrize(
    "page",
    ["inbox", "inbox, last page", "inbox, new ones, last page", "detail", "topics", "episode list"],
)
def test_every_host_page_makes_the_same_queries_at_5_and_50(
    host_client, host, small_pages, page, django_assert_max_num_queries
):
    counts = {}
    for size in SIZES:
        episode = EpisodeFactory(slug=f"size-{size}", hosts=[host])
        made = build(episode, size)
        url = pages(episode, made)[page]
        host_client.get(url)  # sessions, caches: as on any later request
        counts[size] = len(queries_of(host_client, url))
    assert counts[5] == counts[50], counts
    with django_assert_max_num_queries(min(counts[5], MAX_QUERIES)):
        host_client.get(url)


def test_late_pages_ask_the_index_for_ids_then_fetch_one_page(host_client, episode, small_pages):
    made = build(episode, 50)
    url = reverse("dashboard:submission_list", kwargs={"slug": episode.slug}) + "?page=24"

    response = host_client.get(url)

    newest_first = sorted(made, key=lambda s: (s.created_at, s.pk), reverse=True)
    assert [s.pk for s in response.context["page"]] == [s.pk for s in newest_first[46:48]]
    assert response.context["page"].paginator.num_pages == 25
    assert "page=23" in response.content.decode() and "page=25" in response.content.decode()


def test_detail_shows_the_stored_similar_questions_best_five_unmerged(host_client, episode):
    made = build(episode, 12)
    question = made[0]
    SubmissionSimilarity.objects.filter(submission=question).delete()
    scores = {made[i].pk: 0.95 - i / 100 for i in range(2, 10)}  # made[3], [4] are merged
    SubmissionSimilarity.objects.bulk_create(
        SubmissionSimilarity(submission=question, other_id=pk, score=score)
        for pk, score in scores.items()
    )

    response = host_client.get(
        reverse("dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": question.pk})
    )

    shown = [item["submission"].pk for item in response.context["similar"]]
    assert shown == [made[i].pk for i in (2, 5, 6, 7, 8)]
    html = response.content.decode()
    assert f"Merge #{made[2].pk} into this" in html and f"Merge this into #{made[2].pk}" in html


def test_detail_says_similar_questions_are_on_their_way(host_client, episode):
    fresh = SubmissionFactory(episode=episode, text="Is pre-training over?")

    html = host_client.get(
        reverse("dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": fresh.pk})
    ).content.decode()

    assert "Looking for similar questions" in html


def test_the_merge_target_is_a_number_never_a_select_of_everything(host_client, episode):
    made = build(episode, 30)

    html = host_client.get(
        reverse("dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": made[0].pk})
    ).content.decode()

    assert '<select name="primary"' not in html
    assert 'name="primary"' in html and 'placeholder="#123"' in html
    assert reverse("dashboard:submission_search", kwargs={"slug": episode.slug}) in html
    assert "dashboard/merge.js" in html
    assert html.count("<option") < 20  # the episode's 30 submissions are not listed


@pytest.mark.parametrize("typed", ["#{pk}", "{pk}", " # {pk} "])
def test_merge_into_a_typed_number(host_client, episode, typed):
    primary = SubmissionFactory(episode=episode, name="Sam")
    duplicate = SubmissionFactory(episode=episode, name="Ana")

    response = host_client.post(
        reverse("dashboard:submission_merge", kwargs={"slug": episode.slug, "pk": duplicate.pk}),
        {"primary": typed.format(pk=primary.pk)},
        follow=True,
    )

    duplicate.refresh_from_db()
    assert duplicate.merged_into == primary
    assert response.context["askers"] == ["Sam", "Ana"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "Type the number of the question to merge into, as in #123."),
        ("abc", "\u201cabc\u201d is not a question number; type it as in #123."),
        ("itself", "A submission cannot be merged into itself; pick the question to keep."),
        ("elsewhere", "There is no #{pk} in this episode."),
        ("missing", "There is no #987654 in this episode."),
        ("merged", "#{pk} is itself merged into #{into}; merge into #{into} instead."),
    ],
)
def test_merge_into_a_number_that_cannot_take_it_says_why(host_client, episode, target, message):
    duplicate = SubmissionFactory(episode=episode)
    primary = SubmissionFactory(episode=episode)
    other = {
        "itself": duplicate,
        "elsewhere": SubmissionFactory(episode=EpisodeFactory()),
        "merged": SubmissionFactory(episode=episode, status=S.MERGED, merged_into=primary),
    }.get(target)
    typed = {"missing": "987654", "abc": "abc", "": ""}.get(target, f"#{getattr(other, 'pk', '')}")

    response = host_client.post(
        reverse("dashboard:submission_merge", kwargs={"slug": episode.slug, "pk": duplicate.pk}),
        {"primary": typed},
        follow=True,
    )

    expected = message.format(pk=getattr(other, "pk", ""), into=primary.pk)
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [("error", expected)]
    duplicate.refresh_from_db()
    assert duplicate.status == S.NEW


def search(client, episode, **params):
    response = client.get(
        reverse("dashboard:submission_search", kwargs={"slug": episode.slug}), params
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["results"]


def test_search_finds_merge_targets_ignoring_case_accents_and_hyphens(host_client, episode):
    zoe = SubmissionFactory(episode=episode, name="Zoë", text="What comes after Pre-training?")
    itself = SubmissionFactory(episode=episode, name="Tom", text="Is pretraining over?")
    primary = SubmissionFactory(episode=episode, name="Kim", text="Pretraining again")
    SubmissionFactory(
        episode=episode, text="Pre-training, merged", status=S.MERGED, merged_into=primary
    )
    SubmissionFactory(episode=EpisodeFactory(), text="Pretraining elsewhere")

    found = search(host_client, episode, q="PRETRAINING", exclude=itself.pk)

    assert [row["id"] for row in found] == [primary.pk, zoe.pk]  # newest first
    assert found[1]["ref"] == f"#{zoe.pk}"
    assert found[1]["label"].startswith(f"#{zoe.pk} · Zoë: What comes after Pre-training?")
    assert found[1]["url"] == reverse(
        "dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": zoe.pk}
    )
    assert [row["id"] for row in search(host_client, episode, q="zoe")] == [zoe.pk]
    assert search(host_client, episode, q="") == []


def test_search_by_number_and_at_most_ten(host_client, episode):
    many = SubmissionFactory.create_batch(14, episode=episode, text="Agents?")

    assert len(search(host_client, episode, q="agents")) == 10
    assert [row["id"] for row in search(host_client, episode, q=f"#{many[3].pk}")] == [many[3].pk]
    assert search(host_client, episode, q=f"#{many[3].pk}", exclude=many[3].pk) == []


def test_search_makes_the_same_queries_whatever_it_finds(host_client, host):
    counts = []
    for size in SIZES:
        episode = EpisodeFactory(slug=f"search-{size}", hosts=[host])
        build(episode, size)
        url = reverse("dashboard:submission_search", kwargs={"slug": episode.slug})
        host_client.get(url, {"q": "question"})
        with CaptureQueriesContext(connection) as captured:
            host_client.get(url, {"q": "question"})
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_topic_rename_only_queues_the_ranking_and_the_pages_say_so(
    host_client, episode, transcription_queue, run_worker, django_capture_on_commit_callbacks
):
    topic = TopicFactory(episode=episode, title="Alpha", position=0)
    question = SubmissionFactory(episode=episode, text="How did the Dota 2 bots get so good?")

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client.post(
            reverse("dashboard:topic_update", kwargs={"slug": episode.slug, "pk": topic.pk}),
            {"title": "Dota 2", "summary": "The Dota 2 bots."},
            follow=True,
        )

    question.refresh_from_db()
    assert question.suggested_topic is None  # nothing ranked in the request
    assert [job.func_name for job in transcription_queue.jobs] == [queue.RANK_TASK]
    notice = "Re-ranking suggested topics"
    assert notice in response.content.decode()  # the topics page
    for name, kwargs in (
        ("dashboard:submission_list", {}),
        ("dashboard:submission_detail", {"pk": question.pk}),
    ):
        page = host_client.get(reverse(name, kwargs={"slug": episode.slug, **kwargs}))
        assert notice in page.content.decode()

    run_worker()

    question.refresh_from_db()
    assert question.suggested_topic == topic
    assert Episode.objects.get(pk=episode.pk).suggestions_stale_since is None
    page = host_client.get(reverse("dashboard:topic_list", kwargs={"slug": episode.slug}))
    assert notice not in page.content.decode()
    assert "suggested for 1" in page.content.decode()


def test_topic_counts_are_not_multiplied(host_client, episode):
    made = build(episode, 10)
    first = episode.topics.order_by("position").first()

    response = host_client.get(reverse("dashboard:topic_list", kwargs={"slug": episode.slug}))

    counted = {topic.pk: topic for topic in response.context["topics"]}[first.pk]
    assert counted.tagged_count == first.submissions.count()
    assert counted.suggested_count == sum(1 for s in made if s.suggested_topic_id == first.pk)


def test_episode_list_counts(host_client, episode):
    build(episode, 10)
    Submission.objects.filter(episode=episode, transcription_state="done").update(
        transcription_state="failed"
    )
    SubmissionFactory(episode=EpisodeFactory(hosts=[]), text="Someone else's")

    [row] = host_client.get(reverse("dashboard:episode_list")).context["episodes"]

    mine = Submission.objects.filter(episode=episode)
    assert row.submission_count == 10
    assert row.new_count == mine.filter(status=S.NEW).count()
    assert row.approved_count == mine.filter(status=S.APPROVED).count()
    assert row.failed_count == mine.filter(transcription_state="failed").count() == 4
    assert row.transcribing_count == 0
    assert row.topic_count == 3
