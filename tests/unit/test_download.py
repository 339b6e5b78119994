"""The real download-and-cache path, exercised against servers on 127.0.0.1 only."""

import http.server
import io
import socket
import threading
import time
import zipfile

import pandas as pd
import pytest

from rec_utils.data import download as download_module
from rec_utils.data.download import ChecksumMismatchError, DownloadError, download, sha256_of
from rec_utils.data.online_retail import SchemaError, fetch_online_retail_ii, load_online_retail_ii
from rec_utils.runtime import caches as caches_module


def _retail_ii_zip() -> bytes:
    """A tiny Online Retail II archive: one workbook, two yearly sheets, II column names."""
    sheet = pd.DataFrame({
        "Invoice": ["489434", "C489449"], "StockCode": ["85048", "22087"],
        "Description": ["LED CANDLE", "nan"], "Quantity": [12, -1],
        "InvoiceDate": pd.to_datetime(["2009-12-01 07:45", "2009-12-01 10:33"]),
        "Price": [6.95, 2.95], "Customer ID": [13085.0, None], "Country": ["United Kingdom", "Denmark"],
    })
    workbook = io.BytesIO()
    with pd.ExcelWriter(workbook) as writer:
        sheet.to_excel(writer, sheet_name="Year 2009-2010", index=False)
        sheet.iloc[:1].to_excel(writer, sheet_name="Year 2010-2011", index=False)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("online_retail_II.xlsx", workbook.getvalue())
    return archive.getvalue()


def _files(folder) -> list[str]:
    """Names of the files left in folder, lock files aside (they hold no data)."""
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".lock")


@pytest.fixture
def serve():
    """Start an HTTP server on 127.0.0.1 serving `payload`; yields a function returning its URL.

    `pause_s`: seconds between bytes (a trickling server); `length`: the Content-Length to announce.
    """
    servers = []

    def start(payload: bytes, *, pause_s: float = 0.0, length: int | None = None) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload) if length is None else length))
                self.end_headers()
                if not pause_s:
                    self.wfile.write(payload)
                    return
                for i in range(len(payload)):
                    self.wfile.write(payload[i:i + 1])
                    self.wfile.flush()
                    time.sleep(pause_s)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/online_retail_ii.zip"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_download_convert_and_cache(tmp_path, serve):
    url = serve(_retail_ii_zip())
    parquet = fetch_online_retail_ii(tmp_path, url=url)
    df = load_online_retail_ii(tmp_path, url=url)
    assert parquet.exists() and len(df) == 3
    assert {"InvoiceNo", "UnitPrice", "CustomerID"} <= set(df.columns)
    assert df["Description"].isna().sum() == 1
    recorded = (tmp_path / "online_retail_ii.zip.sha256").read_text().split()[0]
    assert recorded == sha256_of(tmp_path / "online_retail_ii.zip")


def test_cached_archive_that_changed_is_caught(tmp_path, serve):
    url = serve(_retail_ii_zip())
    fetch_online_retail_ii(tmp_path, url=url)
    with open(tmp_path / "online_retail_ii.zip", "ab") as fh:
        fh.write(b"corrupted")
    with pytest.raises(ChecksumMismatchError):
        fetch_online_retail_ii(tmp_path, url=url)


