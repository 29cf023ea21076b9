"""The war-room's rules, with no I/O: the event vocabulary and incident state (model), entry and
search grammar, append validation, customer-patience clocks, catalog health and reach, and how
vendor changes become evidence. Nothing here imports Textual, httpx or the store."""
