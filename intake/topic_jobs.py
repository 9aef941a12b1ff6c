"""RQ job: suggest a topic for a typed submission in the worker, where the model is warm."""

from intake import services
from intake.models import Submission


def suggest_topic(submission_id: int) -> str:
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return "gone"
    topic = services.submission_suggest_topic(submission=submission)
    return topic.title if topic else "no topic"
