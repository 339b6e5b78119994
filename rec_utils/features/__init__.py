"""Features: turning rows into model inputs. Imports runtime, data and simulation only.

text (one document per row; the numpy tokenizer feeding Keras embeddings), images (VGG16 features with a
cache), image_encoder (image encoders by name: VGG16 random/ImageNet/fine-tuned, the catalogue-pretrained CNN),
attributes (price and category encoders; the click models' assembled inputs and item tables), history (earlier
clicks as padded ids and summaries), click_features (the baselines' design matrix for simulated impressions),
propensity (labelled customer-product pairs with leakage-free features), propensity_sampling (the same pairs
with negatives drawn by popularity).
"""
