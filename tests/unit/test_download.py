"""The real download-and-cache path, exercised against servers on 127.0.0.1 only."""

import http.server
import io
import socket
import threading
import time
import zipfile

import pandas as pd
import pytest

from rec_utils.data.download import ChecksumMismatchError, DownloadError, download, sha256_of
from rec_utils.data.online_retail import fetch_online_retail_ii, load_online_retail_ii


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


@pytest.fixture
def serve():
    """Start an HTTP server on 127.0.0.1 serving `payload`; yields a function returning its URL."""
    servers = []

    def start(payload: bytes) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
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
    assert not any(tmp_path.iterdir())


def test_unresponsive_server_times_out(tmp_path):
    with socket.socket() as listener:  # accepts connections but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/f.zip"
        start = time.monotonic()
        with pytest.raises(DownloadError):
            download(url, tmp_path / "f.zip", timeout_s=1.0)
        assert time.monotonic() - start < 10
