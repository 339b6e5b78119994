import shutil

import pandas as pd
import pytest

from rec_utils.data.download import ChecksumMismatchError, sha256_of
from rec_utils.data.online_retail import (
    ONLINE_RETAIL_DAYS,
    ONLINE_RETAIL_PATH,
    ONLINE_RETAIL_SHA256,
    EmptyDataError,
    MissingDataFileError,
    SchemaError,
    UnreadableDataError,
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


def test_a_users_damaged_or_empty_file_gets_a_named_error(tmp_path, transactions_factory):
    """The embedded file's checksum catches these; a user's own file used to raise a bare ArrowInvalid."""
    good = tmp_path / "good.parquet"
    transactions_factory([{}, {}]).to_parquet(good)
    damaged, empty, text = tmp_path / "damaged.parquet", tmp_path / "empty.parquet", tmp_path / "lines.parquet"
    damaged.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    empty.write_bytes(b"")
    text.write_text("InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(UnreadableDataError, match=r"damaged.parquet is not a readable Parquet file"):
        load_online_retail(damaged)
    with pytest.raises(UnreadableDataError, match=r"lines.parquet is not a readable Parquet file"):
        load_online_retail(text)
    with pytest.raises(EmptyDataError, match=r"empty.parquet is empty \(0 bytes\)"):
        load_online_retail(empty)


def test_a_file_without_a_single_valid_date_is_refused(tmp_path, transactions_factory):
    path = tmp_path / "undated.parquet"
    frame = transactions_factory([{}] * 1000)
    frame["InvoiceDate"] = pd.NaT
    frame.to_parquet(path)
    with pytest.raises(SchemaError, match=r"InvoiceDate holds no valid dates \(all 1,000 rows"):
        load_online_retail(path)


def _fashion_copy(tmp_path, monkeypatch):
    """data/fashion_mnist/ copied to tmp_path, as the repository's source."""
    from rec_utils.data import fashion

    folder = tmp_path / "fashion_mnist"
    shutil.copytree(fashion.FASHION_DIR, folder)
    monkeypatch.setattr(fashion, "FASHION_DIR", folder)
    return fashion, folder


@pytest.mark.parametrize("part", ["part-00", "part-01"])
def test_a_missing_part_of_a_split_file_is_named(tmp_path, monkeypatch, part):
    """The train images are stored in two byte-range parts; one missing used to raise a bare EOFError."""
    fashion, folder = _fashion_copy(tmp_path, monkeypatch)
    (folder / f"train-images-idx3-ubyte.gz.{part}").unlink()
    with pytest.raises(MissingDataFileError, match=rf"missing train-images-idx3-ubyte.gz.{part} in"):
        fashion.load_fashion_mnist("train", source="repo")


def test_a_truncated_file_without_a_checksum_is_a_named_error(tmp_path, monkeypatch):
    fashion, folder = _fashion_copy(tmp_path, monkeypatch)
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-100])
    (folder / "SHA256SUMS").write_text("")
    with pytest.raises(UnreadableDataError, match=r"t10k-labels-idx1-ubyte.gz does not decompress"):
        fashion.load_fashion_mnist("test", source="repo")


def test_the_stated_first_and_last_day_are_the_datas(online_retail):
    """ONLINE_RETAIL_DAYS bounds the cut dates a notebook accepts (rec_utils.evaluation.protocol.cut_date_rule)."""
    days = online_retail["InvoiceDate"].dt.strftime("%Y-%m-%d")
    assert (days.min(), days.max()) == ONLINE_RETAIL_DAYS