def test_wrong_expected_checksum_leaves_no_file(tmp_path, serve):
    url = serve(b"not the data")
    with pytest.raises(ChecksumMismatchError, match="expected SHA-256 " + "0" * 64):
        download(url, tmp_path / "f.zip", expected_sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_offline_fails_fast_with_clear_message(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(DownloadError, match="may be offline"):
        fetch_online_retail_ii(tmp_path, url=f"http://127.0.0.1:{port}/online_retail_ii.zip")
    assert time.monotonic() - start < 5
    assert _files(tmp_path) == []


def test_unresponsive_server_times_out(tmp_path):
    with socket.socket() as listener:  # accepts connections but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/f.zip"
        start = time.monotonic()
        with pytest.raises(DownloadError):
            download(url, tmp_path / "f.zip", timeout_s=1.0)
        assert time.monotonic() - start < 10


def test_trickling_server_hits_the_overall_deadline(tmp_path, serve):
    """One byte every 0.1 s never trips the per-read timeout; the overall deadline stops it."""
    url = serve(b"x" * 1000, pause_s=0.1)
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"did not finish within 0.8 s"):
        download(url, tmp_path / "f.zip", timeout_s=0.5, deadline_s=0.8)
    assert time.monotonic() - start < 3
    assert list(tmp_path.iterdir()) == []  # no partial file


def test_connection_closed_early_is_an_error_not_a_short_file(tmp_path, serve):
    url = serve(b"abc", length=10)
    with pytest.raises(DownloadError, match="3 of 10 bytes"):
        download(url, tmp_path / "f.zip", timeout_s=1.0)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_leaves_no_partial_file(tmp_path, serve, monkeypatch):
    url = serve(b"x" * 100)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module, "CHUNK_BYTES", 10)
    monkeypatch.setattr(caches_module.hashlib, "sha256", interrupt)  # Ctrl-C while the download is verified
    with pytest.raises(KeyboardInterrupt):
        download(url, tmp_path / "f.zip", expected_sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_bad_first_download_is_not_trusted(tmp_path, serve):
    """An HTML page served with status 200 is refused, recorded nowhere, and the next good download converts."""
    bad = serve(b"<html>maintenance</html>")
    with pytest.raises(SchemaError, match="not a zip archive"):
        fetch_online_retail_ii(tmp_path, url=bad)
    assert _files(tmp_path) == []
    fetch_online_retail_ii(tmp_path, url=serve(_retail_ii_zip()))
    assert (tmp_path / "online_retail_ii.zip.sha256").exists()


def test_changed_archive_error_names_the_record_file(tmp_path, serve):
    fetch_online_retail_ii(tmp_path, url=serve(_retail_ii_zip()))
    (tmp_path / "online_retail_ii.zip").unlink()
    with pytest.raises(ChecksumMismatchError, match=r"online_retail_ii.zip.sha256"):
        fetch_online_retail_ii(tmp_path, url=serve(_retail_ii_zip() + b"changed"))
    assert _files(tmp_path) == ["online_retail_ii.parquet", "online_retail_ii.parquet.manifest.json",
                                "online_retail_ii.zip.sha256"]


def test_fashion_mnist_download_is_checked_against_pinned_content(tmp_path, monkeypatch):
    """Served from 127.0.0.1 as Keras' mirror would: the right files load, a changed label is refused."""
    import gzip

    from rec_utils.data import fashion

    shipped = {name: (fashion.FASHION_DIR / name).read_bytes() for name in fashion._file_names("test")}
    labels_name = "t10k-labels-idx1-ubyte.gz"
    tampered = bytearray(gzip.decompress(shipped[labels_name]))
    tampered[-1] = (tampered[-1] + 1) % 10
    files = {"good": shipped, "bad": {**shipped, labels_name: gzip.compress(bytes(tampered))}}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            variant, name = self.path.strip("/").split("/")
            body = files[variant][name]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        monkeypatch.setattr(fashion, "DOWNLOAD_URL", f"{base}/good/")
        monkeypatch.setattr(fashion, "DOWNLOAD_DIR", tmp_path / "good")
        images, labels, source = fashion.load_fashion_mnist("test", source="keras")
        assert images.shape == (10_000, 28, 28) and source == "keras"
        monkeypatch.setattr(fashion, "DOWNLOAD_URL", f"{base}/bad/")
        monkeypatch.setattr(fashion, "DOWNLOAD_DIR", tmp_path / "bad")
        with pytest.raises(ChecksumMismatchError, match="decoded images or labels differ"):
            fashion.load_fashion_mnist("test", source="keras")
    finally:
        server.shutdown()
        server.server_close()
