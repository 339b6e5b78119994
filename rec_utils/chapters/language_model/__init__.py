"""The language-model lesson (pretrained MiniLM): product search on three kinds of query, new products,
zero-shot tags."""
