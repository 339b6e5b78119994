import re

import numpy as np
import pandas as pd
import pytest

from rec_utils.data.intent_queries import (
    INTENT_QUERIES_PATH,
    INTENT_QUERY_COLUMNS,
    DuplicateQueryIdError,
    EmptyQueryError,
    InvalidPatternError,
    UnmatchedPatternError,
    content_words,
    lexical_overlap,
    load_intent_queries,
    overlap_summary,
    relevant_items,
    statistics_markdown,
)
from rec_utils.data.online_retail import MissingDataFileError, SchemaError

TOY_CATALOG = pd.DataFrame({"StockCode": ["A", "B", "C", "D", "E"],
                            "Description": ["WHITE METAL LANTERN", "HANGING HEART T-LIGHT HOLDER",
                                            "CHILDREN'S SPACEBOY MUG", None, "LANTERN CREAM GAZEBO"]})


def write_queries(tmp_path, rows, columns=INTENT_QUERY_COLUMNS):
    """A query CSV in tmp_path from (query_id, query, intent, pattern, category) tuples."""
    path = tmp_path / "queries.csv"
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def toy_queries(tmp_path):
    return load_intent_queries(write_queries(tmp_path, [
        ("q001", "tea light lantern", "A lantern for a tealight.", "lantern", "lighting"),
        ("q002", "kids mug", "A child's mug.", r"CHILDREN'?S .*MUG", "kitchen"),
        ("q003", "the of", "Only stop words.", "T-LIGHT", "lighting"),
    ]))


def test_shipped_file_reads_and_follows_its_format():
    queries = load_intent_queries()
    assert list(queries.columns) == list(INTENT_QUERY_COLUMNS)
    assert len(queries) >= 80
    assert queries["query_id"].str.fullmatch(r"q\d{3}").all()
    assert queries["query"].str.split().str.len().between(2, 5).all()
    assert (queries["query"] == queries["query"].str.lower()).all()
    assert not queries["intent"].duplicated().any() and not queries["query"].duplicated().any()
    assert (queries["category"].str.strip() != "").all()


@pytest.mark.slow  # builds the processed tables on a fresh checkout
def test_shipped_file_against_the_catalogue_and_its_readme():
    from rec_utils.data.tables import load_processed
    catalog = load_processed("catalog")
    queries = load_intent_queries(catalog=catalog)
    sizes = [len(items) for items in relevant_items(queries, catalog).values()]
    assert 1 <= min(sizes) and max(sizes) <= 80
    readme = (INTENT_QUERIES_PATH.parent / "README.md").read_text()
    assert statistics_markdown(queries, lexical_overlap(queries, catalog)) in readme, \
        "data/search/README.md's statistics are stale: regenerate them with statistics_markdown"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(MissingDataFileError, match="nowhere.csv"):
        load_intent_queries(tmp_path / "nowhere.csv")


def test_missing_column_is_named(tmp_path):
    path = write_queries(tmp_path, [("q001", "mug", "A mug.", "MUG")], columns=INTENT_QUERY_COLUMNS[:-1])
    with pytest.raises(SchemaError, match="category"):
        load_intent_queries(path)


def test_repeated_query_id_is_named(tmp_path):
    path = write_queries(tmp_path, [("q001", "a mug", "A mug.", "MUG", "kitchen"),
                                    ("q001", "a jug", "A jug.", "JUG", "kitchen")])
    with pytest.raises(DuplicateQueryIdError, match="q001"):
        load_intent_queries(path)


def test_blank_query_is_named(tmp_path):
    path = write_queries(tmp_path, [("q001", "a mug", "A mug.", "MUG", "kitchen"),
                                    ("q002", "  ", "A jug.", "JUG", "kitchen")])
    with pytest.raises(EmptyQueryError, match="q002"):
        load_intent_queries(path)


def test_invalid_pattern_is_named(tmp_path):
    path = write_queries(tmp_path, [("q001", "a mug", "A mug.", "MUG(", "kitchen")])
    with pytest.raises(InvalidPatternError, match=re.escape("q001 ('MUG(')")):
        load_intent_queries(path)


def test_pattern_matching_no_product_is_named_only_with_a_catalogue(tmp_path):
    path = write_queries(tmp_path, [("q001", "a mug", "A mug.", "MUG", "kitchen"),
                                    ("q002", "a jug", "A jug.", "JUG", "kitchen")])
    assert len(load_intent_queries(path)) == 2
    with pytest.raises(UnmatchedPatternError, match="q002 matches none of the catalogue's 5 products"):
        load_intent_queries(path, catalog=TOY_CATALOG)


def test_catalogue_without_descriptions_is_a_schema_error(tmp_path):
    with pytest.raises(SchemaError, match="Description"):
        relevant_items(toy_queries(tmp_path), TOY_CATALOG.drop(columns="Description"))


def test_relevant_items_are_case_insensitive_searches_by_row_position(tmp_path):
    relevant = relevant_items(toy_queries(tmp_path), TOY_CATALOG)
    assert list(relevant) == ["q001", "q002", "q003"]
    np.testing.assert_array_equal(relevant["q001"], [0, 4])  # "lantern" found anywhere, in any case
    np.testing.assert_array_equal(relevant["q002"], [2])
    np.testing.assert_array_equal(relevant["q003"], [1])  # the missing description (row 3) matches nothing
    assert relevant["q001"].dtype == np.int64


def test_content_words_drop_apostrophes_punctuation_and_stop_words():
    assert content_words("CHILDREN'S T-LIGHT, and the MUG") == ["childrens", "t", "light", "mug"]


def test_lexical_overlap_counts_query_words_found_in_relevant_descriptions(tmp_path):
    overlap = lexical_overlap(toy_queries(tmp_path), TOY_CATALOG)
    assert overlap["n_relevant"].tolist() == [2, 1, 1]
    assert overlap["n_words"].tolist() == [3, 2, 0]
    assert overlap["n_shared"].tolist() == [1, 1, 0]  # "lantern"; "mug" ("kids" is not "childrens")
    assert overlap["shared"].tolist() == ["lantern", "mug", ""]
    np.testing.assert_allclose(overlap["share"], [1 / 3, 1 / 2, np.nan])
    summary = overlap_summary(overlap)
    assert summary["share_overall"] == pytest.approx(2 / 5)  # pooled: 2 shared of 5 query words
    assert summary["share_mean"] == pytest.approx((1 / 3 + 1 / 2) / 2)  # a query without words has no share
    assert summary["no_shared_fraction"] == pytest.approx(1 / 3)
    assert (summary["relevant_min"], summary["relevant_median"], summary["relevant_max"]) == (1, 1.0, 2)


def test_light_is_shared_with_t_light_but_plural_forms_are_not_stemmed(tmp_path):
    queries = load_intent_queries(write_queries(tmp_path, [
        ("q001", "tea lights", "Tealights.", "T-LIGHT", "lighting"),
        ("q002", "light", "Tealights.", "T-LIGHT", "lighting")]))
    assert lexical_overlap(queries, TOY_CATALOG)["n_shared"].tolist() == [0, 1]


def test_summary_of_nothing_is_a_named_error():
    with pytest.raises(ValueError, match="no rows"):
        overlap_summary(lexical_overlap(pd.DataFrame(columns=INTENT_QUERY_COLUMNS), TOY_CATALOG))
