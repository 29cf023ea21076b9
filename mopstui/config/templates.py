"""The customer-update templates built in, one per channel and status: the config's defaults,
read without the marketing sections' checking (a config with no `templates:` needs no more)."""

from __future__ import annotations

# The fields a template may use; drafts fill them from the incident (domain/drafts.py).
TEMPLATE_FIELDS = (
    "incident",
    "title",
    "summary",
    "severity",
    "status",
    "touchpoints",
    "services",
    "elapsed",
    "next_update",
    "started",
)
# The built-in templates, one per channel and status, written to read as good English in each: a
# resolved incident is said to be resolved, with thanks and no promise of a next update. A config's
# own template for a channel (one text) is used in every status. `{touchpoints}` may be a list ("lead
# capture and chat"), so no sentence makes a verb agree with it.
STATUS_TEMPLATES = {
    "site-banner": {
        "investigating": "We're investigating a problem with {touchpoints}. Next update by {next_update}.",
        "identified": "We've found the cause of the problem with {touchpoints} and are working on a fix. "
        "Next update by {next_update}.",
        "monitoring": "A fix for the problem with {touchpoints} is in place and we're watching it closely. "
        "Next update by {next_update}.",
        "resolved": "The problem with {touchpoints} is resolved. Thank you for your patience.",
    },
    "email": {
        "investigating": "Subject: {title}\n\nSince {started} we have had a problem with {touchpoints}. We are "
        "investigating and will update you by {next_update}. We're sorry for the trouble.",
        "identified": "Subject: {title}\n\nSince {started} we have had a problem with {touchpoints}. We have found "
        "the cause and are working on a fix; we will update you by {next_update}. We're sorry for the "
        "trouble.",
        "monitoring": "Subject: {title}\n\nA fix for the problem with {touchpoints} (since {started}) is in place, "
        "and we are watching to make sure it holds. We will update you by {next_update}. We're sorry "
        "for the trouble.",
        "resolved": "Subject: Resolved: {title}\n\nThe problem with {touchpoints} that began at {started} is "
        "resolved. Thank you for your patience, and we're sorry for the trouble.",
    },
    "social": {
        "investigating": "We know there's a problem with {touchpoints} right now. We're investigating; next update "
        "by {next_update}.",
        "identified": "We've found the cause of the problem with {touchpoints} and are working on a fix. Next "
        "update by {next_update}.",
        "monitoring": "A fix for the problem with {touchpoints} is in place and we're keeping a close eye on it. "
        "Next update by {next_update}.",
        "resolved": "The problem with {touchpoints} is resolved. Thank you for your patience!",
    },
    "support-macro": {
        "investigating": "Thanks for reaching out. We're aware of a problem with {touchpoints} and are investigating "
        "it now. No need to try again; we'll post an update by {next_update}.",
        "identified": "Thanks for reaching out. We're aware of the problem with {touchpoints}: we've found the cause "
        "and are working on a fix. No need to try again; we'll post an update by {next_update}.",
        "monitoring": "Thanks for reaching out. A fix for the problem with {touchpoints} is in place and we're "
        "watching to make sure it holds; we'll post an update by {next_update}. If it still fails "
        "for you, please reply and tell us.",
        "resolved": "Thanks for reaching out. The problem with {touchpoints} is resolved, so everything should work "
        "again. Thank you for your patience.",
    },
}
# What the config holds for a channel it leaves alone (and `draft --list` shows): the first words.
DEFAULT_TEMPLATES = {channel: texts["investigating"] for channel, texts in STATUS_TEMPLATES.items()}
