"""Product categories of Online Retail from descriptions by keyword rules, and customers' category profiles.

Online Retail has no category column. CATEGORY_RULES is an ordered list of (category, keywords); a product
gets the first category one of whose keywords occurs in its description as a whole word (upper case; a
keyword also matches its plural with S or ES), or UNCATEGORISED. The order settles overlaps: seasonal
words first (a "CHRISTMAS CANDLE" is a Christmas product), then the object words. `category_coverage`
reports what share of products and of purchase lines the rules reach.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("christmas", ("CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "SNOWFLAKE", "BAUBLE", "NATIVITY", "SNOWMAN",
                   "TREE")),
    ("easter", ("EASTER", "EGG", "CHICK", "BUNNY", "HEN")),
    ("party", ("PARTY", "BIRTHDAY", "BUNTING", "BALLOON", "CONFETTI", "NAPKIN", "CAKE STAND", "STRAW")),
    ("jewellery & accessories", ("NECKLACE", "NECKL", "BRACELET", "EARRINGS", "RING", "CHARM", "PENDANT", "BEAD",
                                 "DIAMANTE", "BROOCH", "HAIR", "PURSE", "HANDBAG", "WALLET", "JEWELLERY",
                                 "UMBRELLA", "SCARF", "GLOVES", "HAT", "BANGLE", "KEYRING", "PASSPORT",
                                 "SLIPPER", "BRACLET", "HAIRCLIPS", "TATTOOS", "BACKPACK")),
    ("candles & lights", ("CANDLE", "T-LIGHT", "TLIGHT", "LIGHT", "LANTERN", "LAMP", "LAMPSHADE", "CANDLEHOLDER",
                          "VOTIVE", "INCENSE", "NIGHTLIGHT", "TEALIGHT")),
    ("kitchen & dining", ("MUG", "CUP", "SAUCER", "PLATE", "BOWL", "TEA", "TEAPOT", "CAKE", "CUTLERY", "JAR",
                          "BOTTLE", "TRAY", "KITCHEN", "BAKING", "LUNCH", "JUG", "BEAKER", "PAN", "APRON", "DISH",
                          "COFFEE", "SPOON", "DINNER", "BREAKFAST", "MOULD", "GLASS", "TUMBLER", "COASTER",
                          "PANTRY", "BISCUIT", "JAM", "RECIPE", "CHOPSTICKS", "TEATIME", "SNACK", "FOOD", "OVEN",
                          "TOAST", "MILK", "SUGAR", "PICNIC", "FLASK", "PLACEMAT", "PLATTER", "FRUITBOWL",
                          "CANNISTER", "COOKING")),
    ("stationery & wrapping", ("CARD", "WRAP", "PAPER", "NOTEBOOK", "PEN", "PENCIL", "STICKER", "TAPE",
                               "SKETCHBOOK", "CALENDAR", "RIBBON", "ENVELOPE", "TAG", "TISSUE", "ERASER", "RULER",
                               "BOOK", "NOTEPAD", "DIARY", "CRAYONS", "CHALK", "STAMP", "JOURNAL", "POSTCARD",
                               "MAGNET", "ORIGAMI", "STATIONERY", "SCISSOR", "PUNCH")),
    ("toys & children", ("TOY", "DOLL", "DOLLY", "JIGSAW", "GAME", "PLAYING", "CHILDRENS", "CHILDS", "KIDS", "BABY",
                         "TEDDY", "SPACEBOY", "DINOSAUR", "CIRCUS", "SKITTLES", "DOMINOES", "PUZZLE", "MARBLES",
                         "SOLDIERS", "KNITTING", "SEWING", "CRAFT", "FELTCRAFT", "COLOURING", "PAINT", "HOOP")),
    ("bags & storage", ("BAG", "BOX", "BASKET", "STORAGE", "DRAWER", "CABINET", "TIN", "CONTAINER", "CASE",
                        "TRINKET", "WASHBAG", "SHOPPER", "CRATE", "HAMPER", "TIDY", "ORGANISER", "BUCKET", "BIN",
                        "POUCH", "CHEST")),
    ("garden & outdoor", ("GARDEN", "PLANT", "WATERING", "HERB", "SEED", "BIRDHOUSE", "FEEDER", "PARASOL", "POT",
                          "PLANTER", "FLOWERPOT", "TRELLIS", "SPADE", "GNOME", "DOORMAT", "WINDMILL")),
    ("bath & textiles", ("TOWEL", "BATHROOM", "SOAP", "FLANNEL", "WARMER", "HOT WATER", "CUSHION", "THROW",
                         "BLANKET", "CURTAIN", "QUILT", "PILLOW", "SPONGE", "SHOWER", "TOILET")),
    ("home decor", ("FRAME", "MIRROR", "CLOCK", "SIGN", "WALL", "DOORSTOP", "KNOB", "TILE", "WREATH", "GARLAND",
                    "DECORATION", "HANGING", "HOOK", "ORNAMENT", "PLAQUE", "VASE", "HEART", "CHANDELIER", "BELL",
                    "BIRD", "BUTTERFLY", "STAR", "SHELF", "COATHANGER", "HANGER", "LETTER", "FLAG", "DOOR",
                    "PICTURE", "PHOTO", "MOBILE", "CHIME", "FEATHER", "FLOWER", "RACK", "STOOL", "CHAIR",
                    "PAPERWEIGHT")),
)
UNCATEGORISED = "uncategorised"
CATEGORIES = tuple(name for name, _ in CATEGORY_RULES) + (UNCATEGORISED,)


def _pattern(keywords: tuple[str, ...]) -> re.Pattern:
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(keywords, key=len, reverse=True))
    return re.compile(rf"(?<![A-Z])(?:{words})(?:S|ES)?(?![A-Z])")


_PATTERNS = tuple((name, _pattern(words)) for name, words in CATEGORY_RULES)


def categorize(descriptions: pd.Series) -> pd.Series:
    """Category of each description by CATEGORY_RULES (first match wins), UNCATEGORISED when none matches;
    same index as `descriptions`, a pandas Categorical with the categories in CATEGORIES order."""
    text = descriptions.fillna("").astype(str).str.upper()
    result = pd.Series(UNCATEGORISED, index=descriptions.index, dtype=object)
    open_rows = np.ones(len(text), dtype=bool)
    for name, pattern in _PATTERNS:
        hit = open_rows & text.str.contains(pattern).to_numpy(bool)
        result[hit] = name
        open_rows &= ~hit
    return pd.Series(pd.Categorical(result, categories=list(CATEGORIES)), index=descriptions.index)


def category_coverage(categories: pd.Series, weights: pd.Series | None = None) -> float:
    """Share of products (or, with `weights`, of e.g. purchase lines per product) that a rule categorised."""
    covered = (categories != UNCATEGORISED).to_numpy(float)
    w = np.ones(len(covered)) if weights is None else np.asarray(weights, dtype=float)
    return float((covered * w).sum() / w.sum())


def category_profiles(transactions: pd.DataFrame, product_category: pd.Series, *, half_life_days: float = 90.0,
                      reference_date: pd.Timestamp | None = None) -> pd.DataFrame:
    """Customers x categories: recency-weighted share of each customer's purchase lines per category.

    product_category: category per StockCode (index). A line bought d days before `reference_date`
    (default: the day after the last invoice) weighs 0.5 ** (d / half_life_days); rows sum to 1.
    Lines of products without a category in `product_category` are left out.
    """
    if reference_date is None:
        reference_date = transactions["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    lines = transactions.assign(category=transactions["StockCode"].map(product_category).to_numpy())
    lines = lines[lines["category"].notna()]
    age = (reference_date - lines["InvoiceDate"]).dt.total_seconds().to_numpy() / 86_400
    lines = lines.assign(weight=0.5 ** (age / half_life_days))
    table = lines.pivot_table(index="CustomerID", columns="category", values="weight", aggfunc="sum",
                              fill_value=0.0, observed=False)
    table = table.reindex(columns=[c for c in CATEGORIES if c in table.columns])
    return table.div(table.sum(axis=1), axis=0)


def category_tags(profiles: pd.DataFrame, n_tags: int = 2, *, exclude: tuple[str, ...] = (UNCATEGORISED,)
                  ) -> pd.Series:
    """Each customer's `n_tags` strongest categories (list, strongest first; ties in CATEGORIES order),
    leaving out `exclude` and categories with zero weight."""
    kept = profiles.drop(columns=[c for c in exclude if c in profiles.columns])
    order = np.argsort(-kept.to_numpy(), axis=1, kind="stable")[:, :n_tags]
    values = np.take_along_axis(kept.to_numpy(), order, axis=1)
    names = kept.columns.to_numpy()
    return pd.Series([list(names[o][v > 0]) for o, v in zip(order, values)], index=profiles.index, name="tags")
