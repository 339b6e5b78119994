"""Features: turning rows into model inputs. Imports runtime, data and simulation only.

text (one document per row; the numpy tokenizer feeding Keras embeddings), images (VGG16 features with a
cache), attributes (price and category encoders; the click model's assembled inputs), propensity (labelled
customer-product pairs with leakage-free features), categories (product categories from descriptions by keyword
rules; customers' category profiles and tags), segments (RFM scores and segments; country, activity and tenure
groups).
"""
