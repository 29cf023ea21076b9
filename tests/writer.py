"""A real writer process for the concurrency and crash tests.

PATH is an SQLite file or a postgresql:// URL. Appends COUNT notes to INCIDENT and prints each event id (flushed) once `append` has returned,
i.e. once the user would have seen the entry accepted.
"""

import sys

from mopstui.store import open_store


def main() -> None:
    path, incident, name, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    with open_store(path) as store:
        for i in range(count):
            event = store.append(incident, "note", f"{name} entry {i}", author=name)
            print(event.id, flush=True)


if __name__ == "__main__":
    main()
