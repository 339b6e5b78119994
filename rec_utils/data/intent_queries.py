"""Intent queries: product searches written in a shopper's own words, with a documented relevance rule.

data/search/intent_queries.csv holds one row per query: query_id (q001, ...), query (2-5 lower-case words),
intent (one sentence: what the shopper wants), relevant_pattern (a Python regular expression) and category
(a theme label). A catalogue product is relevant to a query when its Description matches the query's pattern
(re.search, case-insensitive); relevance is binary. data/search/README.md says who wrote the queries, how, and
what they measure.

    queries = load_intent_queries(catalog=catalog)   # read and validate (every pattern must match a product)
    relevant = relevant_items(queries, catalog)      # {query_id: catalogue row positions}
    overlap = lexical_overlap(queries, catalog)      # per query: how many query words the relevant texts share
    overlap_summary(overlap)                          # the headline numbers of the README
    statistics_markdown(queries, overlap)             # the README's statistics section, as it should read
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from rec_utils.data.online_retail import MissingDataFileError, SchemaError
from rec_utils.runtime.paths import DATA_DIR, relative

INTENT_QUERIES_PATH: Path = DATA_DIR / "search" / "intent_queries.csv"
INTENT_QUERY_COLUMNS = ("query_id", "query", "intent", "relevant_pattern", "category")


class IntentQueryError(ValueError):
    """The intent-query file is readable but a row breaks one of its rules."""


class DuplicateQueryIdError(IntentQueryError):
    """Two rows share a query_id."""


class EmptyQueryError(IntentQueryError):
    """A row's query is empty or only blanks."""


class InvalidPatternError(IntentQueryError):
    """A relevant_pattern is not a valid regular expression."""


class UnmatchedPatternError(IntentQueryError):
    """A relevant_pattern matches no product of the catalogue: the query would have no relevant item."""


def _compile(pattern: str) -> re.Pattern:
    """The relevance rule as compiled: case-insensitive, used with search (anywhere in the description)."""
    return re.compile(pattern, re.IGNORECASE)


def _descriptions(catalog: pd.DataFrame) -> list[str]:
    """The catalogue's descriptions in row order, a missing one as "" (it matches no pattern a row may hold)."""
    if "Description" not in catalog.columns:
        raise SchemaError(f"catalog has no Description column (columns: {', '.join(map(str, catalog.columns))})")
    return catalog["Description"].fillna("").astype(str).tolist()


def _matches(pattern: re.Pattern, descriptions: list[str]) -> np.ndarray:
    return np.array([i for i, text in enumerate(descriptions) if pattern.search(text)], dtype=np.int64)


def load_intent_queries(path: Path | str = INTENT_QUERIES_PATH, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the intent-query CSV at `path` and check it.

    Returns a frame with the columns INTENT_QUERY_COLUMNS (all text), one row per query, in file order.
    Raises MissingDataFileError (no file), SchemaError (a column missing, named), DuplicateQueryIdError,
    EmptyQueryError, InvalidPatternError (each names the query_id), and, when `catalog` (a frame with a
    Description column) is given, UnmatchedPatternError listing every query whose pattern matches none of
    its products.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(f"{relative(path)} not found: the intent queries ship with the repository "
                                   "(restore them with `git checkout -- data/search/`)")
    queries = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in INTENT_QUERY_COLUMNS if c not in queries.columns]
    if missing:
        raise SchemaError(f"{relative(path)} lacks column(s) {', '.join(missing)}; "
                          f"expected {', '.join(INTENT_QUERY_COLUMNS)}")
    queries = queries[list(INTENT_QUERY_COLUMNS)]
    repeated = queries.loc[queries["query_id"].duplicated(), "query_id"].unique()
    if len(repeated):
        raise DuplicateQueryIdError(f"{relative(path)}: query_id(s) used more than once: {', '.join(repeated)}")
    blank = queries.loc[queries["query"].str.strip() == "", "query_id"]
    if len(blank):
        raise EmptyQueryError(f"{relative(path)}: empty query in row(s) {', '.join(blank)}")
    compiled = {}
    for query_id, pattern in zip(queries["query_id"], queries["relevant_pattern"]):
        try:
            compiled[query_id] = _compile(pattern)
        except re.error as exc:
            raise InvalidPatternError(f"{relative(path)}: relevant_pattern of {query_id} ({pattern!r}) is not a "
                                      f"valid regular expression: {exc}") from exc
    if catalog is not None:
        descriptions = _descriptions(catalog)
        unmatched = [q for q, pattern in compiled.items() if not len(_matches(pattern, descriptions))]
        if unmatched:
            raise UnmatchedPatternError(f"{relative(path)}: the pattern of {', '.join(unmatched)} matches none of "
                                        f"the catalogue's {len(descriptions):,} products")
    return queries.reset_index(drop=True)


