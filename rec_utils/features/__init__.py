"""Features: turning rows into model inputs. Imports runtime, data and simulation only.

text (one document per row; the numpy tokenizer feeding Keras embeddings), bert (a backend-agnostic Keras
BERT loading Hugging Face weights by name), text_encoder (pretrained all-MiniLM-L6-v2 sentence embeddings,
offline and cached), text_vectors (TF-IDF and MiniLM vectorizers behind one interface), images (VGG16
features with a cache), image_encoder (image encoders by name: VGG16 random/ImageNet/fine-tuned, the
catalogue-pretrained CNN), attributes (price and category encoders; the click models' assembled inputs and item
tables), history (earlier clicks as padded ids and summaries), click_features (the baselines' design matrix for
simulated impressions), propensity (labelled customer-product pairs with leakage-free features),
propensity_sampling (the same pairs with negatives drawn by popularity), categories (product categories from
descriptions by keyword rules; customers' category profiles and tags), segments (RFM scores and segments;
country, activity and tenure groups).
"""
