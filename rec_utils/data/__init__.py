"""Data: the real data sets and the tables and splits made from them. Imports only rec_utils.runtime.

online_retail (the embedded UCI Online Retail file: checksum, schema, typing; Online Retail II download),
download (verified download-and-cache), fashion (Fashion-MNIST photos), cleaning (drop reasons with a
balanced accounting), tables (purchases, catalogue, RFM customers under data/processed/), split (one global
time cut and window, each customer's last invoices, by group, by customer), interactions (sparse customer x
product matrices of a split, for new products only or repeats included, and for cold-start customers),
replicate (Online Retail multiplied n times, for scaling measurements), intent_queries (product searches in a
shopper's own words with regex relevance rules: loading, checks, relevant items, lexical overlap).
"""
