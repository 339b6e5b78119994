"""Notebook 08's language-model lessons (pretrained MiniLM against bag-of-words), each under the evaluation protocol.

    search             three search benchmarks (lexical recovery, shopper intent, co-purchase) with TF-IDF, BM25,
                       MiniLM and a tuned hybrid
    text_retrieval     personalised search with pseudo-queries, new products (cold start) by text neighbours
    tag_stability      do interest tags (TF-IDF words, zero-shot MiniLM labels) persist across the time cut?
    tower_comparison   the click model's text tower learned from clicks against frozen MiniLM embeddings
                       (benchmarks/text_encoder_uses.py)
"""
