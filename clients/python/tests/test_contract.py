"""The package keeps in step with the TypeScript side: generated messages, the error table."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import grpc
import pytest

import coda_client as coda
from coda_client.errors import _BY_CODE, _BY_NAME
from conftest import CHECKOUT, HERE


def protoc_version() -> str:
    protoc = shutil.which("protoc")
    if protoc is None:
        return ""
    return subprocess.run([protoc, "--version"], capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(not protoc_version().startswith("libprotoc 3.21"), reason="the committed messages are protoc 3.21's: apt-get install -y protobuf-compiler (Debian 12)")
def test_generated_messages_match_proto() -> None:
    r = subprocess.run([sys.executable, str(HERE.parent / "gen_proto.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def _extends(name: str, base: str, parents: dict[str, str]) -> bool:
    while name in parents:
        name = parents[name]
        if name == base:
            return True
    return False


def test_the_error_table_is_the_masters() -> None:
    ts = (CHECKOUT / "shared" / "errors" / "status.ts").read_text()
    table = re.search(r"const TABLE[^=]*=\s*\[(.*?)\];", ts, re.S)
    by_code = re.search(r"const BY_CODE[^=]*=\s*\{(.*?)\};", ts, re.S)
    assert table and by_code
    names = re.findall(r"\[(\w+), status\.(\w+)\]", table.group(1))
    assert sorted(_BY_NAME) == sorted(n for n, _ in names)
    # The master's InputError subclasses, read from its class declarations (so a new one is checked too).
    parents = dict(re.findall(r"export class (\w+) extends (\w+)", (CHECKOUT / "shared" / "errors" / "classes.ts").read_text()))
    input_classes = {n for n in parents if _extends(n, "InputError", parents)} | {"InputError"}
    for name, code in names:
        cls = _BY_NAME[name]
        ts_input = name in input_classes
        assert issubclass(cls, coda.InputError) == ts_input, name
    codes = dict(re.findall(r"\[status\.(\w+)\]:\s*(\w+)", by_code.group(1)))
    assert {c.name: cls.__name__ for c, cls in _BY_CODE.items()} == {c: ("PermissionDeniedError" if n == "PermissionError" else n) for c, n in codes.items()}
    assert all(isinstance(c, grpc.StatusCode) for c in _BY_CODE)
