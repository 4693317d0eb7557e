"""Refusals and failures come back as the master's one line, raised as its class."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pytest

import coda_client as coda
from conftest import BareMaster


@pytest.fixture(scope="module")
def bare() -> Iterator[BareMaster]:
    m = BareMaster("--max-upload-bytes", "1MiB", "--worker-wait", "1", token="t0ken")
    try:
        yield m
    finally:
        m.stop()


def test_mismatched_shapes_raise_shape_error_with_the_masters_line(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    A = rng.standard_normal((50, 3))
    with pytest.raises(coda.ShapeError) as e:
        cluster.least_squares(A, rng.standard_normal(49))
    assert str(e.value) == "data: A has 50 rows but b has 49 values"
    assert isinstance(e.value, coda.InputError) and isinstance(e.value, ValueError)
    assert e.value.exit_code == 2


def test_bad_input_of_every_sort_is_an_input_error_naming_the_problem(cluster: coda.LocalCluster, rng: np.random.Generator) -> None:
    A = rng.standard_normal((50, 3))
    b = rng.standard_normal(50)
    nan = A.copy()
    nan[3, 1] = np.nan
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: cluster.least_squares(nan, b).result(), r"^upload:A contains NaN at row 3, column 1$"),
        (lambda: cluster.least_squares(A, b, scheme={"name": "no-such-scheme"}), r"no-such-scheme"),
        (lambda: cluster.submit({"job": "least-squares", "data": {"A": A, "b": b}, "bogus": 1}), r"unknown key 'bogus'"),
        (lambda: cluster.submit({"job": "least-squares", "data": {"A": "upload:A", "b": b}}), r"data.A: no array named 'A' was uploaded with the job"),
        (lambda: cluster.submit({"job": "least-squares", "data": {"A": "/etc/passwd", "b": b}}), r"is outside the master's data folder"),
        (lambda: cluster.least_squares(A.astype(complex), b), r"data.A: expected real numbers"),
    ]
    for run, pattern in cases:
        with pytest.raises(coda.InputError, match=pattern) as e:
            run()
        assert "\n" not in str(e.value), str(e.value)


def test_a_cluster_failure_is_a_cluster_error(bare: BareMaster) -> None:
    with coda.connect(bare.address, token="t0ken") as c:
        job = c.submit({"job": "least-squares", "data": {"synthetic": {"kind": "gaussian", "rows": 40, "cols": 2}}, "workers": 3})
        with pytest.raises(coda.ClusterError, match=r"only 0 of 3 workers joined within 1 s") as e:
            job.result(timeout=60)
        assert e.value.exit_code == 3


def test_an_upload_over_the_limit_is_refused_before_it_is_stored(bare: BareMaster) -> None:
    with coda.connect(bare.address, token="t0ken") as c:
        with pytest.raises(coda.ResourceError, match=r"^upload of 3200000 bytes \(3 MB\) refused: more than this master's per-job limit of 1048576 bytes"):
            c.least_squares(np.zeros((100_000, 3)), np.zeros(100_000))


def test_the_token_is_checked_and_taken_from_the_environment(bare: BareMaster, monkeypatch: pytest.MonkeyPatch) -> None:
    with coda.connect(bare.address, token="wrong") as c:
        with pytest.raises(coda.UnauthenticatedError, match="missing or wrong cluster token"):
            c.least_squares(np.ones((4, 1)), np.ones(4))
    monkeypatch.setenv("CODA_TOKEN", "t0ken")
    with coda.connect(bare.address) as c:
        # Past the token check: refused for its data instead.
        with pytest.raises(coda.ShapeError):
            c.least_squares(np.ones((4, 1)), np.ones(3))


def test_an_unreachable_master_is_a_cluster_error() -> None:
    with pytest.raises(coda.ClusterError, match=r"master 127.0.0.1:1 did not accept a connection within 1 s"):
        coda.connect("127.0.0.1:1", wait=1)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl missing: apt-get install -y openssl")
def test_tls_to_the_master(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=coda-test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    m = BareMaster("--tls-cert", str(cert), "--tls-key", str(key))
    try:
        with coda.connect(m.address, tls_ca=cert) as c:
            with pytest.raises(coda.ShapeError):
                c.least_squares(np.ones((4, 1)), np.ones(3))
        # Without the CA, no connection: the handshake fails.
        with pytest.raises(coda.ClusterError):
            coda.connect(m.address, wait=2)
    finally:
        m.stop()
