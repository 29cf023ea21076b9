"""The log's hash chain: its head, and its verification (from the start, or from a checkpoint
this user verified before)."""

from __future__ import annotations

from collections.abc import Sequence

from ..base.plain import library_words
from .backend import Backend
from .base import GENESIS, Head, VerifyResult, chain_hash
from .events import EVENT_COLUMNS


class ChainMixin(Backend):
    def head(self) -> Head:
        """The chain's head as it stands (not verified: `verify` does that)."""
        row = self.conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        count = self.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return Head(count, row[0], row[1]) if row else Head(0, 0, GENESIS)

    def verify(
        self, since_heads: Sequence[str] = (), *, checkpoint: Head | None = None, quick: bool = False, exported: int | None = None
    ) -> VerifyResult:
        """Recompute the hash chain and run SQLite's own integrity check. Each of `since_heads` (a
        head hash, or a prefix of 12 or more of its hex digits, noted earlier) must still be in
        the chain: that is what catches a deleted tail, a deleted log, ids reused after a lost
        -wal, or a log rewritten with every hash recomputed.

        `checkpoint`: a head this user verified before (kept where the war-room group cannot
        write). When its event still carries its hash, the chain is recomputed from there only:
        any rewrite at or before it would have changed that hash, so an export of a long log
        does not re-hash what was already checked. `exported`: an incident about to be exported;
        its events (and the room's own) before the checkpoint are re-hashed too, each against its
        stored hash and its predecessor's, so an export never vouches for a row it did not hash
        (an entry edited in place after the checkpoint, hashes left alone, is caught)."""
        try:
            problems = self._integrity_problems(quick=quick)
        except self.engine_errors as error:
            return VerifyResult(
                False,
                0,
                f"{self.engine} cannot read {self.location}: {error}",
                plain=f"The war-room cannot be read, so its history cannot be checked: {library_words(str(error))}.",
            )
        if problems:
            return VerifyResult(
                False,
                0,
                f"{self.engine} integrity check failed: " + "; ".join(problems[:3]),
                plain="The war-room's file is damaged: the database's own check of it failed.",
            )
        pending = {prefix.lower() for prefix in since_heads}
        previous, expected_id, count, last_id = GENESIS, None, 0, 0
        resumed = 0
        if checkpoint is not None and not since_heads and checkpoint.last_id > 0:
            row = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (checkpoint.last_id,)).fetchone()
            before = self.conn.execute("SELECT hash FROM events WHERE id = ?", (checkpoint.last_id - 1,)).fetchone()
            # The checkpoint's own event must still be what was hashed (its content against its hash).
            if (
                row
                and row[-1] == checkpoint.hash
                and chain_hash(before[0] if before else GENESIS, tuple(row[:-1])) == checkpoint.hash
            ):
                previous, count, last_id = checkpoint.hash, checkpoint.events, checkpoint.last_id
                expected_id, resumed = last_id + 1, last_id
        try:
            for row in self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id", (last_id,)):
                event_id, stored_hash = row[0], row[-1]
                if expected_id is not None and event_id != expected_id:
                    missing = expected_id if event_id == expected_id + 1 else f"{expected_id}..{event_id - 1}"
                    return VerifyResult(
                        False,
                        count,
                        f"event #{missing} is missing (deleted); the chain breaks at #{event_id}",
                        expected_id,
                        plain=f"The war-room's history is broken: entry #{missing} was removed after it was written.",
                    )
                if chain_hash(previous, tuple(row[:-1])) != stored_hash:
                    return VerifyResult(
                        False,
                        count,
                        f"event #{event_id} does not match its hash: it was changed after it was written",
                        event_id,
                        plain=f"The war-room's history is broken: entry #{event_id} was changed after it was written.",
                    )
                if pending:
                    pending -= {prefix for prefix in pending if stored_hash.startswith(prefix)}
                previous, expected_id, count, last_id = stored_hash, event_id + 1, count + 1, event_id
        except self.engine_errors as error:
            unreadable = self.conn.execute("SELECT min(id) FROM events WHERE id > ?", (last_id,)).fetchone()[0]
            return VerifyResult(
                False,
                count,
                f"event #{unreadable or last_id + 1} cannot be read ({error}); the log is damaged from there",
                unreadable or last_id + 1,
                plain=f"The war-room's history is damaged from entry #{unreadable or last_id + 1} on: it cannot be read.",
            )
        top = self._sequence_top()
        if top and expected_id is not None and top >= expected_id:
            return VerifyResult(
                False,
                count,
                f"event #{top} is missing (deleted from the end of the log)",
                top,
                plain=f"The war-room's history is broken: entry #{top}, the last, was removed after it was written.",
            )
        if top and expected_id is None and top > 0:
            return VerifyResult(
                False,
                0,
                f"all {top} events are missing (deleted)",
                1,
                plain=f"The war-room's history is gone: all {top} entries were removed.",
            )
        head = Head(count, last_id, previous)
        if pending:
            noted = sorted(pending)[0]
            return VerifyResult(
                False,
                count,
                f"the head you noted ({noted[:16]}…) is no longer in the log: events up to it "
                "were deleted or rewritten since it was noted",
                head=head,
                plain=f"The fingerprint you noted ({noted[:12]}…) is no longer in the war-room's history: "
                "entries up to it were removed or rewritten since.",
            )
        message = f"{count} events, hash chain intact, integrity ok"
        if resumed:
            message = (
                f"{count} events, hash chain intact after #{resumed} (verified earlier by you; "
                f"`mopstui verify` checks it all), {'quick ' if quick else ''}integrity ok"
            )
        plain = f"The war-room's history is intact: {count:,} entries, none changed or removed since they were written."
        if since_heads:
            message += f"; the {len(since_heads)} noted head(s) are in the chain"
            plain += " The fingerprints you noted are all in it."
        result = VerifyResult(True, count, message, head=head, plain=plain, resumed=resumed)
        if resumed and exported is not None:
            return with_exported_rehashed(result, *self._rehash_before(exported, resumed), quick=quick)
        return result

    def _rehash_before(self, incident_id: int, resumed: int) -> tuple[str | None, int]:
        """Re-hash the incident's events (and the room's) up to the checkpoint `resumed`: what
        is wrong with the first that fails, or None; and how many were re-hashed."""
        columns = ", ".join(f"e.{name.strip()}" for name in EVENT_COLUMNS.split(","))
        rows = self.conn.execute(
            f"SELECT {columns}, (SELECT p.hash FROM events p WHERE p.id = e.id - 1) FROM events e "
            "WHERE (e.incident_id = ? OR e.incident_id IS NULL) AND e.id <= ? ORDER BY e.id",
            (incident_id, resumed),
        )
        rehashed = 0
        for row in rows:
            broken = rehash_problem(row[:-1], row[-1])
            if broken:
                return broken, rehashed
            rehashed += 1
        return None, rehashed