def relevant_items(queries: pd.DataFrame, catalog: pd.DataFrame) -> dict[str, np.ndarray]:
    """{query_id: the row positions (0 .. len(catalog) - 1, ascending, int64) of the catalogue products whose
    Description matches the query's relevant_pattern}. queries: as from load_intent_queries; a query that
    matches nothing maps to an empty array."""
    descriptions = _descriptions(catalog)
    return {query_id: _matches(_compile(pattern), descriptions)
            for query_id, pattern in zip(queries["query_id"], queries["relevant_pattern"])}


def content_words(text: str) -> list[str]:
    """The words of `text` as the overlap statistic counts them: lower case, apostrophes dropped ("children's"
    -> "childrens"), split at every other non-alphanumeric character ("T-LIGHT" -> "t", "light"), English stop
    words (scikit-learn's list) removed; in order, repeats kept."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    return [w for w in words if w not in ENGLISH_STOP_WORDS]


def lexical_overlap(queries: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """How much of each query a word-matching search could find in its relevant products' descriptions.

    Returns one row per query (file order): query_id, query, n_relevant (relevant products), n_words (distinct
    content words of the query, content_words), n_shared (those that occur as a word in at least one relevant
    description), share (n_shared / n_words; NaN for a query with no content word) and shared (the shared
    words, space-separated).
    """
    descriptions = _descriptions(catalog)
    rows = []
    for query_id, items in relevant_items(queries, catalog).items():
        query = queries.loc[queries["query_id"] == query_id, "query"].iloc[0]
        words = list(dict.fromkeys(content_words(query)))
        vocabulary = {w for i in items for w in content_words(descriptions[i])}
        shared = [w for w in words if w in vocabulary]
        rows.append({"query_id": query_id, "query": query, "n_relevant": len(items), "n_words": len(words),
                     "n_shared": len(shared), "share": len(shared) / len(words) if words else np.nan,
                     "shared": " ".join(shared)})
    return pd.DataFrame(rows, columns=["query_id", "query", "n_relevant", "n_words", "n_shared", "share", "shared"])


def overlap_summary(overlap: pd.DataFrame) -> dict[str, float]:
    """Headline numbers of a lexical_overlap frame: n_queries; relevant_min / relevant_median / relevant_max
    (products per query); share_overall (shared query words / all query words, pooled over queries);
    share_mean (mean of the per-query shares); no_shared_fraction (queries sharing no word with any of their
    relevant descriptions)."""
    if overlap.empty:
        raise ValueError("overlap has no rows: there is nothing to summarise")
    return {"n_queries": len(overlap), "relevant_min": int(overlap["n_relevant"].min()),
            "relevant_median": float(overlap["n_relevant"].median()),
            "relevant_max": int(overlap["n_relevant"].max()),
            "share_overall": float(overlap["n_shared"].sum() / overlap["n_words"].sum()),
            "share_mean": float(overlap["share"].mean()),
            "no_shared_fraction": float((overlap["n_shared"] == 0).mean())}


def statistics_markdown(queries: pd.DataFrame, overlap: pd.DataFrame) -> str:
    """The statistics section of data/search/README.md for `queries` and their lexical_overlap: a summary table,
    the number of queries per category and a per-query table. Regenerate it after any change to the file."""
    s = overlap_summary(overlap)
    no_shared = int((overlap["n_shared"] == 0).sum())
    lines = ["| statistic | value |", "|---|---|",
             f"| queries | {s['n_queries']} |",
             f"| relevant products per query (min / median / max) | {s['relevant_min']} / "
             f"{s['relevant_median']:g} / {s['relevant_max']} |",
             f"| query words found as a word of a relevant description, pooled over all queries | "
             f"{s['share_overall']:.1%} ({overlap['n_shared'].sum()} of {overlap['n_words'].sum()}) |",
             f"| the same, mean of the per-query shares | {s['share_mean']:.1%} |",
             f"| queries sharing no word with any of their relevant descriptions | "
             f"{s['no_shared_fraction']:.1%} ({no_shared} of {s['n_queries']}) |",
             "", "Queries per category: " + ", ".join(
                 f"{name} {count}" for name, count in queries["category"].value_counts().sort_index().items()) + ".",
             "", "<details><summary>Per query: relevant products and the query words their descriptions share"
             "</summary>", "",
             "| query_id | query | relevant | shared / words | shared words |", "|---|---|---|---|---|"]
    lines += [f"| {r.query_id} | {r.query} | {r.n_relevant} | {r.n_shared} / {r.n_words} | {r.shared} |"
              for r in overlap.itertuples()]
    return "\n".join(lines + ["", "</details>"]) + "\n"
