"""Store and exchange figures, timed in process: search, export to Markdown and JSON."""

from __future__ import annotations

from time import perf_counter

from bench.context import Context
from bench.figures import Budget, Figure, Side
from bench.generate import search_queries

# What the search screen asks for (pmconsole.tui.screens.search.SEARCH_LIMIT).
SEARCH_LIMIT = 100


def _search_samples(path: str, repeats: int) -> list[float]:
    from pmconsole.store.repository import Store
    from pmconsole.store.search import search

    store = Store.open(path, readonly=True)
    try:
        queries = search_queries()
        for query in queries:  # warm the page cache and the statement cache
            search(store.conn, query, limit=SEARCH_LIMIT)
        samples = []
        for _ in range(repeats):
            for query in queries:
                start = perf_counter()
                search(store.conn, query, limit=SEARCH_LIMIT)
                samples.append((perf_counter() - start) * 1000)
        return samples
    finally:
        store.close()


def search_figure(ctx: Context) -> Figure:
    s = ctx.sizes
    many = len(ctx.history_many_ids)
    few = len(ctx.history_few_ids)
    # Alternate the two databases so a change in machine load hits both.
    big: list[float] = []
    small: list[float] = []
    for _ in range(ctx.repeats.search):
        big += _search_samples(str(ctx.history_many), 1)
        small += _search_samples(str(ctx.history_few), 1)
    return Figure(
        key="search",
        title=f"search {many:,} sessions ({many * s.entries_per_session:,} entries)",
        method=f"pmconsole.store.search.search(db, query, limit={SEARCH_LIMIT}) for "
               f"{len(search_queries())} queries (common and rare words, phrases, prefixes, "
               "no match), each repeated; one sample per query.",
        subject=Side(f"{many:,} sessions, {many * s.entries_per_session:,} entries", big),
        reference=Side(f"{few:,} sessions, {few * s.entries_per_session:,} entries", small),
        budget=Budget(median_max=20),
    )


def _export_samples(ctx: Context, session_id: int, fmt: str, repeats: int) -> list[float]:
    import pendulum

    from pmconsole.exchange.json_io import dump_session
    from pmconsole.exchange.minutes import render_minutes
    from pmconsole.store.repository import Store
    from pmconsole.store.review import linked_titles

    store = Store.open(ctx.console.path, readonly=True)
    now = pendulum.now("UTC")
    samples = []
    try:
        for index in range(repeats + 1):
            # What `pmconsole export` does once the database is open, minus the file write.
            start = perf_counter()
            record = store.load(session_id)
            if fmt == "md":
                text = render_minutes(record, linked=linked_titles(store, record.session),
                                      now=now)
            else:
                text = dump_session(record)
            took = (perf_counter() - start) * 1000
            assert text
            if index:
                samples.append(took)
    finally:
        store.close()
    return samples


def export_figures(ctx: Context) -> list[Figure]:
    s = ctx.sizes
    figures = []
    for fmt, key, name, budget in (("md", "export_markdown", "Markdown", Budget(median_max=200)),
                                   ("json", "export_json", "JSON", Budget())):
        big: list[float] = []
        small: list[float] = []
        for _ in range(ctx.repeats.export):
            big += _export_samples(ctx, ctx.console.big_id, fmt, 1)
            small += _export_samples(ctx, ctx.console.small_id, fmt, 1)
        figures.append(Figure(
            key=key,
            title=f"export {s.big_events:,} events to {name}",
            method="In process: store.load(session) + "
                   + ("render_minutes (with linked titles)" if fmt == "md" else "dump_session")
                   + ", as `pmconsole export` does after opening the database; the file "
                   "write is left out.",
            subject=Side(f"{s.big_events:,} events, {s.big_actions:,} action items", big),
            reference=Side(f"{s.small_events} events, {s.small_actions} action items", small),
            budget=budget,
        ))
    return figures