def rehash_problem(row: tuple, previous: str | None) -> str | None:
    """What is wrong with an event (its row, EVENT_COLUMNS order) against its stored hash and
    its predecessor's (`previous`: the stored hash of event id - 1, None when there is none), or
    None when it is intact: the one check an export makes of each event it shows."""
    event_id = row[0]
    if previous is None and event_id > 1:
        return f"event #{event_id - 1} is missing (deleted); the chain breaks at #{event_id}"
    if chain_hash(previous or GENESIS, row[:-1]) != row[-1]:
        return f"event #{event_id} does not match its hash: it was changed after it was written"
    return None


def with_exported_rehashed(result: VerifyResult, broken: str | None, rehashed: int, *, quick: bool) -> VerifyResult:
    """`result`, a chain checked from a checkpoint (`result.resumed`), once the exported events
    before the checkpoint were re-hashed too: `broken`, what is wrong with the first that failed
    (None: all `rehashed` intact). Said here once, whether the store re-hashed them in a pass of
    its own (`verify(exported=...)`) or an export while writing them."""
    if not result.ok:
        return result
    if broken:
        return VerifyResult(False, result.events, broken, head=result.head, plain=_broken_words(broken), resumed=result.resumed)
    message = (
        f"{result.events} events, hash chain intact after #{result.resumed} (verified earlier by you; "
        f"`mopstui verify` checks it all); the {rehashed} exported events before it re-hashed and "
        f"intact, {'quick ' if quick else ''}integrity ok"
    )
    return VerifyResult(True, result.events, message, head=result.head, plain=result.plain, resumed=result.resumed)


def _broken_words(broken: str) -> str:
    """`_rehash_before`'s finding ("event #N does not match its hash…", "event #N is missing…") plainly."""
    entry = broken.split()[1]
    what = "removed" if "missing" in broken else "changed"
    return f"The war-room's history is broken: entry {entry} was {what} after it was written."
