"""Where stored files (the issued PDFs) live: the local media folder, or S3-compatible
object storage through django-storages when STORAGE_BACKEND=s3 (docs/scaling.md).

django-storages is an optional install (`pip install django-storages[s3]==1.14.6`), needed
only by sites that choose S3.
"""

import importlib.util

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_str


def default_storage():
    backend = env_str("STORAGE_BACKEND", default="filesystem").strip().lower()
    if backend == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend != "s3":
        raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3.")
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "STORAGE_BACKEND=s3 needs django-storages: pip install 'django-storages[s3]'."
        )
    bucket = env_str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        # Issued documents are served through our own view, never straight from a public
        # bucket: private objects, signed URLs.
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    for option, variable in [
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ("location", "AWS_LOCATION"),
    ]:
        value = env_str(variable, default="")
        if value:
            options[option] = value
    options["use_ssl"] = env_bool("AWS_S3_USE_SSL", default=True)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
