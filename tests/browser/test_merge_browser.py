"""Picking a merge target in real Chromium: the search box (static/dashboard/merge.js) fills
the number field from a search over the episode; no list of every submission."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Submission
from tests.browser.conftest import log_in
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_host_finds_the_question_to_keep_and_merges(page, host, episode):
    keep = SubmissionFactory(episode=episode, name="Zoë", text="What comes after Pre-training?")
    SubmissionFactory(episode=episode, name="Kim", text="Will agents matter?")
    duplicate = SubmissionFactory(episode=episode, name="Tom", text="Is pretraining over?")
    log_in(page, host)
    page.goto(f"/host/{episode.slug}/submissions/{duplicate.pk}/")

    merge = page.locator("#merge")
    assert merge.locator("select").count() == 0
    search = merge.get_by_label("Find the question to keep")
    search.fill("pretraining")
    results = merge.locator(".merge-results button")
    expect(results).to_have_count(1)  # itself is never offered
    expect(results.first).to_contain_text(f"#{keep.pk} · Zoë: What comes after Pre-training?")
    expect(merge.get_by_role("status")).to_contain_text("1 match")

    results.first.click()
    expect(merge.get_by_label("Merge this into", exact=True)).to_have_value(f"#{keep.pk}")
    merge.get_by_role("button", name="Merge", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/submissions/{keep.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(f"Merged #{duplicate.pk} from Tom")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (Submission.Status.MERGED, keep.pk)
