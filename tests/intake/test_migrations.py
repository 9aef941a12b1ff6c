"""Upgrading a database with data in it: the merge constraints arrive with the rows mended."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

AFTER = [("intake", "0003_merged_has_primary")]


def before_targets():
    """Intake as it was, every other app as it is now (their later columns stay in place)."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [node for node in leaves if node[0] == "episodes"] + [("intake", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(before_targets())
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_upgrade_keeps_good_merges_and_mends_broken_ones(old_apps):
    Episode = old_apps.get_model("episodes", "Episode")
    Submission = old_apps.get_model("intake", "Submission")
    episode = Episode.objects.create(slug="old", title="Old", recording_at="2026-12-01T17:00Z")
    primary = Submission.objects.create(episode=episode, text="Kept", status="approved")
    duplicate = Submission.objects.create(
        episode=episode, text="Same", status="merged", merged_into=primary
    )
    # What the old SET_NULL rule left when a primary was deleted, and a stray pointer.
    orphan = Submission.objects.create(episode=episode, text="Orphan", status="merged")
    stray = Submission.objects.create(episode=episode, text="Stray", merged_into=primary)

    apps = migrate(AFTER)

    Submission = apps.get_model("intake", "Submission")
    rows = {row.pk: row for row in Submission.objects.all()}
    assert (rows[primary.pk].status, rows[primary.pk].merged_into_id) == ("approved", None)
    assert (rows[duplicate.pk].status, rows[duplicate.pk].merged_into_id) == (
        "merged",
        primary.pk,
    )
    assert (rows[orphan.pk].status, rows[orphan.pk].merged_into_id) == ("new", None)
    assert (rows[stray.pk].status, rows[stray.pk].merged_into_id) == ("new", None)


def test_the_database_refuses_a_merge_without_its_primary(episode):
    from intake.models import Submission
    from tests.factories import SubmissionFactory

    submission = SubmissionFactory(episode=episode)
    other = SubmissionFactory(episode=episode)
    for broken in (
        {"status": Submission.Status.MERGED},
        {"merged_into": other},
        {"status": Submission.Status.MERGED, "merged_into": submission},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(**broken)


def test_a_primary_cannot_be_deleted_from_under_its_duplicates(episode):
    from django.db.models import RestrictedError

    from intake.models import Submission
    from tests.factories import SubmissionFactory

    primary = SubmissionFactory(episode=episode)
    SubmissionFactory(episode=episode, status=Submission.Status.MERGED, merged_into=primary)

    with pytest.raises(RestrictedError):
        primary.delete()
    episode.delete()  # the whole episode still goes, duplicates and all
    assert not Submission.objects.exists()
