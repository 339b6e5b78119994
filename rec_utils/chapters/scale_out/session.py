"""A Spark session for notebook 14: checked settings, Java 17 or later found or a named error, the JVM's log kept
in a file (never in the notebook), and the session stopped with its JVM when the block ends.

    with spark_session("local[2]", driver_memory="2g", partitions=8) as spark:
        ...
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from pyspark import SparkConf, SparkContext
from pyspark.java_gateway import launch_gateway
from pyspark.sql import SparkSession

# PySpark 4.3 warns on every pandas conversion that pandas 3 is "not yet fully supported" (and about a
# deprecated `copy` keyword it passes to pandas); the conversions used here (Arrow batches of numbers,
# strings and arrays) are checked against the pandas path in tests/unit/test_spark.py, so the warnings
# would only be noise in the notebook.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module="pyspark")

MASTER_PATTERN = re.compile(r"^(local(\[(\d+|\*)(,\s*\d+)?\])?|spark://\S+|yarn|k8s://\S+)$")
MEMORY_PATTERN = re.compile(r"^\d+[kmgt]$", re.IGNORECASE)
LOG_SETTING = "spark.interest_lab.jvmLog"


class JavaUnavailableError(RuntimeError):
    """Spark needs a Java runtime (17 or later) and none was found."""


def java_version() -> str | None:
    """The Java runtime's version ("17.0.15"; JAVA_HOME's java, else the one on PATH), or None without one."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home and (Path(home) / "bin" / "java").exists() else shutil.which("java")
    if java is None:
        return None
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "([^"]+)"', done.stderr + done.stdout)
    return found.group(1) if done.returncode == 0 and found else None


def java_major(version: str) -> int:
    """Major version of a Java version string: "17.0.15" -> 17, "1.8.0_392" -> 8."""
    parts = version.split(".")
    return int(parts[1] if parts[0] == "1" else re.match(r"\d+", parts[0]).group())


def _check_settings(master: str, driver_memory: str, partitions: int) -> None:
    if not isinstance(master, str) or not MASTER_PATTERN.match(master):
        raise ValueError(f"spark_master must be local, local[N], local[*], spark://host:port, yarn or k8s://..., "
                         f"got {master!r}")
    if not isinstance(driver_memory, str) or not MEMORY_PATTERN.match(driver_memory):
        raise ValueError(f"driver_memory must look like '2g' or '512m', got {driver_memory!r}")
    if not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1:
        raise ValueError(f"partitions must be a positive integer, got {partitions!r}")


def session_conf(master: str = "local[*]", *, driver_memory: str = "2g", partitions: int = 8,
                 app_name: str = "interest-lab", extra: dict[str, str] | None = None) -> SparkConf:
    """The SparkConf `spark_session` starts with (see there)."""
    _check_settings(master, driver_memory, partitions)
    conf = (SparkConf().setMaster(master).setAppName(app_name)
            .set("spark.driver.memory", driver_memory)
            .set("spark.sql.shuffle.partitions", str(partitions))
            .set("spark.default.parallelism", str(partitions))
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.sql.session.timeZone", "UTC")
            .set("spark.sql.execution.arrow.pyspark.enabled", "true")
            # pandas writes timestamps in nanoseconds, which Spark reads only as numbers (converted on reading)
            .set("spark.sql.legacy.parquet.nanosAsLong", "true"))
    if master.startswith("local"):  # one machine: no web UI, and the driver listens on loopback only
        conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        conf.set("spark.driver.bindAddress", "127.0.0.1")
    for key, value in (extra or {}).items():
        conf.set(key, value)
    return conf


def _tail(path: Path, n_lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n_lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def spark_session(master: str = "local[*]", *, driver_memory: str = "2g", partitions: int = 8,
                  app_name: str = "interest-lab", log_level: str = "ERROR",
                  extra: dict[str, str] | None = None) -> Iterator[SparkSession]:
    """A SparkSession for the block; the session and its JVM are stopped when the block ends.

    master: where the work runs ("local[*]" = every core here, "spark://host:7077" = a standalone
    cluster). driver_memory: the driver JVM's heap ("2g"); partitions: shuffle partitions and default
    parallelism (a few per core here; 2-3 per executor core on a cluster). The JVM's own output goes
    to a log file (named by the session's `spark.interest_lab.jvmLog` setting) and its log level is
    `log_level`, so notebook cells show only what the code prints; the file is deleted after a clean
    stop and kept (its path added to the error) when the block fails. Raises JavaUnavailableError when
    no Java runtime of version 17 or later is installed, ValueError for malformed settings.
    """
    conf = session_conf(master, driver_memory=driver_memory, partitions=partitions, app_name=app_name, extra=extra)
    if SparkContext._active_spark_context is not None:
        raise RuntimeError("a Spark session is already running in this process; stop it first")
    java = java_version()
    if java is None or java_major(java) < 17:
        found = "none was found" if java is None else f"found Java {java}"
        raise JavaUnavailableError(f"Spark 4 needs a Java runtime, version 17 or later, and {found}: install one "
                                   "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    fd, log_name = tempfile.mkstemp(prefix="interest-lab-spark-", suffix=".log")
    os.close(fd)
    log_path = Path(log_name)
    conf.set(LOG_SETTING, str(log_path))
    # Read at start-up: the Python that runs Spark's Python workers (this one, unless PYSPARK_PYTHON says
    # otherwise) and, on one machine, the loopback address (no "hostname resolves to a loopback" warning).
    env = {"PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable)}
    if master.startswith("local"):
        env["SPARK_LOCAL_IP"] = "127.0.0.1"
    saved_env = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    gateway, keep_log = None, False
    try:
        with open(log_path, "ab") as log:
            try:
                with warnings.catch_warnings():
                    # Popen forks and at once execs the JVM, which is safe; JAX (imported by a Keras notebook)
                    # warns about any fork of its multithreaded process all the same
                    warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning)
                    gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
                context = SparkContext(conf=conf, gateway=gateway)
            except Exception as exc:
                raise RuntimeError(f"Spark did not start; the end of its log:\n{_tail(log_path)}") from exc
        context.setLogLevel(log_level)
        session = SparkSession(context)
        try:
            yield session
        except BaseException as exc:
            keep_log = True
            exc.add_note(f"Spark's log: {log_path}")
            raise
        finally:
            session.stop()
    except BaseException:
        keep_log = True
        raise
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if gateway is not None:
            _shutdown(gateway)
        if not keep_log:
            log_path.unlink(missing_ok=True)


def _shutdown(gateway) -> None:
    """Close the Py4J gateway and wait for its JVM, so that the next session starts a fresh one."""
    with contextlib.suppress(Exception):
        gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        with contextlib.suppress(Exception):
            process.stdin.close()  # the JVM exits when its stdin closes
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    SparkContext._gateway = None
    SparkContext._jvm = None
