import pytest

from rec_utils.data.cleaning import DROP_REASONS, accounting_balances, clean_transactions, fillna_zero_effects
from rec_utils.data.online_retail import to_typed_transactions
from rec_utils.data.tables import customer_features, product_catalog, purchase_counts


def test_every_drop_reason_is_counted_once(transactions_factory):
    rows = [
        {"InvoiceNo": "1", "StockCode": "10001"},  # kept
        {"InvoiceNo": "1", "StockCode": "10001"},  # exact duplicate
        {"InvoiceNo": "C2", "StockCode": "10002", "Quantity": -1},  # cancellation (also qty<=0)
        {"InvoiceNo": "3", "StockCode": "10003", "CustomerID": None},  # missing customer
        {"InvoiceNo": "4", "StockCode": "10004", "Quantity": 0},  # non-positive quantity
        {"InvoiceNo": "5", "StockCode": "10005", "UnitPrice": 0.0},  # non-positive price
        {"InvoiceNo": "6", "StockCode": "10006", "Description": "nan"},  # missing description
        {"InvoiceNo": "7", "StockCode": "POST"},  # non-product code
        {"InvoiceNo": "8", "StockCode": "84029G", "Quantity": 3},  # kept
    ]
    raw = to_typed_transactions(transactions_factory(rows))
    clean, accounting = clean_transactions(raw)
    assert accounting.loc[list(DROP_REASONS), "rows"].tolist() == [1] * len(DROP_REASONS)
    assert accounting.loc["kept", "rows"] == 2 and accounting.loc["rows_in", "rows"] == 9
    assert accounting_balances(accounting)
    assert clean["StockCode"].tolist() == ["10001", "84029G"]
    assert clean["Revenue"].tolist() == [1.0, 3.0]
    assert clean["CustomerID"].dtype == "int64"


def test_unbalanced_accounting_is_detected(transactions_factory):
    _, accounting = clean_transactions(to_typed_transactions(transactions_factory([{}, {}])))
    accounting.loc["kept", "rows"] += 1
    assert not accounting_balances(accounting)


def test_fillna_zero_invents_the_largest_customer(transactions_factory):
    rows = [{"CustomerID": None}] * 3 + [{"CustomerID": 1.0}] * 2 + [{"UnitPrice": 0.0}]
    effects = fillna_zero_effects(to_typed_transactions(transactions_factory(rows)))["value"]
    assert effects["lines given CustomerID 0"] == 3
    assert effects["rank of 'customer 0' by lines"] == 1
    assert effects["lines that already had UnitPrice 0"] == 1


def test_empty_input_is_refused(transactions_factory):
    with pytest.raises(ValueError, match="no rows"):
        clean_transactions(to_typed_transactions(transactions_factory([{}]).iloc[:0]))


def test_tables_from_clean_rows(transactions_factory):
    rows = [
        {"InvoiceNo": "1", "StockCode": "10001", "CustomerID": 1.0, "InvoiceDate": "2011-01-01", "UnitPrice": 2.0},
        {"InvoiceNo": "2", "StockCode": "10001", "CustomerID": 1.0, "InvoiceDate": "2011-01-05", "UnitPrice": 4.0},
        {"InvoiceNo": "3", "StockCode": "10002", "CustomerID": 2.0, "InvoiceDate": "2011-01-09", "Country": "France"},
    ]
    clean, _ = clean_transactions(to_typed_transactions(transactions_factory(rows)))
    purchases = purchase_counts(clean)
    assert purchases.set_index(["CustomerID", "StockCode"])["n_invoices"].to_dict() == {
        (1, "10001"): 2,
        (2, "10002"): 1,
    }
    catalog = product_catalog(clean).set_index("StockCode")
    assert catalog.loc["10001", "median_price"] == 3.0 and catalog.loc["10001", "n_customers"] == 1
    customers = customer_features(clean).set_index("CustomerID")
    assert customers.loc[1, "recency_days"] == 5 and customers.loc[2, "recency_days"] == 1
    assert customers.loc[1, "frequency"] == 2 and customers.loc[1, "monetary"] == 6.0
    assert customers.loc[2, "Country"] == "France"
