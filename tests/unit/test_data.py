import shutil

import pandas as pd
import pytest

from rec_utils.data.download import ChecksumMismatchError, sha256_of
from rec_utils.data.online_retail import (
    ONLINE_RETAIL_PATH,
    ONLINE_RETAIL_SHA256,
    EmptyDataError,
    MissingDataFileError,
    SchemaError,
    load_online_retail,
    read_transactions,
    validate_transactions,
)


@pytest.fixture(scope="module")
def online_retail():
    return load_online_retail()


def test_embedded_file_matches_published_facts(online_retail):
    assert len(online_retail) == 541_909
    assert online_retail["CustomerID"].nunique() == 4_372
    assert online_retail["CustomerID"].isna().sum() == 135_080
    assert online_retail["StockCode"].nunique() == 4_070


def test_literal_nan_description_becomes_missing(online_retail):
    assert online_retail["Description"].isna().sum() == 1_454
    assert not (online_retail["Description"].str.lower() == "nan").any()


def test_columns_are_typed(online_retail):
    dtypes = online_retail.dtypes.astype(str).to_dict()
    assert dtypes["Quantity"] == "int64"
    assert dtypes["UnitPrice"] == "float64"
    assert dtypes["CustomerID"] == "Int64"
    assert dtypes["InvoiceDate"].startswith("datetime64")
    assert dtypes["StockCode"] == "string"


def test_checksum_mismatch_names_both_hashes(tmp_path):
    copy = tmp_path / "online_retail.parquet"
    shutil.copy(ONLINE_RETAIL_PATH, copy)
    with open(copy, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ChecksumMismatchError) as info:
        read_transactions(copy, ONLINE_RETAIL_SHA256)
    message = str(info.value)
    assert ONLINE_RETAIL_SHA256 in message and sha256_of(copy) in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(MissingDataFileError, match="nowhere.parquet"):
        load_online_retail(tmp_path / "nowhere.parquet")


def test_missing_and_mistyped_columns_are_all_listed(tmp_path, transactions_factory):
    df = transactions_factory([{}]).drop(columns=["Country", "StockCode"])
    df["Quantity"] = df["Quantity"].astype(str)
    path = tmp_path / "bad.parquet"
    df.to_parquet(path)
    with pytest.raises(SchemaError) as info:
        load_online_retail(path)
    message = str(info.value)
    assert "Country" in message and "StockCode" in message and "Quantity is" in message


def test_empty_data_is_refused(transactions_factory):
    with pytest.raises(EmptyDataError):
        validate_transactions(transactions_factory([{}]).iloc[:0])


def test_other_file_of_same_schema_is_read(tmp_path, transactions_factory):
    path = tmp_path / "small.parquet"
    transactions_factory([{"Description": "nan"}, {}]).to_parquet(path)
    df = load_online_retail(path)
    assert len(df) == 2 and df["Description"].isna().sum() == 1
    assert isinstance(df["InvoiceDate"].iloc[0], pd.Timestamp)


def test_damaged_embedded_file_says_to_restore_it_from_git(tmp_path, monkeypatch):
    from rec_utils.data import online_retail

    copy = tmp_path / "online_retail.parquet"
    copy.write_bytes(ONLINE_RETAIL_PATH.read_bytes()[:-10])
    monkeypatch.setattr(online_retail, "ONLINE_RETAIL_PATH", copy)
    with pytest.raises(ChecksumMismatchError, match=r"restore it with `git checkout -- data/`"):
        load_online_retail()


def test_fractional_customer_id_is_a_schema_error(tmp_path, transactions_factory):
    path = tmp_path / "odd.parquet"
    transactions_factory([{}, {"CustomerID": 17850.5}, {"CustomerID": None}]).to_parquet(path)
    with pytest.raises(SchemaError, match=r"CustomerID has 1 fractional values \(e.g. 17850.5\)"):
        load_online_retail(path)
