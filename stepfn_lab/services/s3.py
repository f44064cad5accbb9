"""Simulated Amazon S3: getObject, putObject, listObjectsV2 (the ``aws-sdk:s3:*`` resources).

Spec: AWS docs "AWS SDK service integrations" (``arn:aws:states:::aws-sdk:s3:<api>``)
and the S3 API Reference (GetObject, PutObject, ListObjectsV2: response shapes,
``NoSuchKey`` / ``NoSuchBucket``). Taught in: notebooks/15-use-cases-and-capstone.ipynb
(the ETL example reads its input from S3).

Objects live in the services' store, or - when the execution runs with
``s3_root=folder`` - in that folder: each bucket a sub-folder, each key a file
path inside it, every path checked by ``s3files.resolve`` (no key leaves the
folder). The same folder serves Distributed Map's ItemReader and ResultWriter
(``s3files.py``).

Design note: AWS requires a bucket to exist; locally it is created on first
write unless ``Services(auto_create=False)``, which answers
``S3.NoSuchBucketException``. An object's body is returned as text (what the
aws-sdk integration gives a workflow for a text object).
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from typing import Any

from .base import Call, ServiceError, required, to_text, wall_clock_iso

SERVICE = "s3"
PATTERNS = ("",)


def create_bucket(services: Any, name: str) -> str:
    services.db.add_bucket(name, wall_clock_iso())
    return name


def put_plain(services: Any, bucket: str, key: str, body: Any, content_type: str = "binary/octet-stream") -> None:
    """Store an object (text, bytes, or JSON written compactly): ``Services.put_object``."""
    data = body if isinstance(body, (bytes, bytearray)) else to_text(body).encode("utf-8")
    create_bucket(services, bucket)
    services.db.put_object(bucket, key, bytes(data), content_type, _etag(data), wall_clock_iso(), {})


def _etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def _root(call: Call) -> str | None:
    return getattr(call.execution, "s3_root", None)


def _folder(call: Call, bucket: str, create: bool = False) -> str:
    from .s3objects import resolve
    folder = resolve(_root(call), bucket)
    if not os.path.isdir(folder):
        if not call.services.auto_create:
            raise _no_such_bucket(bucket)
        if create:
            os.makedirs(folder, exist_ok=True)
    return folder


def get_object(call: Call) -> dict:
    bucket, key = str(required(call, "Bucket")), str(required(call, "Key"))
    if _root(call):
        from .s3objects import resolve
        _folder(call, bucket)
        path = resolve(_root(call), bucket, key)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            raise _no_such_key() from None
        modified = datetime.fromtimestamp(os.path.getmtime(path), timezone.utc)
        content_type, metadata = "binary/octet-stream", {}
    else:
        row = call.services.db.get_object(bucket, key)
        if row is None:
            if not call.services.auto_create and call.services.db.bucket(bucket) is None:
                raise _no_such_bucket(bucket)
            raise _no_such_key()
        data = row["body"]
        modified = datetime.strptime(row["last_modified"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        content_type, metadata = row["content_type"], row["metadata"]
    return {"AcceptRanges": "bytes", "Body": data.decode("utf-8", errors="replace"), "ContentLength": len(data),
            "ContentType": content_type, "ETag": _etag(data),
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "Metadata": metadata}


def put_object(call: Call) -> dict:
    bucket, key = str(required(call, "Bucket")), str(required(call, "Key"))
    data = to_text(call.params.get("Body", "")).encode("utf-8", "replace")  # a lone surrogate: '?', as Java
    if _root(call):
        from .s3objects import resolve
        _folder(call, bucket, create=True)
        path = resolve(_root(call), bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    else:
        if call.services.db.bucket(bucket) is None:
            if not call.services.auto_create:
                raise _no_such_bucket(bucket)
            create_bucket(call.services, bucket)
        call.services.db.put_object(bucket, key, data, call.params.get("ContentType", "binary/octet-stream"),
                                    _etag(data), call.iso_now(), call.params.get("Metadata") or {})
    return {"ETag": _etag(data), "ServerSideEncryption": "AES256"}


def list_objects_v2(call: Call) -> dict:
    """ListObjectsV2: keys in order, ``Prefix``, ``StartAfter``, ``MaxKeys`` and continuation tokens."""
    bucket = str(required(call, "Bucket"))
    prefix = str(call.params.get("Prefix") or "")
    objects = _listing(call, bucket)
    keys = [o for o in objects if o["Key"].startswith(prefix)]
    after = call.params.get("ContinuationToken") or call.params.get("StartAfter")
    if after:
        keys = [o for o in keys if o["Key"] > str(after)]
    max_keys = call.params.get("MaxKeys", 1000)
    max_keys = max_keys if isinstance(max_keys, int) and not isinstance(max_keys, bool) and max_keys >= 0 else 1000
    page, truncated = keys[:max_keys], len(keys) > max_keys
    body: dict = {"IsTruncated": truncated}
    if page:
        body["Contents"] = page
    body.update({"Name": bucket, "Prefix": prefix, "MaxKeys": max_keys, "KeyCount": len(page)})
    if call.params.get("ContinuationToken"):
        body["ContinuationToken"] = call.params["ContinuationToken"]
    if truncated:
        body["NextContinuationToken"] = page[-1]["Key"] if page else ""
    if call.params.get("StartAfter"):
        body["StartAfter"] = call.params["StartAfter"]
    return body


def _listing(call: Call, bucket: str) -> list[dict]:
    out = []
    if _root(call):
        base = _folder(call, bucket)
        top = os.path.realpath(_root(call))
        for folder, _, files in os.walk(base):  # never descends into linked folders
            for name in files:
                full = os.path.join(folder, name)
                real = os.path.realpath(full)
                if real != top and not real.startswith(top + os.sep):
                    continue  # a symlink to a file outside the root is no object of this bucket
                try:
                    with open(full, "rb") as fh:
                        data = fh.read()
                except OSError:  # a dangling link, or a file removed meanwhile
                    continue
                modified = datetime.fromtimestamp(os.path.getmtime(full), timezone.utc)
                out.append(_entry(os.path.relpath(full, base).replace(os.sep, "/"), data, modified))
    else:
        if call.services.db.bucket(bucket) is None:
            if not call.services.auto_create:
                raise _no_such_bucket(bucket)
            return []
        for key in call.services.db.object_keys(bucket):
            row = call.services.db.get_object(bucket, key)
            modified = datetime.strptime(row["last_modified"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            out.append(_entry(key, row["body"], modified))
    return sorted(out, key=lambda o: o["Key"])


def _entry(key: str, data: bytes, modified: datetime) -> dict:
    return {"Key": key, "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "ETag": _etag(data),
            "Size": len(data), "StorageClass": "STANDARD"}


def _no_such_key() -> ServiceError:
    return ServiceError("s3", "NoSuchKey", "The specified key does not exist.", exception="NoSuchKeyException",
                        status=404)


def _no_such_bucket(bucket: str) -> ServiceError:
    return ServiceError("s3", "NoSuchBucket", f"The specified bucket does not exist (bucket {bucket!r}; create it "
                                              f"with services.create_bucket or use auto_create=True)",
                        exception="NoSuchBucketException", status=404)


OPERATIONS = {"getObject": get_object, "putObject": put_object, "listObjectsV2": list_objects_v2}
